//! Tidy checks run by `cargo test`: rules of the house that no compiler enforces.

#[cfg(test)]
mod tests {
    use std::path::{Path, PathBuf};

    use crate::root;

    /// Every tracked Rust source file, skipping build output and installed tools.
    fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
        let Ok(entries) = std::fs::read_dir(dir) else {
            return;
        };
        for entry in entries.flatten() {
            let path = entry.path();
            let name = entry.file_name().to_string_lossy().into_owned();
            if path.is_dir() {
                if !(name.starts_with("target")
                    || name.starts_with('.')
                    || name == "node_modules"
                    || name == "dist")
                {
                    rust_files(&path, out);
                }
            } else if name.ends_with(".rs") {
                out.push(path);
            }
        }
    }

    fn all_files() -> Vec<PathBuf> {
        let mut files = Vec::new();
        rust_files(&root(), &mut files);
        assert!(
            files.len() > 10,
            "found only {} Rust files under {}",
            files.len(),
            root().display()
        );
        files
    }

    #[test]
    fn every_rust_file_says_what_it_is_for() {
        let missing: Vec<_> = all_files()
            .into_iter()
            .filter(|f| {
                let text = std::fs::read_to_string(f).unwrap_or_default();
                !text.lines().take(3).any(|l| l.starts_with("//!"))
            })
            .collect();
        assert!(
            missing.is_empty(),
            "files without a leading //! line: {missing:?}"
        );
    }

    #[test]
    fn no_stubs_left_behind() {
        let stub = ["todo", "!("].concat();
        let unimpl = ["unimplemented", "!("].concat();
        let offenders: Vec<_> = all_files()
            .into_iter()
            .filter(|f| {
                let text = std::fs::read_to_string(f).unwrap_or_default();
                text.contains(&stub) || text.contains(&unimpl)
            })
            .collect();
        assert!(offenders.is_empty(), "stubs in: {offenders:?}");
    }

    #[test]
    fn no_mod_rs_files() {
        let offenders: Vec<_> = all_files()
            .into_iter()
            .filter(|f| f.ends_with("mod.rs"))
            .collect();
        assert!(
            offenders.is_empty(),
            "use foo.rs + foo/ instead of: {offenders:?}"
        );
    }
}
