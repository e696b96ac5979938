//! `pbx-checksum verify`: a manifest against the files next to it.

use std::collections::HashSet;
use std::io::ErrorKind;
use std::path::{Path, PathBuf};

use pbx_artifact::{sha256_files_with, ArtifactError, Sha256};
use serde::Serialize;

use crate::collect::artifacts_in;
use crate::error::ChecksumError;
use crate::manifest::parse_manifest;

/// What became of one file.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Status {
    /// Present with the listed digest.
    Ok,
    /// Present with another digest.
    Changed,
    /// Listed but not there.
    Missing,
    /// Listed but cannot be read.
    Unreadable,
    /// An artifact in the manifest's directory that the manifest does not
    /// list.
    Unlisted,
}

/// One file's outcome.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Verified {
    /// The name as the manifest lists it (or as found, when unlisted).
    pub name: String,
    /// The outcome.
    pub status: Status,
    /// The listed digest.
    pub expected: Option<Sha256>,
    /// The digest of the file on disk.
    pub actual: Option<Sha256>,
    /// The file's size.
    pub size: Option<u64>,
    /// The manifest line.
    pub line: Option<usize>,
    /// Why a file could not be read.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub detail: Option<String>,
}

/// What `verify` found.
#[derive(Clone, Debug, Serialize)]
pub struct VerifyReport {
    /// The manifest.
    pub manifest: PathBuf,
    /// Every listed file in manifest order, then unlisted artifacts sorted.
    pub files: Vec<Verified>,
}

impl VerifyReport {
    /// Whether every file is present, unchanged and listed.
    pub fn ok(&self) -> bool {
        self.files.iter().all(|f| f.status == Status::Ok)
    }

    /// How many files have `status`.
    pub fn count(&self, status: Status) -> usize {
        self.files.iter().filter(|f| f.status == status).count()
    }
}

/// Checks every file `manifest` lists (relative to its directory) and
/// looks for artifacts in that directory it does not list.
pub fn verify(manifest: &Path) -> Result<VerifyReport, ChecksumError> {
    verify_with(manifest, &pbx_artifact::NoProgress)
}

/// [`verify`], telling `progress` how the hashing goes.
pub fn verify_with(
    manifest: &Path,
    progress: &dyn pbx_artifact::HashProgress,
) -> Result<VerifyReport, ChecksumError> {
    let bytes = pbx_project::read_small_file(manifest).map_err(|source| match source.kind() {
        ErrorKind::NotFound => ChecksumError::NoManifest {
            path: manifest.to_path_buf(),
        },
        _ => ChecksumError::Read {
            path: manifest.to_path_buf(),
            source,
        },
    })?;
    let text = String::from_utf8(bytes).map_err(|e| {
        let before = &e.as_bytes()[..e.utf8_error().valid_up_to()];
        ChecksumError::Manifest {
            path: manifest.to_path_buf(),
            line: before.iter().filter(|b| **b == b'\n').count() + 1,
            column: 1,
            reason: "not UTF-8 text: is this a manifest?".into(),
        }
    })?;
    let entries = parse_manifest(manifest, &text)?;
    if entries.is_empty() {
        return Err(ChecksumError::Manifest {
            path: manifest.to_path_buf(),
            line: 1,
            column: 1,
            reason: "the manifest lists no files".into(),
        });
    }
    let dir = match manifest.parent() {
        Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
        _ => PathBuf::from("."),
    };
    let paths: Vec<PathBuf> = entries.iter().map(|e| dir.join(&e.name)).collect();
    // Only regular files are hashed: a FIFO or a device listed in a
    // manifest is reported, never read (it would hang or never end).
    let regular: Vec<bool> = paths
        .iter()
        .map(|p| std::fs::metadata(p).map_or(true, |m| m.is_file()))
        .collect();
    let to_hash: Vec<PathBuf> = paths
        .iter()
        .zip(&regular)
        .filter(|(_, regular)| **regular)
        .map(|(p, _)| p.clone())
        .collect();
    let mut hashed = sha256_files_with(&to_hash, progress).into_iter();
    let results: Vec<Result<pbx_artifact::FileDigest, ArtifactError>> = paths
        .iter()
        .zip(&regular)
        .map(|(path, regular)| {
            if *regular {
                hashed.next().unwrap_or_else(|| {
                    Err(ArtifactError::Io {
                        path: path.clone(),
                        source: std::io::Error::other("not hashed"),
                    })
                })
            } else {
                Err(ArtifactError::Io {
                    path: path.clone(),
                    source: std::io::Error::new(
                        ErrorKind::InvalidInput,
                        "not a regular file (a directory, FIFO or device): not read",
                    ),
                })
            }
        })
        .collect();
    let mut files = Vec::with_capacity(entries.len());
    for (entry, result) in entries.iter().zip(results) {
        let mut verified = Verified {
            name: entry.name.clone(),
            status: Status::Ok,
            expected: Some(entry.sha256),
            actual: None,
            size: None,
            line: Some(entry.line),
            detail: None,
        };
        match result {
            Ok(digest) => {
                verified.actual = Some(digest.sha256);
                verified.size = Some(digest.size);
                if digest.sha256 != entry.sha256 {
                    verified.status = Status::Changed;
                }
            }
            Err(ArtifactError::Io { source, .. }) if source.kind() == ErrorKind::NotFound => {
                verified.status = Status::Missing;
            }
            Err(error) => {
                verified.status = Status::Unreadable;
                verified.detail = Some(match error {
                    ArtifactError::Io { source, .. } => source.to_string(),
                    other => other.to_string(),
                });
            }
        }
        files.push(verified);
    }
    let listed: HashSet<&str> = entries
        .iter()
        .map(|e| e.name.strip_prefix("./").unwrap_or(&e.name))
        .collect();
    let manifest_name = manifest.file_name().and_then(|n| n.to_str());
    for path in artifacts_in(&dir)? {
        let Some(name) = path.file_name().and_then(|n| n.to_str()) else {
            continue;
        };
        if listed.contains(name) || Some(name) == manifest_name {
            continue;
        }
        files.push(Verified {
            name: name.to_string(),
            status: Status::Unlisted,
            expected: None,
            actual: None,
            size: None,
            line: None,
            detail: None,
        });
    }
    Ok(VerifyReport {
        manifest: manifest.to_path_buf(),
        files,
    })
}
