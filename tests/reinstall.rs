//! pbx-reinstall against real components: two real pypiservers on 127.0.0.1
//! (the upload index and the dependency index), wheels and sdists built by
//! `uv build` from fixture projects, the CPython interpreters pyenv holds on
//! this machine (3.11, 3.12, 3.13: each test uses what is there and says
//! what it skipped), and the real uv and pip.

mod support;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::OnceLock;
use std::time::{Duration, Instant};

use serde_json::Value;
use support::index::{Fault, FaultProxy, PypiServer};
use support::{pbx, test_venv, uv_build, Run, TempDir};

/// The fixture projects, built once per test binary.
struct Fixtures {
    _dir: TempDir,
    /// `rxa-app` 1.0.0 (wheel, sdist): depends on `rxa-dep>=1`.
    app: Vec<PathBuf>,
    /// `rxa-app` 1.0.0 again, other bytes (another build of other sources).
    app_rebuilt: Vec<PathBuf>,
    /// `rxa-dep` 1.0.0: the real dependency, only on the dependency index.
    dep: Vec<PathBuf>,
    /// `rxa-dep` 6.6.6: junk with the dependency's name, on the upload index.
    junk: Vec<PathBuf>,
    /// `rxa-new` 1.0.0 with `Requires-Python >=3.12`.
    new: Vec<PathBuf>,
}

fn build(
    root: &TempDir,
    dir: &str,
    name: &str,
    version: &str,
    extra: &str,
    body: &str,
) -> Vec<PathBuf> {
    let module = name.replace('-', "_");
    root.write(
        &format!("{dir}/pyproject.toml"),
        &format!(
            "[build-system]\nrequires = [\"hatchling\"]\nbuild-backend = \"hatchling.build\"\n\n[project]\nname = \"{name}\"\nversion = \"{version}\"\n{extra}\n[tool.hatch.build.targets.wheel]\npackages = [\"src/{module}\"]\n"
        ),
    );
    root.write(&format!("{dir}/src/{module}/__init__.py"), body);
    let dist = uv_build(&root.join(dir));
    let files = support::artifacts_in(&dist);
    assert_eq!(files.len(), 2, "a wheel and an sdist: {files:?}");
    files
}

fn fixtures() -> &'static Fixtures {
    static FIXTURES: OnceLock<Fixtures> = OnceLock::new();
    FIXTURES.get_or_init(|| {
        let dir = TempDir::new();
        let app_extra = "requires-python = \">=3.9\"\ndependencies = [\"rxa-dep>=1\"]\n";
        let app = build(
            &dir,
            "app",
            "rxa-app",
            "1.0.0",
            app_extra,
            "import rxa_dep\n__version__ = \"1.0.0\"\n",
        );
        let app_rebuilt = build(
            &dir,
            "app-rebuilt",
            "rxa-app",
            "1.0.0",
            app_extra,
            "import rxa_dep\n__version__ = \"1.0.0\"  # rebuilt\n",
        );
        let dep = build(
            &dir,
            "dep",
            "rxa-dep",
            "1.0.0",
            "requires-python = \">=3.9\"\n",
            "VALUE = 'real'\n",
        );
        let junk = build(
            &dir,
            "junk",
            "rxa-dep",
            "6.6.6",
            "requires-python = \">=3.9\"\n",
            "raise SystemExit('the junk rxa-dep from the upload index was installed')\n",
        );
        let new = build(
            &dir,
            "new",
            "rxa-new",
            "1.0.0",
            "requires-python = \">=3.12\"\n",
            "\n",
        );
        Fixtures {
            _dir: dir,
            app,
            app_rebuilt,
            dep,
            junk,
            new,
        }
    })
}

/// The interpreters this machine has, found the way a user's would be:
/// `$PYENV_ROOT/versions/X.Y.*` (default `~/.pyenv`).
fn pyenv_root() -> PathBuf {
    std::env::var_os("PYENV_ROOT")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(std::env::var_os("HOME").unwrap()).join(".pyenv"))
}

use support::skipped;

/// The X.Y of `wanted` this machine has, found the way the binary finds
/// them; each missing one is said (and fails the test under `CI=true`).
fn available(wanted: &[&str]) -> Vec<String> {
    support::interpreters(wanted)
}

/// An upload index holding the app and the junk dependency, and a
/// dependency index holding the real dependency.
struct Indexes {
    upload: PypiServer,
    deps: PypiServer,
}

fn indexes() -> Indexes {
    let f = fixtures();
    let upload = PypiServer::start();
    let deps = PypiServer::start();
    for file in f.app.iter().chain(&f.junk).chain(&f.new) {
        upload.add_file(file);
    }
    for file in &f.dep {
        deps.add_file(file);
    }
    Indexes { upload, deps }
}

/// `PATH` with the test venv's bin (uv) first, or without any uv.
fn path_with_uv(with_uv: bool) -> std::ffi::OsString {
    let inherited = std::env::var_os("PATH").unwrap_or_default();
    let mut dirs: Vec<PathBuf> = std::env::split_paths(&inherited)
        .filter(|d| !d.join("uv").exists())
        .collect();
    if with_uv {
        dirs.insert(0, test_venv().join("bin"));
    }
    std::env::join_paths(dirs).unwrap()
}

/// pbx-reinstall for `rxa-app` against the two indexes, with a private
/// TMPDIR (to see that the environments are gone afterwards).
fn reinstall(ix: &Indexes, tmp: &TempDir, with_uv: bool) -> Command {
    reinstall_from(&ix.upload.url(), ix, tmp, with_uv)
}

/// The same with another upload index URL (a proxy in front of it).
fn reinstall_from(index: &str, ix: &Indexes, tmp: &TempDir, with_uv: bool) -> Command {
    let mut cmd = pbx("pbx-reinstall");
    cmd.args(["--index", index, "--deps-index", &ix.deps.simple_url()])
        .env("PATH", path_with_uv(with_uv))
        .env("PYENV_ROOT", pyenv_root())
        .env("TMPDIR", tmp.path())
        .current_dir(tmp.path());
    cmd
}

fn leftover_envs(tmp: &TempDir) -> Vec<String> {
    std::fs::read_dir(tmp.path())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.starts_with("pbx-reinstall-"))
        .collect()
}

/// `python → check → (status, detail)` from a JSON report.
fn rows(report: &Value) -> BTreeMap<(String, String), (String, String)> {
    report["rows"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| {
            (
                (
                    r["python"].as_str().unwrap().to_string(),
                    r["check"].as_str().unwrap().to_string(),
                ),
                (
                    r["status"].as_str().unwrap().to_string(),
                    r["detail"].as_str().unwrap().to_string(),
                ),
            )
        })
        .collect()
}

/// The smoke command proving the dependency came from the dependency index.
const REAL_DEP: &str =
    "$PBX_PYTHON -c \"import importlib.metadata as m, rxa_dep; assert m.version('rxa-dep') == '1.0.0', m.version('rxa-dep'); assert rxa_dep.VALUE == 'real'\"";

#[test]
fn reinstalls_on_every_interpreter_with_uv_and_dependencies_only_from_the_deps_index() {
    let pythons = available(&["3.11", "3.12", "3.13"]);
    if pythons.is_empty() {
        return;
    }
    let ix = indexes();
    let tmp = TempDir::new();
    let dist = tmp.join("dist");
    std::fs::create_dir(&dist).unwrap();
    for file in &fixtures().app {
        std::fs::copy(file, dist.join(file.file_name().unwrap())).unwrap();
    }
    let summary = tmp.join("summary.md");
    let junit = tmp.join("junit.xml");
    let run = Run::of(
        reinstall(&ix, &tmp, true)
            .args([
                "--package",
                "rxa-app",
                "--package-version",
                "1.0.0",
                "--pythons",
                &pythons.join(","),
            ])
            .arg("--dist")
            .arg(&dist)
            .args([
                "--import", "rxa_app", "--smoke", REAL_DEP, "--format", "json",
            ])
            .arg("--junit-report")
            .arg(&junit)
            .env("GITHUB_ACTIONS", "true")
            .env("GITHUB_STEP_SUMMARY", &summary),
    );
    run.code(0).stderr_has("listed after 1 check(s)");
    let report = run.json();
    assert_eq!(report["ok"], true);
    assert_eq!(report["installer"], "uv");
    let rows = rows(&report);
    for python in &pythons {
        for check in [
            "venv",
            "install",
            "dependencies",
            "pip check",
            "version",
            "import rxa_app",
        ] {
            let (status, detail) = &rows[&(python.clone(), check.to_string())];
            assert_eq!(status, "passed", "{python} {check}: {detail}");
        }
        let (status, detail) = &rows[&(python.clone(), format!("smoke: {REAL_DEP}"))];
        assert_eq!(status, "passed", "the dependency is the real one: {detail}");
        assert_eq!(
            rows[&(python.clone(), "version".into())].1,
            "1.0.0 installed"
        );
        assert!(
            rows[&(python.clone(), "install".into())]
                .1
                .contains("hash-pinned to 2 local artifact(s)"),
            "{rows:?}"
        );
    }
    assert_eq!(
        report["interpreters"].as_array().unwrap().len(),
        pythons.len()
    );
    let junit = std::fs::read_to_string(&junit).unwrap();
    assert_eq!(
        junit.matches("<testsuite ").count(),
        pythons.len(),
        "{junit}"
    );
    assert!(!junit.contains("<failure"), "{junit}");
    let summary = std::fs::read_to_string(&summary).unwrap();
    assert!(
        summary.contains("| python | check | result | time | detail |"),
        "{summary}"
    );
    assert!(summary.contains("✅ passed"), "{summary}");
    assert!(
        leftover_envs(&tmp).is_empty(),
        "the environments are removed"
    );
}

#[test]
fn the_pip_backend_is_used_without_uv_and_never_takes_the_junk_dependency() {
    let pythons = available(&["3.11", "3.12", "3.13"]);
    if pythons.is_empty() {
        return;
    }
    let ix = indexes();
    let tmp = TempDir::new();
    let run = Run::of(reinstall(&ix, &tmp, false).args([
        "--package",
        "rxa-app",
        "--package-version",
        "1.0.0",
        "--pythons",
        &pythons.join(","),
        "--import",
        "rxa_app",
        "--smoke",
        REAL_DEP,
        "--format",
        "json",
    ]));
    // Without --dist the install is not pinned to built bytes: said in
    // every output.
    run.code(0)
        .stderr_has("with pip")
        .stderr_has("warning: no --dist: rxa-app 1.0.0 was installed as the index serves it");
    let report = run.json();
    assert_eq!(report["installer"], "pip");
    assert!(
        report["warnings"][0]
            .as_str()
            .unwrap()
            .contains("not pinned to the bytes that were built"),
        "{report:#}"
    );
    let rows = rows(&report);
    for python in &pythons {
        assert!(
            rows[&(python.clone(), "venv".into())]
                .1
                .contains("python -m venv"),
            "{rows:?}"
        );
        assert_eq!(
            rows[&(python.clone(), format!("smoke: {REAL_DEP}"))].0,
            "passed"
        );
    }
    assert!(leftover_envs(&tmp).is_empty());
}

#[test]
fn a_failing_import_and_a_failing_smoke_command_fail_their_own_rows() {
    let Some(python) = available(&["3.12", "3.13", "3.11"]).into_iter().next() else {
        return;
    };
    let ix = indexes();
    let tmp = TempDir::new();
    // `1.0` is `1.0.0` by PEP 440.
    let run = Run::of(reinstall(&ix, &tmp, true).args([
        "--package",
        "rxa-app",
        "--package-version",
        "1.0",
        "--pythons",
        &python,
        "--import",
        "rxa_app",
        "--import",
        "rxa_missing",
        "--smoke",
        "true",
        "--smoke",
        "echo about to fail; exit 3",
        "--smoke",
        HOSTILE_SMOKE,
    ]));
    run.code(1);
    let table = &run.stdout;
    let line = |check: &str| {
        table
            .lines()
            .find(|l| l.contains(check))
            .unwrap_or_else(|| panic!("no row {check}:\n{table}"))
            .to_string()
    };
    assert!(line("version").contains("passed"), "{table}");
    assert!(line("import rxa_app").contains("passed"), "{table}");
    assert!(line("import rxa_missing").contains("FAILED"), "{table}");
    assert!(
        line("import rxa_missing").contains("No module named 'rxa_missing'"),
        "{table}"
    );
    assert!(line("smoke: true").contains("passed"), "{table}");
    assert!(
        line("smoke: echo about to fail; exit 3").contains("FAILED"),
        "{table}"
    );
    assert!(
        line("smoke: echo about to fail; exit 3").contains("exit status 3"),
        "{table}"
    );
    assert!(
        table.contains("smoke: echo about to fail; exit 3: output (tail)\n  about to fail"),
        "{table}"
    );
    // The step's escape sequences (a window title, colours) are not
    // passed to the terminal: the row and the tail show the plain text.
    assert!(
        !table.contains('\u{1b}') && !table.contains('\u{7}'),
        "{table:?}"
    );
    assert!(
        line(HOSTILE_SMOKE).contains("red alert (exit status 4)"),
        "{table}"
    );
    assert!(
        table.contains(&format!("{HOSTILE_SMOKE}: output (tail)\n  red alert\n")),
        "{table}"
    );
    assert!(table.contains("3 failed"), "{table}");
}

/// A smoke command whose output retitles the terminal and colours itself.
const HOSTILE_SMOKE: &str = r"printf '\033]0;pwned\007\033[31mred alert\033[0m\n'; exit 4";

#[test]
fn a_version_the_index_does_not_list_fails_without_installing() {
    let ix = indexes();
    let tmp = TempDir::new();
    let run = Run::of(reinstall(&ix, &tmp, true).args([
        "--package",
        "rxa-app",
        "--package-version",
        "1.0.1",
        "--pythons",
        "3.12",
        "--skip-missing",
    ]));
    run.code(1)
        .stderr_has("rxa-app 1.0.1 is not on")
        .stderr_has("no file of version 1.0.1 listed yet");
    assert_eq!(run.stdout, "");
    assert!(leftover_envs(&tmp).is_empty());
}

#[test]
fn a_local_artifact_with_other_bytes_than_the_index_fails_before_installing() {
    let ix = indexes();
    let tmp = TempDir::new();
    let dist = tmp.join("dist");
    std::fs::create_dir(&dist).unwrap();
    for file in &fixtures().app_rebuilt {
        std::fs::copy(file, dist.join(file.file_name().unwrap())).unwrap();
    }
    let started = Instant::now();
    let run = Run::of(
        reinstall(&ix, &tmp, true)
            .args([
                "--package",
                "rxa-app",
                "--package-version",
                "1.0.0",
                "--pythons",
                "3.12",
                "--skip-missing",
            ])
            .args(["--wait", "2m", "--dist"])
            .arg(&dist),
    );
    run.code(1)
        .stderr_has("rxa_app-1.0.0")
        .stderr_has("the bytes on the index are not the bytes that were built");
    assert!(
        started.elapsed() < Duration::from_secs(60),
        "no waiting for what cannot change"
    );
    assert!(
        !run.stderr.contains("[3.12] install"),
        "nothing was installed:\n{}",
        run.stderr
    );
}

#[test]
fn a_version_that_appears_late_is_waited_for() {
    let Some(python) = available(&["3.12", "3.13", "3.11"]).into_iter().next() else {
        return;
    };
    let f = fixtures();
    let upload = PypiServer::start();
    let deps = PypiServer::start();
    for file in &f.dep {
        deps.add_file(file);
    }
    let ix = Indexes { upload, deps };
    let tmp = TempDir::new();
    let dist = tmp.join("dist");
    std::fs::create_dir(&dist).unwrap();
    for file in &f.app {
        std::fs::copy(file, dist.join(file.file_name().unwrap())).unwrap();
    }
    let child = reinstall(&ix, &tmp, true)
        .args([
            "--package",
            "rxa-app",
            "--package-version",
            "1.0.0",
            "--pythons",
            &python,
        ])
        .args(["--wait", "60s", "--import", "rxa_app", "--dist"])
        .arg(&dist)
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    std::thread::sleep(Duration::from_secs(3));
    // The sdist first, the wheel a little later: with --dist, both are
    // waited for.
    ix.upload.add_file(&f.app[1]);
    std::thread::sleep(Duration::from_millis(1500));
    ix.upload.add_file(&f.app[0]);
    let output = child.wait_with_output().unwrap();
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(0), "{stderr}");
    assert!(
        stderr.contains("waiting for the index: not listed yet: rxa_app-1.0.0"),
        "{stderr}"
    );
    let listed = stderr
        .lines()
        .find(|l| l.starts_with("listed after"))
        .unwrap_or_else(|| panic!("{stderr}"));
    assert!(!listed.starts_with("listed after 1 check"), "{listed}");
    assert!(String::from_utf8_lossy(&output.stdout).contains("1.0.0 installed"));
}

#[test]
fn requires_python_that_excludes_an_interpreter_is_not_applicable() {
    let pythons = available(&["3.11", "3.12"]);
    if pythons.len() < 2 {
        skipped("needs both 3.11 and 3.12");
        return;
    }
    let ix = indexes();
    let tmp = TempDir::new();
    let dist = tmp.join("dist");
    std::fs::create_dir(&dist).unwrap();
    for file in &fixtures().new {
        std::fs::copy(file, dist.join(file.file_name().unwrap())).unwrap();
    }
    let run = Run::of(
        reinstall(&ix, &tmp, true)
            .args([
                "--package",
                "rxa-new",
                "--package-version",
                "1.0.0",
                "--pythons",
                "3.11,3.12",
            ])
            .args(["--import", "rxa_new", "--format", "json", "--dist"])
            .arg(&dist),
    );
    run.code(0);
    let report = run.json();
    let rows = rows(&report);
    let (status, detail) = &rows[&("3.11".into(), "requires-python".into())];
    assert_eq!(status, "not-applicable");
    assert!(
        detail.starts_with("Requires-Python >=3.12 excludes Python 3.11."),
        "{detail}"
    );
    assert!(!rows.contains_key(&("3.11".into(), "install".into())));
    assert_eq!(rows[&("3.12".into(), "import rxa_new".into())].0, "passed");
    let interpreters = report["interpreters"].as_array().unwrap();
    assert_eq!(interpreters[0]["status"], "not-applicable");

    // Without --dist, and with an index (pypiserver) that states no
    // data-requires-python: the wheel's METADATA on the index decides.
    let run = Run::of(
        reinstall(&ix, &tmp, true)
            .args([
                "--package",
                "rxa-new",
                "--package-version",
                "1.0.0",
                "--pythons",
                "3.11,3.12",
            ])
            .args(["--import", "rxa_new", "--format", "json"]),
    );
    run.code(0);
    let from_index = self::rows(&run.json());
    assert_eq!(
        from_index[&("3.11".into(), "requires-python".into())].0,
        "not-applicable"
    );
    assert!(!from_index.contains_key(&("3.11".into(), "install".into())));
    assert_eq!(
        from_index[&("3.12".into(), "import rxa_new".into())].0,
        "passed"
    );
}

#[cfg(unix)]
#[test]
fn a_shim_on_path_is_not_run_and_a_missing_interpreter_is_exit_3() {
    use std::os::unix::fs::PermissionsExt;
    if available(&["3.12"]).is_empty() {
        return;
    }
    let ix = indexes();
    let tmp = TempDir::new();
    let shims = tmp.join("shims");
    std::fs::create_dir(&shims).unwrap();
    let shim = shims.join("python3.12");
    // A pyenv shim for a version that is installed but not active; it
    // leaves a mark if anything runs it.
    let ran = tmp.join("shim-ran");
    std::fs::write(
        &shim,
        format!(
            "#!/bin/sh\ntouch '{}'\necho 'pyenv: python3.12: command not found' >&2\nexit 127\n",
            ran.display()
        ),
    )
    .unwrap();
    std::fs::set_permissions(&shim, std::fs::Permissions::from_mode(0o755)).unwrap();
    let path = {
        let mut dirs = vec![shims.clone()];
        dirs.extend(std::env::split_paths(&path_with_uv(true)));
        std::env::join_paths(dirs).unwrap()
    };

    // Python 3.99 exists nowhere: exit 3 before anything is installed.
    let run = Run::of(
        reinstall(&ix, &tmp, true)
            .args([
                "--package",
                "rxa-app",
                "--package-version",
                "1.0.0",
                "--pythons",
                "3.12,3.99",
            ])
            .env("PATH", &path),
    );
    run.code(3)
        .stderr_has("Python 3.99: not found")
        .stderr_has("no interpreter for Python 3.99")
        .stderr_has("--skip-missing");

    // --skip-missing goes on without a missing interpreter, not without all.
    Run::of(
        reinstall(&ix, &tmp, true)
            .args([
                "--package",
                "rxa-app",
                "--package-version",
                "1.0.0",
                "--pythons",
                "3.99",
            ])
            .arg("--skip-missing")
            .env("PATH", &path),
    )
    .code(3)
    .stderr_has("no interpreter found for any of Python 3.99");

    let run = Run::of(
        reinstall(&ix, &tmp, true)
            .args([
                "--package",
                "rxa-app",
                "--package-version",
                "1.0.0",
                "--pythons",
                "3.12,3.99",
            ])
            .args(["--skip-missing", "--format", "json"])
            .env("PATH", &path),
    );
    run.code(0)
        .stderr_has(&format!(
            "skipped {} (PATH: a version manager's shim, not run)",
            shim.display()
        ))
        .stderr_has("(found via pyenv");
    assert!(!ran.exists(), "discovery ran the shim");
    let report = run.json();
    let rows = rows(&report);
    assert_eq!(rows[&("3.99".into(), "interpreter".into())].0, "missing");
    assert_eq!(rows[&("3.12".into(), "version".into())].0, "passed");
    let found = &report["interpreters"][0]["found"];
    assert_eq!(found["source"], "pyenv");
    let executable = found["executable"].as_str().unwrap().to_string();
    assert!(executable.starts_with(pyenv_root().to_str().unwrap()));

    // An explicit --python is used as given, and alone it is the matrix.
    let run = Run::of(
        reinstall(&ix, &tmp, true)
            .args([
                "--package",
                "rxa-app",
                "--package-version",
                "1.0.0",
                "--format",
                "json",
            ])
            .args(["--python", &executable])
            .env("PATH", &path),
    );
    run.code(0).stderr_has("(found via --python)");
    let report = run.json();
    assert_eq!(report["interpreters"].as_array().unwrap().len(), 1);
    assert_eq!(report["interpreters"][0]["request"], "3.12");
    assert_eq!(report["interpreters"][0]["found"]["source"], "explicit");
}

#[test]
fn merge_combines_per_job_reports_into_one_exit_code() {
    let pythons = available(&["3.12", "3.13", "3.11"]);
    if pythons.len() < 2 {
        skipped("needs two interpreters");
        return;
    }
    let ix = indexes();
    let tmp = TempDir::new();
    let job = |python: &str, import: &str, file: &str| {
        let path = tmp.join(file);
        Run::of(
            reinstall(&ix, &tmp, true)
                .args([
                    "--package",
                    "rxa-app",
                    "--package-version",
                    "1.0.0",
                    "--pythons",
                    python,
                ])
                .args(["--import", import, "--json-report"])
                .arg(&path),
        );
        path
    };
    let a = job(&pythons[0], "rxa_app", "a.json");
    let b = job(&pythons[1], "rxa_app", "b.json");
    let bad = job(&pythons[1], "rxa_missing", "bad.json");

    let run = Run::of(
        pbx("pbx-reinstall")
            .args(["merge", "--format", "json"])
            .arg(&b)
            .arg(&a),
    );
    run.code(0);
    let merged = run.json();
    let order: Vec<&str> = merged["interpreters"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["request"].as_str().unwrap())
        .collect();
    let mut sorted = vec![pythons[0].as_str(), pythons[1].as_str()];
    sorted.sort_by_key(|p| {
        p.split('.')
            .map(|n| n.parse::<u32>().unwrap())
            .collect::<Vec<_>>()
    });
    assert_eq!(order, sorted);

    let run = Run::of(
        pbx("pbx-reinstall")
            .args(["merge", "--format", "junit"])
            .arg(&a)
            .arg(&bad),
    );
    run.code(1);
    assert!(
        run.stdout
            .contains("<failure message=\"ModuleNotFoundError"),
        "{}",
        run.stdout
    );

    let other = tmp.write(
        "other.json",
        &std::fs::read_to_string(&a)
            .unwrap()
            .replace("\"1.0.0\"", "\"2.0.0\""),
    );
    Run::of(pbx("pbx-reinstall").arg("merge").arg(&a).arg(&other))
        .code(2)
        .stderr_has("merge reports of one release only");
    let broken = tmp.write("broken.json", "{\n  \"package\": 1\n}\n");
    Run::of(pbx("pbx-reinstall").arg("merge").arg(&broken))
        .code(2)
        .stderr_has("broken.json:2:");
}

#[test]
fn defaults_come_from_the_project_and_tool_pbx_reinstall() {
    let Some(python) = available(&["3.12", "3.13", "3.11"]).into_iter().next() else {
        return;
    };
    let ix = indexes();
    let tmp = TempDir::new();
    tmp.write(
        "pyproject.toml",
        &format!(
            "[project]\nname = \"RXA_App\"\nversion = \"1.0.0\"\n\n[tool.pbx.reinstall]\npythons = [\"{python}\"]\nimports = [\"rxa_app\", \"rxa_dep\"]\nsmoke = [\"test -n \\\"$PBX_PYTHON\\\"\"]\n"
        ),
    );
    let run = Run::of(reinstall(&ix, &tmp, true).args(["--format", "json"]));
    run.code(0);
    let report = run.json();
    assert_eq!(report["package"], "rxa-app");
    assert_eq!(report["version"], "1.0.0");
    let rows = rows(&report);
    assert_eq!(rows[&(python.clone(), "import rxa_dep".into())].0, "passed");
    assert_eq!(
        rows[&(python.clone(), "smoke: test -n \"$PBX_PYTHON\"".into())].0,
        "passed"
    );

    // A dynamic version cannot be installed exactly: exit 2 at its line.
    tmp.write(
        "pyproject.toml",
        "[project]\nname = \"rxa-app\"\ndynamic = [\"version\"]\n",
    );
    Run::of(&mut reinstall(&ix, &tmp, true))
        .code(2)
        .stderr_has("pyproject.toml:3:")
        .stderr_has("--package-version");
}

#[test]
fn bad_input_is_exit_2_before_anything_runs() {
    let tmp = TempDir::new();
    // Every run names an index nobody listens on: none of them gets that far.
    let run = |args: &[&str]| {
        let mut cmd = pbx("pbx-reinstall");
        cmd.args(["--package", "demo", "--deps-index", "http://127.0.0.1:9/"])
            .args(args)
            .current_dir(tmp.path());
        Run::of(&mut cmd)
    };
    let index = ["--index", "http://127.0.0.1:9/"];
    run(&[&index[..], &["--package-version", "1.0", "--pythons", "3"]].concat())
        .code(2)
        .stderr_has("not a Python version of the form X.Y");
    run(&[&index[..], &["--package-version", "1.0", "--wait", "soon"]].concat())
        .code(2)
        .stderr_has("--wait");
    run(&[&index[..], &["--package-version", "one"]].concat())
        .code(2)
        .stderr_has("not a valid PEP 440 version");
    run(&["--package-version", "1.0", "--index", "ftp://example"])
        .code(2)
        .stderr_has("--index");
    run(&[
        &index[..],
        &[
            "--package-version",
            "1.0",
            "--python",
            "/nonexistent/python3.12",
        ],
    ]
    .concat())
    .code(2)
    .stderr_has("/nonexistent/python3.12");
    run(&index)
        .code(2)
        .stderr_has("no --package-version (or NAME==VERSION), and no pyproject.toml");
}

#[cfg(unix)]
#[test]
fn ctrl_c_stops_the_run_and_removes_the_environments() {
    let Some(python) = available(&["3.12", "3.13", "3.11"]).into_iter().next() else {
        return;
    };
    let ix = indexes();
    let tmp = TempDir::new();
    let marker = tmp.join("smoke-started");
    let child = reinstall(&ix, &tmp, true)
        .args([
            "--package",
            "rxa-app",
            "--package-version",
            "1.0.0",
            "--pythons",
            &python,
        ])
        .arg("--smoke")
        .arg(format!("touch {}; sleep 60", marker.display()))
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let started = Instant::now();
    while !marker.exists() {
        assert!(
            started.elapsed() < Duration::from_secs(60),
            "the smoke command never started"
        );
        std::thread::sleep(Duration::from_millis(50));
    }
    assert_eq!(
        leftover_envs(&tmp).len(),
        1,
        "the environment exists while it runs"
    );
    let kill = Command::new("kill")
        .args(["-INT", &child.id().to_string()])
        .status()
        .unwrap();
    assert!(kill.success());
    let output = child.wait_with_output().unwrap();
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(3), "{stderr}");
    assert!(stderr.contains("interrupted by Ctrl-C"), "{stderr}");
    assert!(
        started.elapsed() < Duration::from_secs(30),
        "it did not wait for the smoke command"
    );
    assert!(
        leftover_envs(&tmp).is_empty(),
        "the environments are removed"
    );
}

#[test]
fn keep_envs_leaves_the_environments_and_says_where() {
    let Some(python) = available(&["3.12", "3.13", "3.11"]).into_iter().next() else {
        return;
    };
    let ix = indexes();
    let tmp = TempDir::new();
    let run = Run::of(reinstall(&ix, &tmp, true).args([
        "--package",
        "rxa-app",
        "--package-version",
        "1.0.0",
        "--pythons",
        &python,
        "--keep-envs",
    ]));
    run.code(0).stderr_has("environments kept in");
    let kept = leftover_envs(&tmp);
    assert_eq!(kept.len(), 1);
    let env_python = tmp
        .join(&kept[0])
        .join(format!("py{python}/env/bin/python"));
    let out = Command::new(&env_python)
        .args(["-c", "import rxa_app, rxa_dep; print(rxa_dep.VALUE)"])
        .output()
        .unwrap();
    assert_eq!(String::from_utf8_lossy(&out.stdout), "real\n");
    let _ = Path::new(&kept[0]);
}

#[test]
fn an_index_answering_503_with_retry_after_is_polled_again_not_reinstalled() {
    let Some(python) = available(&["3.12", "3.13", "3.11"]).into_iter().next() else {
        return;
    };
    let ix = indexes();
    let proxy = FaultProxy::start(&ix.upload.url());
    proxy.on_times("GET", "/simple/rxa-app/", Fault::Status(503, Some(1)), 2);
    let tmp = TempDir::new();
    let started = Instant::now();
    let run = Run::of(
        reinstall_from(&proxy.url(), &ix, &tmp, true)
            .args([
                "--package",
                "rxa-app",
                "--package-version",
                "1.0.0",
                "--pythons",
                &python,
            ])
            .args(["--format", "json"]),
    );
    run.code(0);
    assert!(
        started.elapsed() >= Duration::from_secs(2),
        "Retry-After: 1 was honoured twice"
    );
    assert_eq!(run.json()["ok"], true);
    // Two refused polls, the poll that listed the version, then the
    // installer's one look at the project page: never a second install.
    let pages = proxy.count("GET", "/simple/rxa-app/");
    assert!((3..=5).contains(&pages), "{pages} GETs of the project page");
    // One download to read Requires-Python (pypiserver states none), one
    // by the installer.
    assert_eq!(
        proxy.count("GET", "/packages/rxa_app-1.0.0-py3-none-any.whl"),
        2
    );
}

#[test]
fn an_unreachable_index_is_exit_3() {
    let Some(python) = available(&["3.12", "3.13", "3.11"]).into_iter().next() else {
        return;
    };
    let port = support::index::free_port();
    let tmp = TempDir::new();
    let run = Run::of(
        pbx("pbx-reinstall")
            .args([
                "--package",
                "rxa-app",
                "--package-version",
                "1.0.0",
                "--pythons",
                &python,
            ])
            .args(["--index", &format!("http://127.0.0.1:{port}/")])
            .env("PYENV_ROOT", pyenv_root())
            .env("PBX_HTTP_RETRIES", "1")
            .env("PBX_HTTP_BACKOFF_MS", "10")
            .current_dir(tmp.path()),
    );
    run.code(3)
        .stderr_has(&format!("127.0.0.1:{port}"))
        .stderr_has("unreachable");
}

#[test]
fn every_binary_prints_its_own_version_and_the_package_version_has_its_own_flag() {
    for name in [
        "pbx-tag-check",
        "pbx-checksum",
        "pbx-next-version",
        "pbx-reinstall",
        "pbx-upload",
    ] {
        for flag in ["-V", "--version"] {
            Run::of(pbx(name).arg(flag))
                .code(0)
                .stdout_is(&format!("{name} {}\n", env!("CARGO_PKG_VERSION")));
        }
    }
    // NAME==VERSION works as it does for pip; anything looser is refused.
    let ix = indexes();
    let tmp = TempDir::new();
    let run = |args: &[&str]| Run::of(reinstall(&ix, &tmp, true).args(args));
    run(&["rxa-app>=1.0", "--pythons", "3.99"])
        .code(2)
        .stderr_has("`rxa-app>=1.0` is not NAME==VERSION");
    run(&["rxa-app==1.0.0", "--package-version", "2.0"])
        .code(2)
        .stderr_has("`rxa-app==1.0.0` and --package-version 2.0 disagree");
    // Well-formed: it gets as far as looking for the interpreter.
    run(&["rxa-app==1.0.0", "--pythons", "3.99"])
        .code(3)
        .stderr_has("Python 3.99: not found");
}
