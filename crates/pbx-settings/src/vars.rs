//! The environment variables pbx reads, each named once.

/// The release tag (`v1.2.3`).
pub const TAG: &str = "PBX_TAG";
/// The project directory.
pub const PROJECT: &str = "PBX_PROJECT";
/// The publish lane (`testpypi` or `pypi`).
pub const TARGET: &str = "PBX_TARGET";
/// A missing uv.lock fails the tag check.
pub const REQUIRE_LOCK: &str = "PBX_REQUIRE_LOCK";
/// The built artifacts.
pub const DIST: &str = "PBX_DIST";
/// `text` or `json` (`junit` for pbx-reinstall).
pub const FORMAT: &str = "PBX_FORMAT";
/// Check everything, upload nothing.
pub const DRY_RUN: &str = "PBX_DRY_RUN";
/// Ask no index (pbx-next-version).
pub const OFFLINE: &str = "PBX_OFFLINE";
/// Skip interpreters that are not found (pbx-reinstall).
pub const SKIP_MISSING: &str = "PBX_SKIP_MISSING";
/// Other indexes the release touches, whose versions count for the next
/// fixed-forward version (comma-separated).
pub const FIX_INDEXES: &str = "PBX_FIX_INDEXES";
/// Read no git tags for the next fixed-forward version.
pub const NO_GIT: &str = "PBX_NO_GIT";
/// The index to read (pbx-next-version, pbx-checksum compare).
pub const INDEX: &str = "PBX_INDEX";
