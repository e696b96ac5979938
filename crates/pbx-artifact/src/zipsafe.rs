//! A zip archive (wheel or zip sdist) whose layout and member list passed
//! the safety checks, read with the `zip` crate and never extracted.

use std::collections::HashSet;
use std::io::{self, Read, Seek};
use std::path::{Path, PathBuf};

use sha2::Digest as _;
use zip::{ZipArchive, ZipReadOptions};

use crate::digest::Sha256;
use crate::error::ArtifactError;
use crate::limits::{normalize_member, unsafe_member_name, Limits};
use crate::ziplayout::{read_layout, LayoutEntry, LayoutError};

/// A zip whose central directory, local headers and member list passed the
/// checks (see [`crate::ziplayout`] for the layout rules).
pub(crate) struct SafeZip<R: Read + Seek> {
    pub path: PathBuf,
    pub zip: ZipArchive<R>,
    /// Member names by index (the `zip` crate's order, the central
    /// directory's).
    pub names: Vec<String>,
    /// Declared sizes by index.
    pub sizes: Vec<u64>,
    /// The sum of the declared sizes.
    pub unpacked_bytes: u64,
}

impl<R: Read + Seek> std::fmt::Debug for SafeZip<R> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SafeZip")
            .field("path", &self.path)
            .field("names", &self.names)
            .finish_non_exhaustive()
    }
}

impl<R: Read + Seek> SafeZip<R> {
    /// Opens the zip read by `reader` (the file at `path`) and refuses it
    /// when its layout or member list is hostile.
    pub fn open(path: &Path, mut reader: R, limits: &Limits) -> Result<Self, ArtifactError> {
        let archive_error = |reason: String| ArtifactError::Archive {
            path: path.to_path_buf(),
            reason,
        };
        let unsafe_error = |reason: String| ArtifactError::Unsafe {
            path: path.to_path_buf(),
            reason,
        };
        let layout = read_layout(&mut reader, limits.max_members).map_err(|e| match e {
            LayoutError::Unsafe(reason) => unsafe_error(reason),
            LayoutError::Damaged(reason) => {
                archive_error(format!("not a valid zip archive: {reason}"))
            }
            LayoutError::Io(source) => ArtifactError::Io {
                path: path.to_path_buf(),
                source,
            },
        })?;
        let mut seen = HashSet::new();
        for entry in &layout.entries {
            if !seen.insert(entry.name.as_str()) {
                return Err(unsafe_error(format!(
                    "`{}` appears more than once: tools that read the first copy and tools that read the last would install different files",
                    entry.name
                )));
            }
        }
        let zip = ZipArchive::new(reader)
            .map_err(|e| archive_error(format!("not a valid zip archive: {e}")))?;
        // The `zip` crate must see exactly the layout checked above.
        let disagree = |what: &str| {
            unsafe_error(format!(
                "the zip reader and the archive's own records disagree about {what}"
            ))
        };
        if zip.offset() != 0 || zip.central_directory_start() != layout.central_directory_offset {
            return Err(disagree("where the central directory is"));
        }
        if zip.len() != layout.entries.len() {
            return Err(disagree("how many members there are"));
        }
        let mut names = Vec::with_capacity(zip.len());
        let mut sizes = Vec::with_capacity(zip.len());
        let mut normalized = HashSet::new();
        let mut unpacked_bytes = 0u64;
        for (index, expected) in layout.entries.iter().enumerate() {
            let entry = zip
                .by_index_data(index)
                .map_err(|e| archive_error(format!("unreadable member #{index}: {e}")))?;
            let name = entry
                .name()
                .map_err(|e| archive_error(format!("member #{index} has an unreadable name: {e}")))?
                .into_owned();
            if !same_entry(
                expected,
                &name,
                entry.name_raw(),
                entry.header_start(),
                entry.size(),
                entry.compressed_size(),
                entry.crc32(),
            ) {
                return Err(disagree(&format!("member #{index} (`{}`)", expected.name)));
            }
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
                    "member `{name}` is a symlink: pip writes it as a file holding the target, other tools as a link"
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
                    "the members expand to more than {} bytes in total (the limit; raise it with --max-expanded-size): a decompression bomb",
                    limits.max_total_bytes
                )));
            }
            names.push(name);
            sizes.push(size);
        }
        Ok(SafeZip {
            path: path.to_path_buf(),
            zip,
            names,
            sizes,
            unpacked_bytes,
        })
    }

    pub fn archive_error(&self, reason: String) -> ArtifactError {
        ArtifactError::Archive {
            path: self.path.clone(),
            reason,
        }
    }

    pub fn unsafe_error(&self, reason: String) -> ArtifactError {
        ArtifactError::Unsafe {
            path: self.path.clone(),
            reason,
        }
    }

    /// The index of the member named exactly `member`.
    pub fn index_of(&self, member: &str) -> Option<usize> {
        self.names.iter().position(|n| n == member)
    }

    /// Opens member `index` for reading, with its local header checked
    /// against the central directory by the `zip` crate as well.
    pub fn open_member(
        &mut self,
        index: usize,
    ) -> Result<zip::read::ZipFile<'_, R>, ArtifactError> {
        let path = self.path.clone();
        let name = self.names.get(index).cloned().unwrap_or_default();
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

    /// Streams member `index` into `sink`, refusing more bytes than its
    /// header declares. Returns the size read.
    pub fn stream_member(
        &mut self,
        index: usize,
        sink: &mut dyn FnMut(&[u8]),
    ) -> Result<u64, ArtifactError> {
        let declared = self.sizes.get(index).copied().unwrap_or(0);
        let name = self.names.get(index).cloned().unwrap_or_default();
        let path = self.path.clone();
        let mut reader = self.open_member(index)?.take(declared.saturating_add(1));
        let mut buffer = vec![0u8; 256 * 1024];
        let mut size = 0u64;
        loop {
            let n = match reader.read(&mut buffer) {
                Ok(0) => break,
                Ok(n) => n,
                Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
                Err(e) => {
                    return Err(ArtifactError::Archive {
                        path,
                        reason: format!("member `{name}` is damaged: {e}"),
                    })
                }
            };
            sink(buffer.get(..n).unwrap_or_default());
            size = size.saturating_add(n as u64);
        }
        if size > declared {
            return Err(ArtifactError::Unsafe {
                path,
                reason: format!(
                    "member `{name}` unpacks to more than the {declared} bytes its header declares"
                ),
            });
        }
        if size < declared {
            return Err(ArtifactError::Archive {
                path,
                reason: format!(
                    "member `{name}` unpacks to {size} bytes, its header declares {declared}"
                ),
            });
        }
        Ok(size)
    }

    /// SHA-256 and size of member `index`.
    pub fn hash_member(&mut self, index: usize) -> Result<(Sha256, u64), ArtifactError> {
        let mut hasher = sha2::Sha256::new();
        let size = self.stream_member(index, &mut |chunk| hasher.update(chunk))?;
        Ok((Sha256(hasher.finalize().into()), size))
    }

    /// Reads the text member `member` whole, `None` when absent; one larger
    /// than `cap` is refused, never truncated.
    pub fn read_text(&mut self, member: &str, cap: u64) -> Result<Option<String>, ArtifactError> {
        let Some(index) = self.index_of(member) else {
            return Ok(None);
        };
        let declared = self.sizes.get(index).copied().unwrap_or(0);
        if declared > cap {
            return Err(self.unsafe_error(format!(
                "`{member}` is {declared} bytes, more than the {cap} pbx reads: refused rather than read in part"
            )));
        }
        let mut bytes = Vec::new();
        self.stream_member(index, &mut |chunk| bytes.extend_from_slice(chunk))?;
        String::from_utf8(bytes)
            .map(Some)
            .map_err(|_| self.archive_error(format!("`{member}` is not UTF-8 text")))
    }
}

fn same_entry(
    expected: &LayoutEntry,
    name: &str,
    raw: &[u8],
    header_start: u64,
    size: u64,
    compressed_size: u64,
    crc32: u32,
) -> bool {
    expected.name == name
        && expected.raw_name == raw
        && expected.header_offset == header_start
        && expected.size == size
        && expected.compressed_size == compressed_size
        && expected.crc32 == crc32
}
