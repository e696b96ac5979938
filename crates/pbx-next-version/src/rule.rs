//! The fix-forward rule (release rule 4): which lane, and which N. The one
//! place the lane is chosen; pbx-upload, pbx-next-version, the pipeline
//! script and the workflows all ask here (the last two through
//! `pbx-next-version --lane auto`).

use std::path::PathBuf;

use pbx_index::{Client, IndexUrls};
use pbx_project::{Lane, LaneRouting};
use pbx_version::{next_fix_forward, FixForwardError, FixLane, PackageName, Version};

use crate::git::GitTags;
use crate::sources::{Seen, Source, SourceKind};

/// The lane a failed release fixes forward in: a release candidate that
/// failed in the PyPI lane gets the next `rcN`; everything else (a failure
/// in the TestPyPI lane, a fix after a final release) the next `.postN`.
pub fn fix_lane(current: &Version, publish: Lane) -> FixLane {
    if publish == Lane::Pypi && current.is_prerelease() {
        FixLane::Rc
    } else {
        FixLane::Post
    }
}

/// The publish lane of `current` when nothing names it: the project's
/// routing (`[tool.pbx.lanes]`, else the default) for its kind of version.
pub fn publish_lane(current: &Version, routing: &LaneRouting) -> Lane {
    routing.route(current.kind()).0
}

/// `post`, `rc`, or decided by [`fix_lane`].
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum LaneChoice {
    /// This lane, whatever the version.
    Fixed(FixLane),
    /// [`fix_lane`] for the publish lane (given, or routed from the
    /// version); a release candidate whose final is already out falls back
    /// to `.postN`, with a note.
    Auto(Option<Lane>),
}

impl std::str::FromStr for LaneChoice {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s {
            "auto" => Ok(LaneChoice::Auto(None)),
            other => other.parse::<FixLane>().map(LaneChoice::Fixed),
        }
    }
}

impl LaneChoice {
    /// The lane for `current`, before looking at what is used.
    pub fn resolve(self, current: &Version, routing: &LaneRouting) -> FixLane {
        match self {
            LaneChoice::Fixed(lane) => lane,
            LaneChoice::Auto(publish) => fix_lane(
                current,
                publish.unwrap_or_else(|| publish_lane(current, routing)),
            ),
        }
    }
}

/// The next version in `lane` given every version used; with `auto`, an
/// `rc` that would sort below a final already out becomes `.postN` and the
/// note says why.
pub fn next_in_lane<'a>(
    current: &Version,
    used: impl IntoIterator<Item = &'a Version>,
    lane: FixLane,
    auto: bool,
) -> Result<(FixLane, Version, Option<String>), FixForwardError> {
    match next_fix_forward(current, used, lane) {
        Ok(next) => Ok((lane, next, None)),
        Err(FixForwardError::FinalAlreadyReleased { base, suggestion }) if auto => Ok((
            FixLane::Post,
            suggestion,
            Some(format!(
                "{base} is already released as a final, so a release candidate would sort below it: the post lane instead"
            )),
        )),
        Err(err) => Err(err),
    }
}

/// What a fix-forward question needs.
#[derive(Clone, Debug)]
pub struct FixForwardQuery {
    /// The project.
    pub package: PackageName,
    /// The consumed version.
    pub current: Version,
    /// The lane.
    pub lane: LaneChoice,
    /// The project's lane routing (for `auto` without a publish lane).
    pub routing: LaneRouting,
    /// Every index the release touches.
    pub indexes: Vec<IndexUrls>,
    /// The repository whose release tags count, and the tag prefix.
    pub git: Option<(PathBuf, String)>,
}

/// The answer: the next version and what it was decided from.
#[derive(Clone, Debug)]
pub struct FixForward {
    /// The lane.
    pub lane: FixLane,
    /// The next version.
    pub next: Version,
    /// Every source read.
    pub sources: Vec<Source>,
    /// Sources that could not be read, each said in words: the version
    /// named could collide there.
    pub unread: Vec<String>,
    /// Other things worth knowing (an `rc` turned into a post-release).
    pub notes: Vec<String>,
}

/// Reads every index and the git tags, and names the next version. A
/// source that cannot be read does not stop the answer: it is listed in
/// [`FixForward::unread`].
pub fn fix_forward(client: &Client, query: &FixForwardQuery) -> FixForward {
    let mut sources = Vec::new();
    let mut unread = Vec::new();
    if let Some((dir, prefix)) = &query.git {
        match GitTags::read(dir, prefix) {
            Ok(tags) => sources.push(Source {
                kind: SourceKind::Git,
                location: dir.display().to_string(),
                seen: tags
                    .tags
                    .into_iter()
                    .map(|tag| Seen {
                        version: tag.version,
                        carrier: tag.name,
                        yanked: false,
                    })
                    .collect(),
                unreadable: Vec::new(),
            }),
            // Outside a repository there are no tags to collide with.
            Err(crate::GitError::NotARepository { .. }) => {}
            Err(err) => unread.push(format!("git tags: {err}")),
        }
    }
    for index in &query.indexes {
        match crate::index::read_source(client, index, &query.package) {
            Ok(source) => sources.push(source),
            Err(err) => unread.push(format!("{}: {err}", index.simple)),
        }
    }
    let lane = query.lane.resolve(&query.current, &query.routing);
    let used: Vec<&Version> = sources
        .iter()
        .flat_map(|s| s.seen.iter().map(|seen| &seen.version))
        .collect();
    let mut notes = Vec::new();
    let (lane, next) = match next_in_lane(&query.current, used.iter().copied(), lane, true) {
        Ok((lane, next, note)) => {
            notes.extend(note);
            (lane, next)
        }
        // `auto` never fails; a fixed rc lane falls back the same way here,
        // since an upload must name something that can be released.
        Err(FixForwardError::FinalAlreadyReleased { suggestion, .. }) => {
            (FixLane::Post, suggestion)
        }
    };
    FixForward {
        lane,
        next,
        sources,
        unread,
        notes,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn v(s: &str) -> Version {
        Version::parse(s).unwrap()
    }

    #[test]
    fn the_lane_follows_the_publish_lane_and_the_version() {
        assert_eq!(fix_lane(&v("1.0.0"), Lane::TestPypi), FixLane::Post);
        assert_eq!(fix_lane(&v("1.0.0.post1"), Lane::TestPypi), FixLane::Post);
        assert_eq!(fix_lane(&v("1.0.0rc1"), Lane::Pypi), FixLane::Rc);
        assert_eq!(fix_lane(&v("1.0.0rc1"), Lane::TestPypi), FixLane::Post);
        assert_eq!(fix_lane(&v("1.0.0"), Lane::Pypi), FixLane::Post);
        let routing = LaneRouting::default();
        assert_eq!(
            LaneChoice::Auto(None).resolve(&v("1.0.0rc2"), &routing),
            FixLane::Rc
        );
        assert_eq!(
            LaneChoice::Auto(None).resolve(&v("1.0.0"), &routing),
            FixLane::Post
        );
        let flipped = LaneRouting {
            pre: Lane::TestPypi,
            ..routing
        };
        assert_eq!(
            LaneChoice::Auto(None).resolve(&v("1.0.0rc2"), &flipped),
            FixLane::Post
        );
        assert_eq!(
            LaneChoice::Auto(Some(Lane::Pypi)).resolve(&v("1.0.0rc2"), &flipped),
            FixLane::Rc
        );
    }

    #[test]
    fn an_rc_after_the_final_falls_back_to_post_with_a_note() {
        let used = [v("1.0.0"), v("1.0.0rc1")];
        let (lane, next, note) = next_in_lane(&v("1.0.0rc1"), &used, FixLane::Rc, true).unwrap();
        assert_eq!((lane, next), (FixLane::Post, v("1.0.0.post1")));
        assert!(note.unwrap().contains("already released"));
        assert!(next_in_lane(&v("1.0.0rc1"), &used, FixLane::Rc, false).is_err());
    }
}
