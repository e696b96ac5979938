use std::collections::HashMap;
use std::path::PathBuf;

use pbx_report::Location;

use crate::error::TagCheckError;

/// Where a tag was found.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum TagSource {
    /// `--tag`.
    Flag,
    /// `$GITHUB_EVENT_PATH` `.release.tag_name`.
    ReleaseEvent,
    /// `$GITHUB_REF_NAME` with `$GITHUB_REF_TYPE=tag`.
    RefName,
    /// `$GITHUB_REF` with `refs/tags/` stripped.
    Ref,
    /// The one tag of the git repository's `HEAD` (a local run).
    Head,
}

impl TagSource {
    /// A short description for reports.
    pub fn describe(&self) -> &'static str {
        match self {
            TagSource::Flag => "--tag",
            TagSource::ReleaseEvent => "$GITHUB_EVENT_PATH (.release.tag_name)",
            TagSource::RefName => "$GITHUB_REF_NAME",
            TagSource::Ref => "$GITHUB_REF",
            TagSource::Head => "the tag at HEAD",
        }
    }
}

/// The environment a tag (and the triggering event) may come from.
#[derive(Clone, Debug, Default)]
pub struct TagSources {
    /// `$GITHUB_EVENT_PATH`.
    pub event_path: Option<PathBuf>,
    /// `$GITHUB_EVENT_NAME`.
    pub event_name: Option<String>,
    /// `$GITHUB_REF_NAME`.
    pub ref_name: Option<String>,
    /// `$GITHUB_REF_TYPE`.
    pub ref_type: Option<String>,
    /// `$GITHUB_REF`.
    pub git_ref: Option<String>,
    /// The tags of the repository's `HEAD` ([`head_tags`]), for a local run.
    pub head: Vec<String>,
}

/// The tags pointing at `HEAD` of the repository holding `dir` (`git tag
/// --points-at HEAD`, the real git); none when it is not a repository or git
/// is missing.
pub fn head_tags(dir: &std::path::Path) -> Vec<String> {
    let output = std::process::Command::new("git")
        .arg("-C")
        .arg(dir)
        .args(["tag", "--points-at", "HEAD"])
        .stdin(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .output();
    match output {
        Ok(out) if out.status.success() => String::from_utf8_lossy(&out.stdout)
            .lines()
            .map(str::trim)
            .filter(|t| !t.is_empty())
            .map(str::to_string)
            .collect(),
        _ => Vec::new(),
    }
}

impl TagSources {
    /// Reads the `GITHUB_*` variables of the process environment.
    pub fn from_env() -> Self {
        let vars: HashMap<String, String> = std::env::vars().collect();
        Self::from_vars(&vars)
    }

    /// Reads the `GITHUB_*` variables from a map.
    pub fn from_vars(vars: &HashMap<String, String>) -> Self {
        let get = |key: &str| vars.get(key).filter(|v| !v.is_empty()).cloned();
        TagSources {
            event_path: get("GITHUB_EVENT_PATH").map(PathBuf::from),
            event_name: get("GITHUB_EVENT_NAME"),
            ref_name: get("GITHUB_REF_NAME"),
            ref_type: get("GITHUB_REF_TYPE"),
            git_ref: get("GITHUB_REF"),
            head: Vec::new(),
        }
    }

    /// The tag: `flag` when given, else the release event's tag, else
    /// `$GITHUB_REF_NAME` when `$GITHUB_REF_TYPE` is `tag`, else `$GITHUB_REF`
    /// with `refs/tags/` stripped. A `refs/tags/` prefix is accepted
    /// everywhere. No tag anywhere is exit 2, naming where it looked.
    pub fn resolve(&self, flag: Option<&str>) -> Result<(String, TagSource), TagCheckError> {
        let strip = |tag: &str| tag.strip_prefix("refs/tags/").unwrap_or(tag).to_string();
        if let Some(tag) = flag {
            if tag.trim().is_empty() {
                return Err(TagCheckError::EmptyTag);
            }
            if tag.trim() != tag {
                return Err(TagCheckError::TagWhitespace {
                    tag: tag.to_string(),
                });
            }
            return Ok((strip(tag), TagSource::Flag));
        }
        if let Some(tag) = self.release_tag()? {
            return Ok((strip(&tag), TagSource::ReleaseEvent));
        }
        if let (Some(name), Some("tag")) = (&self.ref_name, self.ref_type.as_deref()) {
            return Ok((strip(name), TagSource::RefName));
        }
        if let Some(tag) = self
            .git_ref
            .as_deref()
            .and_then(|r| r.strip_prefix("refs/tags/"))
        {
            return Ok((tag.to_string(), TagSource::Ref));
        }
        match self.head.as_slice() {
            [] => {}
            [one] => return Ok((one.clone(), TagSource::Head)),
            several => {
                return Err(TagCheckError::SeveralHeadTags {
                    tags: several.to_vec(),
                })
            }
        }
        let looked = [
            "--tag (not given)".to_string(),
            "the tags at HEAD (none)".to_string(),
            match &self.event_path {
                Some(path) => format!("{} (no release.tag_name)", path.display()),
                None => "$GITHUB_EVENT_PATH (not set)".to_string(),
            },
            match (&self.ref_name, &self.ref_type) {
                (Some(name), Some(kind)) => {
                    format!("$GITHUB_REF_NAME={name} ($GITHUB_REF_TYPE={kind}, not a tag)")
                }
                (Some(name), None) => format!("$GITHUB_REF_NAME={name} ($GITHUB_REF_TYPE not set)"),
                _ => "$GITHUB_REF_NAME (not set)".to_string(),
            },
            match &self.git_ref {
                Some(r) => format!("$GITHUB_REF={r} (not refs/tags/…)"),
                None => "$GITHUB_REF (not set)".to_string(),
            },
        ];
        Err(TagCheckError::NoTag {
            looked: looked.to_vec(),
        })
    }

    /// `.release.tag_name` of the event payload, when there is one.
    fn release_tag(&self) -> Result<Option<String>, TagCheckError> {
        let Some(path) = &self.event_path else {
            return Ok(None);
        };
        let text =
            pbx_project::read_text_file(path).map_err(|source| TagCheckError::EventUnreadable {
                path: path.clone(),
                source,
            })?;
        let value: serde_json::Value =
            serde_json::from_str(&text).map_err(|err| TagCheckError::EventNotJson {
                location: Location::at(path, err.line(), err.column()),
                reason: err.to_string(),
            })?;
        Ok(value
            .get("release")
            .and_then(|r| r.get("tag_name"))
            .and_then(|t| t.as_str())
            .map(str::to_string))
    }

    /// Whether the payload or `$GITHUB_EVENT_NAME` says this is a release
    /// event.
    pub fn is_release_event(&self) -> bool {
        self.event_name.as_deref() == Some("release")
    }
}
