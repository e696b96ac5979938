use std::cmp::Ordering;
use std::fmt;
use std::str::FromStr;

/// A PEP 440 version.
///
/// Equality and ordering are PEP 440's (`1.0 == 1.0.0`, `1.0rc1 < 1.0 <
/// 1.0.post1`); [`Version::canonical`] is the normalised spelling that
/// `packaging.version.Version.__str__` prints.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Version(pep440_rs::Version);

/// A string that is not a PEP 440 version.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("`{input}` is not a valid PEP 440 version: {reason}")]
pub struct VersionError {
    /// The text that failed to parse.
    pub input: String,
    /// Why the parser refused it.
    pub reason: String,
}

/// What kind of release a version names.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum VersionKind {
    /// `1.2.3`: a final release.
    Final,
    /// `1.2.3a1`, `1.2.3b2`, `1.2.3rc1`: a pre-release.
    Pre,
    /// `1.2.3.post1`: a post-release of a final release.
    Post,
    /// `1.2.3.dev1`: a development release (of any of the above).
    Dev,
}

impl VersionKind {
    /// The lower-case name used in reports (`final`, `pre`, `post`, `dev`).
    pub fn as_str(self) -> &'static str {
        match self {
            VersionKind::Final => "final",
            VersionKind::Pre => "pre",
            VersionKind::Post => "post",
            VersionKind::Dev => "dev",
        }
    }
}

impl fmt::Display for VersionKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl Version {
    /// Parses a PEP 440 version. Surrounding whitespace and a leading `v`
    /// are accepted, as `packaging` accepts them.
    pub fn parse(input: &str) -> Result<Self, VersionError> {
        let trimmed = input.trim();
        let body = trimmed
            .strip_prefix('v')
            .or_else(|| trimmed.strip_prefix('V'))
            .unwrap_or(trimmed);
        pep440_rs::Version::from_str(body)
            .map(Version)
            .map_err(|err| VersionError {
                input: input.to_string(),
                reason: err.to_string(),
            })
    }

    /// Builds a final release version from its release numbers (`[1, 2, 3]`).
    pub fn from_release(release: &[u64]) -> Self {
        Version(pep440_rs::Version::new(release.iter().copied()))
    }

    /// The canonical spelling (`1.0-RC1` → `1.0rc1`, `1.0-5` → `1.0.post5`).
    pub fn canonical(&self) -> String {
        self.0.to_string()
    }

    /// The release numbers (`1.2.3rc1` → `[1, 2, 3]`).
    pub fn release(&self) -> &[u64] {
        self.0.release()
    }

    /// The epoch (`1!2.0` → 1), 0 when absent.
    pub fn epoch(&self) -> u64 {
        self.0.epoch()
    }

    /// The kind of release. A `.devN` suffix makes any version `Dev`.
    pub fn kind(&self) -> VersionKind {
        if self.0.is_dev() {
            VersionKind::Dev
        } else if self.0.is_pre() {
            VersionKind::Pre
        } else if self.0.is_post() {
            VersionKind::Post
        } else {
            VersionKind::Final
        }
    }

    /// True for alpha, beta, rc and dev releases (PEP 440 pre-releases).
    pub fn is_prerelease(&self) -> bool {
        self.0.any_prerelease()
    }

    /// The release-candidate number when this is `X.Y.ZrcN`.
    pub fn rc_number(&self) -> Option<u64> {
        self.0
            .pre()
            .filter(|pre| pre.kind == pep440_rs::PrereleaseKind::Rc)
            .map(|pre| pre.number)
    }

    /// The post-release number when this has `.postN`.
    pub fn post_number(&self) -> Option<u64> {
        self.0.post()
    }

    /// True when the version carries a local segment (`1.0+abc`), which
    /// PyPI and TestPyPI refuse.
    pub fn has_local(&self) -> bool {
        self.0.is_local()
    }

    /// The version without its local segment.
    pub fn public(&self) -> Version {
        Version(self.0.clone().without_local())
    }

    /// The version with only epoch and release (`1.0rc1.post2` → `1.0`).
    pub fn base(&self) -> Version {
        Version(self.0.only_release().with_epoch(self.0.epoch()))
    }

    /// Compares the base releases (epoch + release numbers, zero-padded).
    pub fn same_base(&self, other: &Version) -> bool {
        self.base().cmp(&other.base()) == Ordering::Equal
    }

    /// A new version with this release and a post number.
    pub fn with_post(&self, post: u64) -> Version {
        Version(self.0.clone().with_post(Some(post)))
    }

    /// A new version with this release and an rc number.
    pub fn with_rc(&self, rc: u64) -> Version {
        Version(self.0.clone().with_pre(Some(pep440_rs::Prerelease {
            kind: pep440_rs::PrereleaseKind::Rc,
            number: rc,
        })))
    }

    /// The wrapped [`pep440_rs::Version`].
    pub fn as_pep440(&self) -> &pep440_rs::Version {
        &self.0
    }
}

impl fmt::Display for Version {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(&self.0, f)
    }
}

impl FromStr for Version {
    type Err = VersionError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Version::parse(s)
    }
}
