//! Why the tag check could not run at all (a failed check is a result, not
//! an error).

use std::path::PathBuf;

use pbx_project::ProjectError;
use pbx_release::disk::FindError;
use pbx_report::Location;

/// What keeps pbx-tag-check from checking: every case names where.
#[derive(Debug, thiserror::Error)]
pub enum TagCheckError {
    /// pyproject.toml or uv.lock cannot be used.
    #[error(transparent)]
    Project(#[from] ProjectError),
    /// `[project].version` is not PEP 440.
    #[error("`[project].version` is not a valid PEP 440 version: {reason}")]
    ProjectVersion {
        /// Why.
        reason: String,
        /// Where.
        location: Location,
    },
    /// The root entry of uv.lock records a version that is not PEP 440.
    #[error("uv.lock records an invalid version for `{package}`: {reason}")]
    LockVersion {
        /// The project.
        package: String,
        /// Why.
        reason: String,
        /// Where.
        location: Location,
    },
    /// `--expected-version` is not PEP 440.
    #[error("--expected-version: {0}")]
    ExpectedVersion(String),
    /// The version is dynamic and no built artifacts were given.
    #[error("the project's version is dynamic (`dynamic = [\"version\"]`), so pyproject.toml does not say which version this is")]
    DynamicWithoutDist {
        /// The `dynamic` declaration.
        location: Location,
    },
    /// `--dist` holds no wheel.
    #[error("no wheel in {} to read the dynamic version from", dist.display())]
    NoWheel {
        /// The directory.
        dist: PathBuf,
    },
    /// `--dist` holds no wheel of this project.
    #[error("no wheel of `{package}` in {}", dist.display())]
    NoWheelOfProject {
        /// The project.
        package: String,
        /// The directory.
        dist: PathBuf,
    },
    /// A wheel cannot be read.
    #[error("{0}")]
    Wheel(#[from] pbx_artifact::ArtifactError),
    /// A wheel's METADATA has no usable Version.
    #[error("the wheel's METADATA {reason}")]
    WheelVersion {
        /// The wheel.
        path: PathBuf,
        /// `has no Version`, `Version is invalid: …`.
        reason: String,
    },
    /// The wheels disagree on the version.
    #[error("the wheels in {} disagree on the version: {} says {first}, {} says {second}", dist.display(), first_path.display(), second_path.display())]
    WheelsDisagree {
        /// The directory.
        dist: PathBuf,
        /// One wheel.
        first_path: PathBuf,
        /// Its version.
        first: String,
        /// Another.
        second_path: PathBuf,
        /// Its version.
        second: String,
    },
    /// The artifacts could not be found.
    #[error(transparent)]
    Find(#[from] FindError),
    /// `--tag ""`.
    #[error("--tag is empty")]
    EmptyTag,
    /// A tag with surrounding whitespace or a line break.
    #[error("the tag {tag:?} has surrounding whitespace or a line break: git tags never do")]
    TagWhitespace {
        /// The tag as given.
        tag: String,
    },
    /// No tag was given and `HEAD` carries several.
    #[error("no tag was given and HEAD carries several: {}", tags.join(", "))]
    SeveralHeadTags {
        /// The tags at HEAD.
        tags: Vec<String>,
    },
    /// No tag anywhere.
    #[error("no release tag found; looked at: {}", looked.join("; "))]
    NoTag {
        /// Where it looked, and what each place held.
        looked: Vec<String>,
    },
    /// The Actions event payload cannot be read.
    #[error("cannot read the event payload: {source}")]
    EventUnreadable {
        /// `$GITHUB_EVENT_PATH`.
        path: PathBuf,
        /// Why.
        source: std::io::Error,
    },
    /// The Actions event payload is not JSON.
    #[error("the event payload is not valid JSON: {reason}")]
    EventNotJson {
        /// Where.
        location: Location,
        /// Why.
        reason: String,
    },
}
