use std::fs::File;
use std::io::Read;
use std::path::Path;

use crate::error::ArtifactError;
use crate::filename::DistFilename;
use crate::metadata::CoreMetadata;

/// The most METADATA we read (a generous bound: real files are kilobytes).
const MAX_METADATA_BYTES: u64 = 16 * 1024 * 1024;

/// Reads the `METADATA` of the wheel at `path` from its own
/// `{name}-{version}.dist-info` directory.
pub fn read_wheel_metadata(path: &Path) -> Result<(DistFilename, CoreMetadata), ArtifactError> {
    let archive_error = |reason: String| ArtifactError::Archive {
        path: path.to_path_buf(),
        reason,
    };
    let filename = path
        .file_name()
        .and_then(|n| n.to_str())
        .ok_or_else(|| archive_error("the path has no file name".into()))?;
    let dist = DistFilename::parse(filename)?;
    let file = File::open(path).map_err(|source| ArtifactError::Io {
        path: path.to_path_buf(),
        source,
    })?;
    let mut zip = zip::ZipArchive::new(file)
        .map_err(|e| archive_error(format!("not a valid zip archive: {e}")))?;
    let names: Vec<String> = zip
        .file_names()
        .map(|name| name.map(|n| n.into_owned()))
        .collect::<Result<_, _>>()
        .map_err(|e| archive_error(format!("unreadable member name: {e}")))?;
    let dist_info: Vec<String> = names
        .into_iter()
        .filter(|n| {
            n.split_once('/').is_some_and(|(dir, rest)| {
                rest == "METADATA"
                    && dir.ends_with(".dist-info")
                    && dir
                        .strip_suffix(".dist-info")
                        .and_then(|stem| stem.rsplit_once('-'))
                        .is_some_and(|(name, _)| pbx_version::normalize(name) == dist.name.as_str())
            })
        })
        .collect();
    let member = match dist_info.as_slice() {
        [one] => one.clone(),
        [] => {
            return Err(archive_error(format!(
                "no `{}-*.dist-info/METADATA` in the wheel",
                dist.name.as_dist_info_name()
            )))
        }
        _ => {
            return Err(archive_error(format!(
                "more than one .dist-info/METADATA: {}",
                dist_info.join(", ")
            )))
        }
    };
    let entry = zip
        .by_name(&member)
        .map_err(|e| archive_error(format!("cannot read {member}: {e}")))?;
    let mut text = String::new();
    entry
        .take(MAX_METADATA_BYTES)
        .read_to_string(&mut text)
        .map_err(|e| archive_error(format!("{member} is not readable UTF-8 text: {e}")))?;
    Ok((dist, CoreMetadata::parse(&text)))
}
