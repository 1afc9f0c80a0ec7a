//! `cargo xtask bench`: measured figures, printed; nothing here asserts a time.

mod browser;
mod sync;

use std::path::Path;

use anyhow::{Context, Result};

use crate::{cmd, dist, root, tools};

/// Runs the benchmarks named in `only` (bundle, agenda, sync), or all of them; prints one
/// JSON line per figure.
pub(crate) fn main(only: &[String]) -> Result<()> {
    let wanted = |name: &str| only.is_empty() || only.iter().any(|o| o == name);
    tools::ensure_build_tools()?;
    tools::ensure_browser()?;
    if wanted("bundle") {
        dist::build()?;
        bundle_size(&root().join("dist"))?;
    }
    if wanted("agenda") {
        let mut native = cmd("cargo");
        native.args([
            "run",
            "--release",
            "-q",
            "-p",
            "revisit-agenda-bench",
            "--",
            "50000",
        ]);
        let native = crate::output(native).context("the native agenda benchmark failed")?;
        println!("{}", native.trim());
        let median = |line: &str| {
            serde_json::from_str::<serde_json::Value>(line).ok()?["median_ms"].as_f64()
        };
        let native_ms = median(native.trim()).context("no native median")?;
        for line in browser::agenda(50_000, 7)? {
            println!("{line}");
            if let Some(ms) = median(&line) {
                println!(
                    "{{\"bench\":\"agenda_ratio\",\"wasm_over_native\":{:.2}}}",
                    ms / native_ms
                );
            }
        }
    }
    if wanted("sync") {
        sync::compare(10_000)?;
    }
    Ok(())
}

/// The client bundle as a browser downloads it: wasm + js, each brotli-compressed.
fn bundle_size(dist: &Path) -> Result<()> {
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
        if !matches!(ext, "wasm" | "js") || path.file_name().is_some_and(|n| n == "sw.js") {
            continue;
        }
        raw += std::fs::metadata(&path)?.len();
        let mut c = cmd("brotli");
        c.args(["-c", "-q", "11"]).arg(&path);
        let out = c.output().context("brotli")?;
        compressed += out.stdout.len() as u64;
    }
    println!(
        "{{\"bench\":\"bundle\",\"raw_bytes\":{raw},\"brotli_bytes\":{compressed},\"budget_bytes\":{}}}",
        250_000
    );
    Ok(())
}
