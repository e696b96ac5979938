//! `pbx-checksum write`: the manifest of a set of artifacts.

use std::io::Write as _;
use std::path::{Path, PathBuf};

use pbx_artifact::{sha256_files_with, Sha256};
use serde::Serialize;

use crate::collect::{collect_artifacts, relative_name};
use crate::error::ChecksumError;
use crate::manifest::manifest_line;

/// The manifest's name when none is given.
pub const DEFAULT_MANIFEST: &str = "SHA256SUMS";

/// One line of a written manifest.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct WrittenFile {
    /// The name in the manifest (relative to its directory).
    pub name: String,
    /// The digest.
    pub sha256: Sha256,
    /// The size in bytes.
    pub size: u64,
}

/// What `write` produced.
#[derive(Clone, Debug, Serialize)]
pub struct WriteReport {
    /// The manifest written, `None` when it went to stdout only.
    pub manifest: Option<PathBuf>,
    /// Its lines, sorted by name.
    pub files: Vec<WrittenFile>,
    /// The manifest's exact text.
    #[serde(skip)]
    pub text: String,
}

/// Where the manifest goes when `-o` is not given: `SHA256SUMS` inside the
/// one directory named (`dist/` by default), else next to the artifacts
/// when they share a directory, else in the current directory.
pub fn default_manifest_path(paths: &[PathBuf], artifacts: &[PathBuf]) -> PathBuf {
    if let [only] = paths {
        if only.is_dir() {
            return only.join(DEFAULT_MANIFEST);
        }
    }
    let parents: std::collections::BTreeSet<&Path> =
        artifacts.iter().filter_map(|a| a.parent()).collect();
    match parents.into_iter().collect::<Vec<_>>().as_slice() {
        [one] => one.join(DEFAULT_MANIFEST),
        _ => PathBuf::from(DEFAULT_MANIFEST),
    }
}

/// Hashes the artifacts named by `paths` (files, or directories holding
/// them) and writes the manifest to `output` atomically, or only renders it
/// when `output` is `None`. Names are relative to the manifest's directory
/// (to the current directory without a file), sorted byte-wise as
/// `LC_ALL=C sort` would.
pub fn write(paths: &[PathBuf], output: Option<&Path>) -> Result<WriteReport, ChecksumError> {
    write_with(paths, output, &pbx_artifact::NoProgress)
}

/// [`write()`], telling `progress` how the hashing goes.
pub fn write_with(
    paths: &[PathBuf],
    output: Option<&Path>,
    progress: &dyn pbx_artifact::HashProgress,
) -> Result<WriteReport, ChecksumError> {
    let mut artifacts = collect_artifacts(paths)?;
    let base = match output {
        Some(out) => match out.parent() {
            Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
            _ => PathBuf::from("."),
        },
        None => PathBuf::from("."),
    };
    if !base.is_dir() {
        return Err(ChecksumError::NotFound { path: base });
    }
    if let Some(out) = output.filter(|out| out.is_dir()) {
        return Err(ChecksumError::Usage(format!(
            "-o {} is a directory: name the manifest file (e.g. {})",
            out.display(),
            out.join(DEFAULT_MANIFEST).display()
        )));
    }
    // Never list the manifest in itself.
    if let Some(out) = output {
        if let Ok(out) = std::fs::canonicalize(out) {
            artifacts.retain(|a| std::fs::canonicalize(a).map_or(true, |a| a != out));
        }
    }
    let mut named = Vec::with_capacity(artifacts.len());
    for artifact in &artifacts {
        let name = relative_name(&base, artifact)?;
        // A manifest names the files beside it (or below): `pbx-checksum
        // verify` never reads outside the manifest's directory.
        if name.starts_with("../") && output.is_some() {
            return Err(ChecksumError::Usage(format!(
                "{} is outside {}: a manifest names only the files in its own directory (or below); write it next to the artifacts (e.g. -o {}), or print it with -o -",
                artifact.display(),
                base.display(),
                artifact
                    .parent()
                    .unwrap_or(std::path::Path::new("."))
                    .join(DEFAULT_MANIFEST)
                    .display()
            )));
        }
        named.push((name, artifact.clone()));
    }
    named.sort_by(|a, b| a.0.as_bytes().cmp(b.0.as_bytes()));
    named.dedup_by(|a, b| a.0 == b.0);
    let paths: Vec<PathBuf> = named.iter().map(|(_, p)| p.clone()).collect();
    let mut files = Vec::with_capacity(paths.len());
    for ((name, _), digest) in named.iter().zip(sha256_files_with(&paths, progress)) {
        let digest = digest?;
        files.push(WrittenFile {
            name: name.clone(),
            sha256: digest.sha256,
            size: digest.size,
        });
    }
    let text: String = files
        .iter()
        .map(|f| manifest_line(&f.name, &f.sha256))
        .collect();
    if let Some(out) = output {
        write_atomically(out, &base, text.as_bytes())?;
    }
    Ok(WriteReport {
        manifest: output.map(Path::to_path_buf),
        files,
        text,
    })
}

/// Writes `bytes` to a temp file in `dir`, flushes it to disk, then renames
/// it over `path`: readers see the old manifest or the new one, never half.
fn write_atomically(path: &Path, dir: &Path, bytes: &[u8]) -> Result<(), ChecksumError> {
    let write_error = |source| ChecksumError::Write {
        path: path.to_path_buf(),
        source,
    };
    let mut temp = tempfile::Builder::new()
        .prefix(".pbx-checksum-")
        .suffix(".tmp")
        .tempfile_in(dir)
        .map_err(write_error)?;
    temp.write_all(bytes).map_err(write_error)?;
    temp.as_file().sync_all().map_err(write_error)?;
    match std::fs::metadata(path) {
        Ok(existing) if existing.is_file() => {
            std::fs::set_permissions(temp.path(), existing.permissions()).map_err(write_error)?
        }
        _ => set_default_permissions(temp.path()).map_err(write_error)?,
    }
    temp.persist(path).map_err(|e| write_error(e.error))?;
    Ok(())
}

/// A new manifest is world-readable like one written by `sha256sum > FILE`
/// (temp files start private).
#[cfg(unix)]
fn set_default_permissions(path: &Path) -> std::io::Result<()> {
    use std::os::unix::fs::PermissionsExt as _;
    std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o644))
}

#[cfg(not(unix))]
fn set_default_permissions(_path: &Path) -> std::io::Result<()> {
    Ok(())
}
