//! Which files the commands work on.

use std::path::{Component, Path};

use crate::error::ChecksumError;

pub use pbx_release::disk::{artifacts_in, find as collect_artifacts, is_artifact_name};

/// `target` relative to the directory `base`, `/`-separated, as a manifest
/// names it. Both are made absolute first; `..` is used when `target` is
/// not under `base`.
pub fn relative_name(base: &Path, target: &Path) -> Result<String, ChecksumError> {
    let absolute = |path: &Path| {
        std::fs::canonicalize(path).map_err(|source| ChecksumError::Read {
            path: path.to_path_buf(),
            source,
        })
    };
    let base = absolute(base)?;
    // Keep the file's own name (it may be a symlink); resolve its directory.
    let parent = match target.parent() {
        Some(p) if !p.as_os_str().is_empty() => p,
        _ => Path::new("."),
    };
    let file_name = target.file_name().ok_or_else(|| ChecksumError::NotFound {
        path: target.to_path_buf(),
    })?;
    let target = absolute(parent)?.join(file_name);
    let base_parts: Vec<Component> = base.components().collect();
    let target_parts: Vec<Component> = target.components().collect();
    let common = base_parts
        .iter()
        .zip(&target_parts)
        .take_while(|(a, b)| a == b)
        .count();
    let mut parts: Vec<String> = vec!["..".to_string(); base_parts.len() - common];
    for part in &target_parts[common..] {
        parts.push(part.as_os_str().to_string_lossy().into_owned());
    }
    Ok(parts.join("/"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn relative_names() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir_all(dir.path().join("dist/sub")).unwrap();
        std::fs::create_dir_all(dir.path().join("other")).unwrap();
        let dist = dir.path().join("dist");
        assert_eq!(relative_name(&dist, &dist.join("a.whl")).unwrap(), "a.whl");
        assert_eq!(
            relative_name(&dist, &dist.join("sub/b.whl")).unwrap(),
            "sub/b.whl"
        );
        assert_eq!(
            relative_name(&dist, &dir.path().join("other/c.whl")).unwrap(),
            "../other/c.whl"
        );
    }
}
