use serde::Serialize;

use crate::problem::Location;

/// One named check and its outcome.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Check {
    /// A short stable identifier (`tag-matches-pyproject`).
    pub name: String,
    /// Whether it passed.
    pub ok: bool,
    /// What was found, in a sentence.
    pub message: String,
    /// A passing check that deserves attention (a non-canonical spelling).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub warning: Option<String>,
    /// The file the check is about.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub file: Option<String>,
    /// The line in that file.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub line: Option<usize>,
    /// The column in that file.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub column: Option<usize>,
}

impl Check {
    /// A passed check.
    pub fn pass(name: impl Into<String>, message: impl Into<String>) -> Self {
        Check {
            name: name.into(),
            ok: true,
            message: message.into(),
            warning: None,
            file: None,
            line: None,
            column: None,
        }
    }

    /// A failed check.
    pub fn fail(name: impl Into<String>, message: impl Into<String>) -> Self {
        Check {
            ok: false,
            ..Check::pass(name, message)
        }
    }

    /// Passed or failed by `ok`.
    pub fn new(name: impl Into<String>, ok: bool, message: impl Into<String>) -> Self {
        Check {
            ok,
            ..Check::pass(name, message)
        }
    }

    /// Attaches a location.
    pub fn at(mut self, location: Option<&Location>) -> Self {
        if let Some(location) = location {
            self.file = Some(location.file.display().to_string());
            self.line = location.line;
            self.column = location.column;
        }
        self
    }

    /// Attaches a warning.
    pub fn warn(mut self, warning: impl Into<String>) -> Self {
        self.warning = Some(warning.into());
        self
    }

    /// The check's location, when it has a file.
    pub fn location(&self) -> Option<Location> {
        self.file.as_ref().map(|file| Location {
            file: file.into(),
            line: self.line,
            column: self.column,
        })
    }
}

/// An ordered list of checks: every check is reported, not just the first
/// failure.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
#[serde(transparent)]
pub struct CheckSet(pub Vec<Check>);

impl CheckSet {
    /// Adds a check.
    pub fn push(&mut self, check: Check) {
        self.0.push(check);
    }

    /// True when every check passed.
    pub fn all_ok(&self) -> bool {
        self.0.iter().all(|check| check.ok)
    }

    /// The failed checks.
    pub fn failures(&self) -> impl Iterator<Item = &Check> {
        self.0.iter().filter(|check| !check.ok)
    }

    /// Iterates over the checks.
    pub fn iter(&self) -> impl Iterator<Item = &Check> {
        self.0.iter()
    }

    /// A Markdown table of the checks, for `$GITHUB_STEP_SUMMARY`.
    pub fn markdown_table(&self) -> String {
        let mut table = crate::MarkdownTable::new(&["check", "result", "detail"]);
        for check in &self.0 {
            let result = match (check.ok, &check.warning) {
                (false, _) => "❌ failed",
                (true, Some(_)) => "⚠️ passed",
                (true, None) => "✅ passed",
            };
            let mut detail = check.message.clone();
            if let Some(warning) = &check.warning {
                detail.push_str(" — ");
                detail.push_str(warning);
            }
            table.row([check.name.as_str(), result, &detail]);
        }
        table.render()
    }
}
