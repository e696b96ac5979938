use std::path::PathBuf;

use pbx_artifact::ArtifactError;
use pbx_report::{Location, Problem};

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

impl From<ChecksumError> for Problem {
    fn from(error: ChecksumError) -> Self {
        match &error {
            ChecksumError::NotFound { path } => Problem::input("no such file or directory")
                .at(Location::file(path))
                .hint("check the path; artifacts are usually in dist/ after `uv build`"),
            ChecksumError::Usage(message) => Problem::input(message.clone()),
            ChecksumError::NoManifest { path } => Problem::input("no such manifest")
                .at(Location::file(path))
                .hint("write one first with `pbx-checksum write` (or name it with -f)"),
            ChecksumError::NoArtifacts { .. } => Problem::input(error.to_string())
                .hint("build them first (`uv build`), or name the files to use"),
            ChecksumError::Manifest {
                path,
                line,
                column,
                reason,
            } => Problem::input(reason.clone())
                .at(Location::at(path, *line, *column))
                .hint("a SHA256SUMS line is `<64 hex digits>  <file name>` (as `sha256sum` writes it)"),
            ChecksumError::Read { path, source } => {
                Problem::input(format!("cannot read: {source}")).at(Location::file(path))
            }
            ChecksumError::Write { path, source } => Problem::environment(format!("cannot write: {source}"))
                .at(Location::file(path))
                .hint("the existing manifest (if any) is unchanged; check the directory's permissions and free space"),
            ChecksumError::Artifact(inner) => artifact_problem(inner),
            ChecksumError::Find(_) => {
                let ChecksumError::Find(inner) = error else {
                    return Problem::input(error.to_string());
                };
                Problem::from(inner)
            }
            ChecksumError::Index(inner) if inner.is_input() => Problem::input(inner.to_string())
                .hint("--index takes `pypi`, `testpypi` or the index's URL (add --index-url for its simple API when it is not URL + simple/)"),
            ChecksumError::Index(inner) => Problem::environment(inner.to_string()).hint(
                "the index could not answer after retries; nothing was concluded about the files: run the comparison again when it is reachable",
            ),
        }
    }
}

pub use pbx_release::disk::artifact_problem;
