//! The project files pbx reads and rewrites: `pyproject.toml`, `uv.lock`,
//! and pbx's own `[tool.pbx]` table.
//!
//! Both files are parsed with `toml_edit`, which keeps every byte's position:
//! every value pbx reports carries its file, line and column
//! ([`Located`]), and every malformed file becomes a [`ProjectError`] that
//! names where it broke and what to do. Names are compared after PEP 503
//! normalisation; the root project's `uv.lock` entry is the `[[package]]`
//! whose normalised name matches and whose `source` is `{ editable = "." }`
//! or `{ virtual = "." }`.
#![deny(missing_docs)]

mod config;
mod error;
mod lock;
mod pyproject;
mod span;

pub use config::{Lane, LaneRouting, PbxConfig, ReinstallConfig};
pub use error::ProjectError;
pub use lock::{LockedRoot, UvLock};
pub use pyproject::{ProjectVersion, Pyproject};
pub use span::Located;
