//! Finding the Python interpreters a release is checked on, without ever
//! downloading one.
//!
//! A request names a minor version (`3.12`, [`PythonRequest`]). The
//! [`Finder`] looks for it in this order and reports where each was found
//! ([`Source`]):
//!
//! 1. explicit paths (`--python PATH`), probed first; a path whose version
//!    matches a request answers it;
//! 2. `pythonX.Y` in every `PATH` directory, in order. A candidate that does
//!    not run is skipped and the search goes on: pyenv's shims exit 127 for
//!    versions that are installed but not active;
//! 3. `$PYENV_ROOT/versions/X.Y.*` (default `~/.pyenv`), the highest patch;
//! 4. uv-managed installs (`$UV_PYTHON_INSTALL_DIR`, else
//!    `$XDG_DATA_HOME/uv/python`, else `~/.local/share/uv/python`), the
//!    highest CPython patch;
//! 5. `$RUNNER_TOOL_CACHE/Python/X.Y.*/x64` (the setup-python cache of
//!    GitHub's runners), the highest patch.
//!
//! Every candidate is probed with one `python -I -c` run that prints its
//! `sys.version_info`, implementation and `sys.executable` ([`probe`]); the
//! interpreter handed on is the probe's absolute `sys.executable`, so a shim
//! resolves to the real binary. Candidates that fail the probe or answer
//! another version are kept as [`Skipped`] with the reason, for the report.
#![deny(missing_docs)]

mod probe;

use std::ffi::OsString;
use std::fmt;
use std::path::{Path, PathBuf};
use std::str::FromStr;
use std::time::Duration;

use serde::{Deserialize, Serialize};

pub use probe::{probe, Probe, ProbeError, DEFAULT_PROBE_TIMEOUT};

/// A requested interpreter: `major.minor`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct PythonRequest {
    /// `3` in `3.12`.
    pub major: u64,
    /// `12` in `3.12`.
    pub minor: u64,
}

/// A request that is not `X.Y`.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("`{input}` is not a Python version of the form X.Y (e.g. 3.12)")]
pub struct RequestError {
    /// What was given.
    pub input: String,
}

impl FromStr for PythonRequest {
    type Err = RequestError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let bad = || RequestError {
            input: s.to_string(),
        };
        let trimmed = s.trim();
        let trimmed = trimmed
            .strip_prefix("python")
            .or_else(|| trimmed.strip_prefix("py"))
            .unwrap_or(trimmed);
        let (major, minor) = trimmed.split_once('.').ok_or_else(bad)?;
        let number = |part: &str| {
            if part.is_empty() || !part.bytes().all(|b| b.is_ascii_digit()) {
                Err(bad())
            } else {
                part.parse::<u64>().map_err(|_| bad())
            }
        };
        Ok(PythonRequest {
            major: number(major)?,
            minor: number(minor)?,
        })
    }
}

impl TryFrom<String> for PythonRequest {
    type Error = RequestError;

    fn try_from(value: String) -> Result<Self, Self::Error> {
        value.parse()
    }
}

impl From<PythonRequest> for String {
    fn from(value: PythonRequest) -> Self {
        value.to_string()
    }
}

impl fmt::Display for PythonRequest {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}.{}", self.major, self.minor)
    }
}

impl PythonRequest {
    /// `python3.12`: the executable name looked up on `PATH`.
    pub fn executable_name(&self) -> String {
        format!("python{self}")
    }

    /// Whether a `X.Y.Z…` directory or version string belongs to this
    /// request; returns its release numbers for ordering. Only plain
    /// three-part releases (with an optional pre-release such as `rc1`)
    /// qualify: pyenv's `3.12-dev` and free-threaded `3.13.0t` builds do not.
    fn matches_dir_version(&self, text: &str) -> Option<pbx_version::Version> {
        if !text.starts_with(|c: char| c.is_ascii_digit()) {
            return None;
        }
        let version = pbx_version::Version::parse(text).ok()?;
        let release = version.release();
        let plain = release.len() == 3
            && !version.has_local()
            && version.post_number().is_none()
            && version.kind() != pbx_version::VersionKind::Dev;
        (plain && release[0] == self.major && release[1] == self.minor).then_some(version)
    }
}

/// Where an interpreter was found.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Source {
    /// Given with `--python PATH`.
    Explicit,
    /// `pythonX.Y` on `PATH`.
    Path,
    /// `$PYENV_ROOT/versions`.
    Pyenv,
    /// A uv-managed install.
    Uv,
    /// `$RUNNER_TOOL_CACHE/Python`.
    ToolCache,
}

impl Source {
    /// A short name for reports.
    pub fn as_str(self) -> &'static str {
        match self {
            Source::Explicit => "--python",
            Source::Path => "PATH",
            Source::Pyenv => "pyenv",
            Source::Uv => "uv-managed",
            Source::ToolCache => "tool-cache",
        }
    }
}

impl fmt::Display for Source {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A probed, usable interpreter.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Interpreter {
    /// The absolute path of the interpreter binary (the probe's
    /// `sys.executable`).
    pub executable: PathBuf,
    /// The candidate that was probed (a shim or symlink, perhaps).
    pub found_at: PathBuf,
    /// Where it was found.
    pub source: Source,
    /// `3.12.1` (`3.13.0rc1` for a pre-release).
    pub version: String,
    /// `cpython`, `pypy`, …
    pub implementation: String,
}

impl Interpreter {
    fn from_probe(found_at: &Path, source: Source, probe: Probe) -> Self {
        Interpreter {
            executable: probe.executable.clone(),
            found_at: found_at.to_path_buf(),
            source,
            version: probe.version_string(),
            implementation: probe.implementation.clone(),
        }
    }

    /// The interpreter's `major.minor`.
    pub fn request(&self) -> Option<PythonRequest> {
        let mut parts = self.version.split('.');
        let major = parts.next()?.parse().ok()?;
        let minor = parts.next()?.parse().ok()?;
        Some(PythonRequest { major, minor })
    }
}

/// A candidate that was looked at and not used.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Skipped {
    /// The candidate.
    pub path: PathBuf,
    /// Where it came from.
    pub source: Source,
    /// Why it was not used.
    pub reason: String,
}

/// The outcome of looking for one request.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Search {
    /// What was asked for.
    pub request: PythonRequest,
    /// The interpreter used, if any was found.
    pub found: Option<Interpreter>,
    /// Candidates that did not qualify, in the order they were tried.
    pub skipped: Vec<Skipped>,
}

impl Search {
    /// Where the search looked, in words, for a "not found" message.
    pub fn describe_misses(&self) -> String {
        if self.skipped.is_empty() {
            return "no candidate anywhere".to_string();
        }
        self.skipped
            .iter()
            .map(|s| format!("{} ({}): {}", s.path.display(), s.source, s.reason))
            .collect::<Vec<_>>()
            .join("; ")
    }
}

/// Where to look. [`Finder::from_env`] reads the process environment; the
/// fields can be set directly (tests point them at fixture trees).
#[derive(Clone, Debug, Default)]
pub struct Finder {
    /// The `PATH` to search for `pythonX.Y`.
    pub path: Option<OsString>,
    /// pyenv's root (`$PYENV_ROOT`, default `~/.pyenv`).
    pub pyenv_root: Option<PathBuf>,
    /// uv's directory of managed interpreters.
    pub uv_python_dir: Option<PathBuf>,
    /// `$RUNNER_TOOL_CACHE`.
    pub tool_cache: Option<PathBuf>,
    /// How long one probe may take.
    pub probe_timeout: Duration,
}

impl Finder {
    /// The finder for this process's environment.
    pub fn from_env() -> Self {
        let var = |key: &str| std::env::var_os(key).filter(|v| !v.is_empty());
        let home = var("HOME").map(PathBuf::from);
        let pyenv_root = var("PYENV_ROOT")
            .map(PathBuf::from)
            .or_else(|| home.as_ref().map(|h| h.join(".pyenv")));
        let uv_python_dir = var("UV_PYTHON_INSTALL_DIR")
            .map(PathBuf::from)
            .or_else(|| var("XDG_DATA_HOME").map(|d| PathBuf::from(d).join("uv/python")))
            .or_else(|| home.as_ref().map(|h| h.join(".local/share/uv/python")));
        Finder {
            path: var("PATH"),
            pyenv_root,
            uv_python_dir,
            tool_cache: var("RUNNER_TOOL_CACHE").map(PathBuf::from),
            probe_timeout: DEFAULT_PROBE_TIMEOUT,
        }
    }

    /// Probes explicit `--python` paths, then finds every request: an
    /// explicit interpreter of the right `X.Y` answers its request first;
    /// one whose `X.Y` nobody asked for is added after the requests (the
    /// user named it to be used). With no requests, the explicit
    /// interpreters are the set.
    ///
    /// An explicit path that does not run is an error: the user named it.
    pub fn resolve(
        &self,
        requests: &[PythonRequest],
        explicit: &[PathBuf],
    ) -> Result<Vec<Search>, ProbeError> {
        let mut probed = Vec::new();
        for path in explicit {
            let result = probe(path, self.probe_timeout)?;
            probed.push(Interpreter::from_probe(path, Source::Explicit, result));
        }
        let mut searches: Vec<Search> = requests
            .iter()
            .map(|request| {
                match probed
                    .iter()
                    .find(|i| i.request().as_ref() == Some(request))
                {
                    Some(interpreter) => Search {
                        request: *request,
                        found: Some(interpreter.clone()),
                        skipped: Vec::new(),
                    },
                    None => self.find(*request),
                }
            })
            .collect();
        for interpreter in probed {
            let Some(request) = interpreter.request() else {
                continue;
            };
            if !searches.iter().any(|s| s.request == request) {
                searches.push(Search {
                    request,
                    found: Some(interpreter),
                    skipped: Vec::new(),
                });
            }
        }
        Ok(searches)
    }

    /// Looks for one request in PATH, pyenv, uv-managed installs and the
    /// tool cache, in that order; the first candidate whose probe answers
    /// the requested `X.Y` wins.
    pub fn find(&self, request: PythonRequest) -> Search {
        let mut search = Search {
            request,
            found: None,
            skipped: Vec::new(),
        };
        for (path, source) in self.candidates(request) {
            match probe(&path, self.probe_timeout) {
                Ok(result) => {
                    if result.major == request.major && result.minor == request.minor {
                        search.found = Some(Interpreter::from_probe(&path, source, result));
                        return search;
                    }
                    search.skipped.push(Skipped {
                        path,
                        source,
                        reason: format!("is Python {}", result.version_string()),
                    });
                }
                Err(err) => search.skipped.push(Skipped {
                    path,
                    source,
                    reason: err.reason(),
                }),
            }
        }
        search
    }

    /// Every candidate path for `request`, in search order (not yet probed).
    pub fn candidates(&self, request: PythonRequest) -> Vec<(PathBuf, Source)> {
        let mut out = Vec::new();
        let name = request.executable_name();
        if let Some(path) = &self.path {
            for hit in find_on_path(&name, path) {
                out.push((hit, Source::Path));
            }
        }
        let bin_names = [name.clone(), format!("python{}", request.major)];
        if let Some(root) = &self.pyenv_root {
            if let Some(dir) = highest_version_dir(&root.join("versions"), |entry| {
                request.matches_dir_version(entry)
            }) {
                push_first_existing(&mut out, &dir.join("bin"), &bin_names, Source::Pyenv);
            }
        }
        if let Some(root) = &self.uv_python_dir {
            if let Some(dir) = highest_version_dir(root, |entry| {
                let rest = entry.strip_prefix("cpython-")?;
                let (version, _platform) = rest.split_once('-')?;
                if version.contains('+') {
                    return None;
                }
                request.matches_dir_version(version)
            }) {
                push_first_existing(&mut out, &dir.join("bin"), &bin_names, Source::Uv);
            }
        }
        if let Some(cache) = &self.tool_cache {
            if let Some(dir) = highest_version_dir(&cache.join("Python"), |entry| {
                request.matches_dir_version(entry)
            }) {
                let x64 = dir.join("x64");
                let mut names = bin_names.to_vec();
                names.push("python".to_string());
                push_first_existing(&mut out, &x64.join("bin"), &names, Source::ToolCache);
                push_first_existing(
                    &mut out,
                    &x64,
                    &["python.exe".to_string()],
                    Source::ToolCache,
                );
            }
        }
        out
    }
}

fn push_first_existing(
    out: &mut Vec<(PathBuf, Source)>,
    dir: &Path,
    names: &[String],
    source: Source,
) {
    if let Some(path) = names.iter().map(|n| dir.join(n)).find(|p| p.is_file()) {
        out.push((path, source));
    }
}

/// The entry of `dir` whose name `version_of` accepts with the highest
/// version, final releases before pre-releases.
fn highest_version_dir(
    dir: &Path,
    version_of: impl Fn(&str) -> Option<pbx_version::Version>,
) -> Option<PathBuf> {
    let entries = std::fs::read_dir(dir).ok()?;
    entries
        .filter_map(Result::ok)
        .filter_map(|entry| {
            let name = entry.file_name().into_string().ok()?;
            let version = version_of(&name)?;
            Some((version, entry.path()))
        })
        .max_by_key(|(version, _)| (!version.is_prerelease(), version.clone()))
        .map(|(_, path)| path)
}

/// Every file named `name` that is executable in the directories of the
/// `PATH` value `path`, in order (duplicates removed).
pub fn find_on_path(name: &str, path: &std::ffi::OsStr) -> Vec<PathBuf> {
    let mut hits: Vec<PathBuf> = Vec::new();
    for dir in std::env::split_paths(path) {
        if dir.as_os_str().is_empty() {
            continue;
        }
        let candidate = dir.join(name);
        if is_executable(&candidate) && !hits.contains(&candidate) {
            hits.push(candidate);
        }
    }
    hits
}

#[cfg(unix)]
fn is_executable(path: &Path) -> bool {
    use std::os::unix::fs::PermissionsExt;
    std::fs::metadata(path).is_ok_and(|m| m.is_file() && m.permissions().mode() & 0o111 != 0)
}

#[cfg(not(unix))]
fn is_executable(path: &Path) -> bool {
    path.is_file()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn requests_parse_x_y_only() {
        let r: PythonRequest = "3.12".parse().unwrap();
        assert_eq!((r.major, r.minor), (3, 12));
        assert_eq!(
            "python3.11".parse::<PythonRequest>().unwrap().to_string(),
            "3.11"
        );
        for bad in ["3", "3.x", "", "3.12.1", "three.twelve", "3."] {
            assert!(bad.parse::<PythonRequest>().is_err(), "{bad}");
        }
    }

    #[test]
    fn directory_versions_match_plain_releases_of_the_request() {
        let r: PythonRequest = "3.12".parse().unwrap();
        assert!(r.matches_dir_version("3.12.1").is_some());
        assert!(r.matches_dir_version("3.12.0rc1").is_some());
        for other in [
            "3.11.7",
            "3.12-dev",
            "3.12.1t",
            "3.12",
            "venv-3.12.1",
            "3.12.1+local",
        ] {
            assert!(r.matches_dir_version(other).is_none(), "{other}");
        }
    }

    #[test]
    fn the_highest_patch_is_chosen() {
        let dir = tempfile::tempdir().unwrap();
        for name in [
            "3.12.1",
            "3.12.10",
            "3.12.9",
            "3.11.99",
            "3.12.11rc1",
            "3.12-dev",
        ] {
            std::fs::create_dir(dir.path().join(name)).unwrap();
        }
        let r: PythonRequest = "3.12".parse().unwrap();
        let best = highest_version_dir(dir.path(), |n| r.matches_dir_version(n)).unwrap();
        assert_eq!(best, dir.path().join("3.12.10"));
    }

    #[cfg(unix)]
    #[test]
    fn candidates_follow_the_documented_order() {
        use std::os::unix::fs::PermissionsExt;
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path();
        let exe = |path: PathBuf| {
            std::fs::create_dir_all(path.parent().unwrap()).unwrap();
            std::fs::write(&path, "#!/bin/sh\nexit 127\n").unwrap();
            std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o755)).unwrap();
            path
        };
        let on_path = exe(root.join("shims/python3.12"));
        let pyenv = exe(root.join("pyenv/versions/3.12.4/bin/python3.12"));
        exe(root.join("pyenv/versions/3.12.3/bin/python3.12"));
        let uv = exe(root.join("uv/cpython-3.12.8-linux-x86_64-gnu/bin/python3.12"));
        exe(root.join("uv/cpython-3.12.9+freethreaded-linux-x86_64-gnu/bin/python3.12"));
        let cache = exe(root.join("cache/Python/3.12.7/x64/bin/python3.12"));
        let finder = Finder {
            path: Some(root.join("shims").into_os_string()),
            pyenv_root: Some(root.join("pyenv")),
            uv_python_dir: Some(root.join("uv")),
            tool_cache: Some(root.join("cache")),
            probe_timeout: DEFAULT_PROBE_TIMEOUT,
        };
        let found = finder.candidates("3.12".parse().unwrap());
        assert_eq!(
            found,
            vec![
                (on_path, Source::Path),
                (pyenv, Source::Pyenv),
                (uv, Source::Uv),
                (cache, Source::ToolCache)
            ]
        );
        let search = finder.find("3.12".parse().unwrap());
        assert!(search.found.is_none());
        assert_eq!(search.skipped.len(), 4);
        assert!(
            search.skipped[0].reason.contains("exit status 127"),
            "{:?}",
            search.skipped
        );
    }
}
