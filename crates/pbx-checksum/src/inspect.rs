//! `pbx-checksum inspect`: each artifact against itself, and all of them
//! against one name and version.

use std::collections::BTreeSet;
use std::path::PathBuf;

use pbx_artifact::{inspect as inspect_artifact, sha256_file, Inspection, Limits, Sha256};
use pbx_report::{Check, CheckSet, ExitStatus, Location, Problem};
use pbx_version::{normalize, Version};
use rayon::prelude::*;
use serde::Serialize;

use crate::collect::collect_artifacts;
use crate::error::{artifact_problem, ChecksumError};

/// What the artifacts must name (`--expect-name`, `--expect-version`).
#[derive(Clone, Debug, Default)]
pub struct Expectations {
    /// The project name (compared after PEP 503 normalisation).
    pub name: Option<String>,
    /// The version (compared as PEP 440 versions).
    pub version: Option<String>,
}

/// One artifact's outcome.
#[derive(Clone, Debug, Serialize)]
pub struct ArtifactReport {
    /// The artifact as given.
    pub path: PathBuf,
    /// Its SHA-256, when it could be read.
    pub sha256: Option<Sha256>,
    /// Its size in bytes.
    pub size: Option<u64>,
    /// What inspecting it found, when it could be read safely.
    pub inspection: Option<Inspection>,
    /// Why it could not be used (hostile, damaged, unreadable).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
    /// The same as a problem (exit 2), for the report.
    #[serde(skip)]
    pub problem: Option<Problem>,
}

/// What `inspect` found.
#[derive(Clone, Debug, Serialize)]
pub struct InspectReport {
    /// Whether every check passed and every artifact was readable.
    pub ok: bool,
    /// The one project name, when the artifacts agree on it.
    pub name: Option<String>,
    /// The one version (canonical), when the artifacts agree on it.
    pub version: Option<String>,
    /// Every artifact, sorted by path.
    pub artifacts: Vec<ArtifactReport>,
    /// Every check, per artifact and across them.
    pub checks: CheckSet,
}

impl InspectReport {
    /// 2 when an artifact could not be used, else 1 when a check failed,
    /// else 0.
    pub fn status(&self) -> ExitStatus {
        if self.artifacts.iter().any(|a| a.problem.is_some()) {
            ExitStatus::InputError
        } else {
            ExitStatus::from_ok(self.checks.all_ok())
        }
    }
}

/// Inspects the artifacts named by `paths` in parallel, within the default
/// [`Limits`].
pub fn inspect(paths: &[PathBuf], expect: &Expectations) -> Result<InspectReport, ChecksumError> {
    inspect_with_limits(paths, expect, &Limits::default())
}

/// [`inspect`] within `limits` (`--max-expanded-size` raises
/// [`Limits::max_total_bytes`]).
pub fn inspect_with_limits(
    paths: &[PathBuf],
    expect: &Expectations,
    limits: &Limits,
) -> Result<InspectReport, ChecksumError> {
    let expected_version = expect
        .version
        .as_deref()
        .map(|v| {
            Version::parse(v).map_err(|reason| {
                ChecksumError::Usage(format!(
                    "--expect-version `{v}` is not a PEP 440 version: {reason}"
                ))
            })
        })
        .transpose()?;
    let artifacts = collect_artifacts(paths)?;
    let artifacts: Vec<ArtifactReport> = artifacts
        .par_iter()
        .map(|path| {
            let digest = sha256_file(path);
            let inspected = inspect_artifact(path, limits);
            let error = digest.as_ref().err().or(inspected.as_ref().err());
            let problem = error.map(artifact_problem);
            ArtifactReport {
                path: path.clone(),
                sha256: digest.as_ref().ok().map(|d| d.sha256),
                size: digest.as_ref().ok().map(|d| d.size),
                error: error.map(ToString::to_string),
                inspection: inspected.ok(),
                problem,
            }
        })
        .collect();

    let mut checks = CheckSet::default();
    for artifact in &artifacts {
        let filename = artifact
            .path
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        let location = Location::file(&artifact.path);
        if let Some(problem) = &artifact.problem {
            checks.push(
                Check::fail(format!("{filename}: archive"), problem.message.clone())
                    .at(Some(&location)),
            );
            continue;
        }
        if let Some(inspection) = &artifact.inspection {
            for finding in &inspection.findings {
                let check = Check::new(
                    format!("{filename}: {}", finding.check),
                    finding.ok,
                    finding.message.clone(),
                );
                // Failures point at the artifact (an annotation on it).
                checks.push(if finding.ok {
                    check
                } else {
                    check.at(Some(&location))
                });
            }
        }
    }

    let inspected: Vec<&Inspection> = artifacts
        .iter()
        .filter_map(|a| a.inspection.as_ref())
        .collect();
    let releases: BTreeSet<(String, String)> = inspected
        .iter()
        .map(|i| (i.name.clone(), i.version.clone()))
        .collect();
    let (name, version) = match releases.iter().collect::<Vec<_>>().as_slice() {
        [(name, version)] => (Some(name.clone()), Some(version.clone())),
        _ => (None, None),
    };
    if inspected.len() > 1 || releases.len() > 1 {
        checks.push(match (&name, &version) {
            (Some(name), Some(version)) => Check::pass(
                "same-release",
                format!(
                    "all {} inspected artifacts are {name} {version}",
                    inspected.len()
                ),
            ),
            _ => Check::fail(
                "same-release",
                format!(
                    "the artifacts name more than one release: {}",
                    releases
                        .iter()
                        .map(|(n, v)| format!("{n} {v}"))
                        .collect::<Vec<_>>()
                        .join(", ")
                ),
            ),
        });
    }
    if let Some(expected) = &expect.name {
        let wanted = normalize(expected);
        let wrong: Vec<&str> = inspected
            .iter()
            .filter(|i| i.name != wanted)
            .map(|i| i.filename.as_str())
            .collect();
        checks.push(if wrong.is_empty() {
            Check::pass("expect-name", format!("every artifact is {wanted}"))
        } else {
            Check::fail(
                "expect-name",
                format!("expected {wanted}, but not in: {}", wrong.join(", ")),
            )
        });
    }
    if let (Some(expected), Some(raw)) = (&expected_version, &expect.version) {
        let wrong: Vec<String> = inspected
            .iter()
            .filter(|i| &i.dist.version != expected)
            .map(|i| format!("{} ({})", i.filename, i.version))
            .collect();
        checks.push(if wrong.is_empty() {
            Check::pass(
                "expect-version",
                format!("every artifact is version {}", expected.canonical()),
            )
        } else {
            Check::fail(
                "expect-version",
                format!("expected version {raw}, but found: {}", wrong.join(", ")),
            )
        });
    }
    let ok = checks.all_ok() && artifacts.iter().all(|a| a.problem.is_none());
    Ok(InspectReport {
        ok,
        name,
        version,
        artifacts,
        checks,
    })
}
