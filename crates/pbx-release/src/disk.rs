//! The release on disk: which files are its artifacts, each inspected
//! fully, and all of them one project name and version.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use pbx_artifact::{
    inspect as inspect_artifact, sha256_file, ArtifactError, Inspection, Limits, Sha256,
};
use pbx_report::{Check, CheckSet, ExitStatus, Location, Problem};
use pbx_version::{normalize, PackageName, Version};
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
    /// The same as a problem (exit 2), for the report.
    #[serde(skip)]
    pub problem: Option<Problem>,
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
    /// 2 when an artifact could not be used, else 1 when a check failed,
    /// else 0.
    pub fn status(&self) -> ExitStatus {
        if self.artifacts.iter().any(|a| a.problem.is_some()) {
            ExitStatus::InputError
        } else {
            ExitStatus::from_ok(self.checks.all_ok())
        }
    }

    /// The first unusable artifact's problem, else one problem naming every
    /// failed check: why this is not a release that may be published.
    pub fn refusal(&self) -> Option<Problem> {
        if let Some(problem) = self.artifacts.iter().find_map(|a| a.problem.clone()) {
            return Some(problem);
        }
        let failed: Vec<&Check> = self.checks.iter().filter(|c| !c.ok).collect();
        let first = failed.first()?;
        let mut problem = Problem::input(
            failed
                .iter()
                .map(|c| format!("{}: {}", c.name, c.message))
                .collect::<Vec<_>>()
                .join("; "),
        )
        .hint("`pbx-checksum inspect` shows every check; rebuild the artifacts (`rm -rf dist && uv build`) and do not publish these files");
        if let Some(location) = first.location() {
            problem = problem.at(location.clone());
        }
        Some(problem)
    }
}

/// Inspects the artifacts named by `paths` ([`find`]) in parallel: each
/// against itself ([`pbx_artifact::inspect`]: RECORD, WHEEL, metadata,
/// hostile-archive limits), then all against one name and version and the
/// expectations.
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
    let artifacts: Vec<ArtifactReport> = files
        .par_iter()
        .map(|path| {
            let digest = match digests {
                Digests::Compute => Some(sha256_file(path)),
                Digests::Skip => None,
            };
            let inspected = inspect_artifact(path, limits);
            let digest_error = digest.as_ref().and_then(|d| d.as_ref().err());
            let error = digest_error.or(inspected.as_ref().err());
            let problem = error.map(artifact_problem);
            ArtifactReport {
                path: path.clone(),
                sha256: digest
                    .as_ref()
                    .and_then(|d| d.as_ref().ok())
                    .map(|d| d.sha256),
                size: digest
                    .as_ref()
                    .and_then(|d| d.as_ref().ok())
                    .map(|d| d.size),
                error: error.map(ToString::to_string),
                inspection: inspected.ok(),
                problem,
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
        if let Some(problem) = &artifact.problem {
            checks.push(
                Check::fail(format!("{filename}: archive"), problem.message.clone())
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
    let ok = checks.all_ok() && artifacts.iter().all(|a| a.problem.is_none());
    InspectReport {
        ok,
        name,
        version,
        artifacts,
        checks,
    }
}

/// One artifact of a release that passed inspection.
#[derive(Clone, Debug)]
pub struct LocalFile {
    /// The file.
    pub path: PathBuf,
    /// Its name.
    pub filename: String,
    /// Its SHA-256.
    pub sha256: Sha256,
    /// Its size in bytes.
    pub size: u64,
    /// What inspecting it found.
    pub inspection: Inspection,
}

/// The artifacts of one release, every one inspected and all of one
/// project name and version.
#[derive(Clone, Debug)]
pub struct LocalRelease {
    /// The project name (normalised).
    pub name: PackageName,
    /// The version.
    pub version: Version,
    /// The artifacts, sorted by path.
    pub files: Vec<LocalFile>,
}

impl LocalRelease {
    /// The local file named `filename`.
    pub fn file(&self, filename: &str) -> Option<&LocalFile> {
        self.files.iter().find(|f| f.filename == filename)
    }
}

/// Why the files are not one releasable release.
#[derive(Debug, thiserror::Error)]
pub enum ReleaseError {
    /// The files could not be found.
    #[error(transparent)]
    Find(#[from] FindError),
    /// Inspection refused them: the report says why.
    #[error("the artifacts did not pass inspection")]
    Refused(Box<InspectReport>),
}

/// The release the files at `paths` are, when every artifact passes the
/// same inspection as `pbx-checksum inspect` and all name one project and
/// version; the report otherwise.
pub fn read_release(
    paths: &[PathBuf],
    expect: &Expectations,
) -> Result<LocalRelease, ReleaseError> {
    let report = inspect(paths, expect)?;
    release_of(report)
}

/// The release an inspection report describes, when it passed.
pub fn release_of(report: InspectReport) -> Result<LocalRelease, ReleaseError> {
    if !report.ok {
        return Err(ReleaseError::Refused(Box::new(report)));
    }
    let mut files = Vec::with_capacity(report.artifacts.len());
    for artifact in &report.artifacts {
        let (Some(sha256), Some(size), Some(inspection)) =
            (artifact.sha256, artifact.size, artifact.inspection.clone())
        else {
            return Err(ReleaseError::Refused(Box::new(report)));
        };
        files.push(LocalFile {
            path: artifact.path.clone(),
            filename: inspection.filename.clone(),
            sha256,
            size,
            inspection,
        });
    }
    let Some(first) = files.first() else {
        return Err(ReleaseError::Refused(Box::new(report)));
    };
    let name = first.inspection.dist.name.clone();
    let version = first.inspection.dist.version.clone();
    Ok(LocalRelease {
        name,
        version,
        files,
    })
}

/// An unusable artifact as a problem: exit 2, naming the file.
pub fn artifact_problem(error: &ArtifactError) -> Problem {
    let (path, hint) = match error {
        ArtifactError::Unsafe { path, .. } => (
            Some(path),
            "the archive was only read, never extracted; rebuild it with a standard backend (`uv build`) and do not publish this file",
        ),
        ArtifactError::Archive { path, .. } => (
            Some(path),
            "rebuild the artifact (`rm -rf dist && uv build`); a damaged download should be fetched again",
        ),
        ArtifactError::Io { path, .. } => (Some(path), "check that the file exists and is readable"),
        ArtifactError::Filename { .. } => (
            None,
            "wheels are name-version-python-abi-platform.whl, sdists name-version.tar.gz",
        ),
    };
    let message = error.to_string();
    match path {
        Some(path) => {
            let prefix = format!("{}: ", path.display());
            let message = message.strip_prefix(&prefix).unwrap_or(&message);
            Problem::input(message).hint(hint).at(Location::file(path))
        }
        None => Problem::input(message).hint(hint),
    }
}

impl From<FindError> for Problem {
    fn from(error: FindError) -> Self {
        match &error {
            FindError::NotFound { path } => Problem::input("no such file or directory")
                .at(Location::file(path))
                .hint("check the path; artifacts are usually in dist/ after `uv build`"),
            FindError::NotAFile { path } => Problem::input("not a regular file")
                .at(Location::file(path))
                .hint("name the wheels and sdists (or the directory holding them)"),
            FindError::Read { path, source } => {
                Problem::input(format!("cannot read: {source}")).at(Location::file(path))
            }
            FindError::NoArtifacts { .. } => Problem::input(error.to_string())
                .hint("build them first (`uv build`), or name the files to use"),
        }
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
