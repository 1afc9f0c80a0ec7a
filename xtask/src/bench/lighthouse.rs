//! The field app's first load as Lighthouse's mobile profile sees it (slow 4G and a 4x slower
//! CPU, simulated): the release server on a fresh demo database serving `dist/`, scores, paint
//! times and the bytes transferred, compressed as sent.

use anyhow::{Context, Result, bail};
use serde_json::{Value, json};

use super::sync::Server;
use crate::{cmd, root, tools};

/// Lighthouse runs, each in a fresh browser profile (a first load every time).
const RUNS: usize = 3;
/// Tries of one run before the benchmark gives up.
const ATTEMPTS: usize = 3;

/// Prints one JSON line per run, then the medians.
pub(crate) fn first_load() -> Result<()> {
    let lighthouse = tools::ensure_lighthouse()?;
    let server = Server::start("lighthouse")?;
    let dir = root().join("target/bench");
    std::fs::create_dir_all(&dir)?;
    let mut runs = Vec::new();
    for run in 1..=RUNS {
        let report = dir.join(format!("lighthouse-{}-{run}.json", std::process::id()));
        let lighthouse_run = || {
            let mut c = cmd(&lighthouse.to_string_lossy());
            c.arg(format!("{}/", server.base))
                .arg(format!(
                    "--chrome-flags={}",
                    tools::CHROMIUM_FLAGS.join(" ")
                ))
                .args([
                    "--only-categories=performance,accessibility,best-practices,seo",
                    "--output=json",
                    "--quiet",
                ])
                .arg(format!("--output-path={}", report.display()))
                .env("CHROME_PATH", tools::CHROMIUM);
            crate::run(c)
        };
        // Lighthouse now and then fails to record a trace (NO_NAVSTART) on a busy machine.
        let mut attempt = 1;
        while let Err(e) = lighthouse_run() {
            if attempt == ATTEMPTS {
                return Err(e);
            }
            eprintln!("xtask bench: Lighthouse failed ({e:#}); trying again");
            attempt += 1;
        }
        let text = std::fs::read_to_string(&report)
            .with_context(|| format!("reading {}", report.display()))?;
        let _ = std::fs::remove_file(&report);
        let figures = figures(&serde_json::from_str(&text)?, run)?;
        println!("{figures}");
        runs.push(figures);
    }
    let median = |field: &str| {
        let mut values: Vec<f64> = runs.iter().filter_map(|r| r[field].as_f64()).collect();
        values.sort_by(f64::total_cmp);
        values.get(values.len() / 2).copied()
    };
    println!(
        "{}",
        json!({
            "bench": "lighthouse_median",
            "runs": RUNS,
            "performance": median("performance"),
            "lcp_ms": median("lcp_ms"),
            "fcp_ms": median("fcp_ms"),
            "tbt_ms": median("tbt_ms"),
            "transfer_bytes": median("transfer_bytes"),
        })
    );
    Ok(())
}

/// One run's scores (0-100), times and bytes from Lighthouse's JSON report.
fn figures(report: &Value, run: usize) -> Result<Value> {
    let score = |category: &str| {
        report["categories"][category]["score"]
            .as_f64()
            .map(|s| (s * 100.0).round())
    };
    let audit = |name: &str| report["audits"][name]["numericValue"].as_f64();
    let Some(performance) = score("performance") else {
        bail!(
            "Lighthouse measured no performance score: {}",
            report["runtimeError"]
        );
    };
    let requests = report["audits"]["network-requests"]["details"]["items"]
        .as_array()
        .map(Vec::len);
    Ok(json!({
        "bench": "lighthouse",
        "run": run,
        "profile": "mobile",
        "performance": performance,
        "accessibility": score("accessibility"),
        "best_practices": score("best-practices"),
        "seo": score("seo"),
        "fcp_ms": audit("first-contentful-paint").map(f64::round),
        "lcp_ms": audit("largest-contentful-paint").map(f64::round),
        "tbt_ms": audit("total-blocking-time").map(f64::round),
        "cls": audit("cumulative-layout-shift"),
        "speed_index_ms": audit("speed-index").map(f64::round),
        "transfer_bytes": audit("total-byte-weight"),
        "requests": requests,
    }))
}
