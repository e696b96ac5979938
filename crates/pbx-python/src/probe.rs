use std::io::Read;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use serde::Deserialize;

/// How long one probe may take by default (a cold interpreter on a busy
/// runner starts in well under a second).
pub const DEFAULT_PROBE_TIMEOUT: Duration = Duration::from_secs(20);

/// The one-line program a probe runs: JSON with the version, the
/// implementation and the real executable.
const PROBE_SCRIPT: &str = "import json, sys; v = sys.version_info; \
print(json.dumps({'major': v[0], 'minor': v[1], 'micro': v[2], \
'releaselevel': v[3], 'serial': v[4], \
'implementation': sys.implementation.name, 'executable': sys.executable}))";

/// What a probe learnt about an interpreter.
#[derive(Clone, Debug, PartialEq, Eq, Deserialize)]
pub struct Probe {
    /// `sys.version_info.major`.
    pub major: u64,
    /// `sys.version_info.minor`.
    pub minor: u64,
    /// `sys.version_info.micro`.
    pub micro: u64,
    /// `final`, `candidate`, `beta`, `alpha`.
    pub releaselevel: String,
    /// The pre-release number.
    pub serial: u64,
    /// `sys.implementation.name`.
    pub implementation: String,
    /// `sys.executable` (made absolute against the probed path when empty).
    pub executable: PathBuf,
}

impl Probe {
    /// `3.12.1`, or `3.13.0rc1` for a pre-release.
    pub fn version_string(&self) -> String {
        let base = format!("{}.{}.{}", self.major, self.minor, self.micro);
        let pre = match self.releaselevel.as_str() {
            "alpha" => "a",
            "beta" => "b",
            "candidate" => "rc",
            _ => return base,
        };
        format!("{base}{pre}{}", self.serial)
    }
}

/// A candidate interpreter that cannot be used.
#[derive(Debug, thiserror::Error)]
pub enum ProbeError {
    /// It could not be started.
    #[error("{}: cannot run: {source}", path.display())]
    Spawn {
        /// The candidate.
        path: PathBuf,
        /// Why.
        source: std::io::Error,
    },
    /// It ran and failed (pyenv shims exit 127 for inactive versions).
    #[error("{}: exit status {code}: {stderr}", path.display())]
    Exit {
        /// The candidate.
        path: PathBuf,
        /// Its exit code (-1 when killed by a signal).
        code: i32,
        /// The first line of its stderr.
        stderr: String,
    },
    /// It did not answer in time.
    #[error("{}: no answer within {} s", path.display(), timeout.as_secs())]
    Timeout {
        /// The candidate.
        path: PathBuf,
        /// The limit.
        timeout: Duration,
    },
    /// It answered something that is not the probe's JSON.
    #[error("{}: unexpected probe output: {output}", path.display())]
    Output {
        /// The candidate.
        path: PathBuf,
        /// What it printed.
        output: String,
    },
}

impl ProbeError {
    /// The reason without the path, for lists of skipped candidates.
    pub fn reason(&self) -> String {
        match self {
            ProbeError::Spawn { source, .. } => format!("cannot run: {source}"),
            ProbeError::Exit { code, stderr, .. } if stderr.is_empty() => {
                format!("exit status {code}")
            }
            ProbeError::Exit { code, stderr, .. } => format!("exit status {code}: {stderr}"),
            ProbeError::Timeout { timeout, .. } => {
                format!("no answer within {} s", timeout.as_secs())
            }
            ProbeError::Output { output, .. } => format!("unexpected probe output: {output}"),
        }
    }
}

/// Runs `path -I -c <probe>` once and parses what it prints.
pub fn probe(path: &Path, timeout: Duration) -> Result<Probe, ProbeError> {
    let mut child = Command::new(path)
        .args(["-I", "-c", PROBE_SCRIPT])
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .map_err(|source| ProbeError::Spawn {
            path: path.to_path_buf(),
            source,
        })?;
    let mut stdout = child.stdout.take().expect("stdout is piped");
    let mut stderr = child.stderr.take().expect("stderr is piped");
    let out_reader = std::thread::spawn(move || {
        let mut buf = Vec::new();
        let _ = stdout.read_to_end(&mut buf);
        buf
    });
    let err_reader = std::thread::spawn(move || {
        let mut buf = Vec::new();
        let _ = stderr.read_to_end(&mut buf);
        buf
    });
    let started = Instant::now();
    let status = loop {
        match child.try_wait() {
            Ok(Some(status)) => break status,
            Ok(None) if started.elapsed() < timeout => {
                std::thread::sleep(Duration::from_millis(2));
            }
            Ok(None) => {
                let _ = child.kill();
                let _ = child.wait();
                return Err(ProbeError::Timeout {
                    path: path.to_path_buf(),
                    timeout,
                });
            }
            Err(source) => {
                return Err(ProbeError::Spawn {
                    path: path.to_path_buf(),
                    source,
                })
            }
        }
    };
    let stdout = out_reader.join().unwrap_or_default();
    let stderr = err_reader.join().unwrap_or_default();
    if !status.success() {
        // The first line says why (`pyenv: python3.12: command not found`);
        // what follows is advice for people.
        let text = String::from_utf8_lossy(&stderr);
        let first = text
            .lines()
            .map(str::trim)
            .find(|l| !l.is_empty())
            .unwrap_or("");
        let tail: String = first.chars().take(200).collect();
        return Err(ProbeError::Exit {
            path: path.to_path_buf(),
            code: status.code().unwrap_or(-1),
            stderr: tail,
        });
    }
    let text = String::from_utf8_lossy(&stdout);
    let mut parsed: Probe = serde_json::from_str(text.trim()).map_err(|_| ProbeError::Output {
        path: path.to_path_buf(),
        output: text.chars().take(200).collect(),
    })?;
    if parsed.executable.as_os_str().is_empty() || !parsed.executable.is_absolute() {
        parsed.executable = std::path::absolute(path).unwrap_or_else(|_| path.to_path_buf());
    }
    Ok(parsed)
}
