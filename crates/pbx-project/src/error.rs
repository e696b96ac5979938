use std::path::PathBuf;

use pbx_report::Location;

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
        let dir = path.parent().unwrap_or(std::path::Path::new("."));
        let legacy = ["setup.py", "setup.cfg"]
            .into_iter()
            .find(|name| dir.join(name).is_file());
        let hint = match (err.kind() == std::io::ErrorKind::NotFound, legacy) {
            (true, Some(legacy)) => format!(
                "this project keeps its metadata in {legacy}, and pbx reads the version from pyproject.toml's `[project]` table (PEP 621): add a pyproject.toml with `[project]` name and version (or `dynamic = [\"version\"]` and pass --dist to read it from the built wheel); until then, check the built artifacts with `pbx-checksum inspect dist --expect-version X.Y.Z`"
            ),
            (true, None) => "run from the project root or pass --project DIR".to_string(),
            (false, _) => "check the file's permissions".to_string(),
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
