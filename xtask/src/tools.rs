//! Installs the build and test tools at the versions verified in toolchain.md, skipping what is there.

use std::path::PathBuf;

use anyhow::Result;

use crate::{cmd, output, root, run};

const TRUNK: &str = "0.21.14";
/// Must equal the `wasm-bindgen` version pinned in Cargo.toml (and so in Cargo.lock).
const WASM_BINDGEN: &str = "0.2.130";
const BINARYEN: &str = "132";
/// Lighthouse's major version, for `cargo xtask bench lighthouse` only.
const LIGHTHOUSE: &str = "12";
/// The browser the wasm and end-to-end tests drive.
pub(crate) const CHROMIUM: &str = "/usr/bin/chromium";
/// Its WebDriver.
pub(crate) const CHROMEDRIVER: &str = "/usr/bin/chromedriver";
/// What Chromium needs headless as root, without flooding the closed network (toolchain.md).
pub(crate) const CHROMIUM_FLAGS: &[&str] = &[
    "--headless=new",
    "--no-sandbox",
    "--disable-gpu",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
];

/// Where project-local tools (wasm-opt from npm) live; ignored by git.
fn tools_dir() -> PathBuf {
    root().join(".tools")
}

fn cargo_bin() -> PathBuf {
    std::env::var_os("CARGO_HOME")
        .map(PathBuf::from)
        .or_else(|| std::env::var_os("HOME").map(|h| PathBuf::from(h).join(".cargo")))
        .unwrap_or_else(|| PathBuf::from("/root/.cargo"))
        .join("bin")
}

/// PATH with cargo's bin folder and the project's node tools in front.
pub(crate) fn path_with_tools() -> String {
    let mut parts = vec![cargo_bin(), tools_dir().join("node_modules/.bin")];
    if let Some(path) = std::env::var_os("PATH") {
        parts.extend(std::env::split_paths(&path));
    }
    std::env::join_paths(parts)
        .expect("PATH entries are valid")
        .to_string_lossy()
        .into_owned()
}

fn version_of(program: &str, arg: &str) -> Option<String> {
    let mut c = cmd(program);
    c.arg(arg);
    output(c)
}

/// wasm32 target, Trunk, the wasm-bindgen CLI (with its test runner) and wasm-opt.
pub(crate) fn ensure_build_tools() -> Result<()> {
    let targets = output({
        let mut c = cmd("rustup");
        c.args(["target", "list", "--installed"]);
        c
    })
    .unwrap_or_default();
    if !targets
        .lines()
        .any(|t| t.trim() == "wasm32-unknown-unknown")
    {
        let mut c = cmd("rustup");
        c.args(["target", "add", "wasm32-unknown-unknown"]);
        run(c)?;
    }
    if !version_of("trunk", "--version").is_some_and(|v| v.contains(TRUNK)) {
        eprintln!("xtask: installing Trunk {TRUNK} (about 8 minutes on 2 cores)");
        let mut c = cmd("cargo");
        c.args(["install", "trunk", "--version", TRUNK, "--locked"]);
        run(c)?;
    }
    if !version_of("wasm-bindgen", "--version").is_some_and(|v| v.contains(WASM_BINDGEN)) {
        eprintln!("xtask: installing wasm-bindgen-cli {WASM_BINDGEN} (about 4 minutes)");
        // Not --locked: its lock file pins a crate version the registry here does not serve.
        let mut c = cmd("cargo");
        c.args(["install", "wasm-bindgen-cli", "--version", WASM_BINDGEN]);
        run(c)?;
    }
    if !version_of("wasm-opt", "--version")
        .is_some_and(|v| v.contains(&format!("version {BINARYEN}")))
    {
        std::fs::create_dir_all(tools_dir())?;
        let mut c = cmd("npm");
        c.args(["install", "--no-audit", "--no-fund", "--prefix"])
            .arg(tools_dir())
            .arg(format!("binaryen@{BINARYEN}"));
        run(c)?;
    }
    Ok(())
}

/// Chromium, its driver, a CJK font for screenshots and brotli for the bundle figure.
pub(crate) fn ensure_browser() -> Result<()> {
    let have = |p: &str| std::path::Path::new(p).exists();
    let font = have("/usr/share/fonts/truetype/wqy/wqy-microhei.ttc");
    if have(CHROMIUM) && have(CHROMEDRIVER) && have("/usr/bin/brotli") && font {
        return Ok(());
    }
    eprintln!("xtask: installing Chromium, chromedriver, a CJK font and brotli from Debian");
    let mut update = cmd("apt-get");
    update.arg("update");
    run(update)?;
    let mut install = cmd("apt-get");
    install.env("DEBIAN_FRONTEND", "noninteractive").args([
        "install",
        "-y",
        "--no-install-recommends",
        "chromium",
        "chromium-driver",
        "fonts-wqy-microhei",
        "brotli",
    ]);
    run(install)
}

/// Lighthouse from npm in `.tools/` (installed if missing); returns its command.
pub(crate) fn ensure_lighthouse() -> Result<PathBuf> {
    let bin = tools_dir().join("node_modules/.bin/lighthouse");
    let installed = version_of(&bin.to_string_lossy(), "--version")
        .is_some_and(|v| v.trim().starts_with(&format!("{LIGHTHOUSE}.")));
    if !installed {
        std::fs::create_dir_all(tools_dir())?;
        let mut c = cmd("npm");
        c.args(["install", "--no-audit", "--no-fund", "--prefix"])
            .arg(tools_dir())
            .arg(format!("lighthouse@{LIGHTHOUSE}"));
        run(c)?;
    }
    Ok(bin)
}
