use std::path::{Path, PathBuf};

use pbx_report::Location;
use pbx_version::PackageName;
use toml_edit::{Document, Item, Table};

use crate::error::ProjectError;
use crate::span::{location_of, Located};

/// The root project's entry in `uv.lock`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LockedRoot {
    /// The `name` as written.
    pub name: String,
    /// The `version` as written; `None` when uv recorded none (a dynamic
    /// version).
    pub version: Option<Located<String>>,
    /// Where the `[[package]]` entry starts.
    pub location: Location,
}

/// What pbx needs from `uv.lock`.
#[derive(Clone, Debug)]
pub struct UvLock {
    /// The file read.
    pub path: PathBuf,
    /// The root project's entry.
    pub root: LockedRoot,
}

impl UvLock {
    /// Reads `path` and finds the root project `package` in it.
    pub fn read(path: &Path, package: &PackageName) -> Result<Self, ProjectError> {
        let text =
            std::fs::read_to_string(path).map_err(|err| ProjectError::unreadable(path, &err))?;
        Self::parse(path, &text, package)
    }

    /// Parses `text` as the uv.lock at `path`.
    pub fn parse(path: &Path, text: &str, package: &PackageName) -> Result<Self, ProjectError> {
        let doc = Document::parse(text).map_err(|err| ProjectError::toml(path, text, &err))?;
        let entry = root_entry(&doc, path, text, package)?;
        let name = entry.get("name").and_then(Item::as_str).unwrap_or_default();
        let entry_loc = location_of(path, text, entry.span());
        let version = match entry.get("version") {
            None => None,
            Some(item) => {
                let span = item
                    .as_value()
                    .and_then(|v| v.span())
                    .or_else(|| item.span());
                let location = location_of(path, text, span);
                let value = item.as_str().ok_or_else(|| {
                    ProjectError::new(
                        location.clone(),
                        "the root package's `version` must be a string",
                    )
                    .hint("regenerate the lock file with `uv lock`")
                })?;
                Some(Located::new(value.to_string(), location))
            }
        };
        Ok(UvLock {
            path: path.to_path_buf(),
            root: LockedRoot {
                name: name.to_string(),
                version,
                location: entry_loc,
            },
        })
    }
}

/// The root project's `[[package]]` entry: the one whose normalised name is
/// `package` and whose source is the project directory itself.
pub(crate) fn root_entry<'d, S>(
    doc: &'d Document<S>,
    path: &Path,
    text: &str,
    package: &PackageName,
) -> Result<&'d Table, ProjectError> {
    let packages = match doc.get("package") {
        None => None,
        Some(item) => Some(item.as_array_of_tables().ok_or_else(|| {
            ProjectError::new(
                location_of(path, text, item.span()),
                "`package` must be an array of `[[package]]` tables",
            )
            .hint("regenerate the lock file with `uv lock`")
        })?),
    };
    let mut same_name_elsewhere = None;
    for entry in packages.into_iter().flat_map(|array| array.iter()) {
        let Some(name) = entry.get("name").and_then(Item::as_str) else {
            continue;
        };
        if pbx_version::normalize(name) != package.as_str() {
            continue;
        }
        if !is_root_source(entry.get("source")) {
            same_name_elsewhere = Some(location_of(path, text, entry.span()));
            continue;
        }
        return Ok(entry);
    }
    let message = match same_name_elsewhere {
        Some(_) => format!(
            "uv.lock has a `{package}` entry, but not as the root project (its source is not `{{ editable = \".\" }}` or `{{ virtual = \".\" }}`)"
        ),
        None => format!("uv.lock has no entry for the project `{package}`"),
    };
    Err(ProjectError::new(same_name_elsewhere.unwrap_or_else(|| Location::file(path)), message)
        .hint("the lock file is stale or belongs to another project: run `uv lock` in the project directory and commit uv.lock"))
}

fn is_root_source(source: Option<&Item>) -> bool {
    let Some(source) = source else {
        return false;
    };
    let get = |key: &str| {
        source
            .as_inline_table()
            .and_then(|table| table.get(key))
            .and_then(|value| value.as_str())
            .or_else(|| {
                source
                    .as_table()
                    .and_then(|t| t.get(key))
                    .and_then(Item::as_str)
            })
    };
    get("editable") == Some(".") || get("virtual") == Some(".")
}
