use std::fmt;
use std::path::{Path, PathBuf};

use serde::Serialize;

/// How a pbx binary ends. The only mapping to process exit codes.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ExitStatus {
    /// 0: the check passed.
    Success,
    /// 1: the check failed (a mismatch, a version already on the index, a
    /// digest that differs, an install that failed).
    Failure,
    /// 2: usage or input error (unknown flag, unreadable or malformed file).
    InputError,
    /// 3: the environment failed (index unreachable after retries, no
    /// interpreter found, a tool missing).
    EnvironmentError,
}

impl ExitStatus {
    /// The process exit code.
    pub fn code(self) -> u8 {
        match self {
            ExitStatus::Success => 0,
            ExitStatus::Failure => 1,
            ExitStatus::InputError => 2,
            ExitStatus::EnvironmentError => 3,
        }
    }

    /// Success when `ok`, Failure otherwise.
    pub fn from_ok(ok: bool) -> Self {
        if ok {
            ExitStatus::Success
        } else {
            ExitStatus::Failure
        }
    }
}

impl From<ExitStatus> for std::process::ExitCode {
    fn from(status: ExitStatus) -> Self {
        std::process::ExitCode::from(status.code())
    }
}

/// A place in a file: 1-based line and column.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Location {
    /// The file, as the user named it (relative paths stay relative).
    pub file: PathBuf,
    /// 1-based line, when known.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub line: Option<usize>,
    /// 1-based column, when known.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub column: Option<usize>,
}

impl Location {
    /// A whole file.
    pub fn file(file: impl Into<PathBuf>) -> Self {
        Location {
            file: file.into(),
            line: None,
            column: None,
        }
    }

    /// A line and column in a file.
    pub fn at(file: impl Into<PathBuf>, line: usize, column: usize) -> Self {
        Location {
            file: file.into(),
            line: Some(line),
            column: Some(column),
        }
    }

    /// The line and column of byte `offset` in `text`.
    pub fn at_offset(file: impl Into<PathBuf>, text: &str, offset: usize) -> Self {
        let offset = offset.min(text.len());
        let before = &text[..offset];
        let line = before.matches('\n').count() + 1;
        let line_start = before.rfind('\n').map_or(0, |i| i + 1);
        let column = before[line_start..].chars().count() + 1;
        Location::at(file, line, column)
    }

    /// The file path.
    pub fn path(&self) -> &Path {
        &self.file
    }
}

impl fmt::Display for Location {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.file.display())?;
        if let Some(line) = self.line {
            write!(f, ":{line}")?;
            if let Some(column) = self.column {
                write!(f, ":{column}")?;
            }
        }
        Ok(())
    }
}

/// An error that ends a binary: what is wrong, where, and what to do next.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Problem {
    /// Exit status this problem maps to.
    pub status: ExitStatus,
    /// What is wrong, in one sentence.
    pub message: String,
    /// The file (and line, column) it is about.
    pub location: Option<Location>,
    /// The next step for the user.
    pub hint: Option<String>,
}

impl Problem {
    /// Exit 2: bad usage or input.
    pub fn input(message: impl Into<String>) -> Self {
        Problem {
            status: ExitStatus::InputError,
            message: message.into(),
            location: None,
            hint: None,
        }
    }

    /// Exit 3: the environment failed.
    pub fn environment(message: impl Into<String>) -> Self {
        Problem {
            status: ExitStatus::EnvironmentError,
            message: message.into(),
            location: None,
            hint: None,
        }
    }

    /// Exit 1: the check failed.
    pub fn failure(message: impl Into<String>) -> Self {
        Problem {
            status: ExitStatus::Failure,
            message: message.into(),
            location: None,
            hint: None,
        }
    }

    /// Attaches where the problem is.
    pub fn at(mut self, location: Location) -> Self {
        self.location = Some(location);
        self
    }

    /// Attaches the next step.
    pub fn hint(mut self, hint: impl Into<String>) -> Self {
        self.hint = Some(hint.into());
        self
    }
}

impl fmt::Display for Problem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if let Some(location) = &self.location {
            write!(f, "{location}: ")?;
        }
        f.write_str(&self.message)?;
        if let Some(hint) = &self.hint {
            write!(f, "\n  hint: {hint}")?;
        }
        Ok(())
    }
}

impl std::error::Error for Problem {}
