use std::collections::HashMap;
use std::fs::OpenOptions;
use std::io::{self, Write};
use std::path::PathBuf;

use crate::check::Check;
use crate::problem::{Location, Problem};

/// GitHub Actions integration, active when `GITHUB_ACTIONS=true`.
///
/// Annotations and masks are workflow commands written to stderr (the
/// runner reads commands from both streams, and stdout stays the result's);
/// outputs and the step summary go to the files the runner names.
#[derive(Clone, Debug, Default)]
pub struct GithubActions {
    enabled: bool,
    output: Option<PathBuf>,
    summary: Option<PathBuf>,
}

impl GithubActions {
    /// Reads `GITHUB_ACTIONS`, `GITHUB_OUTPUT` and `GITHUB_STEP_SUMMARY` from
    /// the process environment.
    pub fn from_env() -> Self {
        let vars: HashMap<String, String> = std::env::vars().collect();
        Self::from_vars(&vars)
    }

    /// Same as [`GithubActions::from_env`], from a given map (for tests).
    pub fn from_vars(vars: &HashMap<String, String>) -> Self {
        let enabled = vars.get("GITHUB_ACTIONS").is_some_and(|v| v == "true");
        let path = |key: &str| {
            vars.get(key)
                .filter(|v| enabled && !v.is_empty())
                .map(PathBuf::from)
        };
        GithubActions {
            enabled,
            output: path("GITHUB_OUTPUT"),
            summary: path("GITHUB_STEP_SUMMARY"),
        }
    }

    /// Disabled: nothing is written anywhere.
    pub fn disabled() -> Self {
        GithubActions::default()
    }

    /// Whether we run under GitHub Actions.
    pub fn enabled(&self) -> bool {
        self.enabled
    }

    /// Writes `::add-mask::SECRET` so the runner hides the value in logs.
    /// Call this before anything else is printed.
    pub fn mask(&self, err: &mut dyn Write, secret: &str) -> io::Result<()> {
        if self.enabled && !secret.is_empty() {
            writeln!(err, "::add-mask::{}", escape_data(secret))?;
        }
        Ok(())
    }

    /// Opens a collapsed group in the log: `::group::TITLE`. Everything
    /// printed until [`GithubActions::end_group`] folds under the title.
    /// The title is made safe ([`group_title`]) and redacted.
    pub fn group(&self, err: &mut dyn Write, title: &str) -> io::Result<()> {
        if self.enabled {
            writeln!(err, "::group::{}", group_title(title))?;
        }
        Ok(())
    }

    /// Closes the group [`GithubActions::group`] opened: `::endgroup::`.
    pub fn end_group(&self, err: &mut dyn Write) -> io::Result<()> {
        if self.enabled {
            writeln!(err, "::endgroup::")?;
        }
        Ok(())
    }

    /// An `::error` annotation, pointing at the file and line when known.
    pub fn error(
        &self,
        err: &mut dyn Write,
        title: &str,
        message: &str,
        location: Option<&Location>,
    ) -> io::Result<()> {
        self.annotation(err, "error", title, message, location)
    }

    /// A `::warning` annotation.
    pub fn warning(
        &self,
        err: &mut dyn Write,
        title: &str,
        message: &str,
        location: Option<&Location>,
    ) -> io::Result<()> {
        self.annotation(err, "warning", title, message, location)
    }

    fn annotation(
        &self,
        err: &mut dyn Write,
        level: &str,
        title: &str,
        message: &str,
        location: Option<&Location>,
    ) -> io::Result<()> {
        if !self.enabled {
            return Ok(());
        }
        let mut props = vec![format!("title={}", escape_property(title))];
        if let Some(location) = location {
            props.push(format!(
                "file={}",
                escape_property(&location.file.display().to_string())
            ));
            if let Some(line) = location.line {
                props.push(format!("line={line}"));
                if let Some(column) = location.column {
                    props.push(format!("col={column}"));
                }
            }
        }
        writeln!(
            err,
            "::{level} {}::{}",
            crate::redact(&props.join(",")),
            escape_data(&crate::redact(message))
        )
    }

    /// Annotates every failed check (and warns for passing checks that
    /// carry a warning).
    pub fn annotate_checks<'a>(
        &self,
        err: &mut dyn Write,
        checks: impl IntoIterator<Item = &'a Check>,
    ) -> io::Result<()> {
        for check in checks {
            let location = check.location();
            if !check.ok {
                self.error(err, &check.name, &check.message, location.as_ref())?;
            } else if let Some(warning) = &check.warning {
                self.warning(err, &check.name, warning, location.as_ref())?;
            }
        }
        Ok(())
    }

    /// Annotates a problem that ended the run.
    pub fn annotate_problem(&self, err: &mut dyn Write, problem: &Problem) -> io::Result<()> {
        let mut message = problem.message.clone();
        if let Some(hint) = &problem.hint {
            message.push('\n');
            message.push_str(hint);
        }
        self.error(err, "pbx", &message, problem.location.as_ref())
    }

    /// Appends `key=value` lines to `$GITHUB_OUTPUT` (multi-line values use
    /// the heredoc form).
    pub fn set_outputs(&self, pairs: &[(&str, String)]) -> io::Result<()> {
        let Some(path) = &self.output else {
            return Ok(());
        };
        let mut text = String::new();
        for (key, value) in pairs {
            if value.contains('\n') {
                let delimiter = unique_delimiter(value);
                text.push_str(&format!("{key}<<{delimiter}\n{value}\n{delimiter}\n"));
            } else {
                text.push_str(&format!("{key}={value}\n"));
            }
        }
        append(path, &crate::redact(&text))
    }

    /// Appends Markdown to `$GITHUB_STEP_SUMMARY`.
    pub fn append_summary(&self, markdown: &str) -> io::Result<()> {
        match &self.summary {
            Some(path) => append(path, &crate::redact(markdown)),
            None => Ok(()),
        }
    }
}

fn unique_delimiter(value: &str) -> String {
    let mut delimiter = String::from("PBX_EOF");
    while value.contains(&delimiter) {
        delimiter.push('_');
    }
    delimiter
}

fn append(path: &PathBuf, text: &str) -> io::Result<()> {
    let mut file = OpenOptions::new().create(true).append(true).open(path)?;
    file.write_all(text.as_bytes())
}

/// A group title that cannot carry a second command: redacted, control
/// characters and line breaks as spaces, `::` broken up (`: :`), at most
/// 200 characters.
pub fn group_title(title: &str) -> String {
    let redacted = crate::redact(title);
    let mut out: String = redacted
        .chars()
        .map(|c| if c.is_control() { ' ' } else { c })
        .take(200)
        .collect();
    while out.contains("::") {
        out = out.replace("::", ": :");
    }
    escape_data(out.trim())
}

/// Escapes the message part of a workflow command.
pub fn escape_data(value: &str) -> String {
    value
        .replace('%', "%25")
        .replace('\r', "%0D")
        .replace('\n', "%0A")
}

/// Escapes a property value of a workflow command.
pub fn escape_property(value: &str) -> String {
    escape_data(value).replace(':', "%3A").replace(',', "%2C")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn enabled(dir: &std::path::Path) -> GithubActions {
        let vars: HashMap<String, String> = [
            ("GITHUB_ACTIONS", "true".to_string()),
            ("GITHUB_OUTPUT", dir.join("out").display().to_string()),
            (
                "GITHUB_STEP_SUMMARY",
                dir.join("summary").display().to_string(),
            ),
        ]
        .into_iter()
        .map(|(k, v)| (k.to_string(), v))
        .collect();
        GithubActions::from_vars(&vars)
    }

    #[test]
    fn outputs_are_appended_with_heredoc_for_multiline_values() {
        let dir = tempfile::tempdir().unwrap();
        let gha = enabled(dir.path());
        gha.set_outputs(&[("version", "1.0.0".into())]).unwrap();
        gha.set_outputs(&[("notes", "a\nPBX_EOF\nb".into())])
            .unwrap();
        let text = std::fs::read_to_string(dir.path().join("out")).unwrap();
        assert_eq!(
            text,
            "version=1.0.0\nnotes<<PBX_EOF_\na\nPBX_EOF\nb\nPBX_EOF_\n"
        );
    }

    #[test]
    fn annotations_escape_and_point_at_the_file() {
        let dir = tempfile::tempdir().unwrap();
        let gha = enabled(dir.path());
        let mut err = Vec::new();
        let location = Location::at("pyproject.toml", 3, 11);
        gha.error(&mut err, "tag, version", "50% off\nnext", Some(&location))
            .unwrap();
        assert_eq!(
            String::from_utf8(err).unwrap(),
            "::error title=tag%2C version,file=pyproject.toml,line=3,col=11::50%25 off%0Anext\n"
        );
    }

    #[test]
    fn groups_fold_and_their_titles_stay_one_line() {
        let dir = tempfile::tempdir().unwrap();
        let gha = enabled(dir.path());
        let mut err = Vec::new();
        gha.group(&mut err, "Python 3.12\n::error::x 100%").unwrap();
        gha.end_group(&mut err).unwrap();
        assert_eq!(
            String::from_utf8(err).unwrap(),
            "::group::Python 3.12 : :error: :x 100%25\n::endgroup::\n"
        );
    }

    #[test]
    fn nothing_happens_outside_actions() {
        let gha = GithubActions::disabled();
        let mut err = Vec::new();
        gha.error(&mut err, "t", "m", None).unwrap();
        gha.mask(&mut err, "secret").unwrap();
        gha.group(&mut err, "title").unwrap();
        gha.end_group(&mut err).unwrap();
        gha.set_outputs(&[("k", "v".into())]).unwrap();
        assert!(err.is_empty());
    }
}
