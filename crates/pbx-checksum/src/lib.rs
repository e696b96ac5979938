//! pbx-checksum: SHA-256 manifests of release artifacts and their integrity.
//!
//! - [`write()`]: a `SHA256SUMS` manifest byte-compatible with `sha256sum -c`,
//!   one `<hex>  <name>` line per artifact, sorted, names relative to the
//!   manifest, written atomically (temp file in the same directory, then
//!   rename).
//! - [`verify`]: every listed file present with the same digest, and no
//!   artifact in the manifest's directory left unlisted; reads manifests
//!   written by `sha256sum` (text or `*` binary mode, escaped names,
//!   `--tag`).
//! - [`inspect`]: every artifact checked against itself (wheel RECORD,
//!   WHEEL tags, METADATA/PKG-INFO name and version, hostile archives
//!   refused) and all artifacts naming one project and version.
//! - [`compare`]: each local artifact on a package index with the same
//!   SHA-256, and no file of the same release on the index that is not
//!   local (someone else uploaded it).
//!
//! Files are hashed on every core; results keep the order of the input.
//! Nothing here prints: each command returns a report that the binary
//! renders as text or JSON.
#![deny(missing_docs)]

mod collect;
mod compare;
mod error;
mod inspect;
mod manifest;
mod verify;
mod write;

pub use collect::{artifacts_in, collect_artifacts, is_artifact_name, relative_name};
pub use compare::{compare, CompareReport, CompareStatus, Compared};
pub use error::ChecksumError;
pub use inspect::{
    inspect, inspect_with, inspect_with_limits, ArtifactReport, Expectations, InspectReport,
};
pub use manifest::{manifest_line, parse_manifest, ManifestEntry};
pub use verify::{verify, verify_with, Status, Verified, VerifyReport};
pub use write::{
    default_manifest_path, write, write_with, WriteReport, WrittenFile, DEFAULT_MANIFEST,
};
