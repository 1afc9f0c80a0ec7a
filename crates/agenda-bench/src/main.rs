//! Native run of the agenda benchmark: prints one JSON line.

use std::time::Instant;

fn main() {
    let n = std::env::args()
        .nth(1)
        .and_then(|a| a.parse().ok())
        .unwrap_or(50_000);
    let start = Instant::now();
    println!(
        "{}",
        revisit_agenda_bench::run(n, 15, "agenda_native", || start.elapsed().as_secs_f64()
            * 1000.0)
    );
}
