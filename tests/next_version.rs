//! pbx-next-version through the real binary: a real pypiserver holding
//! chosen versions, real git repositories with tags, a stub index only for
//! the yanked-file shapes pypiserver cannot produce, and `--write` compared
//! byte for byte with expected files, then checked by the real
//! pbx-tag-check and the real `uv lock --check`.

mod support;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Command;

use support::index::{free_port, Fault, FaultProxy, HttpStub, PypiServer, Response};
use support::{git, pbx, venv_tool, Run, TempDir};

fn next_version() -> Command {
    let mut cmd = pbx("pbx-next-version");
    // A closed port fails fast: one retry, short backoff.
    cmd.env("PBX_HTTP_RETRIES", "1")
        .env("PBX_HTTP_BACKOFF_MS", "20")
        .env("PBX_HTTP_TIMEOUT", "10");
    cmd
}

/// A git repository in `dir` with one commit and these tags (annotated
/// when the name ends with `!`, which is dropped).
fn repo_with_tags(dir: &Path, tags: &[&str]) {
    git(dir, &["init", "-q", "-b", "main"]);
    git(dir, &["add", "-A"]);
    git(dir, &["commit", "-q", "--allow-empty", "-m", "release"]);
    for tag in tags {
        match tag.strip_suffix('!') {
            Some(name) => git(dir, &["tag", "-a", name, "-m", name]),
            None => git(dir, &["tag", tag]),
        }
    }
}

fn project(dir: &TempDir, name: &str, version: &str) {
    dir.write(
        "pyproject.toml",
        &format!(
            "[project]\nname = \"{name}\"\nversion = \"{version}\"\nrequires-python = \">=3.11\"\n"
        ),
    );
}

/// An index holding these files (placeholder bytes: only names matter
/// for which versions are used).
fn index_with(files: &[&str]) -> PypiServer {
    let server = PypiServer::start();
    for file in files {
        server.add_bytes(file, format!("placeholder for {file}").as_bytes());
    }
    server
}

/// A port nothing listens on.
fn closed_port_url() -> String {
    format!("http://127.0.0.1:{}/simple/", free_port())
}

fn files_in(dir: &Path) -> BTreeMap<String, Vec<u8>> {
    let mut out = BTreeMap::new();
    for entry in std::fs::read_dir(dir).unwrap() {
        let entry = entry.unwrap();
        if entry.file_type().unwrap().is_file() {
            out.insert(
                entry.file_name().to_string_lossy().into_owned(),
                std::fs::read(entry.path()).unwrap(),
            );
        }
    }
    out
}

fn fixtures() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/next-version")
}

#[test]
fn write_cases_change_only_the_version_bytes_and_tag_check_and_uv_agree() {
    let mut cases: Vec<PathBuf> = std::fs::read_dir(fixtures())
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.is_dir())
        .collect();
    cases.sort();
    assert!(cases.len() >= 6, "the fixture cases are missing");
    for case in cases {
        let name = case.file_name().unwrap().to_string_lossy().into_owned();
        let dir = TempDir::new();
        for (file, bytes) in files_in(&case.join("in")) {
            std::fs::write(dir.join(&file), bytes).unwrap();
        }
        let args = std::fs::read_to_string(case.join("args")).unwrap();
        let run = Run::of(
            next_version()
                .args(args.lines())
                .arg("--write")
                .arg("--project")
                .arg(dir.path()),
        );
        run.code(0)
            .stdout_is(&std::fs::read_to_string(case.join("stdout")).unwrap());
        let expected = files_in(&case.join("out"));
        let actual = files_in(dir.path());
        assert_eq!(
            actual.keys().collect::<Vec<_>>(),
            expected.keys().collect::<Vec<_>>(),
            "{name}: the files after --write (no temp file may be left)"
        );
        for (file, bytes) in &expected {
            assert!(
                &actual[file] == bytes,
                "{name}/{file} differs from the expected bytes:\n{}",
                String::from_utf8_lossy(&actual[file])
            );
        }

        // The real pbx-tag-check accepts the new tag against both files.
        let tag = std::fs::read_to_string(case.join("tag")).unwrap();
        let has_lock = expected.contains_key("uv.lock");
        let mut check = pbx("pbx-tag-check");
        check
            .args(["--tag", tag.trim()])
            .arg("--project")
            .arg(dir.path());
        if has_lock {
            check.arg("--require-lock");
        }
        Run::of(&mut check).code(0);

        // The real uv agrees that the lock matches pyproject.toml, offline
        // and with an empty cache.
        if has_lock {
            let cache = TempDir::new();
            let uv = Run::of(
                Command::new(venv_tool("uv"))
                    .args(["lock", "--check", "--offline", "--no-config"])
                    .arg("--python")
                    .arg(support::test_venv().join("bin/python"))
                    .env("UV_CACHE_DIR", cache.path())
                    .current_dir(dir.path()),
            );
            assert_eq!(uv.code, 0, "{name}: uv lock --check:\n{}", uv.stderr);
        }
    }
}

#[test]
fn uv_disagrees_when_only_pyproject_changes() {
    // The control for the check above: a lock left behind is caught.
    let case = fixtures().join("comments-and-odd-formatting");
    let dir = TempDir::new();
    for (file, bytes) in files_in(&case.join("in")) {
        std::fs::write(dir.join(&file), bytes).unwrap();
    }
    std::fs::copy(case.join("out/pyproject.toml"), dir.join("pyproject.toml")).unwrap();
    let cache = TempDir::new();
    let uv = Run::of(
        Command::new(venv_tool("uv"))
            .args(["lock", "--check", "--offline", "--no-config"])
            .arg("--python")
            .arg(support::test_venv().join("bin/python"))
            .env("UV_CACHE_DIR", cache.path())
            .current_dir(dir.path()),
    );
    assert_ne!(uv.code, 0, "uv lock --check passed on a stale lock");
}

#[test]
fn post_counts_every_file_on_every_index_and_every_tag() {
    let testpypi = index_with(&[
        "demo_pkg-1.2.3.tar.gz",
        "demo_pkg-1.2.3-py3-none-any.whl",
        "demo_pkg-1.2.3.post1-py3-none-any.whl",
        "demo_pkg-1.2.3.post2.tar.gz",
        "demo_pkg-1.3.0.post9.tar.gz",
    ]);
    let pypi = index_with(&["demo_pkg-1.2.3-py3-none-any.whl"]);
    let dir = TempDir::new();
    project(&dir, "Demo_Pkg", "1.2.3");
    repo_with_tags(dir.path(), &["v1.2.3!", "v1.2.3.post1", "v1.3.0"]);
    let run = Run::of(
        next_version()
            .args(["--lane", "post", "--index", &testpypi.simple_url()])
            .args(["--index", &pypi.simple_url()])
            .arg("--project")
            .arg(dir.path()),
    );
    run.code(0)
        .stdout_is("1.2.3.post3\n")
        .stderr_has(&format!(
            "pbx-next-version: listing the files of demo-pkg on {}\n",
            pypi.simple_url()
        ))
        .stderr_has(&format!("index {}: 5 file(s)", testpypi.simple_url()))
        .stderr_has("for 1.2.3: 1.2.3, 1.2.3.post1, 1.2.3.post2")
        .stderr_has(&format!("index {}: 1 file(s)", pypi.simple_url()))
        .stderr_has("release tag(s)")
        .stderr_has(&format!(
            "one past 1.2.3.post2 (index {})",
            testpypi.simple_url()
        ));
}

#[test]
fn git_tags_win_when_they_are_higher_than_the_index() {
    let server = index_with(&["demo_pkg-1.2.3.post1-py3-none-any.whl"]);
    let dir = TempDir::new();
    project(&dir, "demo-pkg", "1.2.3");
    repo_with_tags(dir.path(), &["v1.2.3", "v1.2.3.post4!", "vnext"]);
    let run = Run::of(
        next_version()
            .args(["--lane", "post", "--index", &server.simple_url()])
            .args(["--format", "json"])
            .arg("--project")
            .arg(dir.path()),
    );
    run.code(0);
    let json = run.json();
    assert_eq!(json["next"], "1.2.3.post5");
    assert_eq!(json["tag"], "v1.2.3.post5");
    assert_eq!(json["current"], "1.2.3");
    assert_eq!(json["lane"], "post");
    let git = json["sources"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["source"] == "git")
        .unwrap();
    assert_eq!(git["versions"], serde_json::json!(["1.2.3", "1.2.3.post4"]));
    let index = json["sources"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["source"] == "index")
        .unwrap();
    assert_eq!(index["location"], server.simple_url());
    assert_eq!(index["versions"], serde_json::json!(["1.2.3.post1"]));
    assert!(
        json["notes"].to_string().contains("vnext"),
        "a tag naming no version is reported: {json}"
    );
}

/// A stub index that answers the public index's shapes for `demo-pkg`:
/// PEP 691 JSON when asked for it (`json: true`), else PEP 503 HTML with
/// `data-yanked`; `1.2.3.post1` and `1.2.3.post2` are yanked.
fn yanking_index(json: bool) -> HttpStub {
    HttpStub::start(move |request| {
        if request.path != "/simple/demo-pkg/" {
            return Response::new(404, "text/plain", "not found");
        }
        let wants_json = request
            .header("accept")
            .is_some_and(|a| a.contains("application/vnd.pypi.simple.v1+json"));
        if json && wants_json {
            return Response::new(
                200,
                "application/vnd.pypi.simple.v1+json",
                serde_json::json!({
                    "meta": {"api-version": "1.1"},
                    "name": "demo-pkg",
                    "files": [
                        {"filename": "demo_pkg-1.2.3-py3-none-any.whl", "url": "/f/a.whl", "hashes": {"sha256": "00"}, "yanked": false},
                        {"filename": "demo_pkg-1.2.3.post1-py3-none-any.whl", "url": "/f/b.whl", "hashes": {"sha256": "01"}, "yanked": "broken build"},
                        {"filename": "demo_pkg-1.2.3.post2.tar.gz", "url": "/f/c.tar.gz", "hashes": {"sha256": "02"}, "yanked": true}
                    ],
                    "versions": ["1.2.3", "1.2.3.post1", "1.2.3.post2"]
                })
                .to_string(),
            );
        }
        Response::new(
            200,
            "text/html",
            "<!DOCTYPE html><html><body>\n\
             <a href=\"/f/a.whl#sha256=00\">demo_pkg-1.2.3-py3-none-any.whl</a>\n\
             <a href=\"/f/b.whl#sha256=01\" data-yanked=\"broken build\">demo_pkg-1.2.3.post1-py3-none-any.whl</a>\n\
             <a href=\"/f/c.tar.gz#sha256=02\" data-yanked>demo_pkg-1.2.3.post2.tar.gz</a>\n\
             </body></html>\n",
        )
    })
}

#[test]
fn yanked_files_count_in_json_and_html_answers() {
    for json in [true, false] {
        let stub = yanking_index(json);
        let dir = TempDir::new();
        project(&dir, "demo-pkg", "1.2.3");
        let run = Run::of(
            next_version()
                .args(["--lane", "post", "--no-git", "--format", "json"])
                .args(["--index", &format!("{}simple/", stub.url())])
                .arg("--project")
                .arg(dir.path()),
        );
        run.code(0);
        let report = run.json();
        assert_eq!(report["next"], "1.2.3.post3", "json answer: {json}");
        assert_eq!(
            report["sources"][0]["yanked"],
            serde_json::json!(["1.2.3.post1", "1.2.3.post2"])
        );
        assert_eq!(report["sources"][0]["items"], 3);
        assert!(!stub.requests().is_empty());
    }
}

#[test]
fn rc_counts_candidates_and_refuses_once_the_final_is_out() {
    let server = index_with(&[
        "demo_pkg-2.0.0rc1.tar.gz",
        "demo_pkg-2.0.0rc2-py3-none-any.whl",
    ]);
    let dir = TempDir::new();
    project(&dir, "demo-pkg", "2.0.0rc1");
    repo_with_tags(dir.path(), &["v2.0.0rc1", "v2.0.0rc2", "v2.0.0rc3!"]);
    let args = |cmd: &mut Command| {
        cmd.args(["--lane", "rc", "--index", &server.simple_url()])
            .arg("--project")
            .arg(dir.path());
    };
    let mut cmd = next_version();
    args(&mut cmd);
    Run::of(&mut cmd)
        .code(0)
        .stdout_is("2.0.0rc4\n")
        .stderr_has("one past 2.0.0rc3 (git tags in");

    // The final 2.0.0 reaches the index: a candidate would sort below it.
    server.add_bytes("demo_pkg-2.0.0.tar.gz", b"final");
    let mut cmd = next_version();
    args(&mut cmd);
    let run = Run::of(&mut cmd);
    run.code(1)
        .stdout_is("")
        .stderr_has("2.0.0 is already released as a final version")
        .stderr_has("fix forward with 2.0.0.post1 instead")
        .stderr_has("demo_pkg-2.0.0.tar.gz")
        .stderr_has("pbx-next-version --lane post");
}

#[test]
fn an_unreachable_index_is_exit_3_and_nothing_is_written() {
    let dir = TempDir::new();
    project(&dir, "demo-pkg", "1.2.3");
    repo_with_tags(dir.path(), &["v1.2.3"]);
    let before = dir.read("pyproject.toml");
    let run = Run::of(
        next_version()
            .args(["--lane", "post", "--write", "--index", &closed_port_url()])
            .arg("--project")
            .arg(dir.path()),
    );
    run.code(3)
        .stdout_is("")
        .stderr_has("unreachable")
        .stderr_has("--offline");
    assert_eq!(dir.read("pyproject.toml"), before);
}

#[test]
fn offline_uses_git_tags_only_and_says_so() {
    let dir = TempDir::new();
    project(&dir, "demo-pkg", "1.2.3");
    repo_with_tags(dir.path(), &["v1.2.3", "v1.2.3.post2"]);
    let run = Run::of(
        next_version()
            .args(["--lane", "post", "--offline", "--index", &closed_port_url()])
            .arg("--project")
            .arg(dir.path()),
    );
    run.code(0)
        .stdout_is("1.2.3.post3\n")
        .stderr_has("--offline: no index was asked, only git tags count");
    // The current version counts as used too, and the report says so.
    Run::of(
        next_version()
            .args(["--lane", "post", "--offline", "--from", "1.2.3.post5"])
            .arg("--project")
            .arg(dir.path()),
    )
    .code(0)
    .stdout_is("1.2.3.post6\n")
    .stderr_has("one past 1.2.3.post5 (--from)");
}

#[test]
fn github_actions_get_next_version_and_next_tag() {
    let server = index_with(&["demo_pkg-0.4.0.post1.tar.gz"]);
    let dir = TempDir::new();
    project(&dir, "demo-pkg", "0.4.0");
    let outputs = dir.join("github_output");
    let summary = dir.join("summary.md");
    let run = Run::of(
        next_version()
            .args([
                "--lane",
                "post",
                "--no-git",
                "--index",
                &server.simple_url(),
            ])
            .arg("--project")
            .arg(dir.path())
            .env("GITHUB_ACTIONS", "true")
            .env("GITHUB_OUTPUT", &outputs)
            .env("GITHUB_STEP_SUMMARY", &summary),
    );
    run.code(0).stdout_is("0.4.0.post2\n");
    assert_eq!(
        std::fs::read_to_string(&outputs).unwrap(),
        "next_version=0.4.0.post2\nnext_tag=v0.4.0.post2\n"
    );
    assert!(std::fs::read_to_string(&summary)
        .unwrap()
        .contains("0.4.0 → 0.4.0.post2"));
}

#[test]
fn a_dynamic_version_is_refused_for_write_and_needs_from() {
    let dir = TempDir::new();
    dir.write(
        "pyproject.toml",
        "[project]\nname = \"demo-pkg\"\n# hatch-vcs computes it\ndynamic = [\"version\"]\n",
    );
    let before = dir.read("pyproject.toml");
    let pyproject = dir.join("pyproject.toml").display().to_string();
    Run::of(
        next_version()
            .args([
                "--lane",
                "post",
                "--offline",
                "--no-git",
                "--write",
                "--from",
                "1.0.0",
            ])
            .arg("--project")
            .arg(dir.path()),
    )
    .code(2)
    .stdout_is("")
    .stderr_has(&format!("{pyproject}:4:12"))
    .stderr_has("the version is dynamic")
    .stderr_has("without --write");
    assert_eq!(dir.read("pyproject.toml"), before);

    Run::of(
        next_version()
            .args(["--lane", "post", "--offline", "--no-git"])
            .arg("--project")
            .arg(dir.path()),
    )
    .code(2)
    .stderr_has("--from VERSION");

    Run::of(
        next_version()
            .args(["--lane", "post", "--offline", "--no-git", "--from", "1.0.0"])
            .arg("--project")
            .arg(dir.path()),
    )
    .code(0)
    .stdout_is("1.0.0.post1\n");
}

#[test]
fn without_a_repository_say_so_and_no_git_proceeds() {
    let outer = TempDir::new();
    let dir = outer.join("project");
    std::fs::create_dir(&dir).unwrap();
    std::fs::write(
        dir.join("pyproject.toml"),
        "[project]\nname = \"demo-pkg\"\nversion = \"1.0.0\"\n",
    )
    .unwrap();
    let ceiling = outer.path().display().to_string();
    Run::of(
        next_version()
            .args(["--lane", "post", "--offline"])
            .arg("--project")
            .arg(&dir)
            .env("GIT_CEILING_DIRECTORIES", &ceiling),
    )
    .code(2)
    .stdout_is("")
    .stderr_has("is not inside a git repository")
    .stderr_has("--no-git");
    Run::of(
        next_version()
            .args(["--lane", "post", "--offline", "--no-git"])
            .arg("--project")
            .arg(&dir)
            .env("GIT_CEILING_DIRECTORIES", &ceiling),
    )
    .code(0)
    .stdout_is("1.0.0.post1\n")
    .stderr_has("--no-git");
    Run::of(
        next_version()
            .args(["--lane", "post", "--offline"])
            .arg("--git")
            .arg(outer.join("no-such-checkout"))
            .arg("--project")
            .arg(&dir),
    )
    .code(2)
    .stderr_has("no-such-checkout does not exist");
}

#[test]
fn git_dir_and_tag_prefix_come_from_flags_and_tool_pbx() {
    let repo = TempDir::new();
    repo_with_tags(
        repo.path(),
        &["release-1.0.0", "release-1.0.0.post2!", "v1.0.0.post7"],
    );
    let dir = TempDir::new();
    dir.write(
        "pyproject.toml",
        "[project]\nname = \"demo-pkg\"\nversion = \"1.0.0\"\n\n[tool.pbx]\ntag-prefix = \"release-\"\n",
    );
    let run = Run::of(
        next_version()
            .args(["--lane", "post", "--offline", "--format", "json"])
            .arg("--git")
            .arg(repo.path())
            .arg("--project")
            .arg(dir.path()),
    );
    run.code(0);
    let json = run.json();
    assert_eq!(
        json["next"], "1.0.0.post3",
        "v-tags are not release tags here"
    );
    assert_eq!(json["tag"], "release-1.0.0.post3");
}

#[test]
fn a_lock_without_the_root_entry_leaves_both_files_unchanged() {
    let dir = TempDir::new();
    project(&dir, "demo-pkg", "1.2.3");
    dir.write(
        "uv.lock",
        "version = 1\nrevision = 3\nrequires-python = \">=3.11\"\n\n[[package]]\nname = \"other\"\nversion = \"1.2.3\"\nsource = { editable = \".\" }\n",
    );
    let (pyproject, lock) = (dir.read("pyproject.toml"), dir.read("uv.lock"));
    Run::of(
        next_version()
            .args(["--lane", "post", "--offline", "--no-git", "--write"])
            .arg("--project")
            .arg(dir.path()),
    )
    .code(2)
    .stdout_is("")
    .stderr_has("uv.lock has no entry for the project `demo-pkg`")
    .stderr_has("uv lock");
    assert_eq!(dir.read("pyproject.toml"), pyproject);
    assert_eq!(dir.read("uv.lock"), lock);
    assert_eq!(files_in(dir.path()).len(), 2, "no temp file left");
}

#[test]
fn from_and_package_work_without_a_project() {
    let server = index_with(&["Demo_Pkg-3.0.0rc1.tar.gz", "demo_pkg-3.0.0rc5.tar.gz"]);
    let dir = TempDir::new();
    Run::of(
        next_version()
            .args([
                "--lane",
                "rc",
                "--from",
                "3.0.0rc1",
                "--package",
                "demo.pkg",
                "--no-git",
            ])
            .args(["--index", &server.simple_url()])
            .arg("--project")
            .arg(dir.path()),
    )
    .code(0)
    .stdout_is("3.0.0rc6\n");
    Run::of(
        next_version()
            .args(["--lane", "rc", "--from", "3.0.0rc1", "--no-git"])
            .args(["--index", &server.simple_url()])
            .arg("--project")
            .arg(dir.path()),
    )
    .code(2)
    .stderr_has("--package NAME");
}

#[test]
fn a_flaky_index_is_retried_and_a_broken_one_is_exit_3() {
    let server = index_with(&["demo_pkg-1.2.3.post1.tar.gz"]);
    let proxy = FaultProxy::start(&server.url());
    let dir = TempDir::new();
    project(&dir, "demo-pkg", "1.2.3");
    let run_once = || {
        Run::of(
            next_version()
                .args(["--lane", "post", "--no-git", "--index", &proxy.simple_url()])
                .arg("--project")
                .arg(dir.path()),
        )
    };

    // One 503, then the real answer: the retry is reported, the answer used.
    proxy.on("GET", "/simple/demo-pkg/", Fault::Status(503, Some(0)));
    run_once()
        .code(0)
        .stdout_is("1.2.3.post2\n")
        .stderr_has("(attempt 1/2 failed: HTTP 503)");

    // 503 on every attempt (PBX_HTTP_RETRIES=1: two attempts): exit 3.
    proxy.on_times("GET", "/simple/demo-pkg/", Fault::Status(503, Some(0)), 2);
    run_once()
        .code(3)
        .stdout_is("")
        .stderr_has("unreachable after 2 attempt(s)");

    // An answer no retry changes (403) is no list of files either: the
    // index wants credentials, which is the user's to give (exit 2, as in
    // every binary).
    proxy.on("GET", "/simple/demo-pkg/", Fault::Status(403, None));
    run_once()
        .code(2)
        .stdout_is("")
        .stderr_has("403")
        .stderr_has("pass credentials it accepts");
    assert_eq!(
        proxy.count("GET", "/simple/demo-pkg/"),
        5,
        "2 + 2 + 1 requests"
    );
}

#[test]
fn a_required_lock_that_is_missing_stops_the_write() {
    let dir = TempDir::new();
    dir.write(
        "pyproject.toml",
        "[project]\nname = \"demo-pkg\"\nversion = \"1.0.0\"\n\n[tool.pbx]\nrequire-lock = true\n",
    );
    let before = dir.read("pyproject.toml");
    Run::of(
        next_version()
            .args(["--lane", "post", "--offline", "--no-git", "--write"])
            .arg("--project")
            .arg(dir.path()),
    )
    .code(2)
    .stdout_is("")
    .stderr_has("uv.lock is missing and `[tool.pbx] require-lock = true`");
    assert_eq!(dir.read("pyproject.toml"), before);
}

/// `--write` on a filesystem that is full, then read-only (a tmpfs in a
/// private mount namespace: needs root and `unshare`, as on this project's
/// machines). Either is the environment, exit 3, and both files keep their
/// bytes, with no temporary file left behind.
#[test]
fn a_full_or_read_only_filesystem_during_write_is_exit_3_and_the_files_stay_intact() {
    let probe = Command::new("unshare")
        .args(["-m", "sh", "-c", "mount -t tmpfs -o size=64k tmpfs /mnt"])
        .output();
    if !probe.is_ok_and(|o| o.status.success()) {
        support::skipped("a private tmpfs mount (root and unshare -m) is not available");
        return;
    }
    let fixture = fixtures().join("large-uv-lock/in");
    let script = r#"
set -e
mnt=$1 bin=$2 src=$3 mode=$4 out=$5
mount -t tmpfs -o size=4m tmpfs "$mnt"
cp "$src/pyproject.toml" "$src/uv.lock" "$mnt/"
(cd "$mnt" && sha256sum pyproject.toml uv.lock) > "$out/before"
case $mode in
  full) dd if=/dev/zero of="$mnt/filler" bs=4k 2>/dev/null || true ;;
  read-only) mount -o remount,ro "$mnt" ;;
esac
set +e
"$bin" --lane post --offline --no-git --write --project "$mnt" >"$out/stdout" 2>"$out/stderr"
echo $? > "$out/code"
(cd "$mnt" && sha256sum pyproject.toml uv.lock) > "$out/after"
ls -A "$mnt" > "$out/listing"
"#;
    let program = next_version().get_program().to_owned();
    for (mode, reason) in [
        ("full", "No space left on device"),
        ("read-only", "Read-only file system"),
    ] {
        let out = TempDir::new();
        let mnt = TempDir::new();
        let status = Command::new("unshare")
            .args(["-m", "sh", "-c", script, "sh"])
            .arg(mnt.path())
            .arg(&program)
            .arg(&fixture)
            .arg(mode)
            .arg(out.path())
            .status()
            .unwrap();
        assert!(status.success(), "{mode}: the script failed");
        let stderr = out.read("stderr");
        assert_eq!(out.read("code").trim(), "3", "{mode}: exit code\n{stderr}");
        assert!(
            stderr.contains(reason),
            "{mode}: stderr lacks {reason:?}:\n{stderr}"
        );
        assert!(
            stderr.contains("uv.lock") || stderr.contains("pyproject.toml"),
            "{stderr}"
        );
        assert_eq!(out.read("stdout"), "", "{mode}: nothing on stdout");
        assert_eq!(
            out.read("before"),
            out.read("after"),
            "{mode}: the files changed"
        );
        let mut expected = vec!["pyproject.toml", "uv.lock"];
        if mode == "full" {
            expected.push("filler");
        }
        expected.sort();
        let mut listing: Vec<String> = out.read("listing").lines().map(String::from).collect();
        listing.sort();
        assert_eq!(
            listing, expected,
            "{mode}: a temporary file was left behind"
        );
    }
}
