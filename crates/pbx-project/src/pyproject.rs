use std::path::{Path, PathBuf};

use pbx_report::Location;
use pbx_version::PackageName;
use toml_edit::{Document, Item};

use crate::config::PbxConfig;
use crate::error::ProjectError;
use crate::span::{location_of, Located};

/// `[project].version`: a static string, or declared dynamic.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ProjectVersion {
    /// `version = "…"`, as written (not yet validated as PEP 440, so a bad
    /// spelling can be reported as a failed check with its location).
    Static(Located<String>),
    /// `dynamic = ["version"]`: the build backend computes it.
    Dynamic(Location),
}

/// What pbx needs from `pyproject.toml`.
#[derive(Clone, Debug)]
pub struct Pyproject {
    /// The file read.
    pub path: PathBuf,
    /// `[project].name`, as written, and its normalised form.
    pub name: Located<String>,
    /// The normalised name.
    pub package: PackageName,
    /// `[project].version`.
    pub version: ProjectVersion,
    /// `[tool.pbx]`.
    pub config: PbxConfig,
}

impl Pyproject {
    /// Reads and validates `path`.
    pub fn read(path: &Path) -> Result<Self, ProjectError> {
        let text =
            crate::read_text_file(path).map_err(|err| ProjectError::unreadable(path, &err))?;
        Self::parse(path, &text)
    }

    /// Parses `text` as the pyproject.toml at `path`.
    pub fn parse(path: &Path, text: &str) -> Result<Self, ProjectError> {
        let doc = Document::parse(text).map_err(|err| ProjectError::toml(path, text, &err))?;
        let whole = Location::file(path);
        let project_item = doc.get("project").ok_or_else(|| {
            let poetry = doc
                .get("tool")
                .and_then(|t| t.get("poetry"))
                .and_then(|p| p.get("version"))
                .and_then(|v| v.as_str());
            let hint = match poetry {
                Some(version) => format!(
                    "Poetry keeps this project's version ({version}) in `[tool.poetry]`; pbx reads the `[project]` table (PEP 621, which Poetry 2 reads too): move `name` and `version` there, or declare `dynamic = [\"version\"]` in `[project]` and pass --dist so pbx reads the version from the built wheel"
                ),
                None => "add a `[project]` table with `name` and `version` (PEP 621)".to_string(),
            };
            ProjectError::new(whole.clone(), "no `[project]` table").hint(hint)
        })?;
        let project = project_item.as_table().ok_or_else(|| {
            ProjectError::new(
                location_of(path, text, project_item.span()),
                "`project` must be a table",
            )
            .hint("write it as a `[project]` section")
        })?;
        let project_loc = location_of(path, text, project_item.span());

        let name_item = project.get("name").ok_or_else(|| {
            ProjectError::new(project_loc.clone(), "`[project]` has no `name`")
                .hint("add `name = \"your-package\"` to `[project]`")
        })?;
        let name_loc = location_of(path, text, name_item.span());
        let name = name_item.as_str().ok_or_else(|| {
            ProjectError::new(name_loc.clone(), "`[project].name` must be a string")
                .hint("write `name = \"your-package\"`")
        })?;
        let package = PackageName::new(name).map_err(|err| {
            ProjectError::new(name_loc.clone(), err.to_string())
                .hint("use a PEP 508 name such as `my-package`")
        })?;

        let dynamic = dynamic_version(path, text, project.get("dynamic"))?;
        let version = match (project.get("version"), dynamic) {
            (Some(item), Some(_)) => {
                return Err(ProjectError::new(
                    location_of(path, text, item.span()),
                    "`version` is both set and listed in `dynamic`",
                )
                .hint("remove one of them: a static version or `dynamic = [\"version\"]`"))
            }
            (Some(item), None) => {
                let location = location_of(path, text, value_span(item));
                let value = item.as_str().ok_or_else(|| {
                    ProjectError::new(location.clone(), "`[project].version` must be a string")
                        .hint("write `version = \"1.2.3\"`")
                })?;
                ProjectVersion::Static(Located::new(value.to_string(), location))
            }
            (None, Some(location)) => ProjectVersion::Dynamic(location),
            (None, None) => {
                return Err(
                    ProjectError::new(project_loc, "`[project]` has no `version`")
                        .hint("add `version = \"1.2.3\"` or declare `dynamic = [\"version\"]`"),
                )
            }
        };

        let tool_pbx = doc
            .get("tool")
            .and_then(Item::as_table)
            .and_then(|tool| tool.get("pbx"));
        let config = PbxConfig::from_tool_table(path, text, tool_pbx)?;

        Ok(Pyproject {
            path: path.to_path_buf(),
            name: Located::new(name.to_string(), name_loc),
            package,
            version,
            config,
        })
    }
}

/// The span of a key-value's value (for `version = "1.0"`: the `"1.0"`).
fn value_span(item: &Item) -> Option<std::ops::Range<usize>> {
    item.as_value()
        .and_then(|value| value.span())
        .or_else(|| item.span())
}

fn dynamic_version(
    path: &Path,
    text: &str,
    item: Option<&Item>,
) -> Result<Option<Location>, ProjectError> {
    let Some(item) = item else {
        return Ok(None);
    };
    let array = item.as_array().ok_or_else(|| {
        ProjectError::new(
            location_of(path, text, item.span()),
            "`[project].dynamic` must be a list of strings",
        )
        .hint("write `dynamic = [\"version\"]`")
    })?;
    Ok(array
        .iter()
        .find(|value| value.as_str() == Some("version"))
        .map(|value| location_of(path, text, value.span())))
}
