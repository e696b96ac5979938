use std::fmt;
use std::path::Path;
use std::str::FromStr;

use toml_edit::{Item, Table};

use crate::error::ProjectError;
use crate::span::location_of;

/// Where a release goes: the two lanes of docs/design.md rule 2.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Lane {
    /// TestPyPI (or its stand-in).
    TestPypi,
    /// PyPI (or its stand-in).
    Pypi,
}

impl Lane {
    /// `testpypi` or `pypi`.
    pub fn as_str(self) -> &'static str {
        match self {
            Lane::TestPypi => "testpypi",
            Lane::Pypi => "pypi",
        }
    }
}

impl fmt::Display for Lane {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for Lane {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s {
            "testpypi" => Ok(Lane::TestPypi),
            "pypi" => Ok(Lane::Pypi),
            other => Err(format!(
                "unknown lane `{other}`: expected `testpypi` or `pypi`"
            )),
        }
    }
}

/// Which lane each kind of tag (and the release event) goes to.
///
/// Default (docs/design.md rule 2): `vX.Y.Z`, `vX.Y.Z.postN` and dev tags go to
/// TestPyPI; `aN`/`bN`/`rcN` tags and GitHub `release` events go to PyPI.
/// `[tool.pbx.lanes]` overrides any of `final`, `post`, `pre`, `dev`,
/// `release-event`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct LaneRouting {
    /// `vX.Y.Z`.
    pub final_release: Lane,
    /// `vX.Y.Z.postN`.
    pub post: Lane,
    /// `vX.Y.ZaN`, `bN`, `rcN`.
    pub pre: Lane,
    /// `vX.Y.Z.devN`.
    pub dev: Lane,
    /// A GitHub `release` event, whatever the tag.
    pub release_event: Lane,
}

impl LaneRouting {
    /// The lane a version of this kind goes to, and the rule that said so
    /// (release rule 2). The one place tags are routed.
    pub fn route(&self, kind: pbx_version::VersionKind) -> (Lane, &'static str) {
        use pbx_version::VersionKind;
        match kind {
            VersionKind::Final => (self.final_release, "a final release"),
            VersionKind::Pre => (self.pre, "a pre-release (aN, bN, rcN)"),
            VersionKind::Post => (self.post, "a post-release"),
            VersionKind::Dev => (self.dev, "a dev release"),
        }
    }
}

impl Default for LaneRouting {
    fn default() -> Self {
        LaneRouting {
            final_release: Lane::TestPypi,
            post: Lane::TestPypi,
            pre: Lane::Pypi,
            dev: Lane::TestPypi,
            release_event: Lane::Pypi,
        }
    }
}

/// `[tool.pbx.reinstall]`: defaults for pbx-reinstall.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ReinstallConfig {
    /// Interpreter versions (`["3.11", "3.12", "3.13"]`).
    pub pythons: Option<Vec<String>>,
    /// Modules to import.
    pub imports: Vec<String>,
    /// Smoke commands to run.
    pub smoke: Vec<String>,
}

/// `[tool.pbx]`: the project's pbx settings (flags and environment win).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PbxConfig {
    /// A missing uv.lock fails pbx-tag-check (`None`: not set).
    pub require_lock: Option<bool>,
    /// The prefix of release tags (`v`).
    pub tag_prefix: String,
    /// Lane routing.
    pub lanes: LaneRouting,
    /// pbx-reinstall defaults.
    pub reinstall: ReinstallConfig,
}

impl Default for PbxConfig {
    fn default() -> Self {
        PbxConfig {
            require_lock: None,
            tag_prefix: pbx_version::DEFAULT_TAG_PREFIX.to_string(),
            lanes: LaneRouting::default(),
            reinstall: ReinstallConfig::default(),
        }
    }
}

struct Reader<'a> {
    path: &'a Path,
    text: &'a str,
}

impl Reader<'_> {
    fn error(&self, item: &Item, message: String, hint: &str) -> ProjectError {
        ProjectError::new(location_of(self.path, self.text, item.span()), message).hint(hint)
    }

    fn table<'t>(&self, item: &'t Item, name: &str) -> Result<&'t Table, ProjectError> {
        item.as_table().ok_or_else(|| {
            self.error(
                item,
                format!("`{name}` must be a table"),
                &format!("write it as a `[{name}]` section"),
            )
        })
    }

    fn check_keys(&self, table: &Table, name: &str, known: &[&str]) -> Result<(), ProjectError> {
        for (key, item) in table.iter() {
            if !known.contains(&key) {
                return Err(self.error(
                    item,
                    format!("unknown key `{key}` in `[{name}]`"),
                    &format!("known keys: {}", known.join(", ")),
                ));
            }
        }
        Ok(())
    }

    fn bool(&self, item: &Item, name: &str) -> Result<bool, ProjectError> {
        item.as_bool().ok_or_else(|| {
            self.error(
                item,
                format!("`{name}` must be true or false"),
                "write `true` or `false` without quotes",
            )
        })
    }

    fn string(&self, item: &Item, name: &str) -> Result<String, ProjectError> {
        item.as_str().map(str::to_string).ok_or_else(|| {
            self.error(
                item,
                format!("`{name}` must be a string"),
                "put the value in double quotes",
            )
        })
    }

    fn strings(&self, item: &Item, name: &str) -> Result<Vec<String>, ProjectError> {
        let hint = "write a list of strings, e.g. [\"a\", \"b\"]";
        let array = item
            .as_array()
            .ok_or_else(|| self.error(item, format!("`{name}` must be a list of strings"), hint))?;
        array
            .iter()
            .map(|value| {
                value.as_str().map(str::to_string).ok_or_else(|| {
                    ProjectError::new(
                        location_of(self.path, self.text, value.span()),
                        format!("`{name}` must be a list of strings"),
                    )
                    .hint(hint)
                })
            })
            .collect()
    }

    fn lane(&self, item: &Item, name: &str) -> Result<Lane, ProjectError> {
        let text = self.string(item, name)?;
        text.parse()
            .map_err(|message: String| self.error(item, message, "use \"testpypi\" or \"pypi\""))
    }
}

impl PbxConfig {
    /// Reads `[tool.pbx]` from a parsed pyproject.toml (absent → defaults).
    pub(crate) fn from_tool_table(
        path: &Path,
        text: &str,
        tool_pbx: Option<&Item>,
    ) -> Result<Self, ProjectError> {
        let mut config = PbxConfig::default();
        let Some(item) = tool_pbx else {
            return Ok(config);
        };
        let r = Reader { path, text };
        let table = r.table(item, "tool.pbx")?;
        r.check_keys(
            table,
            "tool.pbx",
            &["require-lock", "tag-prefix", "lanes", "reinstall"],
        )?;
        if let Some(item) = table.get("require-lock") {
            config.require_lock = Some(r.bool(item, "tool.pbx.require-lock")?);
        }
        if let Some(item) = table.get("tag-prefix") {
            config.tag_prefix = r.string(item, "tool.pbx.tag-prefix")?;
        }
        if let Some(item) = table.get("lanes") {
            let lanes = r.table(item, "tool.pbx.lanes")?;
            r.check_keys(
                lanes,
                "tool.pbx.lanes",
                &["final", "post", "pre", "dev", "release-event"],
            )?;
            let routing = &mut config.lanes;
            for (key, slot) in [
                ("final", &mut routing.final_release),
                ("post", &mut routing.post),
                ("pre", &mut routing.pre),
                ("dev", &mut routing.dev),
                ("release-event", &mut routing.release_event),
            ] {
                if let Some(item) = lanes.get(key) {
                    *slot = r.lane(item, &format!("tool.pbx.lanes.{key}"))?;
                }
            }
        }
        if let Some(item) = table.get("reinstall") {
            let reinstall = r.table(item, "tool.pbx.reinstall")?;
            r.check_keys(
                reinstall,
                "tool.pbx.reinstall",
                &["pythons", "imports", "smoke"],
            )?;
            if let Some(item) = reinstall.get("pythons") {
                config.reinstall.pythons = Some(r.strings(item, "tool.pbx.reinstall.pythons")?);
            }
            if let Some(item) = reinstall.get("imports") {
                config.reinstall.imports = r.strings(item, "tool.pbx.reinstall.imports")?;
            }
            if let Some(item) = reinstall.get("smoke") {
                config.reinstall.smoke = r.strings(item, "tool.pbx.reinstall.smoke")?;
            }
        }
        Ok(config)
    }
}
