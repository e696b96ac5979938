//! Wheels: the `.dist-info` files (`METADATA`, `WHEEL`, `RECORD`) and every
//! member checked against RECORD, read with `zip` and never extracted.

use std::collections::{BTreeSet, HashMap, HashSet};
use std::fs::File;
use std::io::{self, Read};
use std::path::Path;

use sha2::digest::DynDigest;
use zip::{ZipArchive, ZipReadOptions};

use crate::error::ArtifactError;
use crate::filename::{DistFilename, DistKind};
use crate::inspect::Finding;
use crate::limits::{normalize_member, unsafe_member_name, Limits};
use crate::metadata::CoreMetadata;
use crate::record::{parse_record, RecordEntry};

/// The most METADATA, WHEEL or RECORD we read (real files are kilobytes).
const MAX_METADATA_BYTES: u64 = 16 * 1024 * 1024;

/// What inspecting a wheel found.
#[derive(Clone, Debug)]
pub struct WheelContents {
    /// The parsed filename.
    pub dist: DistFilename,
    /// The wheel's own `.dist-info` directory (`demo-1.0.dist-info`).
    pub dist_info: String,
    /// `.dist-info/METADATA`.
    pub metadata: CoreMetadata,
    /// How many members the archive holds.
    pub members: usize,
    /// The total decompressed size of the members.
    pub unpacked_bytes: u64,
    /// The RECORD, WHEEL and `.dist-info` checks, passed and failed.
    pub findings: Vec<Finding>,
}

/// A wheel whose central directory passed the safety checks.
struct SafeWheel {
    path: std::path::PathBuf,
    dist: DistFilename,
    zip: ZipArchive<File>,
    /// Member names by index.
    names: Vec<String>,
    unpacked_bytes: u64,
    dist_info: String,
}

impl SafeWheel {
    /// Opens the wheel at `path` and refuses it when its central directory
    /// is hostile (see [`crate::ArtifactError::Unsafe`]).
    fn open(path: &Path, limits: &Limits) -> Result<SafeWheel, ArtifactError> {
        let archive_error = |reason: String| ArtifactError::Archive {
            path: path.to_path_buf(),
            reason,
        };
        let unsafe_error = |reason: String| ArtifactError::Unsafe {
            path: path.to_path_buf(),
            reason,
        };
        let dist = DistFilename::from_path(path)?;
        if dist.kind != DistKind::Wheel {
            return Err(archive_error("not a wheel (expected a .whl file)".into()));
        }
        let file = File::open(path).map_err(|source| ArtifactError::Io {
            path: path.to_path_buf(),
            source,
        })?;
        let mut zip = ZipArchive::new(file)
            .map_err(|e| archive_error(format!("not a valid zip archive: {e}")))?;
        if zip.has_duplicate_names() {
            let named = duplicate_local_name(path)
                .map(|n| format!("`{n}` appears more than once"))
                .unwrap_or_else(|| "a member name appears more than once".to_string());
            return Err(unsafe_error(format!(
                "{named}: tools that read the first copy and tools that read the last would install different files"
            )));
        }
        if zip.len() > limits.max_members {
            return Err(unsafe_error(format!(
                "{} members (limit {})",
                zip.len(),
                limits.max_members
            )));
        }
        let mut names = Vec::with_capacity(zip.len());
        let mut normalized = HashSet::new();
        let mut unpacked_bytes = 0u64;
        for index in 0..zip.len() {
            let entry = zip
                .by_index_data(index)
                .map_err(|e| archive_error(format!("unreadable member #{index}: {e}")))?;
            let name = entry
                .name()
                .map_err(|e| archive_error(format!("member #{index} has an unreadable name: {e}")))?
                .into_owned();
            if let Some(reason) = unsafe_member_name(&name) {
                return Err(unsafe_error(format!("member `{name}` {reason}")));
            }
            if !normalized.insert(normalize_member(&name)) {
                return Err(unsafe_error(format!(
                    "member `{name}` names the same file as another member"
                )));
            }
            if entry.is_symlink() {
                return Err(unsafe_error(format!(
                    "member `{name}` is a symlink, which wheels cannot carry"
                )));
            }
            if entry.encrypted() {
                return Err(archive_error(format!("member `{name}` is encrypted")));
            }
            let size = entry.size();
            if size > limits.max_member_bytes {
                return Err(unsafe_error(format!(
                    "member `{name}` unpacks to {size} bytes (limit {}): a decompression bomb",
                    limits.max_member_bytes
                )));
            }
            if limits.ratio_exceeded(size, entry.compressed_size()) {
                return Err(unsafe_error(format!(
                    "member `{name}` expands {} bytes to {size}, a ratio above {}:1: a decompression bomb",
                    entry.compressed_size(),
                    limits.max_ratio
                )));
            }
            unpacked_bytes = unpacked_bytes.saturating_add(size);
            if unpacked_bytes > limits.max_total_bytes {
                return Err(unsafe_error(format!(
                    "the members unpack to more than {} bytes: a decompression bomb",
                    limits.max_total_bytes
                )));
            }
            names.push(name);
        }
        if zip
            .has_overlapping_files()
            .map_err(|e| archive_error(format!("unreadable member headers: {e}")))?
        {
            return Err(unsafe_error(
                "members share compressed data (an overlapping-entry zip bomb)".into(),
            ));
        }
        let dist_info = find_dist_info(&names, &dist).map_err(archive_error)?;
        Ok(SafeWheel {
            path: path.to_path_buf(),
            dist,
            zip,
            names,
            unpacked_bytes,
            dist_info,
        })
    }

    /// Reads a small text member, `None` when absent.
    fn read_text(&mut self, member: &str) -> Result<Option<String>, ArtifactError> {
        let Some(index) = self.zip.index_for_name(member) else {
            return Ok(None);
        };
        let mut bytes = Vec::new();
        let path = self.path.clone();
        self.open_member(index)?
            .take(MAX_METADATA_BYTES)
            .read_to_end(&mut bytes)
            .map_err(|e| ArtifactError::Archive {
                path,
                reason: format!("cannot read `{member}`: {e}"),
            })?;
        String::from_utf8(bytes)
            .map(Some)
            .map_err(|_| self.archive_error(format!("`{member}` is not UTF-8 text")))
    }

    fn open_member(&mut self, index: usize) -> Result<zip::read::ZipFile<'_, File>, ArtifactError> {
        let path = self.path.clone();
        let name = self.names[index].clone();
        self.zip
            .by_index_with_options(
                index,
                ZipReadOptions::new().enforce_header_consistency(true),
            )
            .map_err(|e| ArtifactError::Archive {
                path,
                reason: format!("cannot read member `{name}`: {e}"),
            })
    }

    fn archive_error(&self, reason: String) -> ArtifactError {
        ArtifactError::Archive {
            path: self.path.clone(),
            reason,
        }
    }
}

/// The one top-level `{name}-{version}.dist-info` holding METADATA whose
/// name matches the filename's.
fn find_dist_info(names: &[String], dist: &DistFilename) -> Result<String, String> {
    let candidates: Vec<&str> = names
        .iter()
        .filter_map(|n| n.strip_suffix("/METADATA"))
        .filter(|dir| {
            !dir.contains('/')
                && dir
                    .strip_suffix(".dist-info")
                    .and_then(|stem| stem.rsplit_once('-'))
                    .is_some_and(|(name, _)| pbx_version::normalize(name) == dist.name.as_str())
        })
        .collect();
    match candidates.as_slice() {
        [one] => Ok((*one).to_string()),
        [] => Err(format!(
            "no `{}-*.dist-info/METADATA` in the wheel",
            dist.name.as_dist_info_name()
        )),
        _ => Err(format!(
            "more than one .dist-info/METADATA: {}",
            candidates.join(", ")
        )),
    }
}

/// Names a member that appears twice, from the local headers in file order.
fn duplicate_local_name(path: &Path) -> Option<String> {
    let mut reader = io::BufReader::new(File::open(path).ok()?);
    let mut seen = HashSet::new();
    while let Ok(Some(mut entry)) = zip::read::read_zipfile_from_stream(&mut reader) {
        let name = entry.name().ok()?.into_owned();
        io::copy(&mut entry, &mut io::sink()).ok()?;
        if !seen.insert(name.clone()) {
            return Some(name);
        }
    }
    None
}

/// Reads the `METADATA` of the wheel at `path` from its own
/// `{name}-{version}.dist-info` directory. The archive is refused when its
/// member list is hostile (see [`inspect_wheel`]).
pub fn read_wheel_metadata(path: &Path) -> Result<(DistFilename, CoreMetadata), ArtifactError> {
    let mut wheel = SafeWheel::open(path, &Limits::default())?;
    let member = format!("{}/METADATA", wheel.dist_info);
    let text = wheel
        .read_text(&member)?
        .ok_or_else(|| wheel.archive_error(format!("no `{member}`")))?;
    Ok((wheel.dist, CoreMetadata::parse(&text)))
}

/// Inspects the wheel at `path`: refuses hostile archives, then checks
/// every member against RECORD (hash and size; RECORD itself and its
/// signatures unhashed), that every member is listed, that RECORD names no
/// file twice, and that WHEEL's tags and the `.dist-info` version agree
/// with the filename.
pub fn inspect_wheel(path: &Path, limits: &Limits) -> Result<WheelContents, ArtifactError> {
    let mut wheel = SafeWheel::open(path, limits)?;
    let dist_info = wheel.dist_info.clone();
    let mut findings = Vec::new();
    let metadata_member = format!("{dist_info}/METADATA");
    let metadata = CoreMetadata::parse(
        &wheel
            .read_text(&metadata_member)?
            .ok_or_else(|| wheel.archive_error(format!("no `{metadata_member}`")))?,
    );

    // The .dist-info directory's version.
    let dir_version = dist_info
        .strip_suffix(".dist-info")
        .and_then(|stem| stem.rsplit_once('-'))
        .map(|(_, v)| v.to_string())
        .unwrap_or_default();
    findings.push(
        match pbx_version::Version::parse(&dir_version) {
            Ok(v) if v == wheel.dist.version => Finding::pass(
                "dist-info",
                format!("`{dist_info}` matches the filename's version"),
            ),
            _ => Finding::fail(
                "dist-info",
                format!(
                    "`{dist_info}` names version `{dir_version}`, the filename {}",
                    wheel.dist.version
                ),
            ),
        }
        .member(&dist_info),
    );

    check_wheel_file(&mut wheel, &mut findings)?;
    check_record(&mut wheel, &mut findings)?;

    Ok(WheelContents {
        members: wheel.names.len(),
        unpacked_bytes: wheel.unpacked_bytes,
        dist: wheel.dist,
        dist_info,
        metadata,
        findings,
    })
}

/// `WHEEL`: Wheel-Version 1.x, and its `Tag` lines are exactly the tags the
/// filename expands to.
fn check_wheel_file(
    wheel: &mut SafeWheel,
    findings: &mut Vec<Finding>,
) -> Result<(), ArtifactError> {
    let member = format!("{}/WHEEL", wheel.dist_info);
    let Some(text) = wheel.read_text(&member)? else {
        findings.push(Finding::fail("wheel-file", format!("no `{member}`")).member(&member));
        return Ok(());
    };
    let meta = CoreMetadata::parse(&text);
    let version = meta.get("Wheel-Version").unwrap_or_default();
    if version.split('.').next() != Some("1") {
        findings.push(
            Finding::fail(
                "wheel-file",
                format!("Wheel-Version `{version}` is not 1.x"),
            )
            .member(&member),
        );
    }
    let declared: BTreeSet<String> = meta.get_all("Tag").map(str::to_string).collect();
    let dist = &wheel.dist;
    let mut expanded = BTreeSet::new();
    for py in dist.python_tag.split('.') {
        for abi in dist.abi_tag.split('.') {
            for platform in dist.platform_tag.split('.') {
                expanded.insert(format!("{py}-{abi}-{platform}"));
            }
        }
    }
    if declared == expanded {
        findings.push(
            Finding::pass(
                "wheel-file",
                format!(
                    "WHEEL {version}, tags {}",
                    declared.into_iter().collect::<Vec<_>>().join(", ")
                ),
            )
            .member(&member),
        );
    } else {
        findings.push(
            Finding::fail(
                "wheel-file",
                format!(
                    "WHEEL tags [{}] differ from the filename's [{}]",
                    declared.into_iter().collect::<Vec<_>>().join(", "),
                    expanded.into_iter().collect::<Vec<_>>().join(", ")
                ),
            )
            .member(&member),
        );
    }
    Ok(())
}

fn check_record(wheel: &mut SafeWheel, findings: &mut Vec<Finding>) -> Result<(), ArtifactError> {
    let record_member = format!("{}/RECORD", wheel.dist_info);
    let Some(text) = wheel.read_text(&record_member)? else {
        findings
            .push(Finding::fail("record", format!("no `{record_member}`")).member(&record_member));
        return Ok(());
    };
    let entries = match parse_record(&text) {
        Ok(entries) => entries,
        Err(e) => {
            findings.push(
                Finding::fail("record", format!("`{record_member}` {e}")).member(&record_member),
            );
            return Ok(());
        }
    };
    let mut by_path: HashMap<String, &RecordEntry> = HashMap::new();
    for entry in &entries {
        if let Some(reason) = unsafe_member_name(&entry.path) {
            return Err(ArtifactError::Unsafe {
                path: wheel.path.clone(),
                reason: format!(
                    "RECORD line {} names `{}`, which {reason}",
                    entry.line, entry.path
                ),
            });
        }
        if let Some(first) = by_path.insert(normalize_member(&entry.path), entry) {
            return Err(ArtifactError::Unsafe {
                path: wheel.path.clone(),
                reason: format!(
                    "RECORD names `{}` twice (lines {} and {}): an installer could check one hash and an uninstaller trust the other",
                    entry.path, first.line, entry.line
                ),
            });
        }
    }
    let unhashed: [String; 3] = [
        record_member.clone(),
        format!("{}/RECORD.jws", wheel.dist_info),
        format!("{}/RECORD.p7s", wheel.dist_info),
    ];
    let failed_before = findings.iter().filter(|f| !f.ok).count();
    let mut verified = 0usize;
    let mut present = HashSet::new();
    for index in 0..wheel.names.len() {
        let name = wheel.names[index].clone();
        if name.ends_with('/') {
            continue;
        }
        let key = normalize_member(&name);
        present.insert(key.clone());
        let is_unhashed = unhashed.contains(&name);
        let Some(entry) = by_path.get(&key).copied() else {
            if !is_unhashed || name == record_member {
                findings.push(
                    Finding::fail(
                        "record-complete",
                        format!("`{name}` is in the wheel but not in RECORD"),
                    )
                    .member(&name),
                );
            }
            continue;
        };
        if is_unhashed {
            continue;
        }
        let Some(hash) = &entry.hash else {
            findings.push(
                Finding::fail(
                    "record",
                    format!("RECORD line {} lists `{name}` without a hash", entry.line),
                )
                .member(&name),
            );
            continue;
        };
        let mut hasher: Box<dyn DynDigest> = match hash.algorithm.as_str() {
            "sha256" => Box::new(sha2::Sha256::default()),
            "sha384" => Box::new(sha2::Sha384::default()),
            "sha512" => Box::new(sha2::Sha512::default()),
            "sha224" => Box::new(sha2::Sha224::default()),
            "md5" | "sha1" => {
                findings.push(
                    Finding::fail(
                        "record",
                        format!(
                            "RECORD line {} hashes `{name}` with {}, which wheels must not use",
                            entry.line, hash.algorithm
                        ),
                    )
                    .member(&name),
                );
                continue;
            }
            other => {
                findings.push(
                    Finding::fail(
                        "record",
                        format!(
                            "RECORD line {} hashes `{name}` with `{other}`, which pbx cannot check (use sha256)",
                            entry.line
                        ),
                    )
                    .member(&name),
                );
                continue;
            }
        };
        let declared = wheel
            .zip
            .by_index_data(index)
            .map(|e| e.size())
            .unwrap_or(0);
        let wheel_path = wheel.path.clone();
        let mut reader = wheel.open_member(index)?.take(declared.saturating_add(1));
        let mut buffer = vec![0u8; 256 * 1024];
        let mut size = 0u64;
        loop {
            let n = match reader.read(&mut buffer) {
                Ok(0) => break,
                Ok(n) => n,
                Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
                Err(e) => {
                    return Err(ArtifactError::Archive {
                        path: wheel_path,
                        reason: format!("member `{name}` is damaged: {e}"),
                    })
                }
            };
            hasher.update(&buffer[..n]);
            size += n as u64;
        }
        drop(reader);
        if size > declared {
            return Err(ArtifactError::Unsafe {
                path: wheel_path,
                reason: format!(
                    "member `{name}` unpacks to more than the {declared} bytes its header declares"
                ),
            });
        }
        let actual = hasher.finalize();
        if *actual != *hash.digest {
            let archive =
                base64::Engine::encode(&base64::engine::general_purpose::URL_SAFE_NO_PAD, &actual);
            findings.push(
                Finding::fail(
                    "record",
                    format!(
                        "`{name}` differs from RECORD line {}: RECORD has {}={}, the member hashes to {}={archive}",
                        entry.line, hash.algorithm, hash.encoded, hash.algorithm
                    ),
                )
                .member(&name),
            );
            continue;
        }
        if let Some(expected) = entry.size {
            if expected != size {
                findings.push(
                    Finding::fail(
                        "record",
                        format!(
                            "`{name}` is {size} bytes, RECORD line {} says {expected}",
                            entry.line
                        ),
                    )
                    .member(&name),
                );
                continue;
            }
        }
        verified += 1;
    }
    let mut missing: Vec<&RecordEntry> = by_path
        .iter()
        .filter(|(key, _)| !present.contains(*key))
        .map(|(_, e)| *e)
        .collect();
    missing.sort_by_key(|e| e.line);
    for entry in missing {
        findings.push(
            Finding::fail(
                "record",
                format!(
                    "RECORD line {} lists `{}`, which is not in the wheel",
                    entry.line, entry.path
                ),
            )
            .member(&entry.path),
        );
    }
    let failed_now = findings.iter().filter(|f| !f.ok).count();
    if failed_now == failed_before {
        findings.push(
            Finding::pass(
                "record",
                format!(
                    "{verified} members match their RECORD hash and size; every member is listed"
                ),
            )
            .member(&record_member),
        );
    }
    Ok(())
}
