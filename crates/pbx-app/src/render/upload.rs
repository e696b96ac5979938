//! pbx-upload's report.

use pbx_report::markdown::code;
use pbx_report::{Console, Format, MarkdownTable};
use pbx_upload::{Event, FileState, Outcome as UploadOutcome, Report, Reporter};

use super::label;
use crate::progress::{human_size, Live};

/// pbx-upload's progress, as the library reports it: lines on stderr, and
/// on a terminal a byte bar per file and a spinner while the index is
/// awaited ([`Live`]).
#[derive(Debug)]
pub struct Progress<'a, 'b> {
    console: &'a mut Console<'b>,
    live: Live,
}

impl<'a, 'b> Progress<'a, 'b> {
    /// Progress on `console`, drawn through `live` (whose bar the upload
    /// client moves as bytes go out).
    pub fn new(console: &'a mut Console<'b>, live: Live) -> Self {
        Progress { console, live }
    }
}

impl Reporter for Progress<'_, '_> {
    fn event(&mut self, event: &Event<'_>) {
        match event {
            Event::Start {
                package,
                version,
                index,
                files,
            } => self.console.say(&format!(
                "pbx-upload: {package} {version} → {index} ({files} file{})",
                if *files == 1 { "" } else { "s" }
            )),
            Event::TokenMinted => self
                .console
                .say("  trusted publishing: upload token minted"),
            Event::Uploading { filename, size } if self.live.enabled() => {
                self.live.bytes(filename, *size)
            }
            Event::Uploading { filename, size } => self
                .console
                .say(&format!("  uploading {filename} ({})", human_size(*size))),
            Event::Uploaded { .. } => self.live.clear(),
            Event::Waiting {
                files,
                limit,
                simple,
            } => {
                let line = format!(
                    "waiting up to {} for {simple} to list {files} file(s) with their sha256",
                    pbx_report::format_duration(*limit)
                );
                if self.live.enabled() {
                    self.live.spinner(&line);
                } else {
                    self.console.say(&format!("  {line}"));
                }
            }
            Event::NotYet { missing } => self.live.message(&format!("waiting: {missing}")),
            Event::Waited => self.live.clear(),
        }
    }

    fn mask(&mut self, secret: &str) {
        self.console.secret(secret);
    }
}

/// pbx-upload's report: a line per file on stderr, the outcome, the
/// Actions outputs and summary, and the result on stdout (one line per file
/// when everything landed, or the JSON report).
pub fn report(console: &mut Console<'_>, report: &Report) {
    let width = report
        .files
        .iter()
        .map(|f| f.filename.len())
        .max()
        .unwrap_or(0);
    for file in &report.files {
        let (mark, tone) = pbx_report::mark(
            match file.state {
                FileState::Uploaded | FileState::Reconciled | FileState::WouldUpload => Some(true),
                FileState::NotAttempted | FileState::OnIndex => None,
                _ => Some(false),
            },
            false,
        );
        let mark = console.paint(tone, mark);
        let state = label(&file.state);
        // A person at a terminal gets the digest's start; logs and stdout
        // get it whole.
        let sha256 = if console.color {
            format!("{}…", &file.sha256[..file.sha256.len().min(12)])
        } else {
            file.sha256.clone()
        };
        console.say(&format!(
            "  {mark} {:width$}  {:>10}  sha256 {}  {state}{}",
            file.filename,
            human_size(file.size),
            sha256,
            file.url
                .as_deref()
                .map(|u| format!("  {u}"))
                .unwrap_or_default()
        ));
        if let Some(message) = &file.message {
            console.say(&format!("    {message}"));
        }
    }
    match report.outcome {
        UploadOutcome::Uploaded => console.say(&format!(
            "pbx-upload: {} {} is on {}: every file listed with the local sha256",
            report.package, report.version, report.index
        )),
        UploadOutcome::DryRun => console.say(&format!(
            "pbx-upload: dry run: {} {} is not on {} yet; {} file(s) would be uploaded",
            report.package,
            report.version,
            report.index,
            report.files.len()
        )),
        _ => {
            let mut message = report.message.clone().unwrap_or_default();
            if let (Some(next), Some(command)) = (&report.next_version, &report.bump_command) {
                let lead = if report.outcome == UploadOutcome::AlreadyPublished {
                    "To publish another build, use"
                } else {
                    "Fix forward with"
                };
                message.push_str(&format!(
                    ".\n{lead} {next} (one past every version on {}): run `{command}`, commit, and tag v{next}",
                    report.next_version_from.join(", ")
                ));
                for unread in &report.next_version_unread {
                    message.push_str(&format!(
                        "\nwarning: could not read {unread}; {next} could collide with a version there"
                    ));
                }
            }
            let label = match report.outcome {
                UploadOutcome::Unreachable => "error (environment)",
                _ => "failed",
            };
            console.say(&format!("{label}: {message}"));
            let github = console.github.clone();
            let _ = github.error(console.err(), "pbx-upload", &message, None);
        }
    }
    let github = console.github.clone();
    let listing: Vec<String> = report
        .files
        .iter()
        .map(|f| {
            format!(
                "{} {} {}",
                f.filename,
                f.sha256,
                f.url.as_deref().unwrap_or("")
            )
            .trim_end()
            .to_string()
        })
        .collect();
    let mut outputs = vec![
        ("package_name", report.package.clone()),
        ("version", report.version.clone()),
        ("index", report.index.clone()),
        ("outcome", label(&report.outcome).replace(' ', "_")),
        (
            "uploaded",
            (report.outcome == UploadOutcome::Uploaded).to_string(),
        ),
        ("files", listing.join("\n")),
    ];
    if let Some(next) = &report.next_version {
        outputs.push(("next_version", next.clone()));
    }
    if let Some(command) = &report.bump_command {
        outputs.push(("bump_command", command.clone()));
    }
    let _ = github.set_outputs(&outputs);
    let _ = github.append_summary(&markdown(report));
    match console.format {
        Format::Json => console.json(report),
        // At a terminal the lines above already say it.
        Format::Text
            if report.outcome == UploadOutcome::Uploaded && !console.stdout_is_terminal =>
        {
            let lines: String = listing.iter().map(|l| format!("{l}\n")).collect();
            console.result(&lines);
        }
        Format::Text => {}
    }
}

/// The Markdown table of the files, for the step summary.
pub fn markdown(report: &Report) -> String {
    let mut out = format!(
        "### pbx-upload: {} {} → {} ({})\n\n",
        report.package,
        report.version,
        report.index,
        label(&report.outcome)
    );
    let mut table = MarkdownTable::new(&["file", "size", "sha256", "state", "url"]);
    for file in &report.files {
        table.row([
            code(&file.filename),
            human_size(file.size),
            code(&file.sha256),
            label(&file.state),
            file.url.clone().unwrap_or_default(),
        ]);
    }
    out.push_str(&table.render());
    if let Some(message) = &report.message {
        out.push_str(&format!("\n{message}\n"));
    }
    if let (Some(next), Some(command)) = (&report.next_version, &report.bump_command) {
        out.push_str(&format!("\nNext version: **{next}** (`{command}`)\n"));
    }
    out
}
