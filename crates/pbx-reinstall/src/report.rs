//! The matrix report: one row per interpreter × check (JSON-serialisable;
//! pbx-app renders it as a text table, JUnit XML and Markdown), and
//! `merge`.

use std::path::Path;

use pbx_python::{PythonRequest, Search};
use serde::{Deserialize, Serialize};

/// The outcome of one row.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Status {
    /// The check passed.
    Passed,
    /// The check failed: the run exits 1.
    Failed,
    /// Not run because an earlier step for the same interpreter failed.
    NotRun,
    /// The package's Requires-Python excludes this interpreter.
    NotApplicable,
    /// The interpreter was not found (`--skip-missing`).
    Missing,
}

/// One interpreter × check.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Row {
    /// The requested interpreter (`3.12`).
    pub python: PythonRequest,
    /// The check (`venv`, `install`, `dependencies`, `pip check`,
    /// `version`, `import NAME`, `smoke: CMD`).
    pub check: String,
    /// Its outcome.
    pub status: Status,
    /// How long it took, in milliseconds.
    pub duration_ms: u64,
    /// What was found, in a sentence.
    pub detail: String,
    /// The tail of the command's output, on failure.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub output: String,
}

/// One interpreter of the matrix: the search and, when it ran, its outcome.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct InterpreterReport {
    /// Where it was looked for and what was found.
    #[serde(flatten)]
    pub search: Search,
    /// `passed`, `failed`, `not-applicable` or `missing`.
    pub status: Status,
}

/// The whole run.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Report {
    /// The package (normalised name).
    pub package: String,
    /// The version installed (canonical).
    pub version: String,
    /// The upload index's simple URL.
    pub index: String,
    /// The dependency index's simple URL.
    pub deps_index: String,
    /// `uv` or `pip`.
    pub installer: String,
    /// True when no applicable check failed.
    pub ok: bool,
    /// The interpreters, in request order.
    pub interpreters: Vec<InterpreterReport>,
    /// Every row, grouped by interpreter in request order.
    pub rows: Vec<Row>,
    /// Things worth knowing that are not a failed check (e.g. an install
    /// not pinned to the built bytes).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub warnings: Vec<String>,
}

/// Reports that cannot be merged.
#[derive(Debug, thiserror::Error)]
pub enum MergeError {
    /// A file could not be read.
    #[error("{path}: cannot read: {source}")]
    Read {
        /// The file.
        path: String,
        /// Why.
        source: std::io::Error,
    },
    /// A file is not a pbx-reinstall JSON report.
    #[error("{path}:{line}:{column}: not a pbx-reinstall JSON report: {message}")]
    Parse {
        /// The file.
        path: String,
        /// 1-based line.
        line: usize,
        /// 1-based column.
        column: usize,
        /// What serde said.
        message: String,
    },
    /// The reports are about different releases.
    #[error("{path}: reports {found}, but {first_path} reports {expected}: merge reports of one release only")]
    Mismatch {
        /// The odd file.
        path: String,
        /// What it is about.
        found: String,
        /// The first file.
        first_path: String,
        /// What the first file is about.
        expected: String,
    },
    /// Nothing to merge.
    #[error("no reports to merge")]
    Empty,
}

impl Report {
    /// Recomputes `ok` from the rows.
    pub fn refresh_ok(&mut self) {
        self.ok = !self.rows.iter().any(|r| r.status == Status::Failed)
            && !self.interpreters.iter().any(|i| i.status == Status::Failed);
    }

    /// Reads one JSON report.
    pub fn read(path: &Path) -> Result<Report, MergeError> {
        let text = pbx_project::read_text_file(path).map_err(|source| MergeError::Read {
            path: path.display().to_string(),
            source,
        })?;
        serde_json::from_str(&text).map_err(|err| MergeError::Parse {
            path: path.display().to_string(),
            line: err.line(),
            column: err.column(),
            message: err.to_string(),
        })
    }

    /// Combines per-job reports (one matrix job per interpreter) into one:
    /// same package and version required, interpreters and rows ordered by
    /// version.
    pub fn merge(paths: &[&Path]) -> Result<Report, MergeError> {
        let mut reports = Vec::new();
        for path in paths {
            reports.push((path.display().to_string(), Report::read(path)?));
        }
        let mut iter = reports.into_iter();
        let (first_path, mut merged) = iter.next().ok_or(MergeError::Empty)?;
        let about = |r: &Report| format!("{} {}", r.package, r.version);
        for (path, report) in iter {
            let same_version = pbx_version::Version::parse(&report.version).ok()
                == pbx_version::Version::parse(&merged.version).ok();
            if pbx_version::normalize(&report.package) != pbx_version::normalize(&merged.package)
                || !same_version
            {
                return Err(MergeError::Mismatch {
                    path,
                    found: about(&report),
                    first_path,
                    expected: about(&merged),
                });
            }
            if report.installer != merged.installer && !merged.installer.contains(&report.installer)
            {
                merged.installer = format!("{}, {}", merged.installer, report.installer);
            }
            merged.interpreters.extend(report.interpreters);
            merged.rows.extend(report.rows);
            for warning in report.warnings {
                if !merged.warnings.contains(&warning) {
                    merged.warnings.push(warning);
                }
            }
        }
        merged.interpreters.sort_by_key(|i| i.search.request);
        merged.rows.sort_by_key(|r| r.python);
        merged.refresh_ok();
        Ok(merged)
    }

    /// Counts of rows by status: (passed, failed, other).
    pub fn counts(&self) -> (usize, usize, usize) {
        let passed = self
            .rows
            .iter()
            .filter(|r| r.status == Status::Passed)
            .count();
        let failed = self
            .rows
            .iter()
            .filter(|r| r.status == Status::Failed)
            .count();
        (passed, failed, self.rows.len() - passed - failed)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn row(python: &str, status: Status) -> Row {
        Row {
            python: python.parse().unwrap(),
            check: "install".into(),
            status,
            duration_ms: 1,
            detail: String::new(),
            output: String::new(),
        }
    }

    #[test]
    fn counts_split_passed_failed_and_the_rest() {
        let report = Report {
            package: "demo".into(),
            version: "1.0".into(),
            index: "http://x/simple/".into(),
            deps_index: "http://y/simple/".into(),
            installer: "uv".into(),
            ok: true,
            interpreters: vec![],
            rows: vec![
                row("3.12", Status::Passed),
                row("3.12", Status::Failed),
                row("3.11", Status::NotApplicable),
                row("3.13", Status::Missing),
            ],
            warnings: Vec::new(),
        };
        assert_eq!(report.counts(), (1, 1, 2));
    }
}
