//! The release on disk: which files are its artifacts, each inspected
//! fully, and all of them one project name and version.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use pbx_artifact::{inspect as inspect_artifact, ArtifactError, Inspection, Limits, Sha256};
use pbx_report::{Check, CheckSet, Location};
use pbx_version::{normalize, Version};
use rayon::prelude::*;
use serde::Serialize;

/// Why the artifacts could not be found.
#[derive(Debug, thiserror::Error)]
pub enum FindError {
    /// A path given does not exist (or is a broken symlink).
    #[error("{}: no such file or directory", path.display())]
    NotFound {
        /// The path.
        path: PathBuf,
    },
    /// A path given, or an artifact-named entry of a directory, is neither
    /// a regular file nor a directory (a FIFO, a device).
    #[error("{}: not a regular file", path.display())]
    NotAFile {
        /// The path.
        path: PathBuf,
    },
    /// A file or directory cannot be read.
    #[error("{}: cannot read: {source}", path.display())]
    Read {
        /// The path.
        path: PathBuf,
        /// The I/O error.
        source: std::io::Error,
    },
    /// Nothing that looks like an artifact was found.
    #[error("no artifacts (.whl, .tar.gz, .zip) in {}", paths.iter().map(|p| p.display().to_string()).collect::<Vec<_>>().join(", "))]
    NoArtifacts {
        /// The paths searched.
        paths: Vec<PathBuf>,
    },
}

/// Whether a file name is an artifact of a release: a wheel (`.whl`) or an
/// sdist (`.tar.gz`, or `.zip` as older releases have), with the extension
/// in lower case as every installer expects. Hidden files never are
/// (`uv build` leaves a `.gitignore` in `dist/`).
pub fn is_artifact_name(name: &str) -> bool {
    !name.starts_with('.')
        && (name.ends_with(".whl") || name.ends_with(".tar.gz") || name.ends_with(".zip"))
}

/// The artifacts named by `paths`: a file is taken as given (whatever its
/// name: naming it is asking for it), a directory contributes the artifacts
/// directly inside it ([`is_artifact_name`]). Symlinks are followed: a
/// linked artifact is an artifact; a broken one is an error, never skipped.
/// Sorted, without duplicates. An error when a path does not exist, is not
/// a regular file or directory, or nothing is found.
pub fn find(paths: &[PathBuf]) -> Result<Vec<PathBuf>, FindError> {
    let mut found = BTreeSet::new();
    for path in paths {
        let meta = metadata(path)?;
        if meta.is_dir() {
            found.extend(artifacts_in(path)?);
        } else if meta.is_file() {
            found.insert(path.clone());
        } else {
            return Err(FindError::NotAFile { path: path.clone() });
        }
    }
    if found.is_empty() {
        return Err(FindError::NoArtifacts {
            paths: paths.to_vec(),
        });
    }
    Ok(found.into_iter().collect())
}

/// The artifacts directly inside `dir` ([`is_artifact_name`]), sorted.
/// Possibly none.
pub fn artifacts_in(dir: &Path) -> Result<Vec<PathBuf>, FindError> {
    let read_error = |source| FindError::Read {
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
        let path = dir.join(name);
        let meta = metadata(&path)?;
        if !meta.is_file() {
            return Err(FindError::NotAFile { path });
        }
        found.push(path);
    }
    found.sort();
    Ok(found)
}

fn metadata(path: &Path) -> Result<std::fs::Metadata, FindError> {
    std::fs::metadata(path).map_err(|source| {
        if source.kind() == std::io::ErrorKind::NotFound {
            FindError::NotFound {
                path: path.to_path_buf(),
            }
        } else {
            FindError::Read {
                path: path.to_path_buf(),
                source,
            }
        }
    })
}

/// What the artifacts must name (`--expect-name`, `--expect-version`).
#[derive(Clone, Debug, Default)]
pub struct Expectations {
    /// The project name (compared after PEP 503 normalisation).
    pub name: Option<String>,
    /// The version (compared as PEP 440 versions).
    pub version: Option<Version>,
}

/// One artifact's outcome.
#[derive(Clone, Debug, Serialize)]
pub struct ArtifactReport {
    /// The artifact as given.
    pub path: PathBuf,
    /// Its SHA-256, when it could be read.
    pub sha256: Option<Sha256>,
    /// Its size in bytes.
    pub size: Option<u64>,
    /// What inspecting it found, when it could be read safely.
    pub inspection: Option<Inspection>,
    /// Why it could not be used (hostile, damaged, unreadable).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
    /// The same, as the error.
    #[serde(skip)]
    pub failure: Option<Arc<ArtifactError>>,
}

/// Everything known about the artifacts of one release.
#[derive(Clone, Debug, Serialize)]
pub struct InspectReport {
    /// Whether every check passed and every artifact was readable.
    pub ok: bool,
    /// The one project name, when the artifacts agree on it.
    pub name: Option<String>,
    /// The one version (canonical), when the artifacts agree on it.
    pub version: Option<String>,
    /// Every artifact, sorted by path.
    pub artifacts: Vec<ArtifactReport>,
    /// Every check, per artifact and across them.
    pub checks: CheckSet,
}

impl InspectReport {
    /// The first artifact that could not be used at all, and why.
    pub fn unusable(&self) -> Option<(&Path, &ArtifactError)> {
        self.artifacts
            .iter()
            .find_map(|a| a.failure.as_deref().map(|f| (a.path.as_path(), f)))
    }

    /// Every check that failed.
    pub fn failed(&self) -> Vec<&Check> {
        self.checks.iter().filter(|c| !c.ok).collect()
    }
}

/// Inspects the artifacts named by `paths` ([`find`]) in parallel: each
/// against itself ([`pbx_artifact::inspect`]: RECORD, WHEEL, metadata,
/// hostile-archive limits, and what the public index would refuse), then
/// all against one name and version and the expectations.
pub fn inspect(paths: &[PathBuf], expect: &Expectations) -> Result<InspectReport, FindError> {
    let artifacts = find(paths)?;
    Ok(inspect_files(
        &artifacts,
        expect,
        &Limits::default(),
        Digests::Compute,
    ))
}

/// Whether [`inspect_files`] hashes each whole file too.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Digests {
    /// Compute each file's SHA-256 and size.
    Compute,
    /// The caller hashes the files itself (pbx-upload, while it reads them
    /// for the upload form): only the archive is inspected.
    Skip,
}

/// [`inspect`] of files already found, with these limits.
pub fn inspect_files(
    files: &[PathBuf],
    expect: &Expectations,
    limits: &Limits,
    digests: Digests,
) -> InspectReport {
    inspect_files_with(files, expect, limits, digests, &pbx_artifact::NoProgress)
}

/// [`inspect_files`], telling `progress` how the hashing of the whole files
/// goes (with [`Digests::Compute`]).
pub fn inspect_files_with(
    files: &[PathBuf],
    expect: &Expectations,
    limits: &Limits,
    digests: Digests,
    progress: &dyn pbx_artifact::HashProgress,
) -> InspectReport {
    if digests == Digests::Compute {
        progress.start(pbx_artifact::total_size(files));
    }
    let artifacts: Vec<ArtifactReport> = files
        .par_iter()
        .map(|path| {
            let digest = match digests {
                Digests::Compute => match pbx_artifact::sha256_file_with(path, progress) {
                    Ok(d) => Some(d),
                    Err(e) => return unusable(path, e),
                },
                Digests::Skip => None,
            };
            match inspect_artifact(path, limits) {
                Ok(inspection) => ArtifactReport {
                    path: path.clone(),
                    sha256: digest.as_ref().map(|d| d.sha256),
                    size: digest.as_ref().map(|d| d.size),
                    inspection: Some(inspection),
                    error: None,
                    failure: None,
                },
                Err(e) => unusable(path, e),
            }
        })
        .collect();

    let mut checks = CheckSet::default();
    for artifact in &artifacts {
        let filename = artifact
            .path
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        let location = Location::file(&artifact.path);
        if let Some(error) = &artifact.error {
            let prefix = format!("{}: ", artifact.path.display());
            let message = error.strip_prefix(&prefix).unwrap_or(error);
            checks.push(
                Check::fail(format!("{filename}: archive"), message.to_string())
                    .at(Some(&location)),
            );
            continue;
        }
        if let Some(inspection) = &artifact.inspection {
            for finding in &inspection.findings {
                let check = Check::new(
                    format!("{filename}: {}", finding.check),
                    finding.ok,
                    finding.message.clone(),
                );
                // Failures point at the artifact (an annotation on it).
                checks.push(if finding.ok {
                    check
                } else {
                    check.at(Some(&location))
                });
            }
        }
    }

    let inspected: Vec<&Inspection> = artifacts
        .iter()
        .filter_map(|a| a.inspection.as_ref())
        .collect();
    let releases: BTreeSet<(String, String)> = inspected
        .iter()
        .map(|i| (i.name.clone(), i.version.clone()))
        .collect();
    let (name, version) = match releases.iter().collect::<Vec<_>>().as_slice() {
        [(name, version)] => (Some(name.clone()), Some(version.clone())),
        _ => (None, None),
    };
    if inspected.len() > 1 || releases.len() > 1 {
        checks.push(match (&name, &version) {
            (Some(name), Some(version)) => Check::pass(
                "same-release",
                format!(
                    "all {} inspected artifacts are {name} {version}",
                    inspected.len()
                ),
            ),
            _ => Check::fail(
                "same-release",
                format!(
                    "the artifacts are not one release: {}",
                    releases
                        .iter()
                        .map(|(n, v)| {
                            let files: Vec<&str> = inspected
                                .iter()
                                .filter(|i| &i.name == n && &i.version == v)
                                .map(|i| i.filename.as_str())
                                .collect();
                            format!("{n} {v} ({})", files.join(", "))
                        })
                        .collect::<Vec<_>>()
                        .join("; ")
                ),
            ),
        });
    }
    if let Some(expected) = &expect.name {
        let wanted = normalize(expected);
        let wrong: Vec<&str> = inspected
            .iter()
            .filter(|i| i.name != wanted)
            .map(|i| i.filename.as_str())
            .collect();
        checks.push(if wrong.is_empty() {
            Check::pass("expect-name", format!("every artifact is {wanted}"))
        } else {
            Check::fail(
                "expect-name",
                format!("expected {wanted}, but not in: {}", wrong.join(", ")),
            )
        });
    }
    if let Some(expected) = &expect.version {
        let wrong: Vec<String> = inspected
            .iter()
            .filter(|i| &i.dist.version != expected)
            .map(|i| format!("{} ({})", i.filename, i.version))
            .collect();
        checks.push(if wrong.is_empty() {
            Check::pass(
                "expect-version",
                format!("every artifact is version {}", expected.canonical()),
            )
        } else {
            Check::fail(
                "expect-version",
                format!(
                    "expected version {}, but found: {}",
                    expected.canonical(),
                    wrong.join(", ")
                ),
            )
        });
    }
    let ok = checks.all_ok() && artifacts.iter().all(|a| a.failure.is_none());
    InspectReport {
        ok,
        name,
        version,
        artifacts,
        checks,
    }
}

/// The report of an artifact that could not be used at all.
fn unusable(path: &Path, error: ArtifactError) -> ArtifactReport {
    ArtifactReport {
        path: path.to_path_buf(),
        sha256: None,
        size: None,
        inspection: None,
        error: Some(error.to_string()),
        failure: Some(Arc::new(error)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn artifact_names() {
        for name in ["a-1.0-py3-none-any.whl", "a-1.0.tar.gz", "a-1.0.zip"] {
            assert!(is_artifact_name(name), "{name}");
        }
        for name in [".gitignore", "SHA256SUMS", ".a.whl", "a.txt", "a-1.0.WHL"] {
            assert!(!is_artifact_name(name), "{name}");
        }
    }

    #[test]
    fn one_rule_for_directories_links_and_hidden_files() {
        let dir = tempfile::tempdir().unwrap();
        let d = dir.path();
        std::fs::write(d.join("a-1.0.tar.gz"), b"x").unwrap();
        std::fs::write(d.join(".hidden-1.0.tar.gz"), b"x").unwrap();
        std::fs::write(d.join("notes.txt"), b"x").unwrap();
        std::fs::create_dir(d.join("sub")).unwrap();
        std::fs::write(d.join("sub/b-1.0.zip"), b"x").unwrap();
        #[cfg(unix)]
        std::os::unix::fs::symlink(d.join("sub/b-1.0.zip"), d.join("b-1.0.zip")).unwrap();
        let found = find(&[d.to_path_buf()]).unwrap();
        let names: Vec<_> = found
            .iter()
            .map(|p| p.file_name().unwrap().to_str().unwrap())
            .collect();
        #[cfg(unix)]
        assert_eq!(names, ["a-1.0.tar.gz", "b-1.0.zip"]);
        #[cfg(unix)]
        {
            std::os::unix::fs::symlink(d.join("gone"), d.join("c-1.0.tar.gz")).unwrap();
            assert!(matches!(
                find(&[d.to_path_buf()]),
                Err(FindError::NotFound { .. })
            ));
        }
        assert!(matches!(
            find(&[d.join("sub/none")]),
            Err(FindError::NotFound { .. })
        ));
        let empty = tempfile::tempdir().unwrap();
        assert!(matches!(
            find(&[empty.path().to_path_buf()]),
            Err(FindError::NoArtifacts { .. })
        ));
    }
}
