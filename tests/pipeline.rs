//! End to end: `scripts/release-pipeline` chaining the real binaries against
//! real local indexes (pypiserver), real builds (`uv build`), real git tags
//! and the real interpreters 3.11-3.13.

mod support;

use std::path::{Path, PathBuf};
use std::process::Command;

use support::index::PypiServer;
use support::{bin, git, pbx, test_venv, Run, TempDir};

/// The two lanes' indexes and the dependency index.
struct Indexes {
    test: PypiServer,
    prod: PypiServer,
}

impl Indexes {
    fn start() -> Indexes {
        Indexes {
            test: PypiServer::start(),
            prod: PypiServer::start(),
        }
    }
}

/// A hatchling project in a git repository. Its module fails to import on
/// the interpreter named by `broken_on` (e.g. "3.12"), if any.
fn project(dir: &TempDir, version: &str, broken_on: Option<&str>) {
    dir.write(
        "pyproject.toml",
        &format!(
            "[build-system]\nrequires = [\"hatchling\"]\nbuild-backend = \"hatchling.build\"\n\n\
             [project]\nname = \"pipe-demo\"\nversion = \"{version}\"\nrequires-python = \">=3.11\"\n\n\
             [tool.hatch.build.targets.wheel]\npackages = [\"src/pipe_demo\"]\n\n\
             [tool.pbx]\nrequire-lock = true\n\n[tool.pbx.reinstall]\nimports = [\"pipe_demo\"]\n"
        ),
    );
    let guard = match broken_on {
        Some(python) => {
            let (major, minor) = python.split_once('.').unwrap();
            format!(
                "import sys\nif sys.version_info[:2] == ({major}, {minor}):\n    raise ImportError(\"pipe_demo does not support {python}\")\n"
            )
        }
        None => String::new(),
    };
    dir.write("src/pipe_demo/__init__.py", &format!("{guard}VALUE = 42\n"));
    uv(dir.path(), &["lock", "--offline", "--quiet"]);
    if !dir.join(".git").exists() {
        git(dir.path(), &["init", "-q", "-b", "main"]);
    }
    git(dir.path(), &["add", "-A"]);
    git(
        dir.path(),
        &[
            "commit",
            "-qm",
            &format!("pipe-demo {version}"),
            "--allow-empty",
        ],
    );
}

fn uv(dir: &Path, args: &[&str]) {
    Run::of(
        Command::new(test_venv().join("bin/uv"))
            .args(args)
            .current_dir(dir)
            .env("UV_NO_CONFIG", "1"),
    )
    .code(0);
}

fn repo_root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// `scripts/release-pipeline` for `tag`, with the debug binaries, uv from the
/// test venv and both indexes local.
fn pipeline(dir: &TempDir, indexes: &Indexes, tag: &str) -> Run {
    pipeline_with(
        dir,
        &indexes.test.url(),
        &indexes.prod.url(),
        &indexes.prod.simple_url(),
        tag,
        &[],
    )
}

fn pipeline_with(
    dir: &TempDir,
    test: &str,
    prod: &str,
    deps: &str,
    tag: &str,
    extra: &[&str],
) -> Run {
    let bin_dir = bin("pbx-tag-check").parent().unwrap().to_path_buf();
    // `pbx()` gives a command with the GITHUB_/PBX_/UV_ environment cleared;
    // reuse its environment for the script.
    let clean = pbx("pbx-tag-check");
    let mut cmd = Command::new(repo_root().join("scripts/release-pipeline"));
    for (key, value) in clean.get_envs() {
        match value {
            Some(value) => cmd.env(key, value),
            None => cmd.env_remove(key),
        };
    }
    let path = format!(
        "{}:{}",
        test_venv().join("bin").display(),
        std::env::var("PATH").unwrap_or_default()
    );
    cmd.arg("--project")
        .arg(dir.path())
        .args(["--tag", tag])
        .arg("--bin-dir")
        .arg(&bin_dir)
        .args(["--testpypi", test])
        .args(["--pypi", prod])
        .args(["--deps-index", deps])
        .args(["--pythons", "3.11,3.12,3.13"])
        .args(["--wait", "30s"])
        .args(extra)
        .env("PATH", path)
        .env("UV_NO_CONFIG", "1");
    Run::of(&mut cmd)
}

fn stored(server: &PypiServer) -> Vec<String> {
    server.stored().into_keys().collect()
}

#[test]
fn a_green_lane_publishes_verifies_and_names_nothing() {
    let indexes = Indexes::start();
    let dir = TempDir::new();
    project(&dir, "2.0.0", None);
    git(dir.path(), &["tag", "v2.0.0"]);
    let run = pipeline(&dir, &indexes, "v2.0.0");
    run.code(0)
        .stderr_has("reinstall    ok")
        .stderr_has("pipe-demo 2.0.0 released to testpypi and verified on 3.11,3.12,3.13");
    assert_eq!(run.stdout, "version=2.0.0\nlane=testpypi\n");
    assert_eq!(
        stored(&indexes.test),
        ["pipe_demo-2.0.0-py3-none-any.whl", "pipe_demo-2.0.0.tar.gz"]
    );
    assert!(
        stored(&indexes.prod).is_empty(),
        "a final tag must not reach the PyPI lane"
    );
}

#[test]
fn a_mismatched_tag_stops_before_anything_is_uploaded() {
    let indexes = Indexes::start();
    let dir = TempDir::new();
    project(&dir, "2.0.0", None);
    let run = pipeline(&dir, &indexes, "v2.0.1");
    run.code(1)
        .stderr_has("tag-check    failed")
        .stderr_has("upload       skipped")
        .stderr_has("nothing was published and 2.0.1 is not consumed");
    assert!(stored(&indexes.test).is_empty());
}

#[test]
fn a_failing_reinstall_consumes_the_version_and_the_fix_goes_forward() {
    let indexes = Indexes::start();
    let dir = TempDir::new();
    project(&dir, "1.0.0", Some("3.12"));
    git(dir.path(), &["tag", "v1.0.0"]);

    // 1. The upload lands, the reinstall fails on 3.12 only: fix forward.
    let run = pipeline(&dir, &indexes, "v1.0.0");
    run.code(1)
        .stderr_has("reinstall    failed")
        .stderr_has("pipe_demo does not support 3.12")
        .stderr_has("pipe-demo 1.0.0 is now consumed on the testpypi index")
        .stderr_has("Fix forward with 1.0.0.post1");
    assert_eq!(run.stdout, "next_version=1.0.0.post1\n");
    assert_eq!(
        stored(&indexes.test),
        ["pipe_demo-1.0.0-py3-none-any.whl", "pipe_demo-1.0.0.tar.gz"]
    );

    // 2. Re-running the same tag is refused: 1.0.0 is consumed (the same
    // build again: the index already holds exactly these bytes).
    let run = pipeline(&dir, &indexes, "v1.0.0");
    run.code(1)
        .stderr_has("is already published on")
        .stderr_has("upload       published   already on")
        .stderr_has("pipe-demo 1.0.0 is already published on the testpypi index with exactly")
        .stderr_has("To publish another build, use 1.0.0.post1");
    // Not the wording of a failed upload: nothing here needs fixing.
    assert!(!run.stderr.contains("is now consumed"), "{}", run.stderr);
    assert!(
        !run.stderr.contains("fix the problem above"),
        "{}",
        run.stderr
    );
    assert_eq!(run.stdout, "next_version=1.0.0.post1\n");

    // 3. Fix the code, bump with the command the pipeline named, tag, rerun.
    project(&dir, "1.0.0", None);
    let next = Run::of(
        pbx("pbx-next-version")
            .args(["--lane", "post", "--project"])
            .arg(dir.path())
            .args(["--index", &indexes.test.simple_url()])
            .args(["--index", &indexes.prod.simple_url()])
            .arg("--write"),
    );
    next.code(0).stdout_is("1.0.0.post1\n");
    git(dir.path(), &["commit", "-qam", "Release 1.0.0.post1"]);
    git(dir.path(), &["tag", "v1.0.0.post1"]);
    let run = pipeline(&dir, &indexes, "v1.0.0.post1");
    run.code(0)
        .stderr_has("pipe-demo 1.0.0.post1 released to testpypi");
    assert_eq!(
        stored(&indexes.test),
        [
            "pipe_demo-1.0.0-py3-none-any.whl",
            "pipe_demo-1.0.0.post1-py3-none-any.whl",
            "pipe_demo-1.0.0.post1.tar.gz",
            "pipe_demo-1.0.0.tar.gz",
        ]
    );
}

#[test]
fn a_release_candidate_takes_the_pypi_lane_and_fixes_forward_as_rc() {
    let indexes = Indexes::start();
    let dir = TempDir::new();
    project(&dir, "3.0.0rc1", Some("3.13"));
    git(dir.path(), &["tag", "v3.0.0rc1"]);
    let run = pipeline(&dir, &indexes, "v3.0.0rc1");
    run.code(1)
        .stderr_has("on the pypi index")
        .stderr_has("Fix forward with 3.0.0rc2");
    assert_eq!(run.stdout, "next_version=3.0.0rc2\n");
    assert!(stored(&indexes.test).is_empty());
    assert_eq!(stored(&indexes.prod).len(), 2);
}

#[test]
fn a_missing_tool_is_an_environment_failure() {
    let dir = TempDir::new();
    let bin_dir = bin("pbx-tag-check").parent().unwrap().to_path_buf();
    // A PATH with the system tools but without uv.
    let run = Run::of(
        Command::new(repo_root().join("scripts/release-pipeline"))
            .arg("--project")
            .arg(dir.path())
            .arg("--bin-dir")
            .arg(&bin_dir)
            .env("PATH", "/usr/bin:/bin"),
    );
    run.code(3).stderr_has("uv is not on PATH");
    let empty = TempDir::new();
    let run = Run::of(
        Command::new(repo_root().join("scripts/release-pipeline"))
            .arg("--project")
            .arg(dir.path())
            .arg("--bin-dir")
            .arg(empty.path())
            .env(
                "PATH",
                format!("{}:/usr/bin:/bin", test_venv().join("bin").display()),
            ),
    );
    run.code(3).stderr_has("no pbx-tag-check in --bin-dir");
}

#[test]
fn the_pipeline_never_empties_a_directory_it_did_not_create() {
    let indexes = Indexes::start();
    let dir = TempDir::new();
    project(&dir, "2.0.0", None);
    git(dir.path(), &["tag", "v2.0.0"]);
    // The user's own files, in a directory named as --dist.
    dir.write("mydist/keep.txt", "mine");
    dir.write("mydist/sub/notes.md", "mine too");
    let mydist = dir.join("mydist");
    let run = pipeline_with(
        &dir,
        &indexes.test.url(),
        &indexes.prod.url(),
        &indexes.prod.simple_url(),
        "v2.0.0",
        &["--dist", mydist.to_str().unwrap()],
    );
    run.code(2)
        .stderr_has("already holds files this pipeline did not create")
        .stderr_has("nothing was published");
    assert_eq!(dir.read("mydist/keep.txt"), "mine");
    assert_eq!(dir.read("mydist/sub/notes.md"), "mine too");
    assert!(stored(&indexes.test).is_empty());
    // The default build directory is the pipeline's own, inside dist/: a
    // user's dist/keep.txt stays.
    dir.write("dist/keep.txt", "mine");
    pipeline(&dir, &indexes, "v2.0.0").code(0);
    assert_eq!(dir.read("dist/keep.txt"), "mine");
}

#[test]
fn a_next_version_that_cannot_be_named_is_never_a_fake_value() {
    let indexes = Indexes::start();
    let dir = TempDir::new();
    project(&dir, "1.0.0", Some("3.12"));
    git(dir.path(), &["tag", "v1.0.0"]);
    // The PyPI stand-in is down: after the failed reinstall the next
    // version cannot be named from both lane indexes.
    let down = format!("http://127.0.0.1:{}/", support::index::free_port());
    let run = pipeline_with(
        &dir,
        &indexes.test.url(),
        &down,
        &indexes.prod.simple_url(),
        "v1.0.0",
        &[],
    );
    run.code(1)
        .stderr_has("pipe-demo 1.0.0 is now consumed on the testpypi index")
        .stderr_has("The next version could not be named");
    assert_eq!(run.stdout, "", "no next_version line, and no fake one");
    assert!(!run.stderr.contains("git tag v("), "{}", run.stderr);
}
