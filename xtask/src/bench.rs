//! `cargo xtask bench`: measured figures, printed; nothing here asserts a time.

mod browser;
mod lighthouse;
mod report;
mod scale;
mod sync;

use std::{
    collections::HashMap,
    path::{Path, PathBuf},
};

use anyhow::{Context, Result, bail};
use serde_json::Value;

use crate::{cmd, dist, root, tools};

/// Runs the benchmarks named in `only` (bundle, agenda, sync, report, lighthouse), or all of
/// them, and `scale` only when named; prints one JSON line per figure.
pub(crate) fn main(only: &[String]) -> Result<()> {
    let wanted = |name: &str| only.is_empty() || only.iter().any(|o| o == name);
    tools::ensure_build_tools()?;
    tools::ensure_browser()?;
    if wanted("bundle") || wanted("lighthouse") {
        dist::build()?;
    }
    if wanted("bundle") {
        bundle_size("field", &root().join("dist"), 250_000)?;
        bundle_size("desk", &root().join("dist/desk"), 400_000)?;
    }
    if wanted("agenda") {
        agenda()?;
    }
    if wanted("sync") {
        sync::compare(10_000)?;
    }
    if wanted("report") {
        report::monthly(20_000)?;
    }
    if wanted("lighthouse") {
        lighthouse::first_load()?;
    }
    // Minutes at its default size, so only when asked: `bench scale [CUSTOMERS VISITS]`.
    if only.iter().any(|o| o == "scale") {
        let sizes: Vec<usize> = only.iter().filter_map(|o| o.parse().ok()).collect();
        let (customers, visits) = match sizes[..] {
            [c, v] => (c, v),
            _ => (10_000, 100_000),
        };
        scale::measure(customers, visits)?;
    }
    Ok(())
}

/// Cargo's target folder as the cargo commands started by [`cmd`] (from the workspace root)
/// see it: `CARGO_TARGET_DIR` if set, else `target/`.
pub(crate) fn target_dir() -> PathBuf {
    root().join(std::env::var_os("CARGO_TARGET_DIR").unwrap_or_else(|| "target".into()))
}

/// The policy engine's agenda for 50,000 customers and 150,000 events (the budget),
/// then for a technician's tablet (2,000 customers, 6,000 events): natively (median of 15
/// runs), then the same library as wasm in headless Chromium, unthrottled and with 4x CPU
/// throttling (median of 7), each build checked to compute the same items as natively; then
/// the wasm/native ratios of this run.
fn agenda() -> Result<()> {
    for (customers, events) in [(50_000, 150_000), (2_000, 6_000)] {
        agenda_of(customers, events)?;
    }
    Ok(())
}

fn agenda_of(customers: u32, events: u32) -> Result<()> {
    let mut native = cmd("cargo");
    native.args(["run", "--release", "-q", "-p", "revisit-agenda-bench", "--"]);
    native.args([customers.to_string(), events.to_string(), "15".into()]);
    let native = crate::output(native).context("the native agenda benchmark failed")?;
    let mut expected = HashMap::new();
    let mut profiles = Vec::new();
    for line in native.lines() {
        println!("{line}");
        let figure: Value = serde_json::from_str(line).context("a native figure")?;
        let (profile, _) = key(&figure);
        if !profiles.contains(&profile) {
            profiles.push(profile);
        }
        expected.insert(key(&figure), figure);
    }
    let wasm = browser::agenda(customers, events, 7, &profiles)?;
    for figure in &wasm {
        let native = expected
            .get(&key(figure))
            .with_context(|| format!("no native figure for {figure}"))?;
        for field in ["items", "digest", "visits"] {
            if figure[field] != native[field] {
                bail!("wasm and native agendas differ in {field}: wasm {figure}, native {native}");
            }
        }
        println!("{figure}");
    }
    for figure in wasm.iter().filter(|f| f["cpu_slowdown"] == 1) {
        let (profile, call) = key(figure);
        let throttled = wasm.iter().find(|f| {
            key(f) == key(figure) && f["build"] == figure["build"] && f["cpu_slowdown"] == 4
        });
        let median = |f: &Value| f["median_ms"].as_f64().unwrap_or(f64::NAN);
        let native_ms = median(&expected[&key(figure)]);
        println!(
            "{}",
            serde_json::json!({
                "bench": "agenda_ratio",
                "customers": customers,
                "profile": profile,
                "call": call,
                "build": figure["build"],
                "wasm_over_native": (median(figure) / native_ms * 100.0).round() / 100.0,
                "wasm_4x_over_native": throttled
                    .map(|t| (median(t) / native_ms * 100.0).round() / 100.0),
            })
        );
    }
    Ok(())
}

/// A figure's profile and engine call.
fn key(figure: &Value) -> (String, String) {
    let text = |field: &str| figure[field].as_str().unwrap_or_default().to_owned();
    (text("profile"), text("call"))
}

/// An app's bundle as a browser downloads it (the wasm and js in `dist`, not its
/// sub-folders), each brotli-compressed, beside its budget.
fn bundle_size(app: &str, dist: &Path, budget: u64) -> Result<()> {
    let mut raw = 0u64;
    let mut compressed = 0u64;
    for entry in
        std::fs::read_dir(dist).with_context(|| format!("{} is missing", dist.display()))?
    {
        let path = entry?.path();
        let ext = path
            .extension()
            .and_then(|e| e.to_str())
            .unwrap_or_default();
        if !path.is_file()
            || !matches!(ext, "wasm" | "js")
            || path.file_name().is_some_and(|n| n == "sw.js")
        {
            continue;
        }
        raw += std::fs::metadata(&path)?.len();
        let mut c = cmd("brotli");
        c.args(["-c", "-q", "11"]).arg(&path);
        let out = c.output().context("brotli")?;
        compressed += out.stdout.len() as u64;
    }
    println!(
        "{{\"bench\":\"bundle\",\"app\":\"{app}\",\"raw_bytes\":{raw},\"brotli_bytes\":{compressed},\"budget_bytes\":{budget}}}"
    );
    Ok(())
}
