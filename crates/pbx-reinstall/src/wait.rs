//! Waiting until the index lists the exact version (and, with `--dist`,
//! the local artifacts' bytes): a poll of the simple API, never a retried
//! install.

use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use pbx_index::{Client, IndexError, IndexFile};
use pbx_version::{PackageName, Version};
use url::Url;

use crate::local::LocalArtifact;

/// The first pause between two polls.
pub const FIRST_POLL_INTERVAL: Duration = Duration::from_secs(1);
/// The longest pause between two polls. DESIGN.md's target is to notice a
/// fresh upload within 2 s of the index showing it, so the backoff stops
/// below it: each poll is one small GET of the project's simple page.
pub const MAX_POLL_INTERVAL: Duration = Duration::from_millis(1500);

/// What the wait reports while it runs (the binary prints these on stderr).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum WaitEvent {
    /// The version is not (fully) listed yet; the next poll is in `next`.
    NotYet {
        /// Poll number, from 1.
        attempt: u32,
        /// Time spent so far.
        elapsed: Duration,
        /// The limit.
        limit: Duration,
        /// The pause before the next poll.
        next: Duration,
        /// What is missing, in words.
        missing: String,
    },
    /// The index could not be reached on this poll (after the client's own
    /// retries); polling goes on while time remains.
    Unreachable {
        /// Poll number, from 1.
        attempt: u32,
        /// The error.
        error: String,
    },
}

/// How the wait ended without the version.
#[derive(Debug, thiserror::Error)]
pub enum WaitError {
    /// The index answered, but never listed what was needed in time.
    #[error("{what} is not on {index} after {waited}: {missing}")]
    NotListed {
        /// `demo 1.0`.
        what: String,
        /// The simple URL.
        index: String,
        /// How long was waited.
        waited: String,
        /// What is missing.
        missing: String,
    },
    /// A file of the version is on the index with other bytes than the
    /// local artifact of the same name: waiting cannot change that.
    #[error("{filename} on {index} has sha256 {index_sha256}, but the local {local_path} has {local_sha256}: the bytes on the index are not the bytes that were built")]
    DigestMismatch {
        /// The filename.
        filename: String,
        /// The simple URL.
        index: String,
        /// The index's digest.
        index_sha256: String,
        /// The local file.
        local_path: String,
        /// The local digest.
        local_sha256: String,
    },
    /// The index never answered usefully.
    #[error(transparent)]
    Index(#[from] IndexError),
    /// Ctrl-C.
    #[error("interrupted while waiting for the index")]
    Cancelled,
}

/// The files of one version, as listed once everything needed is there.
#[derive(Clone, Debug)]
pub struct Listing {
    /// The version's files on the index.
    pub files: Vec<IndexFile>,
    /// Polls made.
    pub attempts: u32,
    /// Time spent waiting.
    pub waited: Duration,
}

impl Listing {
    /// Whether the index offers a wheel of the version.
    pub fn has_wheel(&self) -> bool {
        self.files.iter().any(|f| f.filename.ends_with(".whl"))
    }

    /// The `Requires-Python` the index states for the version: the first
    /// wheel's, else the sdist's.
    pub fn requires_python(&self) -> Option<&str> {
        let pick = |wheel: bool| {
            self.files
                .iter()
                .filter(|f| f.filename.ends_with(".whl") == wheel)
                .find_map(|f| {
                    f.requires_python
                        .as_deref()
                        .filter(|s| !s.trim().is_empty())
                })
        };
        pick(true).or_else(|| pick(false))
    }
}

/// Which of `files` belong to `version`, and what is still missing: nothing
/// listed at all, or (with local artifacts) a local filename not listed yet.
/// A listed file whose digest differs from the local one is an error.
pub fn evaluate(
    files: Vec<IndexFile>,
    index: &Url,
    version: &Version,
    local: &[LocalArtifact],
) -> Result<(Vec<IndexFile>, Option<String>), WaitError> {
    let ours: Vec<IndexFile> = files
        .into_iter()
        .filter(|f| f.version.as_ref() == Some(version))
        .collect();
    if local.is_empty() {
        let missing = ours
            .is_empty()
            .then(|| format!("no file of version {} listed yet", version.canonical()));
        return Ok((ours, missing));
    }
    let mut missing = Vec::new();
    for artifact in local {
        match ours.iter().find(|f| f.filename == artifact.filename) {
            None => missing.push(artifact.filename.clone()),
            Some(file) => match &file.sha256 {
                Some(sha) if !sha.eq_ignore_ascii_case(&artifact.sha256) => {
                    return Err(WaitError::DigestMismatch {
                        filename: artifact.filename.clone(),
                        index: index.to_string(),
                        index_sha256: sha.clone(),
                        local_path: artifact.path.display().to_string(),
                        local_sha256: artifact.sha256.clone(),
                    })
                }
                _ => {}
            },
        }
    }
    let missing = (!missing.is_empty()).then(|| format!("not listed yet: {}", missing.join(", ")));
    Ok((ours, missing))
}

/// What to wait for.
#[derive(Clone, Copy, Debug)]
pub struct WaitFor<'a> {
    /// The index's simple URL.
    pub simple: &'a Url,
    /// The package.
    pub name: &'a PackageName,
    /// The exact version.
    pub version: &'a Version,
    /// Local artifacts whose filenames and sha256 must be listed.
    pub local: &'a [LocalArtifact],
}

/// Polls the simple API until the version is listed (with local artifacts:
/// every local filename, with the local sha256), backing off from 1 s to
/// 1.5 s, for at most `limit` (0: one look). Errors the
/// client could not retry away (including a `Retry-After` it honoured) end
/// only that poll.
pub fn wait_for_version(
    client: &Client,
    what: WaitFor<'_>,
    limit: Duration,
    cancel: &AtomicBool,
    on_event: &dyn Fn(&WaitEvent),
) -> Result<Listing, WaitError> {
    let WaitFor {
        simple,
        name,
        version,
        local,
    } = what;
    let started = Instant::now();
    let deadline = started + limit;
    let mut interval = FIRST_POLL_INTERVAL;
    let mut attempt = 0;
    loop {
        attempt += 1;
        let missing = match client.list_files(simple, name) {
            Ok(files) => {
                let (files, missing) = evaluate(files, simple, version, local)?;
                match missing {
                    None => {
                        return Ok(Listing {
                            files,
                            attempts: attempt,
                            waited: started.elapsed(),
                        })
                    }
                    Some(missing) => Ok(missing),
                }
            }
            Err(err) if err.is_environment() => Err(err),
            Err(err) => return Err(err.into()),
        };
        let now = Instant::now();
        if now >= deadline {
            return match missing {
                Ok(missing) => Err(WaitError::NotListed {
                    what: format!("{} {}", name, version.canonical()),
                    index: simple.to_string(),
                    waited: crate::report::format_duration(started.elapsed().as_millis() as u64),
                    missing,
                }),
                Err(err) => Err(err.into()),
            };
        }
        let next = interval.min(deadline - now);
        match missing {
            Ok(missing) => on_event(&WaitEvent::NotYet {
                attempt,
                elapsed: started.elapsed(),
                limit,
                next,
                missing,
            }),
            Err(err) => on_event(&WaitEvent::Unreachable {
                attempt,
                error: err.to_string(),
            }),
        }
        let until = Instant::now() + next;
        while Instant::now() < until {
            if cancel.load(Ordering::SeqCst) {
                return Err(WaitError::Cancelled);
            }
            std::thread::sleep(Duration::from_millis(50).min(until - Instant::now()));
        }
        interval = (interval * 3 / 2).min(MAX_POLL_INTERVAL);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use pbx_artifact::DistKind;

    fn file(filename: &str, sha256: Option<&str>) -> IndexFile {
        IndexFile {
            filename: filename.to_string(),
            url: format!("http://127.0.0.1/packages/{filename}"),
            version: pbx_artifact::DistFilename::parse(filename)
                .ok()
                .map(|d| d.version),
            sha256: sha256.map(str::to_string),
            yanked: false,
            requires_python: None,
        }
    }

    fn local(filename: &str, sha256: &str) -> LocalArtifact {
        LocalArtifact {
            path: format!("dist/{filename}").into(),
            filename: filename.to_string(),
            kind: if filename.ends_with(".whl") {
                DistKind::Wheel
            } else {
                DistKind::Sdist
            },
            sha256: sha256.to_string(),
        }
    }

    fn index() -> Url {
        Url::parse("http://127.0.0.1:1/simple/").unwrap()
    }

    #[test]
    fn without_local_artifacts_any_file_of_the_version_will_do() {
        let v = Version::parse("1.0").unwrap();
        let files = vec![
            file("demo-0.9.tar.gz", None),
            file("demo-1.0.0.tar.gz", None),
        ];
        let (ours, missing) = evaluate(files, &index(), &v, &[]).unwrap();
        assert_eq!(ours.len(), 1, "1.0 is 1.0.0 by PEP 440");
        assert!(missing.is_none());
        let (_, missing) =
            evaluate(vec![file("demo-0.9.tar.gz", None)], &index(), &v, &[]).unwrap();
        assert_eq!(missing.unwrap(), "no file of version 1.0 listed yet");
    }

    #[test]
    fn every_local_filename_must_be_listed_with_the_local_digest() {
        let v = Version::parse("1.0").unwrap();
        let wheel = "demo-1.0-py3-none-any.whl";
        let locals = [local(wheel, "aa"), local("demo-1.0.tar.gz", "bb")];
        let (_, missing) = evaluate(vec![file(wheel, Some("AA"))], &index(), &v, &locals).unwrap();
        assert_eq!(missing.unwrap(), "not listed yet: demo-1.0.tar.gz");
        let listed = vec![file(wheel, Some("aa")), file("demo-1.0.tar.gz", None)];
        let (_, missing) = evaluate(listed, &index(), &v, &locals).unwrap();
        assert!(
            missing.is_none(),
            "a file listed without a digest is left to --require-hashes"
        );
        let err = evaluate(vec![file(wheel, Some("cc"))], &index(), &v, &locals).unwrap_err();
        assert!(
            matches!(&err, WaitError::DigestMismatch { filename, .. } if filename == wheel),
            "{err}"
        );
    }

    #[test]
    fn requires_python_prefers_the_wheel() {
        let mut sdist = file("demo-1.0.tar.gz", None);
        sdist.requires_python = Some(">=3.8".into());
        let mut wheel = file("demo-1.0-py3-none-any.whl", None);
        wheel.requires_python = Some(">=3.12".into());
        let listing = Listing {
            files: vec![sdist, wheel],
            attempts: 1,
            waited: Duration::ZERO,
        };
        assert_eq!(listing.requires_python(), Some(">=3.12"));
        assert!(listing.has_wheel());
    }
}
