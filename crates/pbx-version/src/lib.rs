//! Versions and names as Python packaging defines them.
//!
//! pbx never uses SemVer: `1.2.3.post1` and `1.2.3rc1` are ordinary release
//! versions in Python, and SemVer either rejects them or orders them wrongly.
//! This crate wraps [`pep440_rs`] (the PEP 440 implementation uv uses) behind a
//! small API that the binaries share:
//!
//! - [`Version`]: a parsed PEP 440 version, its canonical spelling
//!   ([`Version::canonical`]), its [`VersionKind`], and whether it carries a
//!   local segment (which public indexes reject).
//! - [`PackageName`]: a project name compared after PEP 503 normalisation
//!   (`Proxbox_API` == `proxbox-api`).
//! - [`Tag`]: a git tag `v<version>` (with an optional `refs/tags/` prefix).
//! - [`FixLane`] and [`next_fix_forward`]: the next `X.Y.Z.postN` or
//!   `X.Y.ZrcN` given every version already used for that base
//!   (docs/design.md rule 4).
#![deny(missing_docs)]

mod name;
mod next;
mod tag;
mod version;

pub use name::{normalize, NameError, PackageName};
pub use next::{next_fix_forward, FixForwardError, FixLane};
pub use tag::{Tag, TagError, DEFAULT_TAG_PREFIX};
pub use version::{Version, VersionError, VersionKind};
