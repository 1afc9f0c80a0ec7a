//! `cargo xtask serve`: build everything and run one server with the demo organisation.

use anyhow::Result;

use crate::{cmd, dist, tools};

/// Builds the client and the server (release) and runs the server in the foreground.
pub(crate) fn main(args: &[String]) -> Result<()> {
    tools::ensure_build_tools()?;
    dist::build()?;
    let mut server_args = vec![
        "--db".to_string(),
        ".revisit/revisit.sqlite".into(),
        "--dist".into(),
        "dist".into(),
    ];
    if !args.iter().any(|a| a == "--no-demo") {
        server_args.push("--demo".into());
    }
    if let Some(i) = args.iter().position(|a| a == "--addr") {
        server_args.push("--addr".into());
        server_args.extend(args.get(i + 1).cloned());
    }
    let mut c = cmd("cargo");
    c.args(["run", "--release", "-p", "revisit-server", "--"])
        .args(server_args);
    crate::run(c)
}
