//! Source distributions (`name-version.tar.gz`): the top-level `PKG-INFO`,
//! read in one streaming pass that refuses hostile archives.

use std::collections::BTreeMap;
use std::fs::File;
use std::io::{self, BufRead, Read, Seek};
use std::path::Path;
use std::sync::{Arc, Mutex};

use flate2::bufread::GzDecoder;
use sha2::Digest as _;

use crate::digest::Sha256;
use crate::error::ArtifactError;
use crate::filename::{DistFilename, DistKind};
use crate::limits::{normalize_member, unsafe_member_name, Limits, MAX_NAME_BYTES};
use crate::members::{Member, MemberKind};
use crate::metadata::CoreMetadata;
use crate::tree::{NodeKind, Tree};
use crate::zipsafe::SafeZip;

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

/// Scans the sdist at `path` within `limits` (see [`read_sdist_metadata`]):
/// a `.tar.gz` in one streaming pass, a `.zip` (older sdists) through the
/// same layout checks as a wheel.
pub fn inspect_sdist(path: &Path, limits: &Limits) -> Result<SdistContents, ArtifactError> {
    let dist = DistFilename::from_path(path)?;
    let file = File::open(path).map_err(|source| ArtifactError::Io {
        path: path.to_path_buf(),
        source,
    })?;
    if dist.filename.ends_with(".zip") {
        let scan = scan_zip(path, file, limits, None)?;
        finish(path, dist, scan)
    } else {
        let scan = scan_tar_gz(path, file, limits, None)?;
        finish(path, dist, scan)
    }
}

/// [`inspect_sdist`] of the sdist `bytes`, named `filename` (for fuzzing
/// and tests: no file on disk).
pub fn inspect_sdist_bytes(
    filename: &str,
    bytes: &[u8],
    limits: &Limits,
) -> Result<SdistContents, ArtifactError> {
    let path = Path::new(filename);
    let dist = DistFilename::parse(filename)?;
    let scan = if filename.ends_with(".zip") {
        scan_zip(path, io::Cursor::new(bytes), limits, None)?
    } else {
        scan_tar_gz(path, bytes, limits, None)?
    };
    finish(path, dist, scan)
}

/// Every entry of the sdist at `path` (after the same checks as
/// [`inspect_sdist`]), with each regular file's SHA-256.
pub(crate) fn sdist_members(path: &Path, limits: &Limits) -> Result<Vec<Member>, ArtifactError> {
    let dist = DistFilename::from_path(path)?;
    let file = File::open(path).map_err(|source| ArtifactError::Io {
        path: path.to_path_buf(),
        source,
    })?;
    let mut members = Vec::new();
    let scan = if dist.filename.ends_with(".zip") {
        scan_zip(path, file, limits, Some(&mut members))?
    } else {
        scan_tar_gz(path, file, limits, Some(&mut members))?
    };
    finish(path, dist, scan)?;
    Ok(members)
}

/// What one pass over an sdist's entries collected.
struct Scan {
    tree: Tree,
    pkg_infos: BTreeMap<String, String>,
    unpacked_bytes: u64,
}

fn finish(path: &Path, dist: DistFilename, scan: Scan) -> Result<SdistContents, ArtifactError> {
    let archive_error = |reason: String| ArtifactError::Archive {
        path: path.to_path_buf(),
        reason,
    };
    let unsafe_error = |reason: String| ArtifactError::Unsafe {
        path: path.to_path_buf(),
        reason,
    };
    if dist.kind != DistKind::Sdist {
        return Err(archive_error(
            "not an sdist (expected name-version.tar.gz)".into(),
        ));
    }
    scan.tree.check().map_err(unsafe_error)?;
    let stem = sdist_stem(&dist.filename);
    let Scan {
        tree,
        mut pkg_infos,
        unpacked_bytes,
    } = scan;
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
    let pkg_info = CoreMetadata::parse(&pkg_infos.remove(&top_dir).unwrap_or_default());
    let prefix = format!("{top_dir}/");
    let outside_top_dir = tree
        .names()
        .filter(|n| **n != top_dir && !n.starts_with(&prefix))
        .cloned()
        .collect();
    Ok(SdistContents {
        dist,
        top_dir,
        pkg_info,
        members: tree.len(),
        unpacked_bytes,
        outside_top_dir,
    })
}

/// `name-version` of `name-version.tar.gz` or `name-version.zip`.
pub(crate) fn sdist_stem(filename: &str) -> &str {
    filename
        .strip_suffix(".tar.gz")
        .or_else(|| filename.strip_suffix(".zip"))
        .unwrap_or(filename)
}

/// A zip sdist: the wheel's layout checks, then the same tree and PKG-INFO
/// rules as a tar.gz.
fn scan_zip<R: Read + Seek>(
    path: &Path,
    reader: R,
    limits: &Limits,
    mut collect: Option<&mut Vec<Member>>,
) -> Result<Scan, ArtifactError> {
    let mut zip = SafeZip::open(path, reader, limits)?;
    let mut tree = Tree::default();
    let mut pkg_infos = BTreeMap::new();
    for index in 0..zip.names.len() {
        let name = zip.names.get(index).cloned().unwrap_or_default();
        let normal = normalize_member(&name);
        if normal.is_empty() {
            continue;
        }
        let is_dir = name.ends_with('/');
        let kind = if is_dir {
            NodeKind::Dir
        } else {
            NodeKind::File
        };
        tree.insert(normal.clone(), kind)
            .map_err(|reason| zip.unsafe_error(reason))?;
        if is_dir {
            if let Some(members) = collect.as_deref_mut() {
                members.push(Member::dir(normal));
            }
            continue;
        }
        if is_top_level_pkg_info(&normal) {
            let text = zip
                .read_text(&name, limits.max_metadata_bytes)?
                .unwrap_or_default();
            let top = normal.split('/').next().unwrap_or_default().to_string();
            pkg_infos.insert(top, text);
        }
        if let Some(members) = collect.as_deref_mut() {
            let (sha256, size) = zip.hash_member(index)?;
            members.push(Member::file(normal, sha256, size));
        }
    }
    Ok(Scan {
        tree,
        pkg_infos,
        unpacked_bytes: zip.unpacked_bytes,
    })
}

/// The pax keys that change what an entry is (its name, link, size or
/// data) in some readers and not in others.
fn ambiguous_pax_key(key: &str) -> bool {
    matches!(key, "hdrcharset" | "charset") || key.starts_with("GNU.sparse")
}

/// A tar.gz sdist, in one streaming pass.
fn scan_tar_gz<R: Read>(
    path: &Path,
    reader: R,
    limits: &Limits,
    mut collect: Option<&mut Vec<Member>>,
) -> Result<Scan, ArtifactError> {
    let archive_error = |reason: String| ArtifactError::Archive {
        path: path.to_path_buf(),
        reason,
    };
    let unsafe_error = |reason: String| ArtifactError::Unsafe {
        path: path.to_path_buf(),
        reason,
    };
    let guard = Arc::new(Mutex::new(Guard::default()));
    let compressed = io::BufReader::new(Counting {
        inner: reader,
        guard: Arc::clone(&guard),
    });
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

    let mut tree = Tree::default();
    let mut pkg_infos: BTreeMap<String, String> = BTreeMap::new();
    let mut entries_seen = 0usize;
    let entries = archive
        .entries()
        .map_err(|e| read_error("cannot read the archive", e))?;
    for entry in entries {
        let mut entry = entry.map_err(|e| read_error("cannot read the next entry", e))?;
        entries_seen += 1;
        if entries_seen > limits.max_members {
            return Err(unsafe_error(format!(
                "more than {} entries",
                limits.max_members
            )));
        }
        let raw = entry.path_bytes().into_owned();
        let shown = String::from_utf8_lossy(&raw).into_owned();
        let kind = entry.header().entry_type();
        if kind.is_pax_global_extensions() {
            // Python's tarfile applies a global header's keys to every
            // later entry; the tar crate ignores them. Only keys that
            // change nothing either reads are allowed.
            let keys = pax_keys(&mut entry)
                .map_err(|e| read_error("cannot read a pax global header", e))?
                .map_err(|reason| unsafe_error(format!("a pax global header {reason}")))?;
            if let Some((key, _)) = keys.iter().find(|(k, _)| {
                matches!(k.as_str(), "path" | "linkpath" | "size") || ambiguous_pax_key(k)
            }) {
                return Err(unsafe_error(format!(
                    "a pax global header sets `{key}`: Python's tarfile applies it to every later entry, the tar crate ignores it"
                )));
            }
            continue;
        }
        if kind.is_pax_local_extensions() || kind.is_gnu_longname() || kind.is_gnu_longlink() {
            return Err(unsafe_error(format!(
                "an extension header (type {:?}) in a non-ustar, non-GNU header: Python's tarfile applies it, the tar crate reads it as an entry",
                kind
            )));
        }
        // The entry's own pax keys, applied by both readers.
        let keys = pax_keys(&mut entry)
            .map_err(|e| read_error("cannot read a pax header", e))?
            .map_err(|reason| unsafe_error(format!("entry `{shown}`: its pax header {reason}")))?;
        if let Some((key, _)) = keys.iter().find(|(k, _)| ambiguous_pax_key(k)) {
            return Err(unsafe_error(format!(
                "entry `{shown}`: pax key `{key}` is read by Python's tarfile and ignored by the tar crate"
            )));
        }
        // A GNU long name (or link name) and a pax path on one entry: the
        // tar crate prefers the GNU one, Python's tarfile the last applied.
        let link_raw = entry.link_name_bytes().map(|l| l.into_owned());
        for (key, value) in &keys {
            let applied = match key.as_str() {
                "path" => Some(raw.as_slice()),
                "linkpath" => Some(link_raw.as_deref().unwrap_or_default()),
                _ => None,
            };
            if applied.is_some_and(|applied| applied != value.as_slice()) {
                return Err(unsafe_error(format!(
                    "entry `{shown}`: its pax `{key}` and its GNU long name differ: readers differ in which one wins"
                )));
            }
        }
        let header = entry.header();
        // The ustar prefix field: the tar crate reads it only in ustar
        // headers, Python's tarfile in every header.
        if header.as_ustar().is_none() && header.as_bytes().get(345).is_some_and(|b| *b != 0) {
            return Err(unsafe_error(format!(
                "entry `{shown}`: a non-ustar header with bytes in the ustar prefix field: Python's tarfile prepends them to the name, the tar crate does not"
            )));
        }
        let name = std::str::from_utf8(&raw)
            .map_err(|_| archive_error(format!("entry `{shown}` has a name that is not UTF-8")))?
            .to_string();
        if let Some(reason) = unsafe_member_name(&name) {
            return Err(unsafe_error(format!("entry `{name}` {reason}")));
        }
        let normal = normalize_member(&name);
        if normal.is_empty() {
            continue;
        }
        let is_regular = kind.is_file() || kind.is_contiguous();
        let header_size = header
            .entry_size()
            .map_err(|e| read_error(&format!("entry `{name}` has a bad size field"), e))?;
        if !is_regular && (entry.size() != 0 || header_size != 0) {
            return Err(unsafe_error(format!(
                "entry `{name}` is a {kind:?} with {} bytes of data: Python's tarfile does not skip them (it reads them as the next headers), the tar crate does",
                entry.size().max(header_size)
            )));
        }
        if is_regular && name.ends_with('/') {
            return Err(unsafe_error(format!(
                "entry `{name}` is a regular file whose name ends with `/`: Python's tarfile reads it as a directory"
            )));
        }
        let node = if kind.is_dir() {
            NodeKind::Dir
        } else if kind.is_symlink() || kind.is_hard_link() {
            let target_raw = entry.link_name_bytes().unwrap_or_default().into_owned();
            let target = std::str::from_utf8(&target_raw)
                .map_err(|_| {
                    archive_error(format!("link `{name}` has a target that is not UTF-8"))
                })?
                .to_string();
            if target.is_empty() || target.contains('\0') || target.len() > MAX_NAME_BYTES {
                return Err(unsafe_error(format!(
                    "link `{name}` has an empty, NUL or over-long target"
                )));
            }
            if is_top_level_pkg_info(&normal) {
                return Err(unsafe_error(format!("`{normal}` is a link, not a file")));
            }
            if kind.is_symlink() {
                NodeKind::Symlink(target)
            } else {
                NodeKind::Hardlink(target)
            }
        } else if is_regular {
            NodeKind::File
        } else {
            return Err(unsafe_error(format!(
                "entry `{normal}` is a {kind:?} (device, FIFO, sparse or other special file), which has no place in an sdist"
            )));
        };
        tree.insert(normal.clone(), node.clone())
            .map_err(&unsafe_error)?;
        if !is_regular {
            if let Some(members) = collect.as_deref_mut() {
                members.push(match node {
                    NodeKind::Symlink(t) => Member::link(normal, MemberKind::Symlink(t)),
                    NodeKind::Hardlink(t) => Member::link(normal, MemberKind::Hardlink(t)),
                    _ => Member::dir(normal),
                });
            }
            continue;
        }
        if entry.size() > limits.max_member_bytes {
            return Err(unsafe_error(format!(
                "entry `{normal}` unpacks to {} bytes (limit {})",
                entry.size(),
                limits.max_member_bytes
            )));
        }
        if is_top_level_pkg_info(&normal) {
            if entry.size() > limits.max_metadata_bytes {
                return Err(unsafe_error(format!(
                    "`{normal}` is {} bytes, more than the {} pbx reads: refused rather than read in part",
                    entry.size(),
                    limits.max_metadata_bytes
                )));
            }
            let mut bytes = Vec::new();
            (&mut entry)
                .take(limits.max_metadata_bytes)
                .read_to_end(&mut bytes)
                .map_err(|e| read_error(&format!("cannot read `{normal}`"), e))?;
            let text = String::from_utf8(bytes.clone())
                .map_err(|_| archive_error(format!("`{normal}` is not UTF-8 text")))?;
            let top = normal.split('/').next().unwrap_or_default().to_string();
            pkg_infos.insert(top, text);
            if let Some(members) = collect.as_deref_mut() {
                let size = bytes.len() as u64;
                members.push(Member::file(normal, Sha256::of(&bytes), size));
            }
        } else if let Some(members) = collect.as_deref_mut() {
            let mut hasher = sha2::Sha256::new();
            let mut buffer = vec![0u8; 64 * 1024];
            let mut size = 0u64;
            loop {
                let n = entry
                    .read(&mut buffer)
                    .map_err(|e| read_error(&format!("cannot read `{normal}`"), e))?;
                if n == 0 {
                    break;
                }
                hasher.update(buffer.get(..n).unwrap_or_default());
                size = size.saturating_add(n as u64);
            }
            members.push(Member::file(normal, Sha256(hasher.finalize().into()), size));
        }
    }
    // After the end-of-archive marker only zero padding may follow: bytes
    // there are invisible to Python's tarfile and the tar crate but not to
    // every tar.
    let mut rest = archive.into_inner();
    let mut buffer = vec![0u8; 64 * 1024];
    loop {
        let n = rest
            .read(&mut buffer)
            .map_err(|e| read_error("cannot read the archive", e))?;
        if n == 0 {
            break;
        }
        if buffer.get(..n).unwrap_or_default().iter().any(|b| *b != 0) {
            return Err(unsafe_error(
                "data after the tar end-of-archive marker: some tar readers stop at the marker, others read on".into(),
            ));
        }
    }
    // One gzip member and nothing after it: pbx's gzip reader stops after
    // the first member, Python's gzip (tarfile, pip) reads them all.
    let mut compressed = rest.inner.into_inner();
    let trailing = compressed
        .fill_buf()
        .map_err(|e| read_error("cannot read the archive", e))?;
    if !trailing.is_empty() {
        return Err(unsafe_error(if trailing.starts_with(&[0x1f, 0x8b]) {
            "more than one gzip member: Python's gzip (tarfile, pip) reads every member, other readers only the first".to_string()
        } else {
            "data after the end of the gzip stream: readers differ in whether they ignore it or fail".to_string()
        }));
    }
    let unpacked_bytes = guard.lock().map(|g| g.decompressed).unwrap_or_default();
    Ok(Scan {
        tree,
        pkg_infos,
        unpacked_bytes,
    })
}

/// Pax keys and their raw values, in order.
type PaxKeys = Vec<(String, Vec<u8>)>;

/// The keys of the pax extensions of `entry` (a global header's own, or
/// the local ones applied to it). The inner error says why they are
/// refused: a malformed record, or a key given twice (readers differ in
/// which copy wins).
fn pax_keys<R: Read>(entry: &mut tar::Entry<'_, R>) -> io::Result<Result<PaxKeys, String>> {
    let Some(extensions) = entry.pax_extensions()? else {
        return Ok(Ok(Vec::new()));
    };
    let mut keys: PaxKeys = Vec::new();
    for extension in extensions {
        let Ok(extension) = extension else {
            return Ok(Err("has a malformed record".to_string()));
        };
        let Ok(key) = extension.key() else {
            return Ok(Err("has a key that is not UTF-8".to_string()));
        };
        if keys.iter().any(|(k, _)| k == key) {
            return Ok(Err(format!(
                "gives `{key}` twice: readers differ in which copy wins"
            )));
        }
        keys.push((key.to_string(), extension.value_bytes().to_vec()));
    }
    Ok(Ok(keys))
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
