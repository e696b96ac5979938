//! docs/design.md rule 1 ("one version, three places") and rule 2 ("lanes").
//!
//! [`check`] takes the release tag (found by [`TagSources::resolve`] when not
//! given), the project's `pyproject.toml`, its `uv.lock` and an optional
//! expected version, runs every check (not just until the first failure) and
//! decides the publish lane. The result is a [`TagReport`]; problems that
//! make checking impossible (no tag, malformed files) are [`Problem`]s with
//! exit status 2.
#![deny(missing_docs)]

mod checks;
mod sources;

pub use checks::{check, Event, TagCheckInput, TagReport};
pub use sources::{TagSource, TagSources};

pub use pbx_report::Problem;
