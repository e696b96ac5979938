//! pbx-tag-check's report.

use pbx_report::{Console, ExitStatus, Format};
use pbx_tag_check::{TagReport, TagSource};

/// The version, tag and lane on stderr, every check, the Actions outputs
/// (only when every check passed: a failed check publishes nothing a later
/// step could act on) and summary, and the canonical version on stdout.
pub fn report(console: &mut Console<'_>, report: &TagReport, source: &TagSource) -> ExitStatus {
    let ok = report.ok();
    let lane = match (&report.lane, &report.lane_reason) {
        (Some(lane), Some(why)) if ok => format!(" → {lane} ({why})"),
        (Some(lane), Some(why)) => format!(" (would go to {lane}: {why})"),
        _ => " (not a release tag: no lane)".to_string(),
    };
    console.say(&format!(
        "pbx-tag-check: {} {} from tag {} ({}){lane}",
        report.package,
        report.version,
        report.tag,
        source.describe(),
    ));
    console.checks(&report.checks);
    let github = console.github.clone();
    if ok {
        let _ = github.set_outputs(&[
            ("package_name", report.package.clone()),
            ("dist_name", report.package.replace('-', "_")),
            ("version", report.version.clone()),
            ("tag", report.tag.clone()),
            ("publish_target", report.lane.clone().unwrap_or_default()),
            ("prerelease", report.prerelease.to_string()),
        ]);
    }
    let _ = github.append_summary(&format!(
        "### pbx-tag-check: {} {} → {}\n\n{}\n",
        report.package,
        report.version,
        report.lane.as_deref().unwrap_or("no lane"),
        report.checks.markdown_table()
    ));
    match console.format {
        Format::Json => console.json(report),
        Format::Text if ok => console.result(&format!("{}\n", report.version)),
        Format::Text => {
            let failed = report.checks.failures().count();
            console.say(&format!(
                "pbx-tag-check: {failed} check(s) failed: make the tag, pyproject.toml and uv.lock name one version (after changing pyproject.toml run `uv lock`), then tag again"
            ));
        }
    }
    crate::Outcome::status(report)
}
