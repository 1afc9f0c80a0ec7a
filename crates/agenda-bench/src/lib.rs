//! The agenda benchmark: the policy engine on deterministic synthetic data, timed natively and
//! in wasm with the same code.
//!
//! The data is `policy::synthetic::synthetic_input` (customers, lifecycle events and about as
//! many visits, seed [`SEED`], "now" [`NOW`]); a shipped profile runs through `agenda` (every
//! item, done ones included) or `open_agenda` (the open items: what the agenda page shows),
//! on a `PreparedInput` as the agenda page evaluates every minute; the grouping that prepares
//! the input (once per change of the data) is timed apart, in the same run.
//! Only the engine call is timed: the data is made and the profile parsed before the clock
//! starts, and the result is checked and dropped after it stops. One untimed run first gives
//! the item count and a digest of the items, so the browser's result can be compared with the
//! native one.

use chrono::{DateTime, Utc};
use revisit_domain::policy::{
    Agenda, Horizon, PolicyProfile, PreparedInput, WorkCalendar, builtin,
    synthetic::synthetic_input,
};

/// The customers of the benchmark.
pub const CUSTOMERS: usize = 50_000;
/// Their lifecycle events (one purchase each, the rest spread at random).
pub const EVENTS: usize = 150_000;
/// The synthetic data's seed.
pub const SEED: u64 = 42;
/// The benchmark's "now" (2026-11-22 09:00 in Shanghai).
pub const NOW: &str = "2026-11-22T01:00:00Z";
/// The profiles timed: the general after-sales policy, and the walking skeleton's rules.
pub const PROFILES: [&str; 2] = ["general", "skeleton"];

/// Which engine entry point is timed.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Call {
    /// `policy::agenda`: every item, done ones included (reports, KPIs).
    Agenda,
    /// `policy::open_agenda`: the open items only (the agenda page).
    OpenAgenda,
}

impl Call {
    /// Both, in the order they are printed.
    pub const ALL: [Call; 2] = [Call::Agenda, Call::OpenAgenda];

    /// The engine function's name, as printed.
    pub fn name(self) -> &'static str {
        match self {
            Call::Agenda => "agenda",
            Call::OpenAgenda => "open_agenda",
        }
    }

    /// The call named `name` (as printed by [`Call::name`]).
    pub fn parse(name: &str) -> Option<Call> {
        Call::ALL.into_iter().find(|c| c.name() == name)
    }
}

/// One measured figure: the median and spread of `runs` timed calls.
#[derive(Clone, Debug, PartialEq)]
pub struct Figure {
    /// The profile's name.
    pub profile: String,
    /// The call timed.
    pub call: Call,
    /// Items in the agenda.
    pub items: usize,
    /// FNV-1a over every item's customer, due time and status, in agenda order (hex).
    pub digest: String,
    /// Timed runs (after one untimed run).
    pub runs: usize,
    /// Median, in milliseconds.
    pub median_ms: f64,
    /// Fastest run.
    pub min_ms: f64,
    /// Slowest run.
    pub max_ms: f64,
    /// Median time to prepare the input (group it by customer), in milliseconds: paid once
    /// per change of the data, not per evaluation.
    pub prepare_ms: f64,
}

/// The synthetic input and calendar, made once and reused by every measurement.
pub struct Bench {
    input: PreparedInput,
    calendar: WorkCalendar,
    now: DateTime<Utc>,
    customers: usize,
    events: usize,
}

impl Bench {
    /// `customers` customers with `events` events, from [`SEED`] at [`NOW`].
    pub fn new(customers: usize, events: usize) -> Bench {
        let now = NOW.parse().expect("NOW is an RFC 3339 instant");
        Bench {
            input: PreparedInput::new(synthetic_input(customers, events, SEED, now)),
            calendar: WorkCalendar::china(),
            now,
            customers,
            events,
        }
    }

    /// One call of the engine, untimed.
    pub fn once<'p>(&'p self, profile: &'p PolicyProfile, call: Call) -> Agenda<'p> {
        let horizon = Horizon::default();
        match call {
            Call::Agenda => self
                .input
                .agenda(profile, &self.calendar, self.now, horizon),
            Call::OpenAgenda => self
                .input
                .open_agenda(profile, &self.calendar, self.now, horizon),
        }
    }

    /// Times `runs` calls of `call` under the shipped profile `profile` with `now_ms` as the
    /// clock (milliseconds), after one untimed call; `None` for an unknown profile.
    ///
    /// Panics if a timed call returns another number of items than the untimed one.
    pub fn measure(
        &self,
        profile: &str,
        call: Call,
        runs: usize,
        mut now_ms: impl FnMut() -> f64,
    ) -> Option<Figure> {
        let policy = builtin(profile)?;
        let first = self.once(&policy, call);
        let items = first.len();
        let digest = digest(&first);
        drop(first);
        let mut times = Vec::with_capacity(runs);
        for _ in 0..runs.max(1) {
            let start = now_ms();
            let result = self.once(&policy, call);
            times.push(now_ms() - start);
            assert_eq!(
                result.len(),
                items,
                "{profile} {}: the same input gave another agenda",
                call.name()
            );
        }
        times.sort_by(f64::total_cmp);
        let mut prepare = Vec::with_capacity(runs);
        for _ in 0..runs.max(1) {
            let input = self.input.input().clone();
            let start = now_ms();
            let prepared = PreparedInput::new(input);
            prepare.push(now_ms() - start);
            drop(prepared);
        }
        prepare.sort_by(f64::total_cmp);
        Some(Figure {
            profile: profile.into(),
            call,
            items,
            digest,
            runs: times.len(),
            median_ms: times[times.len() / 2],
            min_ms: times[0],
            max_ms: times[times.len() - 1],
            prepare_ms: prepare[prepare.len() / 2],
        })
    }

    /// `figure` as one JSON line; `place` says where it ran (e.g. `native`, `chromium`) and
    /// `extra` adds fields (build, CPU slowdown, budget).
    pub fn json_line(
        &self,
        figure: &Figure,
        place: &str,
        extra: serde_json::Map<String, serde_json::Value>,
    ) -> String {
        let round = |ms: f64| (ms * 100.0).round() / 100.0;
        let mut line = serde_json::json!({
            "bench": "agenda",
            "where": place,
            "profile": figure.profile,
            "call": figure.call.name(),
            "customers": self.customers,
            "events": self.events,
            "visits": self.input.input().visits.len(),
            "items": figure.items,
            "digest": figure.digest,
            "runs": figure.runs,
            "median_ms": round(figure.median_ms),
            "min_ms": round(figure.min_ms),
            "max_ms": round(figure.max_ms),
            "prepare_ms": round(figure.prepare_ms),
        });
        if let Some(map) = line.as_object_mut() {
            map.extend(extra);
        }
        line.to_string()
    }
}

/// FNV-1a over each item's customer, due time and status, in order: equal digests mean the
/// same items in the same order (fields that every version of the engine's output has).
pub fn digest(agenda: &Agenda<'_>) -> String {
    let mut hash = 0xcbf2_9ce4_8422_2325_u64;
    let mut eat = |bytes: &[u8]| {
        for b in bytes {
            hash ^= u64::from(*b);
            hash = hash.wrapping_mul(0x0000_0100_0000_01b3);
        }
    };
    for item in agenda.items() {
        eat(&item.customer_id().0.as_u128().to_le_bytes());
        eat(&item.due().and_utc().timestamp().to_le_bytes());
        eat(&[item.status as u8]);
    }
    format!("{hash:016x}")
}

#[cfg(target_arch = "wasm32")]
pub use wasm::{WasmBench, last_panic};

/// The browser side: the data is made once in [`WasmBench::new`], and each
/// [`WasmBench::measure`] times only the engine calls with `performance.now()`.
#[cfg(target_arch = "wasm32")]
mod wasm {
    use std::sync::Mutex;

    use wasm_bindgen::prelude::wasm_bindgen;

    use super::{Bench, Call};

    /// The last panic's message: with `panic = "abort"` the page only sees `unreachable`.
    static LAST_PANIC: Mutex<Option<String>> = Mutex::new(None);

    /// The benchmark's data, held by the page between measurements.
    #[wasm_bindgen]
    pub struct WasmBench(Bench);

    #[wasm_bindgen]
    impl WasmBench {
        /// Makes the synthetic data (not timed).
        #[wasm_bindgen(constructor)]
        pub fn new(customers: u32, events: u32) -> WasmBench {
            std::panic::set_hook(Box::new(|info| {
                if let Ok(mut last) = LAST_PANIC.lock() {
                    *last = Some(info.to_string());
                }
            }));
            WasmBench(Bench::new(customers as usize, events as usize))
        }

        /// Times `call` (`agenda` or `open_agenda`) under `profile`; one JSON line, with
        /// `extra` (a JSON object) merged in.
        pub fn measure(&self, profile: &str, call: &str, runs: u32, extra: &str) -> String {
            let call = Call::parse(call).expect("call is agenda or open_agenda");
            let performance = js_sys::Reflect::get(&js_sys::global(), &"performance".into())
                .expect("performance exists in browsers");
            let now =
                js_sys::Reflect::get(&performance, &"now".into()).expect("performance.now exists");
            let now: js_sys::Function = now.into();
            let figure = self
                .0
                .measure(profile, call, runs as usize, || {
                    now.call0(&performance)
                        .ok()
                        .and_then(|v| v.as_f64())
                        .unwrap_or(f64::NAN)
                })
                .expect("a shipped profile");
            let extra = serde_json::from_str(extra).expect("extra is a JSON object");
            self.0.json_line(&figure, "chromium", extra)
        }
    }

    /// The message of the last panic, if any (for the page to report).
    #[wasm_bindgen]
    pub fn last_panic() -> Option<String> {
        LAST_PANIC.lock().ok().and_then(|last| last.clone())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn measure_reports_the_engine_result() {
        let bench = Bench::new(300, 900);
        let policy = builtin("general").unwrap();
        for call in Call::ALL {
            let figure = bench.measure("general", call, 3, || 0.0).unwrap();
            let expected = bench.once(&policy, call);
            assert_eq!(figure.items, expected.len());
            assert_eq!(figure.digest, digest(&expected));
            assert!(figure.items > 0, "the synthetic data should owe visits");
            assert_eq!(figure.runs, 3);
        }
    }

    #[test]
    fn open_agenda_is_a_part_of_agenda() {
        let bench = Bench::new(300, 900);
        let all = bench.measure("general", Call::Agenda, 1, || 0.0).unwrap();
        let open = bench
            .measure("general", Call::OpenAgenda, 1, || 0.0)
            .unwrap();
        assert!(open.items < all.items, "done items are left out");
    }

    #[test]
    fn every_profile_and_call_is_known() {
        let bench = Bench::new(10, 30);
        for profile in PROFILES {
            assert!(bench.measure(profile, Call::Agenda, 1, || 0.0).is_some());
        }
        assert!(
            bench
                .measure("no-such-profile", Call::Agenda, 1, || 0.0)
                .is_none()
        );
        for call in Call::ALL {
            assert_eq!(Call::parse(call.name()), Some(call));
        }
    }

    #[test]
    fn json_line_carries_the_figure_and_the_extras() {
        let bench = Bench::new(30, 90);
        let figure = bench
            .measure("general", Call::OpenAgenda, 3, || 0.0)
            .unwrap();
        let mut extra = serde_json::Map::new();
        extra.insert("build".into(), "release".into());
        let line: serde_json::Value =
            serde_json::from_str(&bench.json_line(&figure, "native", extra)).unwrap();
        assert_eq!(line["call"], "open_agenda");
        assert_eq!(line["items"], figure.items);
        assert_eq!(line["events"], 90);
        assert_eq!(line["build"], "release");
        assert_eq!(line["prepare_ms"], figure.prepare_ms);
    }
}
