//! One fresh environment per interpreter, the two-step install, and the
//! checks, run for every interpreter in parallel.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::time::Duration;

use pbx_python::{Interpreter, PythonRequest};
use pbx_version::{PackageName, Version};
use serde::Serialize;
use url::Url;

use crate::exec::{self, Outcome};
use crate::report::{Row, Status};

/// `--installer auto|uv|pip`.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum InstallerChoice {
    /// uv when it is on PATH, else pip.
    #[default]
    Auto,
    /// uv; a missing uv is an environment error.
    Uv,
    /// `python -m venv` and pip.
    Pip,
}

impl std::str::FromStr for InstallerChoice {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s {
            "auto" => Ok(InstallerChoice::Auto),
            "uv" => Ok(InstallerChoice::Uv),
            "pip" => Ok(InstallerChoice::Pip),
            other => Err(format!(
                "unknown installer `{other}`: expected auto, uv or pip"
            )),
        }
    }
}

/// The tool that creates environments and installs into them.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub enum Backend {
    /// `uv venv` + `uv pip install` with this uv.
    Uv(PathBuf),
    /// `python -m venv` + `python -m pip install --no-cache-dir`.
    Pip,
}

impl Backend {
    /// Picks the backend: uv from `path` (a `PATH` value) for `auto` and
    /// `uv`. `Err` names what is missing (exit 3).
    pub fn select(
        choice: InstallerChoice,
        path: Option<&std::ffi::OsStr>,
    ) -> Result<Backend, String> {
        let uv = path.and_then(|p| {
            pbx_python::find_on_path(if cfg!(windows) { "uv.exe" } else { "uv" }, p)
                .into_iter()
                .next()
        });
        match (choice, uv) {
            (InstallerChoice::Pip, _) | (InstallerChoice::Auto, None) => Ok(Backend::Pip),
            (_, Some(uv)) => Ok(Backend::Uv(uv)),
            (InstallerChoice::Uv, None) => Err("--installer uv: no `uv` on PATH".to_string()),
        }
    }

    /// `uv` or `pip`.
    pub fn name(&self) -> &'static str {
        match self {
            Backend::Uv(_) => "uv",
            Backend::Pip => "pip",
        }
    }
}

fn uv_command(uv: &Path) -> Command {
    let mut cmd = Command::new(uv);
    exec::sanitize(&mut cmd);
    cmd
}

/// A uv command that makes no request (`uv venv` without downloads,
/// `uv pip check`): without `SSL_CERT_FILE` and `SSL_CERT_DIR`, which uv
/// otherwise reads at start, every certificate of the directory (3–5 ms
/// of CPU per run where they are set, for nothing).
fn offline_uv_command(uv: &Path) -> Command {
    let mut cmd = uv_command(uv);
    cmd.env_remove("SSL_CERT_FILE").env_remove("SSL_CERT_DIR");
    cmd
}

/// Everything an interpreter's job needs, the same for all of them.
#[derive(Clone, Debug)]
pub struct Plan {
    /// The package.
    pub package: PackageName,
    /// The exact version.
    pub version: Version,
    /// The upload index's simple URL: the target comes from here, alone.
    pub index: Url,
    /// The dependency index's simple URL: every dependency comes from here.
    pub deps_index: Url,
    /// `--only-binary :all:` for the target (false when only an sdist is
    /// there).
    pub only_binary: bool,
    /// A hash-pinned requirements file's text (`--dist`).
    pub pinned: Option<String>,
    /// How many local artifacts the pin allows.
    pub pinned_count: usize,
    /// Modules to import.
    pub imports: Vec<String>,
    /// Shell commands to run.
    pub smoke: Vec<String>,
    /// The installer.
    pub backend: Backend,
}

impl Plan {
    fn requirement(&self) -> String {
        format!("{}=={}", self.package, self.version.canonical())
    }

    /// The rows every interpreter gets, in order.
    pub fn checks(&self) -> Vec<String> {
        let mut checks: Vec<String> = ["venv", "install", "dependencies", "pip check", "version"]
            .into_iter()
            .map(String::from)
            .collect();
        checks.extend(self.imports.iter().map(|m| format!("import {m}")));
        checks.extend(self.smoke.iter().map(|c| format!("smoke: {c}")));
        checks
    }
}

/// Receives rows as they finish (the binary prints progress).
pub trait Progress: Sync {
    /// A row finished.
    fn row(&self, row: &Row);

    /// Every step of one interpreter finished (or stopped): its rows, in
    /// order, and the time its job took.
    fn finished(&self, _python: PythonRequest, _rows: &[Row], _took: Duration) {}
}

/// An interpreter's environment, made ahead of the rest of its job (see
/// [`make_env`]): the `venv` step's outcome and row text, or why its
/// directory could not be created.
#[derive(Debug)]
pub(crate) struct EnvMade {
    /// How long making it took (part of the job's time).
    took: Duration,
    made: Result<(Outcome, String), String>,
}

/// An environment being made ahead, for the job that will use it.
pub(crate) type Ahead<'scope> =
    std::sync::Mutex<Option<std::thread::ScopedJoinHandle<'scope, EnvMade>>>;

/// Makes the environment of `interpreter` in `dir` (`dir/env`, with an
/// empty `dir/work` to run in).
pub(crate) fn make_env(
    backend: &Backend,
    interpreter: &Interpreter,
    dir: &Path,
    cancel: &AtomicBool,
) -> EnvMade {
    let started = std::time::Instant::now();
    let work = work_in(dir);
    if let Err(err) = std::fs::create_dir_all(&work) {
        return EnvMade {
            took: started.elapsed(),
            made: Err(format!("cannot create {}: {err}", dir.display())),
        };
    }
    let python = &interpreter.executable;
    let env = env_in(dir);
    let mut cmd = match backend {
        Backend::Uv(uv) => {
            let mut cmd = offline_uv_command(uv);
            cmd.args([
                "venv",
                "--no-config",
                "--no-python-downloads",
                "--quiet",
                "--python",
            ])
            .arg(python)
            .arg(&env);
            cmd
        }
        Backend::Pip => {
            let mut cmd = step_command(python, &work);
            cmd.args(["-m", "venv"]).arg(&env);
            cmd
        }
    };
    cmd.current_dir(&work);
    let outcome = exec::run(&mut cmd, cancel);
    let detail = format!(
        "Python {} ({}, {}) with {}",
        interpreter.version,
        python.display(),
        interpreter.source,
        match backend {
            Backend::Uv(_) => "uv venv",
            Backend::Pip => "python -m venv",
        }
    );
    EnvMade {
        took: started.elapsed(),
        made: Ok((outcome, detail)),
    }
}

/// The directory of `python`'s environment and work directory under
/// `root`.
pub(crate) fn job_dir(root: &Path, python: PythonRequest) -> PathBuf {
    root.join(format!("py{python}"))
}

/// The environment in a job's directory.
fn env_in(dir: &Path) -> PathBuf {
    dir.join("env")
}

/// The empty directory a job's commands run in.
fn work_in(dir: &Path) -> PathBuf {
    dir.join("work")
}

/// `program`, sanitized, run in `work`.
fn step_command(program: &Path, work: &Path) -> Command {
    let mut cmd = Command::new(program);
    exec::sanitize(&mut cmd);
    cmd.current_dir(work);
    cmd
}

/// Runs `jobs` interpreters at a time (each its own environment under
/// `root`); returns every interpreter's rows in the order given. `ahead`
/// holds, for each interpreter in order, the environment being made
/// already (empty: each job makes its own).
pub(crate) fn run_all(
    plan: &Plan,
    interpreters: &[(PythonRequest, Interpreter)],
    root: &Path,
    jobs: usize,
    cancel: &AtomicBool,
    progress: &dyn Progress,
    ahead: &[Ahead<'_>],
) -> Vec<Vec<Row>> {
    let next = AtomicUsize::new(0);
    let results: Vec<std::sync::Mutex<Vec<Row>>> =
        interpreters.iter().map(|_| Default::default()).collect();
    let workers = jobs.clamp(1, interpreters.len().max(1));
    std::thread::scope(|scope| {
        for _ in 0..workers {
            scope.spawn(|| loop {
                let i = next.fetch_add(1, Ordering::SeqCst);
                let Some((request, interpreter)) = interpreters.get(i) else {
                    break;
                };
                let made = ahead
                    .get(i)
                    .and_then(|slot| slot.lock().unwrap_or_else(|e| e.into_inner()).take())
                    .map(|handle| {
                        handle
                            .join()
                            .unwrap_or_else(|panic| std::panic::resume_unwind(panic))
                    });
                // An environment made ahead (while the index was asked)
                // counts in the job's time, the wait for the index not.
                let ahead_took = made.as_ref().map_or(Duration::ZERO, |m| m.took);
                let started = std::time::Instant::now();
                let rows = Job {
                    plan,
                    python: *request,
                    interpreter,
                    dir: job_dir(root, *request),
                    cancel,
                    progress,
                    rows: Vec::new(),
                }
                .run(made);
                progress.finished(*request, &rows, ahead_took + started.elapsed());
                *results[i].lock().unwrap_or_else(|e| e.into_inner()) = rows;
            });
        }
    });
    results
        .into_iter()
        .map(|m| m.into_inner().unwrap_or_else(|e| e.into_inner()))
        .collect()
}

struct Job<'a> {
    plan: &'a Plan,
    python: PythonRequest,
    interpreter: &'a Interpreter,
    dir: PathBuf,
    cancel: &'a AtomicBool,
    progress: &'a dyn Progress,
    rows: Vec<Row>,
}

impl Job<'_> {
    fn env(&self) -> PathBuf {
        env_in(&self.dir)
    }

    fn work(&self) -> PathBuf {
        work_in(&self.dir)
    }

    fn env_bin(&self) -> PathBuf {
        if cfg!(windows) {
            self.env().join("Scripts")
        } else {
            self.env().join("bin")
        }
    }

    fn env_python(&self) -> PathBuf {
        self.env_bin().join(if cfg!(windows) {
            "python.exe"
        } else {
            "python"
        })
    }

    fn push(
        &mut self,
        check: &str,
        status: Status,
        duration: Duration,
        detail: String,
        output: String,
    ) {
        let row = Row {
            python: self.python,
            check: check.to_string(),
            status,
            duration_ms: duration.as_millis() as u64,
            detail,
            output,
        };
        self.progress.row(&row);
        self.rows.push(row);
    }

    /// Records a step's outcome; returns whether it passed.
    fn step(
        &mut self,
        check: &str,
        outcome: &Outcome,
        passed: String,
        failed: impl FnOnce(&Outcome) -> String,
    ) -> bool {
        if outcome.ok {
            self.push(
                check,
                Status::Passed,
                outcome.duration,
                passed,
                String::new(),
            );
        } else {
            let detail = failed(outcome);
            self.push(
                check,
                Status::Failed,
                outcome.duration,
                detail,
                outcome.tail(),
            );
        }
        outcome.ok
    }

    fn not_run(&mut self, from: usize, why: &str) {
        for check in self.plan.checks().into_iter().skip(from) {
            self.push(
                &check,
                Status::NotRun,
                Duration::ZERO,
                why.to_string(),
                String::new(),
            );
        }
    }

    fn command(&self, program: &Path) -> Command {
        step_command(program, &self.work())
    }

    fn run(mut self, made: Option<EnvMade>) -> Vec<Row> {
        let made = made.unwrap_or_else(|| {
            make_env(&self.plan.backend, self.interpreter, &self.dir, self.cancel)
        });
        let mut venv = match made.made {
            Ok(made) => Some(made),
            Err(why) => {
                self.push("venv", Status::Failed, Duration::ZERO, why, String::new());
                self.not_run(1, "the environment could not be created");
                return self.rows;
            }
        };
        for (i, check) in ["venv", "install", "dependencies"].into_iter().enumerate() {
            let (outcome, passed) = match venv.take() {
                Some(made) => made,
                None if check == "install" => self.install_target(),
                None => self.install_dependencies(),
            };
            let ok = self.step(check, &outcome, passed, |o| failure_detail(o, check));
            if !ok {
                let why = if outcome.cancelled {
                    "interrupted"
                } else {
                    "an earlier step failed"
                };
                self.not_run(i + 1, why);
                return self.rows;
            }
        }
        // `pip check`, the version and the imports only read the finished
        // environment: the installer's check runs beside the others, and
        // the rows keep their order.
        let (pip_check, version, imports) = std::thread::scope(|scope| {
            let pip_check = scope.spawn(|| self.pip_check());
            let version = self.read_version();
            let imports: Vec<(String, Outcome)> = self
                .plan
                .imports
                .iter()
                .map(|module| {
                    let outcome = self.run_cmd(self.command(&self.env_python()).args([
                        "-I",
                        "-c",
                        "import importlib, sys; importlib.import_module(sys.argv[1])",
                        module,
                    ]));
                    (module.clone(), outcome)
                })
                .collect();
            let pip_check = pip_check
                .join()
                .unwrap_or_else(|panic| std::panic::resume_unwind(panic));
            (pip_check, version, imports)
        });
        self.step(
            "pip check",
            &pip_check,
            "no broken requirements".into(),
            |o| failure_detail(o, "pip check"),
        );
        self.check_version(version);
        for (module, outcome) in imports {
            self.step(
                &format!("import {module}"),
                &outcome,
                "imported".into(),
                |o| failure_detail(o, "the import"),
            );
        }
        for command in self.plan.smoke.clone() {
            let mut cmd = if cfg!(windows) {
                let mut c = self.command(Path::new("cmd"));
                c.args(["/C", &command]);
                c
            } else {
                let mut c = self.command(Path::new("sh"));
                c.args(["-c", &command]);
                c
            };
            let path = std::env::var_os("PATH").unwrap_or_default();
            let mut dirs = vec![self.env_bin()];
            dirs.extend(std::env::split_paths(&path));
            if let Ok(joined) = std::env::join_paths(dirs) {
                cmd.env("PATH", joined);
            }
            cmd.env("PBX_PYTHON", self.env_python())
                .env("VIRTUAL_ENV", self.env());
            let outcome = self.run_cmd(&mut cmd);
            self.step(
                &format!("smoke: {command}"),
                &outcome,
                "exit status 0".into(),
                |o| failure_detail(o, "the command"),
            );
        }
        self.rows
    }

    fn run_cmd(&self, cmd: &mut Command) -> Outcome {
        exec::run(cmd, self.cancel)
    }

    fn install_cmd(&self, index: &Url) -> Command {
        match &self.plan.backend {
            Backend::Uv(uv) => {
                let mut cmd = uv_command(uv);
                cmd.current_dir(self.work())
                    .args(["pip", "install", "--no-config", "--python"])
                    .arg(self.env_python())
                    .args(["--index-url", index.as_str()]);
                cmd
            }
            Backend::Pip => {
                let mut cmd = self.command(&self.env_python());
                cmd.args([
                    "-m",
                    "pip",
                    "install",
                    "--isolated",
                    "--no-cache-dir",
                    "--disable-pip-version-check",
                    "--no-input",
                    "--index-url",
                    index.as_str(),
                ]);
                cmd
            }
        }
    }

    fn install_target(&self) -> (Outcome, String) {
        let plan = self.plan;
        let mut cmd = self.install_cmd(&plan.index);
        cmd.arg("--no-deps");
        if plan.only_binary {
            cmd.args(["--only-binary", ":all:"]);
        }
        if let Backend::Uv(_) = plan.backend {
            cmd.args(["--refresh-package", plan.package.as_str()]);
        }
        let mut how = vec!["no dependencies".to_string()];
        how.push(
            if plan.only_binary {
                "wheel only"
            } else {
                "sdist"
            }
            .to_string(),
        );
        if let Some(pinned) = &plan.pinned {
            let file = self.dir.join("requirements.txt");
            if let Err(err) = std::fs::write(&file, pinned) {
                return (
                    Outcome {
                        ok: false,
                        code: None,
                        output: format!("cannot write {}: {err}", file.display()),
                        stdout: String::new(),
                        duration: Duration::ZERO,
                        cancelled: false,
                    },
                    String::new(),
                );
            }
            cmd.arg("--require-hashes").arg("-r").arg(&file);
            how.push(format!(
                "hash-pinned to {} local artifact(s)",
                plan.pinned_count
            ));
        } else {
            cmd.arg(plan.requirement());
        }
        let outcome = self.run_cmd(&mut cmd);
        let detail = format!(
            "{} from {} ({})",
            plan.requirement(),
            plan.index,
            how.join(", ")
        );
        (outcome, detail)
    }

    fn install_dependencies(&self) -> (Outcome, String) {
        let plan = self.plan;
        let mut cmd = self.install_cmd(&plan.deps_index);
        cmd.arg(plan.requirement());
        let outcome = self.run_cmd(&mut cmd);
        let detail = format!(
            "dependencies of {} from {}",
            plan.requirement(),
            plan.deps_index
        );
        (outcome, detail)
    }

    fn pip_check(&self) -> Outcome {
        match &self.plan.backend {
            Backend::Uv(uv) => self.run_cmd(
                offline_uv_command(uv)
                    .current_dir(self.work())
                    .args(["pip", "check", "--no-config", "--python"])
                    .arg(self.env_python()),
            ),
            Backend::Pip => self.run_cmd(self.command(&self.env_python()).args([
                "-m",
                "pip",
                "check",
                "--isolated",
                "--disable-pip-version-check",
            ])),
        }
    }

    /// The installed version of the package: read from the one
    /// `.dist-info` the installer wrote into the environment's
    /// site-packages (what `importlib.metadata` reads, without starting an
    /// interpreter: its `importlib.metadata` import alone costs 30–50 ms);
    /// through Python when the layout is not the usual one.
    fn read_version(&self) -> VersionRead {
        let started = std::time::Instant::now();
        match installed_version(&self.env(), &self.plan.package) {
            Some(Ok(version)) => VersionRead::Read {
                version,
                duration: started.elapsed(),
            },
            Some(Err(problem)) => VersionRead::Unclear {
                problem,
                duration: started.elapsed(),
            },
            None => VersionRead::Python(self.run_cmd(self.command(&self.env_python()).args([
                "-I",
                "-c",
                "import importlib.metadata as m, sys; sys.stdout.write(m.version(sys.argv[1]))",
                self.plan.package.as_str(),
            ]))),
        }
    }

    fn check_version(&mut self, read: VersionRead) {
        let outcome = match read {
            VersionRead::Python(outcome) => outcome,
            VersionRead::Read { version, duration } => Outcome {
                ok: true,
                code: Some(0),
                output: String::new(),
                stdout: version,
                duration,
                cancelled: false,
            },
            VersionRead::Unclear { problem, duration } => {
                self.push("version", Status::Failed, duration, problem, String::new());
                return;
            }
        };
        if !outcome.ok {
            self.step("version", &outcome, String::new(), |o| {
                failure_detail(o, "reading the installed version")
            });
            return;
        }
        let installed = outcome.stdout.trim().to_string();
        let expected = &self.plan.version;
        match Version::parse(&installed) {
            Ok(v) if &v == expected => self.push(
                "version",
                Status::Passed,
                outcome.duration,
                format!("{installed} installed"),
                String::new(),
            ),
            Ok(_) => self.push(
                "version",
                Status::Failed,
                outcome.duration,
                format!("installed {installed}, expected {}", expected.canonical()),
                String::new(),
            ),
            Err(err) => self.push(
                "version",
                Status::Failed,
                outcome.duration,
                format!(
                    "the installed version is not PEP 440: {}",
                    pbx_index::text::one_safe_line(&err.to_string(), 300)
                ),
                String::new(),
            ),
        }
    }
}

/// `ModuleNotFoundError: No module named 'x' (exit status 1)`: the last
/// line of the output, which is where Python and the installers put the
/// reason.
fn failure_detail(outcome: &Outcome, what: &str) -> String {
    let last = outcome
        .output
        .lines()
        .rev()
        .map(str::trim)
        .find(|l| !l.is_empty());
    match last {
        Some(line) => {
            let line: String = line.chars().take(300).collect();
            format!("{line} ({})", outcome.status_text())
        }
        None => format!("{what} failed ({})", outcome.status_text()),
    }
}

/// How the installed version was found.
enum VersionRead {
    /// From the environment's `.dist-info`.
    Read { version: String, duration: Duration },
    /// Two installed copies of the package, or an unreadable `METADATA`.
    Unclear { problem: String, duration: Duration },
    /// Through `importlib.metadata` (no `.dist-info` where expected).
    Python(Outcome),
}

/// The version in the `METADATA` of `package`'s `.dist-info` in the
/// site-packages of the environment at `env` (`lib/*/site-packages` on
/// POSIX, `Lib/site-packages` on Windows). `None` when there is no such
/// directory or no `.dist-info` of the package (let Python look);
/// `Err` when there are several or the file cannot be read.
pub(crate) fn installed_version(
    env: &Path,
    package: &PackageName,
) -> Option<Result<String, String>> {
    let mut site_packages = vec![env.join("Lib").join("site-packages")];
    if let Ok(entries) = std::fs::read_dir(env.join("lib")) {
        site_packages.extend(entries.flatten().map(|e| e.path().join("site-packages")));
    }
    let mut found = Vec::new();
    for dir in site_packages {
        let Ok(entries) = std::fs::read_dir(&dir) else {
            continue;
        };
        for entry in entries.flatten() {
            let name = entry.file_name();
            let Some(stem) = name.to_str().and_then(|n| n.strip_suffix(".dist-info")) else {
                continue;
            };
            let project = stem.split('-').next().unwrap_or("");
            if pbx_version::normalize(project) == package.as_str() {
                found.push(entry.path());
            }
        }
    }
    let dist_info = match found.as_slice() {
        [] => return None,
        [one] => one,
        several => {
            let names: Vec<String> = several.iter().map(|p| p.display().to_string()).collect();
            return Some(Err(format!(
                "{} is installed more than once: {}",
                package,
                names.join(", ")
            )));
        }
    };
    let metadata = dist_info.join("METADATA");
    let text = match pbx_project::read_text_file(&metadata) {
        Ok(text) => text,
        Err(err) => return Some(Err(format!("cannot read {}: {err}", metadata.display()))),
    };
    match pbx_artifact::CoreMetadata::parse(&text).get("Version") {
        Some(version) => Some(Ok(version.trim().to_string())),
        None => Some(Err(format!("{} has no Version field", metadata.display()))),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn dist_info(env: &Path, site: &str, dir: &str, metadata: &str) {
        let path = env.join(site).join(dir);
        std::fs::create_dir_all(&path).unwrap();
        std::fs::write(path.join("METADATA"), metadata).unwrap();
    }

    #[test]
    fn the_installed_version_is_read_from_the_one_dist_info_of_the_package() {
        let env = tempfile::tempdir().unwrap();
        let site = "lib/python3.12/site-packages";
        let name = PackageName::new("Demo.Pkg").unwrap();
        // No site-packages yet, then none of this package: Python decides.
        assert_eq!(installed_version(env.path(), &name), None);
        dist_info(
            env.path(),
            site,
            "other-2.0.dist-info",
            "Name: other\nVersion: 2.0\n",
        );
        assert_eq!(installed_version(env.path(), &name), None);

        dist_info(
            env.path(),
            site,
            "demo_pkg-1.4.0.post1.dist-info",
            "Metadata-Version: 2.4\nName: Demo.Pkg\nVersion: 1.4.0.post1\n\nVersion: 9.9.9 (in the description)\n",
        );
        assert_eq!(
            installed_version(env.path(), &name),
            Some(Ok("1.4.0.post1".to_string()))
        );

        // Two installed copies: which one Python imports is not clear.
        dist_info(
            env.path(),
            site,
            "Demo_Pkg-1.3.0.dist-info",
            "Name: Demo.Pkg\nVersion: 1.3.0\n",
        );
        let err = installed_version(env.path(), &name).unwrap().unwrap_err();
        assert!(err.contains("installed more than once"), "{err}");
    }

    #[test]
    fn a_dist_info_without_a_readable_version_fails_the_check() {
        let env = tempfile::tempdir().unwrap();
        let name = PackageName::new("demo").unwrap();
        dist_info(
            env.path(),
            "Lib/site-packages",
            "demo-1.0.dist-info",
            "Name: demo\n",
        );
        let err = installed_version(env.path(), &name).unwrap().unwrap_err();
        assert!(err.contains("has no Version field"), "{err}");

        let env = tempfile::tempdir().unwrap();
        let path = env
            .path()
            .join("lib/python3.11/site-packages/demo-1.0.dist-info");
        std::fs::create_dir_all(path.join("METADATA")).unwrap();
        let err = installed_version(env.path(), &name).unwrap().unwrap_err();
        assert!(err.contains("cannot read"), "{err}");
    }
}
