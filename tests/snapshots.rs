//! Whole-output snapshots: the exit code, stdout and stderr of each binary's
//! main outcomes and errors, exactly as a person sees them (no terminal, so
//! no colour and no progress), with temp paths, ports, durations and digests
//! replaced by placeholders. Reviewed like code: `cargo insta review` after
//! a deliberate change; under CI a difference fails.

mod support;

use std::process::Command;

use support::index::PypiServer;
use support::{pbx, project_with_lock, uv_build, write_project, Run, TempDir};

/// `exit N`, then stdout and stderr.
fn transcript(run: &Run) -> String {
    format!(
        "exit {}\n--- stdout\n{}--- stderr\n{}",
        run.code, run.stdout, run.stderr
    )
}

/// Snapshots `run` with the filters every pbx output needs.
macro_rules! snapshot {
    ($name:expr, $run:expr, $dirs:expr) => {{
        let mut settings = insta::Settings::clone_current();
        settings.set_snapshot_path("snapshots");
        settings.set_prepend_module_to_snapshot(false);
        for dir in $dirs {
            let dir: &std::path::Path = dir;
            let canonical = std::fs::canonicalize(dir).unwrap_or(dir.to_path_buf());
            settings.add_filter(&regex_escape(&canonical.display().to_string()), "[TMP]");
            settings.add_filter(&regex_escape(&dir.display().to_string()), "[TMP]");
        }
        settings.add_filter(r"127\.0\.0\.1:\d+", "127.0.0.1:[PORT]");
        settings.add_filter(r"\b[0-9a-f]{64}\b", "[SHA256]");
        settings.add_filter(r"/packages/[^\s)]*", "/packages/[FILE]");
        settings.add_filter(r"\b\d+(\.\d+)? ?(ms|s)\b", "[DURATION]");
        settings.add_filter(
            r"pbx-(tag-check|checksum|upload|reinstall|next-version) \d+\.\d+\.\d+",
            "pbx-$1 [VERSION]",
        );
        settings.bind(|| insta::assert_snapshot!($name, transcript(&$run)));
    }};
}

fn regex_escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        if "\\.+*?()|[]{}^$#&-~".contains(c) {
            out.push('\\');
        }
        out.push(c);
    }
    out
}

fn in_dir(name: &str, dir: &TempDir) -> Command {
    let mut cmd = pbx(name);
    cmd.current_dir(dir.path())
        .env("HOME", dir.path())
        .env("PYPIRC", dir.join("no-pypirc"))
        .env("PBX_HTTP_TIMEOUT", "2")
        .env("PBX_HTTP_BACKOFF_MS", "50");
    cmd
}

#[test]
fn tag_check_outcomes() {
    let dir = project_with_lock("proxbox-api", "1.2.3", "1.2.3");
    let run = Run::of(in_dir("pbx-tag-check", &dir).args(["--tag", "v1.2.3"]));
    snapshot!("tag_check_pass", run, [dir.path()]);
    let run = Run::of(in_dir("pbx-tag-check", &dir).args(["--tag", "v1.2.4"]));
    snapshot!("tag_check_mismatch", run, [dir.path()]);
    let run = Run::of(in_dir("pbx-tag-check", &dir).args(["--tag", "vfoo"]));
    snapshot!("tag_check_not_a_release_tag", run, [dir.path()]);
    dir.write("pyproject.toml", "[project]\nname = \"x\"\nversion = 1.2\n");
    let run = Run::of(in_dir("pbx-tag-check", &dir).args(["--tag", "v1.2.3"]));
    snapshot!("tag_check_malformed_pyproject", run, [dir.path()]);
}

#[test]
fn next_version_outcomes() {
    let dir = TempDir::new();
    let run = Run::of(in_dir("pbx-next-version", &dir).args([
        "--lane",
        "post",
        "--from",
        "1.2.3",
        "--offline",
        "--no-git",
    ]));
    snapshot!("next_version_offline", run, [dir.path()]);
    let run = Run::of(in_dir("pbx-next-version", &dir).args([
        "--lane",
        "auto",
        "--target",
        "pypi",
        "--from",
        "2.0.0rc1",
        "--offline",
        "--no-git",
    ]));
    snapshot!("next_version_auto_rc", run, [dir.path()]);
    let run = Run::of(in_dir("pbx-next-version", &dir).args(["--lane", "post"]));
    snapshot!("next_version_no_project", run, [dir.path()]);
}

#[test]
fn checksum_outcomes() {
    let dir = TempDir::new();
    write_project(&dir, "snap-demo", "1.0.0");
    uv_build(dir.path());
    let run = Run::of(in_dir("pbx-checksum", &dir).args(["write", "dist"]));
    snapshot!("checksum_write", run, [dir.path()]);
    let run = Run::of(in_dir("pbx-checksum", &dir).args(["verify", "-f", "dist/SHA256SUMS"]));
    snapshot!("checksum_verify_ok", run, [dir.path()]);
    let run = Run::of(in_dir("pbx-checksum", &dir).args(["inspect", "dist"]));
    snapshot!("checksum_inspect_ok", run, [dir.path()]);
    std::fs::write(dir.join("dist/snap_demo-1.0.0.tar.gz"), b"not a tarball").unwrap();
    let run = Run::of(in_dir("pbx-checksum", &dir).args(["verify", "-f", "dist/SHA256SUMS"]));
    snapshot!("checksum_verify_changed", run, [dir.path()]);
    let run = Run::of(in_dir("pbx-checksum", &dir).args(["inspect", "dist"]));
    snapshot!("checksum_inspect_damaged", run, [dir.path()]);
    let run = Run::of(in_dir("pbx-checksum", &dir).args(["inspect", "missing.whl"]));
    snapshot!("checksum_missing_file", run, [dir.path()]);
}

#[test]
fn upload_outcomes() {
    let server = PypiServer::start();
    let dir = TempDir::new();
    write_project(&dir, "snap-upload", "1.0.0");
    uv_build(dir.path());
    let repo = server.url();
    let run = Run::of(in_dir("pbx-upload", &dir).args(["--repository", &repo, "--dry-run"]));
    snapshot!("upload_dry_run", run, [dir.path()]);
    let run = Run::of(in_dir("pbx-upload", &dir).args(["--repository", &repo]));
    snapshot!("upload_uploaded", run, [dir.path()]);
    let run = Run::of(in_dir("pbx-upload", &dir).args(["--repository", &repo]));
    snapshot!("upload_already_published", run, [dir.path()]);
    dir.write("src/snap_upload/more.py", "X = 1\n");
    uv_build(dir.path());
    let run = Run::of(in_dir("pbx-upload", &dir).args(["--repository", &repo]));
    snapshot!("upload_consumed", run, [dir.path()]);
    let run = Run::of(in_dir("pbx-upload", &dir).args(["--repository", &repo, "--skip-existing"]));
    snapshot!("upload_skip_existing_refused", run, [dir.path()]);
}

#[test]
fn reinstall_input_errors() {
    let dir = TempDir::new();
    let run = Run::of(in_dir("pbx-reinstall", &dir).args(["demo>=1.0"]));
    snapshot!("reinstall_not_an_exact_version", run, [dir.path()]);
    let run = Run::of(in_dir("pbx-reinstall", &dir).args(["--pythons", "3.12"]));
    snapshot!("reinstall_no_package", run, [dir.path()]);
}

/// `cmd` as a GitHub Actions step: `GITHUB_ACTIONS=true` with fresh
/// `$GITHUB_OUTPUT` and `$GITHUB_STEP_SUMMARY` files in `dir`.
fn under_actions<'a>(cmd: &'a mut Command, dir: &TempDir) -> &'a mut Command {
    let _ = std::fs::remove_file(dir.join("gh-output"));
    let _ = std::fs::remove_file(dir.join("gh-summary.md"));
    cmd.env("GITHUB_ACTIONS", "true")
        .env("GITHUB_OUTPUT", dir.join("gh-output"))
        .env("GITHUB_STEP_SUMMARY", dir.join("gh-summary.md"))
}

/// The run as in [`transcript`], then what it wrote to `$GITHUB_OUTPUT`
/// and `$GITHUB_STEP_SUMMARY`.
fn actions_run(cmd: &mut Command, dir: &TempDir) -> Run {
    let mut run = Run::of(under_actions(cmd, dir));
    let read = |name: &str| std::fs::read_to_string(dir.join(name)).unwrap_or_default();
    run.stderr = format!(
        "{}--- $GITHUB_OUTPUT\n{}--- $GITHUB_STEP_SUMMARY\n{}",
        run.stderr,
        read("gh-output"),
        read("gh-summary.md")
    );
    run
}

#[test]
fn actions_outputs_and_step_summaries() {
    let dir = project_with_lock("proxbox-api", "1.2.3", "1.2.3");
    let run = actions_run(
        in_dir("pbx-tag-check", &dir).args(["--tag", "v1.2.3"]),
        &dir,
    );
    snapshot!("actions_tag_check_pass", run, [dir.path()]);
    let run = actions_run(
        in_dir("pbx-tag-check", &dir).args(["--tag", "v1.2.4"]),
        &dir,
    );
    snapshot!("actions_tag_check_mismatch", run, [dir.path()]);
    let run = actions_run(
        in_dir("pbx-next-version", &dir).args(["--lane", "post", "--offline", "--no-git"]),
        &dir,
    );
    snapshot!("actions_next_version", run, [dir.path()]);

    let dir = TempDir::new();
    write_project(&dir, "snap-demo", "1.0.0");
    uv_build(dir.path());
    let run = actions_run(in_dir("pbx-checksum", &dir).args(["write", "dist"]), &dir);
    snapshot!("actions_checksum_write", run, [dir.path()]);
    let run = actions_run(
        in_dir("pbx-checksum", &dir).args(["verify", "-f", "dist/SHA256SUMS"]),
        &dir,
    );
    snapshot!("actions_checksum_verify", run, [dir.path()]);
    let run = actions_run(in_dir("pbx-checksum", &dir).args(["inspect", "dist"]), &dir);
    snapshot!("actions_checksum_inspect", run, [dir.path()]);
}

fn reinstall_reports() -> [std::path::PathBuf; 2] {
    let fixtures =
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/reinstall-reports");
    [
        fixtures.join("job-3.11.json"),
        fixtures.join("job-3.12.json"),
    ]
}

#[test]
fn reinstall_merged_report_in_every_format() {
    let dir = TempDir::new();
    let [a, b] = reinstall_reports();
    let merge = |format: &str| {
        let mut cmd = in_dir("pbx-reinstall", &dir);
        cmd.arg("merge").arg(&a).arg(&b).args(["--format", format]);
        cmd
    };
    let run = Run::of(&mut merge("text"));
    snapshot!("reinstall_merge_text", run, [dir.path()]);
    let run = Run::of(&mut merge("junit"));
    snapshot!("reinstall_merge_junit", run, [dir.path()]);
    let run = actions_run(&mut merge("text"), &dir);
    snapshot!("reinstall_merge_actions", run, [dir.path()]);
}
