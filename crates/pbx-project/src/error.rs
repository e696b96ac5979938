use std::path::PathBuf;

use pbx_report::{Location, Problem};

/// A project file that cannot be used: unreadable, malformed, or missing
/// what pbx needs. Always an input error (exit 2).
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("{location}: {message}")]
pub struct ProjectError {
    /// Where the problem is.
    pub location: Location,
    /// What is wrong.
    pub message: String,
    /// What to do about it.
    pub hint: Option<String>,
}

impl ProjectError {
    pub(crate) fn new(location: Location, message: impl Into<String>) -> Self {
        ProjectError {
            location,
            message: message.into(),
            hint: None,
        }
    }

    pub(crate) fn hint(mut self, hint: impl Into<String>) -> Self {
        self.hint = Some(hint.into());
        self
    }

    pub(crate) fn unreadable(path: &std::path::Path, err: &std::io::Error) -> Self {
        let hint = if err.kind() == std::io::ErrorKind::NotFound {
            "run from the project root or pass --project DIR"
        } else {
            "check the file's permissions"
        };
        ProjectError::new(
            Location::file(PathBuf::from(path)),
            format!("cannot read the file: {err}"),
        )
        .hint(hint)
    }

    pub(crate) fn toml(path: &std::path::Path, text: &str, err: &toml_edit::TomlError) -> Self {
        Self::toml_at(path, text, err.span().map(|s| s.start), err.message())
    }

    /// A TOML syntax error at byte `offset` of `text`, `message` being the
    /// parser's (its first line is kept).
    pub(crate) fn toml_at(
        path: &std::path::Path,
        text: &str,
        offset: Option<usize>,
        message: &str,
    ) -> Self {
        let location = super::span::location_of(path, text, offset.map(|o| o..o));
        let message = message.lines().next().unwrap_or("invalid TOML").to_string();
        ProjectError::new(location, format!("malformed TOML: {message}"))
            .hint("fix the syntax at that position (the file must be valid TOML 1.0)")
    }
}

impl From<ProjectError> for Problem {
    fn from(err: ProjectError) -> Self {
        let mut problem = Problem::input(err.message).at(err.location);
        problem.hint = err.hint;
        problem
    }
}
