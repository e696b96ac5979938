//! Finding the Python interpreters a release is checked on, without ever
//! downloading one.
//!
//! A request names a minor version (`3.12`, [`PythonRequest`]). The
//! [`Finder`] looks for it in this order and reports where each was found
//! ([`Source`]):
//!
//! 1. explicit paths (`--python PATH`), probed first; a path whose version
//!    matches a request answers it;
//! 2. `pythonX.Y` in every `PATH` directory, in order, when it is a real
//!    interpreter: a version manager's `shims` directory (pyenv's, or
//!    pyenv-virtualenv's) is not searched, a script (`#!`: a wrapper or a
//!    shim) is not run, and a virtual environment's interpreter (a
//!    `pyvenv.cfg` next to or above it) is not "the X.Y interpreter" unless
//!    named with `--python`. Each is kept as [`Skipped`] with the reason;
//! 3. `$PYENV_ROOT/versions/X.Y.*` (default `~/.pyenv`), the highest patch;
//! 4. uv-managed installs (`$UV_PYTHON_INSTALL_DIR`, else
//!    `$XDG_DATA_HOME/uv/python`, else `~/.local/share/uv/python`), the
//!    highest CPython patch;
//! 5. `$RUNNER_TOOL_CACHE/Python/X.Y.*/x64` (the setup-python cache of
//!    GitHub's runners), the highest patch.
//!
//! Every candidate is probed with one `python -I -S -c` run that prints its
//! `sys.version_info`, implementation and `sys.executable` ([`probe`]); the
//! interpreter handed on is the probe's absolute `sys.executable`.
//! Candidates that fail the probe or answer another version are kept as
//! [`Skipped`] with the reason, for the report. [`Finder::find_all`]
//! probes the requests in parallel, in waves: each wave probes, at once,
//! the next candidate of every request still open; a real executable
//! reached by several candidates (a symlink, the same install on `PATH`
//! and in pyenv's directory) is probed once, under its canonical path.
#![deny(missing_docs)]

mod probe;

use std::collections::HashMap;
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
        let open: Vec<PythonRequest> = requests
            .iter()
            .filter(|request| {
                !probed
                    .iter()
                    .any(|i| i.request().as_ref() == Some(*request))
            })
            .copied()
            .collect();
        let mut found = self.find_all(&open).into_iter();
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
                    None => found.next().unwrap_or(Search {
                        request: *request,
                        found: None,
                        skipped: Vec::new(),
                    }),
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
        self.find_all(&[request]).pop().unwrap_or(Search {
            request,
            found: None,
            skipped: Vec::new(),
        })
    }

    /// [`Finder::find`] for every request at once (one [`Search`] per
    /// request, in order): the probes run in parallel, in waves, and each
    /// real executable is probed once whatever the number of candidates
    /// and requests that lead to it.
    pub fn find_all(&self, requests: &[PythonRequest]) -> Vec<Search> {
        struct Open {
            search: Search,
            plan: std::vec::IntoIter<Candidate>,
            /// The candidate waiting for its probe: (path, source, key).
            waiting: Option<(PathBuf, Source, PathBuf)>,
            done: bool,
        }
        let mut open: Vec<Open> = requests
            .iter()
            .map(|request| Open {
                search: Search {
                    request: *request,
                    found: None,
                    skipped: Vec::new(),
                },
                plan: self.plan(*request).into_iter(),
                waiting: None,
                done: false,
            })
            .collect();
        // Probe results by canonical path.
        let mut probes: HashMap<PathBuf, Result<Probe, String>> = HashMap::new();
        loop {
            // Move every open request on to its next candidate that has no
            // probe result yet, settling the ones already probed.
            let mut wave: Vec<(PathBuf, PathBuf)> = Vec::new();
            for request in open.iter_mut().filter(|r| !r.done) {
                loop {
                    if let Some((path, source, key)) = request.waiting.take() {
                        match probes.get(&key) {
                            None => {
                                if !wave.iter().any(|(k, _)| *k == key) {
                                    wave.push((key.clone(), path.clone()));
                                }
                                request.waiting = Some((path, source, key));
                                break;
                            }
                            Some(Ok(result))
                                if result.major == request.search.request.major
                                    && result.minor == request.search.request.minor =>
                            {
                                request.search.found =
                                    Some(Interpreter::from_probe(&path, source, result.clone()));
                                request.done = true;
                                break;
                            }
                            Some(Ok(result)) => request.search.skipped.push(Skipped {
                                path,
                                source,
                                reason: format!("is Python {}", result.version_string()),
                            }),
                            Some(Err(reason)) => request.search.skipped.push(Skipped {
                                path,
                                source,
                                reason: reason.clone(),
                            }),
                        }
                    }
                    match request.plan.next() {
                        None => {
                            request.done = true;
                            break;
                        }
                        Some(Candidate::Skip(skipped)) => request.search.skipped.push(skipped),
                        Some(Candidate::Probe(path, source)) => {
                            let key = std::fs::canonicalize(&path).unwrap_or_else(|_| path.clone());
                            request.waiting = Some((path, source, key));
                        }
                    }
                }
            }
            if wave.is_empty() {
                break;
            }
            let timeout = self.probe_timeout;
            let results: Vec<(PathBuf, Result<Probe, String>)> = std::thread::scope(|scope| {
                let handles: Vec<_> = wave
                    .into_iter()
                    .map(|(key, path)| {
                        scope.spawn(move || {
                            let result = probe(&path, timeout).map_err(|err| err.reason());
                            (key, result)
                        })
                    })
                    .collect();
                handles
                    .into_iter()
                    .filter_map(|handle| handle.join().ok())
                    .collect()
            });
            let answered = results.len();
            probes.extend(results);
            if answered == 0 {
                // Every probe thread failed; nothing more can be learnt.
                break;
            }
        }
        open.into_iter().map(|request| request.search).collect()
    }

    /// Every candidate path for `request`, in search order (not yet
    /// probed), without the ones skipped unprobed (see [`Finder::plan`]).
    pub fn candidates(&self, request: PythonRequest) -> Vec<(PathBuf, Source)> {
        self.plan(request)
            .into_iter()
            .filter_map(|candidate| match candidate {
                Candidate::Probe(path, source) => Some((path, source)),
                Candidate::Skip(_) => None,
            })
            .collect()
    }

    /// Every candidate for `request`, in search order: the ones to probe,
    /// and the `PATH` entries that are not run (a shim directory, a script,
    /// a virtual environment's interpreter) with the reason.
    pub fn plan(&self, request: PythonRequest) -> Vec<Candidate> {
        let mut out = Vec::new();
        let name = request.executable_name();
        if let Some(path) = &self.path {
            for hit in find_on_path(&name, path) {
                out.push(match self.not_an_install(&hit) {
                    Some(reason) => Candidate::Skip(Skipped {
                        path: hit,
                        source: Source::Path,
                        reason,
                    }),
                    None => Candidate::Probe(hit, Source::Path),
                });
            }
        }
        let mut add = |path, source| out.push(Candidate::Probe(path, source));
        let bin_names = [name.clone(), format!("python{}", request.major)];
        if let Some(root) = &self.pyenv_root {
            if let Some(dir) = highest_version_dir(&root.join("versions"), |entry| {
                request.matches_dir_version(entry)
            }) {
                first_existing(&dir.join("bin"), &bin_names, Source::Pyenv, &mut add);
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
                first_existing(&dir.join("bin"), &bin_names, Source::Uv, &mut add);
            }
        }
        if let Some(cache) = &self.tool_cache {
            if let Some(dir) = highest_version_dir(&cache.join("Python"), |entry| {
                request.matches_dir_version(entry)
            }) {
                let x64 = dir.join("x64");
                let mut names = bin_names.to_vec();
                names.push("python".to_string());
                first_existing(&x64.join("bin"), &names, Source::ToolCache, &mut add);
                first_existing(
                    &x64,
                    &["python.exe".to_string()],
                    Source::ToolCache,
                    &mut add,
                );
            }
        }
        out
    }

    /// Why a `PATH` hit is not run as the X.Y interpreter, if it is not.
    fn not_an_install(&self, path: &Path) -> Option<String> {
        let dir = path.parent()?;
        let pyenv_shims = self.pyenv_root.as_ref().map(|root| root.join("shims"));
        if dir.file_name().is_some_and(|name| name == "shims")
            || pyenv_shims.as_deref() == Some(dir)
        {
            return Some("a version manager's shim, not run".to_string());
        }
        if let Some(venv) = [Some(dir), dir.parent()]
            .into_iter()
            .flatten()
            .find(|d| d.join("pyvenv.cfg").is_file())
        {
            return Some(format!(
                "a virtual environment's interpreter ({}), used only when named with --python",
                venv.display()
            ));
        }
        if is_script(path) {
            return Some("a `#!` script (a wrapper or a shim), not run".to_string());
        }
        None
    }
}

/// A candidate of [`Finder::plan`].
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Candidate {
    /// To probe.
    Probe(PathBuf, Source),
    /// Not run, and why.
    Skip(Skipped),
}

/// Whether the file starts with `#!`.
fn is_script(path: &Path) -> bool {
    let mut start = [0u8; 2];
    std::fs::File::open(path)
        .and_then(|mut file| std::io::Read::read_exact(&mut file, &mut start))
        .is_ok_and(|()| &start == b"#!")
}

fn first_existing(
    dir: &Path,
    names: &[String],
    source: Source,
    out: &mut impl FnMut(PathBuf, Source),
) {
    if let Some(path) = names.iter().map(|n| dir.join(n)).find(|p| p.is_file()) {
        out(path, source);
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
        // On PATH: a shim, a venv's interpreter, a wrapper script (none of
        // them run), and a real executable (a symlink to one).
        exe(root.join("shims/python3.12"));
        exe(root.join("venv/bin/python3.12"));
        std::fs::write(root.join("venv/pyvenv.cfg"), "home = /usr/bin\n").unwrap();
        exe(root.join("wrappers/python3.12"));
        std::fs::create_dir_all(root.join("real")).unwrap();
        let on_path = root.join("real/python3.12");
        std::os::unix::fs::symlink("/bin/false", &on_path).unwrap();
        let pyenv = exe(root.join("pyenv/versions/3.12.4/bin/python3.12"));
        exe(root.join("pyenv/versions/3.12.3/bin/python3.12"));
        let uv = exe(root.join("uv/cpython-3.12.8-linux-x86_64-gnu/bin/python3.12"));
        exe(root.join("uv/cpython-3.12.9+freethreaded-linux-x86_64-gnu/bin/python3.12"));
        let cache = exe(root.join("cache/Python/3.12.7/x64/bin/python3.12"));
        let path =
            std::env::join_paths(["shims", "venv/bin", "wrappers", "real"].map(|d| root.join(d)))
                .unwrap();
        let finder = Finder {
            path: Some(path),
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
        let reasons: Vec<&str> = search.skipped.iter().map(|s| s.reason.as_str()).collect();
        assert_eq!(reasons.len(), 7, "{reasons:?}");
        assert!(
            reasons[0].contains("a version manager's shim"),
            "{reasons:?}"
        );
        assert!(reasons[1].contains("virtual environment"), "{reasons:?}");
        assert!(
            reasons[2].contains("script (a wrapper or a shim)"),
            "{reasons:?}"
        );
        assert!(reasons[3].contains("exit status 1"), "{reasons:?}");
        assert!(reasons[4].contains("exit status 127"), "{reasons:?}");
    }

    #[cfg(unix)]
    #[test]
    fn one_executable_reached_twice_is_probed_once() {
        use std::os::unix::fs::PermissionsExt;
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path();
        // Counts its runs; answers as Python 3.13 (a mislabelled install).
        let log = root.join("runs");
        let real = root.join("pyenv/versions/3.12.4/bin/python3.12");
        std::fs::create_dir_all(real.parent().unwrap()).unwrap();
        std::fs::write(
            &real,
            format!(
                "#!/bin/sh\necho run >> {}\nprintf '3 13 4 final 0 cpython %s' \"$0\"\n",
                log.display()
            ),
        )
        .unwrap();
        std::fs::set_permissions(&real, std::fs::Permissions::from_mode(0o755)).unwrap();
        // The same file again under a second name in pyenv's layout.
        std::fs::create_dir_all(root.join("uv/cpython-3.12.4-linux-x86_64-gnu/bin")).unwrap();
        std::os::unix::fs::symlink(
            &real,
            root.join("uv/cpython-3.12.4-linux-x86_64-gnu/bin/python3.12"),
        )
        .unwrap();
        let finder = Finder {
            path: None,
            pyenv_root: Some(root.join("pyenv")),
            uv_python_dir: Some(root.join("uv")),
            tool_cache: None,
            probe_timeout: DEFAULT_PROBE_TIMEOUT,
        };
        let searches = finder.find_all(&["3.12".parse().unwrap(), "3.11".parse().unwrap()]);
        assert_eq!(searches.len(), 2);
        assert!(searches[0].found.is_none());
        let skipped: Vec<(Source, &str)> = searches[0]
            .skipped
            .iter()
            .map(|s| (s.source, s.reason.as_str()))
            .collect();
        assert_eq!(
            skipped,
            vec![
                (Source::Pyenv, "is Python 3.13.4"),
                (Source::Uv, "is Python 3.13.4")
            ]
        );
        assert!(searches[1].found.is_none());
        assert_eq!(std::fs::read_to_string(&log).unwrap(), "run\n");
    }
}
