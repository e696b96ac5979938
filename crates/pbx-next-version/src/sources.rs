//! Where used versions are seen, and what they say about the next one.

use std::collections::BTreeMap;

use pbx_version::{FixLane, Version};
use serde::Serialize;

/// A kind of place versions are seen.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum SourceKind {
    /// A package index: every file of the project, yanked ones too.
    Index,
    /// The release tags of a git repository.
    Git,
}

impl SourceKind {
    /// `index` or `git`.
    pub fn as_str(self) -> &'static str {
        match self {
            SourceKind::Index => "index",
            SourceKind::Git => "git",
        }
    }
}

/// One version seen somewhere: on an index as a file, or in git as a tag.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Seen {
    /// The version.
    pub version: Version,
    /// The filename or tag that carries it.
    pub carrier: String,
    /// The file is yanked (it still counts: PyPI never gives a filename
    /// back).
    pub yanked: bool,
}

/// Everything one place showed.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Source {
    /// Index or git.
    pub kind: SourceKind,
    /// The simple URL of the index, or the repository directory.
    pub location: String,
    /// Every version seen there, one entry per file or tag.
    pub seen: Vec<Seen>,
    /// Files or tags whose version could not be read (reported, not used).
    pub unreadable: Vec<String>,
}

impl Source {
    /// `index URL` or `git tags in DIR`.
    pub fn describe(&self) -> String {
        match self.kind {
            SourceKind::Index => format!("index {}", self.location),
            SourceKind::Git => format!("git tags in {}", self.location),
        }
    }

    /// Each distinct version seen (PEP 440 order) and whether every file
    /// of it is yanked.
    fn by_version(&self) -> BTreeMap<&Version, bool> {
        let mut map = BTreeMap::new();
        for seen in &self.seen {
            let all_yanked = map.entry(&seen.version).or_insert(true);
            *all_yanked &= seen.yanked;
        }
        map
    }

    /// The distinct versions seen, sorted (PEP 440 order).
    pub fn versions(&self) -> Vec<Version> {
        self.by_version().into_keys().cloned().collect()
    }

    /// The distinct versions of which every file seen is yanked.
    pub fn yanked_versions(&self) -> Vec<Version> {
        self.by_version()
            .into_iter()
            .filter(|(_, yanked)| *yanked)
            .map(|(v, _)| v.clone())
            .collect()
    }

    /// The distinct versions sharing `base`'s release.
    pub fn versions_of_base(&self, base: &Version) -> Vec<Version> {
        self.versions()
            .into_iter()
            .filter(|v| v.same_base(base))
            .collect()
    }
}

pub use pbx_artifact::version_of_filename;

/// The highest post or rc number used for `base`, and where it was seen.
pub fn highest_used(
    sources: &[Source],
    base: &Version,
    lane: FixLane,
) -> Option<(u64, Version, String)> {
    let mut best: Option<(u64, Version, String)> = None;
    for source in sources {
        for seen in &source.seen {
            if !seen.version.same_base(base) {
                continue;
            }
            let number = match lane {
                FixLane::Post => seen.version.post_number(),
                FixLane::Rc => seen.version.rc_number(),
            };
            if let Some(n) = number {
                if best.as_ref().is_none_or(|(b, _, _)| n > *b) {
                    best = Some((n, seen.version.clone(), source.describe()));
                }
            }
        }
    }
    best
}

/// Where a version of `base` at or above its final release (the final, a
/// post-release) was seen: these make a release candidate for it
/// impossible (the rule of [`pbx_version::next_fix_forward`]).
pub fn finals_of_base(sources: &[Source], base: &Version) -> Vec<String> {
    let mut out = Vec::new();
    for source in sources {
        for seen in &source.seen {
            if seen.version.same_base(base) && seen.version >= *base {
                out.push(format!("{} ({})", seen.carrier, source.describe()));
            }
        }
    }
    out
}
