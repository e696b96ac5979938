//! Bounds and name rules that keep archive reading safe.

/// How much an archive may expand before it is refused as a bomb.
///
/// The defaults are generous for real distributions (the largest wheels on
/// PyPI, CUDA builds of torch and tensorflow, unpack to 2-3 GiB; real
/// members compress at most ~20:1) and tight for bombs (a deflate stream of
/// zeros compresses ~1000:1).
///
/// The ratio alone does not bound a bomb: a deflate stream padded with
/// empty stored blocks (5 bytes each, no output) has any ratio its author
/// wants, so a 40 MB wheel can expand to 8 GB at 200:1. The total
/// (`max_total_bytes`, `pbx-checksum inspect --max-expanded-size`) is the
/// bound that holds whatever the compressed size.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Limits {
    /// The most bytes all members together may decompress to (the total
    /// expanded size of the archive).
    pub max_total_bytes: u64,
    /// The most bytes one member may decompress to.
    pub max_member_bytes: u64,
    /// The highest decompressed/compressed ratio, for members (or, in a
    /// tar.gz, the whole stream) larger than `ratio_floor_bytes`.
    pub max_ratio: u64,
    /// Below this decompressed size the ratio is not checked (tiny files of
    /// spaces compress very well and harm no one).
    pub ratio_floor_bytes: u64,
    /// The most members an archive may hold.
    pub max_members: usize,
    /// The largest `METADATA`, `PKG-INFO` or `WHEEL` read; a larger one is
    /// refused, never truncated (real ones are kilobytes).
    pub max_metadata_bytes: u64,
    /// The largest `RECORD` read (a line per member: real ones are at most
    /// a few MiB); a larger one is refused, never truncated.
    pub max_record_bytes: u64,
    /// The largest artifact file the index accepts (the public index's
    /// default per-file limit is 100 MiB; a project may have a larger one:
    /// `--max-file-size`). Not a safety bound: a larger file is a failed
    /// check, not an unsafe archive.
    pub max_file_bytes: u64,
}

/// The default of [`Limits::max_total_bytes`]: 4 GiB.
pub const DEFAULT_MAX_TOTAL_BYTES: u64 = 4 << 30;

/// The default of [`Limits::max_file_bytes`]: 100 MiB, the public index's
/// default per-file limit.
pub const DEFAULT_MAX_FILE_BYTES: u64 = 100 << 20;

impl Default for Limits {
    fn default() -> Self {
        Limits {
            max_total_bytes: DEFAULT_MAX_TOTAL_BYTES,
            max_member_bytes: 4 << 30,
            max_ratio: 200,
            ratio_floor_bytes: 1 << 20,
            max_members: 200_000,
            max_metadata_bytes: 16 << 20,
            max_record_bytes: 64 << 20,
            max_file_bytes: DEFAULT_MAX_FILE_BYTES,
        }
    }
}

impl Limits {
    /// Whether `size` bytes out of `compressed` bytes is a suspicious ratio.
    pub fn ratio_exceeded(&self, size: u64, compressed: u64) -> bool {
        size > self.ratio_floor_bytes && size / compressed.max(1) > self.max_ratio
    }
}

/// The longest member name or link target accepted (Linux's `PATH_MAX`).
pub(crate) const MAX_NAME_BYTES: usize = 4096;

/// Checks an archive member name: relative, `/`-separated, no `..`, no
/// drive letters or backslashes, no NUL. Returns why it is unsafe.
pub(crate) fn unsafe_member_name(name: &str) -> Option<&'static str> {
    if name.is_empty() {
        return Some("has an empty name");
    }
    if name.len() > MAX_NAME_BYTES {
        return Some("has a name longer than 4096 bytes (PATH_MAX)");
    }
    if name.contains('\0') {
        return Some("has a NUL byte in its name");
    }
    if name.contains('\\') {
        return Some("has a backslash in its name (a Windows path separator)");
    }
    if name.starts_with('/') {
        return Some("is an absolute path");
    }
    let first = name.split('/').next().unwrap_or_default();
    if first.len() >= 2 && first.as_bytes()[1] == b':' {
        return Some("starts with a drive letter");
    }
    if name.split('/').any(|part| part == "..") {
        return Some("has a `..` component that points outside the archive");
    }
    None
}

/// `name` with `.` components and repeated or trailing slashes removed, so
/// that `a/./b` and `a//b/` compare equal to `a/b`.
pub(crate) fn normalize_member(name: &str) -> String {
    name.split('/')
        .filter(|part| !part.is_empty() && *part != ".")
        .collect::<Vec<_>>()
        .join("/")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn member_names() {
        for good in ["a", "a/b.py", "pkg-1.0.dist-info/RECORD", "a/./b", "a..b/c"] {
            assert_eq!(unsafe_member_name(good), None, "{good}");
        }
        for bad in [
            "",
            "/etc/passwd",
            "../x",
            "a/../../x",
            "a\\b",
            "C:/x",
            "a\0b",
        ] {
            assert!(unsafe_member_name(bad).is_some(), "{bad:?}");
        }
    }

    #[test]
    fn ratios() {
        let limits = Limits::default();
        assert!(!limits.ratio_exceeded(1000, 1));
        assert!(limits.ratio_exceeded(200 << 20, 200 << 10));
        assert!(!limits.ratio_exceeded(20 << 20, 2 << 20));
    }
}
