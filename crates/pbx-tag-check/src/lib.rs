//! docs/design.md rule 1 ("one version, three places") and rule 2 ("lanes").
//!
//! [`check`] takes the release tag (found by [`TagSources::resolve`] when not
//! given), the project's `pyproject.toml`, its `uv.lock` and an optional
//! expected version, runs every check (not just until the first failure) and
//! decides the publish lane. The result is a [`TagReport`]; what makes
//! checking impossible (no tag, malformed files) is a [`TagCheckError`].
#![deny(missing_docs)]

mod checks;
mod error;
mod sources;

pub use checks::{check, Event, TagCheckInput, TagReport};
pub use sources::{head_tags, TagSource, TagSources};

pub use error::TagCheckError;
