use std::io::{self, Write};

use serde::Serialize;

use crate::github::GithubActions;
use crate::problem::{ExitStatus, Problem};

/// `--format text|json`.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Format {
    /// A short report on stderr, the bare result on stdout.
    #[default]
    Text,
    /// One JSON document on stdout.
    Json,
}

impl std::str::FromStr for Format {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s {
            "text" => Ok(Format::Text),
            "json" => Ok(Format::Json),
            other => Err(format!(
                "unknown format `{other}`: expected `text` or `json`"
            )),
        }
    }
}

/// Where a binary writes: stdout for the result, stderr for people.
///
/// A closed stdout (`pbx-tag-check | head -c0`) is not an error: the reader
/// has what it wanted.
pub struct Console<'a> {
    out: &'a mut dyn Write,
    err: &'a mut dyn Write,
    /// GitHub Actions integration for this run.
    pub github: GithubActions,
    /// The output format asked for.
    pub format: Format,
    /// Whether stderr gets colour ([`color_wanted`]).
    pub color: bool,
    /// Whether stdout is a terminal (a person reads it, nobody pipes it):
    /// results already shown on stderr are then not repeated there.
    pub stdout_is_terminal: bool,
}

/// Whether text for people on a stream gets colour: `FORCE_COLOR` or
/// `CLICOLOR_FORCE` (not `0`) force it; `NO_COLOR` (set, not empty) or
/// `CLICOLOR=0` turn it off; otherwise only on a terminal that is not
/// `TERM=dumb`.
pub fn color_wanted(is_terminal: bool, var: impl Fn(&str) -> Option<String>) -> bool {
    let set = |name: &str| var(name).filter(|v| !v.is_empty());
    if set("FORCE_COLOR").is_some_and(|v| v != "0")
        || set("CLICOLOR_FORCE").is_some_and(|v| v != "0")
    {
        return true;
    }
    if set("NO_COLOR").is_some() || set("CLICOLOR").is_some_and(|v| v == "0") {
        return false;
    }
    is_terminal && set("TERM").is_none_or(|t| t != "dumb")
}

/// The styles of pbx's text for people.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Tone {
    /// Passed (green).
    Good,
    /// Failed, an error (red, bold).
    Bad,
    /// A warning (yellow).
    Warn,
    /// A hint or secondary detail (dim).
    Quiet,
    /// A heading (bold).
    Strong,
}

impl Tone {
    fn style(self) -> anstyle::Style {
        use anstyle::{AnsiColor, Style};
        match self {
            Tone::Good => Style::new().fg_color(Some(AnsiColor::Green.into())),
            Tone::Bad => Style::new().fg_color(Some(AnsiColor::Red.into())).bold(),
            Tone::Warn => Style::new().fg_color(Some(AnsiColor::Yellow.into())),
            Tone::Quiet => Style::new().dimmed(),
            Tone::Strong => Style::new().bold(),
        }
    }
}

/// The mark of a check: `✓` passed, `!` passed with a warning, `✗` failed,
/// `-` not run. The one set of marks every binary uses.
pub fn mark(ok: Option<bool>, warning: bool) -> (&'static str, Tone) {
    match (ok, warning) {
        (Some(false), _) => ("✗", Tone::Bad),
        (Some(true), true) => ("!", Tone::Warn),
        (Some(true), false) => ("✓", Tone::Good),
        (None, _) => ("-", Tone::Quiet),
    }
}

impl std::fmt::Debug for Console<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Console")
            .field("github", &self.github)
            .field("format", &self.format)
            .finish_non_exhaustive()
    }
}

impl<'a> Console<'a> {
    /// A console over the given streams.
    pub fn new(
        out: &'a mut dyn Write,
        err: &'a mut dyn Write,
        github: GithubActions,
        format: Format,
    ) -> Self {
        Console {
            out,
            err,
            github,
            format,
            color: false,
            stdout_is_terminal: false,
        }
    }

    /// `text` in `tone` when this console colours stderr.
    pub fn paint(&self, tone: Tone, text: &str) -> String {
        if self.color {
            let style = tone.style();
            format!("{style}{text}{style:#}")
        } else {
            text.to_string()
        }
    }

    /// Writes the result line(s) to stdout (redacted).
    pub fn result(&mut self, text: &str) {
        let redacted = crate::redact(text);
        let text = no_commands(&redacted);
        ignore_broken_pipe(
            self.out
                .write_all(text.as_bytes())
                .and_then(|()| self.out.flush()),
        );
    }

    /// Writes one JSON document (pretty, newline-terminated) to stdout.
    pub fn json<T: Serialize>(&mut self, value: &T) {
        let text = serde_json::to_string_pretty(value)
            .unwrap_or_else(|e| format!("{{\"error\": \"{e}\"}}"));
        self.result(&format!("{text}\n"));
    }

    /// A line for people on stderr (redacted).
    pub fn say(&mut self, line: &str) {
        ignore_broken_pipe(writeln!(self.err, "{}", no_commands(&crate::redact(line))));
    }

    /// Registers a secret read from anywhere (every form of it is redacted
    /// from now on) and masks each form under GitHub Actions.
    pub fn secret(&mut self, secret: &str) {
        let forms = crate::register_secret(secret);
        self.mask_forms(&forms);
    }

    /// [`Console::secret`] for a username and password (also `user:pass`
    /// and its base64, as in an `Authorization: Basic` header).
    pub fn credentials(&mut self, username: &str, secret: &str) {
        let forms = crate::register_credentials(username, secret);
        self.mask_forms(&forms);
    }

    fn mask_forms(&mut self, forms: &[String]) {
        let github = self.github.clone();
        for form in forms {
            ignore_broken_pipe(github.mask(self.err, form));
        }
    }

    /// Opens a collapsed log group under GitHub Actions (nothing
    /// elsewhere); see [`GithubActions::group`].
    pub fn group(&mut self, title: &str) {
        let github = self.github.clone();
        ignore_broken_pipe(github.group(self.err, title));
    }

    /// Closes the group [`Console::group`] opened.
    pub fn end_group(&mut self) {
        let github = self.github.clone();
        ignore_broken_pipe(github.end_group(self.err));
    }

    /// The stderr stream, for workflow commands.
    pub fn err(&mut self) -> &mut dyn Write {
        self.err
    }

    /// Reports a problem on stderr (and as an annotation under Actions),
    /// and returns its exit status.
    pub fn problem(&mut self, problem: &Problem) -> ExitStatus {
        let label = match problem.status {
            ExitStatus::InputError => "error",
            ExitStatus::EnvironmentError => "error (environment)",
            ExitStatus::Failure => "failed",
            ExitStatus::Success => "note",
        };
        let label = self.paint(Tone::Bad, &format!("{label}:"));
        let text = problem.to_string();
        let text = match text.split_once("\n  hint: ") {
            Some((what, hint)) => format!(
                "{what}\n  {}",
                self.paint(Tone::Quiet, &format!("hint: {hint}"))
            ),
            None => text,
        };
        self.say(&format!("{label} {text}"));
        let github = self.github.clone();
        ignore_broken_pipe(github.annotate_problem(self.err, problem));
        if self.format == Format::Json {
            let mut value = serde_json::json!({
                "error": problem.message,
                "exit_code": problem.status.code(),
            });
            if let Some(location) = &problem.location {
                value["file"] = location.file.display().to_string().into();
                if let Some(line) = location.line {
                    value["line"] = line.into();
                }
                if let Some(column) = location.column {
                    value["column"] = column.into();
                }
            }
            if let Some(hint) = &problem.hint {
                value["hint"] = hint.clone().into();
            }
            self.json(&value);
        }
        problem.status
    }
}

/// `text` with every line that a GitHub Actions runner would read as a
/// workflow command (`::name …::`, after leading whitespace) defused: a line
/// pbx writes for people or as a result is never a command. pbx's own
/// commands are written by [`GithubActions`], not through here.
pub fn no_commands(text: &str) -> std::borrow::Cow<'_, str> {
    if !text.contains("::") {
        return std::borrow::Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len() + 8);
    for (i, line) in text.split('\n').enumerate() {
        if i > 0 {
            out.push('\n');
        }
        let trimmed = line.trim_start();
        match trimmed.strip_prefix("::") {
            Some(command) => {
                out.push_str(&line[..line.len() - trimmed.len()]);
                out.push_str(": :");
                out.push_str(command);
            }
            None => out.push_str(line),
        }
    }
    std::borrow::Cow::Owned(out)
}

fn ignore_broken_pipe(result: io::Result<()>) {
    // Output that cannot be written is not a reason to change the exit code:
    // a closed pipe means the reader is done; anything else is beyond repair.
    let _ = result;
}

/// The widest name column of a check list: a longer name has its line to
/// itself and its message goes on the next line, in the column, so the
/// messages of a list stay in one column that fits a terminal.
pub const NAME_COLUMN: usize = 40;

impl Console<'_> {
    /// Renders checks as aligned lines on stderr (`✓`, `!` for a passing
    /// check with a warning, `✗`), with locations, and annotates them under
    /// GitHub Actions.
    pub fn checks(&mut self, checks: &crate::CheckSet) {
        self.checks_grouped(checks, |_| None);
    }

    /// [`Console::checks`], with the checks whose name is `GROUP: name`
    /// (`group_of` says GROUP, e.g. an artifact's filename) listed under a
    /// heading line `GROUP`, by their short name. Annotations keep the
    /// whole name.
    pub fn checks_grouped<'c>(
        &mut self,
        checks: &'c crate::CheckSet,
        group_of: impl Fn(&'c crate::Check) -> Option<&'c str>,
    ) {
        let lines: Vec<(Option<&str>, &str, &crate::Check)> = checks
            .iter()
            .map(|check| {
                let grouped = group_of(check).and_then(|group| {
                    let short = check.name.strip_prefix(group)?.strip_prefix(": ")?;
                    Some((Some(group), short))
                });
                let (group, name) = grouped.unwrap_or((None, check.name.as_str()));
                (group, name, check)
            })
            .collect();
        let indent = |group: Option<&str>| if group.is_some() { 4 } else { 2 };
        // The column the names are padded to (from the line's start).
        let column = lines
            .iter()
            .map(|(group, name, _)| indent(*group) + name.chars().count().min(NAME_COLUMN))
            .max()
            .unwrap_or(0);
        let message_column = " ".repeat(column + 4);
        let mut heading: Option<&str> = None;
        for (group, name, check) in &lines {
            if *group != heading {
                if let Some(group) = group {
                    let line = self.paint(Tone::Strong, group);
                    self.say(&format!("  {line}"));
                }
                heading = *group;
            }
            let (mark, tone) = mark(Some(check.ok), check.warning.is_some());
            let mark = self.paint(tone, mark);
            let place = check
                .location()
                .map(|l| format!(" ({l})"))
                .unwrap_or_default();
            let lead = " ".repeat(indent(*group));
            // Lines after a message's first stay in its column.
            let message =
                format!("{}{place}", check.message).replace('\n', &format!("\n{message_column}"));
            let used = indent(*group) + name.chars().count();
            if used <= column {
                let pad = " ".repeat(column - used);
                self.say(&format!("{lead}{mark} {name}{pad}  {message}"));
            } else {
                self.say(&format!("{lead}{mark} {name}"));
                self.say(&format!("{message_column}{message}"));
            }
            if let Some(warning) = &check.warning {
                self.say(&format!("{message_column}warning: {warning}"));
            }
        }
        let github = self.github.clone();
        ignore_broken_pipe(github.annotate_checks(self.err, checks.iter()));
    }
}

/// Runs a binary's body with a console on the real stdout/stderr and maps
/// the outcome to the process exit code: the one place every pbx binary
/// ends.
pub fn run_main(
    format: Format,
    body: impl FnOnce(&mut Console<'_>) -> Result<ExitStatus, Problem>,
) -> std::process::ExitCode {
    // Not locked for the whole run: a progress bar's ticker thread draws on
    // stderr while the run goes on (each write takes the lock for itself).
    let mut out = io::stdout();
    let mut err = io::stderr();
    let mut console = Console::new(&mut out, &mut err, GithubActions::from_env(), format);
    console.stdout_is_terminal = std::io::IsTerminal::is_terminal(&io::stdout());
    console.color = color_wanted(std::io::IsTerminal::is_terminal(&io::stderr()), |name| {
        std::env::var(name).ok()
    });
    // No panic reaches a user as a Rust backtrace and exit 101: it is
    // reported (redacted) as an internal error, exit 3.
    std::panic::set_hook(Box::new(|info| {
        let what = info
            .payload()
            .downcast_ref::<&str>()
            .map(|s| s.to_string())
            .or_else(|| info.payload().downcast_ref::<String>().cloned())
            .unwrap_or_default();
        let place = info
            .location()
            .map(|l| format!(" at {}:{}", l.file(), l.line()))
            .unwrap_or_default();
        let _ = writeln!(
            io::stderr(),
            "{}",
            crate::redact(&format!("internal error: pbx panicked{place}: {what}"))
        );
    }));
    let outcome = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| body(&mut console)));
    let status = match outcome {
        Ok(Ok(status)) => status,
        Ok(Err(problem)) => console.problem(&problem),
        Err(_) => console.problem(
            &Problem::environment("pbx stopped on an internal error (reported above)").hint(
                "this is a bug in pbx: please report it with the command and the message above",
            ),
        ),
    };
    status.into()
}

/// Treats `PBX_*` environment variables set to the empty string as unset.
///
/// Workflows pass optional inputs as `env: { PBX_TARGET: ${{ inputs.target }} }`,
/// which sets the variable to `""` when the input is empty; a setting
/// that is empty means "not given", so the next source (configuration,
/// default) decides. Call it first in `main`, before parsing arguments
/// (while the process has one thread).
pub fn forget_empty_settings() {
    let empty: Vec<std::ffi::OsString> = std::env::vars_os()
        .filter(|(key, value)| {
            value.is_empty() && key.to_str().is_some_and(|k| k.starts_with("PBX_"))
        })
        .map(|(key, _)| key)
        .collect();
    for key in empty {
        std::env::remove_var(key);
    }
}

#[cfg(test)]
mod command_tests {
    use super::*;

    #[test]
    fn lines_that_a_runner_would_obey_are_defused() {
        assert_eq!(
            no_commands("ok\n  ::error file=x::pwned\n::stop-commands::t\nend"),
            "ok\n  : :error file=x::pwned\n: :stop-commands::t\nend"
        );
        assert_eq!(no_commands("a::b"), "a::b");
    }
}

#[cfg(test)]
mod color_tests {
    use super::*;

    fn vars<'a>(pairs: &'a [(&'a str, &'a str)]) -> impl Fn(&str) -> Option<String> + 'a {
        move |name| {
            pairs
                .iter()
                .find(|(k, _)| *k == name)
                .map(|(_, v)| v.to_string())
        }
    }

    #[test]
    fn colour_only_on_a_terminal_unless_forced_and_never_with_no_color() {
        assert!(color_wanted(true, vars(&[])));
        assert!(!color_wanted(false, vars(&[])));
        assert!(!color_wanted(true, vars(&[("NO_COLOR", "1")])));
        assert!(
            color_wanted(true, vars(&[("NO_COLOR", "")])),
            "empty is unset"
        );
        assert!(!color_wanted(true, vars(&[("TERM", "dumb")])));
        assert!(!color_wanted(true, vars(&[("CLICOLOR", "0")])));
        assert!(color_wanted(false, vars(&[("FORCE_COLOR", "1")])));
        assert!(color_wanted(false, vars(&[("CLICOLOR_FORCE", "1")])));
        assert!(!color_wanted(false, vars(&[("FORCE_COLOR", "0")])));
        assert!(
            color_wanted(false, vars(&[("FORCE_COLOR", "1"), ("NO_COLOR", "1")])),
            "forcing wins, as in most tools"
        );
    }
}

#[cfg(test)]
mod checks_tests {
    use super::*;
    use crate::{Check, CheckSet};

    fn say_checks(checks: &CheckSet) -> String {
        let (mut out, mut err) = (Vec::new(), Vec::new());
        let mut console = Console::new(&mut out, &mut err, GithubActions::disabled(), Format::Text);
        console.checks(checks);
        String::from_utf8(err).unwrap()
    }

    #[test]
    fn long_names_wide_characters_warnings_and_line_breaks_keep_the_column() {
        let long = "x".repeat(NAME_COLUMN + 5);
        let checks = CheckSet(vec![
            Check::pass("dämo", "one\ntwo"),
            Check::fail(long.clone(), "far"),
            Check::pass("ok", "fine").warn("careful"),
        ]);
        let pad = " ".repeat(NAME_COLUMN + 6);
        assert_eq!(
            say_checks(&checks),
            format!(
                "  ✓ dämo{}  one\n{pad}two\n  ✗ {long}\n{pad}far\n  ! ok{}  fine\n{pad}warning: careful\n",
                " ".repeat(NAME_COLUMN - 4),
                " ".repeat(NAME_COLUMN - 2),
            )
        );
    }
}
