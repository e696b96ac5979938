//! The conventions every pbx binary shares (docs/design.md, "Conventions").
//!
//! - [`ExitStatus`]: the one place results become exit codes 0/1/2/3.
//!   Workflows branch on these, so they never blur: 1 is a failed check,
//!   2 bad usage or input, 3 a broken environment.
//! - [`Problem`]: an error that stops a binary, with its exit status, the
//!   file/line/column it is about ([`Location`]) and the next step to take.
//! - [`Check`]: one named check with its outcome, for reports that list every
//!   check rather than stopping at the first failure.
//! - [`Format`]: `--format text|json`.
//! - [`parse_duration`]: `--wait 90s|15m|1h|2m30s` (a bare number is seconds).
//! - [`GithubActions`]: under `GITHUB_ACTIONS=true`, `::error` annotations,
//!   `key=value` lines in `$GITHUB_OUTPUT`, Markdown in
//!   `$GITHUB_STEP_SUMMARY`, `::add-mask::` for secrets, and
//!   `::group::` around long logs.
//! - [`MarkdownTable`]: the one Markdown table of every step summary.
//! - [`Console`]: where a binary writes: stdout carries only the result,
//!   stderr carries messages (and the workflow commands, which the Actions
//!   runner reads from both streams).
//!
//! Libraries never print: they return values, and binaries hand them to a
//! [`Console`].
#![deny(missing_docs)]

mod check;
mod console;
mod duration;
mod github;
pub mod markdown;
mod problem;
mod redact;
mod size;

pub use check::{Check, CheckSet};
pub use console::{
    color_wanted, forget_empty_settings, mark, no_commands, run_main, Console, Format, Tone,
    NAME_COLUMN,
};
pub use duration::{format_duration, format_elapsed, parse_duration, MAX_DURATION};
pub use github::{escape_data, escape_property, group_title, GithubActions};
pub use markdown::{Align, MarkdownTable};
pub use problem::{ExitStatus, Location, Problem};
pub use redact::{redact, register_credentials, register_secret, REDACTED};
pub use size::{
    parse_expanded_size, parse_file_size, MAX_EXPANDED_SIZE, MAX_FILE_SIZE, MIN_EXPANDED_SIZE,
    MIN_FILE_SIZE,
};
