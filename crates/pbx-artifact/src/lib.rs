//! Python distribution artifacts: wheels and sdists.
//!
//! - [`DistFilename`]: a wheel (PEP 427, `name-version(-build)?-py-abi-plat.whl`)
//!   or sdist (`name-version.tar.gz`) filename, parsed and validated, with the
//!   project name normalised.
//! - [`CoreMetadata`]: the core metadata headers of `METADATA` / `PKG-INFO`
//!   (continuation lines, repeated fields).
//! - [`read_wheel_metadata`]: the `METADATA` of a wheel's own `.dist-info`;
//!   [`read_sdist_metadata`]: the top-level `PKG-INFO` of an sdist (`.tar.gz`,
//!   or an old `.zip`).
//! - [`inspect`]: everything an artifact claims, checked against itself: every
//!   RECORD entry's hash and size against the archive, members missing from
//!   RECORD, the WHEEL tags (compressed tag sets expanded, [`expand_tags`]),
//!   the name and version in the filename, the `.dist-info` directory and
//!   METADATA (or PKG-INFO) agreeing, and no local version segment; and
//!   what the public index would refuse ([`acceptance_findings`]: metadata
//!   fields for the declared Metadata-Version, classifiers, URLs, the
//!   description's content type, normalised filenames, the per-file size
//!   limit [`Limits::max_file_bytes`]).
//! - [`list_members`]: every member of an accepted artifact with its SHA-256
//!   (what an installer would see); [`inspect_wheel_bytes`] and
//!   [`inspect_sdist_bytes`] read from memory (fuzzing, tests).
//! - [`sha256_file`] / [`sha256_files`]: streaming SHA-256 with the `sha2`
//!   crate, which uses the CPU's SHA extensions (SHA-NI) when present; large
//!   files are read on a second thread so I/O overlaps hashing, and many files
//!   are hashed on every core.
//!
//! Archives are only ever read, never extracted, and an archive that two
//! readers (pip through Python's `zipfile`/`tarfile`, the `zip` and `tar`
//! crates, streaming unzippers) could read differently is refused
//! ([`ArtifactError::Unsafe`]) before anything trusts its contents: a zip
//! must have the one canonical layout (`ziplayout`: no prepended or hidden
//! data, one central directory where the end record says, local headers
//! agreeing with it, consistent zip64); a tar.gz one gzip member and no
//! headers Python's tarfile and the tar crate read differently; `..` or
//! absolute member names, duplicate names, links that leave the sdist's
//! directory when resolved through the archive's own tree (`tree`), a
//! RECORD naming a file twice, metadata over its cap, and decompressed sizes,
//! totals or ratios beyond [`Limits`] (bombs). docs/design.md, "Archive
//! policy", lists every rule.
#![deny(missing_docs)]

mod accept;
mod digest;
mod error;
mod filename;
mod inspect;
mod limits;
mod members;
mod metadata;
mod record;
mod sdist;
mod tree;
mod wheel;
mod ziplayout;
mod zipsafe;

pub use accept::{
    acceptance_findings, check_classifier, check_content_type, check_url, MAX_PROJECT_URL_LABEL,
};
pub use digest::{
    sha256_file, sha256_file_with, sha256_files, sha256_files_with, sha256_reader,
    sha_ni_available, total_size, FileDigest, HashProgress, NoProgress, Sha256,
};
pub use error::ArtifactError;
pub use filename::{version_of_filename, DistFilename, DistKind, DIST_EXTENSIONS};
pub use inspect::{inspect, Finding, Inspection};
pub use limits::{Limits, DEFAULT_MAX_FILE_BYTES, DEFAULT_MAX_TOTAL_BYTES};
pub use members::{list_members, Member, MemberKind};
pub use metadata::CoreMetadata;
pub use record::{parse_record, RecordEntry, RecordHash};
pub use sdist::{inspect_sdist, inspect_sdist_bytes, read_sdist_metadata, SdistContents};
pub use wheel::{
    expand_tags, inspect_wheel, inspect_wheel_bytes, read_wheel_metadata, WheelContents,
};

/// The filename and core metadata of a wheel (its own
/// `.dist-info/METADATA`) or an sdist (its top-level `PKG-INFO`).
pub fn read_metadata(
    path: &std::path::Path,
) -> Result<(DistFilename, CoreMetadata), ArtifactError> {
    match DistFilename::from_path(path)?.kind {
        DistKind::Wheel => read_wheel_metadata(path),
        DistKind::Sdist => read_sdist_metadata(path),
    }
}
