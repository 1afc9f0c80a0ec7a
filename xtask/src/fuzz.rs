//! `cargo xtask fuzz [--count N] [--seed S]`: every sync wire type decoded and validated over
//! generated inputs (a million by default), in release; fails on any panic or broken property.
//! The generator and the checks are `crates/domain/examples/wire_fuzz.rs`.

use anyhow::Result;

use crate::{cmd, run};

/// Builds the fuzzer in release and runs it with `args` (its count and seed).
pub(crate) fn main(args: &[String]) -> Result<()> {
    let mut c = cmd("cargo");
    c.args([
        "run",
        "--release",
        "-p",
        "revisit-domain",
        "--example",
        "wire_fuzz",
        "--",
    ])
    .args(args);
    run(c)
}
