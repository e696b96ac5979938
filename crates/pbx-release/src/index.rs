//! The release on an index: what an index holds of a project and version,
//! whether a listed file is our bytes, and waiting until it lists them.

use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use pbx_index::{Client, IndexError, IndexFile};
use pbx_version::{PackageName, Version};
use url::Url;

/// Every file an index lists for one project: every distribution file type
/// (wheels, sdists in any archive format, eggs, installers), yanked or not,
/// with the digests it states.
#[derive(Clone, Debug)]
pub struct Holdings {
    /// The index's simple API base.
    pub simple: Url,
    /// The project.
    pub package: PackageName,
    /// Every file listed.
    pub files: Vec<IndexFile>,
}

impl Holdings {
    /// Reads what `simple` lists for `package` (one request, with the
    /// client's retries). A project the index does not know holds nothing.
    pub fn read(
        client: &Client,
        simple: &Url,
        package: &PackageName,
    ) -> Result<Holdings, IndexError> {
        Ok(Holdings {
            simple: simple.clone(),
            package: package.clone(),
            files: client.list_files(simple, package)?,
        })
    }

    /// The files of `version` (PEP 440 equality: `1.0` is `1.0.0`), yanked
    /// ones included: any of them means the version is consumed.
    pub fn of_version(&self, version: &Version) -> Vec<&IndexFile> {
        self.files
            .iter()
            .filter(|f| f.version.as_ref() == Some(version))
            .collect()
    }

    /// Every version some file carries.
    pub fn versions(&self) -> Vec<Version> {
        let mut versions: Vec<Version> = self
            .files
            .iter()
            .filter_map(|f| f.version.clone())
            .collect();
        versions.sort();
        versions.dedup();
        versions
    }

    /// Files whose version could not be read from their name.
    pub fn unreadable(&self) -> Vec<&str> {
        self.files
            .iter()
            .filter(|f| f.version.is_none())
            .map(|f| f.filename.as_str())
            .collect()
    }

    /// The listed file named `filename`.
    pub fn file(&self, filename: &str) -> Option<&IndexFile> {
        self.files.iter().find(|f| f.filename == filename)
    }
}

/// A local file (by name and sha256) against what an index lists.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum FileMatch {
    /// Listed with our sha256 (stated by the index, or of the bytes it
    /// serves when it states none).
    Same {
        /// The listed file.
        file: IndexFile,
        /// Whether the digest came from downloading the file.
        downloaded: bool,
    },
    /// Listed with other bytes.
    Differs {
        /// The listed file.
        file: IndexFile,
        /// The sha256 of the bytes on the index.
        index_sha256: String,
        /// Whether the digest came from downloading the file.
        downloaded: bool,
    },
    /// Not listed.
    NotListed,
}

impl FileMatch {
    /// Whether the index holds our bytes under this name.
    pub fn is_same(&self) -> bool {
        matches!(self, FileMatch::Same { .. })
    }

    /// The listed file, when there is one.
    pub fn file(&self) -> Option<&IndexFile> {
        match self {
            FileMatch::Same { file, .. } | FileMatch::Differs { file, .. } => Some(file),
            FileMatch::NotListed => None,
        }
    }
}

/// The one rule for "is this listed file our bytes": the sha256 the index
/// states (compared case-insensitively); when it states none, the file is
/// downloaded and hashed. Never "unverified, so fine".
pub fn match_file(
    client: &Client,
    listed: Option<&IndexFile>,
    local_sha256: &str,
) -> Result<FileMatch, IndexError> {
    let Some(file) = listed else {
        return Ok(FileMatch::NotListed);
    };
    let (index_sha256, downloaded) = match &file.sha256 {
        Some(sha) => (sha.to_ascii_lowercase(), false),
        None => (client.download_sha256(&file.url)?, true),
    };
    Ok(if index_sha256.eq_ignore_ascii_case(local_sha256) {
        FileMatch::Same {
            file: file.clone(),
            downloaded,
        }
    } else {
        FileMatch::Differs {
            file: file.clone(),
            index_sha256,
            downloaded,
        }
    })
}

/// What to wait for: these filenames with these sha256, or (with none) any
/// file of the version.
#[derive(Clone, Copy, Debug)]
pub struct Awaited<'a> {
    /// The index's simple API base.
    pub simple: &'a Url,
    /// The project.
    pub package: &'a PackageName,
    /// The version.
    pub version: &'a Version,
    /// `(filename, sha256)` of each local file; empty: any file of the
    /// version will do.
    pub files: &'a [(String, String)],
}

/// What a wait reports while it runs.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum WaitEvent {
    /// Not (fully) listed yet; the next look is in `next`.
    NotYet {
        /// Look number, from 1.
        attempt: u32,
        /// Time spent so far.
        elapsed: Duration,
        /// The pause before the next look.
        next: Duration,
        /// What is missing, in words.
        missing: String,
    },
    /// The index could not be read on this look (after the client's own
    /// retries); looking goes on while time remains.
    Unreachable {
        /// Look number, from 1.
        attempt: u32,
        /// The error.
        error: String,
    },
}

/// How long to pause between looks: from `first`, growing by half each
/// time, never above `max`.
#[derive(Clone, Copy, Debug)]
pub struct Polling {
    /// The first pause.
    pub first: Duration,
    /// The longest pause. The target is to notice a fresh upload within
    /// 2 s of the index showing it, so it stays below that.
    pub max: Duration,
}

impl Default for Polling {
    fn default() -> Self {
        Polling {
            first: Duration::from_secs(1),
            max: Duration::from_millis(1500),
        }
    }
}

/// How a wait ended.
#[derive(Clone, Debug)]
pub struct WaitOutcome {
    /// The version's files as last listed.
    pub files: Vec<IndexFile>,
    /// Each awaited file's state, in the order given (empty when any file
    /// of the version was awaited).
    pub matches: Vec<FileMatch>,
    /// Looks made.
    pub attempts: u32,
    /// Time spent.
    pub waited: Duration,
    /// Everything awaited is there with our bytes.
    pub complete: bool,
    /// What was still missing when time ran out.
    pub missing: Option<String>,
    /// The last error reading the index, when the last look failed.
    pub last_error: Option<String>,
    /// Ctrl-C (or a termination signal) stopped the wait.
    pub cancelled: bool,
}

impl WaitOutcome {
    /// The first awaited file listed with other bytes: waiting cannot
    /// change that.
    pub fn differs(&self) -> Option<&FileMatch> {
        self.matches
            .iter()
            .find(|m| matches!(m, FileMatch::Differs { .. }))
    }
}

/// Looks at the index until every awaited file is listed with our sha256
/// ([`match_file`]: downloading and hashing when the index states no
/// digest), a listed file turns out to be other bytes (which waiting cannot
/// change), `limit` runs out (zero: one look), or `cancel` is set.
/// Errors reading the index end only that look while time remains; the
/// last one is returned when no look succeeded at all.
pub fn wait_until_listed(
    client: &Client,
    awaited: Awaited<'_>,
    limit: Duration,
    polling: Polling,
    cancel: &AtomicBool,
    on_event: &mut dyn FnMut(&WaitEvent),
) -> Result<WaitOutcome, IndexError> {
    let started = Instant::now();
    let deadline = started + limit;
    let mut pause = polling.first;
    let mut attempt = 0;
    let mut last: Option<WaitOutcome> = None;
    loop {
        attempt += 1;
        let look = look_once(client, awaited);
        let (event_missing, error) = match look {
            Ok(mut outcome) => {
                outcome.attempts = attempt;
                outcome.waited = started.elapsed();
                if outcome.complete || outcome.differs().is_some() {
                    return Ok(outcome);
                }
                let missing = outcome.missing.clone().unwrap_or_default();
                last = Some(outcome);
                (Some(missing), None)
            }
            // Only an index that was down is looked at again: a
            // certificate the client does not trust, or a proxy that
            // refuses, stays so until a setting changes.
            Err(err) if err.is_transient() => (None, Some(err)),
            Err(err) => return Err(err),
        };
        let now = Instant::now();
        if now >= deadline || cancel.load(Ordering::SeqCst) {
            let cancelled = cancel.load(Ordering::SeqCst);
            return match (last, error) {
                (Some(mut outcome), error) => {
                    outcome.attempts = attempt;
                    outcome.waited = started.elapsed();
                    outcome.last_error = error.map(|e| e.to_string());
                    outcome.cancelled = cancelled;
                    Ok(outcome)
                }
                (None, Some(error)) => Err(error),
                (None, None) => unreachable_outcome(),
            };
        }
        let next = pause.min(deadline - now);
        match (event_missing, &error) {
            (Some(missing), _) => on_event(&WaitEvent::NotYet {
                attempt,
                elapsed: started.elapsed(),
                next,
                missing,
            }),
            (None, Some(error)) => on_event(&WaitEvent::Unreachable {
                attempt,
                error: error.to_string(),
            }),
            (None, None) => {}
        }
        let until = Instant::now() + next;
        while Instant::now() < until {
            if cancel.load(Ordering::SeqCst) {
                break;
            }
            std::thread::sleep(Duration::from_millis(50).min(until - Instant::now()));
        }
        pause = (pause * 3 / 2).min(polling.max);
    }
}

fn unreachable_outcome() -> Result<WaitOutcome, IndexError> {
    // Each look either succeeds (and is kept) or fails (and its error is
    // kept), so the loop never ends with neither.
    Ok(WaitOutcome {
        files: Vec::new(),
        matches: Vec::new(),
        attempts: 0,
        waited: Duration::ZERO,
        complete: false,
        missing: Some("nothing was read".into()),
        last_error: None,
        cancelled: false,
    })
}

/// One look: the version's files and each awaited file's state.
pub fn look_once(client: &Client, awaited: Awaited<'_>) -> Result<WaitOutcome, IndexError> {
    let holdings = Holdings::read(client, awaited.simple, awaited.package)?;
    let files: Vec<IndexFile> = holdings
        .of_version(awaited.version)
        .into_iter()
        .cloned()
        .collect();
    let mut matches = Vec::with_capacity(awaited.files.len());
    let mut missing = Vec::new();
    for (filename, sha256) in awaited.files {
        let state = match_file(client, holdings.file(filename), sha256)?;
        if state == FileMatch::NotListed {
            missing.push(filename.clone());
        }
        matches.push(state);
    }
    let (complete, missing) = if awaited.files.is_empty() {
        let none = files.is_empty();
        (
            !none,
            none.then(|| {
                format!(
                    "no file of version {} listed yet",
                    awaited.version.canonical()
                )
            }),
        )
    } else {
        let complete = matches.iter().all(FileMatch::is_same);
        (
            complete,
            (!missing.is_empty()).then(|| format!("not listed yet: {}", missing.join(", "))),
        )
    };
    Ok(WaitOutcome {
        files,
        matches,
        attempts: 1,
        waited: Duration::ZERO,
        complete,
        missing,
        last_error: None,
        cancelled: false,
    })
}
