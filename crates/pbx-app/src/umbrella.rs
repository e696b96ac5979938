//! The `pbx` umbrella command's one job: find the sibling binary
//! (`pbx-TOOL`) next to its own executable and hand it the arguments, or
//! ask it for its completion script or man page.

use std::ffi::OsString;
use std::path::{Path, PathBuf};
use std::process::{Command, ExitCode};

use pbx_report::{ExitStatus, Format};

use crate::exit::Failure;
use crate::generate::{Request, COMPLETIONS_FLAG, MAN_FLAG};

/// A sibling binary that could not be run. Closed: its exit status is
/// [`crate::exit`]'s to choose.
#[derive(Debug, thiserror::Error)]
pub enum SiblingError {
    /// `pbx man NAME` / `pbx completions SHELL NAME` for a binary pbx does
    /// not have.
    #[error("no binary {name:?}: one of pbx, {}", .known.join(", "))]
    Unknown {
        /// What was asked for.
        name: String,
        /// The binaries there are.
        known: Vec<String>,
    },
    /// The path of the running `pbx` is unknown to the platform.
    #[error("cannot tell where pbx itself is installed: {0}")]
    NoSelf(#[source] std::io::Error),
    /// No `pbx-TOOL` beside `pbx`.
    #[error("no {} next to pbx (looked for {})", .tool, .path.display())]
    Missing {
        /// The binary's file name.
        tool: String,
        /// Where it was looked for.
        path: PathBuf,
    },
    /// The binary is there but could not be started.
    #[error("cannot run {}: {source}", .path.display())]
    Start {
        /// The binary.
        path: PathBuf,
        /// What the platform said.
        #[source]
        source: std::io::Error,
    },
}

/// The path of `pbx-TOOL` beside the running executable (its real path
/// first, then the path it was started by, for a symlinked `pbx`).
pub fn sibling(tool: &str) -> Result<PathBuf, SiblingError> {
    let file = format!("pbx-{tool}{}", std::env::consts::EXE_SUFFIX);
    let exe = std::env::current_exe().map_err(SiblingError::NoSelf)?;
    let mut candidates = Vec::new();
    if let Ok(real) = exe.canonicalize() {
        candidates.extend(real.parent().map(|dir| dir.join(&file)));
    }
    candidates.extend(exe.parent().map(|dir| dir.join(&file)));
    candidates
        .iter()
        .find(|path| path.is_file())
        .cloned()
        .ok_or_else(|| SiblingError::Missing {
            tool: file.clone(),
            path: candidates.pop().unwrap_or_else(|| PathBuf::from(&file)),
        })
}

/// Runs `pbx-TOOL ARGS…` and ends with its exit code. On Unix the sibling
/// replaces this process (signals, stdin and the exit code are the
/// sibling's own); elsewhere it is waited for.
pub fn run_sibling(tool: &str, args: &[OsString]) -> ExitCode {
    match sibling(tool).and_then(|path| hand_over(&path, args)) {
        Ok(code) => code,
        Err(error) => report(&error).into(),
    }
}

/// Asks `pbx-TOOL` for its completion script or man page (written to this
/// process's stdout) and says how it ended.
pub fn ask_sibling(tool: &str, request: &Request) -> ExitStatus {
    let args: Vec<OsString> = match request {
        Request::Completions(shell) => vec![COMPLETIONS_FLAG.into(), shell.to_string().into()],
        Request::UnknownShell(shell) => vec![COMPLETIONS_FLAG.into(), shell.into()],
        Request::Man => vec![MAN_FLAG.into()],
    };
    let path = match sibling(tool) {
        Ok(path) => path,
        Err(error) => return report(&error),
    };
    match Command::new(&path).args(&args).status() {
        Ok(status) if status.success() => ExitStatus::Success,
        Ok(status) => match status.code() {
            Some(2) => ExitStatus::InputError,
            Some(1) => ExitStatus::Failure,
            _ => ExitStatus::EnvironmentError,
        },
        Err(source) => report(&SiblingError::Start { path, source }),
    }
}

/// Reports `error` the way every pbx binary reports a problem (stderr,
/// and an annotation under GitHub Actions) and says its exit status.
pub fn report(error: &SiblingError) -> ExitStatus {
    let problem = error.problem();
    let status = problem.status;
    let _ = pbx_report::run_main(Format::Text, |_| Err(problem));
    status
}

#[cfg(unix)]
fn hand_over(path: &Path, args: &[OsString]) -> Result<ExitCode, SiblingError> {
    use std::os::unix::process::CommandExt;
    // exec returns only when the sibling could not be started.
    let source = Command::new(path).args(args).exec();
    Err(SiblingError::Start {
        path: path.to_path_buf(),
        source,
    })
}

#[cfg(not(unix))]
fn hand_over(path: &Path, args: &[OsString]) -> Result<ExitCode, SiblingError> {
    let status = Command::new(path)
        .args(args)
        .status()
        .map_err(|source| SiblingError::Start {
            path: path.to_path_buf(),
            source,
        })?;
    // A Windows exit code above 255 keeps its low byte, never 0.
    Ok(match status.code() {
        Some(0) => ExitCode::SUCCESS,
        Some(code) => ExitCode::from(
            u8::try_from(code & 0xff)
                .ok()
                .filter(|c| *c != 0)
                .unwrap_or(1),
        ),
        None => ExitCode::from(1),
    })
}
