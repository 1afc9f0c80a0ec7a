//! Project automation: `cargo xtask serve | test | bench | dist | setup`.
//!
//! Every command first installs what is missing (and skips what is there at the right
//! version), so a fresh machine needs nothing but Rust, Debian's apt and npm.

mod bench;
mod dist;
mod fuzz;
mod postgres;
mod serve;
mod soak;
mod test;
mod tidy;
mod tools;

use std::{
    path::{Path, PathBuf},
    process::Command,
    time::Instant,
};

use anyhow::{Context, Result, bail};

const USAGE: &str = "\
usage: cargo xtask <command>

  serve [--no-demo] [--addr A]  build the client (release) and run the server on an embedded
                                SQLite file (.revisit/revisit.sqlite) with a demo organisation
  test [server]                 every check and test: fmt, clippy, native tests, the server's
                                on a throwaway PostgreSQL, wasm tests in headless Chromium, the
                                end-to-end test; `server`: only the server's and domain's tests
  bench [bundle|agenda|sync|report|lighthouse]
                                benchmarks (all by default); prints figures as JSON lines
  soak [--seeds N] [--first S] [--steps K] [--jobs J] [--postgres]
                                the sync simulation over N seeds (1000), J processes at once;
                                prints each failing seed and the command that replays it
  fuzz [--count N] [--seed S]   decode and validate every sync wire type over N generated
                                inputs (1,000,000), in release; fails on any panic
  dist                          build the client into dist/ (release)
  setup [--browser]             install the build tools (and the test browser) if missing";

fn main() -> Result<()> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let started = Instant::now();
    let result = match args.first().map(String::as_str) {
        Some("serve") => serve::main(&args[1..]),
        Some("test") => test::main(&args[1..]),
        Some("bench") => bench::main(&args[1..]),
        Some("soak") => soak::main(&args[1..]),
        Some("fuzz") => fuzz::main(&args[1..]),
        Some("dist") => tools::ensure_build_tools().and_then(|()| dist::build()),
        Some("setup") => {
            tools::ensure_build_tools()?;
            if args.iter().any(|a| a == "--browser") {
                tools::ensure_browser()?;
            }
            Ok(())
        }
        _ => {
            eprintln!("{USAGE}");
            std::process::exit(2);
        }
    };
    eprintln!(
        "xtask: finished in {:.1} s",
        started.elapsed().as_secs_f64()
    );
    result
}

/// The workspace root (the parent of this crate's folder).
fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("xtask lives in the workspace")
        .to_path_buf()
}

/// A command run from the workspace root with the project's tools on PATH.
fn cmd(program: &str) -> Command {
    let mut c = Command::new(program);
    c.current_dir(root()).env("PATH", tools::path_with_tools());
    c
}

/// Runs a command to completion, echoing it, and fails if it fails.
fn run(mut c: Command) -> Result<()> {
    eprintln!("xtask$ {}", describe(&c));
    let status = c
        .status()
        .with_context(|| format!("could not start {}", describe(&c)))?;
    if !status.success() {
        bail!("{} failed with {status}", describe(&c));
    }
    Ok(())
}

/// Runs a command and returns its stdout, or `None` if it cannot run or fails.
fn output(mut c: Command) -> Option<String> {
    let out = c.output().ok()?;
    out.status
        .success()
        .then(|| String::from_utf8_lossy(&out.stdout).into_owned())
}

fn describe(c: &Command) -> String {
    let mut s = c.get_program().to_string_lossy().into_owned();
    for a in c.get_args() {
        s.push(' ');
        s.push_str(&a.to_string_lossy());
    }
    s
}
