//! docs/design.md rule 5, "installable or not released": the exact published
//! version, installed fresh from the index it was uploaded to, on every
//! interpreter of the matrix, with its version, imports and smoke commands
//! checked.
//!
//! The steps of [`reinstall`]:
//!
//! 1. With `--dist`, the local artifacts of the version and their sha256
//!    ([`read_dist`]).
//! 2. Wait until the upload index lists the version (with `--dist`: every
//!    local filename, with the local sha256), polling the simple API with
//!    `Cache-Control: no-cache` and a 1 s → 1.5 s backoff
//!    ([`wait_for_version`]). A listed file whose digest differs from the
//!    local one fails at once. No install is ever retried to find out.
//! 3. `Requires-Python` (the local wheel's METADATA, else the index's
//!    `data-requires-python`, else the METADATA of the version's wheel on
//!    the index) decides which interpreters apply; the others
//!    get a "not applicable" row.
//! 4. For each interpreter, in parallel, in its own environment under a
//!    temporary root ([`EnvRoot`]): the environment (`uv venv` or
//!    `python -m venv`, made while steps 2 and 3 run when every
//!    interpreter runs at once: it does not depend on the index's answer);
//!    the target alone from the upload index (`--no-deps`, `--only-binary :all:` unless only an sdist exists,
//!    `--require-hashes` with `--dist`); the same `name==version` again with
//!    only the dependency index, so every dependency comes from there (never
//!    `--extra-index-url`: a same-named package on the upload index is never
//!    a candidate); `pip check`; then, with `python -I` in an empty working
//!    directory, the installed version (PEP 440 equality), each import and
//!    each smoke command.
//! 5. A [`Report`]: one row per interpreter × check (JSON; pbx-app renders
//!    the text table, JUnit XML and Markdown); [`Report::merge`] combines
//!    per-job reports.
#![deny(missing_docs)]

mod exec;
mod inputs;
mod install;
mod local;
mod report;
mod wait;

use std::path::{Path, PathBuf};
use std::sync::atomic::AtomicBool;
use std::time::Duration;

use pbx_index::Client;
use pbx_python::{Interpreter, PythonRequest, Search};
use pbx_version::{PackageName, Version};
use url::Url;

pub use inputs::{InputError, Inputs, DEFAULT_PYTHONS};
use install::run_all;
pub use install::{Backend, InstallerChoice, Plan, Progress};
pub use local::{local_requires_python, pinned_requirement, read_dist, DistError, LocalArtifact};
pub use report::{InterpreterReport, MergeError, Report, Row, Status};
pub use wait::{wait_for_version, Listing, WaitError, WaitEvent, WaitFor};

/// What to reinstall and how.
#[derive(Clone, Debug)]
pub struct Request {
    /// The package.
    pub package: PackageName,
    /// The exact version.
    pub version: Version,
    /// The upload index's simple URL.
    pub index: Url,
    /// The dependency index's simple URL.
    pub deps_index: Url,
    /// Locally built artifacts to pin the install to.
    pub dist: Option<PathBuf>,
    /// Modules to import.
    pub imports: Vec<String>,
    /// Smoke commands.
    pub smoke: Vec<String>,
    /// How long to wait for the index to list the version.
    pub wait: Duration,
    /// The installer.
    pub backend: Backend,
    /// Interpreters at a time.
    pub jobs: usize,
}

/// Observes a run (the binary prints progress on stderr).
pub trait Reporter: Progress {
    /// While waiting for the index.
    fn wait(&self, event: &WaitEvent);
    /// The index lists what is needed.
    fn listed(&self, listing: &Listing);
}

/// Why a run stopped before it could report.
#[derive(Debug, thiserror::Error)]
pub enum ReinstallError {
    /// `--dist` is unusable (exit 2).
    #[error(transparent)]
    Dist(#[from] DistError),
    /// The version never showed up, or showed up with other bytes (exit 1),
    /// or the index is unreachable (exit 3).
    #[error(transparent)]
    Wait(#[from] WaitError),
}

/// The temporary directory holding one environment per interpreter:
/// removed when dropped unless kept (`--keep-envs`).
#[derive(Debug)]
pub struct EnvRoot {
    dir: Option<tempfile::TempDir>,
    path: PathBuf,
}

impl EnvRoot {
    /// Creates `pbx-reinstall-XXXX` in the system temp directory.
    pub fn create(keep: bool) -> std::io::Result<EnvRoot> {
        let dir = tempfile::Builder::new()
            .prefix("pbx-reinstall-")
            .tempdir()?;
        let path = dir.path().to_path_buf();
        Ok(if keep {
            EnvRoot {
                path: dir.keep(),
                dir: None,
            }
        } else {
            EnvRoot {
                dir: Some(dir),
                path,
            }
        })
    }

    /// Its path.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Whether it stays after the run.
    pub fn kept(&self) -> bool {
        self.dir.is_none()
    }

    /// Removes it now (unless kept), reporting failure.
    pub fn remove(mut self) -> std::io::Result<()> {
        match self.dir.take() {
            Some(dir) => dir.close(),
            None => Ok(()),
        }
    }
}

/// Whether `requires_python` admits an interpreter of version
/// `interpreter` (`3.12.1`). Unparseable values admit everything: the
/// installer will have its say.
pub fn python_admitted(requires_python: &str, interpreter: &str) -> bool {
    let Ok(specifiers) = requires_python.parse::<pep440_rs::VersionSpecifiers>() else {
        return true;
    };
    match Version::parse(interpreter) {
        Ok(version) => specifiers.contains(version.as_pep440()),
        Err(_) => true,
    }
}

/// `Requires-Python` from the METADATA of the version's first wheel on the
/// index, for indexes that do not state `data-requires-python` (pypiserver,
/// some private registries). The wheel is downloaded into `root` and checked
/// against the listed sha256; when anything fails, `None`, and the install
/// step itself is left to enforce Requires-Python.
fn index_wheel_requires_python(
    client: &Client,
    listing: &Listing,
    root: &EnvRoot,
) -> Option<String> {
    let wheel = listing
        .files
        .iter()
        .find(|f| f.filename.ends_with(".whl"))?;
    let dir = root.path().join("index-metadata");
    std::fs::create_dir_all(&dir).ok()?;
    let path = dir.join(&wheel.filename);
    let sha256 = client.download_to(&wheel.url, &path).ok();
    let trusted = match (&sha256, &wheel.sha256) {
        (Some(got), Some(listed)) => got.eq_ignore_ascii_case(listed),
        (Some(_), None) => true,
        (None, _) => false,
    };
    let requires_python = trusted
        .then(|| pbx_artifact::read_wheel_metadata(&path).ok())
        .flatten()
        .and_then(|(_, metadata)| metadata.get("Requires-Python").map(str::to_string))
        .filter(|value| !value.trim().is_empty());
    let _ = std::fs::remove_dir_all(&dir);
    requires_python
}

/// Runs steps 1–5 for the interpreters `searches` found (a search without
/// an interpreter becomes a "missing" row: the caller decided to go on
/// without it).
pub fn reinstall(
    request: &Request,
    searches: Vec<Search>,
    client: &Client,
    root: &EnvRoot,
    cancel: &AtomicBool,
    reporter: &dyn Reporter,
) -> Result<Report, ReinstallError> {
    let local = match &request.dist {
        Some(dir) => read_dist(dir, &request.package, &request.version)?,
        None => Vec::new(),
    };
    // The environments do not depend on what the index answers: with every
    // interpreter run at once (the default `--jobs`), each is made while
    // the index is asked. One that Requires-Python then excludes, or a run
    // that stops at the wait, leaves it unused in the temporary root.
    let found: Vec<(PythonRequest, Interpreter)> = searches
        .iter()
        .filter_map(|s| s.found.clone().map(|found| (s.request, found)))
        .collect();
    let make_ahead = request.jobs == 0 || request.jobs >= found.len();
    std::thread::scope(|scope| {
        let mut made = Vec::new();
        if make_ahead {
            for (python, interpreter) in &found {
                let dir = install::job_dir(root.path(), *python);
                let backend = &request.backend;
                let handle =
                    scope.spawn(move || install::make_env(backend, interpreter, &dir, cancel));
                made.push((*python, handle));
            }
        }
        let (plan, runnable, interpreters, early_rows) =
            prepare(request, searches, &local, client, root, cancel, reporter)?;
        let jobs = if request.jobs == 0 {
            runnable.len()
        } else {
            request.jobs
        };
        // In the order of the runnable interpreters; the environments of
        // the others are joined when the scope ends.
        let ahead: Vec<install::Ahead<'_>> = if make_ahead {
            runnable
                .iter()
                .map(|(python, _)| {
                    let at = made.iter().position(|(p, _)| p == python);
                    std::sync::Mutex::new(at.map(|i| made.swap_remove(i).1))
                })
                .collect()
        } else {
            Vec::new()
        };
        let results = run_all(
            &plan,
            &runnable,
            root.path(),
            jobs,
            cancel,
            reporter,
            &ahead,
        );
        Ok(finish_report(
            request,
            interpreters,
            runnable,
            early_rows,
            results,
        ))
    })
}

/// What [`prepare`] decided: the plan, the interpreters it applies to, the
/// report's interpreter list and the rows already known.
type Prepared = (
    Plan,
    Vec<(PythonRequest, Interpreter)>,
    Vec<InterpreterReport>,
    Vec<Row>,
);

/// Steps 2 and 3: waits for the index to list the version, then decides the
/// plan and which interpreters it applies to.
fn prepare(
    request: &Request,
    searches: Vec<Search>,
    local: &[LocalArtifact],
    client: &Client,
    root: &EnvRoot,
    cancel: &AtomicBool,
    reporter: &dyn Reporter,
) -> Result<Prepared, ReinstallError> {
    let listing = wait_for_version(
        client,
        WaitFor {
            simple: &request.index,
            name: &request.package,
            version: &request.version,
            local,
        },
        request.wait,
        cancel,
        &|event| reporter.wait(event),
    )?;
    reporter.listed(&listing);
    let requires_python = match local_requires_python(local)? {
        Some(value) => Some(value),
        None => listing
            .requires_python()
            .map(str::to_string)
            .or_else(|| index_wheel_requires_python(client, &listing, root)),
    };
    let only_binary = if local.is_empty() {
        listing.has_wheel()
    } else {
        local
            .iter()
            .any(|a| a.kind == pbx_artifact::DistKind::Wheel)
    };
    let plan = Plan {
        package: request.package.clone(),
        version: request.version.clone(),
        index: request.index.clone(),
        deps_index: request.deps_index.clone(),
        only_binary,
        pinned: (!local.is_empty())
            .then(|| pinned_requirement(&request.package, &request.version, local)),
        pinned_count: local.len(),
        imports: request.imports.clone(),
        smoke: request.smoke.clone(),
        backend: request.backend.clone(),
    };

    let mut runnable: Vec<(PythonRequest, Interpreter)> = Vec::new();
    let mut interpreters = Vec::new();
    let mut early_rows: Vec<Row> = Vec::new();
    for search in searches {
        let status = match &search.found {
            None => {
                early_rows.push(Row {
                    python: search.request,
                    check: "interpreter".into(),
                    status: Status::Missing,
                    duration_ms: 0,
                    detail: format!(
                        "no Python {} found: {}",
                        search.request,
                        search.describe_misses()
                    ),
                    output: String::new(),
                });
                Status::Missing
            }
            Some(found) => match &requires_python {
                Some(spec) if !python_admitted(spec, &found.version) => {
                    early_rows.push(Row {
                        python: search.request,
                        check: "requires-python".into(),
                        status: Status::NotApplicable,
                        duration_ms: 0,
                        detail: format!("Requires-Python {spec} excludes Python {}", found.version),
                        output: String::new(),
                    });
                    Status::NotApplicable
                }
                _ => {
                    runnable.push((search.request, found.clone()));
                    Status::Passed
                }
            },
        };
        interpreters.push(InterpreterReport { search, status });
    }
    for row in &early_rows {
        reporter.row(row);
    }
    Ok((plan, runnable, interpreters, early_rows))
}

/// Step 5: the report, rows in the order of the interpreters.
fn finish_report(
    request: &Request,
    mut interpreters: Vec<InterpreterReport>,
    runnable: Vec<(PythonRequest, Interpreter)>,
    early_rows: Vec<Row>,
    results: Vec<Vec<Row>>,
) -> Report {
    let mut rows = early_rows;
    for ((python, _), job_rows) in runnable.iter().zip(results) {
        if job_rows.iter().any(|r| r.status == Status::Failed) {
            if let Some(i) = interpreters
                .iter_mut()
                .find(|i| i.search.request == *python)
            {
                i.status = Status::Failed;
            }
        }
        rows.extend(job_rows);
    }
    let order: Vec<PythonRequest> = interpreters.iter().map(|i| i.search.request).collect();
    rows.sort_by_key(|r| order.iter().position(|p| *p == r.python));
    let mut report = Report {
        package: request.package.to_string(),
        version: request.version.canonical(),
        index: request.index.to_string(),
        deps_index: request.deps_index.to_string(),
        installer: request.backend.name().to_string(),
        ok: true,
        interpreters,
        rows,
        warnings: Vec::new(),
    };
    if request.dist.is_none() {
        report.warnings.push(format!(
            "no --dist: {} {} was installed as the index serves it, not pinned to the bytes that were built; pass --dist DIR to install only those bytes (--require-hashes)",
            request.package,
            request.version.canonical()
        ));
    }
    report.refresh_ok();
    report
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn requires_python_decides_applicability() {
        assert!(python_admitted(">=3.12", "3.12.1"));
        assert!(!python_admitted(">=3.12", "3.11.7"));
        assert!(python_admitted(">=3.9,<4", "3.13.0"));
        assert!(!python_admitted("!=3.13.*", "3.13.0"));
        assert!(python_admitted("not a specifier", "3.11.7"));
    }
}
