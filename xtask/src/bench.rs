//! `cargo xtask bench`: measured figures, printed; nothing here asserts a time.

mod sync;

use std::path::Path;

use anyhow::{Context, Result};

use crate::{cmd, dist, root, run, tools};

/// Runs every benchmark and prints one line per figure.
pub(crate) fn main() -> Result<()> {
    tools::ensure_build_tools()?;
    tools::ensure_browser()?;
    dist::build()?;
    bundle_size(&root().join("dist"))?;
    if root()
        .join("crates/domain/examples/bench_agenda.rs")
        .exists()
    {
        let mut c = cmd("cargo");
        c.args([
            "run",
            "--release",
            "-p",
            "revisit-domain",
            "--example",
            "bench_agenda",
        ]);
        run(c)?;
    }
    sync::compare(10_000)?;
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
