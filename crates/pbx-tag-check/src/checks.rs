use std::path::{Path, PathBuf};
use std::str::FromStr;

use pbx_project::{Lane, ProjectVersion, Pyproject, UvLock};
use pbx_report::{Check, CheckSet, Location};

use crate::error::TagCheckError;
use pbx_version::{Tag, Version};
use serde::Serialize;

/// The event that triggered the run (`--event`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Event {
    /// A tag push.
    Push,
    /// A GitHub `release` event.
    Release,
    /// A manual run.
    WorkflowDispatch,
}

impl FromStr for Event {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s {
            "push" => Ok(Event::Push),
            "release" => Ok(Event::Release),
            "workflow_dispatch" => Ok(Event::WorkflowDispatch),
            other => Err(format!(
                "unknown event `{other}`: expected push, release or workflow_dispatch"
            )),
        }
    }
}

/// Everything pbx-tag-check decides on.
#[derive(Clone, Debug)]
pub struct TagCheckInput {
    /// The tag (already resolved), without `refs/tags/`.
    pub tag: String,
    /// The project directory holding pyproject.toml (and uv.lock).
    pub project_dir: PathBuf,
    /// `--expected-version`.
    pub expected_version: Option<String>,
    /// The triggering event.
    pub event: Option<Event>,
    /// An explicit lane, which wins over every rule, and where it was set
    /// (`--target`, `PBX_TARGET`).
    pub target: Option<(Lane, String)>,
    /// `--require-lock`/`--no-require-lock` or `PBX_REQUIRE_LOCK`, when
    /// given; else `[tool.pbx] require-lock`, else false.
    pub require_lock: pbx_settings::Given<bool>,
    /// `--dist DIR`: built artifacts, the source of a dynamic version.
    pub dist: Option<PathBuf>,
}

/// The outcome of pbx-tag-check.
#[derive(Clone, Debug, Serialize)]
pub struct TagReport {
    /// The normalised project name.
    pub package: String,
    /// The canonical version the tag names (or the project's, when the tag
    /// names none).
    pub version: String,
    /// The tag checked.
    pub tag: String,
    /// `testpypi` or `pypi`; `None` when the tag names no release version
    /// (there is nothing to publish).
    pub lane: Option<String>,
    /// Whether the version is a PEP 440 pre-release (a, b, rc, dev).
    pub prerelease: bool,
    /// `final`, `pre`, `post` or `dev`.
    pub kind: String,
    /// Why this lane: which rule or setting decided it.
    pub lane_reason: Option<String>,
    /// Every check, in order.
    pub checks: CheckSet,
}

impl TagReport {
    /// True when every check passed.
    pub fn ok(&self) -> bool {
        self.checks.all_ok()
    }
}

/// A version as written somewhere, for comparison with the tag.
struct Source<'a> {
    what: &'a str,
    raw: String,
    version: Version,
    location: Option<Location>,
}

/// Runs every check of docs/design.md rule 1 and decides the lane (rule 2).
pub fn check(input: &TagCheckInput) -> Result<TagReport, TagCheckError> {
    let pyproject_path = input.project_dir.join("pyproject.toml");
    let pyproject = Pyproject::read(&pyproject_path)?;
    let prefix = pyproject.config.tag_prefix.clone();
    let mut checks = CheckSet::default();

    // The tag itself.
    let tag = match Tag::parse(&input.tag, &prefix) {
        Ok(tag) => {
            let mut check = Check::pass(
                "tag-format",
                format!(
                    "`{}` is `{prefix}` + the PEP 440 version {}",
                    tag.name, tag.version
                ),
            );
            let canonical = Tag::for_version(&tag.version, &prefix);
            if canonical != tag.name {
                check = check.warn(format!(
                    "the canonical spelling of this tag is `{canonical}`"
                ));
            }
            checks.push(check);
            Some(tag)
        }
        Err(err) => {
            checks.push(Check::fail("tag-format", err.to_string()));
            None
        }
    };

    // The project's version: static, or from the built artifacts.
    let project_version = match &pyproject.version {
        ProjectVersion::Static(located) => {
            let version =
                Version::parse(&located.value).map_err(|err| TagCheckError::ProjectVersion {
                    reason: err.reason,
                    location: located.location.clone(),
                })?;
            Source {
                what: "pyproject.toml",
                raw: located.value.clone(),
                version,
                location: Some(located.location.clone()),
            }
        }
        ProjectVersion::Dynamic(location) => dist_version(input, &pyproject, location)?,
    };

    let reference = tag.as_ref().map(|t| Source {
        what: "the tag",
        raw: t.name.strip_prefix(&prefix).unwrap_or(&t.name).to_string(),
        version: t.version.clone(),
        location: None,
    });
    let compare_to = reference.as_ref().unwrap_or(&project_version);

    if reference.is_some() {
        checks.push(compare(
            "tag-matches-pyproject",
            compare_to,
            &project_version,
        ));
    }

    // uv.lock.
    let lock_path = input.project_dir.join("uv.lock");
    let require_lock = input
        .require_lock
        .clone()
        .or(
            pyproject
                .config
                .require_lock
                .map(|v| (v, "[tool.pbx] require-lock".to_string())),
            false,
        )
        .value;
    if lock_path.exists() {
        let lock = UvLock::read(&lock_path, &pyproject.package)?;
        match &lock.root.version {
            Some(located) => {
                let version =
                    Version::parse(&located.value).map_err(|err| TagCheckError::LockVersion {
                        package: pyproject.package.to_string(),
                        reason: err.reason,
                        location: located.location.clone(),
                    })?;
                let locked = Source {
                    what: "uv.lock",
                    raw: located.value.clone(),
                    version,
                    location: Some(located.location.clone()),
                };
                let name = if reference.is_some() {
                    "tag-matches-uv-lock"
                } else {
                    "pyproject-matches-uv-lock"
                };
                checks.push(compare(name, compare_to, &locked));
            }
            None => checks.push(
                Check::pass(
                    "tag-matches-uv-lock",
                    "uv.lock records no version for the root project (its version is dynamic)",
                )
                .at(Some(&lock.root.location)),
            ),
        }
    } else if require_lock {
        checks.push(
            Check::fail(
                "uv-lock-present",
                "uv.lock is missing and the project requires it; run `uv lock` and commit uv.lock",
            )
            .at(Some(&Location::file(&lock_path))),
        );
    } else {
        checks.push(
            Check::pass("uv-lock-present", "no uv.lock: nothing to compare").warn(
                "uv.lock is missing, so its version was not checked; commit it (`uv lock`), or set `[tool.pbx] require-lock = true` to make this a failure",
            ),
        );
    }

    // --expected-version.
    if let Some(expected) = &input.expected_version {
        let version = Version::parse(expected)
            .map_err(|err| TagCheckError::ExpectedVersion(err.to_string()))?;
        let expected = Source {
            what: "--expected-version",
            raw: expected.clone(),
            version,
            location: None,
        };
        checks.push(compare("expected-version", compare_to, &expected));
    }

    // Local segment.
    let version = compare_to.version.clone();
    checks.push(if version.has_local() {
        Check::fail(
            "no-local-version",
            format!(
                "{version} has a local segment (`+…`), which PyPI and TestPyPI reject; release {} instead",
                version.public()
            ),
        )
        .at(compare_to.location.as_ref())
    } else {
        Check::pass("no-local-version", format!("{version} has no local segment"))
    });

    let (lane, lane_reason) = match &tag {
        Some(_) => {
            let (lane, why) = decide_lane(input, &pyproject, &version);
            (Some(lane.to_string()), Some(why))
        }
        None => (None, None),
    };
    Ok(TagReport {
        package: pyproject.package.to_string(),
        version: version.canonical(),
        tag: input.tag.clone(),
        lane,
        prerelease: version.is_prerelease(),
        kind: version.kind().to_string(),
        lane_reason,
        checks,
    })
}

fn compare(name: &str, reference: &Source<'_>, other: &Source<'_>) -> Check {
    if reference.version != other.version {
        return Check::fail(
            name,
            format!(
                "{} names {} but {} has {}",
                reference.what, reference.version, other.what, other.raw
            ),
        )
        .at(other.location.as_ref());
    }
    let check = Check::pass(
        name,
        format!(
            "{} and {} agree on {}",
            reference.what, other.what, reference.version
        ),
    )
    .at(other.location.as_ref());
    if reference.raw != other.raw {
        check.warn(format!(
            "{} spells it `{}` and {} `{}`: equal versions, canonical form `{}`",
            reference.what,
            reference.raw,
            other.what,
            other.raw,
            reference.version.canonical()
        ))
    } else {
        check
    }
}

fn decide_lane(input: &TagCheckInput, pyproject: &Pyproject, version: &Version) -> (Lane, String) {
    let routing = &pyproject.config.lanes;
    if let Some((target, source)) = &input.target {
        return (*target, source.clone());
    }
    let defaults = pbx_project::LaneRouting::default();
    if input.event == Some(Event::Release) {
        let why = if routing.release_event == defaults.release_event {
            "a release event"
        } else {
            "a release event, routed by [tool.pbx.lanes] release-event"
        };
        return (routing.release_event, why.to_string());
    }
    let (lane, what) = routing.route(version.kind());
    if lane == defaults.route(version.kind()).0 {
        (lane, format!("{what} tag"))
    } else {
        (lane, format!("{what} tag, routed by [tool.pbx.lanes]"))
    }
}

/// The version of a `dynamic = ["version"]` project, read from the wheels
/// in `--dist`.
fn dist_version<'a>(
    input: &TagCheckInput,
    pyproject: &Pyproject,
    dynamic_at: &Location,
) -> Result<Source<'a>, TagCheckError> {
    let Some(dist) = &input.dist else {
        return Err(TagCheckError::DynamicWithoutDist {
            location: dynamic_at.clone(),
        });
    };
    let wheels = list_wheels(dist)?;
    if wheels.is_empty() {
        return Err(TagCheckError::NoWheel { dist: dist.clone() });
    }
    let mut found: Option<(Version, String, PathBuf)> = None;
    for path in wheels {
        let (filename, metadata) = pbx_artifact::read_wheel_metadata(&path)?;
        if filename.name != pyproject.package {
            continue;
        }
        let raw = metadata
            .get("Version")
            .ok_or_else(|| TagCheckError::WheelVersion {
                path: path.clone(),
                reason: "has no Version".into(),
            })?;
        let version = Version::parse(raw).map_err(|err| TagCheckError::WheelVersion {
            path: path.clone(),
            reason: format!("Version is invalid: {err}"),
        })?;
        if let Some((seen, _, seen_path)) = &found {
            if *seen != version {
                return Err(TagCheckError::WheelsDisagree {
                    dist: dist.clone(),
                    first_path: seen_path.clone(),
                    first: seen.to_string(),
                    second_path: path,
                    second: version.to_string(),
                });
            }
        } else {
            found = Some((version, raw.to_string(), path));
        }
    }
    let Some((version, raw, path)) = found else {
        return Err(TagCheckError::NoWheelOfProject {
            package: pyproject.package.to_string(),
            dist: dist.clone(),
        });
    };
    Ok(Source {
        what: "the built wheel",
        raw,
        version,
        location: Some(Location::file(path)),
    })
}

/// The wheels among the release's artifacts in `dist`, found by the one
/// rule of [`pbx_release::disk::find`].
fn list_wheels(dist: &Path) -> Result<Vec<PathBuf>, TagCheckError> {
    match pbx_release::disk::find(&[dist.to_path_buf()]) {
        Ok(found) => Ok(found
            .into_iter()
            .filter(|p| p.extension().is_some_and(|e| e == "whl"))
            .collect()),
        Err(pbx_release::disk::FindError::NoArtifacts { .. }) => Ok(Vec::new()),
        Err(err) => Err(err.into()),
    }
}
