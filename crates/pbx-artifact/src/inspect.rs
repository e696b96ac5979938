//! One artifact checked against itself: the archive's own checks (RECORD,
//! WHEEL, layout) plus the name and version agreeing between the filename
//! and the core metadata.

use std::path::Path;

use pbx_version::{normalize, Version};
use serde::Serialize;

use crate::accept::acceptance_findings;
use crate::error::ArtifactError;
use crate::filename::{DistFilename, DistKind};
use crate::limits::Limits;
use crate::metadata::CoreMetadata;
use crate::sdist::{inspect_sdist, sdist_stem};
use crate::wheel::inspect_wheel;

/// One named check of an artifact and its outcome.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Finding {
    /// A short stable identifier (`record`, `version`).
    pub check: String,
    /// Whether it passed.
    pub ok: bool,
    /// What was found, naming the member when there is one.
    pub message: String,
    /// The archive member it is about.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub member: Option<String>,
}

impl Finding {
    /// A passed check.
    pub fn pass(check: &str, message: impl Into<String>) -> Self {
        Finding {
            check: check.to_string(),
            ok: true,
            message: message.into(),
            member: None,
        }
    }

    /// A failed check.
    pub fn fail(check: &str, message: impl Into<String>) -> Self {
        Finding {
            ok: false,
            ..Finding::pass(check, message)
        }
    }

    /// Names the member the check is about.
    pub fn member(mut self, member: &str) -> Self {
        self.member = Some(member.to_string());
        self
    }
}

/// What inspecting one artifact found.
#[derive(Clone, Debug, Serialize)]
pub struct Inspection {
    /// The artifact's filename.
    pub filename: String,
    /// `wheel` or `sdist`.
    pub kind: &'static str,
    /// The project name from the filename (normalised).
    pub name: String,
    /// The version from the filename (canonical).
    pub version: String,
    /// `Name` from METADATA / PKG-INFO.
    pub metadata_name: Option<String>,
    /// `Version` from METADATA / PKG-INFO.
    pub metadata_version: Option<String>,
    /// Members in the archive.
    pub members: usize,
    /// Their decompressed size.
    pub unpacked_bytes: u64,
    /// Every check, passed and failed.
    pub findings: Vec<Finding>,
    /// The parsed filename.
    #[serde(skip)]
    pub dist: DistFilename,
}

impl Inspection {
    /// Whether every check passed.
    pub fn ok(&self) -> bool {
        self.findings.iter().all(|f| f.ok)
    }
}

/// Inspects the wheel or sdist at `path` (see [`inspect_wheel`] and
/// [`inspect_sdist`]) and checks that the filename and the core metadata
/// name the same project and version. Hostile or unreadable archives are
/// errors; mismatches are failed [`Finding`]s.
pub fn inspect(path: &Path, limits: &Limits) -> Result<Inspection, ArtifactError> {
    let dist = DistFilename::from_path(path)?;
    let filename = dist.filename.as_str();
    let (metadata, metadata_member, mut findings, members, unpacked_bytes) = match dist.kind {
        DistKind::Wheel => {
            let wheel = inspect_wheel(path, limits)?;
            let member = format!("{}/METADATA", wheel.dist_info);
            (
                wheel.metadata,
                member,
                wheel.findings,
                wheel.members,
                wheel.unpacked_bytes,
            )
        }
        DistKind::Sdist => {
            let sdist = inspect_sdist(path, limits)?;
            let mut findings = Vec::new();
            let stem = sdist_stem(filename);
            findings.push(if sdist.top_dir == stem {
                Finding::pass("sdist-dir", format!("PKG-INFO is in `{stem}/`"))
            } else {
                Finding::fail(
                    "sdist-dir",
                    format!(
                        "PKG-INFO is in `{}/`, the filename says `{stem}/`",
                        sdist.top_dir
                    ),
                )
            });
            findings.push(match sdist.outside_top_dir.as_slice() {
                [] => Finding::pass(
                    "layout",
                    format!("all {} entries are under `{}/`", sdist.members, sdist.top_dir),
                ),
                outside => Finding::fail(
                    "layout",
                    format!(
                        "{} entries are outside `{}/` (first: `{}`): an sdist has one top-level directory",
                        outside.len(),
                        sdist.top_dir,
                        outside[0]
                    ),
                ),
            });
            let member = format!("{}/PKG-INFO", sdist.top_dir);
            (
                sdist.pkg_info,
                member,
                findings,
                sdist.members,
                sdist.unpacked_bytes,
            )
        }
    };
    findings.extend(metadata_findings(&dist, &metadata, &metadata_member));
    let file_size = std::fs::metadata(path).ok().map(|m| m.len());
    findings.extend(
        acceptance_findings(&dist, &metadata, file_size, limits)
            .into_iter()
            .map(|f| match f.check.as_str() {
                "filename" | "file-size" => f,
                _ => f.member(&metadata_member),
            }),
    );
    Ok(Inspection {
        filename: filename.to_string(),
        kind: match dist.kind {
            DistKind::Wheel => "wheel",
            DistKind::Sdist => "sdist",
        },
        name: dist.name.to_string(),
        version: dist.version.canonical(),
        metadata_name: metadata.get("Name").map(str::to_string),
        metadata_version: metadata.get("Version").map(str::to_string),
        members,
        unpacked_bytes,
        findings,
        dist,
    })
}

/// Name and version in the core metadata against the filename.
fn metadata_findings(dist: &DistFilename, metadata: &CoreMetadata, member: &str) -> Vec<Finding> {
    let file = member.rsplit('/').next().unwrap_or(member);
    let mut findings = Vec::new();
    findings.push(match metadata.get("Metadata-Version") {
        Some(v) => Finding::pass("metadata", format!("{file} is core metadata {v}")),
        None => Finding::fail("metadata", format!("{file} has no Metadata-Version")),
    });
    findings.push(match metadata.get("Name") {
        Some(name) if normalize(name) == dist.name.as_str() => Finding::pass(
            "name",
            format!(
                "{file} Name `{name}` matches the filename's `{}`",
                dist.raw_name
            ),
        ),
        Some(name) => Finding::fail(
            "name",
            format!(
                "{file} Name `{name}` differs from the filename's `{}`",
                dist.raw_name
            ),
        ),
        None => Finding::fail("name", format!("{file} has no Name")),
    });
    findings.push(match metadata.get("Version") {
        Some(v) => match Version::parse(v) {
            Ok(parsed) if parsed == dist.version => Finding::pass(
                "version",
                format!("{file} Version {v} matches the filename"),
            ),
            Ok(_) => Finding::fail(
                "version",
                format!(
                    "{file} Version {v} differs from the filename's {}",
                    dist.version
                ),
            ),
            Err(e) => Finding::fail(
                "version",
                format!("{file} Version `{v}` is not a PEP 440 version: {e}"),
            ),
        },
        None => Finding::fail("version", format!("{file} has no Version")),
    });
    if dist.version.has_local() {
        findings.push(Finding::fail(
            "local-version",
            format!(
                "the version {} has a local segment (`+{}`): public indexes and pbx-upload refuse it; drop the `+…` part and build again",
                dist.version,
                dist.version.to_string().split_once('+').map(|(_, l)| l).unwrap_or_default()
            ),
        ));
    }
    for finding in &mut findings {
        finding.member = Some(member.to_string());
    }
    findings
}
