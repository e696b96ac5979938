//! Wheels: the `.dist-info` files (`METADATA`, `WHEEL`, `RECORD`) and every
//! member checked against RECORD, read with `zip` and never extracted.

use std::collections::{BTreeSet, HashMap, HashSet};
use std::fs::File;
use std::io::{self, Read, Seek};
use std::path::Path;

use sha2::digest::DynDigest;

use crate::error::ArtifactError;
use crate::filename::{DistFilename, DistKind};
use crate::inspect::Finding;
use crate::limits::{normalize_member, unsafe_member_name, Limits};
use crate::metadata::CoreMetadata;
use crate::record::{parse_record, RecordEntry};
use crate::zipsafe::SafeZip;

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

/// A wheel whose layout and central directory passed the safety checks.
struct SafeWheel<R: Read + Seek> {
    zip: SafeZip<R>,
    dist: DistFilename,
    dist_info: String,
    limits: Limits,
}

impl SafeWheel<File> {
    /// Opens the wheel at `path` and refuses it when it is hostile (see
    /// [`crate::ArtifactError::Unsafe`]).
    fn open(path: &Path, limits: &Limits) -> Result<Self, ArtifactError> {
        let dist = DistFilename::from_path(path)?;
        let file = File::open(path).map_err(|source| ArtifactError::Io {
            path: path.to_path_buf(),
            source,
        })?;
        SafeWheel::from_reader(path, dist, file, limits)
    }
}

impl<R: Read + Seek> SafeWheel<R> {
    fn from_reader(
        path: &Path,
        dist: DistFilename,
        reader: R,
        limits: &Limits,
    ) -> Result<Self, ArtifactError> {
        if dist.kind != DistKind::Wheel {
            return Err(ArtifactError::Archive {
                path: path.to_path_buf(),
                reason: "not a wheel (expected a .whl file)".into(),
            });
        }
        let zip = SafeZip::open(path, reader, limits)?;
        let dist_info =
            find_dist_info(&zip.names, &dist).map_err(|reason| ArtifactError::Archive {
                path: path.to_path_buf(),
                reason,
            })?;
        Ok(SafeWheel {
            zip,
            dist,
            dist_info,
            limits: *limits,
        })
    }

    fn read_text(&mut self, member: &str) -> Result<Option<String>, ArtifactError> {
        let cap = if member.ends_with("/RECORD") {
            self.limits.max_record_bytes
        } else {
            self.limits.max_metadata_bytes
        };
        self.zip.read_text(member, cap)
    }

    fn archive_error(&self, reason: String) -> ArtifactError {
        self.zip.archive_error(reason)
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
    inspect_wheel_from(SafeWheel::open(path, limits)?)
}

/// [`inspect_wheel`] of the wheel `bytes`, named `filename` (for fuzzing
/// and tests: no file on disk).
pub fn inspect_wheel_bytes(
    filename: &str,
    bytes: &[u8],
    limits: &Limits,
) -> Result<WheelContents, ArtifactError> {
    let path = Path::new(filename);
    let dist = DistFilename::parse(filename)?;
    inspect_wheel_from(SafeWheel::from_reader(
        path,
        dist,
        io::Cursor::new(bytes),
        limits,
    )?)
}

fn inspect_wheel_from<R: Read + Seek>(
    mut wheel: SafeWheel<R>,
) -> Result<WheelContents, ArtifactError> {
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
        members: wheel.zip.names.len(),
        unpacked_bytes: wheel.zip.unpacked_bytes,
        dist: wheel.dist,
        dist_info,
        metadata,
        findings,
    })
}

/// `WHEEL`: Wheel-Version 1.x, and its `Tag` lines are exactly the tags the
/// filename expands to.
fn check_wheel_file<R: Read + Seek>(
    wheel: &mut SafeWheel<R>,
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
    // maturin writes one compressed line (`cp311-cp311-manylinux_2_17_x86_64.manylinux2014_x86_64`)
    // where other backends write one line per tag: both expand to a set.
    let mut declared = BTreeSet::new();
    for line in meta.get_all("Tag") {
        match expand_tags(line) {
            Some(tags) => declared.extend(tags),
            None => {
                findings.push(
                    Finding::fail(
                        "wheel-file",
                        format!("Tag `{line}` is not python-abi-platform"),
                    )
                    .member(&member),
                );
                return Ok(());
            }
        }
    }
    let dist = &wheel.dist;
    let expanded = expand_tags(&format!(
        "{}-{}-{}",
        dist.python_tag, dist.abi_tag, dist.platform_tag
    ))
    .unwrap_or_default();
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

/// The most tags one compressed tag set may stand for.
const MAX_EXPANDED_TAGS: usize = 1024;

/// Expands a compressed tag set `py-abi-platform`, each part a
/// dot-separated list, into every `py-abi-platform` it stands for. `None`
/// when it does not have three non-empty parts.
pub fn expand_tags(tag: &str) -> Option<BTreeSet<String>> {
    let parts: Vec<&str> = tag.trim().split('-').collect();
    let [py, abi, platform] = parts.as_slice() else {
        return None;
    };
    // A real compressed set stands for a handful of tags; a hostile one
    // must not expand to billions.
    let count = [py, abi, platform]
        .iter()
        .try_fold(1usize, |n, part| n.checked_mul(part.split('.').count()))?;
    if count > MAX_EXPANDED_TAGS {
        return None;
    }
    let mut out = BTreeSet::new();
    for py in py.split('.') {
        for abi in abi.split('.') {
            for platform in platform.split('.') {
                if py.is_empty() || abi.is_empty() || platform.is_empty() {
                    return None;
                }
                out.insert(format!("{py}-{abi}-{platform}"));
            }
        }
    }
    Some(out)
}

fn check_record<R: Read + Seek>(
    wheel: &mut SafeWheel<R>,
    findings: &mut Vec<Finding>,
) -> Result<(), ArtifactError> {
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
            return Err(wheel.zip.unsafe_error(format!(
                "RECORD line {} names `{}`, which {reason}",
                entry.line, entry.path
            )));
        }
        if let Some(first) = by_path.insert(normalize_member(&entry.path), entry) {
            return Err(wheel.zip.unsafe_error(format!(
                "RECORD names `{}` twice (lines {} and {}): an installer could check one hash and an uninstaller trust the other",
                entry.path, first.line, entry.line
            )));
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
    for index in 0..wheel.zip.names.len() {
        let name = wheel.zip.names.get(index).cloned().unwrap_or_default();
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
        let size = wheel
            .zip
            .stream_member(index, &mut |chunk| hasher.update(chunk))?;
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
