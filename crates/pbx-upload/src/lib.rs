//! pbx-upload: upload wheels and sdists to any index that speaks the legacy
//! upload API, without ever re-using a version (docs/design.md rule 3), and
//! verify what landed.
//!
//! The steps, in order, each able to stop the run:
//!
//! 1. **Pre-flight** ([`preflight`], before any request): every file passes
//!    the inspection `pbx-checksum inspect` runs
//!    ([`pbx_release::disk::inspect_files`]); its metadata agrees with its
//!    filename; all share one project name and version; the version has no
//!    local segment; at most one sdist; digests computed.
//! 2. **Consumed?** What the index holds of the project
//!    ([`pbx_release::index::Holdings`], every file type); any file of this
//!    version means the version is consumed: nothing uploaded, and the next
//!    fixed-forward version named by the one rule
//!    ([`pbx_next_version::fix_forward`]) over the upload index, the other
//!    indexes the release touches and the git tags.
//! 3. **Upload** each file, streamed from disk, with retries and
//!    reconciliation against the simple API ([`pbx_index::Client::upload`]).
//! 4. **Verify**: wait (bounded) until the simple API lists every file with
//!    the local sha256 ([`pbx_release::index::wait_until_listed`]).
//!
//! What stops the run before anything is sent is an [`UploadError`];
//! everything after is in the [`Report`], whose [`Outcome`] says how it
//! ended. Anything short of "every file is on the index with the right
//! digest" is a failure. A partial upload says plainly that the version is
//! now consumed, what landed and what did not, and names the next version.
#![deny(missing_docs)]

pub mod attestation;
pub mod credentials;
mod error;
mod repository;
pub mod trusted;

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::sync::atomic::AtomicBool;
use std::time::Duration;

use pbx_artifact::DistKind;
use pbx_index::{Artifact, Client, Credentials, IndexError, IndexUrls, Target, UploadOutcome};
use pbx_next_version::{fix_forward, FixForwardQuery, LaneChoice};
use pbx_project::Lane;
use pbx_release::index::{wait_until_listed, Awaited, FileMatch, Holdings, Polling};
use pbx_version::{PackageName, Version};
use serde::Serialize;

pub use attestation::AttestationError;
pub use error::{TrustedError, UploadError};
pub use repository::{refused_setting, repository, resolve_repository};
pub use trusted::{OidcEnv, TrustedMode};

/// The paragraph `--skip-existing` (and its relatives) is refused with.
pub const SKIP_EXISTING_REFUSAL: &str = "pbx-upload never skips files that already exist. A version is consumed the moment any file of it reaches an index: PyPI never accepts the same filename twice, even after deletion, so \"skipping\" an existing file hides that this run's artifacts are not the ones on the index, and whoever installs that version gets bytes nobody built here. When the index already holds this version, pbx-upload stops, uploads nothing, and names the next fixed-forward version (X.Y.Z.postN, or X.Y.ZrcN for a release candidate) with the command that bumps to it; release that instead. (docs/design.md, release rule 3.)";

/// What the run is asked to do.
#[derive(Debug)]
pub struct Options {
    /// The files to upload (already expanded; see [`collect_files`]).
    pub files: Vec<PathBuf>,
    /// The inspection's limits, with the index's per-file size limit
    /// (`--max-file-size`).
    pub limits: pbx_artifact::Limits,
    /// The index.
    pub index: IndexUrls,
    /// The value to name the index with in the bump command (`pypi`,
    /// `testpypi`, or its simple URL).
    pub index_arg: String,
    /// Check everything, upload nothing.
    pub dry_run: bool,
    /// How long to wait for the simple API to list the uploaded files.
    pub wait: Duration,
    /// Credentials already found (and where), if any.
    pub credentials: Option<credentials::Found>,
    /// Trusted publishing mode.
    pub trusted: TrustedMode,
    /// The job's OIDC token request variables, when present.
    pub oidc: Option<OidcEnv>,
    /// The publish lane this upload is (`--target`); `None`: `testpypi` or
    /// `pypi` by the index's name, else the project's routing of the
    /// version (`[tool.pbx.lanes]`).
    pub publish_lane: Option<Lane>,
    /// Other indexes the release touches (`--fix-index`): their files count
    /// for the next fixed-forward version too.
    pub fix_indexes: Vec<IndexUrls>,
    /// The project directory: its `[tool.pbx]` (routing, tag prefix) and,
    /// with `git`, its repository's release tags.
    pub project_dir: PathBuf,
    /// Whether the repository's release tags count for the next version.
    pub git: bool,
}

/// What happens during a run, as it happens (the binary renders it).
#[derive(Clone, Debug)]
pub enum Event<'a> {
    /// The run starts: this release to this index.
    Start {
        /// The project.
        package: &'a str,
        /// The version.
        version: &'a str,
        /// The index.
        index: &'a IndexUrls,
        /// How many files.
        files: usize,
    },
    /// Trusted publishing gave an upload token.
    TokenMinted,
    /// One file starts going up (its bytes are reported by the client's
    /// progress callback, [`pbx_index::Client::with_progress`]).
    Uploading {
        /// The file.
        filename: &'a str,
        /// Its size.
        size: u64,
    },
    /// One file is done (whatever its fate).
    Uploaded {
        /// The file.
        filename: &'a str,
    },
    /// Waiting for the simple API to list what landed.
    Waiting {
        /// How many files.
        files: usize,
        /// For at most this long.
        limit: Duration,
        /// The simple API.
        simple: &'a str,
    },
    /// One look at the index found it incomplete.
    NotYet {
        /// What is missing.
        missing: &'a str,
    },
    /// The wait is over.
    Waited,
}

/// Progress and secrets: the binary's side of the run.
pub trait Reporter {
    /// Something happened.
    fn event(&mut self, event: &Event<'_>);
    /// A secret that must never appear in logs (`::add-mask::` under
    /// GitHub Actions). Called the moment a secret is received.
    fn mask(&mut self, secret: &str);
}

/// How the run ended.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Outcome {
    /// Every file uploaded and listed with the local sha256.
    Uploaded,
    /// `--dry-run`: every check passed; nothing was sent.
    DryRun,
    /// The index already held this version: nothing uploaded.
    Consumed,
    /// The index already holds exactly these files with these bytes (and
    /// nothing else of the version): the release is published; nothing was
    /// uploaded. Not a success: pbx-upload never skips.
    AlreadyPublished,
    /// Some files landed, at least one did not: the version is consumed.
    Partial,
    /// The index refused the first file (nothing landed).
    Rejected,
    /// Uploaded, but the simple API does not list every file with the
    /// local sha256 within the wait.
    Unverified,
    /// The index could not be reached (nothing landed).
    Unreachable,
    /// Stopped by Ctrl-C or SIGTERM before anything landed: the version is
    /// not consumed.
    Interrupted,
}

/// One file's fate.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum FileState {
    /// `--dry-run`: would be uploaded.
    WouldUpload,
    /// Uploaded and listed with the local sha256.
    Uploaded,
    /// An attempt got no answer, and the index turned out to hold exactly
    /// this file: uploaded by this run. Listed with the local sha256.
    Reconciled,
    /// Accepted by the index, but not (yet) listed with the local sha256.
    NotListed,
    /// Listed with another sha256.
    DigestDiffers,
    /// The index already holds this filename (not ours).
    AlreadyExists,
    /// The index refused it.
    Rejected,
    /// The index could not be reached for it.
    Unreachable,
    /// Not tried (an earlier file failed, or the run was stopped).
    NotAttempted,
    /// Being sent when the run was stopped (Ctrl-C, SIGTERM); not on the
    /// index.
    Interrupted,
    /// This version's file already on the index with these bytes (the
    /// consumed check).
    OnIndex,
    /// This version's file already on the index with other bytes.
    OnIndexOtherBytes,
}

impl FileState {
    fn landed(self) -> bool {
        matches!(
            self,
            FileState::Uploaded
                | FileState::Reconciled
                | FileState::NotListed
                | FileState::DigestDiffers
        )
    }
}

/// One file in the report.
#[derive(Clone, Debug, Serialize)]
pub struct FileReport {
    /// The filename.
    pub filename: String,
    /// Size in bytes (local file).
    pub size: u64,
    /// Local sha256.
    pub sha256: String,
    /// Where the index serves it, once listed.
    pub url: Option<String>,
    /// What happened.
    pub state: FileState,
    /// POSTs made.
    pub attempts: u32,
    /// The index's message, when it said something worth reading.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub message: Option<String>,
}

/// The whole run, for `--format json`, the step summary and the text report.
#[derive(Clone, Debug, Serialize)]
pub struct Report {
    /// The project name (normalised).
    pub package: String,
    /// The version (canonical).
    pub version: String,
    /// `pypi`, `testpypi` or the upload URL.
    pub index: String,
    /// The upload endpoint.
    pub upload_url: String,
    /// The simple API base.
    pub simple_url: String,
    /// Whether this was a dry run.
    pub dry_run: bool,
    /// How it ended.
    pub outcome: Outcome,
    /// Where the credentials came from (never their value): an
    /// environment variable, `--password-stdin`, `.pypirc`, or
    /// `trusted publishing`.
    pub credentials: Option<String>,
    /// Every file.
    pub files: Vec<FileReport>,
    /// The version to fix forward with, when this one is consumed.
    pub next_version: Option<String>,
    /// `post` or `rc`.
    pub next_lane: Option<String>,
    /// The command that bumps the project to [`Report::next_version`].
    pub bump_command: Option<String>,
    /// Where the next version was decided from (indexes, git tags).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub next_version_from: Vec<String>,
    /// Places that could not be read for it: the version named could
    /// collide there.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub next_version_unread: Vec<String>,
    /// One sentence on what went wrong, when something did.
    pub message: Option<String>,
}

/// The files to upload: the given paths, or the artifacts in `dist_dir`
/// when none are given, by the one rule of [`pbx_release::disk::find`].
/// Exit 2 when there are none or a given path does not exist.
pub fn collect_files(given: &[PathBuf], dist_dir: &Path) -> Result<Vec<PathBuf>, UploadError> {
    let paths = if given.is_empty() {
        vec![dist_dir.to_path_buf()]
    } else {
        given.to_vec()
    };
    Ok(pbx_release::disk::find(&paths)?)
}

/// The files of one release, checked and digested.
#[derive(Debug)]
pub struct Release {
    /// The project name.
    pub package: pbx_version::PackageName,
    /// The version.
    pub version: Version,
    /// The artifacts, in upload order.
    pub artifacts: Vec<Artifact>,
}

/// Pre-flight: every file parses as a wheel or sdist with readable metadata
/// matching its filename; one project name and version; no local version;
/// at most one sdist, and that one a `.tar.gz` (the index takes no new zip
/// sdists); no file twice; and everything the inspection checks with these
/// `limits` (what the index would refuse: metadata fields, classifiers,
/// URLs, content type, filenames, file size). Exit 2 naming the file
/// otherwise.
pub fn preflight(files: &[PathBuf], limits: &pbx_artifact::Limits) -> Result<Release, UploadError> {
    // Everything `pbx-checksum inspect` checks, on every file, before any
    // request: RECORD, WHEEL, metadata, hostile-archive limits, one release.
    // It runs beside the digests of the upload form (both read the files).
    let (inspected, read) = std::thread::scope(|scope| {
        let inspection = scope.spawn(|| {
            pbx_release::disk::inspect_files(
                files,
                &pbx_release::disk::Expectations::default(),
                limits,
                pbx_release::disk::Digests::Skip,
            )
        });
        let read: Vec<_> = files.iter().map(|path| Artifact::read(path)).collect();
        (inspection.join(), read)
    });
    let inspected = inspected.unwrap_or_else(|panic| std::panic::resume_unwind(panic));
    if !inspected.ok {
        return Err(UploadError::Refused(Box::new(inspected)));
    }
    let mut artifacts: Vec<Artifact> = Vec::new();
    let mut seen = BTreeSet::new();
    for (path, artifact) in files.iter().zip(read) {
        let mut artifact = artifact?;
        // Its PEP 740 attestation, if one sits beside it, must attest it.
        attestation::attach(&mut artifact)?;
        if !seen.insert(artifact.filename().to_string()) {
            return Err(UploadError::NamedTwice {
                filename: artifact.filename().to_string(),
                path: path.clone(),
            });
        }
        let meta_name = artifact.metadata.get("Name").unwrap_or("");
        if pbx_version::normalize(meta_name) != artifact.dist.name.as_str() {
            return Err(UploadError::Renamed {
                filename: artifact.filename().to_string(),
                field: "the project",
                metadata: meta_name.to_string(),
                from_filename: artifact.dist.name.to_string(),
                path: path.clone(),
            });
        }
        let meta_version = artifact.metadata.get("Version").unwrap_or("");
        if Version::parse(meta_version).ok().as_ref() != Some(&artifact.dist.version) {
            return Err(UploadError::Renamed {
                filename: artifact.filename().to_string(),
                field: "version",
                metadata: meta_version.to_string(),
                from_filename: artifact.dist.version.to_string(),
                path: path.clone(),
            });
        }
        artifacts.push(artifact);
    }
    let first = artifacts.first().ok_or(UploadError::NoFiles)?;
    let (package, version) = (first.dist.name.clone(), first.dist.version.clone());
    let mixed: Vec<String> = artifacts
        .iter()
        .filter(|a| a.dist.name != package || a.dist.version != version)
        .map(|a| a.filename().to_string())
        .collect();
    if !mixed.is_empty() {
        return Err(UploadError::NotOneRelease {
            first: first.filename().to_string(),
            package: package.to_string(),
            version: version.canonical(),
            mixed,
            path: first.path.clone(),
        });
    }
    if version.has_local() {
        return Err(UploadError::LocalVersion {
            package: package.to_string(),
            version: version.to_string(),
            path: first.path.clone(),
        });
    }
    let sdists: Vec<String> = artifacts
        .iter()
        .filter(|a| a.dist.kind == DistKind::Sdist)
        .map(|a| a.filename().to_string())
        .collect();
    if sdists.len() > 1 {
        return Err(UploadError::SeveralSdists { sdists });
    }
    if let Some(zip) = artifacts
        .iter()
        .find(|a| a.dist.kind == DistKind::Sdist && !a.filename().ends_with(".tar.gz"))
    {
        return Err(UploadError::ZipSdist {
            filename: zip.filename().to_string(),
            path: zip.path.clone(),
        });
    }
    // One canonical order, whatever order the files were named in: the
    // sdist first, then the wheels by name. Two runs racing to publish one
    // version (two builds) try the same file first, so exactly one of them
    // gets it and the other stops before sending anything else.
    artifacts.sort_by(|a, b| {
        (a.dist.kind != DistKind::Sdist, a.filename())
            .cmp(&(b.dist.kind != DistKind::Sdist, b.filename()))
    });
    Ok(Release {
        package,
        version,
        artifacts,
    })
}

/// The publish lane an index is, by its name: `testpypi` (or
/// test.pypi.org) and `pypi` (or pypi.org); `None` for any other index.
pub fn lane_of_index(index: &IndexUrls) -> Option<Lane> {
    let host = index.upload.host_str().unwrap_or("");
    match index.name.as_deref() {
        Some("testpypi") => Some(Lane::TestPypi),
        Some("pypi") => Some(Lane::Pypi),
        _ if host == "test.pypi.org" => Some(Lane::TestPypi),
        _ if host == "upload.pypi.org" || host == "pypi.org" => Some(Lane::Pypi),
        _ => None,
    }
}

/// Runs the upload. `Err` only for problems that stop the run before any
/// file is sent (bad input, an unreachable index at the consumed check);
/// everything after that is in the [`Report`].
pub fn upload(
    client: &Client,
    options: &Options,
    reporter: &mut dyn Reporter,
) -> Result<Report, UploadError> {
    let release = preflight(&options.files, &options.limits)?;
    let index = &options.index;
    let mut report = Report {
        package: release.package.to_string(),
        version: release.version.canonical(),
        index: index.label(),
        upload_url: index.upload.to_string(),
        simple_url: index.simple.to_string(),
        dry_run: options.dry_run,
        outcome: Outcome::DryRun,
        credentials: options.credentials.as_ref().map(|f| f.source.clone()),
        files: release
            .artifacts
            .iter()
            .map(|a| FileReport {
                filename: a.filename().to_string(),
                size: a.size,
                sha256: a.sha256.clone(),
                url: None,
                state: FileState::NotAttempted,
                attempts: 0,
                message: None,
            })
            .collect(),
        next_version: None,
        next_lane: None,
        bump_command: None,
        next_version_from: Vec::new(),
        next_version_unread: Vec::new(),
        message: None,
    };

    // Credentials: checked before any request.
    let mut credentials: Option<Credentials> =
        options.credentials.as_ref().map(|f| f.credentials.clone());
    if credentials.is_some() {
        pbx_index::check_credentials_allowed(&index.upload)
            .map_err(UploadError::CredentialsNotAllowed)?;
    }
    let use_trusted = match options.trusted {
        TrustedMode::Never => false,
        TrustedMode::Always => true,
        TrustedMode::Auto => credentials.is_none() && options.oidc.is_some(),
    };
    if use_trusted && options.oidc.is_none() {
        return Err(UploadError::TrustedWithoutToken);
    }
    if credentials.is_none() && !use_trusted && index.is_warehouse() && !options.dry_run {
        return Err(UploadError::NoCredentials {
            index: index.label(),
        });
    }

    reporter.event(&Event::Start {
        package: &report.package,
        version: &report.version,
        index,
        files: release.artifacts.len(),
    });

    // Is the version consumed?
    let holdings = Holdings::read(client, &index.simple, &release.package).map_err(|source| {
        UploadError::ListFiles {
            index: index.label(),
            source,
        }
    })?;
    let same = holdings.of_version(&release.version);
    if !same.is_empty() {
        report.outcome = Outcome::Consumed;
        let mut identical = 0;
        for file in &mut report.files {
            if let Some(existing) = same.iter().find(|f| f.filename == file.filename) {
                file.state = FileState::OnIndex;
                file.url = Some(existing.url.clone());
                match pbx_release::index::match_file(client, Some(existing), &file.sha256) {
                    Ok(FileMatch::Same { .. }) => {
                        identical += 1;
                        file.message = Some("the index holds exactly these bytes".into());
                    }
                    Ok(FileMatch::Differs { index_sha256, .. }) => {
                        file.state = FileState::OnIndexOtherBytes;
                        file.message = Some(format!(
                            "the index holds other bytes (sha256 {index_sha256})"
                        ));
                    }
                    Ok(FileMatch::NotListed) => {}
                    Err(e) => {
                        file.message = Some(format!(
                            "the index's bytes could not be read to compare: {e}"
                        ));
                    }
                }
            }
        }
        let listed: Vec<String> = same
            .iter()
            .map(|f| format!("{}{}", f.filename, if f.yanked { " (yanked)" } else { "" }))
            .collect();
        if identical == report.files.len() && same.len() == report.files.len() {
            report.outcome = Outcome::AlreadyPublished;
            report.message = Some(format!(
                "{} {} is already published on {}: the index holds exactly these files with exactly these bytes ({}). Nothing was uploaded: pbx-upload never skips, so this is not an upload; if the release is complete, there is nothing to do",
                report.package,
                report.version,
                index.label(),
                listed.join(", ")
            ));
        } else {
            report.message = Some(format!(
                "{} {} is already on {}: {}. The version is consumed; nothing was uploaded",
                report.package,
                report.version,
                index.label(),
                listed.join(", ")
            ));
        }
        name_next(
            &mut report,
            client,
            options,
            &release.package,
            &release.version,
        );
        return Ok(report);
    }

    if options.dry_run {
        for file in &mut report.files {
            file.state = FileState::WouldUpload;
        }
        if use_trusted {
            report.credentials = Some("trusted publishing (not exchanged in a dry run)".into());
        }
        report.outcome = Outcome::DryRun;
        return Ok(report);
    }

    if use_trusted {
        let oidc = options.oidc.as_ref().expect("checked above");
        let mut mask = |secret: &str| reporter.mask(secret);
        credentials = Some(trusted::exchange(client, &index.upload, oidc, &mut mask)?);
        report.credentials = Some("trusted publishing".into());
        reporter.event(&Event::TokenMinted);
    }

    let target = Target {
        upload: &index.upload,
        simple: &index.simple,
        credentials: credentials.as_ref(),
    };
    let mut failure: Option<(FileState, String)> = None;
    for (artifact, file) in release.artifacts.iter().zip(report.files.iter_mut()) {
        if client.cancelled() {
            failure = Some((
                FileState::Interrupted,
                "stopped by a signal (Ctrl-C or SIGTERM)".to_string(),
            ));
            break;
        }
        reporter.event(&Event::Uploading {
            filename: artifact.filename(),
            size: artifact.size,
        });
        let answer = client.upload(target, artifact);
        reporter.event(&Event::Uploaded {
            filename: artifact.filename(),
        });
        match answer {
            Ok(UploadOutcome::Uploaded {
                attempts,
                reconciled,
            }) => {
                file.attempts = attempts;
                file.state = if reconciled {
                    file.message = Some("an attempt got no answer; the index holds exactly this file, so it counts as uploaded by this run".into());
                    FileState::Reconciled
                } else {
                    FileState::Uploaded
                };
            }
            Ok(UploadOutcome::AlreadyExists {
                status,
                message,
                index_sha256,
                attempts,
            }) => {
                file.attempts = attempts;
                file.state = FileState::AlreadyExists;
                let other = match index_sha256 {
                    Some(sha) if sha == artifact.sha256 => {
                        " (same bytes, uploaded before this run)".to_string()
                    }
                    Some(sha) => format!(" (other bytes: sha256 {sha})"),
                    None => String::new(),
                };
                file.message = Some(format!("HTTP {status}: {message}{other}"));
                failure = Some((
                    FileState::AlreadyExists,
                    format!(
                        "{} already exists on {}, though the index held no file of this version when this run started: another upload of {} {} is landing at the same time",
                        artifact.filename(),
                        index.label(),
                        release.package,
                        release.version.canonical()
                    ),
                ));
                break;
            }
            Ok(UploadOutcome::Rejected {
                status,
                message,
                attempts,
            }) => {
                file.attempts = attempts;
                file.state = FileState::Rejected;
                file.message = Some(format!("HTTP {status}: {message}"));
                let hint = match status {
                    401 | 403 => {
                        " (check the credentials and that they may upload to this project)"
                    }
                    _ => "",
                };
                failure = Some((
                    FileState::Rejected,
                    format!(
                        "{} refused {}: HTTP {status}{hint}",
                        index.label(),
                        artifact.filename()
                    ),
                ));
                break;
            }
            Err(IndexError::Cancelled { .. }) => {
                // The body was cut short: did the index keep anything?
                file.state = match Holdings::read(client, &index.simple, &release.package)
                    .map(|h| h.file(&file.filename).and_then(|f| f.sha256.clone()))
                {
                    Ok(Some(sha)) if sha.eq_ignore_ascii_case(&file.sha256) => {
                        FileState::Reconciled
                    }
                    _ => FileState::Interrupted,
                };
                file.message = Some("stopped by a signal while this file was being sent".into());
                failure = Some((
                    FileState::Interrupted,
                    "stopped by a signal (Ctrl-C or SIGTERM)".to_string(),
                ));
                break;
            }
            Err(e) if e.is_environment() => {
                if let IndexError::Unreachable { attempts, .. } = &e {
                    file.attempts = *attempts;
                }
                file.state = FileState::Unreachable;
                file.message = Some(e.to_string());
                failure = Some((FileState::Unreachable, e.to_string()));
                break;
            }
            Err(e) => {
                file.state = FileState::Rejected;
                file.message = Some(e.to_string());
                failure = Some((FileState::Rejected, e.to_string()));
                break;
            }
        }
    }

    let landed: Vec<usize> = (0..report.files.len())
        .filter(|&i| report.files[i].state.landed())
        .collect();

    // Verify what landed (a stopped run reports what it knows at once).
    let interrupted = matches!(failure, Some((FileState::Interrupted, _)));
    if !landed.is_empty() && !interrupted {
        let artifacts: Vec<&Artifact> = landed.iter().map(|&i| &release.artifacts[i]).collect();
        reporter.event(&Event::Waiting {
            files: artifacts.len(),
            limit: options.wait,
            simple: index.simple.as_str(),
        });
        let awaited: Vec<(String, String)> = artifacts
            .iter()
            .map(|a| (a.filename().to_string(), a.sha256.clone()))
            .collect();
        let never = AtomicBool::new(false);
        let flag = client.cancel_flag();
        let stop = flag.as_deref().unwrap_or(&never);
        let waited = wait_until_listed(
            client,
            Awaited {
                simple: &index.simple,
                package: &release.package,
                version: &release.version,
                files: &awaited,
            },
            options.wait,
            Polling {
                first: Duration::from_millis(100),
                max: Duration::from_secs(1),
            },
            stop,
            &mut |event| {
                if let pbx_release::index::WaitEvent::NotYet { missing, .. } = event {
                    reporter.event(&Event::NotYet { missing });
                }
            },
        );
        reporter.event(&Event::Waited);
        match waited {
            Ok(outcome) => {
                for (&i, state) in landed.iter().zip(outcome.matches) {
                    let file = &mut report.files[i];
                    match state {
                        FileMatch::Same { file: listed, .. } => file.url = Some(listed.url),
                        FileMatch::Differs {
                            file: listed,
                            index_sha256,
                            ..
                        } => {
                            file.url = Some(listed.url);
                            file.message = Some(format!(
                                "listed with sha256 {index_sha256}, not the local {}",
                                file.sha256
                            ));
                            file.state = FileState::DigestDiffers;
                        }
                        FileMatch::NotListed => {
                            file.state = FileState::NotListed;
                            file.message = Some(format!(
                                "accepted, but not listed by the simple API after {}s",
                                options.wait.as_secs()
                            ));
                        }
                    }
                }
            }
            Err(e) => {
                for &i in &landed {
                    let file = &mut report.files[i];
                    file.state = FileState::NotListed;
                    file.message = Some(format!(
                        "accepted, but the simple API could not be read: {e}"
                    ));
                }
            }
        }
    }

    let all_verified = report
        .files
        .iter()
        .all(|f| matches!(f.state, FileState::Uploaded | FileState::Reconciled));
    report.outcome = match (&failure, landed.is_empty()) {
        (None, _) if all_verified => Outcome::Uploaded,
        (None, _) => Outcome::Unverified,
        (Some(_), false) => Outcome::Partial,
        (Some((FileState::AlreadyExists, _)), true) => Outcome::Consumed,
        (Some((FileState::Unreachable, _)), true) => Outcome::Unreachable,
        (Some((FileState::Interrupted, _)), true) => Outcome::Interrupted,
        (Some(_), true) => Outcome::Rejected,
    };
    match report.outcome {
        Outcome::Uploaded | Outcome::DryRun | Outcome::AlreadyPublished => {}
        Outcome::Partial => {
            let landed_names: Vec<&str> = landed
                .iter()
                .map(|&i| report.files[i].filename.as_str())
                .collect();
            let missing: Vec<&str> = report
                .files
                .iter()
                .filter(|f| !f.state.landed())
                .map(|f| f.filename.as_str())
                .collect();
            report.message = Some(format!(
                "partial upload: {} {} is now consumed on {}. Landed: {}. Not uploaded: {}. Cause: {}",
                report.package,
                report.version,
                index.label(),
                landed_names.join(", "),
                missing.join(", "),
                failure.as_ref().map(|(_, m)| m.as_str()).unwrap_or("")
            ));
        }
        Outcome::Unverified => {
            report.message = Some(format!(
                "{} {} was uploaded to {}, but the simple API does not list every file with the local sha256; the version is consumed",
                report.package,
                report.version,
                index.label()
            ));
        }
        Outcome::Consumed => {
            report.message = Some(format!(
                "{}; the version is consumed and nothing of this run landed",
                failure.as_ref().map(|(_, m)| m.as_str()).unwrap_or("")
            ));
        }
        Outcome::Rejected | Outcome::Unreachable | Outcome::Interrupted => {
            report.message = Some(format!(
                "{}; nothing landed, the version is not consumed",
                failure.as_ref().map(|(_, m)| m.as_str()).unwrap_or("")
            ));
        }
    }
    if matches!(
        report.outcome,
        Outcome::Partial | Outcome::Unverified | Outcome::Consumed
    ) {
        name_next(
            &mut report,
            client,
            options,
            &release.package,
            &release.version,
        );
    }
    Ok(report)
}

/// Names the next fixed-forward version by the one rule
/// ([`pbx_next_version::fix_forward`]): every index the release touches
/// (the upload index, and each `--fix-index`) and the repository's release
/// tags. A place that cannot be read is said in the report.
fn name_next(
    report: &mut Report,
    client: &Client,
    options: &Options,
    package: &PackageName,
    version: &Version,
) {
    let config = read_config(&options.project_dir);
    let mut indexes = vec![options.index.clone()];
    for extra in &options.fix_indexes {
        if indexes.iter().all(|i| i.simple != extra.simple) {
            indexes.push(extra.clone());
        }
    }
    let query = FixForwardQuery {
        package: package.clone(),
        current: version.clone(),
        lane: LaneChoice::Auto(
            options
                .publish_lane
                .or_else(|| lane_of_index(&options.index)),
        ),
        routing: config.lanes,
        indexes: indexes.clone(),
        git: options
            .git
            .then(|| (options.project_dir.clone(), config.tag_prefix.clone())),
    };
    let answer = fix_forward(client, &query);
    report.next_lane = Some(answer.lane.to_string());
    report.next_version = Some(answer.next.canonical());
    report.next_version_from = answer.sources.iter().map(|s| s.describe()).collect();
    report.next_version_unread = answer.unread;
    let index_args: Vec<String> = indexes
        .iter()
        .map(|i| {
            format!(
                "--index {}",
                i.name.clone().unwrap_or_else(|| i.simple.to_string())
            )
        })
        .collect();
    let project = if options.project_dir == Path::new(".") {
        String::new()
    } else {
        format!(" --project {}", options.project_dir.display())
    };
    report.bump_command = Some(format!(
        "pbx-next-version --lane {}{project} {} --write",
        answer.lane,
        index_args.join(" ")
    ));
}

/// `[tool.pbx]` of the project, or the defaults when there is no readable
/// pyproject.toml (pbx-upload also runs outside projects).
fn read_config(project_dir: &Path) -> pbx_project::PbxConfig {
    let path = project_dir.join("pyproject.toml");
    pbx_project::read_text_file(&path)
        .ok()
        .and_then(|text| pbx_project::Pyproject::parse(&path, &text).ok())
        .map(|p| p.config)
        .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_publish_lane_of_an_index_is_its_name() {
        let lane = |spec: &str| lane_of_index(&IndexUrls::resolve(spec).unwrap());
        assert_eq!(lane("pypi"), Some(Lane::Pypi));
        assert_eq!(lane("testpypi"), Some(Lane::TestPypi));
        assert_eq!(lane("https://test.pypi.org/legacy/"), Some(Lane::TestPypi));
        assert_eq!(lane("http://127.0.0.1:1/"), None);
    }
}
