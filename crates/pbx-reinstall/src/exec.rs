//! Running one step: a child process with captured output, its duration,
//! and cancellation (Ctrl-C kills the child instead of waiting for it).

use std::io::Read;
use std::process::{Command, Stdio};
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

/// How many lines of output a failed row keeps.
const TAIL_LINES: usize = 25;
/// How many bytes of output a failed row keeps at most.
const TAIL_BYTES: usize = 4000;
/// The most bytes of each of a step's two streams kept (their end).
const MAX_OUTPUT_BYTES: usize = 1 << 20;

/// Environment variables that would steer pip or uv elsewhere (another
/// index, extra indexes, constraints, a config file, another interpreter):
/// every `PIP_*`, and every `UV_*` except the harmless ones below, plus the
/// interpreter's own search-path variables.
const UV_KEEP: &[&str] = &[
    "UV_CACHE_DIR",
    "UV_NO_CACHE",
    "UV_NATIVE_TLS",
    "UV_HTTP_TIMEOUT",
    "UV_CONCURRENT_DOWNLOADS",
    "UV_CONCURRENT_INSTALLS",
    "UV_CONCURRENT_BUILDS",
    "UV_LINK_MODE",
    "UV_NO_PROGRESS",
    "UV_COLOR",
    "UV_PYTHON_INSTALL_DIR",
];
const PYTHON_VARS: &[&str] = &[
    "PYTHONPATH",
    "PYTHONHOME",
    "PYTHONSTARTUP",
    "PYTHONUSERBASE",
    "VIRTUAL_ENV",
    "CONDA_PREFIX",
    "__PYVENV_LAUNCHER__",
];

/// Removes what could redirect an install from `cmd`'s inherited
/// environment, and points pip at no config file.
pub(crate) fn sanitize(cmd: &mut Command) {
    for (key, _) in std::env::vars_os() {
        let Some(key) = key.to_str() else { continue };
        let strip = key.starts_with("PIP_")
            || (key.starts_with("UV_") && !UV_KEEP.contains(&key))
            || PYTHON_VARS.contains(&key);
        if strip {
            cmd.env_remove(key);
        }
    }
    cmd.env(
        "PIP_CONFIG_FILE",
        if cfg!(windows) { "nul" } else { "/dev/null" },
    )
    .env("PIP_DISABLE_PIP_VERSION_CHECK", "1")
    .env("PIP_NO_INPUT", "1")
    .env("PIP_NO_COLOR", "1")
    .env("UV_NO_PROGRESS", "1")
    .env("NO_COLOR", "1");
}

/// What one step did.
#[derive(Debug)]
pub(crate) struct Outcome {
    /// Exit status 0.
    pub ok: bool,
    /// The exit code (`None`: killed by a signal, or never started).
    pub code: Option<i32>,
    /// stdout then stderr.
    pub output: String,
    /// stdout alone.
    pub stdout: String,
    /// Wall time.
    pub duration: Duration,
    /// Ctrl-C stopped it.
    pub cancelled: bool,
}

impl Outcome {
    /// The last lines of the output, bounded.
    pub fn tail(&self) -> String {
        tail(&self.output)
    }

    /// `exit status 1`, or why it did not run.
    pub fn status_text(&self) -> String {
        match self.code {
            _ if self.cancelled => "interrupted".to_string(),
            Some(code) => format!("exit status {code}"),
            None => "killed by a signal".to_string(),
        }
    }
}

/// The last [`TAIL_LINES`] non-empty lines of `text`, at most
/// [`TAIL_BYTES`].
pub(crate) fn tail(text: &str) -> String {
    let lines: Vec<&str> = text.lines().filter(|l| !l.trim().is_empty()).collect();
    let mut out = lines[lines.len().saturating_sub(TAIL_LINES)..].join("\n");
    if out.len() > TAIL_BYTES {
        let mut cut = out.len() - TAIL_BYTES;
        while !out.is_char_boundary(cut) {
            cut += 1;
        }
        out = format!("…{}", &out[cut..]);
    }
    out
}

/// Runs `cmd` to completion (or until `cancel` is set, when the child is
/// killed), capturing its output.
pub(crate) fn run(cmd: &mut Command, cancel: &AtomicBool) -> Outcome {
    let started = Instant::now();
    let program = cmd.get_program().to_string_lossy().into_owned();
    // Each step leads its own process group, so that cancelling also stops
    // what it started (a smoke command's children).
    #[cfg(unix)]
    std::os::unix::process::CommandExt::process_group(cmd, 0);
    let spawned = cmd
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn();
    let mut child = match spawned {
        Ok(child) => child,
        Err(err) => {
            return Outcome {
                ok: false,
                code: None,
                output: format!("cannot run {program}: {err}"),
                stdout: String::new(),
                duration: started.elapsed(),
                cancelled: false,
            }
        }
    };
    // Each reader says when its pipe is closed: the step is over (or has
    // closed its output), and its exit is then waited for without the
    // latency of polling for it.
    let (closed, pipes_closed) = std::sync::mpsc::channel::<()>();
    let readers = [
        child
            .stdout
            .take()
            .map(|pipe| read_all(pipe, closed.clone())),
        child
            .stderr
            .take()
            .map(|pipe| read_all(pipe, closed.clone())),
    ];
    drop(closed);
    let mut open = readers.iter().flatten().count();
    while open > 0 && !cancel.load(Ordering::SeqCst) {
        match pipes_closed.recv_timeout(Duration::from_millis(20)) {
            Ok(()) => open -= 1,
            Err(std::sync::mpsc::RecvTimeoutError::Timeout) => {}
            Err(std::sync::mpsc::RecvTimeoutError::Disconnected) => break,
        }
    }
    let mut cancelled = false;
    let mut sleep = Duration::from_millis(1);
    let status = loop {
        match child.try_wait() {
            Ok(Some(status)) => break Some(status),
            Ok(None) if cancel.load(Ordering::SeqCst) => {
                kill_group(child.id());
                let _ = child.kill();
                cancelled = true;
                break child.wait().ok();
            }
            Ok(None) => {
                std::thread::sleep(sleep);
                sleep = (sleep * 2).min(Duration::from_millis(20));
            }
            Err(_) => break None,
        }
    };
    let mut output = String::new();
    let mut stdout = String::new();
    // A cancelled step's pipes may stay open in a straggler: do not wait
    // for them.
    let readers = if cancelled { [None, None] } else { readers };
    for (i, reader) in readers.into_iter().enumerate() {
        let (bytes, dropped) = reader
            .map(|r| r.join().unwrap_or_default())
            .unwrap_or_default();
        let text = String::from_utf8_lossy(&bytes);
        if i == 0 {
            stdout = text.to_string();
        }
        // What a person is shown: the step's lines without its escape
        // sequences and control characters (a package's code or a smoke
        // command could otherwise clear the screen, retitle the terminal or
        // write to its clipboard).
        let text = pbx_index::text::outside_lines(&text);
        if !text.trim().is_empty() {
            if !output.is_empty() && !output.ends_with('\n') {
                output.push('\n');
            }
            if dropped {
                output.push_str("… (earlier output dropped)\n");
            }
            output.push_str(&text);
        }
    }
    Outcome {
        ok: status.is_some_and(|s| s.success()) && !cancelled,
        code: status.and_then(|s| s.code()),
        output,
        stdout,
        duration: started.elapsed(),
        cancelled,
    }
}

/// Reads `pipe` to its end on a thread, keeping its last
/// [`MAX_OUTPUT_BYTES`] (a step that writes without end cannot fill the
/// memory), then says so on `closed`. `true` with the bytes when the
/// beginning was dropped.
fn read_all<R: Read + Send + 'static>(
    mut pipe: R,
    closed: std::sync::mpsc::Sender<()>,
) -> std::thread::JoinHandle<(Vec<u8>, bool)> {
    std::thread::spawn(move || {
        let mut buf = Vec::new();
        let mut chunk = vec![0u8; 64 * 1024];
        let mut dropped = false;
        loop {
            match pipe.read(&mut chunk) {
                Ok(0) => break,
                Ok(n) => {
                    buf.extend_from_slice(&chunk[..n]);
                    if buf.len() >= 2 * MAX_OUTPUT_BYTES {
                        buf.drain(..buf.len() - MAX_OUTPUT_BYTES);
                        dropped = true;
                    }
                }
                Err(err) if err.kind() == std::io::ErrorKind::Interrupted => {}
                Err(_) => break,
            }
        }
        if buf.len() > MAX_OUTPUT_BYTES {
            buf.drain(..buf.len() - MAX_OUTPUT_BYTES);
            dropped = true;
        }
        let _ = closed.send(());
        (buf, dropped)
    })
}

/// Kills the process group `pid` leads (the step and everything it
/// started).
fn kill_group(pid: u32) {
    #[cfg(unix)]
    {
        let _ = Command::new("kill")
            .args(["-KILL", "--", &format!("-{pid}")])
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .status();
    }
    #[cfg(not(unix))]
    let _ = pid;
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_tail_keeps_the_last_lines() {
        let text: String = (1..=40).map(|i| format!("line {i}\n\n")).collect();
        let t = tail(&text);
        assert!(t.starts_with("line 16\nline 17"), "{t}");
        assert!(t.ends_with("line 40"));
    }

    #[cfg(unix)]
    #[test]
    fn cancelling_kills_the_child() {
        let cancel = AtomicBool::new(false);
        std::thread::scope(|s| {
            s.spawn(|| {
                std::thread::sleep(Duration::from_millis(100));
                cancel.store(true, Ordering::SeqCst);
            });
            let outcome = run(Command::new("sleep").arg("30"), &cancel);
            assert!(outcome.cancelled && !outcome.ok);
            assert!(outcome.duration < Duration::from_secs(10));
        });
    }

    #[cfg(unix)]
    #[test]
    fn output_and_exit_code_are_captured() {
        let cancel = AtomicBool::new(false);
        let outcome = run(
            Command::new("sh").args(["-c", "echo out; echo err >&2; exit 3"]),
            &cancel,
        );
        assert_eq!(outcome.code, Some(3));
        assert_eq!(outcome.output, "out\nerr\n");
    }

    #[cfg(unix)]
    #[test]
    fn the_output_shown_has_no_escape_sequences_and_a_flood_is_cut_to_its_end() {
        let cancel = AtomicBool::new(false);
        let outcome = run(
            Command::new("sh").args([
                "-c",
                r"printf '\033]52;c;cHduZWQ=\007\033[2J\033[31mboom\033[0m\r\n'; exit 1",
            ]),
            &cancel,
        );
        assert_eq!(outcome.output, "boom\n");
        assert_eq!(outcome.tail(), "boom");
        // Three MiB of output: the last MiB is kept, and says so.
        let outcome = run(
            Command::new("sh").args([
                "-c",
                r"head -c 3145728 /dev/zero | tr '\0' x; echo; echo the end",
            ]),
            &cancel,
        );
        assert!(outcome.ok);
        assert!(
            outcome.output.starts_with("… (earlier output dropped)\n"),
            "{}",
            &outcome.output[..80]
        );
        assert!(outcome.output.ends_with("x\nthe end\n"));
        assert!(outcome.output.len() < MAX_OUTPUT_BYTES + 100);
    }
}
