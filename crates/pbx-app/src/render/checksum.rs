//! pbx-checksum's reports: `write`, `verify`, `inspect` and `compare`.

use pbx_checksum::{
    CompareReport, CompareStatus, InspectReport, Status, VerifyReport, WriteReport,
    DEFAULT_MANIFEST,
};
use pbx_report::markdown::code;
use pbx_report::{Align, Check, CheckSet, Console, ExitStatus, Format, Location, MarkdownTable};

use crate::{Failure, Outcome};

/// `write`: the count and where the manifest went on stderr, the manifest
/// (or JSON) on stdout, the outputs and a table of the files.
pub fn write(console: &mut Console<'_>, report: &WriteReport) -> ExitStatus {
    let where_to = report
        .manifest
        .as_ref()
        .map(|p| p.display().to_string())
        .unwrap_or_else(|| "stdout".to_string());
    console.say(&format!(
        "pbx-checksum: {} artifact(s) → {where_to}",
        report.files.len()
    ));
    let github = console.github.clone();
    let _ = github.set_outputs(&[
        (
            "manifest",
            report
                .manifest
                .as_ref()
                .map(|p| p.display().to_string())
                .unwrap_or_default(),
        ),
        ("artifacts", report.files.len().to_string()),
        ("sha256sums", report.text.trim_end().to_string()),
    ]);
    let mut table = MarkdownTable::new(&["file", "size", "sha256"]).align(1, Align::Right);
    for file in &report.files {
        table.row([
            code(&file.name),
            file.size.to_string(),
            code(&file.sha256.to_string()),
        ]);
    }
    let _ = github.append_summary(&format!(
        "### pbx-checksum write → `{where_to}`\n\n{}",
        table.render()
    ));
    match console.format {
        Format::Json => console.json(report),
        Format::Text => console.result(&report.text),
    }
    ExitStatus::Success
}

/// `verify`: a check per file (with the manifest line), `name: OK` lines on
/// stdout as `sha256sum -c` prints them, and what to do when they differ.
pub fn verify(console: &mut Console<'_>, report: &VerifyReport) -> ExitStatus {
    let manifest = &report.manifest;
    let mut checks = CheckSet::default();
    let mut lines = String::new();
    let manifest_name = manifest
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| DEFAULT_MANIFEST.to_string());
    for file in &report.files {
        lines.push_str(&format!("{}: {}\n", file.name, verify_word(file.status)));
        let line = file.line.unwrap_or(1);
        let location = Location::at(manifest, line, 1);
        let message = match file.status {
            Status::Ok => format!("matches {manifest_name} line {line}"),
            Status::Changed => format!(
                "changed: {manifest_name} line {line} has {}, the file hashes to {}",
                file.expected.map(|d| d.hex()).unwrap_or_default(),
                file.actual.map(|d| d.hex()).unwrap_or_default()
            ),
            Status::Missing => {
                format!("missing: listed on {manifest_name} line {line}, not on disk")
            }
            Status::Unreadable => {
                format!("unreadable: {}", file.detail.clone().unwrap_or_default())
            }
            Status::Unlisted => {
                format!("unlisted: an artifact next to {manifest_name} that it does not list")
            }
        };
        let check = Check::new(file.name.clone(), file.status == Status::Ok, message);
        checks.push(if file.status == Status::Unlisted {
            check.at(Some(&Location::file(manifest)))
        } else {
            check.at(Some(&location))
        });
    }
    let ok = report.ok();
    console.say(&format!(
        "pbx-checksum: {}: {} ok, {} changed, {} missing, {} unreadable, {} unlisted",
        manifest.display(),
        report.count(Status::Ok),
        report.count(Status::Changed),
        report.count(Status::Missing),
        report.count(Status::Unreadable),
        report.count(Status::Unlisted),
    ));
    console.checks(&checks);
    let github = console.github.clone();
    let _ = github.set_outputs(&[("verified", ok.to_string())]);
    let _ = github.append_summary(&format!(
        "### pbx-checksum verify `{}`\n\n{}\n",
        manifest.display(),
        checks.markdown_table()
    ));
    match console.format {
        Format::Json => console.json(&serde_json::json!({
            "ok": ok,
            "manifest": report.manifest,
            "files": report.files,
        })),
        Format::Text => console.result(&lines),
    }
    if !ok {
        console.say(
            "pbx-checksum: the files differ from the manifest: rebuild or re-download them, or write a new manifest with `pbx-checksum write` if the change is intended",
        );
    }
    report.status()
}

/// The word `sha256sum -c` prints for a file (`OK`, `FAILED`), and pbx's
/// own for what it does not report.
fn verify_word(status: Status) -> &'static str {
    match status {
        Status::Ok => "OK",
        Status::Changed => "FAILED",
        Status::Missing => "MISSING",
        Status::Unreadable => "UNREADABLE",
        Status::Unlisted => "UNLISTED",
    }
}

/// `inspect`: every check, the hints of unusable artifacts, `name version`
/// on stdout when clean.
pub fn inspect(console: &mut Console<'_>, report: &InspectReport) -> ExitStatus {
    let status = Outcome::status(report);
    console.say(&format!(
        "pbx-checksum: inspected {} artifact(s){}",
        report.artifacts.len(),
        match (&report.name, &report.version) {
            (Some(name), Some(version)) => format!(" of {name} {version}"),
            _ => String::new(),
        }
    ));
    // Each artifact's checks under its filename: the names stay short.
    console.checks_grouped(&report.checks, |check| {
        check
            .name
            .split_once(": ")
            .map(|(file, _)| file)
            .filter(|file| pbx_checksum::is_artifact_name(file))
    });
    for artifact in &report.artifacts {
        if let Some(failure) = &artifact.failure {
            if let Some(hint) = &failure.problem().hint {
                console.say(&format!("  {}: hint: {hint}", artifact.path.display()));
            }
        }
    }
    let github = console.github.clone();
    let _ = github.set_outputs(&[
        ("package_name", report.name.clone().unwrap_or_default()),
        ("version", report.version.clone().unwrap_or_default()),
        ("artifacts", report.artifacts.len().to_string()),
        ("inspected", report.ok.to_string()),
    ]);
    let _ = github.append_summary(&format!(
        "### pbx-checksum inspect: {} {}\n\n{}\n",
        report.name.as_deref().unwrap_or("?"),
        report.version.as_deref().unwrap_or("?"),
        report.checks.markdown_table()
    ));
    match console.format {
        Format::Json => console.json(report),
        Format::Text if report.ok => console.result(&format!(
            "{} {}\n",
            report.name.as_deref().unwrap_or_default(),
            report.version.as_deref().unwrap_or_default()
        )),
        Format::Text => {
            let failed = report.checks.failures().count();
            console.say(&format!(
                "pbx-checksum: {failed} check(s) failed: do not publish these files; rebuild them into an empty directory (`rm -rf dist && uv build`) and inspect again"
            ));
        }
    }
    status
}

/// `compare`: a check per file, `STATUS  filename` lines on stdout, and
/// what a difference means for the release.
pub fn compare(console: &mut Console<'_>, report: &CompareReport) -> ExitStatus {
    let ok = report.ok();
    let mut checks = CheckSet::default();
    let mut lines = String::new();
    for file in &report.files {
        let word = match file.status {
            CompareStatus::Same => "SAME",
            CompareStatus::Differs => "DIFFERS",
            CompareStatus::NotOnIndex => "NOT-ON-INDEX",
            CompareStatus::OnlyOnIndex => "ONLY-ON-INDEX",
        };
        lines.push_str(&format!("{word}  {}\n", file.filename));
        let local = file.local_sha256.map(|d| d.hex()).unwrap_or_default();
        let remote = file.index_sha256.clone().unwrap_or_default();
        let message = match file.status {
            CompareStatus::Same => format!("on {} with sha256 {local}", report.index),
            CompareStatus::Differs => format!(
                "{} serves other bytes: local sha256 {local}, index sha256 {remote}",
                report.index
            ),
            CompareStatus::NotOnIndex => format!("not on {} (not uploaded yet?)", report.index),
            CompareStatus::OnlyOnIndex => format!(
                "on {} for this release but not local: someone else uploaded it (sha256 {remote})",
                report.index
            ),
        };
        let mut check = Check::new(
            file.filename.clone(),
            file.status == CompareStatus::Same,
            message,
        );
        if file.yanked {
            check = check.warn("the index marks it yanked");
        }
        if let (false, Some(path)) = (check.ok, &file.path) {
            check = check.at(Some(&Location::file(path)));
        }
        checks.push(check);
    }
    console.say(&format!(
        "pbx-checksum: {} file(s) against {} ({}): {} same, {} differ, {} not on the index, {} only on the index",
        report.files.len(),
        report.index,
        report.simple,
        report.count(CompareStatus::Same),
        report.count(CompareStatus::Differs),
        report.count(CompareStatus::NotOnIndex),
        report.count(CompareStatus::OnlyOnIndex),
    ));
    console.checks(&checks);
    let github = console.github.clone();
    let _ = github.set_outputs(&[("matches_index", ok.to_string())]);
    let _ = github.append_summary(&format!(
        "### pbx-checksum compare against {}\n\n{}\n",
        report.index,
        checks.markdown_table()
    ));
    match console.format {
        Format::Json => console.json(&serde_json::json!({
            "ok": ok,
            "index": report.index,
            "simple": report.simple,
            "files": report.files,
        })),
        Format::Text => console.result(&lines),
    }
    if !ok {
        let other_bytes =
            report.count(CompareStatus::Differs) + report.count(CompareStatus::OnlyOnIndex);
        let same = report.count(CompareStatus::Same);
        console.say(if other_bytes > 0 {
            "pbx-checksum: the index holds other bytes for this release: the version is consumed and these files can never be uploaded under the same names; fix forward with the next version (`pbx-next-version --lane auto`)"
        } else if same == 0 {
            "pbx-checksum: none of these files is on the index: nothing of this version is published yet (upload it with pbx-upload)"
        } else {
            "pbx-checksum: the index holds only part of this release: the version is consumed by the files that landed; upload the rest only if they are the same build, else fix forward (`pbx-next-version --lane auto`)"
        });
    }
    report.status()
}
