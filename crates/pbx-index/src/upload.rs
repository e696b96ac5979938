//! The legacy upload API: a multipart POST streamed from disk, retried
//! with reconciliation against the simple API, and the wait until the index
//! lists what was uploaded.

use std::fs::File;
use std::io::{self, Read};
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use pbx_artifact::{ArtifactError, CoreMetadata, DistFilename};
use sha2::Digest;
use url::Url;

use crate::client::{AttemptError, Client, Credentials, Reply, RequestBody};
use crate::error::IndexError;
use crate::simple::IndexFile;

/// A wheel or sdist ready to upload: its parsed filename, core metadata,
/// size and digests.
#[derive(Clone, Debug)]
pub struct Artifact {
    /// The file.
    pub path: PathBuf,
    /// Its parsed filename.
    pub dist: DistFilename,
    /// Its core metadata (`METADATA` or `PKG-INFO`).
    pub metadata: CoreMetadata,
    /// Size in bytes.
    pub size: u64,
    /// SHA-256, lowercase hex.
    pub sha256: String,
    /// PEP 740 attestations sent with the file: the `attestations` form
    /// field, a JSON array (set by the uploader after checking them).
    pub attestations: Option<String>,
}

impl Artifact {
    /// Parses the filename, reads the metadata (a wheel's own
    /// `.dist-info/METADATA`, an sdist's top-level `PKG-INFO`) and computes
    /// the SHA-256, which the release checks need before anything is sent.
    /// It is the one digest the upload form carries: the upload API takes
    /// any one of its digests (PyPI checks each one it is given), and every
    /// index takes the SHA-256. No BLAKE2b-256: hashing it as the file went
    /// out kept the sending thread busy, and the file went out ~0.1–0.2 s
    /// slower per 200 MiB than `curl -F` sends it (docs/benchmarks.md). No
    /// MD5: twine 7 and uv no longer send it.
    pub fn read(path: &Path) -> Result<Artifact, ArtifactError> {
        let (dist, metadata) = pbx_artifact::read_metadata(path)?;
        let (size, sha256) = digests(path).map_err(|source| ArtifactError::Io {
            path: path.to_path_buf(),
            source,
        })?;
        Ok(Artifact {
            path: path.to_path_buf(),
            dist,
            metadata,
            size,
            sha256,
            attestations: None,
        })
    }

    /// The filename.
    pub fn filename(&self) -> &str {
        &self.dist.filename
    }

    /// The form fields of the upload request that go before the file, in
    /// order (everything but `content`).
    pub fn form_fields(&self) -> Vec<(&'static str, String)> {
        let meta = &self.metadata;
        let mut fields: Vec<(&'static str, String)> = vec![
            (":action", "file_upload".into()),
            ("protocol_version", "1".into()),
            (
                "metadata_version",
                meta.get("Metadata-Version").unwrap_or("2.1").to_string(),
            ),
            (
                "name",
                meta.get("Name")
                    .map(str::to_string)
                    .unwrap_or_else(|| self.dist.raw_name.clone()),
            ),
            (
                "version",
                meta.get("Version")
                    .map(str::to_string)
                    .unwrap_or_else(|| self.dist.version.to_string()),
            ),
            ("filetype", self.dist.kind.filetype().into()),
            ("pyversion", self.dist.pyversion().to_string()),
            ("sha256_digest", self.sha256.clone()),
        ];
        for (header, field) in METADATA_FIELDS {
            for value in meta.get_all(header) {
                fields.push((field, value.to_string()));
            }
        }
        let description = meta
            .get("Description")
            .map(str::to_string)
            .or_else(|| meta.body.clone());
        if let Some(description) = description {
            fields.push(("description", description));
        }
        if let Some(attestations) = &self.attestations {
            fields.push(("attestations", attestations.clone()));
        }
        fields
    }
}

/// Core metadata headers and their upload form names (as twine sends them).
const METADATA_FIELDS: &[(&str, &str)] = &[
    ("Summary", "summary"),
    ("Description-Content-Type", "description_content_type"),
    ("Keywords", "keywords"),
    ("Home-page", "home_page"),
    ("Download-URL", "download_url"),
    ("Author", "author"),
    ("Author-email", "author_email"),
    ("Maintainer", "maintainer"),
    ("Maintainer-email", "maintainer_email"),
    ("License", "license"),
    ("License-Expression", "license_expression"),
    ("License-File", "license_file"),
    ("Classifier", "classifiers"),
    ("Platform", "platform"),
    ("Supported-Platform", "supported_platform"),
    ("Requires-Python", "requires_python"),
    ("Requires-Dist", "requires_dist"),
    ("Provides-Dist", "provides_dist"),
    ("Obsoletes-Dist", "obsoletes_dist"),
    ("Requires-External", "requires_external"),
    ("Project-URL", "project_urls"),
    ("Provides-Extra", "provides_extra"),
    ("Dynamic", "dynamic"),
];

/// Size and SHA-256 of a file.
fn digests(path: &Path) -> io::Result<(u64, String)> {
    let (sha256, size) = pbx_artifact::sha256_reader(File::open(path)?)?;
    Ok((size, sha256.hex()))
}

/// The multipart body of an upload: text parts, then the file streamed
/// from disk, then the closing boundary. Its length is known up front.
struct Multipart {
    boundary: String,
    head: Vec<u8>,
    /// After the file.
    tail: Vec<u8>,
    path: PathBuf,
    file_size: u64,
}

impl Multipart {
    fn new(artifact: &Artifact) -> Multipart {
        let boundary = format!("pbx-{:016x}{:016x}", fastrand::u64(..), fastrand::u64(..));
        let mut head = Vec::new();
        for (name, value) in artifact.form_fields() {
            head.extend_from_slice(
                format!("--{boundary}\r\nContent-Disposition: form-data; name=\"{name}\"\r\n\r\n")
                    .as_bytes(),
            );
            head.extend_from_slice(value.as_bytes());
            head.extend_from_slice(b"\r\n");
        }
        let filename = artifact
            .filename()
            .replace('"', "%22")
            .replace(['\r', '\n'], "");
        head.extend_from_slice(
            format!(
                "--{boundary}\r\nContent-Disposition: form-data; name=\"content\"; filename=\"{filename}\"\r\nContent-Type: application/octet-stream\r\n\r\n"
            )
            .as_bytes(),
        );
        let tail = format!("\r\n--{boundary}--\r\n").into_bytes();
        Multipart {
            boundary,
            head,
            tail,
            path: artifact.path.clone(),
            file_size: artifact.size,
        }
    }

    fn content_type(&self) -> String {
        format!("multipart/form-data; boundary={}", self.boundary)
    }

    fn len(&self) -> u64 {
        self.head.len() as u64 + self.file_size + self.tail.len() as u64
    }

    /// One reading of the body: the head, the file, the tail.
    fn open(&self) -> Result<Box<dyn Read + '_>, IndexError> {
        let io_error = |source| IndexError::Io {
            path: self.path.clone(),
            source,
        };
        let file = File::open(&self.path).map_err(io_error)?;
        let size = file.metadata().map_err(io_error)?.len();
        if size != self.file_size {
            return Err(io_error(io::Error::other(format!(
                "the file changed since its digests were computed ({} bytes then, {size} now)",
                self.file_size
            ))));
        }
        let file = ExactReader {
            inner: file,
            remaining: self.file_size,
        };
        Ok(Box::new(
            io::Cursor::new(&self.head[..])
                .chain(file)
                .chain(io::Cursor::new(&self.tail[..])),
        ))
    }
}

/// Reads exactly `remaining` bytes, failing when the file ends early (so a
/// truncated file never produces a body shorter than its Content-Length).
struct ExactReader<R> {
    inner: R,
    remaining: u64,
}

impl<R: Read> Read for ExactReader<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        if self.remaining == 0 {
            return Ok(0);
        }
        let max = buf
            .len()
            .min(self.remaining.min(usize::MAX as u64) as usize);
        let n = self.inner.read(&mut buf[..max])?;
        if n == 0 {
            return Err(io::Error::new(
                io::ErrorKind::UnexpectedEof,
                "the file got shorter while it was being uploaded",
            ));
        }
        self.remaining -= n as u64;
        Ok(n)
    }
}

/// How the upload of one file ended.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum UploadOutcome {
    /// The index accepted the file.
    Uploaded {
        /// POSTs made (1 unless retried).
        attempts: u32,
        /// An attempt got no answer, and the index was then found holding
        /// this very file (same filename and sha256): it counts as uploaded
        /// by this run.
        reconciled: bool,
    },
    /// The index already holds this filename and it is not ours (a 409,
    /// PyPI's 400 "File already exists", or a reconciliation that found
    /// other bytes). The version is consumed.
    AlreadyExists {
        /// The status of the answer.
        status: u16,
        /// The index's message.
        message: String,
        /// The sha256 the index lists for the filename, when known.
        index_sha256: Option<String>,
        /// POSTs made.
        attempts: u32,
    },
    /// The index refused the upload for another reason (bad metadata,
    /// credentials, permissions).
    Rejected {
        /// The status.
        status: u16,
        /// The index's message.
        message: String,
        /// POSTs made.
        attempts: u32,
    },
}

/// `outcome` with `attempts` POSTs counted (a conflict found while
/// reconciling does not know how many were made).
fn counted(outcome: UploadOutcome, made: u32) -> UploadOutcome {
    match outcome {
        UploadOutcome::AlreadyExists {
            status,
            message,
            index_sha256,
            ..
        } => UploadOutcome::AlreadyExists {
            status,
            message,
            index_sha256,
            attempts: made,
        },
        UploadOutcome::Rejected {
            status, message, ..
        } => UploadOutcome::Rejected {
            status,
            message,
            attempts: made,
        },
        other => other,
    }
}

impl UploadOutcome {
    /// Whether the file is on the index as ours.
    pub fn is_uploaded(&self) -> bool {
        matches!(self, UploadOutcome::Uploaded { .. })
    }
}

/// Whether an upload answer says the filename is taken (every shape real
/// indexes use: PyPI/TestPyPI 400 "File already exists" or "previously
/// used", pypiserver 409, devpi 409).
pub fn is_already_exists(status: u16, message: &str) -> bool {
    let lower = message.to_ascii_lowercase();
    status == 409
        || (status == 400
            && (lower.contains("already exists")
                || lower.contains("file-name-reuse")
                || lower.contains("previously used")
                || lower.contains("has already been uploaded")))
}

/// The message of an upload answer: the JSON `message`/`detail`/`code` when
/// the index answers JSON, the text otherwise (HTML tags dropped).
pub(crate) fn answer_message(reply: &Reply) -> String {
    reply.message()
}

/// Where a file of a project lives on an index, for uploads and checks.
#[derive(Clone, Copy, Debug)]
pub struct Target<'a> {
    /// The legacy upload endpoint.
    pub upload: &'a Url,
    /// The simple API base (for reconciliation).
    pub simple: &'a Url,
    /// Upload credentials.
    pub credentials: Option<&'a Credentials>,
}

impl Client {
    /// Uploads `artifact` to `target.upload`, streaming it from disk.
    ///
    /// Connection errors, timeouts, 429 and 5xx are retried with backoff.
    /// Before re-POSTing after an attempt that got no answer (or a 5xx),
    /// the simple API is asked whether the file landed: the same sha256
    /// means it did (uploaded by this run, `reconciled`), other bytes mean
    /// a conflict. An "already exists" answer after such an attempt is
    /// reconciled the same way; without one it is [`UploadOutcome::AlreadyExists`].
    pub fn upload(
        &self,
        target: Target<'_>,
        artifact: &Artifact,
    ) -> Result<UploadOutcome, IndexError> {
        if target.credentials.is_some() {
            crate::client::check_credentials_allowed(target.upload)?;
        }
        let multipart = Multipart::new(artifact);
        let content_type = multipart.content_type();
        let total = multipart.len();
        let open = || -> Result<Box<dyn Read + '_>, IndexError> {
            let reader = multipart.open()?;
            Ok(match (&self.progress, &self.cancel) {
                (None, None) => reader,
                (progress, cancel) => Box::new(Counting {
                    inner: reader,
                    filename: artifact.filename(),
                    sent: 0,
                    total,
                    progress: progress.as_deref(),
                    cancel: cancel.as_deref(),
                }),
            })
        };
        let body = RequestBody::Stream {
            open: &open,
            len: multipart.len(),
            content_type: &content_type,
        };
        let max_attempts = self.config().retries + 1;
        let mut unanswered = false;
        let mut last = String::new();
        for attempt in 1..=max_attempts {
            if self.cancelled() {
                return Err(IndexError::Cancelled {
                    url: target.upload.to_string(),
                });
            }
            if unanswered {
                match self.reconcile(target, artifact, Duration::ZERO) {
                    Some(Ok(Reconciled)) => return Ok(reconciled(attempt - 1)),
                    Some(Err(conflict)) => return Ok(counted(conflict, attempt - 1)),
                    None => {}
                }
            }
            let reply = match self.attempt(
                "POST",
                target.upload,
                &[("accept", "application/json, text/plain;q=0.5, */*;q=0.1")],
                &body,
                target.credentials,
            ) {
                Ok(reply) => reply,
                Err(AttemptError::Fatal(e)) => return Err(e),
                Err(AttemptError::Transport(_)) if self.cancelled() => {
                    return Err(IndexError::Cancelled {
                        url: target.upload.to_string(),
                    })
                }
                Err(AttemptError::Transport(reason)) => {
                    unanswered = true;
                    last = reason.clone();
                    if attempt < max_attempts {
                        self.pause(target.upload, attempt, reason, None);
                    }
                    continue;
                }
            };
            let status = reply.status;
            let message = answer_message(&reply);
            match status {
                200..=299 => {
                    return Ok(UploadOutcome::Uploaded {
                        attempts: attempt,
                        reconciled: false,
                    })
                }
                429 | 500..=599 => {
                    unanswered = unanswered || status != 429;
                    last = format!("HTTP {status}: {message}");
                    if attempt < max_attempts {
                        let retry_after = crate::client::retry_after(&reply);
                        self.pause(target.upload, attempt, last.clone(), retry_after);
                    }
                    continue;
                }
                300..=399 => {
                    return Err(IndexError::Redirected {
                        url: target.upload.to_string(),
                        location: reply.header("location").unwrap_or_default().to_string(),
                    })
                }
                _ if is_already_exists(status, &message) => {
                    if unanswered {
                        // Our own earlier attempt may be what the index
                        // holds; it may take a moment to be listed.
                        return Ok(
                            match self.reconcile(target, artifact, self.config().reconcile_wait) {
                                Some(Ok(Reconciled)) => reconciled(attempt),
                                Some(Err(conflict)) => counted(conflict, attempt),
                                None => UploadOutcome::AlreadyExists {
                                    status,
                                    message,
                                    index_sha256: None,
                                    attempts: attempt,
                                },
                            },
                        );
                    }
                    let index_sha256 = self
                        .find_file(target.simple, artifact)
                        .ok()
                        .flatten()
                        .and_then(|f| f.sha256);
                    return Ok(UploadOutcome::AlreadyExists {
                        status,
                        message,
                        index_sha256,
                        attempts: attempt,
                    });
                }
                _ => {
                    return Ok(UploadOutcome::Rejected {
                        status,
                        message,
                        attempts: attempt,
                    })
                }
            }
        }
        if unanswered {
            // The last attempt may have landed after all.
            if let Some(result) = self.reconcile(target, artifact, self.config().reconcile_wait) {
                return Ok(match result {
                    Ok(Reconciled) => reconciled(max_attempts),
                    Err(conflict) => counted(conflict, max_attempts),
                });
            }
        }
        Err(IndexError::Unreachable {
            url: target.upload.to_string(),
            attempts: max_attempts,
            last,
        })
    }

    /// Looks for the artifact's filename on the simple API for up to
    /// `wait`. `Some(Ok)` when it is listed with our sha256, `Some(Err)`
    /// with the conflict when it is listed with other bytes, `None` when
    /// it is not listed (or the simple API cannot be read).
    fn reconcile(
        &self,
        target: Target<'_>,
        artifact: &Artifact,
        wait: Duration,
    ) -> Option<Result<Reconciled, UploadOutcome>> {
        let deadline = Instant::now() + wait;
        let mut pause = Duration::from_millis(200);
        loop {
            if let Ok(Some(file)) = self.find_file(target.simple, artifact) {
                let sha = match &file.sha256 {
                    Some(sha) => Some(sha.clone()),
                    None => self.download_sha256(&file.url).ok(),
                };
                return Some(if sha.as_deref() == Some(artifact.sha256.as_str()) {
                    Ok(Reconciled)
                } else {
                    Err(UploadOutcome::AlreadyExists {
                        status: 409,
                        message: format!(
                            "{} is on the index with other content (sha256 {})",
                            artifact.filename(),
                            sha.as_deref().unwrap_or("unknown")
                        ),
                        index_sha256: sha,
                        attempts: 0,
                    })
                });
            }
            if Instant::now() >= deadline {
                return None;
            }
            std::thread::sleep(pause.min(deadline.saturating_duration_since(Instant::now())));
            pause = (pause * 2).min(Duration::from_secs(2));
        }
    }

    fn find_file(
        &self,
        simple: &Url,
        artifact: &Artifact,
    ) -> Result<Option<IndexFile>, IndexError> {
        Ok(self
            .list_files(simple, &artifact.dist.name)?
            .into_iter()
            .find(|f| f.filename == artifact.filename()))
    }

    /// Downloads `url` and returns its SHA-256 (streamed, never held in
    /// memory), with retries.
    pub fn download_sha256(&self, url: &str) -> Result<String, IndexError> {
        self.download(url, None)
    }

    /// Downloads `url` into the file `dest` (streamed, created or
    /// truncated on each attempt) and returns its SHA-256, with retries.
    pub fn download_to(&self, url: &str, dest: &std::path::Path) -> Result<String, IndexError> {
        self.download(url, Some(dest))
    }

    fn download(&self, url: &str, dest: Option<&std::path::Path>) -> Result<String, IndexError> {
        let parsed = Url::parse(url).map_err(|e| IndexError::InvalidIndex {
            input: url.to_string(),
            reason: e.to_string(),
        })?;
        let max_attempts = self.config().retries + 1;
        let mut last = String::new();
        for attempt in 1..=max_attempts {
            match self.stream_sha256(&parsed, dest) {
                Ok(Ok(sha)) => return Ok(sha),
                Ok(Err(status)) if status == 429 || status >= 500 => {
                    last = format!("HTTP {status}")
                }
                Ok(Err(status)) => {
                    return Err(IndexError::Status {
                        url: url.to_string(),
                        status,
                        message: "downloading the file".into(),
                        sent_credentials: self.read_credentials_for(&parsed).is_some(),
                    })
                }
                Err(AttemptError::Fatal(e)) => return Err(e),
                Err(AttemptError::Transport(reason)) => last = reason,
            }
            if attempt < max_attempts {
                self.pause(&parsed, attempt, last.clone(), None);
            }
        }
        Err(IndexError::Unreachable {
            url: url.to_string(),
            attempts: max_attempts,
            last,
        })
    }

    /// One streamed GET hashing the body: `Ok(Ok(sha))`, `Ok(Err(status))`
    /// for a non-200 answer, `Err` for a transport error.
    fn stream_sha256(
        &self,
        url: &Url,
        dest: Option<&std::path::Path>,
    ) -> Result<Result<String, u16>, AttemptError> {
        self.get_streaming(url, |reader| {
            let mut file = dest.map(std::fs::File::create).transpose()?;
            let mut hasher = sha2::Sha256::new();
            let mut buf = vec![0u8; 256 * 1024];
            loop {
                let n = reader.read(&mut buf)?;
                if n == 0 {
                    break;
                }
                hasher.update(&buf[..n]);
                if let Some(file) = file.as_mut() {
                    std::io::Write::write_all(file, &buf[..n])?;
                }
            }
            Ok(hex::encode(hasher.finalize()))
        })
    }
}

/// A request body that reports how much of it has been read (sent).
struct Counting<'a> {
    inner: Box<dyn Read + 'a>,
    filename: &'a str,
    sent: u64,
    total: u64,
    progress: Option<&'a (dyn Fn(&crate::client::SendProgress<'_>) + Send + Sync)>,
    cancel: Option<&'a std::sync::atomic::AtomicBool>,
}

impl Read for Counting<'_> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        if self
            .cancel
            .is_some_and(|c| c.load(std::sync::atomic::Ordering::SeqCst))
        {
            return Err(io::Error::new(
                io::ErrorKind::Interrupted,
                "stopped by a signal",
            ));
        }
        let n = self.inner.read(buf)?;
        self.sent += n as u64;
        if let Some(progress) = self.progress {
            progress(&crate::client::SendProgress {
                filename: self.filename,
                sent: self.sent,
                total: self.total,
            });
        }
        Ok(n)
    }
}

/// The file on the index is ours.
struct Reconciled;

fn reconciled(attempts: u32) -> UploadOutcome {
    UploadOutcome::Uploaded {
        attempts: attempts.max(1),
        reconciled: true,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn reply(status: u16, body: &str) -> Reply {
        Reply {
            status,
            headers: Default::default(),
            body: body.to_string(),
        }
    }

    #[test]
    fn already_exists_in_every_shape() {
        // PyPI / TestPyPI (warehouse), JSON and HTML bodies.
        let json = reply(
            400,
            r#"{"message": "400 File already exists ('demo-1.0.tar.gz', with blake2_256 hash 'ab'). See https://pypi.org/help/#file-name-reuse for more information.", "code": "400 Bad Request", "title": "Bad Request"}"#,
        );
        let message = answer_message(&json);
        assert!(message.starts_with("400 File already exists"), "{message}");
        assert!(is_already_exists(400, &message));
        let html = reply(400, "<html><body><h1>400 Bad Request</h1>File already exists (&#x27;demo-1.0.tar.gz&#x27;).</body></html>");
        let message = answer_message(&html);
        assert!(
            message.contains("File already exists ('demo-1.0.tar.gz')"),
            "{message}"
        );
        assert!(is_already_exists(400, &message));
        assert!(is_already_exists(
            400,
            "400 Filename or contents previously used by a file that has since been deleted"
        ));
        // pypiserver and devpi.
        assert!(is_already_exists(409, "Conflict"));
        // Other refusals are not.
        assert!(!is_already_exists(
            400,
            "Invalid value for blake2_256_digest"
        ));
        assert!(!is_already_exists(403, "already exists"));
    }

    #[test]
    fn the_exact_reader_refuses_a_short_file() {
        let mut reader = ExactReader {
            inner: &b"abc"[..],
            remaining: 5,
        };
        let mut out = Vec::new();
        let err = reader.read_to_end(&mut out).unwrap_err();
        assert_eq!(err.kind(), io::ErrorKind::UnexpectedEof);
    }

    #[test]
    fn digests_match_known_values() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("f");
        std::fs::write(&path, b"abc").unwrap();
        let (size, sha256) = digests(&path).unwrap();
        assert_eq!(size, 3);
        assert_eq!(
            sha256,
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        );
    }

    #[test]
    fn the_body_is_the_head_the_file_and_the_tail() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("f");
        std::fs::write(&path, b"abc").unwrap();
        let multipart = Multipart {
            boundary: "b".into(),
            head: b"HEAD|".to_vec(),
            tail: b"|END".to_vec(),
            path: path.clone(),
            file_size: 3,
        };
        // Twice: every attempt reads the file afresh.
        for _ in 0..2 {
            let mut body = Vec::new();
            multipart.open().unwrap().read_to_end(&mut body).unwrap();
            assert_eq!(String::from_utf8(body.clone()).unwrap(), "HEAD|abc|END");
            assert_eq!(body.len() as u64, multipart.len());
        }
        // Bigger than any read buffer.
        let big: Vec<u8> = (0..3_000_000u32).map(|i| (i % 251) as u8).collect();
        std::fs::write(&path, &big).unwrap();
        let multipart = Multipart {
            file_size: big.len() as u64,
            ..multipart
        };
        let mut body = Vec::new();
        multipart.open().unwrap().read_to_end(&mut body).unwrap();
        assert_eq!(&body[5..body.len() - 4], &big[..]);
        assert_eq!(body.len() as u64, multipart.len());
        // A file whose size changed after its digest was computed is
        // refused before anything is sent.
        std::fs::write(&path, b"ab").unwrap();
        assert!(multipart.open().is_err());
    }
}
