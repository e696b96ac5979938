//! Source distributions (`name-version.tar.gz`): the top-level `PKG-INFO`,
//! read in one streaming pass that refuses hostile archives.

use std::collections::{BTreeMap, HashSet};
use std::fs::File;
use std::io::{self, Read};
use std::path::Path;
use std::sync::{Arc, Mutex};

use flate2::read::GzDecoder;

use crate::error::ArtifactError;
use crate::filename::{DistFilename, DistKind};
use crate::limits::{normalize_member, resolve_link, unsafe_member_name, Limits};
use crate::metadata::CoreMetadata;

/// The most PKG-INFO we read (real files are kilobytes).
const MAX_PKG_INFO_BYTES: u64 = 16 * 1024 * 1024;

/// What one pass over an sdist found.
#[derive(Clone, Debug)]
pub struct SdistContents {
    /// The parsed filename.
    pub dist: DistFilename,
    /// The top-level directory holding `PKG-INFO` (`name-version`).
    pub top_dir: String,
    /// The top-level `PKG-INFO`.
    pub pkg_info: CoreMetadata,
    /// How many entries the archive holds.
    pub members: usize,
    /// The decompressed size of the tar stream.
    pub unpacked_bytes: u64,
    /// Entries that are not under `top_dir` (the sdist format puts every
    /// file in the one top-level directory).
    pub outside_top_dir: Vec<String>,
}

/// Reads the top-level `<name>-<version>/PKG-INFO` of the sdist at `path`.
///
/// The whole archive is scanned (never extracted) and refused when it is
/// unsafe: `..` or absolute entries, duplicate names, links that leave the
/// tree, device files, more than one top-level `PKG-INFO`, or a
/// decompressed size or ratio beyond [`Limits::default`].
pub fn read_sdist_metadata(path: &Path) -> Result<(DistFilename, CoreMetadata), ArtifactError> {
    let contents = inspect_sdist(path, &Limits::default())?;
    Ok((contents.dist, contents.pkg_info))
}

/// Scans the sdist at `path` within `limits` (see [`read_sdist_metadata`]).
pub fn inspect_sdist(path: &Path, limits: &Limits) -> Result<SdistContents, ArtifactError> {
    let archive_error = |reason: String| ArtifactError::Archive {
        path: path.to_path_buf(),
        reason,
    };
    let unsafe_error = |reason: String| ArtifactError::Unsafe {
        path: path.to_path_buf(),
        reason,
    };
    let dist = DistFilename::from_path(path)?;
    let filename = dist.filename.as_str();
    if dist.kind != DistKind::Sdist {
        return Err(archive_error(
            "not an sdist (expected name-version.tar.gz)".into(),
        ));
    }
    let Some(stem) = filename.strip_suffix(".tar.gz") else {
        return Err(archive_error(
            "zip sdists are not supported: sdists are .tar.gz (PEP 625); rebuild with `uv build --sdist`".into(),
        ));
    };
    let file = File::open(path).map_err(|source| ArtifactError::Io {
        path: path.to_path_buf(),
        source,
    })?;
    let guard = Arc::new(Mutex::new(Guard::default()));
    let compressed = Counting {
        inner: file,
        guard: Arc::clone(&guard),
    };
    let bounded = Bounded {
        inner: GzDecoder::new(compressed),
        guard: Arc::clone(&guard),
        limits: *limits,
    };
    let mut archive = tar::Archive::new(bounded);
    // A read error is either the bomb guard tripping or real damage.
    let read_error = |what: &str, e: io::Error| -> ArtifactError {
        match guard.lock().ok().and_then(|g| g.tripped.clone()) {
            Some(reason) => unsafe_error(reason),
            None => archive_error(format!("{what}: {e} (not a valid .tar.gz)")),
        }
    };

    let mut files: HashSet<String> = HashSet::new();
    let mut dirs: HashSet<String> = HashSet::new();
    let mut pkg_infos: BTreeMap<String, String> = BTreeMap::new();
    let mut names: Vec<String> = Vec::new();
    let entries = archive
        .entries()
        .map_err(|e| read_error("cannot read the archive", e))?;
    for entry in entries {
        let mut entry = entry.map_err(|e| read_error("cannot read the next entry", e))?;
        let raw = entry.path_bytes();
        let name = std::str::from_utf8(&raw)
            .map_err(|_| {
                archive_error(format!(
                    "entry `{}` has a name that is not UTF-8",
                    String::from_utf8_lossy(&raw)
                ))
            })?
            .to_string();
        let kind = entry.header().entry_type();
        if kind.is_pax_global_extensions() || kind.is_pax_local_extensions() {
            continue;
        }
        if let Some(reason) = unsafe_member_name(&name) {
            return Err(unsafe_error(format!("entry `{name}` {reason}")));
        }
        let normal = normalize_member(&name);
        if normal.is_empty() {
            continue;
        }
        if names.len() >= limits.max_members {
            return Err(unsafe_error(format!(
                "more than {} entries",
                limits.max_members
            )));
        }
        names.push(normal.clone());
        if kind.is_dir() {
            if files.contains(&normal) {
                return Err(unsafe_error(format!(
                    "`{normal}` is both a file and a directory"
                )));
            }
            dirs.insert(normal);
            continue;
        }
        if dirs.contains(&normal) || !files.insert(normal.clone()) {
            return Err(unsafe_error(format!(
                "`{normal}` appears more than once: tools that read the first copy and tools that read the last would see different files"
            )));
        }
        if kind.is_symlink() || kind.is_hard_link() {
            let target_raw = entry.link_name_bytes().unwrap_or_default();
            let target = String::from_utf8_lossy(&target_raw).into_owned();
            let resolved = if kind.is_symlink() {
                resolve_link(&normal, &target)
            } else if unsafe_member_name(&target).is_none() {
                Some(normalize_member(&target))
            } else {
                None
            };
            let top = normal.split('/').next().unwrap_or_default();
            match resolved {
                Some(inside) if inside == top || inside.starts_with(&format!("{top}/")) => {}
                _ => {
                    let what = if kind.is_symlink() {
                        "symlink"
                    } else {
                        "hard link"
                    };
                    return Err(unsafe_error(format!(
                        "{what} `{normal}` points outside the sdist's directory (to `{target}`)"
                    )));
                }
            }
            if is_top_level_pkg_info(&normal) {
                return Err(unsafe_error(format!("`{normal}` is a link, not a file")));
            }
            continue;
        }
        if !(kind.is_file() || kind.is_contiguous()) {
            return Err(unsafe_error(format!(
                "entry `{normal}` is a {kind:?} (device, FIFO or other special file), which has no place in an sdist"
            )));
        }
        if entry.size() > limits.max_member_bytes {
            return Err(unsafe_error(format!(
                "entry `{normal}` unpacks to {} bytes (limit {})",
                entry.size(),
                limits.max_member_bytes
            )));
        }
        if is_top_level_pkg_info(&normal) {
            let mut bytes = Vec::new();
            (&mut entry)
                .take(MAX_PKG_INFO_BYTES)
                .read_to_end(&mut bytes)
                .map_err(|e| read_error(&format!("cannot read `{normal}`"), e))?;
            let text = String::from_utf8(bytes)
                .map_err(|_| archive_error(format!("`{normal}` is not UTF-8 text")))?;
            let top = normal.split('/').next().unwrap_or_default().to_string();
            pkg_infos.insert(top, text);
        }
    }
    // Drain the stream so the bounds see every byte (tar stops at the end
    // marker; trailing data in the gzip member is still decompressed).
    let mut rest = archive.into_inner();
    io::copy(&mut rest, &mut io::sink()).map_err(|e| read_error("cannot read the archive", e))?;
    let unpacked_bytes = guard.lock().map(|g| g.decompressed).unwrap_or_default();

    let top_dir = match pkg_infos.len() {
        0 => {
            return Err(archive_error(format!(
                "no top-level PKG-INFO (expected `{stem}/PKG-INFO`): not an sdist built by a PEP 517 backend"
            )))
        }
        1 => pkg_infos.keys().next().cloned().unwrap_or_default(),
        _ => {
            let listed: Vec<String> = pkg_infos.keys().map(|t| format!("`{t}/PKG-INFO`")).collect();
            return Err(unsafe_error(format!(
                "more than one top-level PKG-INFO ({}): an index and an installer could read different metadata",
                listed.join(", ")
            )));
        }
    };
    let pkg_info = CoreMetadata::parse(&pkg_infos[&top_dir]);
    let prefix = format!("{top_dir}/");
    let outside_top_dir = names
        .into_iter()
        .filter(|n| *n != top_dir && !n.starts_with(&prefix))
        .collect();
    Ok(SdistContents {
        dist,
        top_dir,
        pkg_info,
        members: files.len() + dirs.len(),
        unpacked_bytes,
        outside_top_dir,
    })
}

fn is_top_level_pkg_info(normal: &str) -> bool {
    normal
        .split_once('/')
        .is_some_and(|(_, rest)| rest == "PKG-INFO")
}

/// Shared between the compressed and decompressed readers.
#[derive(Debug, Default)]
struct Guard {
    compressed: u64,
    decompressed: u64,
    tripped: Option<String>,
}

/// Counts compressed bytes read from the file.
struct Counting<R> {
    inner: R,
    guard: Arc<Mutex<Guard>>,
}

impl<R: Read> Read for Counting<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = self.inner.read(buf)?;
        if let Ok(mut guard) = self.guard.lock() {
            guard.compressed += n as u64;
        }
        Ok(n)
    }
}

/// Stops decompression past the size and ratio bounds.
struct Bounded<R> {
    inner: R,
    guard: Arc<Mutex<Guard>>,
    limits: Limits,
}

impl<R: Read> Read for Bounded<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = self.inner.read(buf)?;
        let mut guard = self
            .guard
            .lock()
            .map_err(|_| io::Error::other("poisoned guard"))?;
        guard.decompressed += n as u64;
        let trip = if guard.decompressed > self.limits.max_total_bytes {
            Some(format!(
                "it decompresses to more than {} bytes (a decompression bomb)",
                self.limits.max_total_bytes
            ))
        } else if self
            .limits
            .ratio_exceeded(guard.decompressed, guard.compressed)
        {
            Some(format!(
                "{} compressed bytes expand to over {} bytes, a ratio above {}:1 (a decompression bomb)",
                guard.compressed, guard.decompressed, self.limits.max_ratio
            ))
        } else {
            None
        };
        if let Some(reason) = trip {
            guard.tripped = Some(reason.clone());
            return Err(io::Error::other(reason));
        }
        Ok(n)
    }
}
