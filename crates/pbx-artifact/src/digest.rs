//! Streaming SHA-256 of files, one or many.
//!
//! The `sha2` crate picks its backend at run time (through `cpufeatures`):
//! on x86-64 CPUs with the SHA extensions (SHA-NI) it runs the
//! `sha256rnds2` instructions, elsewhere a portable implementation.
//! [`sha_ni_available`] says which one this process uses.
//!
//! One large file is read on a second thread into a small ring of buffers,
//! so the kernel's copy of the next buffer overlaps hashing of the current
//! one. Many files are hashed on every core with rayon, each on its own
//! thread with plain reads (the cores are busy hashing already).
//!
//! A thread that reads and hashes in turn reads 64 KiB at a time: the
//! kernel's copy lands in the core's L1/L2 caches and is hashed from there
//! (200 files of 5 MiB: 0.14 s of system time against 0.20 s with 256 KiB
//! reads, and 8 % less wall time; 16 and 32 KiB cost more syscalls than
//! they save). The ring of a reader thread holds 256 KiB buffers, which
//! keep its hand-overs to the other core few (64 KiB ones were slower
//! there). Each thread keeps its buffer for every file it hashes, so 200
//! files do not mean 200 fresh zeroed allocations and their page faults.

use std::cell::RefCell;
use std::fmt;
use std::fs::File;
use std::io::{self, Read};
use std::path::{Path, PathBuf};
use std::sync::mpsc::sync_channel;

use base64::Engine as _;
use rayon::prelude::*;
use sha2::Digest as _;

use crate::error::ArtifactError;

/// Read size of a thread that reads and hashes (see the module
/// documentation).
const BUFFER_BYTES: usize = 64 << 10;
/// Size of each buffer in a reader thread's ring.
const RING_BUFFER_BYTES: usize = 256 << 10;
/// Buffers in flight between the reader thread and the hasher.
const RING: usize = 4;

thread_local! {
    /// This thread's read buffer, kept from one file to the next.
    static BUFFER: RefCell<Vec<u8>> = const { RefCell::new(Vec::new()) };
}

/// Runs `f` with this thread's read buffer (a fresh one if it is in use).
fn with_buffer<T>(f: impl FnOnce(&mut [u8]) -> T) -> T {
    BUFFER.with(|cell| match cell.try_borrow_mut() {
        Ok(mut buffer) => {
            if buffer.len() < BUFFER_BYTES {
                buffer.resize(BUFFER_BYTES, 0);
            }
            f(&mut buffer)
        }
        Err(_) => f(&mut vec![0u8; BUFFER_BYTES]),
    })
}
/// Files smaller than this are hashed without a reader thread.
const OVERLAP_MIN_BYTES: u64 = 8 << 20;

/// A SHA-256 digest.
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Sha256(pub [u8; 32]);

impl Sha256 {
    /// The digest of `bytes`.
    pub fn of(bytes: &[u8]) -> Self {
        Sha256(sha2::Sha256::digest(bytes).into())
    }

    /// Lower-case hex, as `sha256sum` prints it and indexes publish it.
    pub fn hex(&self) -> String {
        hex::encode(self.0)
    }

    /// Parses 64 hex digits (either case).
    pub fn from_hex(text: &str) -> Option<Self> {
        let mut out = [0u8; 32];
        hex::decode_to_slice(text, &mut out).ok()?;
        Some(Sha256(out))
    }

    /// The form a wheel's RECORD uses: URL-safe base64 without padding.
    pub fn record_form(&self) -> String {
        base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(self.0)
    }
}

impl fmt::Display for Sha256 {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.hex())
    }
}

impl fmt::Debug for Sha256 {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Sha256({})", self.hex())
    }
}

impl serde::Serialize for Sha256 {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(&self.hex())
    }
}

/// A file's digest and size.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
pub struct FileDigest {
    /// The file, as given.
    pub path: PathBuf,
    /// Its SHA-256.
    pub sha256: Sha256,
    /// Its size in bytes.
    pub size: u64,
}

/// Whether SHA-256 runs on the CPU's SHA extensions in this process (the
/// same test `sha2` makes: SHA plus SSE2/SSSE3/SSE4.1 on x86).
pub fn sha_ni_available() -> bool {
    #[cfg(any(target_arch = "x86", target_arch = "x86_64"))]
    {
        std::arch::is_x86_feature_detected!("sha")
            && std::arch::is_x86_feature_detected!("sse2")
            && std::arch::is_x86_feature_detected!("ssse3")
            && std::arch::is_x86_feature_detected!("sse4.1")
    }
    #[cfg(not(any(target_arch = "x86", target_arch = "x86_64")))]
    {
        false
    }
}

/// Told how hashing goes, from whichever thread hashes (the binary draws
/// a progress bar; libraries never print). Called once per buffer
/// (256 KiB), so it costs nothing next to the hashing.
pub trait HashProgress: Sync {
    /// Hashing of `total` bytes in all begins.
    fn start(&self, _total: u64) {}
    /// `bytes` more bytes were hashed.
    fn hashed(&self, _bytes: u64) {}
}

/// No one is told.
#[derive(Clone, Copy, Debug, Default)]
pub struct NoProgress;

impl HashProgress for NoProgress {}

/// The bytes `paths` hold in all (as their metadata says; a path that
/// cannot be read counts nothing: its hashing reports the error).
pub fn total_size(paths: &[PathBuf]) -> u64 {
    paths
        .iter()
        .filter_map(|p| std::fs::metadata(p).ok())
        .filter(|m| m.is_file())
        .map(|m| m.len())
        .sum()
}

/// Hashes everything `reader` yields, in one thread. Returns the digest and
/// the byte count.
pub fn sha256_reader<R: Read>(reader: R) -> io::Result<(Sha256, u64)> {
    hash_reader(reader, &NoProgress)
}

fn hash_reader<R: Read>(mut reader: R, progress: &dyn HashProgress) -> io::Result<(Sha256, u64)> {
    with_buffer(|buffer| {
        let mut hasher = sha2::Sha256::new();
        let mut total = 0u64;
        loop {
            let n = read_full(&mut reader, buffer)?;
            if n == 0 {
                break;
            }
            hasher.update(&buffer[..n]);
            total += n as u64;
            progress.hashed(n as u64);
        }
        Ok((Sha256(hasher.finalize().into()), total))
    })
}

/// Hashes the file at `path`; large files are read on a second thread.
pub fn sha256_file(path: &Path) -> Result<FileDigest, ArtifactError> {
    hash_path(path, true, &NoProgress)
}

/// [`sha256_file`], telling `progress` as it goes (not [`HashProgress::start`]:
/// the caller knows the whole).
pub fn sha256_file_with(
    path: &Path,
    progress: &dyn HashProgress,
) -> Result<FileDigest, ArtifactError> {
    hash_path(path, true, progress)
}

/// Hashes many files on every core. The results come back in the order of
/// `paths`, whatever order the work finished in.
pub fn sha256_files(paths: &[PathBuf]) -> Vec<Result<FileDigest, ArtifactError>> {
    sha256_files_with(paths, &NoProgress)
}

/// [`sha256_files`], telling `progress` the total first and then each
/// buffer hashed.
pub fn sha256_files_with(
    paths: &[PathBuf],
    progress: &dyn HashProgress,
) -> Vec<Result<FileDigest, ArtifactError>> {
    progress.start(total_size(paths));
    // With fewer files than threads, the idle cores read ahead instead.
    let overlap = paths.len() < rayon::current_num_threads();
    paths
        .par_iter()
        .map(|path| hash_path(path, overlap, progress))
        .collect()
}

fn hash_path(
    path: &Path,
    overlap: bool,
    progress: &dyn HashProgress,
) -> Result<FileDigest, ArtifactError> {
    let io_error = |source| ArtifactError::Io {
        path: path.to_path_buf(),
        source,
    };
    let file = File::open(path).map_err(io_error)?;
    let meta = file.metadata().map_err(io_error)?;
    if meta.is_dir() {
        return Err(io_error(io::Error::other("is a directory")));
    }
    let (sha256, size) = if overlap && meta.len() >= OVERLAP_MIN_BYTES {
        hash_overlapped(file, progress)
    } else {
        hash_reader(file, progress)
    }
    .map_err(io_error)?;
    Ok(FileDigest {
        path: path.to_path_buf(),
        sha256,
        size,
    })
}

/// Reads on a second thread into a ring of buffers while this thread hashes.
fn hash_overlapped(mut file: File, progress: &dyn HashProgress) -> io::Result<(Sha256, u64)> {
    let (full_tx, full_rx) = sync_channel::<io::Result<(Vec<u8>, usize)>>(RING);
    let (free_tx, free_rx) = sync_channel::<Vec<u8>>(RING);
    for _ in 0..RING {
        free_tx
            .send(vec![0u8; RING_BUFFER_BYTES])
            .map_err(|_| io::Error::other("buffer ring closed"))?;
    }
    std::thread::scope(|scope| {
        scope.spawn(move || {
            // Ends when the hasher drops its side (done or failed).
            while let Ok(mut buffer) = free_rx.recv() {
                match read_full(&mut file, &mut buffer) {
                    Ok(n) => {
                        if full_tx.send(Ok((buffer, n))).is_err() || n == 0 {
                            break;
                        }
                    }
                    Err(e) => {
                        let _ = full_tx.send(Err(e));
                        break;
                    }
                }
            }
        });
        // Owned here so that any return ends the reader's loop before the
        // scope joins it.
        let free_tx = free_tx;
        let mut hasher = sha2::Sha256::new();
        let mut total = 0u64;
        loop {
            let (buffer, n) = full_rx
                .recv()
                .map_err(|_| io::Error::other("the reader thread stopped"))??;
            if n == 0 {
                break;
            }
            hasher.update(&buffer[..n]);
            total += n as u64;
            progress.hashed(n as u64);
            // The reader may have finished; a closed ring is fine then.
            let _ = free_tx.send(buffer);
        }
        drop(free_tx);
        Ok((Sha256(hasher.finalize().into()), total))
    })
}

/// Fills `buffer` unless the end comes first; returns the bytes read.
fn read_full<R: Read>(reader: &mut R, buffer: &mut [u8]) -> io::Result<usize> {
    let mut filled = 0;
    while filled < buffer.len() {
        match reader.read(&mut buffer[filled..]) {
            Ok(0) => break,
            Ok(n) => filled += n,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
            Err(e) => return Err(e),
        }
    }
    Ok(filled)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn progress_is_told_the_total_and_every_byte_hashed() {
        use std::sync::atomic::{AtomicU64, Ordering};
        #[derive(Default)]
        struct Count(AtomicU64, AtomicU64);
        impl HashProgress for Count {
            fn start(&self, total: u64) {
                self.0.store(total, Ordering::SeqCst);
            }
            fn hashed(&self, bytes: u64) {
                self.1.fetch_add(bytes, Ordering::SeqCst);
            }
        }
        let dir = tempfile::tempdir().unwrap();
        let big = dir.path().join("big");
        let small = dir.path().join("small");
        std::fs::write(&big, vec![7u8; (9 << 20) + 3]).unwrap();
        std::fs::write(&small, b"abc").unwrap();
        let count = Count::default();
        let digests = sha256_files_with(&[big.clone(), small.clone()], &count);
        assert_eq!(count.0.load(Ordering::SeqCst), (9 << 20) + 6);
        assert_eq!(count.1.load(Ordering::SeqCst), (9 << 20) + 6);
        assert_eq!(digests[1].as_ref().unwrap().sha256, Sha256::of(b"abc"));
        let count = Count::default();
        sha256_file_with(&big, &count).unwrap();
        assert_eq!(count.1.load(Ordering::SeqCst), (9 << 20) + 3);
    }

    // FIPS 180-2 test vectors.
    #[test]
    fn known_digests() {
        assert_eq!(
            Sha256::of(b"abc").hex(),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        );
        assert_eq!(
            Sha256::of(b"").record_form(),
            "47DEQpj8HBSa-_TImW-5JCeuQeRkm5NMpJWZG3hSuFU"
        );
        let text = Sha256::of(b"abc").hex();
        assert_eq!(Sha256::from_hex(&text.to_uppercase()).unwrap().hex(), text);
        assert!(Sha256::from_hex("abc").is_none());
    }

    #[test]
    fn overlapped_and_plain_reads_agree() {
        let dir = tempfile::tempdir().unwrap();
        // Not a multiple of the buffer size, and larger than the ring.
        let data: Vec<u8> = (0..(OVERLAP_MIN_BYTES as usize * 2 + 12345))
            .map(|i| (i * 31 % 251) as u8)
            .collect();
        let path = dir.path().join("big.bin");
        std::fs::write(&path, &data).unwrap();
        let small = dir.path().join("small.bin");
        std::fs::write(&small, b"abc").unwrap();
        let expected = Sha256::of(&data);
        let one = sha256_file(&path).unwrap();
        assert_eq!((one.sha256, one.size), (expected, data.len() as u64));
        let plain = sha256_reader(File::open(&path).unwrap()).unwrap();
        assert_eq!(plain, (expected, data.len() as u64));
        let many = sha256_files(&[small.clone(), path.clone(), dir.path().join("missing")]);
        assert_eq!(many[0].as_ref().unwrap().sha256, Sha256::of(b"abc"));
        assert_eq!(many[1].as_ref().unwrap().sha256, expected);
        assert!(matches!(many[2], Err(ArtifactError::Io { .. })));
    }

    #[test]
    fn sha_ni_matches_the_cpu() {
        let cpuinfo = std::fs::read_to_string("/proc/cpuinfo").unwrap_or_default();
        if cfg!(target_arch = "x86_64") && cpuinfo.contains(" sha_ni") {
            assert!(sha_ni_available());
        }
    }
}
