//! Waiting until the index lists the exact version (and, with `--dist`,
//! the local artifacts' bytes): a poll of the simple API, never a retried
//! install.

use std::sync::atomic::AtomicBool;
use std::time::{Duration, Instant};

use pbx_index::{Client, IndexError, IndexFile};
use pbx_release::index::{wait_until_listed, Awaited, FileMatch, Polling};
use pbx_version::{PackageName, Version};
use url::Url;

use crate::local::LocalArtifact;

/// The first pause between two polls.
pub const FIRST_POLL_INTERVAL: Duration = Duration::from_secs(1);
/// The longest pause between two polls. docs/design.md's target is to notice a
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
/// every local filename, with the local sha256, checked by the one rule of
/// [`pbx_release::index::match_file`]: a file listed without a digest is
/// downloaded and hashed), backing off from 1 s to 1.5 s, for at most
/// `limit` (0: one look). Errors the client could not retry away end only
/// that poll.
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
    let awaited: Vec<(String, String)> = local
        .iter()
        .map(|a| (a.filename.clone(), a.sha256.clone()))
        .collect();
    let started = Instant::now();
    let outcome = wait_until_listed(
        client,
        Awaited {
            simple,
            package: name,
            version,
            files: &awaited,
        },
        limit,
        Polling {
            first: FIRST_POLL_INTERVAL,
            max: MAX_POLL_INTERVAL,
        },
        cancel,
        &mut |event| match event {
            pbx_release::index::WaitEvent::NotYet {
                attempt,
                elapsed,
                next,
                missing,
            } => on_event(&WaitEvent::NotYet {
                attempt: *attempt,
                elapsed: *elapsed,
                limit,
                next: *next,
                missing: missing.clone(),
            }),
            pbx_release::index::WaitEvent::Unreachable { attempt, error } => {
                on_event(&WaitEvent::Unreachable {
                    attempt: *attempt,
                    error: error.clone(),
                })
            }
        },
    )?;
    if outcome.cancelled && !outcome.complete {
        return Err(WaitError::Cancelled);
    }
    for (artifact, state) in local.iter().zip(&outcome.matches) {
        if let FileMatch::Differs { index_sha256, .. } = state {
            return Err(WaitError::DigestMismatch {
                filename: artifact.filename.clone(),
                index: simple.to_string(),
                index_sha256: index_sha256.clone(),
                local_path: artifact.path.display().to_string(),
                local_sha256: artifact.sha256.clone(),
            });
        }
    }
    if !outcome.complete {
        return Err(WaitError::NotListed {
            what: format!("{} {}", name, version.canonical()),
            index: simple.to_string(),
            waited: pbx_report::format_elapsed(started.elapsed().as_millis() as u64),
            missing: outcome
                .missing
                .or(outcome.last_error)
                .unwrap_or_else(|| "not listed".into()),
        });
    }
    Ok(Listing {
        files: outcome.files,
        attempts: outcome.attempts,
        waited: outcome.waited,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

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
