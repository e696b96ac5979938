//! The matrix report: one row per interpreter × check, rendered as a text
//! table, JSON, JUnit XML and a Markdown table; and `merge`.

use std::fmt::Write as _;
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

impl Status {
    /// A short word for tables.
    pub fn as_str(self) -> &'static str {
        match self {
            Status::Passed => "passed",
            Status::Failed => "FAILED",
            Status::NotRun => "not run",
            Status::NotApplicable => "not applicable",
            Status::Missing => "missing",
        }
    }

    fn emoji(self) -> &'static str {
        match self {
            Status::Passed => "✅ passed",
            Status::Failed => "❌ failed",
            Status::NotRun => "⏭️ not run",
            Status::NotApplicable => "➖ not applicable",
            Status::Missing => "⚠️ missing",
        }
    }
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

    /// The aligned text table, then the output tail of each failed row.
    pub fn text(&self) -> String {
        let mut out = String::new();
        for warning in &self.warnings {
            let _ = writeln!(out, "warning: {warning}");
        }
        let header = ["python", "check", "result", "time", "detail"];
        let cells: Vec<[String; 5]> = self
            .rows
            .iter()
            .map(|r| {
                [
                    self.python_label(r.python),
                    r.check.clone(),
                    r.status.as_str().to_string(),
                    format_duration(r.duration_ms),
                    r.detail.replace('\n', " "),
                ]
            })
            .collect();
        let mut widths = header.map(str::len);
        for row in &cells {
            for (width, cell) in widths.iter_mut().zip(row) {
                *width = (*width).max(cell.chars().count());
            }
        }
        let line = |cols: [&str; 5], out: &mut String| {
            let mut text = String::new();
            for (i, (col, width)) in cols.iter().zip(widths).enumerate() {
                if i == 4 {
                    text.push_str(col);
                } else {
                    let pad = width.saturating_sub(col.chars().count());
                    text.push_str(col);
                    text.push_str(&" ".repeat(pad + 2));
                }
            }
            out.push_str(text.trim_end());
            out.push('\n');
        };
        line(header, &mut out);
        for row in &cells {
            line([&row[0], &row[1], &row[2], &row[3], &row[4]], &mut out);
        }
        for row in self.rows.iter().filter(|r| !r.output.is_empty()) {
            let _ = writeln!(
                out,
                "\n--- {} {}: output (tail)",
                self.python_label(row.python),
                row.check
            );
            for l in row.output.lines() {
                let _ = writeln!(out, "  {l}");
            }
        }
        let (passed, failed, other) = self.counts();
        let _ = writeln!(
            out,
            "\n{} {} on {} interpreter(s) with {}: {passed} passed, {failed} failed, {other} not run/not applicable/missing",
            self.package,
            self.version,
            self.interpreters.len(),
            self.installer
        );
        out
    }

    /// `3.12 (3.12.1)`: the request and the exact version found.
    fn python_label(&self, python: PythonRequest) -> String {
        let found = self
            .interpreters
            .iter()
            .find(|i| i.search.request == python)
            .and_then(|i| i.search.found.as_ref());
        match found {
            Some(interpreter) if interpreter.version != python.to_string() => {
                format!("{python} ({})", interpreter.version)
            }
            _ => python.to_string(),
        }
    }

    /// A Markdown table for `$GITHUB_STEP_SUMMARY`.
    pub fn markdown(&self) -> String {
        let mark = if self.ok { "✅" } else { "❌" };
        let mut out = format!(
            "### pbx-reinstall: {} {} {mark}\n\n| python | check | result | time | detail |\n|---|---|---|---|---|\n",
            self.package, self.version
        );
        for warning in &self.warnings {
            let _ = writeln!(out, "\n> **Warning:** {warning}\n");
        }
        let cell = |s: &str| s.replace('|', "\\|").replace('\n', " ");
        for row in &self.rows {
            let _ = writeln!(
                out,
                "| {} | {} | {} | {} | {} |",
                self.python_label(row.python),
                cell(&row.check),
                row.status.emoji(),
                format_duration(row.duration_ms),
                cell(&row.detail)
            );
        }
        out.push('\n');
        for interpreter in &self.interpreters {
            if let Some(found) = &interpreter.search.found {
                let _ = writeln!(
                    out,
                    "- Python {}: {} {} `{}` (found via {})",
                    interpreter.search.request,
                    found.implementation,
                    found.version,
                    found.executable.display(),
                    found.source
                );
            }
        }
        out.push('\n');
        out
    }

    /// JUnit XML: one test suite per interpreter, one test case per check.
    pub fn junit(&self) -> String {
        let (_, failed, _) = self.counts();
        let total_ms: u64 = self.rows.iter().map(|r| r.duration_ms).sum();
        let mut out = String::from("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
        let _ = writeln!(
            out,
            "<testsuites name=\"pbx-reinstall {}\" tests=\"{}\" failures=\"{failed}\" time=\"{}\">",
            xml(&format!("{}=={}", self.package, self.version)),
            self.rows.len(),
            seconds(total_ms)
        );
        let mut pythons: Vec<PythonRequest> = Vec::new();
        for row in &self.rows {
            if !pythons.contains(&row.python) {
                pythons.push(row.python);
            }
        }
        for python in pythons {
            let rows: Vec<&Row> = self.rows.iter().filter(|r| r.python == python).collect();
            let failures = rows.iter().filter(|r| r.status == Status::Failed).count();
            let skipped = rows
                .iter()
                .filter(|r| !matches!(r.status, Status::Passed | Status::Failed))
                .count();
            let time: u64 = rows.iter().map(|r| r.duration_ms).sum();
            let _ = writeln!(
                out,
                "  <testsuite name=\"python {}\" tests=\"{}\" failures=\"{failures}\" skipped=\"{skipped}\" time=\"{}\">",
                xml(&self.python_label(python)),
                rows.len(),
                seconds(time)
            );
            for row in rows {
                let _ = write!(
                    out,
                    "    <testcase classname=\"{}.python{}\" name=\"{}\" time=\"{}\"",
                    xml(&self.package),
                    python,
                    xml(&row.check),
                    seconds(row.duration_ms)
                );
                match row.status {
                    Status::Passed => out.push_str("/>\n"),
                    Status::Failed => {
                        let _ = writeln!(
                            out,
                            ">\n      <failure message=\"{}\">{}</failure>\n    </testcase>",
                            xml(&row.detail),
                            xml(&row.output)
                        );
                    }
                    other => {
                        let _ = writeln!(
                            out,
                            ">\n      <skipped message=\"{}: {}\"/>\n    </testcase>",
                            other.as_str(),
                            xml(&row.detail)
                        );
                    }
                }
            }
            out.push_str("  </testsuite>\n");
        }
        out.push_str("</testsuites>\n");
        out
    }
}

fn seconds(ms: u64) -> String {
    format!("{:.3}", ms as f64 / 1000.0)
}

/// `0.42 s`, `12.3 s`, `2m05s`.
pub fn format_duration(ms: u64) -> String {
    if ms < 10_000 {
        format!("{:.2} s", ms as f64 / 1000.0)
    } else if ms < 120_000 {
        format!("{:.1} s", ms as f64 / 1000.0)
    } else {
        format!("{}m{:02}s", ms / 60_000, (ms / 1000) % 60)
    }
}

/// Escapes text for XML attributes and content, dropping characters XML
/// 1.0 cannot carry (terminal escapes in tool output).
fn xml(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            '\n' | '\t' | '\r' => out.push(c),
            c if (c as u32) < 0x20 => {}
            c => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn report() -> Report {
        let py = |s: &str| s.parse::<PythonRequest>().unwrap();
        let row = |p: &str, check: &str, status, output: &str| Row {
            python: py(p),
            check: check.into(),
            status,
            duration_ms: 1234,
            detail: "d <&>".into(),
            output: output.into(),
        };
        Report {
            package: "demo".into(),
            version: "1.0".into(),
            index: "http://x/simple/".into(),
            deps_index: "http://y/simple/".into(),
            installer: "uv".into(),
            ok: false,
            interpreters: vec![],
            rows: vec![
                row("3.12", "install", Status::Passed, ""),
                row("3.12", "import demo", Status::Failed, "Trace\x1b[0m <boom>"),
                row("3.11", "requires-python", Status::NotApplicable, ""),
            ],
            warnings: Vec::new(),
        }
    }

    #[test]
    fn junit_escapes_and_classifies() {
        let xml = report().junit();
        assert!(
            xml.contains("<failure message=\"d &lt;&amp;&gt;\">Trace[0m &lt;boom&gt;</failure>"),
            "{xml}"
        );
        assert!(xml.contains("tests=\"3\" failures=\"1\""), "{xml}");
    }

    #[test]
    fn text_lists_failed_output_after_the_table() {
        let text = report().text();
        let lines: Vec<&str> = text.lines().collect();
        assert!(lines[0].starts_with("python  check"), "{text}");
        assert!(
            lines[2].contains("import demo") && lines[2].contains("FAILED"),
            "{text}"
        );
        assert!(
            text.contains("--- 3.12 import demo: output (tail)\n  Trace"),
            "{text}"
        );
    }

    #[test]
    fn durations_read_well() {
        assert_eq!(format_duration(420), "0.42 s");
        assert_eq!(format_duration(12_345), "12.3 s");
        assert_eq!(format_duration(125_000), "2m05s");
    }
}
