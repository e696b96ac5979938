//! `--dist DIR`: the locally built artifacts of the version, their sha256
//! (the hashes the install is pinned to) and the wheel's Requires-Python.

use std::path::{Path, PathBuf};

use pbx_artifact::{DistFilename, DistKind};
use pbx_version::{PackageName, Version};

/// One local artifact of the version.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LocalArtifact {
    /// The file.
    pub path: PathBuf,
    /// Its filename.
    pub filename: String,
    /// Wheel or sdist.
    pub kind: DistKind,
    /// Lowercase hex SHA-256 of its bytes.
    pub sha256: String,
}

/// `--dist` that cannot be used: always the user's to fix (exit 2).
#[derive(Debug, thiserror::Error)]
pub enum DistError {
    /// Nothing of the version is there.
    #[error("{}: no wheel or sdist of {name} {version} (found: {found})", path.display())]
    Nothing {
        /// The directory.
        path: PathBuf,
        /// The package.
        name: String,
        /// The version.
        version: String,
        /// What the directory holds.
        found: String,
    },
    /// The directory or an artifact in it cannot be read.
    #[error(transparent)]
    Find(#[from] pbx_release::disk::FindError),
    /// An artifact cannot be read (or its wheel METADATA).
    #[error(transparent)]
    Artifact(#[from] pbx_artifact::ArtifactError),
}

/// The artifacts of `name` `version` in `dir`, sorted by filename.
pub fn read_dist(
    dir: &Path,
    name: &PackageName,
    version: &Version,
) -> Result<Vec<LocalArtifact>, DistError> {
    // The one rule for which files in a directory are artifacts (hidden
    // files never, symlinks followed, a broken one an error).
    let artifacts = pbx_release::disk::artifacts_in(dir)?;
    let mut found = Vec::new();
    let mut out = Vec::new();
    for path in artifacts {
        let filename = path
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        found.push(filename.clone());
        let Ok(dist) = DistFilename::parse(&filename) else {
            continue;
        };
        if &dist.name != name || &dist.version != version {
            continue;
        }
        out.push(LocalArtifact {
            sha256: pbx_artifact::sha256_file(&path)?.sha256.hex(),
            path,
            filename,
            kind: dist.kind,
        });
    }
    if out.is_empty() {
        found.sort();
        return Err(DistError::Nothing {
            path: dir.to_path_buf(),
            name: name.to_string(),
            version: version.canonical(),
            found: if found.is_empty() {
                "nothing".to_string()
            } else {
                found.join(", ")
            },
        });
    }
    out.sort_by(|a, b| a.filename.cmp(&b.filename));
    Ok(out)
}

/// The `Requires-Python` of the first local wheel, if any.
pub fn local_requires_python(artifacts: &[LocalArtifact]) -> Result<Option<String>, DistError> {
    let Some(wheel) = artifacts.iter().find(|a| a.kind == DistKind::Wheel) else {
        return Ok(None);
    };
    let (_, metadata) = pbx_artifact::read_wheel_metadata(&wheel.path)?;
    Ok(metadata
        .get("Requires-Python")
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(str::to_string))
}

/// The hash-pinned requirements file line: `name==version --hash=sha256:…`
/// for every local artifact.
pub fn pinned_requirement(
    name: &PackageName,
    version: &Version,
    artifacts: &[LocalArtifact],
) -> String {
    let mut line = format!("{}=={}", name, version.canonical());
    for artifact in artifacts {
        line.push_str(&format!(" --hash=sha256:{}", artifact.sha256));
    }
    line.push('\n');
    line
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_the_versions_artifacts_are_picked_and_hashed() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("demo-1.0.tar.gz"), b"abc").unwrap();
        std::fs::write(dir.path().join("demo-1.1.tar.gz"), b"x").unwrap();
        std::fs::write(dir.path().join("other-1.0.tar.gz"), b"x").unwrap();
        std::fs::write(dir.path().join("README"), b"x").unwrap();
        let name = PackageName::new("Demo").unwrap();
        let version = Version::parse("1.0.0").unwrap();
        let found = read_dist(dir.path(), &name, &version).unwrap();
        assert_eq!(found.len(), 1);
        assert_eq!(
            found[0].sha256,
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        );
        assert_eq!(
            pinned_requirement(&name, &version, &found),
            "demo==1.0.0 --hash=sha256:ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad\n"
        );
        let err = read_dist(dir.path(), &name, &Version::parse("2.0").unwrap()).unwrap_err();
        assert!(
            err.to_string().contains("no wheel or sdist of demo 2.0"),
            "{err}"
        );
    }
}
