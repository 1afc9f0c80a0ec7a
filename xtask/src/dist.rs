//! `cargo xtask dist`: the release build of the client into dist/.

use anyhow::Result;

use crate::{cmd, run};

/// Builds the client with Trunk in release mode; Trunk never downloads (Trunk.toml: offline).
pub(crate) fn build() -> Result<()> {
    let mut c = cmd("trunk");
    c.args(["build", "--release"]);
    run(c)
}
