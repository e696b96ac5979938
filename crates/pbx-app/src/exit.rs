//! The one place a result or an error becomes an exit code and a hint.
//!
//! - 0: the check passed.
//! - 1: the check failed (a mismatch, a consumed version, a digest that
//!   differs, an install that failed).
//! - 2: usage or input error (a bad flag or value, an unreadable or
//!   malformed file), naming the file, line and column.
//! - 3: the environment failed (an index unreachable after retries, a tool
//!   or interpreter missing, a disk that cannot be written).

use pbx_artifact::ArtifactError;
use pbx_index::IndexError;
use pbx_project::ProjectError;
use pbx_release::disk::FindError;
use pbx_report::{ExitStatus, Location, Problem};
use pbx_settings::SettingError;
use pbx_tag_check::TagCheckError;

/// An error a library returned, as the problem a binary reports.
pub trait Failure {
    /// The exit status, the message, where, and what to do next.
    fn problem(&self) -> Problem;
}

/// A result a library returned, as the binary's exit status.
pub trait Outcome {
    /// 0 when everything passed, 1 when a check failed, …
    fn status(&self) -> ExitStatus;
}

/// `error.problem()` for `map_err`.
pub fn problem<E: Failure>(error: E) -> Problem {
    error.problem()
}

/// The exit status an index error stands for: 2 when the input named the
/// index wrongly (a bad URL, a certificate setting that cannot be read), 3
/// when the index could not be reached or answered unusably after every
/// retry.
pub fn index_status(error: &IndexError) -> ExitStatus {
    if error.is_input() {
        ExitStatus::InputError
    } else {
        ExitStatus::EnvironmentError
    }
}

/// An index error with the status [`index_status`] gives it. An index that
/// answers 401 or 403 wants credentials: that is for the user to give (exit
/// 2), and the hint says how; callers add their own hint with [`or_hint`]
/// for every other case.
pub fn index_problem(error: &IndexError, message: String) -> Problem {
    let mut problem = Problem::input(message);
    problem.status = index_status(error);
    if let IndexError::Status {
        status: 401 | 403, ..
    } = error
    {
        problem.status = ExitStatus::InputError;
        problem = problem.hint(
            "the index refused the request: pass credentials it accepts (TWINE_USERNAME/TWINE_PASSWORD, PBX_USERNAME/PBX_PASSWORD, --password-stdin or ~/.pypirc), or check the URL",
        );
    } else if error.is_environment() && !error.is_transient() {
        // A certificate or a proxy that refuses: waiting changes nothing.
        problem = problem.hint(
            "no retry can help: change the setting the message names (PBX_CERT/TWINE_CERT, SSL_CERT_FILE, PBX_CLIENT_CERT, or the proxy variables)",
        );
    }
    problem
}

/// `problem` with `hint` unless it already has one.
pub fn or_hint(problem: Problem, hint: impl Into<String>) -> Problem {
    if problem.hint.is_some() {
        problem
    } else {
        problem.hint(hint)
    }
}

impl Failure for IndexError {
    fn problem(&self) -> Problem {
        let problem = index_problem(self, self.to_string());
        let hint = if self.is_input() {
            "check the index: `pypi`, `testpypi`, or the URL of its simple API (e.g. http://127.0.0.1:8080/simple/)"
        } else {
            "the index could not answer after retries; nothing was concluded: run again when it is reachable"
        };
        or_hint(problem, hint)
    }
}

impl Failure for crate::umbrella::SiblingError {
    fn problem(&self) -> Problem {
        if let crate::umbrella::SiblingError::Unknown { .. } = self {
            return Problem::input(self.to_string());
        }
        // The installation is incomplete or broken: the environment (3).
        Problem::environment(self.to_string()).hint(
            "pbx runs the pbx-* binaries installed beside it: reinstall pbx-release (pipx install pbx-release, or uv tool install pbx-release)",
        )
    }
}

impl Failure for ProjectError {
    fn problem(&self) -> Problem {
        let mut problem = Problem::input(self.message.clone()).at(self.location.clone());
        problem.hint = self.hint.clone();
        problem
    }
}

impl Failure for SettingError {
    fn problem(&self) -> Problem {
        Problem::input(self.to_string()).hint("unset the variable, or give it true or false")
    }
}

impl Failure for FindError {
    fn problem(&self) -> Problem {
        match self {
            FindError::NotFound { path } => Problem::input("no such file or directory")
                .at(Location::file(path))
                .hint("check the path; artifacts are usually in dist/ after `uv build`"),
            FindError::NotAFile { path } => Problem::input("not a regular file")
                .at(Location::file(path))
                .hint("name the wheels and sdists (or the directory holding them)"),
            FindError::Read { path, source } => {
                Problem::input(format!("cannot read: {source}")).at(Location::file(path))
            }
            FindError::NoArtifacts { .. } => Problem::input(self.to_string())
                .hint("build them first (`uv build`), or name the files to use"),
        }
    }
}

impl Failure for ArtifactError {
    fn problem(&self) -> Problem {
        let (path, hint) = match self {
            ArtifactError::Unsafe { path, .. } => (
                Some(path),
                "the archive was only read, never extracted; rebuild it with a standard backend (`uv build`) and do not publish this file",
            ),
            ArtifactError::Archive { path, .. } => (
                Some(path),
                "rebuild the artifact (`rm -rf dist && uv build`); a damaged download should be fetched again",
            ),
            ArtifactError::Io { path, .. } => {
                (Some(path), "check that the file exists and is readable")
            }
            ArtifactError::Filename { .. } => (
                None,
                "wheels are name-version-python-abi-platform.whl, sdists name-version.tar.gz",
            ),
        };
        let message = self.to_string();
        match path {
            Some(path) => {
                let prefix = format!("{}: ", path.display());
                let message = message.strip_prefix(&prefix).unwrap_or(&message);
                Problem::input(message).hint(hint).at(Location::file(path))
            }
            None => Problem::input(message).hint(hint),
        }
    }
}

impl Failure for TagCheckError {
    fn problem(&self) -> Problem {
        let message = self.to_string();
        match self {
            TagCheckError::Project(inner) => inner.problem(),
            TagCheckError::Find(inner) => inner.problem(),
            TagCheckError::Wheel(inner) => inner.problem().hint("rebuild the wheel"),
            TagCheckError::ProjectVersion { location, .. } => Problem::input(message)
                .at(location.clone())
                .hint("write a PEP 440 version such as \"1.2.3\", \"1.2.3rc1\" or \"1.2.3.post1\""),
            TagCheckError::LockVersion { location, .. } => Problem::input(message)
                .at(location.clone())
                .hint("regenerate the lock file with `uv lock`"),
            TagCheckError::ExpectedVersion(_) => {
                Problem::input(message).hint("pass a PEP 440 version such as 1.2.3")
            }
            TagCheckError::DynamicWithoutDist { location } => Problem::input(message)
                .at(location.clone())
                .hint("build first and pass --dist DIR: the version is then read from the wheel's METADATA"),
            TagCheckError::NoWheel { dist } => Problem::input(message)
                .at(Location::file(dist))
                .hint("build the project first (`uv build`) or point --dist at the directory holding its wheel"),
            TagCheckError::NoWheelOfProject { dist, .. } => Problem::input(message)
                .at(Location::file(dist))
                .hint("build the project first (`uv build`)"),
            TagCheckError::WheelVersion { path, .. } => Problem::input(message)
                .at(Location::file(path))
                .hint("rebuild the wheel"),
            TagCheckError::WheelsDisagree { .. } => {
                Problem::input(message).hint("clean the dist directory and build once")
            }
            TagCheckError::EmptyTag => {
                Problem::input(message).hint("pass the tag, e.g. --tag v1.2.3")
            }
            TagCheckError::TagWhitespace { .. } => Problem::input(message).hint(
                "pass the tag exactly, e.g. --tag \"$(git describe --tags --exact-match)\" or --tag v1.2.3",
            ),
            TagCheckError::SeveralHeadTags { .. } => {
                Problem::input(message).hint("pass the one to check with --tag")
            }
            TagCheckError::NoTag { .. } => Problem::input(message)
                .hint("pass --tag vX.Y.Z, or run on a tag push or a release event"),
            TagCheckError::EventUnreadable { path, .. } => Problem::input(message)
                .at(Location::file(path))
                .hint("GITHUB_EVENT_PATH must name the runner's event JSON file; unset it outside Actions"),
            TagCheckError::EventNotJson { location, .. } => Problem::input(message)
                .at(location.clone())
                .hint("GITHUB_EVENT_PATH must name the runner's event JSON file"),
        }
    }
}

impl Failure for pbx_project::WriteError {
    fn problem(&self) -> Problem {
        // The files are as they were (or the message says where the backup
        // is): what failed is the disk, not the input.
        Problem::environment(self.to_string())
            .at(Location::file(self.path()))
            .hint("make the files and their directory writable (and the disk not full), then run again")
    }
}

impl Failure for pbx_next_version::NextVersionError {
    fn problem(&self) -> Problem {
        use pbx_next_version::{GitError, NextVersionError as E};
        let message = self.to_string();
        match self {
            E::Project(inner) => inner.problem(),
            E::Write(inner) => inner.problem(),
            E::PyprojectUnreadable { path, .. } => Problem::input(message)
                .at(Location::file(path))
                .hint("run from the project root or pass --project DIR (or give the current version with --from VERSION)"),
            E::LockUnreadable { path, .. } => Problem::input(message)
                .at(Location::file(path))
                .hint("check the file's permissions"),
            E::Package(_) => {
                Problem::input(message).hint("pass the project's name, e.g. --package my-app")
            }
            E::NoPackage => Problem::input(message)
                .hint("pass --package NAME (or --offline to use git tags alone)"),
            E::IndexSpec(_) => Problem::input(message).hint(
                "pass --index pypi, --index testpypi, or the index's URL (its simple API, e.g. http://127.0.0.1:8080/simple/)",
            ),
            E::IndexUnreadable { source, .. } => or_hint(
                index_problem(source, message),
                "without the index's file list the next version could collide with one already uploaded; retry when the index answers, or pass --offline to use git tags alone",
            ),
            E::RcAfterFinal { project_dir, .. } => Problem::failure(message).hint(format!(
                "pbx-next-version --lane post{} prints it; add --write to set it in pyproject.toml and uv.lock",
                if project_dir == std::path::Path::new(".") {
                    String::new()
                } else {
                    format!(" --project {}", project_dir.display())
                }
            )),
            E::From(_) => {
                Problem::input(message).hint("give a PEP 440 version, e.g. --from 1.2.3")
            }
            E::NoCurrent => Problem::input(message),
            E::ProjectVersion { location, .. } => Problem::input(message)
                .at(location.clone())
                .hint("write a PEP 440 version, e.g. `version = \"1.2.3\"`"),
            E::Dynamic { location } => Problem::input(message)
                .at(location.clone())
                .hint("pass the version last released with --from VERSION"),
            E::WriteNeedsPyproject { path } => Problem::input(message).at(Location::file(path)),
            E::LockRequired { path } => Problem::input(message)
                .at(Location::file(path))
                .hint("run `uv lock` and commit uv.lock, then run again"),
            E::ChangedMeanwhile { path } => Problem::input(message)
                .at(Location::file(path))
                .hint("run pbx-next-version --write again"),
            E::Git {
                source,
                explicit_dir,
            } => match source {
                GitError::NotARepository { .. } => Problem::input(message).hint(if *explicit_dir {
                    "pass --git with a directory inside the repository, or --no-git to use the indexes alone"
                } else {
                    "run inside the project's git checkout, pass --git DIR for the repository, or --no-git to use the indexes alone"
                }),
                GitError::NoSuchDirectory { .. } => Problem::input(message).hint(
                    "pass --git with an existing directory inside the repository, or --no-git",
                ),
                GitError::GitMissing { .. } => Problem::environment(message).hint(
                    "install git (or put it on PATH), or pass --no-git to use the indexes alone",
                ),
                GitError::Failed { .. } => Problem::environment(message).hint(
                    "fix what git reports (e.g. `git config --global --add safe.directory DIR`), or pass --no-git",
                ),
            },
        }
    }
}

impl Failure for pbx_checksum::ChecksumError {
    fn problem(&self) -> Problem {
        use pbx_checksum::ChecksumError as E;
        match self {
            E::NotFound { path } => Problem::input("no such file or directory")
                .at(Location::file(path))
                .hint("check the path; artifacts are usually in dist/ after `uv build`"),
            E::Usage(message) => Problem::input(message.clone()),
            E::NoManifest { path } => Problem::input("no such manifest")
                .at(Location::file(path))
                .hint("write one first with `pbx-checksum write` (or name it with -f)"),
            E::NoArtifacts { .. } => Problem::input(self.to_string())
                .hint("build them first (`uv build`), or name the files to use"),
            E::Manifest {
                path,
                line,
                column,
                reason,
            } => Problem::input(reason.clone())
                .at(Location::at(path, *line, *column))
                .hint("a SHA256SUMS line is `<64 hex digits>  <file name>` (as `sha256sum` writes it)"),
            E::Read { path, source } => {
                Problem::input(format!("cannot read: {source}")).at(Location::file(path))
            }
            E::Write { path, source } => Problem::environment(format!("cannot write: {source}"))
                .at(Location::file(path))
                .hint("the existing manifest (if any) is unchanged; check the directory's permissions and free space"),
            E::Artifact(inner) => inner.problem(),
            E::Find(inner) => inner.problem(),
            E::Index(inner) if inner.is_input() => Problem::input(inner.to_string())
                .hint("--index takes `pypi`, `testpypi` or the index's URL (add --index-url for its simple API when it is not URL + simple/)"),
            E::Index(inner) => or_hint(
                index_problem(inner, inner.to_string()),
                "the index could not answer after retries; nothing was concluded about the files: run the comparison again when it is reachable",
            ),
        }
    }
}

/// The artifacts inspected, as the exit status: 2 when one could not be
/// used at all, else 1 when a check failed, else 0.
impl Outcome for pbx_release::disk::InspectReport {
    fn status(&self) -> ExitStatus {
        if self.unusable().is_some() {
            ExitStatus::InputError
        } else {
            ExitStatus::from_ok(self.checks.all_ok())
        }
    }
}

/// Why these artifacts may not be published: the first unusable one, else
/// every failed check.
impl Failure for pbx_release::disk::InspectReport {
    fn problem(&self) -> Problem {
        if let Some((_, error)) = self.unusable() {
            return error.problem();
        }
        let failed = self.failed();
        let mut problem = Problem::input(format!(
            "inspection refused the artifacts: {}",
            failed
                .iter()
                .map(|c| format!("{}: {}", c.name, c.message))
                .collect::<Vec<_>>()
                .join("; ")
        ))
        .hint("fix what each check names (`pbx-checksum inspect` shows every check), rebuild the artifacts (`rm -rf dist && uv build`), and do not publish these files");
        if let Some(location) = failed.first().and_then(|c| c.location()) {
            problem = problem.at(location.clone());
        }
        problem
    }
}

impl Outcome for pbx_upload::Report {
    fn status(&self) -> ExitStatus {
        use pbx_upload::Outcome as O;
        match self.outcome {
            O::Uploaded | O::DryRun => ExitStatus::Success,
            O::Unreachable | O::Interrupted => ExitStatus::EnvironmentError,
            O::Consumed | O::AlreadyPublished | O::Partial | O::Rejected | O::Unverified => {
                ExitStatus::Failure
            }
        }
    }
}

impl Failure for pbx_upload::UploadError {
    fn problem(&self) -> Problem {
        use pbx_upload::UploadError as E;
        let message = self.to_string();
        let renamed = "rebuild the distribution; a renamed file is not a valid upload";
        match self {
            E::Find(inner) => inner.problem(),
            E::Refused(report) => report.problem(),
            E::Artifact(inner) => inner.problem().hint(
                "rebuild the distribution (`uv build`); pbx-upload sends only intact wheels and sdists",
            ),
            E::NamedTwice { path, .. } => Problem::input(message).at(Location::file(path)),
            E::Renamed { path, .. } => Problem::input(message).at(Location::file(path)).hint(renamed),
            E::NoFiles => Problem::input(message),
            E::NotOneRelease { path, .. } => Problem::input(message)
                .at(Location::file(path))
                .hint("upload one project version per run: clean dist/ (`rm -rf dist`) and build again"),
            E::LocalVersion { path, .. } => Problem::input(message)
                .at(Location::file(path))
                .hint("drop the `+local` part of the version and build again"),
            E::SeveralSdists { .. } => Problem::input(message)
                .hint("keep one sdist (.tar.gz): indexes take only one per release"),
            E::ZipSdist { path, .. } => Problem::input(message).at(Location::file(path)).hint(
                "build a .tar.gz sdist instead (`uv build --sdist`, or any current backend) and leave the .zip out of the upload",
            ),
            E::CredentialsNotAllowed(inner) => index_problem(inner, message),
            E::TrustedWithoutToken => Problem::input(message).hint(NO_ID_TOKEN_HINT),
            E::NoCredentials { .. } => Problem::input(message).hint(
                "set TWINE_PASSWORD or UV_PUBLISH_TOKEN (an API token; the username defaults to __token__), use --password-stdin, or publish from GitHub Actions with trusted publishing (`permissions: id-token: write`)",
            ),
            E::ListFiles { source, index } => match source {
                IndexError::Status {
                    status: 401 | 403, ..
                } => Problem::input(format!("{index} needs credentials to list files: {source}"))
                    .hint("pass the index's credentials (TWINE_USERNAME/TWINE_PASSWORD, PBX_USERNAME/PBX_PASSWORD, --password-stdin or ~/.pypirc); nothing was uploaded"),
                _ if source.is_input() => Problem::input(source.to_string()),
                _ => or_hint(
                    index_problem(source, message),
                    "nothing was uploaded; retry when the index answers (check the URL with --index-url)",
                ),
            },
            E::Repository(_) | E::NotAnIndex { .. } => Problem::input(message).hint(
                "pass --repository pypi, testpypi, an upload URL, or a ~/.pypirc section that has a `repository` URL",
            ),
            E::PypircUnreadable { path, .. } => Problem::input(message).at(Location::file(path)),
            E::Pypirc { location, .. } => Problem::input(message)
                .at(location.clone())
                .hint("fix the line or remove it"),
            E::Trusted(inner) => inner.problem(),
            E::Attestation(inner) => inner.problem(),
        }
    }
}

impl Failure for pbx_upload::AttestationError {
    fn problem(&self) -> Problem {
        use pbx_upload::AttestationError as E;
        // An attestation that does not attest its file is bad input (2):
        // nothing was sent.
        let path = match self {
            E::Unreadable { path, .. }
            | E::Malformed { path, .. }
            | E::WrongSubject { path, .. } => path,
        };
        Problem::input(self.to_string())
            .at(Location::file(path))
            .hint("nothing was uploaded: make the attestation for these exact files after the last build (or remove the stale .publish.attestation file)")
    }
}

/// What to do when the job cannot request an OIDC token.
const NO_ID_TOKEN_HINT: &str = "trusted publishing needs the job to request an OIDC token: add `permissions: id-token: write` to the job (and run it on GitHub Actions), or pass credentials (TWINE_PASSWORD, UV_PUBLISH_TOKEN, PBX_PASSWORD, --password-stdin) with --trusted-publishing never";

impl Failure for pbx_upload::TrustedError {
    fn problem(&self) -> Problem {
        use pbx_upload::TrustedError as E;
        let message = self.to_string();
        match self {
            E::Index(inner) => index_problem(inner, message),
            E::NotOffered { .. } => Problem::input(message).hint(
                "use an API token instead (TWINE_PASSWORD, UV_PUBLISH_TOKEN or PBX_PASSWORD) with --trusted-publishing never",
            ),
            E::RequestUrl(_) | E::NoIdToken { .. } => {
                Problem::input(message).hint(NO_ID_TOKEN_HINT)
            }
            E::MintRefused { origin, codes, .. } => {
                let hint = if codes.iter().any(|c| c == "invalid-publisher") {
                    format!("{origin} has no trusted publisher matching this workflow: on the project's Publishing page add a GitHub publisher with this repository's owner and name, the workflow file name, and the environment the job uses (a pending publisher for a project that does not exist yet). The index matches the top-level workflow of the run: an upload from inside a reusable workflow is refused, so run the publish step in the caller's own workflow file")
                } else if codes
                    .iter()
                    .any(|c| c.contains("token") || c.contains("payload"))
                {
                    "the OIDC token was refused: the job needs `permissions: id-token: write`, and the token must be fresh (do not reuse it across jobs)".to_string()
                } else if codes.iter().any(|c| c == "not-enabled") {
                    format!("trusted publishing is disabled on {origin}: use an API token with --trusted-publishing never")
                } else {
                    "check the trusted publisher configured for this project on the index"
                        .to_string()
                };
                Problem::input(message).hint(hint)
            }
        }
    }
}

impl Failure for pbx_reinstall::InputError {
    fn problem(&self) -> Problem {
        use pbx_reinstall::InputError as E;
        let message = self.to_string();
        match self {
            E::Project(inner) => inner.problem(),
            E::NoPackage { .. } => Problem::input(message)
                .hint("pass NAME==VERSION (or --package NAME --package-version V), or run from the project root"),
            E::ProjectVersion { location, .. } => Problem::input(message).at(location.clone()),
            E::Dynamic { location } => Problem::input(message)
                .at(location.clone())
                .hint("pass --package-version V (e.g. the output of pbx-tag-check)"),
            E::NoVersion => Problem::input(message).hint("pass --package-version V, or NAME==VERSION"),
            E::Index { source, .. } => index_problem(source, message),
            E::NoInstaller(_) => Problem::environment(message)
                .hint("install uv (https://docs.astral.sh/uv/) or use --installer pip"),
            E::Package(_) | E::Version(_) | E::Pythons(_) | E::Installer(_) => {
                Problem::input(message)
            }
        }
    }
}

impl Failure for pbx_reinstall::ReinstallError {
    fn problem(&self) -> Problem {
        use pbx_reinstall::{ReinstallError as E, WaitError as W};
        let message = self.to_string();
        match self {
            E::Dist(pbx_reinstall::DistError::Find(inner)) => inner.problem().hint(
                "pass --dist the directory `uv build` wrote (dist/), holding this version's wheel or sdist",
            ),
            E::Dist(_) => Problem::input(message)
                .hint("pass --dist the directory `uv build` wrote (dist/), holding this version's wheel or sdist"),
            E::Wait(W::NotListed { .. }) => Problem::failure(message)
                .hint("check the version and the index; right after an upload, give the index time with --wait 15m"),
            E::Wait(W::DigestMismatch { .. }) => Problem::failure(message)
                .hint("the index holds other bytes under this filename (and never accepts a filename twice): release the next version with `pbx-next-version`"),
            E::Wait(W::Cancelled) => Problem::environment("interrupted by Ctrl-C"),
            E::Wait(W::Index(inner)) if inner.is_input() => Problem::input(message),
            E::Wait(W::Index(inner)) => or_hint(
                index_problem(inner, message),
                "check the index URL and the network; retrying later is safe",
            ),
        }
    }
}

impl Outcome for pbx_tag_check::TagReport {
    fn status(&self) -> ExitStatus {
        ExitStatus::from_ok(self.ok())
    }
}

impl Outcome for pbx_checksum::VerifyReport {
    fn status(&self) -> ExitStatus {
        ExitStatus::from_ok(self.ok())
    }
}

impl Outcome for pbx_checksum::CompareReport {
    fn status(&self) -> ExitStatus {
        ExitStatus::from_ok(self.ok())
    }
}

impl Outcome for pbx_reinstall::Report {
    fn status(&self) -> ExitStatus {
        ExitStatus::from_ok(self.ok)
    }
}

/// pbx-reinstall's rule for interpreters that were not found: none at all
/// is exit 3; some missing is exit 3 unless `--skip-missing` (they are
/// then reported as `missing` rows).
pub fn missing_interpreters(
    searches: &[pbx_python::Search],
    skip_missing: bool,
) -> Result<(), Problem> {
    let missing: Vec<String> = searches
        .iter()
        .filter(|s| s.found.is_none())
        .map(|s| s.request.to_string())
        .collect();
    if !missing.is_empty() && missing.len() == searches.len() {
        return Err(Problem::environment(format!(
            "no interpreter found for any of Python {} (pbx never downloads one)",
            missing.join(", ")
        ))
        .hint("install one (pyenv install, uv python install, actions/setup-python) or pass --python PATH"));
    }
    if !missing.is_empty() && !skip_missing {
        return Err(Problem::environment(format!(
            "no interpreter for Python {} (looked at --python, PATH, pyenv, uv-managed installs, $RUNNER_TOOL_CACHE; pbx never downloads one)",
            missing.join(", ")
        ))
        .hint("install it (pyenv install, uv python install, actions/setup-python), pass --python PATH, or --skip-missing"));
    }
    Ok(())
}
