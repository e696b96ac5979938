use std::fmt;
use std::str::FromStr;

use crate::version::Version;

/// The two ways docs/design.md rule 4 fixes a release forward.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum FixLane {
    /// `X.Y.Z.postN`: a failed TestPyPI lane, or a fix after a final release.
    Post,
    /// `X.Y.ZrcN`: a failed release candidate on PyPI.
    Rc,
}

impl FixLane {
    /// `post` or `rc`.
    pub fn as_str(self) -> &'static str {
        match self {
            FixLane::Post => "post",
            FixLane::Rc => "rc",
        }
    }
}

impl fmt::Display for FixLane {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for FixLane {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s {
            "post" => Ok(FixLane::Post),
            "rc" => Ok(FixLane::Rc),
            other => Err(format!("unknown lane `{other}`: expected `post` or `rc`")),
        }
    }
}

/// Why no fixed-forward version can be named.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum FixForwardError {
    /// The final release of the base is already used: a release candidate
    /// for it would sort below the final and never be installed.
    #[error("{base} is already released as a final version, so a release candidate for it would sort below it; fix forward with {suggestion} instead")]
    FinalAlreadyReleased {
        /// The base release (`1.2.3`).
        base: Version,
        /// The post-release to use instead.
        suggestion: Version,
    },
}

/// The next fixed-forward version after `current`, given every version
/// already used anywhere (index files, git tags).
///
/// N is one more than the highest N used for the same base (epoch and
/// release, zero-padded: `1.0` and `1.0.0` share a base); `current` counts as
/// used too. The first post-release is `.post1`, the first release candidate
/// `rc1`. A release candidate is refused when `used` holds a version of the
/// base that sorts at or above its final release (the final, a post-release,
/// or a post-release's dev release): it would sort below what is already
/// published.
pub fn next_fix_forward<'a>(
    current: &Version,
    used: impl IntoIterator<Item = &'a Version>,
    lane: FixLane,
) -> Result<Version, FixForwardError> {
    let base = current.base();
    let mut highest_post: u64 = 0;
    let mut highest_rc: Option<u64> = None;
    let mut final_used = false;
    let used = used.into_iter().map(|v| (v, true));
    for (version, published) in std::iter::once((current, false)).chain(used) {
        if !version.same_base(&base) {
            continue;
        }
        if let Some(post) = version.post_number() {
            highest_post = highest_post.max(post);
        }
        if let Some(rc) = version.rc_number() {
            highest_rc = Some(highest_rc.map_or(rc, |h| h.max(rc)));
        }
        // Anything published that sorts at or above the final release (the
        // final, its post-releases, and their dev releases such as
        // `1.2.3.post1.dev0`) leaves no room for a release candidate.
        if published && *version >= base {
            final_used = true;
        }
    }
    let post = base.with_post(highest_post + 1);
    match lane {
        FixLane::Post => Ok(post),
        FixLane::Rc if final_used => Err(FixForwardError::FinalAlreadyReleased {
            base,
            suggestion: post,
        }),
        FixLane::Rc => Ok(base.with_rc(highest_rc.map_or(1, |h| h + 1))),
    }
}
