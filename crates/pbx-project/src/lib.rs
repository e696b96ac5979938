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

/// The most bytes pbx reads of a project file (pyproject.toml, uv.lock) or
/// a checksum manifest: far above any real one (the largest uv.locks are a
/// few MiB), far below what would exhaust memory.
pub const MAX_TEXT_FILE: u64 = 256 << 20;

/// Reads a text file pbx was pointed at: only a regular file (a FIFO, a
/// device such as `/dev/zero` or a directory is refused at once instead of
/// hanging or filling memory), at most [`MAX_TEXT_FILE`] bytes, UTF-8.
pub fn read_text_file(path: &std::path::Path) -> std::io::Result<String> {
    String::from_utf8(read_small_file(path)?)
        .map_err(|_| std::io::Error::new(std::io::ErrorKind::InvalidData, "not UTF-8 text"))
}

/// [`read_text_file`]'s bytes, not checked for UTF-8.
pub fn read_small_file(path: &std::path::Path) -> std::io::Result<Vec<u8>> {
    use std::io::Read;
    // Opening a FIFO for reading blocks until a writer comes: look first.
    let meta = std::fs::metadata(path)?;
    if !meta.is_file() {
        return Err(std::io::Error::new(
            std::io::ErrorKind::InvalidInput,
            "not a regular file (a directory, FIFO or device)",
        ));
    }
    let file = std::fs::File::open(path)?;
    // Sized from the metadata (one more byte to see the end), so a large
    // lock is read without growing and copying the buffer; a file that grew
    // meanwhile still reads to the bound. (`take` hides the file's size from
    // `read_to_end`, which then reads in chunks doubling from 8 KiB: 7 reads
    // for a 665 KB lock, nothing beside the page faults of the buffer.)
    let expected = meta.len().min(MAX_TEXT_FILE) as usize + 1;
    let mut bytes = Vec::with_capacity(expected);
    let read = file.take(MAX_TEXT_FILE + 1).read_to_end(&mut bytes)?;
    if read as u64 > MAX_TEXT_FILE {
        return Err(std::io::Error::new(
            std::io::ErrorKind::InvalidData,
            format!("larger than {} MiB", MAX_TEXT_FILE >> 20),
        ));
    }
    Ok(bytes)
}
