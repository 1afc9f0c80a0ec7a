//! Times the policy engine's agenda for 50,000 customers with 150,000 events, natively.
//!
//! `cargo run --release -p revisit-domain --example bench_agenda` prints one JSON line with
//! the median of several runs, for the full agenda (done items included) and for the open
//! items only (`open_agenda`, what the agenda page needs). The data comes from `policy::synthetic::synthetic_input`,
//! which a WASM benchmark can reuse to measure the same work in the browser.

use std::time::Instant;

use revisit_domain::policy::{
    Horizon, WorkCalendar, agenda, builtin, open_agenda, synthetic::synthetic_input,
};

fn main() {
    let (customers, events, runs) = (50_000, 150_000, 9);
    let now = "2026-11-22T01:00:00Z".parse().expect("valid instant");
    let input = synthetic_input(customers, events, 42, now);
    // An optional argument names another shipped profile (default: general).
    let name = std::env::args().nth(1).unwrap_or_else(|| "general".into());
    let profile = builtin(&name).expect("shipped profile");
    let calendar = WorkCalendar::china();
    let median = |open: bool| {
        let mut times = Vec::new();
        let mut items = 0;
        for _ in 0..runs {
            let start = Instant::now();
            let a = if open {
                open_agenda(&profile, &calendar, &input, now, Horizon::default())
            } else {
                agenda(&profile, &calendar, &input, now, Horizon::default())
            };
            times.push(start.elapsed().as_secs_f64() * 1000.0);
            items = a.items.len();
        }
        times.sort_by(f64::total_cmp);
        (items, times[runs / 2])
    };
    let (items, all_ms) = median(false);
    let (open_items, open_ms) = median(true);
    println!(
        "{{\"bench\":\"agenda_native\",\"profile\":\"{name}\",\"customers\":{customers},\"events\":{events},\"visits\":{},\"items\":{items},\"runs\":{runs},\"median_ms\":{all_ms:.2},\"open_items\":{open_items},\"open_median_ms\":{open_ms:.2}}}",
        input.visits.len(),
    );
}
