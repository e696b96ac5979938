//! `pbx-checksum inspect`: the release on disk, inspected by the one
//! inspection every command shares ([`pbx_release::disk::inspect`]).

use std::path::PathBuf;

use pbx_artifact::Limits;
use pbx_release::disk;
use pbx_version::Version;

pub use pbx_release::disk::{ArtifactReport, InspectReport};

use crate::error::ChecksumError;

/// What the artifacts must name (`--expect-name`, `--expect-version`), as
/// given on the command line.
#[derive(Clone, Debug, Default)]
pub struct Expectations {
    /// The project name (compared after PEP 503 normalisation).
    pub name: Option<String>,
    /// The version (compared as PEP 440 versions).
    pub version: Option<String>,
}

/// Inspects the artifacts named by `paths` in parallel, with the default
/// [`Limits`].
pub fn inspect(paths: &[PathBuf], expect: &Expectations) -> Result<InspectReport, ChecksumError> {
    inspect_with_limits(paths, expect, &Limits::default())
}

/// [`inspect`] with these limits (`--max-expanded-size`).
pub fn inspect_with_limits(
    paths: &[PathBuf],
    expect: &Expectations,
    limits: &Limits,
) -> Result<InspectReport, ChecksumError> {
    inspect_with(paths, expect, limits, &pbx_artifact::NoProgress)
}

/// [`inspect_with_limits`], telling `progress` how the hashing of the
/// whole files goes.
pub fn inspect_with(
    paths: &[PathBuf],
    expect: &Expectations,
    limits: &Limits,
    progress: &dyn pbx_artifact::HashProgress,
) -> Result<InspectReport, ChecksumError> {
    let version = expect
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
    let found = disk::find(paths)?;
    Ok(disk::inspect_files_with(
        &found,
        &disk::Expectations {
            name: expect.name.clone(),
            version,
        },
        limits,
        disk::Digests::Compute,
        progress,
    ))
}
