//! docs/design.md rule 4 ("fix forward"): the next `X.Y.Z.postN` or `X.Y.ZrcN`.
//!
//! [`next_version`] reads the current version (pyproject.toml, or given),
//! looks at every place a version can already be used — every file of the
//! project on every index asked ([`index`], yanked files too), the release
//! tags of the git repository ([`GitTags`], by running the real `git`) —
//! and names the version one past the highest N used for the base release
//! ([`pbx_version::next_fix_forward`]). With `write` it sets that version in
//! pyproject.toml and the root entry of uv.lock, changing only the version
//! strings' bytes, atomically and together
//! ([`pbx_project::replace_all_or_nothing`]).
//!
//! The outcome is a [`NextVersionReport`] (JSON-serialisable; the binary's
//! render layer words it for people). What keeps it from naming or writing
//! the version is a [`NextVersionError`].
#![deny(missing_docs)]

mod error;
mod git;
pub mod index;
pub mod rule;
mod sources;

use std::path::{Path, PathBuf};

use pbx_index::Client;
use pbx_project::{
    replace_all_or_nothing, set_lock_version, set_pyproject_version, ProjectVersion, Pyproject,
};
use pbx_version::{FixForwardError, FixLane, PackageName, Tag, Version};
use serde::Serialize;

pub use error::NextVersionError;
pub use git::{GitError, GitTags};
pub use rule::{fix_forward, fix_lane, FixForward, FixForwardQuery, LaneChoice};
pub use sources::{finals_of_base, highest_used, version_of_filename, Seen, Source, SourceKind};

/// Which repository's tags count.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum GitChoice {
    /// The repository holding the project directory.
    Project,
    /// The repository holding this directory (`--git DIR`).
    Dir(PathBuf),
    /// No git tags (`--no-git`).
    Off,
}

/// What to compute, as the command line gave it.
#[derive(Clone, Debug)]
pub struct NextVersionInput {
    /// `post`, `rc`, or `auto` (decided by [`rule::fix_lane`]).
    pub lane: LaneChoice,
    /// The directory holding pyproject.toml and uv.lock.
    pub project_dir: PathBuf,
    /// The current version, instead of pyproject.toml's (`--from`).
    pub from: Option<String>,
    /// The project name on the indexes, instead of pyproject.toml's.
    pub package: Option<String>,
    /// Index names or URLs; empty means the lane's defaults
    /// ([`index::default_indexes`]).
    pub indexes: Vec<String>,
    /// Which git tags count.
    pub git: GitChoice,
    /// Ask no index: git tags only.
    pub offline: bool,
    /// Write the new version into pyproject.toml and uv.lock.
    pub write: bool,
}

/// What one source showed, for the report.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct SourceReport {
    /// `index` or `git`.
    pub source: SourceKind,
    /// The index's simple URL, or the repository directory.
    pub location: String,
    /// Every version seen there (canonical, PEP 440 order).
    pub versions: Vec<String>,
    /// The versions whose every file is yanked (they still count).
    pub yanked: Vec<String>,
    /// How many files or tags were read.
    pub items: usize,
    /// Files or tags whose version could not be read.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub unreadable: Vec<String>,
}

/// A file `--write` changed.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct WrittenFile {
    /// The file.
    pub file: String,
    /// The version it held.
    pub old: String,
    /// The line of the version string.
    pub line: Option<usize>,
}

/// The outcome: the next version and everything it was decided from.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct NextVersionReport {
    /// The project name (normalised), when known.
    pub package: Option<String>,
    /// `post` or `rc`.
    pub lane: String,
    /// The current version (canonical).
    pub current: String,
    /// Where the current version came from (`pyproject.toml` or `--from`).
    pub current_from: String,
    /// The base release (`1.2.3`).
    pub base: String,
    /// The next version (canonical).
    pub next: String,
    /// Its release tag.
    pub tag: String,
    /// The highest N already used for the base in this lane, and where.
    pub highest_used: Option<String>,
    /// No index was asked.
    pub offline: bool,
    /// What each source showed, in the order they were read.
    pub sources: Vec<SourceReport>,
    /// Files changed by `--write`.
    pub written: Vec<WrittenFile>,
    /// Things worth knowing that did not stop the run.
    pub notes: Vec<String>,
    /// Per source, in the order of `sources`: how it is named for people
    /// and the versions of the base release seen there.
    #[serde(skip)]
    pub seen_of_base: Vec<(String, Vec<String>)>,
}

/// What [`next_version`] is doing, as it goes (the binary tells people).
#[derive(Clone, Copy, Debug)]
pub enum Step<'a> {
    /// Listing every file of `package` on the index whose simple API is
    /// `simple`.
    ListingIndex {
        /// The project.
        package: &'a PackageName,
        /// The index's simple API.
        simple: &'a url::Url,
    },
}

/// Computes the next fixed-forward version (and writes it with `write`).
///
/// `client` asks the indexes (none when `offline`); `progress` is told each
/// [`Step`] that may take a while.
pub fn next_version(
    input: &NextVersionInput,
    client: &Client,
    progress: &mut dyn FnMut(Step<'_>),
) -> Result<NextVersionReport, NextVersionError> {
    let pyproject_path = input.project_dir.join("pyproject.toml");
    let project = read_project(input, &pyproject_path)?;
    let pyproject = project.as_ref();
    let (current, current_from) = current_version(input, pyproject)?;
    let routing = pyproject.map(|(p, _)| p.config.lanes).unwrap_or_default();
    let auto = matches!(input.lane, LaneChoice::Auto(_));
    let lane = input.lane.resolve(&current, &routing);
    let package = match (&input.package, pyproject) {
        (Some(name), _) => {
            Some(PackageName::new(name).map_err(|err| NextVersionError::Package(err.to_string()))?)
        }
        (None, Some((pyproject, _))) => Some(pyproject.package.clone()),
        (None, None) => None,
    };
    let tag_prefix = pyproject
        .map(|(p, _)| p.config.tag_prefix.clone())
        .unwrap_or_else(|| pbx_version::DEFAULT_TAG_PREFIX.to_string());
    let lock_path = input.project_dir.join("uv.lock");
    if input.write {
        // Everything that can refuse the write is checked before any index
        // is asked, with the current version as a stand-in.
        prepare_write(input, pyproject, &lock_path, &current)?;
    }

    let mut sources = Vec::new();
    let mut notes = Vec::new();
    match &input.git {
        GitChoice::Off => notes.push("--no-git: git tags were not read".to_string()),
        choice => {
            let dir = match choice {
                GitChoice::Dir(dir) => dir.clone(),
                _ => input.project_dir.clone(),
            };
            let tags = read_git(&dir, &tag_prefix, choice)?;
            if !tags.ignored.is_empty() {
                notes.push(format!(
                    "tags starting with `{tag_prefix}` that name no version were ignored: {}",
                    tags.ignored.join(", ")
                ));
            }
            sources.push(Source {
                kind: SourceKind::Git,
                location: dir.display().to_string(),
                seen: tags
                    .tags
                    .into_iter()
                    .map(|tag| Seen {
                        version: tag.version,
                        carrier: tag.name,
                        yanked: false,
                    })
                    .collect(),
                unreadable: Vec::new(),
            });
        }
    }
    if input.offline {
        notes.push(format!(
            "--offline: no index was asked, only {}; a version already uploaded but never tagged could be named again",
            if input.git == GitChoice::Off { "the current version counts" } else { "git tags count" }
        ));
    } else {
        let Some(package) = &package else {
            return Err(NextVersionError::NoPackage);
        };
        let specs: Vec<String> = if input.indexes.is_empty() {
            index::default_indexes(lane)
                .iter()
                .map(|s| s.to_string())
                .collect()
        } else {
            input.indexes.clone()
        };
        let indexes = specs
            .iter()
            .map(|spec| index::resolve(spec))
            .collect::<Result<Vec<_>, _>>()?;
        for urls in &indexes {
            progress(Step::ListingIndex {
                package,
                simple: &urls.simple,
            });
            sources.push(index::read(client, urls, package)?);
        }
    }

    let base = current.base();
    let used: Vec<&Version> = sources
        .iter()
        .flat_map(|s| s.seen.iter().map(|seen| &seen.version))
        .collect();
    let (lane, next, lane_note) =
        rule::next_in_lane(&current, used, lane, auto).map_err(|err| match err {
            FixForwardError::FinalAlreadyReleased { .. } => NextVersionError::RcAfterFinal {
                message: err.to_string(),
                seen: finals_of_base(&sources, &base),
                project_dir: input.project_dir.clone(),
            },
        })?;
    notes.extend(lane_note);
    let tag = Tag::for_version(&next, &tag_prefix);
    // What N was one past: the highest seen anywhere, or the current
    // version's own when that is higher.
    let current_n = match lane {
        FixLane::Post => current.post_number(),
        FixLane::Rc => current.rc_number(),
    };
    let highest = match (highest_used(&sources, &base, lane), current_n) {
        (Some((n, version, place)), current_n) if current_n.is_none_or(|c| n >= c) => {
            Some(format!("{version} ({place})"))
        }
        (_, Some(_)) => Some(format!("{current} ({current_from})")),
        (_, None) => None,
    };

    let mut written = Vec::new();
    if input.write {
        written = write_version(pyproject, &lock_path, &next, &mut notes)?;
    }

    let seen_of_base = sources
        .iter()
        .map(|source| {
            let yanked = source.yanked_versions();
            let of_base = source
                .versions_of_base(&base)
                .iter()
                .map(|v| {
                    let mark = if yanked.contains(v) { " (yanked)" } else { "" };
                    format!("{v}{mark}")
                })
                .collect();
            (source.describe(), of_base)
        })
        .collect();
    Ok(NextVersionReport {
        package: package.map(|p| p.to_string()),
        lane: lane.to_string(),
        current: current.canonical(),
        current_from,
        base: base.canonical(),
        next: next.canonical(),
        tag,
        highest_used: highest,
        offline: input.offline,
        sources: sources.iter().map(source_report).collect(),
        written,
        notes,
        seen_of_base,
    })
}

fn source_report(source: &Source) -> SourceReport {
    SourceReport {
        source: source.kind,
        location: source.location.clone(),
        versions: source.versions().iter().map(Version::canonical).collect(),
        yanked: source
            .yanked_versions()
            .iter()
            .map(Version::canonical)
            .collect(),
        items: source.seen.len() + source.unreadable.len(),
        unreadable: source.unreadable.clone(),
    }
}

/// pyproject.toml and its text; `None` when `--from` makes it unnecessary
/// and it is not there.
fn read_project(
    input: &NextVersionInput,
    path: &Path,
) -> Result<Option<(Pyproject, String)>, NextVersionError> {
    if input.from.is_some() && !input.write && !path.exists() {
        return Ok(None);
    }
    let text = pbx_project::read_text_file(path).map_err(|source| {
        NextVersionError::PyprojectUnreadable {
            path: path.to_path_buf(),
            source,
        }
    })?;
    let pyproject = Pyproject::parse(path, &text)?;
    Ok(Some((pyproject, text)))
}

fn current_version(
    input: &NextVersionInput,
    pyproject: Option<&(Pyproject, String)>,
) -> Result<(Version, String), NextVersionError> {
    if let Some(from) = &input.from {
        let version =
            Version::parse(from).map_err(|err| NextVersionError::From(err.to_string()))?;
        return Ok((version, "--from".to_string()));
    }
    let Some((pyproject, _)) = pyproject else {
        return Err(NextVersionError::NoCurrent);
    };
    match &pyproject.version {
        ProjectVersion::Static(version) => {
            let parsed =
                Version::parse(&version.value).map_err(|err| NextVersionError::ProjectVersion {
                    reason: err.to_string(),
                    location: version.location.clone(),
                })?;
            Ok((parsed, format!("{}", version.location)))
        }
        ProjectVersion::Dynamic(location) => Err(NextVersionError::Dynamic {
            location: location.clone(),
        }),
    }
}

fn prepare_write(
    input: &NextVersionInput,
    pyproject: Option<&(Pyproject, String)>,
    lock_path: &Path,
    probe: &Version,
) -> Result<(), NextVersionError> {
    let Some((pyproject, text)) = pyproject else {
        return Err(NextVersionError::WriteNeedsPyproject {
            path: input.project_dir.join("pyproject.toml"),
        });
    };
    set_pyproject_version(&pyproject.path, text, probe)?;
    match pbx_project::read_text_file(lock_path) {
        Ok(lock) => {
            set_lock_version(lock_path, &lock, &pyproject.package, probe)?;
        }
        Err(err) if err.kind() == std::io::ErrorKind::NotFound => {
            if pyproject.config.require_lock == Some(true) {
                return Err(NextVersionError::LockRequired {
                    path: lock_path.to_path_buf(),
                });
            }
        }
        Err(source) => {
            return Err(NextVersionError::LockUnreadable {
                path: lock_path.to_path_buf(),
                source,
            })
        }
    }
    Ok(())
}

fn write_version(
    pyproject: Option<&(Pyproject, String)>,
    lock_path: &Path,
    next: &Version,
    notes: &mut Vec<String>,
) -> Result<Vec<WrittenFile>, NextVersionError> {
    let Some((pyproject, text)) = pyproject else {
        return Err(NextVersionError::WriteNeedsPyproject {
            path: PathBuf::from("pyproject.toml"),
        });
    };
    // The indexes took time: a pyproject.toml edited meanwhile is not
    // overwritten with what it held before.
    let now = pbx_project::read_text_file(&pyproject.path).unwrap_or_default();
    if now != *text {
        return Err(NextVersionError::ChangedMeanwhile {
            path: pyproject.path.clone(),
        });
    }
    let mut rewrites = vec![(
        pyproject.path.clone(),
        set_pyproject_version(&pyproject.path, text, next)?,
    )];
    // Read again: the lock must be the bytes that are replaced.
    match pbx_project::read_text_file(lock_path) {
        Ok(lock) => rewrites.push((
            lock_path.to_path_buf(),
            set_lock_version(lock_path, &lock, &pyproject.package, next)?,
        )),
        Err(err) if err.kind() == std::io::ErrorKind::NotFound => {}
        Err(source) => {
            return Err(NextVersionError::LockUnreadable {
                path: lock_path.to_path_buf(),
                source,
            })
        }
    }
    let files: Vec<(&Path, &str)> = rewrites
        .iter()
        .map(|(path, rewrite)| (path.as_path(), rewrite.text.as_str()))
        .collect();
    replace_all_or_nothing(&files)?;
    if let [(_, project), (lock, locked)] = rewrites.as_slice() {
        let same = Version::parse(&locked.old)
            .ok()
            .zip(Version::parse(&project.old).ok())
            .is_some_and(|(a, b)| a == b);
        if !same {
            notes.push(format!(
                "{} held {} while pyproject.toml held {}: both now hold {next}; if `uv lock --check` still fails, run `uv lock`",
                lock.display(),
                locked.old,
                project.old
            ));
        }
    }
    Ok(rewrites
        .into_iter()
        .map(|(path, rewrite)| WrittenFile {
            file: path.display().to_string(),
            old: rewrite.old,
            line: rewrite.location.line,
        })
        .collect())
}

fn read_git(dir: &Path, prefix: &str, choice: &GitChoice) -> Result<GitTags, NextVersionError> {
    GitTags::read(dir, prefix).map_err(|source| NextVersionError::Git {
        source,
        explicit_dir: matches!(choice, GitChoice::Dir(_)),
    })
}
