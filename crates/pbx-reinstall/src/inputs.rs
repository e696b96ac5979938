//! From what the user asked for (flags, environment) and the project's
//! `[tool.pbx.reinstall]` to a [`Request`]: every default of pbx-reinstall
//! is decided here.

use std::ffi::OsStr;
use std::path::{Path, PathBuf};
use std::time::Duration;

use pbx_index::IndexUrls;
use pbx_project::Pyproject;
use pbx_python::PythonRequest;
use pbx_report::Location;
use pbx_version::{PackageName, Version};

use crate::install::{Backend, InstallerChoice};
use crate::Request;

/// The interpreters asked for when neither `--pythons`, `--python` nor
/// `[tool.pbx.reinstall] pythons` says otherwise.
pub const DEFAULT_PYTHONS: &[&str] = &["3.11", "3.12", "3.13"];

/// What the user asked for, before defaults (the binary fills it from its
/// flags and their `PBX_*` variables).
#[derive(Clone, Debug)]
pub struct Inputs {
    /// `--project`: where pyproject.toml (and its defaults) is read.
    pub project_dir: PathBuf,
    /// `--package`; default: `[project].name`.
    pub package: Option<String>,
    /// `--version`; default: `[project].version`.
    pub version: Option<String>,
    /// `--pythons`; default: `[tool.pbx.reinstall] pythons`, else
    /// [`DEFAULT_PYTHONS`] (none when only `--python` paths are given).
    pub pythons: Vec<String>,
    /// Whether `--python PATH` was given.
    pub explicit_interpreters: bool,
    /// `--index`: `pypi`, `testpypi` or a URL.
    pub index: String,
    /// `--deps-index`: `pypi` or a URL.
    pub deps_index: String,
    /// `--dist`.
    pub dist: Option<PathBuf>,
    /// `--import`; default: `[tool.pbx.reinstall] imports`.
    pub imports: Vec<String>,
    /// `--smoke`; default: `[tool.pbx.reinstall] smoke`.
    pub smoke: Vec<String>,
    /// `--wait`.
    pub wait: Duration,
    /// `--installer`: `auto`, `uv` or `pip`.
    pub installer: String,
    /// `--jobs` (0: all).
    pub jobs: usize,
}

/// A pbx-reinstall input that cannot be used.
#[derive(Debug, thiserror::Error)]
pub enum InputError {
    /// pyproject.toml cannot be used.
    #[error(transparent)]
    Project(#[from] pbx_project::ProjectError),
    /// `--package` is not a project name.
    #[error("--package: {0}")]
    Package(String),
    /// No package named and no project.
    #[error("no --package (or NAME==VERSION), and no pyproject.toml in {}", dir.display())]
    NoPackage {
        /// Where the project was looked for.
        dir: PathBuf,
    },
    /// `--version` is not PEP 440.
    #[error("--package-version: {0}")]
    Version(String),
    /// `[project].version` is not PEP 440.
    #[error("{reason}")]
    ProjectVersion {
        /// Why.
        reason: String,
        /// Where.
        location: Location,
    },
    /// `dynamic = ["version"]` and no `--version`.
    #[error("the version is dynamic in pyproject.toml: pbx-reinstall needs it given")]
    Dynamic {
        /// The declaration.
        location: Location,
    },
    /// No version anywhere.
    #[error("no --package-version (or NAME==VERSION), and no pyproject.toml for this package")]
    NoVersion,
    /// `--pythons` holds something that is not `X.Y`.
    #[error("--pythons: {0}")]
    Pythons(String),
    /// `--index` or `--deps-index` is not an index.
    #[error("{flag}: {source}")]
    Index {
        /// The flag.
        flag: &'static str,
        /// Why.
        source: pbx_index::IndexError,
    },
    /// `--installer` is unknown.
    #[error("{0}")]
    Installer(String),
    /// The installer asked for is not on this machine.
    #[error("{0}")]
    NoInstaller(String),
}

impl Inputs {
    /// Applies the defaults and validates everything: the [`Request`] to
    /// run and the interpreter versions to find. `path` is the `PATH` the
    /// installer is looked up on.
    pub fn resolve(
        &self,
        path: Option<&OsStr>,
    ) -> Result<(Request, Vec<PythonRequest>), InputError> {
        let project = project(&self.project_dir)?;
        let package = match (&self.package, &project) {
            (Some(name), _) => {
                PackageName::new(name).map_err(|err| InputError::Package(err.to_string()))?
            }
            (None, Some(project)) => project.package.clone(),
            (None, None) => {
                return Err(InputError::NoPackage {
                    dir: self.project_dir.clone(),
                })
            }
        };
        // [tool.pbx.reinstall] only counts when it is this package's project.
        let project = project.filter(|p| p.package == package);
        let version = match (&self.version, &project) {
            (Some(text), _) => {
                Version::parse(text).map_err(|err| InputError::Version(err.to_string()))?
            }
            (None, Some(project)) => match &project.version {
                pbx_project::ProjectVersion::Static(located) => Version::parse(&located.value)
                    .map_err(|err| InputError::ProjectVersion {
                        reason: err.to_string(),
                        location: located.location.clone(),
                    })?,
                pbx_project::ProjectVersion::Dynamic(location) => {
                    return Err(InputError::Dynamic {
                        location: location.clone(),
                    })
                }
            },
            (None, None) => return Err(InputError::NoVersion),
        };
        let config = project
            .as_ref()
            .map(|p| p.config.reinstall.clone())
            .unwrap_or_default();
        let python_texts: Vec<String> = if !self.pythons.is_empty() {
            self.pythons.clone()
        } else if let Some(pythons) = &config.pythons {
            pythons.clone()
        } else if self.explicit_interpreters {
            Vec::new()
        } else {
            DEFAULT_PYTHONS.iter().map(|p| p.to_string()).collect()
        };
        let mut requests: Vec<PythonRequest> = Vec::new();
        for text in python_texts
            .iter()
            .map(|t| t.trim())
            .filter(|t| !t.is_empty())
        {
            let request: PythonRequest = text
                .parse()
                .map_err(|err: pbx_python::RequestError| InputError::Pythons(err.to_string()))?;
            if !requests.contains(&request) {
                requests.push(request);
            }
        }
        let imports = if self.imports.is_empty() {
            config.imports.clone()
        } else {
            self.imports.clone()
        };
        let smoke = if self.smoke.is_empty() {
            config.smoke.clone()
        } else {
            self.smoke.clone()
        };
        let resolve = |text: &str, flag: &'static str| {
            IndexUrls::resolve(text)
                .map(|urls| urls.simple)
                .map_err(|source| InputError::Index { flag, source })
        };
        let index = resolve(&self.index, "--index")?;
        let deps_index = resolve(&self.deps_index, "--deps-index")?;
        let choice: InstallerChoice = self.installer.parse().map_err(InputError::Installer)?;
        let backend = Backend::select(choice, path).map_err(InputError::NoInstaller)?;
        let request = Request {
            package,
            version,
            index,
            deps_index,
            dist: self.dist.clone(),
            imports,
            smoke,
            wait: self.wait,
            backend,
            jobs: self.jobs,
        };
        Ok((request, requests))
    }
}

/// The project in `dir`, when it has a pyproject.toml.
fn project(dir: &Path) -> Result<Option<Pyproject>, InputError> {
    let path = dir.join("pyproject.toml");
    if !path.exists() {
        return Ok(None);
    }
    Ok(Some(Pyproject::read(&path)?))
}
