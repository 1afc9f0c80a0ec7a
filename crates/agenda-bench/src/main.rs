//! Native run of the agenda benchmark: one JSON line per profile and engine call.
//!
//! `revisit-agenda-bench [customers] [events] [runs] [profile:call]` (defaults: 50,000,
//! 150,000, 15, every profile and call; e.g. `general:open_agenda` alone, for a profiler).

use std::time::Instant;

use revisit_agenda_bench::{Bench, CUSTOMERS, Call, EVENTS, PROFILES};

fn main() {
    let arg = |n: usize, default: usize| {
        std::env::args()
            .nth(n)
            .map(|a| a.parse().expect("arguments are numbers"))
            .unwrap_or(default)
    };
    let (customers, events, runs) = (arg(1, CUSTOMERS), arg(2, EVENTS), arg(3, 15));
    let bench = Bench::new(customers, events);
    let start = Instant::now();
    let clock = || start.elapsed().as_secs_f64() * 1000.0;
    let only = std::env::args().nth(4);
    for profile in PROFILES {
        for call in Call::ALL {
            if only
                .as_ref()
                .is_some_and(|o| *o != format!("{profile}:{}", call.name()))
            {
                continue;
            }
            let figure = bench
                .measure(profile, call, runs, clock)
                .expect("a shipped profile");
            let mut extra = serde_json::Map::new();
            extra.insert("build".into(), "release".into());
            if profile == "general" && customers == CUSTOMERS {
                extra.insert("budget_ms".into(), 30.into());
            }
            println!("{}", bench.json_line(&figure, "native", extra));
        }
    }
}
