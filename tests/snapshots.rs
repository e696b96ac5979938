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
    ($name:expr, $run:expr, $dirs:expr) => {
        snapshot!($name, $run, $dirs, NO_FILTERS)
    };
    ($name:expr, $run:expr, $dirs:expr, $filters:expr) => {{
        let mut settings = insta::Settings::clone_current();
        settings.set_snapshot_path("snapshots");
        settings.set_prepend_module_to_snapshot(false);
        for dir in $dirs {
            let dir: &std::path::Path = dir;
            let canonical = std::fs::canonicalize(dir).unwrap_or(dir.to_path_buf());
            settings.add_filter(&regex_escape(&canonical.display().to_string()), "[TMP]");
            settings.add_filter(&regex_escape(&dir.display().to_string()), "[TMP]");
        }
        for (regex, replacement) in $filters {
            settings.add_filter(regex, replacement);
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
    // What a CI's JUnit reader sees: Python's XML parser reads it back to
    // the same suites, cases, failures and skips.
    let parse = r#"
import sys, xml.etree.ElementTree as ET
root = ET.fromstring(sys.stdin.buffer.read())
print(root.tag, root.get("tests"), root.get("failures"), root.get("skipped"))
for suite in root:
    cases = ["%s:%s" % (c.get("name"), ",".join(k.tag for k in c) or "ok") for c in suite]
    print(suite.get("name"), suite.get("failures"), suite.get("skipped"), " ".join(cases))
failure = root.find(".//failure")
print(repr(failure.get("message")), repr(failure.text.splitlines()[-1]))
"#;
    let mut python = std::process::Command::new("python3")
        .args(["-c", parse])
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .spawn()
        .expect("python3 runs");
    use std::io::Write as _;
    python
        .stdin
        .take()
        .unwrap()
        .write_all(run.stdout.as_bytes())
        .unwrap();
    let parsed = python.wait_with_output().unwrap();
    assert!(parsed.status.success(), "Python cannot parse the JUnit XML");
    assert_eq!(
        String::from_utf8_lossy(&parsed.stdout),
        "testsuites 9 1 2\n\
         python 3.11 (3.11.9) 0 0 venv:ok install:ok version:ok import demo:ok\n\
         python 3.12 (3.12.4) 1 1 venv:ok install:ok import demo:failure smoke: demo --help:skipped\n\
         python 3.13 0 1 interpreter:skipped\n\
         'ImportError: <no module> & \"quotes\"' \"ImportError: cannot import name 'x' <&>\"\n"
    );
    let run = actions_run(&mut merge("text"), &dir);
    snapshot!("reinstall_merge_actions", run, [dir.path()]);
}

/// No filter beyond the ones every output gets.
const NO_FILTERS: [(&str, &str); 0] = [];

/// Where this machine's interpreters are, how they were found (and what
/// was passed over), and their patch level.
const INTERPRETER_FILTERS: [(&str, &str); 4] = [
    (r"/[^\s,)`]*/python3\.1\d\b", "[PYTHON]"),
    (r"\(found via [^\n]*", "(found via [SOURCE])"),
    (r"\[PYTHON\], [\w-]+\)", "[PYTHON], [SOURCE])"),
    (r"\b3\.1(\d)\.\d+\b", "3.1$1.[PATCH]"),
];

/// A real reinstall on Python 3.12 from a local index, as a CI log shows
/// it (no terminal): every result once. Under GitHub Actions the rows fold
/// into a group as they finish and the table follows on stdout; elsewhere
/// one line says when the interpreter is done.
#[test]
fn reinstall_in_a_ci_log_says_each_result_once() {
    let pythons = support::interpreters(&["3.12"]);
    if pythons.is_empty() {
        return;
    }
    let server = PypiServer::start();
    let dir = TempDir::new();
    write_project(&dir, "snap-re", "1.0.0");
    dir.write(
        "src/snap_re/__init__.py",
        "__version__ = \"1.0.0\"\n\ndef main():\n    pass\n",
    );
    for file in support::artifacts_in(&uv_build(dir.path())) {
        server.add_file(&file);
    }
    let reinstall = || {
        let mut cmd = in_dir("pbx-reinstall", &dir);
        cmd.args(["snap-re==1.0.0", "--pythons", "3.12", "--jobs", "1"])
            .args([
                "--index",
                &server.url(),
                "--deps-index",
                &server.simple_url(),
            ])
            .args(["--dist", "dist", "--import", "snap_re"])
            .args(["--smoke", "python -c \"import snap_re; snap_re.main()\""])
            .env("PATH", path_with_uv());
        cmd
    };
    let run = Run::of(&mut reinstall());
    snapshot!("reinstall_ci_log", run, [dir.path()], INTERPRETER_FILTERS);
    let run = actions_run(&mut reinstall(), &dir);
    snapshot!(
        "reinstall_ci_log_actions",
        run,
        [dir.path()],
        INTERPRETER_FILTERS
    );
}

/// `PATH` with the test venv's bin (uv) first.
fn path_with_uv() -> std::ffi::OsString {
    let inherited = std::env::var_os("PATH").unwrap_or_default();
    let mut dirs: Vec<std::path::PathBuf> = std::env::split_paths(&inherited).collect();
    dirs.insert(0, support::test_venv().join("bin"));
    std::env::join_paths(dirs).unwrap()
}

/// The char column where `needle` starts in `line`.
fn column_of(line: &str, needle: &str) -> Option<usize> {
    line.find(needle).map(|at| line[..at].chars().count())
}

/// Every line holding one of `needles` has it at the same char column.
fn assert_one_column(text: &str, needles: &[&str]) {
    let columns: Vec<(usize, &str)> = text
        .lines()
        .filter_map(|line| {
            needles
                .iter()
                .find_map(|n| column_of(line, n))
                .map(|c| (c, line))
        })
        .collect();
    assert!(columns.len() >= 2, "too few lines to compare:\n{text}");
    assert!(
        columns.iter().all(|(c, _)| *c == columns[0].0),
        "not one column: {columns:#?}"
    );
}

/// A 90-character wheel filename, a non-ASCII one and a long check name:
/// the check lists, upload's file lines and reinstall's table keep their
/// columns (a name longer than the name column gets a line to itself, its
/// message goes below, in the column).
#[test]
fn long_names_stay_in_columns() {
    const NAME: &str = "release-checks-for-a-package-whose-name-is-long-enough-to-test-cols";
    let dir = TempDir::new();
    write_project(&dir, NAME, "1.0.0");
    uv_build(dir.path());
    let wheel = format!("{}-1.0.0-py3-none-any.whl", NAME.replace('-', "_"));
    assert_eq!(wheel.len(), 90);

    let run = Run::of(in_dir("pbx-checksum", &dir).args(["inspect", "dist"]));
    snapshot!("long_names_inspect", run, [dir.path()]);
    assert_one_column(
        &run.stderr,
        &["3 members match", "all 3 entries are", "all 2 inspected"],
    );
    assert!(run
        .stderr
        .contains(&format!("\n  {wheel}\n    ✓ dist-info ")));

    Run::of(in_dir("pbx-checksum", &dir).args(["write", "dist"])).code(0);
    let unlisted = dir.join("dist/dämo-1.0.0-py3-none-any.whl");
    std::fs::copy(dir.join(&format!("dist/{wheel}")), &unlisted).unwrap();
    let run = Run::of(in_dir("pbx-checksum", &dir).args(["verify", "-f", "dist/SHA256SUMS"]));
    snapshot!("long_names_verify", run, [dir.path()]);
    assert_one_column(&run.stderr, &["matches SHA256SUMS", "unlisted: "]);
    std::fs::remove_file(&unlisted).unwrap();
    std::fs::remove_file(dir.join("dist/SHA256SUMS")).unwrap();

    let server = PypiServer::start();
    let run =
        Run::of(in_dir("pbx-upload", &dir).args(["--repository", &server.url(), "--dry-run"]));
    snapshot!("long_names_upload", run, [dir.path()]);
    assert_one_column(&run.stderr, &["sha256 "]);

    let [a, b] = reinstall_reports();
    let long = dir.join("job-3.12.json");
    let check = r#"smoke: python -c \"import demo; demo.main()\""#;
    std::fs::write(
        &long,
        std::fs::read_to_string(&b)
            .unwrap()
            .replace("smoke: demo --help", check),
    )
    .unwrap();
    let run = Run::of(
        in_dir("pbx-reinstall", &dir)
            .arg("merge")
            .arg(&a)
            .arg(&long),
    );
    snapshot!("long_names_reinstall", run, [dir.path()]);
    let table: Vec<&str> = run.stdout.lines().take_while(|l| !l.is_empty()).collect();
    for heading in ["check", "result", "time", "detail"] {
        let column = column_of(table[0], heading).unwrap();
        for line in &table[1..] {
            let chars: Vec<char> = line.chars().collect();
            assert!(
                chars[column - 2] == ' ' && chars[column - 1] == ' ' && chars[column] != ' ',
                "`{heading}` is not one column:\n{}",
                table.join("\n")
            );
        }
    }
    assert!(run
        .stdout
        .contains("smoke: python -c \"import demo; demo.main()\"  not run"));
}
