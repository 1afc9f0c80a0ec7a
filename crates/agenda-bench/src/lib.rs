//! The agenda benchmark: deterministic synthetic customers and visits, timed natively and in wasm.
//!
//! Each customer brings three lifecycle events (purchase, installation, repair), so
//! 50,000 customers are 150,000 events; a third of them also have a past visit.

use chrono::{Days, NaiveDate, TimeZone, Utc};
use revisit_domain::{
    Channel, Customer, CustomerId, DeviceId, Satisfaction, Tier, UserId, VisitId, VisitRecord,
    schedule,
};
use uuid::Uuid;

/// The day the benchmark takes as "today".
pub fn today() -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, 11, 22).expect("valid date")
}

/// `n` customers and their visits, the same for the same `n` on every machine.
pub fn synthetic(n: usize) -> (Vec<Customer>, Vec<VisitRecord>) {
    let mut state = 0x9E37_79B9_7F4A_7C15_u64;
    let mut next = move || {
        // xorshift64*: deterministic and dependency-free.
        state ^= state >> 12;
        state ^= state << 25;
        state ^= state >> 27;
        state.wrapping_mul(0x2545_F491_4F6C_DD1D)
    };
    let technicians = [UserId(Uuid::from_u128(1)), UserId(Uuid::from_u128(2))];
    let mut customers = Vec::with_capacity(n);
    let mut visits = Vec::with_capacity(n / 3);
    for i in 0..n {
        let purchased = today() - Days::new(next() % 730);
        let installed = purchased + Days::new(next() % 5);
        let repaired = installed + Days::new(next() % 300);
        let c = Customer {
            id: CustomerId(Uuid::from_u128(10_000 + i as u128)),
            name: format!("客户{i}"),
            phone: format!("138{:08}", i),
            address: "上海市浦东新区".into(),
            tier: if next() % 4 == 0 {
                Tier::Vip
            } else {
                Tier::Normal
            },
            product: "净水器 RO-400".into(),
            purchased_on: purchased,
            installed_on: Some(installed),
            repaired_on: Some(repaired.min(today())),
            technician_id: technicians[i % 2],
        };
        if i % 3 == 0 {
            let on = purchased + Days::new(next() % 10);
            visits.push(VisitRecord {
                id: VisitId(Uuid::from_u128(1_000_000 + i as u128)),
                customer_id: c.id,
                technician_id: c.technician_id,
                device_id: DeviceId(Uuid::from_u128(3)),
                visited_at: Utc.from_utc_datetime(&on.and_hms_opt(2, 0, 0).expect("valid time")),
                channel: Channel::Phone,
                satisfaction: Satisfaction::Satisfied,
                notes: String::new(),
                signature: None,
                sha256: String::new(),
            });
        }
        customers.push(c);
    }
    (customers, visits)
}

/// Runs the agenda `runs` times over `n` customers with `now_ms` as the clock and returns
/// one JSON line with the median and the number of items.
pub fn run(n: usize, runs: usize, label: &str, now_ms: impl Fn() -> f64) -> String {
    let (customers, visits) = synthetic(n);
    let mut times = Vec::with_capacity(runs);
    let mut items = 0;
    for _ in 0..runs {
        let t = now_ms();
        items = schedule::agenda(&customers, &visits, today(), 7).len();
        times.push(now_ms() - t);
    }
    times.sort_by(f64::total_cmp);
    let median = times[times.len() / 2];
    serde_json::json!({
        "bench": label,
        "customers": n,
        "events": n * 3,
        "visits": visits.len(),
        "agenda_items": items,
        "runs": runs,
        "median_ms": (median * 100.0).round() / 100.0,
        "min_ms": (times[0] * 100.0).round() / 100.0,
    })
    .to_string()
}

/// Entry point for the browser page: `performance.now()` as the clock.
#[cfg(target_arch = "wasm32")]
#[wasm_bindgen::prelude::wasm_bindgen]
pub fn bench_agenda(n: u32, runs: u32, label: &str) -> String {
    let performance = js_sys::Reflect::get(&js_sys::global(), &"performance".into())
        .expect("performance exists in browsers");
    let now = js_sys::Reflect::get(&performance, &"now".into()).expect("performance.now exists");
    let now: js_sys::Function = now.into();
    run(n as usize, runs as usize, label, || {
        now.call0(&performance)
            .ok()
            .and_then(|v| v.as_f64())
            .unwrap_or(0.0)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn synthetic_data_is_deterministic_and_sized() {
        let (a, va) = synthetic(300);
        let (b, vb) = synthetic(300);
        assert_eq!(a, b);
        assert_eq!(va, vb);
        assert_eq!(a.len(), 300);
        assert_eq!(va.len(), 100);
    }

    #[test]
    fn run_reports_the_agenda_size() {
        let line = run(200, 3, "t", || 0.0);
        let json: serde_json::Value = serde_json::from_str(&line).unwrap();
        let (customers, visits) = synthetic(200);
        let expected = schedule::agenda(&customers, &visits, today(), 7).len();
        assert_eq!(json["agenda_items"], expected);
        assert!(
            expected > 0,
            "the synthetic data should leave something due"
        );
    }
}
