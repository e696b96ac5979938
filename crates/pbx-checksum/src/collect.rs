//! Which files the commands work on.

use std::collections::BTreeSet;
use std::path::{Component, Path, PathBuf};

use crate::error::ChecksumError;

/// Whether a file name looks like a distribution artifact: a wheel or an
/// sdist (`.tar.gz`, or `.zip` as older indexes hold). Hidden files never
/// are (`uv build` leaves a `.gitignore` in `dist/`).
pub fn is_artifact_name(name: &str) -> bool {
    !name.starts_with('.')
        && (name.ends_with(".whl") || name.ends_with(".tar.gz") || name.ends_with(".zip"))
}

/// The artifacts named by `paths`: a file is taken as given, a directory
/// contributes the artifacts directly inside it. Sorted, without
/// duplicates. Errors when a path does not exist or nothing is found.
pub fn collect_artifacts(paths: &[PathBuf]) -> Result<Vec<PathBuf>, ChecksumError> {
    let mut found = BTreeSet::new();
    for path in paths {
        let meta = std::fs::metadata(path).map_err(|source| {
            if source.kind() == std::io::ErrorKind::NotFound {
                ChecksumError::NotFound { path: path.clone() }
            } else {
                ChecksumError::Read {
                    path: path.clone(),
                    source,
                }
            }
        })?;
        if meta.is_dir() {
            found.extend(artifacts_in(path)?);
        } else {
            found.insert(path.clone());
        }
    }
    if found.is_empty() {
        return Err(ChecksumError::NoArtifacts {
            paths: paths.to_vec(),
        });
    }
    Ok(found.into_iter().collect())
}

/// The artifact files directly inside `dir`, sorted.
pub fn artifacts_in(dir: &Path) -> Result<Vec<PathBuf>, ChecksumError> {
    let read_error = |source| ChecksumError::Read {
        path: dir.to_path_buf(),
        source,
    };
    let mut found = Vec::new();
    for entry in std::fs::read_dir(dir).map_err(read_error)? {
        let entry = entry.map_err(read_error)?;
        let name = entry.file_name();
        let Some(name) = name.to_str() else { continue };
        if !is_artifact_name(name) {
            continue;
        }
        // Follow symlinks: a linked artifact is still an artifact.
        if std::fs::metadata(entry.path()).is_ok_and(|m| m.is_file()) {
            found.push(dir.join(name));
        }
    }
    found.sort();
    Ok(found)
}

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
    fn artifact_names() {
        for name in ["a-1.0-py3-none-any.whl", "a-1.0.tar.gz", "a-1.0.zip"] {
            assert!(is_artifact_name(name), "{name}");
        }
        for name in [".gitignore", "SHA256SUMS", ".a.whl", "a.txt"] {
            assert!(!is_artifact_name(name), "{name}");
        }
    }

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
