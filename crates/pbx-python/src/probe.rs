use std::io::Read;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

/// How long one probe may take by default (a cold interpreter on a busy
/// runner starts in well under a second).
pub const DEFAULT_PROBE_TIMEOUT: Duration = Duration::from_secs(20);

/// The most bytes of each of a probe's two streams that are read: an answer
/// is one short line, and a candidate that writes without end (any file
/// named like an interpreter is a candidate) must not fill the memory.
const PROBE_OUTPUT_CAP: u64 = 64 * 1024;

/// The one-line program a probe runs, with `-I -S` (isolated, no `site`):
/// the version, the implementation and the real executable, separated by
/// spaces, the executable last (it may hold spaces) and written as the
/// file system's bytes. Neither `json` nor `site` is imported: that halves
/// what a probe costs (26 ms of CPU against 15 ms for CPython 3.12 here).
const PROBE_SCRIPT: &str = "import sys; v = sys.version_info; \
sys.stdout.buffer.write(('%d %d %d %s %d %s ' % (v[0], v[1], v[2], v[3], v[4], \
sys.implementation.name)).encode() + sys.executable.encode('utf-8', 'surrogateescape'))";

/// What a probe learnt about an interpreter.
#[derive(Clone, Debug, PartialEq, Eq)]
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
    /// It answered something that is not the probe's answer.
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

/// Runs `path -I -S -c <probe>` once and parses what it prints.
pub fn probe(path: &Path, timeout: Duration) -> Result<Probe, ProbeError> {
    let mut child = Command::new(path)
        .args(["-I", "-S", "-c", PROBE_SCRIPT])
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
    // Each pipe is closed once its cap is read: a candidate still writing
    // then fails (a broken pipe) instead of waiting for the timeout.
    let out_reader = std::thread::spawn(move || {
        let mut buf = Vec::new();
        let _ = (&mut stdout).take(PROBE_OUTPUT_CAP).read_to_end(&mut buf);
        buf
    });
    let err_reader = std::thread::spawn(move || {
        let mut buf = Vec::new();
        let _ = (&mut stderr).take(PROBE_OUTPUT_CAP).read_to_end(&mut buf);
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
        return Err(ProbeError::Exit {
            path: path.to_path_buf(),
            code: status.code().unwrap_or(-1),
            stderr: shown(first),
        });
    }
    let mut parsed = parse_answer(&stdout).ok_or_else(|| ProbeError::Output {
        path: path.to_path_buf(),
        output: shown(&String::from_utf8_lossy(&stdout)),
    })?;
    if parsed.executable.as_os_str().is_empty() || !parsed.executable.is_absolute() {
        parsed.executable = std::path::absolute(path).unwrap_or_else(|_| path.to_path_buf());
    }
    Ok(parsed)
}

/// At most 200 characters of what a candidate wrote, for an error message:
/// without control characters (no escape sequence reaches a terminal).
fn shown(text: &str) -> String {
    text.chars().filter(|c| !c.is_control()).take(200).collect()
}

/// The probe's answer: `MAJOR MINOR MICRO LEVEL SERIAL IMPLEMENTATION
/// EXECUTABLE`, the executable being the rest (possibly empty, never with a
/// control character: it is shown in reports).
fn parse_answer(stdout: &[u8]) -> Option<Probe> {
    let mut fields = stdout.splitn(7, |b| *b == b' ');
    let mut text = || std::str::from_utf8(fields.next()?).ok();
    let number = |field: Option<&str>| field?.parse::<u64>().ok();
    let major = number(text())?;
    let minor = number(text())?;
    let micro = number(text())?;
    let releaselevel = text()?.to_string();
    let serial = number(text())?;
    let implementation = text()?.to_string();
    let known_level = ["alpha", "beta", "candidate", "final"].contains(&releaselevel.as_str());
    let plain_name = !implementation.is_empty()
        && implementation
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'_');
    if !known_level || !plain_name {
        return None;
    }
    let executable = fields.next()?;
    if String::from_utf8_lossy(executable)
        .chars()
        .any(char::is_control)
    {
        return None;
    }
    Some(Probe {
        major,
        minor,
        micro,
        releaselevel,
        serial,
        implementation,
        executable: path_from_bytes(executable),
    })
}

#[cfg(unix)]
fn path_from_bytes(bytes: &[u8]) -> PathBuf {
    use std::os::unix::ffi::OsStrExt;
    PathBuf::from(std::ffi::OsStr::from_bytes(bytes))
}

#[cfg(not(unix))]
fn path_from_bytes(bytes: &[u8]) -> PathBuf {
    PathBuf::from(String::from_utf8_lossy(bytes).into_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_answer_is_read_with_an_executable_holding_spaces() {
        let probe =
            parse_answer(b"3 13 0 candidate 2 cpython /opt/my python/bin/python3.13").unwrap();
        assert_eq!(probe.version_string(), "3.13.0rc2");
        assert_eq!(probe.implementation, "cpython");
        assert_eq!(
            probe.executable,
            PathBuf::from("/opt/my python/bin/python3.13")
        );
        // An empty sys.executable is made absolute by the caller.
        let probe = parse_answer(b"3 12 1 final 0 pypy ").unwrap();
        assert_eq!(probe.executable, PathBuf::new());
    }

    #[test]
    fn anything_else_is_not_an_answer() {
        for output in [
            &b""[..],
            b"Python 3.12.1",
            b"3 12 1 final 0",
            b"3 12 x final 0 cpython /usr/bin/python3",
            b"3 12 1 gamma 0 cpython /usr/bin/python3",
            b"3 12 1 final 0 c\x1b[31m /usr/bin/python3",
            b"3 12 1 final 0 cpython /usr/bin/\x1b]0;owned\x07python3",
            b"3 12 1 final 0 cpython /usr/bin/python3\n",
            "3 12 1 final 0 cpython /usr/bin/\u{9b}python3".as_bytes(),
            b"-3 12 1 final 0 cpython /usr/bin/python3",
        ] {
            assert!(parse_answer(output).is_none(), "{output:?}");
        }
    }

    #[test]
    fn a_real_interpreter_answers() {
        // The interpreter running the tests' tools: any python3 on PATH.
        let Some(python) =
            crate::find_on_path("python3", &std::env::var_os("PATH").unwrap_or_default())
                .into_iter()
                .next()
        else {
            assert!(std::env::var_os("CI").is_none(), "no python3 on PATH");
            return;
        };
        let probe = probe(&python, DEFAULT_PROBE_TIMEOUT).unwrap();
        assert_eq!(probe.major, 3);
        assert!(probe.executable.is_absolute());
    }

    #[cfg(unix)]
    fn fake_interpreter(dir: &Path, body: &str) -> PathBuf {
        use std::os::unix::fs::PermissionsExt;
        let path = dir.join("python3.12");
        std::fs::write(&path, format!("#!/bin/sh\n{body}\n")).unwrap();
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o755)).unwrap();
        path
    }

    #[cfg(unix)]
    #[test]
    fn a_candidate_that_floods_or_writes_escapes_is_refused_in_plain_words() {
        let dir = tempfile::tempdir().unwrap();
        // Output without end: refused at once (its pipe closes at the cap),
        // not after the timeout with gigabytes held in memory.
        let flood = fake_interpreter(dir.path(), "exec yes 3 12 1 final 0 cpython");
        let started = Instant::now();
        assert!(probe(&flood, DEFAULT_PROBE_TIMEOUT).is_err());
        assert!(started.elapsed() < Duration::from_secs(5));
        // An escape sequence on stderr is not passed on.
        let hostile = fake_interpreter(
            dir.path(),
            r"printf '\033]0;owned\007\033[31mbroken\033[0m\n' >&2; exit 1",
        );
        let err = probe(&hostile, DEFAULT_PROBE_TIMEOUT)
            .unwrap_err()
            .to_string();
        assert!(
            err.ends_with("exit status 1: ]0;owned[31mbroken[0m"),
            "{err:?}"
        );
        assert!(!err.chars().any(char::is_control), "{err:?}");
    }
}
