//! `cargo xtask test`: every check and test the project has, in the order that fails fastest.

use std::time::Instant;

use anyhow::Result;

use crate::{cmd, dist, root, run, tools};

/// Formatting, lints, native tests, wasm tests in Chromium, then the end-to-end test.
pub(crate) fn main() -> Result<()> {
    tools::ensure_build_tools()?;
    tools::ensure_browser()?;
    let mut timings = Vec::new();
    let mut step = |name: &'static str, f: &dyn Fn() -> Result<()>| -> Result<()> {
        let t = Instant::now();
        f()?;
        timings.push((name, t.elapsed().as_secs_f64()));
        Ok(())
    };

    step("fmt", &|| {
        let mut c = cmd("cargo");
        c.args(["fmt", "--all", "--", "--check"]);
        run(c)
    })?;
    step("clippy (native)", &|| {
        let mut c = cmd("cargo");
        c.args([
            "clippy",
            "--workspace",
            "--all-targets",
            "--all-features",
            "--",
            "-D",
            "warnings",
        ]);
        run(c)
    })?;
    step("clippy (wasm client)", &|| {
        let mut c = cmd("cargo");
        c.args([
            "clippy",
            "-p",
            "revisit",
            "--target",
            "wasm32-unknown-unknown",
            "--all-targets",
            "--",
            "-D",
            "warnings",
        ]);
        run(c)
    })?;
    step("native tests", &|| {
        let mut c = cmd("cargo");
        c.args(["test", "--workspace"]);
        run(c)
    })?;
    step("wasm tests (headless Chromium)", &|| {
        let mut c = cmd("cargo");
        c.args([
            "test",
            "-p",
            "revisit",
            "--target",
            "wasm32-unknown-unknown",
            "--test",
            "storage",
            "--test",
            "agenda_page",
            "--test",
            "agenda_fixture",
        ])
        .env("CHROMEDRIVER", tools::CHROMEDRIVER)
        .env("WASM_BINDGEN_TEST_TIMEOUT", "180");
        run(c)
    })?;
    step("client release build", &dist::build)?;
    step("end-to-end (headless Chromium, real server)", &|| {
        let mut build = cmd("cargo");
        build.args(["build", "-p", "revisit-server"]);
        run(build)?;
        let target =
            std::env::var("CARGO_TARGET_DIR").map_or_else(|_| root().join("target"), Into::into);
        let mut c = cmd("cargo");
        c.args([
            "test",
            "-p",
            "revisit",
            "--features",
            "e2e",
            "--test",
            "e2e",
            "--",
            "--nocapture",
        ])
        .env("REVISIT_SERVER_BIN", target.join("debug/revisit-server"))
        .env("REVISIT_DIST", root().join("dist"))
        .env("CHROMIUM", tools::CHROMIUM)
        .env("CHROMEDRIVER", tools::CHROMEDRIVER);
        run(c)
    })?;

    eprintln!("\nxtask test: every step passed");
    for (name, secs) in &timings {
        eprintln!("  {secs:>7.1} s  {name}");
    }
    Ok(())
}
