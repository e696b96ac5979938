//! Why the next version could not be named (or written).

use std::path::PathBuf;

use pbx_index::IndexError;
use pbx_project::{ProjectError, WriteError};
use pbx_report::Location;

use crate::git::GitError;

/// What keeps pbx-next-version from naming (or writing) the next version.
#[derive(Debug, thiserror::Error)]
pub enum NextVersionError {
    /// pyproject.toml or uv.lock cannot be used.
    #[error(transparent)]
    Project(#[from] ProjectError),
    /// pyproject.toml cannot be read.
    #[error("cannot read the file: {source}")]
    PyprojectUnreadable {
        /// The file.
        path: PathBuf,
        /// Why.
        source: std::io::Error,
    },
    /// uv.lock exists but cannot be read.
    #[error("cannot read the file: {source}")]
    LockUnreadable {
        /// The file.
        path: PathBuf,
        /// Why.
        source: std::io::Error,
    },
    /// `--package` is not a valid project name.
    #[error("--package: {0}")]
    Package(String),
    /// Indexes are to be asked, but no name is known.
    #[error("no project name to look up on the indexes: there is no pyproject.toml and --package was not given")]
    NoPackage,
    /// `--index` is not `pypi`, `testpypi` or a URL.
    #[error("{0}")]
    IndexSpec(IndexError),
    /// An index could not be read.
    #[error("cannot read which versions {index} holds: {source}")]
    IndexUnreadable {
        /// The index's name or simple URL.
        index: String,
        /// Why.
        source: IndexError,
    },
    /// A release candidate was asked for a base already released as final.
    #[error("{message} (seen: {})", seen.join(", "))]
    RcAfterFinal {
        /// What the rule says.
        message: String,
        /// Where a final (or later) version of the base was seen.
        seen: Vec<String>,
        /// The project directory (for the command in the hint).
        project_dir: PathBuf,
    },
    /// `--from` is not PEP 440.
    #[error("--from: {0}")]
    From(String),
    /// Neither `--from` nor a pyproject.toml.
    #[error("no current version: pass --from VERSION or --project DIR")]
    NoCurrent,
    /// `[project].version` is not PEP 440.
    #[error("{reason}")]
    ProjectVersion {
        /// Why.
        reason: String,
        /// Where.
        location: Location,
    },
    /// `dynamic = ["version"]`.
    #[error("the version is dynamic (`dynamic = [\"version\"]`): pyproject.toml does not say what the current version is")]
    Dynamic {
        /// The declaration.
        location: Location,
    },
    /// `--write` without a pyproject.toml.
    #[error("--write needs the project's pyproject.toml")]
    WriteNeedsPyproject {
        /// Where it was looked for.
        path: PathBuf,
    },
    /// uv.lock is missing and the project requires it.
    #[error("uv.lock is missing and `[tool.pbx] require-lock = true`")]
    LockRequired {
        /// Where it was looked for.
        path: PathBuf,
    },
    /// pyproject.toml changed while the indexes were asked.
    #[error("pyproject.toml changed while pbx-next-version ran; nothing was written")]
    ChangedMeanwhile {
        /// The file.
        path: PathBuf,
    },
    /// The files could not be replaced (both are as they were).
    #[error("{0}")]
    Write(#[from] WriteError),
    /// The git tags could not be read.
    #[error("{source}")]
    Git {
        /// Why.
        source: GitError,
        /// `--git DIR` was given (rather than the project's repository).
        explicit_dir: bool,
    },
}
