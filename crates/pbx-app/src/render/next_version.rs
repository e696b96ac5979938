//! pbx-next-version's report.

use pbx_next_version::{NextVersionReport, SourceKind, Step};
use pbx_report::{Console, ExitStatus, Format, MarkdownTable};

/// A step that may take a while, said as it begins.
pub fn step(console: &mut Console<'_>, step: Step<'_>) {
    match step {
        Step::ListingIndex { package, simple } => console.say(&format!(
            "pbx-next-version: listing the files of {package} on {simple}"
        )),
    }
}

/// What was seen where and why this version on stderr, the outputs, a
/// table of the sources, and the version (or JSON) on stdout.
pub fn report(console: &mut Console<'_>, report: &NextVersionReport) -> ExitStatus {
    for line in lines(report) {
        console.say(&line);
    }
    let github = console.github.clone();
    let _ = github.set_outputs(&[
        ("next_version", report.next.clone()),
        ("next_tag", report.tag.clone()),
    ]);
    let mut table = MarkdownTable::new(&["source", "versions seen"]);
    for source in &report.sources {
        table.row([
            format!("{} {}", source.source.as_str(), source.location),
            source.versions.join(", "),
        ]);
    }
    let _ = github.append_summary(&format!(
        "### pbx-next-version: {} → {} (lane {})\n\n{}",
        report.current,
        report.next,
        report.lane,
        table.render()
    ));
    match console.format {
        Format::Json => console.json(report),
        Format::Text => console.result(&format!("{}\n", report.next)),
    }
    ExitStatus::Success
}

/// The lines for stderr: what was seen where, and why this version.
pub fn lines(report: &NextVersionReport) -> Vec<String> {
    let mut lines = vec![format!(
        "pbx-next-version: {}current {} ({}), lane {}",
        report
            .package
            .as_ref()
            .map(|p| format!("{p}: "))
            .unwrap_or_default(),
        report.current,
        report.current_from,
        report.lane
    )];
    for (source, (describe, of_base)) in report.sources.iter().zip(&report.seen_of_base) {
        let of_base = if of_base.is_empty() {
            format!("none for {}", report.base)
        } else {
            format!("for {}: {}", report.base, of_base.join(", "))
        };
        let unit = match source.source {
            SourceKind::Index => "file(s)",
            SourceKind::Git => "release tag(s)",
        };
        lines.push(format!(
            "  {describe}: {} {unit}, {} version(s); {of_base}",
            source.items,
            source.versions.len()
        ));
        if !source.unreadable.is_empty() {
            lines.push(format!(
                "    could not read a version from: {}",
                source.unreadable.join(", ")
            ));
        }
    }
    for note in &report.notes {
        lines.push(format!("  note: {note}"));
    }
    let why = match &report.highest_used {
        Some(highest) => format!("one past {highest}"),
        None => format!("the first {} of {}", report.lane, report.base),
    };
    lines.push(format!(
        "  next: {} (tag {}), {why}",
        report.next, report.tag
    ));
    for file in &report.written {
        let line = file.line.map(|l| format!(":{l}")).unwrap_or_default();
        lines.push(format!(
            "  wrote {}{line}: {} → {}",
            file.file, file.old, report.next
        ));
    }
    lines
}
