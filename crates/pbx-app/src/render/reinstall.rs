//! pbx-reinstall's report: where each interpreter was found, progress
//! while the work runs, and the matrix (text table, JSON, JUnit XML, the
//! step summary, annotations and outputs).
//!
//! Each result is said once in a CI log (stdout and stderr merged): the
//! table holds every row, so while the work runs stderr gets, on a
//! terminal, one live line per interpreter (cleared at the end); under
//! GitHub Actions, every row as it finishes, folded in a collapsed group;
//! elsewhere one short line when an interpreter is done.

use std::path::Path;
use std::sync::mpsc;
use std::time::Duration;

use pbx_python::{PythonRequest, Search};
use pbx_reinstall::{Listing, Progress, Report, Reporter, Row, Status, WaitEvent};
use pbx_report::{format_elapsed, Console, ExitStatus, MarkdownTable, Problem, Tone};

use crate::progress::Lines;

/// A short word for a status in tables and progress lines.
pub fn word(status: Status) -> &'static str {
    match status {
        Status::Passed => "passed",
        Status::Failed => "FAILED",
        Status::NotRun => "not run",
        Status::NotApplicable => "not applicable",
        Status::Missing => "missing",
    }
}

fn emoji(status: Status) -> &'static str {
    match status {
        Status::Passed => "✅ passed",
        Status::Failed => "❌ failed",
        Status::NotRun => "⏭️ not run",
        Status::NotApplicable => "➖ not applicable",
        Status::Missing => "⚠️ missing",
    }
}

/// `3.12 (3.12.1)`: the request and the exact version found.
pub fn python_label(report: &Report, python: PythonRequest) -> String {
    let found = report
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

/// Where each interpreter was found (or not), and what was passed over;
/// under GitHub Actions folded in a group.
pub fn interpreters(console: &mut Console<'_>, searches: &[Search]) {
    let wanted: Vec<String> = searches.iter().map(|s| s.request.to_string()).collect();
    console.group(&format!(
        "pbx-reinstall: interpreters for Python {}",
        wanted.join(", ")
    ));
    for search in searches {
        let skipped: Vec<String> = search
            .skipped
            .iter()
            .map(|s| format!("{} ({}: {})", s.path.display(), s.source, s.reason))
            .collect();
        let note = if skipped.is_empty() {
            String::new()
        } else {
            format!("; skipped {}", skipped.join(", "))
        };
        match &search.found {
            Some(found) => console.say(&format!(
                "Python {}: {} {} at {} (found via {}{note})",
                search.request,
                found.implementation,
                found.version,
                found.executable.display(),
                found.source
            )),
            None => console.say(&format!("Python {}: not found{note}", search.request)),
        }
    }
    console.end_group();
}

/// The line that says what is installed from where.
pub fn starting(console: &mut Console<'_>, request: &pbx_reinstall::Request) {
    console.say(&format!(
        "pbx-reinstall: {} {} from {} (dependencies from {}) with {}",
        request.package,
        request.version.canonical(),
        request.index,
        request.deps_index,
        request.backend.name()
    ));
}

/// `pbx-reinstall merge: 2 report(s) for demo 1.2.3`.
pub fn merged(console: &mut Console<'_>, reports: usize, report: &Report) {
    console.say(&format!(
        "pbx-reinstall merge: {reports} report(s) for {} {}",
        report.package, report.version
    ));
}

/// The report in every place it goes: `--json-report`/`--junit-report`
/// files, warnings (stderr and annotations), the step summary, outputs,
/// an annotation per failed row, and stdout in `format` (`text`, `json`
/// or `junit`).
pub fn finish(
    console: &mut Console<'_>,
    report: &Report,
    format: &str,
    json_report: Option<&Path>,
    junit_report: Option<&Path>,
) -> Result<ExitStatus, Problem> {
    let write = |path: &Path, text: String| {
        std::fs::write(path, text).map_err(|err| {
            Problem::environment(format!(
                "{}: cannot write the report: {err}",
                path.display()
            ))
        })
    };
    if let Some(path) = json_report {
        let text = serde_json::to_string_pretty(report).unwrap_or_default() + "\n";
        write(path, text)?;
    }
    if let Some(path) = junit_report {
        write(path, junit(report))?;
    }
    let github = console.github.clone();
    for warning in &report.warnings {
        let line = console.paint(Tone::Warn, &format!("warning: {warning}"));
        console.say(&line);
        let _ = github.warning(console.err(), "pbx-reinstall", warning, None);
    }
    let _ = github.append_summary(&markdown(report));
    let failed = report.counts().1;
    let _ = github.set_outputs(&[
        ("ok", report.ok.to_string()),
        ("failed", failed.to_string()),
    ]);
    if github.enabled() {
        for row in report.rows.iter().filter(|r| r.status == Status::Failed) {
            let _ = github.error(
                console.err(),
                &format!("pbx-reinstall: Python {} {}", row.python, row.check),
                &row.detail,
                None,
            );
        }
    }
    match format {
        "json" => console.json(report),
        "junit" => console.result(&junit(report)),
        _ => console.result(&text(report)),
    }
    Ok(crate::Outcome::status(report))
}

/// The aligned text table, then the output tail of each failed row, then
/// the counts. The warnings are not repeated here: stderr has them.
pub fn text(report: &Report) -> String {
    let mut out = String::new();
    let header = ["python", "check", "result", "time", "detail"];
    let cells: Vec<[String; 5]> = report
        .rows
        .iter()
        .map(|r| {
            [
                python_label(report, r.python),
                r.check.replace('\n', " "),
                word(r.status).to_string(),
                format_elapsed(r.duration_ms),
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
    for row in report.rows.iter().filter(|r| !r.output.is_empty()) {
        out.push_str(&format!(
            "\n--- {} {}: output (tail)\n",
            python_label(report, row.python),
            row.check
        ));
        for l in row.output.lines() {
            out.push_str(&format!("  {l}\n"));
        }
    }
    let (passed, failed, other) = report.counts();
    out.push_str(&format!(
        "\n{} {} on {} interpreter(s) with {}: {passed} passed, {failed} failed, {other} not run/not applicable/missing\n",
        report.package,
        report.version,
        report.interpreters.len(),
        report.installer
    ));
    out
}

/// The step summary: a heading with the outcome, the warnings, the table
/// of rows, and where each interpreter was found.
pub fn markdown(report: &Report) -> String {
    let mark = if report.ok { "✅" } else { "❌" };
    let mut out = format!(
        "### pbx-reinstall: {} {} {mark}\n\n",
        report.package, report.version
    );
    for warning in &report.warnings {
        out.push_str(&format!("> **Warning:** {warning}\n\n"));
    }
    let mut table = MarkdownTable::new(&["python", "check", "result", "time", "detail"]);
    for row in &report.rows {
        table.row([
            python_label(report, row.python),
            row.check.clone(),
            emoji(row.status).to_string(),
            format_elapsed(row.duration_ms),
            row.detail.clone(),
        ]);
    }
    out.push_str(&table.render());
    out.push('\n');
    for interpreter in &report.interpreters {
        if let Some(found) = &interpreter.search.found {
            out.push_str(&format!(
                "- Python {}: {} {} `{}` (found via {})\n",
                interpreter.search.request,
                found.implementation,
                found.version,
                found.executable.display(),
                found.source
            ));
        }
    }
    out.push('\n');
    out
}

/// JUnit XML: one test suite per interpreter (in the rows' order), one test
/// case per check; a failed row is a `<failure>` whose text is the output
/// tail, a row not run, not applicable or missing is `<skipped>`.
///
/// Written by `quick-junit` (nextest's serializer): it escapes text and
/// attributes, drops what XML 1.0 cannot carry (terminal escapes in tool
/// output) and counts tests, failures and skips per suite itself.
pub fn junit(report: &Report) -> String {
    use quick_junit::{NonSuccessKind, Report as Junit, TestCase, TestCaseStatus, TestSuite};
    let millis = |ms: u64| Duration::from_millis(ms);
    let mut junit = Junit::new(format!(
        "pbx-reinstall {}=={}",
        report.package, report.version
    ));
    junit.set_time(millis(report.rows.iter().map(|r| r.duration_ms).sum()));
    let mut pythons: Vec<PythonRequest> = Vec::new();
    for row in &report.rows {
        if !pythons.contains(&row.python) {
            pythons.push(row.python);
        }
    }
    for python in pythons {
        let rows: Vec<&Row> = report.rows.iter().filter(|r| r.python == python).collect();
        let mut suite = TestSuite::new(format!("python {}", python_label(report, python)));
        suite.set_time(millis(rows.iter().map(|r| r.duration_ms).sum()));
        for row in rows {
            let status = match row.status {
                Status::Passed => TestCaseStatus::success(),
                Status::Failed => {
                    let mut status = TestCaseStatus::non_success(NonSuccessKind::Failure);
                    status.set_message(row.detail.as_str());
                    status.set_description(row.output.as_str());
                    status
                }
                other => {
                    let mut status = TestCaseStatus::skipped();
                    status.set_message(format!("{}: {}", word(other), row.detail));
                    status
                }
            };
            let mut case = TestCase::new(row.check.as_str(), status);
            case.set_classname(format!("{}.python{python}", report.package));
            case.set_time(millis(row.duration_ms));
            suite.add_test_case(case);
        }
        junit.add_test_suite(suite);
    }
    // Serialising into memory fails only on a bug in the serializer; the
    // report then says so instead of stopping without one.
    junit.to_string().unwrap_or_else(|err| {
        format!("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<!-- pbx-reinstall could not write JUnit XML: {err} -->\n<testsuites/>\n")
    })
}

/// Runs `work` on its own thread with a [`Reporter`] whose events are drawn
/// here, on the thread that holds the console: on a terminal live lines
/// (one per interpreter, and a spinner while the index is awaited); under
/// GitHub Actions every row and wait line, folded in groups; elsewhere the
/// wait lines and one line per interpreter when it is done. `what` names
/// the release (`demo 1.2.3`) in group titles.
pub fn with_progress<R: Send>(
    console: &mut Console<'_>,
    what: &str,
    work: impl FnOnce(&dyn Reporter) -> R + Send,
) -> Result<R, Problem> {
    let (sender, receiver) = mpsc::channel::<Event>();
    let mut live = Lines::new(crate::progress::on_terminal());
    let mode = if live.enabled() {
        Mode::Terminal
    } else if console.github.enabled() {
        Mode::Actions
    } else {
        Mode::Log
    };
    let mut drawer = Drawer {
        mode,
        what,
        group: None,
    };
    std::thread::scope(|scope| {
        let worker = scope.spawn(move || {
            let events = Events(sender);
            work(&events)
        });
        for event in receiver {
            drawer.draw(console, &mut live, event);
        }
        drawer.close_group(console);
        live.clear();
        worker.join()
    })
    .map_err(|_| Problem::environment("internal error: the reinstall thread panicked"))
}

/// What the workers report, sent to the thread that owns the console.
enum Event {
    Wait(WaitEvent),
    Listed(Listing),
    Row(Row),
    Finished {
        python: PythonRequest,
        checks: usize,
        failed: usize,
        took: Duration,
    },
}

/// The [`Reporter`] the library calls from its threads.
struct Events(mpsc::Sender<Event>);

impl Progress for Events {
    fn row(&self, row: &Row) {
        let _ = self.0.send(Event::Row(row.clone()));
    }

    fn finished(&self, python: PythonRequest, rows: &[Row], took: Duration) {
        let _ = self.0.send(Event::Finished {
            python,
            checks: rows.len(),
            failed: rows.iter().filter(|r| r.status == Status::Failed).count(),
            took,
        });
    }
}

impl Reporter for Events {
    fn wait(&self, event: &WaitEvent) {
        let _ = self.0.send(Event::Wait(event.clone()));
    }

    fn listed(&self, listing: &Listing) {
        let _ = self.0.send(Event::Listed(listing.clone()));
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Mode {
    Terminal,
    Actions,
    Log,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Group {
    Wait,
    Rows,
}

struct Drawer<'a> {
    mode: Mode,
    what: &'a str,
    group: Option<Group>,
}

/// The live line of the index wait.
const INDEX_LINE: &str = "index";

impl Drawer<'_> {
    fn draw(&mut self, console: &mut Console<'_>, live: &mut Lines, event: Event) {
        match event {
            Event::Wait(event) => {
                let line = wait_line(&event);
                match self.mode {
                    Mode::Terminal => {
                        if let WaitEvent::Unreachable { .. } = event {
                            live.println(&safe(&line));
                        }
                        live.update(INDEX_LINE, &safe(&wait_spinner(self.what, &event)));
                    }
                    Mode::Actions => {
                        self.open_group(console, Group::Wait);
                        console.say(&line);
                    }
                    Mode::Log => console.say(&line),
                }
            }
            Event::Listed(listing) => {
                let line = listed_line(&listing);
                match self.mode {
                    Mode::Terminal => {
                        live.remove(INDEX_LINE);
                        live.println(&safe(&line));
                    }
                    Mode::Actions | Mode::Log => {
                        self.close_group(console);
                        console.say(&line);
                    }
                }
            }
            Event::Row(row) => match self.mode {
                Mode::Terminal => live.update(
                    &row.python.to_string(),
                    &safe(&format!("{} {}", row.check, word(row.status))),
                ),
                Mode::Actions => {
                    self.open_group(console, Group::Rows);
                    console.say(&row_line(&row));
                }
                Mode::Log => {}
            },
            Event::Finished {
                python,
                checks,
                failed,
                took,
            } => {
                let took = format_elapsed(took.as_millis() as u64);
                let line = if failed == 0 {
                    format!("pbx-reinstall: Python {python} done in {took} ({checks} checks)")
                } else {
                    format!(
                        "pbx-reinstall: Python {python} failed in {took} ({failed} of {checks} checks failed)"
                    )
                };
                match self.mode {
                    Mode::Terminal => live.update(
                        &python.to_string(),
                        &safe(if failed == 0 { "done" } else { "failed" }),
                    ),
                    Mode::Actions => {}
                    Mode::Log => console.say(&line),
                }
            }
        }
    }

    fn open_group(&mut self, console: &mut Console<'_>, group: Group) {
        if self.group == Some(group) {
            return;
        }
        self.close_group(console);
        console.group(&match group {
            Group::Wait => format!("pbx-reinstall: waiting for the index to list {}", self.what),
            Group::Rows => format!("pbx-reinstall: {}, each check as it finishes", self.what),
        });
        self.group = Some(group);
    }

    fn close_group(&mut self, console: &mut Console<'_>) {
        if self.group.take().is_some() {
            console.end_group();
        }
    }
}

/// Text drawn by indicatif (outside the console) gets the console's
/// treatment: redacted, no workflow command.
fn safe(text: &str) -> String {
    pbx_report::no_commands(&pbx_report::redact(text)).into_owned()
}

/// `  [3.12] passed          install (1.53 s): detail`, a row as a log
/// line. Rows of several interpreters interleave as they finish, so the
/// only padded column is the status (a closed set of words): a long check
/// name cannot push the others out of line.
pub fn row_line(row: &Row) -> String {
    format!(
        "  [{}] {:<14} {} ({}): {}",
        row.python,
        word(row.status),
        row.check,
        format_elapsed(row.duration_ms),
        row.detail.replace('\n', " ")
    )
}

fn wait_line(event: &WaitEvent) -> String {
    match event {
        WaitEvent::NotYet {
            attempt,
            elapsed,
            limit,
            next,
            missing,
        } => format!(
            "waiting for the index: {missing} (check {attempt}, {} of {}); next check in {}",
            format_elapsed(elapsed.as_millis() as u64),
            format_elapsed(limit.as_millis() as u64),
            format_elapsed(next.as_millis() as u64)
        ),
        WaitEvent::Unreachable { attempt, error } => {
            format!("waiting for the index: check {attempt} failed: {error}")
        }
    }
}

/// The spinner's words while the index is awaited: what, the limit, what
/// is missing (the spinner adds the time waited so far).
fn wait_spinner(what: &str, event: &WaitEvent) -> String {
    match event {
        WaitEvent::NotYet {
            attempt,
            limit,
            missing,
            ..
        } => format!(
            "waiting up to {} for the index to list {what}: {missing} (check {attempt})",
            format_elapsed(limit.as_millis() as u64)
        ),
        WaitEvent::Unreachable { attempt, .. } => {
            format!("waiting for the index to list {what}: check {attempt} failed, trying again")
        }
    }
}

fn listed_line(listing: &Listing) -> String {
    let names: Vec<&str> = listing.files.iter().map(|f| f.filename.as_str()).collect();
    format!(
        "listed after {} check(s) ({}): {}",
        listing.attempts,
        format_elapsed(listing.waited.as_millis() as u64),
        names.join(", ")
    )
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
        let xml = junit(&report());
        assert!(
            xml.contains("<failure message=\"d &lt;&amp;&gt;\">Trace &lt;boom&gt;</failure>"),
            "{xml}"
        );
        assert!(
            xml.contains("tests=\"3\" skipped=\"1\" failures=\"1\""),
            "{xml}"
        );
        assert!(!xml.contains('\x1b'), "{xml}");
    }

    #[test]
    fn text_lists_failed_output_after_the_table() {
        let text = text(&report());
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
    fn the_summary_table_is_one_table_with_the_warnings_before_it() {
        let mut report = report();
        report.warnings.push("not pinned".into());
        let markdown = markdown(&report);
        assert!(
            markdown.contains("> **Warning:** not pinned\n\n| python | check |"),
            "{markdown}"
        );
        let table: Vec<&str> = markdown
            .lines()
            .skip_while(|l| !l.starts_with("| python"))
            .take_while(|l| l.starts_with('|'))
            .collect();
        assert_eq!(table.len(), 2 + report.rows.len(), "{markdown}");
    }
}
