//! `cargo xtask dist`: the release build of the client into dist/, each asset precompressed
//! beside it.

use std::{
    io::Write,
    path::{Path, PathBuf},
};

use anyhow::{Context, Result};

use crate::{cmd, root, run};

/// Builds both apps with Trunk in release mode (Trunk never downloads: Trunk.toml's
/// `offline`): the field app into dist/, then the desk into dist/desk/ (in that order: a
/// Trunk build empties its own dist folder), then precompresses what they wrote.
pub(crate) fn build() -> Result<()> {
    let mut field = cmd("trunk");
    field
        .args(["build", "--release"])
        .env("REVISIT_PUBLIC_URL", "/");
    run(field)?;
    let mut desk = cmd("trunk");
    desk.args([
        "build",
        "desk/index.html",
        "--release",
        "--dist",
        "dist/desk",
        "--public-url",
        "/desk/",
    ])
    .env("REVISIT_PUBLIC_URL", "/desk/");
    run(desk)?;
    let dist = root().join("dist");
    let sizes = precompress(&dist)?;
    eprintln!(
        "xtask: precompressed {} files of {}: {} bytes, brotli {}, gzip {}",
        sizes.files,
        dist.display(),
        sizes.raw,
        sizes.brotli,
        sizes.gzip
    );
    Ok(())
}

/// What [`precompress`] did.
#[derive(Debug, Default, PartialEq, Eq)]
pub(crate) struct Sizes {
    pub(crate) files: usize,
    pub(crate) raw: u64,
    pub(crate) brotli: u64,
    pub(crate) gzip: u64,
}

/// File types worth compressing (images and fonts are compressed already).
const COMPRESSIBLE: &[&str] = &[
    "html",
    "js",
    "mjs",
    "css",
    "wasm",
    "json",
    "webmanifest",
    "svg",
    "txt",
    "map",
    "ico",
    "xml",
];

/// Writes `NAME.br` (brotli at its best, quality 11) and `NAME.gz` (gzip at its best) beside
/// each compressible file under `dir`, each only when smaller than the file: the server sends
/// them to browsers that accept them, and compresses nothing at run time.
pub(crate) fn precompress(dir: &Path) -> Result<Sizes> {
    let mut sizes = Sizes::default();
    for path in files_under(dir)? {
        let ext = path
            .extension()
            .and_then(|e| e.to_str())
            .unwrap_or_default();
        if !COMPRESSIBLE.contains(&ext) {
            continue;
        }
        let bytes = std::fs::read(&path).with_context(|| format!("reading {}", path.display()))?;
        let br = brotli(&bytes)?;
        let gz = gzip(&bytes)?;
        sizes.files += 1;
        sizes.raw += bytes.len() as u64;
        sizes.brotli += br.len().min(bytes.len()) as u64;
        sizes.gzip += gz.len().min(bytes.len()) as u64;
        for (suffix, compressed) in [("br", br), ("gz", gz)] {
            let beside = PathBuf::from(format!("{}.{suffix}", path.display()));
            if compressed.len() < bytes.len() {
                std::fs::write(&beside, compressed)
                    .with_context(|| format!("writing {}", beside.display()))?;
            } else if beside.exists() {
                std::fs::remove_file(&beside)?;
            }
        }
    }
    Ok(sizes)
}

/// Every file under `dir`, in its sub-folders too (the desk app is in `dist/desk/`).
fn files_under(dir: &Path) -> Result<Vec<PathBuf>> {
    let mut files = Vec::new();
    let mut folders = vec![dir.to_path_buf()];
    while let Some(folder) = folders.pop() {
        for entry in
            std::fs::read_dir(&folder).with_context(|| format!("reading {}", folder.display()))?
        {
            let entry = entry?;
            if entry.file_type()?.is_dir() {
                folders.push(entry.path());
            } else {
                files.push(entry.path());
            }
        }
    }
    files.sort();
    Ok(files)
}

fn brotli(bytes: &[u8]) -> Result<Vec<u8>> {
    let mut out = Vec::new();
    {
        // Quality 11, a 4 MiB window (22 bits): what every browser decodes.
        let mut w = brotli::CompressorWriter::new(&mut out, 64 * 1024, 11, 22);
        w.write_all(bytes)?;
    }
    Ok(out)
}

fn gzip(bytes: &[u8]) -> Result<Vec<u8>> {
    let mut w = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::best());
    w.write_all(bytes)?;
    Ok(w.finish()?)
}

#[cfg(test)]
mod tests {
    use std::io::Read;

    use super::*;

    #[test]
    fn compressible_files_get_a_smaller_brotli_and_gzip_copy_that_unpacks_to_them() {
        let dir = std::env::temp_dir().join(format!("xtask-precompress-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(dir.join("desk")).unwrap();
        let page = "<!doctype html><title>回访</title>".repeat(50);
        let wasm: Vec<u8> = (0..20_000u32).flat_map(|i| (i % 7).to_le_bytes()).collect();
        std::fs::write(dir.join("index.html"), &page).unwrap();
        std::fs::write(dir.join("app-0123456789abcdef_bg.wasm"), &wasm).unwrap();
        std::fs::write(dir.join("desk/index.html"), &page).unwrap();
        std::fs::write(dir.join("icon.png"), vec![7u8; 5000]).unwrap();
        // Too small to gain: no copy, and a stale one from an earlier build goes.
        std::fs::write(dir.join("tiny.js"), "x").unwrap();
        std::fs::write(dir.join("tiny.js.br"), "stale").unwrap();

        let sizes = precompress(&dir).unwrap();
        assert_eq!(sizes.files, 4);
        assert!(
            sizes.brotli < sizes.raw / 10 && sizes.gzip < sizes.raw / 5,
            "{sizes:?}"
        );
        for name in [
            "index.html",
            "app-0123456789abcdef_bg.wasm",
            "desk/index.html",
        ] {
            let original = std::fs::read(dir.join(name)).unwrap();
            let mut unpacked = Vec::new();
            brotli::Decompressor::new(
                std::fs::File::open(dir.join(format!("{name}.br"))).unwrap(),
                4096,
            )
            .read_to_end(&mut unpacked)
            .unwrap();
            assert_eq!(unpacked, original, "{name}.br");
            let mut unpacked = Vec::new();
            flate2::read::GzDecoder::new(
                std::fs::File::open(dir.join(format!("{name}.gz"))).unwrap(),
            )
            .read_to_end(&mut unpacked)
            .unwrap();
            assert_eq!(unpacked, original, "{name}.gz");
        }
        for absent in ["icon.png.br", "icon.png.gz", "tiny.js.br", "tiny.js.gz"] {
            assert!(!dir.join(absent).exists(), "{absent}");
        }
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
