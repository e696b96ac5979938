//! What each binary's report looks like: text for people on stderr, the
//! result on stdout (text, JSON or JUnit XML), GitHub Actions outputs,
//! annotations, groups and the step summary, and progress lines. One
//! module per binary, fed by the libraries' typed reports; the binaries
//! declare their arguments, call a library and hand the result here, and
//! the libraries keep data only.
//!
//! Every byte goes through [`pbx_report::Console`] (redaction, no workflow
//! command from outside text); every step summary table is a
//! [`pbx_report::MarkdownTable`].

pub mod checksum;
pub mod next_version;
pub mod reinstall;
pub mod tag_check;
pub mod upload;

use serde::Serialize;

/// The name an outcome or state has in JSON (`not_listed`), with spaces
/// for people (`not listed`).
pub fn label<T: Serialize>(value: &T) -> String {
    serde_json::to_value(value)
        .ok()
        .and_then(|v| v.as_str().map(|s| s.replace('_', " ")))
        .unwrap_or_default()
}
