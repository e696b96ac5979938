//! The project files pbx reads and rewrites: `pyproject.toml`, `uv.lock`,
//! and pbx's own `[tool.pbx]` table.
//!
//! pyproject.toml is parsed with `toml_edit`, which keeps every byte's
//! position; uv.lock is validated whole in one streaming pass of
//! `toml_parser` and only its `[[package]]` entries named like the project
//! are built with `toml_edit` (see `lock.rs`). Every value pbx reports
//! carries its file, line and column ([`Located`]), and every malformed
//! file becomes a [`ProjectError`] that names where it broke and what to
//! do. A lock with two root entries for the project is refused. Names are compared after PEP 503
//! normalisation; the root project's `uv.lock` entry is the `[[package]]`
//! whose normalised name matches and whose `source` is `{ editable = "." }`
//! or `{ virtual = "." }`.
//!
//! The [`set_pyproject_version`] and [`set_lock_version`] rewrites change
//! only the bytes of the version string (comments, quoting, CRLF stay), and
//! [`replace_all_or_nothing`] writes both files atomically, together or not
//! at all.
#![deny(missing_docs)]

mod config;
mod error;
mod lock;
mod pyproject;
mod span;
mod write;

pub use config::{Lane, LaneRouting, PbxConfig, ReinstallConfig};
pub use error::ProjectError;
pub use lock::{LockedRoot, UvLock};
pub use pyproject::{ProjectVersion, Pyproject};
pub use span::Located;
pub use write::{
    replace_all_or_nothing, set_lock_version, set_pyproject_version, VersionRewrite, WriteError,
};
