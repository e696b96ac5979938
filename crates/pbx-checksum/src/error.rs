use std::path::PathBuf;

use pbx_artifact::ArtifactError;

/// What stops a pbx-checksum command before it can report.
#[derive(Debug, thiserror::Error)]
pub enum ChecksumError {
    /// A path given on the command line does not exist.
    #[error("{}: no such file or directory", path.display())]
    NotFound {
        /// The path.
        path: PathBuf,
    },
    /// A flag's value is unusable.
    #[error("{0}")]
    Usage(String),
    /// The manifest to verify does not exist.
    #[error("{}: no such manifest", path.display())]
    NoManifest {
        /// The manifest path.
        path: PathBuf,
    },
    /// Nothing to work on.
    #[error("no artifacts (.whl, .tar.gz) in {}", paths.iter().map(|p| p.display().to_string()).collect::<Vec<_>>().join(", "))]
    NoArtifacts {
        /// The paths searched.
        paths: Vec<PathBuf>,
    },
    /// The manifest is malformed.
    #[error("{}:{line}:{column}: {reason}", path.display())]
    Manifest {
        /// The manifest.
        path: PathBuf,
        /// 1-based line.
        line: usize,
        /// 1-based column.
        column: usize,
        /// What is wrong.
        reason: String,
    },
    /// A file cannot be read.
    #[error("{}: cannot read: {source}", path.display())]
    Read {
        /// The file.
        path: PathBuf,
        /// The I/O error.
        source: std::io::Error,
    },
    /// The manifest cannot be written.
    #[error("{}: cannot write: {source}", path.display())]
    Write {
        /// The file.
        path: PathBuf,
        /// The I/O error.
        source: std::io::Error,
    },
    /// An artifact cannot be used.
    #[error(transparent)]
    Artifact(#[from] ArtifactError),
    /// The index did not give a usable answer.
    #[error(transparent)]
    Index(pbx_index::IndexError),
    /// The artifacts could not be found.
    #[error(transparent)]
    Find(#[from] pbx_release::disk::FindError),
}
