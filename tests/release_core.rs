//! One release core: every binary gives the same answer. Each test pins one
//! way the binaries used to disagree, through the real binaries, real
//! pypiserver instances, real wheels and a real git repository.

mod support;

use std::io::{Read, Write};
use std::path::{Path, PathBuf};
use std::process::Command;

use support::index::{free_port, sha256_hex, HttpStub, PypiServer, Response};
use support::{git, pbx, uv_build, write_project, Run, TempDir};

/// A project built by the real `uv build`, with its `dist/`.
fn built(name: &str, version: &str) -> TempDir {
    let dir = TempDir::new();
    write_project(&dir, name, version);
    uv_build(dir.path());
    dir
}

fn wheel_of(dir: &TempDir) -> PathBuf {
    support::artifacts_in(&dir.join("dist"))
        .into_iter()
        .find(|p| p.extension().is_some_and(|e| e == "whl"))
        .expect("a wheel")
}

/// pbx-upload in `dir`, with no ~/.pypirc and short timeouts.
fn upload(dir: &TempDir) -> Command {
    let mut cmd = pbx("pbx-upload");
    cmd.current_dir(dir.path())
        .env("HOME", dir.path())
        .env("PYPIRC", dir.join("no-pypirc"))
        .env("PBX_HTTP_TIMEOUT", "2")
        .env("PBX_HTTP_BACKOFF_MS", "50")
        .env("PBX_UPLOAD_WAIT", "10");
    cmd
}

fn repo_with_tags(dir: &Path, tags: &[&str]) {
    git(dir, &["init", "-q", "-b", "main"]);
    git(dir, &["add", "-A"]);
    git(dir, &["commit", "-q", "-m", "release"]);
    for tag in tags {
        git(dir, &["tag", tag]);
    }
}

/// Rewrites the zip at `path`, letting `edit` change each member's name
/// and bytes (or drop it with `None`).
fn rewrite_wheel(path: &Path, edit: impl Fn(&str, Vec<u8>) -> Option<(String, Vec<u8>)>) {
    let mut archive = zip::ZipArchive::new(std::fs::File::open(path).unwrap()).unwrap();
    let mut members = Vec::new();
    for i in 0..archive.len() {
        let mut file = archive.by_index(i).unwrap();
        let mut bytes = Vec::new();
        file.read_to_end(&mut bytes).unwrap();
        members.push((file.name().unwrap().to_string(), bytes));
    }
    let mut out = zip::ZipWriter::new(std::fs::File::create(path).unwrap());
    for (name, bytes) in members {
        if let Some((name, bytes)) = edit(&name, bytes) {
            out.start_file(name, zip::write::SimpleFileOptions::default())
                .unwrap();
            out.write_all(&bytes).unwrap();
        }
    }
    out.finish().unwrap();
}

/// Point 1: the version pbx-upload names after refusing a consumed one
/// comes from the same rule as pbx-next-version, over the same sources:
/// the upload index, the other lane's index and the git tags.
#[test]
fn upload_names_the_same_next_version_as_next_version_from_every_index_and_tag() {
    let upload_index = PypiServer::start();
    let other_index = PypiServer::start();
    let project = built("demo-core", "1.0.0");
    // 1.0.0 is on the upload index; .post1 and .post2 on the other lane's;
    // v1.0.0.post3 is a git tag (tagged, never uploaded).
    run_ok(upload(&project).args(["--repository", &upload_index.url()]));
    for file in [
        "demo_core-1.0.0.post1-py3-none-any.whl",
        "demo_core-1.0.0.post2.tar.gz",
    ] {
        other_index.add_bytes(file, b"placeholder");
    }
    repo_with_tags(project.path(), &["v1.0.0", "v1.0.0.post3"]);

    let again = Run::of(upload(&project).args([
        "--repository",
        &upload_index.url(),
        "--fix-index",
        &other_index.simple_url(),
        "--format",
        "json",
    ]));
    again.code(1);
    let report = again.json();
    assert_eq!(report["outcome"], "already_published");
    assert_eq!(report["next_version"], "1.0.0.post4", "{report:#}");
    let from = report["next_version_from"].to_string();
    assert!(from.contains(&upload_index.simple_url()), "{from}");
    assert!(from.contains(&other_index.simple_url()), "{from}");
    assert!(from.contains("git tags"), "{from}");

    // pbx-next-version, asked the same question, gives the same answer.
    let next = Run::of(
        pbx("pbx-next-version")
            .args(["--lane", "auto", "--target", "testpypi"])
            .args(["--index", &upload_index.simple_url()])
            .args(["--index", &other_index.simple_url()])
            .arg("--project")
            .arg(project.path()),
    );
    next.code(0).stdout_is("1.0.0.post4\n");

    // An index that cannot be read is said, never silently left out.
    let closed = format!("http://127.0.0.1:{}/simple/", free_port());
    let unread = Run::of(upload(&project).args([
        "--repository",
        &upload_index.url(),
        "--fix-index",
        &closed,
    ]));
    unread
        .code(1)
        .stderr_has(&format!("warning: could not read {closed}"))
        .stderr_has("could collide with a version there");
}

fn run_ok(cmd: &mut Command) {
    Run::of(cmd).code(0);
}

/// Point 2: whatever `pbx-checksum inspect` refuses, pbx-upload refuses
/// before any request, so nothing is uploaded and no version consumed.
#[test]
fn upload_refuses_every_wheel_that_inspect_refuses_before_any_request() {
    let server = PypiServer::start();
    type Damage = fn(&str, Vec<u8>) -> Option<(String, Vec<u8>)>;
    let cases: [(&str, Damage); 3] = [
        ("a member whose bytes differ from RECORD", |name, bytes| {
            if name.ends_with("__init__.py") {
                Some((
                    name.to_string(),
                    b"import os  # not what was built\n".to_vec(),
                ))
            } else {
                Some((name.to_string(), bytes))
            }
        }),
        ("no RECORD", |name, bytes| {
            (!name.ends_with(".dist-info/RECORD")).then(|| (name.to_string(), bytes))
        }),
        ("a RECORD naming a path outside the wheel", |name, bytes| {
            if name.ends_with(".dist-info/RECORD") {
                let mut text = String::from_utf8(bytes).unwrap();
                text.push_str("../../evil.pth,sha256=AAAA,4\n");
                Some((name.to_string(), text.into_bytes()))
            } else {
                Some((name.to_string(), bytes))
            }
        }),
    ];
    for (what, damage) in cases {
        let project = built("demo-damaged", "1.0.0");
        let wheel = wheel_of(&project);
        rewrite_wheel(&wheel, damage);
        let inspect = Run::of(
            pbx("pbx-checksum")
                .current_dir(project.path())
                .args(["inspect", "dist"]),
        );
        assert_ne!(inspect.code, 0, "{what}: inspect accepted it");
        let up = Run::of(upload(&project).args(["--repository", &server.url()]));
        assert_eq!(
            up.code, 2,
            "{what}: pbx-upload exit {}\n{}",
            up.code, up.stderr
        );
        assert!(
            up.stderr.contains("demo_damaged-1.0.0"),
            "{what}: the refusal names the file:\n{}",
            up.stderr
        );
        assert!(
            server.stored().is_empty(),
            "{what}: something reached the index"
        );
    }
}

/// Point 3: a version is consumed by a file of any type an index has held.
#[test]
fn a_version_held_only_in_legacy_formats_is_consumed_for_upload_compare_and_next_version() {
    for legacy in [
        "demo_legacy-1.0.0.tar.bz2",
        "demo_legacy-1.0.0.tgz",
        "demo_legacy-1.0.0-py3.11.egg",
    ] {
        let server = PypiServer::start();
        server.add_bytes(legacy, b"an old release file");
        let project = built("demo-legacy", "1.0.0");

        let up = Run::of(upload(&project).args([
            "--repository",
            &server.url(),
            "--no-git",
            "--format",
            "json",
        ]));
        up.code(1);
        let report = up.json();
        assert_eq!(report["outcome"], "consumed", "{legacy}: {report:#}");
        assert_eq!(report["next_version"], "1.0.0.post1", "{legacy}");
        assert_eq!(
            server.stored().keys().collect::<Vec<_>>(),
            [legacy],
            "{legacy}: nothing was uploaded"
        );

        let compare = Run::of(
            pbx("pbx-checksum")
                .current_dir(project.path())
                .args(["compare", "--index", &server.simple_url(), "dist"])
                .args(["--format", "json"]),
        );
        compare.code(1);
        let files = compare.json()["files"].to_string();
        assert!(
            files.contains(legacy) && files.contains("only_on_index"),
            "{legacy}: {files}"
        );

        let next = Run::of(
            pbx("pbx-next-version")
                .args(["--lane", "post", "--no-git", "--from", "1.0.0"])
                .args(["--package", "demo-legacy", "--index", &server.simple_url()]),
        );
        next.code(0).stdout_is("1.0.0.post1\n");
    }

    // pypiserver does not list installers; the public index does (old
    // releases have `.exe` and `.msi` files): its page shape, served here.
    let installers = HttpStub::start(|request| {
        if request.path.starts_with("/simple/demo-legacy/") {
            Response::new(
                200,
                "text/html",
                "<html><body><a href=\"/files/demo_legacy-1.0.0.win32.exe#sha256=00\">demo_legacy-1.0.0.win32.exe</a>\n<a href=\"/files/demo_legacy-1.0.0.win-amd64-py3.8.msi#sha256=01\">demo_legacy-1.0.0.win-amd64-py3.8.msi</a></body></html>",
            )
        } else {
            Response::new(404, "text/plain", "not found")
        }
    });
    let project = built("demo-legacy", "1.0.0");
    let up = Run::of(upload(&project).args([
        "--repository",
        &installers.url(),
        "--index-url",
        &format!("{}simple/", installers.url()),
        "--no-git",
        "--format",
        "json",
    ]));
    up.code(1);
    assert_eq!(up.json()["outcome"], "consumed");
    assert!(
        installers.requests().iter().all(|r| r.method == "GET"),
        "nothing was uploaded"
    );
}

/// Point 4: one rule for "is this listed file our bytes": a listing without
/// a digest is downloaded and hashed, by compare, upload and reinstall alike.
#[test]
fn a_listed_file_without_a_digest_is_hashed_by_every_command() {
    let project = built("demo-nodigest", "1.0.0");
    let wheel = wheel_of(&project);
    let filename = wheel.file_name().unwrap().to_string_lossy().into_owned();
    let page = format!("<html><body><a href=\"/files/{filename}\">{filename}</a></body></html>");
    // The index lists our filename, states no digest, and serves other bytes.
    let stub = HttpStub::start(move |request| {
        if request.path.starts_with("/simple/") {
            Response::new(200, "text/html", page.clone())
        } else if request.path.starts_with("/files/") {
            Response::new(200, "application/octet-stream", b"other bytes".to_vec())
        } else {
            Response::new(404, "text/plain", "not found")
        }
    });
    let simple = format!("{}simple/", stub.url());

    let compare = Run::of(
        pbx("pbx-checksum")
            .current_dir(project.path())
            .arg("compare")
            .args(["--index", &simple, "--format", "json"])
            .arg(&wheel),
    );
    compare.code(1);
    let json = compare.json();
    assert_eq!(json["files"][0]["status"], "differs");
    assert_eq!(json["files"][0]["index_sha256"], sha256_hex(b"other bytes"));

    // pbx-reinstall --dist waits for our bytes: the listing without a
    // digest is hashed, found to differ, and the run stops before any
    // install (it used to accept the listing unverified).
    let reinstall = Run::of(
        pbx("pbx-reinstall")
            .current_dir(project.path())
            .arg("demo-nodigest==1.0.0")
            .args(["--index", &simple, "--deps-index", &simple])
            .arg("--dist")
            .arg(project.join("dist"))
            .args(["--python"])
            .arg(support::venv_tool("python"))
            .args(["--pythons", &python_minor()]),
    );
    reinstall
        .code(1)
        .stderr_has("the bytes on the index are not the bytes that were built")
        .stderr_has(&sha256_hex(b"other bytes"));
}

/// The X.Y of the test venv's interpreter.
fn python_minor() -> String {
    let out = Command::new(support::venv_tool("python"))
        .args([
            "-c",
            "import sys; print(f'{sys.version_info[0]}.{sys.version_info[1]}')",
        ])
        .output()
        .expect("the test venv's python runs");
    String::from_utf8(out.stdout).unwrap().trim().to_string()
}

/// Point 5: the fix lane is decided in one place (`--lane auto`), which the
/// pipeline script and the workflow call instead of deciding themselves.
#[test]
fn the_fix_lane_is_decided_by_next_version_auto_and_nowhere_else() {
    let dir = TempDir::new();
    dir.write(
        "pyproject.toml",
        "[project]\nname = \"demo-lane\"\nversion = \"2.0.0rc1\"\n",
    );
    let auto = |target: Option<&str>| {
        let mut cmd = pbx("pbx-next-version");
        cmd.args(["--lane", "auto", "--offline", "--no-git"])
            .arg("--project")
            .arg(dir.path());
        if let Some(target) = target {
            cmd.args(["--target", target]);
        }
        Run::of(&mut cmd)
    };
    auto(Some("pypi")).code(0).stdout_is("2.0.0rc2\n");
    auto(Some("testpypi")).code(0).stdout_is("2.0.0.post1\n");
    // No target: the default routing sends a pre-release to pypi.
    auto(None).code(0).stdout_is("2.0.0rc2\n");
    // A project that routes pre-releases to the test index fixes them
    // forward as post-releases.
    dir.write(
        "pyproject.toml",
        "[project]\nname = \"demo-lane\"\nversion = \"2.0.0rc1\"\n\n[tool.pbx.lanes]\npre = \"testpypi\"\n",
    );
    auto(None).code(0).stdout_is("2.0.0.post1\n");

    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    for file in ["scripts/release-pipeline", ".github/workflows/release.yml"] {
        let text = std::fs::read_to_string(root.join(file)).unwrap();
        assert!(text.contains("--lane auto"), "{file} asks --lane auto");
        for decided in ["lane=rc", "fix_lane=rc", "lane=post"] {
            assert!(
                !text.contains(decided),
                "{file} decides the lane itself: {decided}"
            );
        }
    }
}

/// Point 5 too: one rule for which files in a directory are the release's
/// artifacts, whichever command reads it.
#[test]
fn every_command_finds_the_same_artifacts_in_a_directory() {
    let server = PypiServer::start();
    let project = built("demo-find", "1.0.0");
    let dist = project.join("dist");
    // Noise a user's dist/ holds: hidden files, notes, a sub-directory.
    std::fs::write(dist.join(".demo_find-0.9.0.tar.gz"), b"hidden").unwrap();
    std::fs::write(dist.join("notes.txt"), b"notes").unwrap();
    std::fs::create_dir(dist.join("old")).unwrap();
    std::fs::write(dist.join("old/demo_find-0.1.0.tar.gz"), b"old").unwrap();

    let write = Run::of(
        pbx("pbx-checksum")
            .current_dir(project.path())
            .args(["write", "dist", "-o", "-"]),
    );
    write.code(0);
    let listed: Vec<&str> = write
        .stdout
        .lines()
        .map(|l| {
            l.split_whitespace()
                .nth(1)
                .unwrap()
                .trim_start_matches("dist/")
        })
        .collect();
    assert_eq!(
        listed,
        ["demo_find-1.0.0-py3-none-any.whl", "demo_find-1.0.0.tar.gz"]
    );
    Run::of(
        pbx("pbx-checksum")
            .current_dir(project.path())
            .args(["inspect", "dist"]),
    )
    .code(0);
    let dry = Run::of(upload(&project).args([
        "--repository",
        &server.url(),
        "--dist",
        "dist",
        "--dry-run",
        "--format",
        "json",
    ]));
    dry.code(0);
    let mut files: Vec<String> = dry.json()["files"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["filename"].as_str().unwrap().to_string())
        .collect();
    // Uploads go in one canonical order: the sdist first.
    assert_eq!(files[0], "demo_find-1.0.0.tar.gz");
    files.sort();
    assert_eq!(files, listed);

    // A broken symlink named like an artifact is an error, never skipped.
    #[cfg(unix)]
    {
        std::os::unix::fs::symlink(dist.join("gone"), dist.join("demo_find-1.0.0.zip")).unwrap();
        Run::of(
            pbx("pbx-checksum")
                .current_dir(project.path())
                .args(["write", "dist", "-o", "-"]),
        )
        .code(2)
        .stderr_has("demo_find-1.0.0.zip");
        Run::of(upload(&project).args(["--repository", &server.url(), "--dry-run"]))
            .code(2)
            .stderr_has("demo_find-1.0.0.zip");
    }
}

/// Point 6: flag > environment > `[tool.pbx]` > default, for booleans too.
#[test]
fn boolean_settings_follow_flag_then_environment_then_tool_pbx() {
    let dir = TempDir::new();
    dir.write(
        "pyproject.toml",
        "[project]\nname = \"demo-bool\"\nversion = \"1.0.0\"\n\n[tool.pbx]\nrequire-lock = true\n",
    );
    let check = |env: Option<&str>, flag: Option<&str>| {
        let mut cmd = pbx("pbx-tag-check");
        cmd.args(["--tag", "v1.0.0"])
            .arg("--project")
            .arg(dir.path());
        if let Some(value) = env {
            cmd.env("PBX_REQUIRE_LOCK", value);
        }
        if let Some(flag) = flag {
            cmd.arg(flag);
        }
        Run::of(&mut cmd)
    };
    // [tool.pbx] require-lock = true and no uv.lock: a failure.
    check(None, None).code(1).stderr_has("uv.lock is missing");
    // The environment overrides the project, in every spelling.
    for value in ["false", "0", "no", "OFF"] {
        check(Some(value), None).code(0);
    }
    // The flag overrides the environment.
    check(Some("true"), Some("--no-require-lock")).code(0);
    check(Some("false"), Some("--require-lock")).code(1);
    // A bad value names the variable, not a flag nobody typed.
    let bad = check(Some("maybe"), None);
    bad.code(2)
        .stderr_has("PBX_REQUIRE_LOCK=\"maybe\" is not a boolean");
    assert!(!bad.stderr.contains("--require-lock"), "{}", bad.stderr);

    // Without the project setting, PBX_REQUIRE_LOCK=1 turns it on.
    dir.write(
        "pyproject.toml",
        "[project]\nname = \"demo-bool\"\nversion = \"1.0.0\"\n",
    );
    check(None, None).code(0);
    check(Some("1"), None)
        .code(1)
        .stderr_has("uv.lock is missing");
}

/// Point 7: the repository is complete on its own: the release rules are
/// in docs/design.md, and nothing cites a document outside the repository.
#[test]
fn the_repository_cites_only_its_own_design_document() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let design = std::fs::read_to_string(root.join("docs/design.md")).unwrap();
    for rule in [
        "One version, three places",
        "Lanes",
        "consumed the moment any file",
        "Fix forward",
        "Installable or not released",
    ] {
        assert!(design.contains(rule), "docs/design.md states `{rule}`");
    }
    let mut offenders = Vec::new();
    let mut stack: Vec<PathBuf> = [
        "README.md",
        "Cargo.toml",
        "action.yml",
        "bin",
        "crates",
        "scripts",
        "docs",
        "examples",
        ".github",
        "tests",
    ]
    .iter()
    .map(|p| root.join(p))
    .collect();
    while let Some(path) = stack.pop() {
        if path.is_dir() {
            for entry in std::fs::read_dir(&path).unwrap() {
                let entry = entry.unwrap().path();
                let name = entry.file_name().unwrap().to_string_lossy().into_owned();
                if name != "target" && name != ".venv" && name != "data" {
                    stack.push(entry);
                }
            }
            continue;
        }
        let Ok(text) = std::fs::read_to_string(&path) else {
            continue;
        };
        // Spelled in pieces so this file does not hold what it looks for.
        let outside = ["..", "/shared"].concat();
        let design = ["DESIGN", ".md"].concat();
        let rule = ["DESIGN", " rule"].concat();
        for needle in [outside.as_str(), design.as_str(), rule.as_str()] {
            if text.contains(needle) {
                offenders.push(format!("{}: {needle}", path.display()));
            }
        }
    }
    assert!(offenders.is_empty(), "{offenders:#?}");
}

/// Point 5 too: the exit status is chosen in one layer. The libraries
/// return closed errors and typed results; only `crates/pbx-app` (and the
/// conventions crate that defines the statuses) turns them into 0/1/2/3.
#[test]
fn no_library_chooses_an_exit_code() {
    let crates = Path::new(env!("CARGO_MANIFEST_DIR")).join("crates");
    let mut offenders = Vec::new();
    for entry in std::fs::read_dir(&crates).unwrap() {
        let dir = entry.unwrap().path();
        let name = dir.file_name().unwrap().to_string_lossy().into_owned();
        if name == "pbx-app" || name == "pbx-report" {
            continue;
        }
        let mut stack = vec![dir.join("src")];
        while let Some(path) = stack.pop() {
            if path.is_dir() {
                for entry in std::fs::read_dir(&path).unwrap() {
                    stack.push(entry.unwrap().path());
                }
                continue;
            }
            let text = std::fs::read_to_string(&path).unwrap_or_default();
            for needle in ["Problem", "ExitStatus"] {
                if text.contains(needle) {
                    offenders.push(format!("{}: {needle}", path.display()));
                }
            }
        }
    }
    assert!(offenders.is_empty(), "{offenders:#?}");
}

/// Values that used to overflow into a panic (exit 101) are refused where
/// they are parsed: exit 2 naming the value and the range.
#[test]
fn huge_durations_and_timeouts_are_input_errors_not_panics() {
    for value in ["1e19", "1e300", "25h"] {
        let run = Run::of(pbx("pbx-upload").args(["--wait", value, "--dry-run"]));
        assert_eq!(run.code, 2, "--wait {value}: {}", run.stderr);
        let run = Run::of(pbx("pbx-reinstall").args(["demo==1.0", "--wait", value]));
        assert_eq!(run.code, 2, "--wait {value}: {}", run.stderr);
    }
    for value in ["1e19", "1e300", "0", "-5"] {
        let run = Run::of(
            pbx("pbx-next-version")
                .args([
                    "--lane",
                    "post",
                    "--from",
                    "1.0",
                    "--package",
                    "x",
                    "--no-git",
                ])
                .env("PBX_HTTP_TIMEOUT", value),
        );
        assert_eq!(run.code, 2, "PBX_HTTP_TIMEOUT={value}: {}", run.stderr);
        assert!(run.stderr.contains("from 0.1 to 3600"), "{}", run.stderr);
    }
}
