//! `cargo xtask test`: every check and test the project has, in the order that fails fastest;
//! `cargo xtask test server`: the server's and the domain's alone, on SQLite and PostgreSQL;
//! `cargo xtask test e2e [FILTER]`: the client's release build, then the end-to-end scenarios
//! (those whose name contains FILTER).

use std::time::Instant;

use anyhow::{Result, bail};

use crate::{cmd, dist, postgres, root, run, tools};

/// The server's tests that run again on PostgreSQL (the rest do not touch the database's
/// dialect or its concurrency).
const POSTGRES_TESTS: &[&str] = &[
    "api",
    "commit_order",
    "hostile",
    "people",
    "policy",
    "sync_simulation",
];

/// Formatting, lints, native tests (SQLite), the server's on PostgreSQL, wasm tests in
/// Chromium, then the end-to-end test. With `server`: the native tests of the server and the
/// domain, then the server's on PostgreSQL.
pub(crate) fn main(args: &[String]) -> Result<()> {
    match args.first().map(String::as_str) {
        None => everything(),
        Some("server") => {
            let t = Instant::now();
            let mut c = cmd("cargo");
            c.arg("test").args(SERVER_PACKAGES);
            run(c)?;
            on_postgres(SERVER_PACKAGES)?;
            eprintln!(
                "\nxtask test server: passed in {:.1} s",
                t.elapsed().as_secs_f64()
            );
            Ok(())
        }
        Some("e2e") => {
            tools::ensure_build_tools()?;
            tools::ensure_browser()?;
            dist::build()?;
            e2e(args.get(1).map(String::as_str))
        }
        Some(other) => {
            bail!(
                "unknown test selection {other:?}; try `cargo xtask test [server | e2e [FILTER]]`"
            )
        }
    }
}

/// The packages of `cargo xtask test server`.
const SERVER_PACKAGES: &[&str] = &["-p", "revisit-server", "-p", "revisit-domain"];

/// The server's API and sync-simulation tests against a throwaway PostgreSQL cluster, which is
/// stopped afterwards whether they pass or not. `packages` are those of the SQLite run before
/// it, so that cargo builds the server with the same features and does not rebuild it.
fn on_postgres(packages: &[&str]) -> Result<()> {
    let Some(cluster) = postgres::Cluster::start()? else {
        return Ok(());
    };
    let mut c = cmd("cargo");
    c.arg("test").args(packages);
    for t in POSTGRES_TESTS {
        c.args(["--test", t]);
    }
    c.env("REVISIT_TEST_POSTGRES", cluster.url());
    let result = run(c);
    drop(cluster);
    result
}

fn everything() -> Result<()> {
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
    step("server tests on PostgreSQL", &|| {
        on_postgres(&["--workspace"])
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
    step("end-to-end (headless Chromium, real server)", &|| e2e(None))?;

    eprintln!("\nxtask test: every step passed");
    for (name, secs) in &timings {
        eprintln!("  {secs:>7.1} s  {name}");
    }
    Ok(())
}

/// The end-to-end scenarios (those whose name contains `filter`) on the release client in
/// `dist/` and the server's debug binary, built here.
fn e2e(filter: Option<&str>) -> Result<()> {
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
    ]);
    c.args(filter);
    c.args(["--nocapture", "--test-threads=1"])
        .env("REVISIT_SERVER_BIN", target.join("debug/revisit-server"))
        .env("REVISIT_DIST", root().join("dist"))
        .env("CHROMIUM", tools::CHROMIUM)
        .env("CHROMEDRIVER", tools::CHROMEDRIVER);
    run(c)
}
