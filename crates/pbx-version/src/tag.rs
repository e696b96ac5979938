use std::fmt;

use crate::version::{Version, VersionError};

/// The prefix docs/design.md rule 1 puts before the version in a release tag.
pub const DEFAULT_TAG_PREFIX: &str = "v";

/// A release tag: a prefix (`v`) followed by a PEP 440 version.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Tag {
    /// The tag as given, without any `refs/tags/` prefix.
    pub name: String,
    /// The version the tag names.
    pub version: Version,
}

/// A tag that does not name a release version.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TagError {
    /// The tag does not start with the expected prefix.
    #[error("tag `{tag}` does not start with `{prefix}`: release tags are `{prefix}` followed by the version, e.g. `{prefix}1.2.3`{}", if crate::Version::parse(tag).is_ok() { " (if this project's release tags have no prefix, set `[tool.pbx] tag-prefix = \"\"` in pyproject.toml)" } else { "" })]
    MissingPrefix {
        /// The tag as given.
        tag: String,
        /// The prefix that was expected.
        prefix: String,
    },
    /// The tag has surrounding whitespace or a line break (a tag read from
    /// a file or a command's output): refused, never trimmed in silence.
    #[error("tag {tag:?} has surrounding whitespace: git tags never do; pass the tag exactly")]
    Whitespace {
        /// The tag as given.
        tag: String,
    },
    /// What follows the prefix is not a PEP 440 version.
    #[error("tag `{tag}` does not name a PEP 440 version: {source}")]
    InvalidVersion {
        /// The tag as given.
        tag: String,
        /// The parse failure.
        source: VersionError,
    },
}

impl Tag {
    /// Parses `v1.2.3` (or `refs/tags/v1.2.3`) with the given prefix.
    pub fn parse(input: &str, prefix: &str) -> Result<Tag, TagError> {
        if input.trim() != input || input.is_empty() {
            return Err(TagError::Whitespace {
                tag: input.to_string(),
            });
        }
        let name = input.strip_prefix("refs/tags/").unwrap_or(input);
        let Some(rest) = name.strip_prefix(prefix) else {
            return Err(TagError::MissingPrefix {
                tag: name.to_string(),
                prefix: prefix.to_string(),
            });
        };
        // `Version::parse` tolerates a leading `v`; a tag `vv1.0` must not pass.
        if rest.starts_with(['v', 'V']) || rest.trim() != rest {
            return Err(TagError::InvalidVersion {
                tag: name.to_string(),
                source: VersionError {
                    input: rest.to_string(),
                    reason: "unexpected character after the tag prefix".to_string(),
                },
            });
        }
        let version = Version::parse(rest).map_err(|source| TagError::InvalidVersion {
            tag: name.to_string(),
            source,
        })?;
        Ok(Tag {
            name: name.to_string(),
            version,
        })
    }

    /// The tag for a version: prefix + canonical version.
    pub fn for_version(version: &Version, prefix: &str) -> String {
        format!("{prefix}{}", version.canonical())
    }
}

impl fmt::Display for Tag {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.name)
    }
}
