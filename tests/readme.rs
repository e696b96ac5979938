//! The README's examples run as tests, so the README cannot drift from the
//! binaries. Every ```console block is a session in a fresh directory:
//! `$ COMMAND` lines run with `sh -c` (the built binaries first on PATH),
//! the lines after one are its exact stdout, and `? N` among them is its
//! exit code (0 when absent).

mod support;

use std::path::Path;
use std::process::Command;

use support::{bin, TempDir};

struct Step {
    line: usize,
    command: String,
    stdout: String,
    code: i32,
}

fn sessions(readme: &str) -> Vec<Vec<Step>> {
    let mut out = Vec::new();
    let mut current: Option<Vec<Step>> = None;
    for (number, line) in readme.lines().enumerate() {
        match (&mut current, line.trim_end()) {
            (None, "```console") => current = Some(Vec::new()),
            (Some(_), "```") => out.push(current.take().unwrap_or_default()),
            (Some(steps), text) => {
                if let Some(command) = text.strip_prefix("$ ") {
                    steps.push(Step {
                        line: number + 1,
                        command: command.to_string(),
                        stdout: String::new(),
                        code: 0,
                    });
                } else if let Some(step) = steps.last_mut() {
                    match text.strip_prefix("? ") {
                        Some(code) => step.code = code.parse().expect("`? N` is an exit code"),
                        None => {
                            step.stdout.push_str(text);
                            step.stdout.push('\n');
                        }
                    }
                }
            }
            (None, _) => {}
        }
    }
    out
}

#[test]
fn every_console_example_in_the_readme_runs_as_shown() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let readme = std::fs::read_to_string(root.join("README.md")).unwrap();
    let sessions = sessions(&readme);
    assert!(!sessions.is_empty(), "the README has console examples");
    let bin_dir = bin("pbx-tag-check").parent().unwrap().to_path_buf();
    let path = format!(
        "{}:{}",
        bin_dir.display(),
        std::env::var("PATH").unwrap_or_default()
    );
    let mut ran = 0;
    for session in sessions {
        let dir = TempDir::new();
        for step in session {
            let clean = support::pbx("pbx-tag-check");
            let mut cmd = Command::new("sh");
            for (key, value) in clean.get_envs() {
                match value {
                    Some(value) => cmd.env(key, value),
                    None => cmd.env_remove(key),
                };
            }
            let out = cmd
                .args(["-c", &step.command])
                .current_dir(dir.path())
                .env("PATH", &path)
                .env("HOME", dir.path())
                .output()
                .unwrap();
            let stdout = String::from_utf8_lossy(&out.stdout);
            assert_eq!(
                (out.status.code().unwrap_or(-1), stdout.as_ref()),
                (step.code, step.stdout.as_str()),
                "README.md:{}: `{}`\nstderr:\n{}",
                step.line,
                step.command,
                String::from_utf8_lossy(&out.stderr)
            );
            ran += 1;
        }
    }
    assert!(ran >= 5, "ran {ran} README commands");
}
