//! pbx-tag-check: the release tag against pyproject.toml, uv.lock and the
//! expected version; prints the canonical version and decides the lane.

use std::path::PathBuf;

use clap::Parser;
use pbx_project::Lane;
use pbx_report::{run_main, Console, ExitStatus, Format, Problem};
use pbx_tag_check::{Event, TagCheckInput, TagSources};

/// Check that the release tag, pyproject.toml and uv.lock name one PEP 440
/// version, and decide the publish lane (testpypi or pypi).
///
/// Prints the canonical version on stdout (JSON with --format json).
/// Exit 0: every check passed; 1: a mismatch; 2: bad input; 3: environment.
#[derive(Debug, Parser)]
#[command(name = "pbx-tag-check", version)]
struct Cli {
    /// The tag to check (`v1.2.3`, `refs/tags/v1.2.3`). Default: the release
    /// event's tag, then $GITHUB_REF_NAME (when a tag), then $GITHUB_REF.
    #[arg(long, env = "PBX_TAG")]
    tag: Option<String>,

    /// The project directory holding pyproject.toml and uv.lock.
    #[arg(long, env = "PBX_PROJECT", default_value = ".")]
    project: PathBuf,

    /// Fail unless the tag names this version too.
    #[arg(long, env = "PBX_EXPECTED_VERSION")]
    expected_version: Option<String>,

    /// The triggering event. Default: $GITHUB_EVENT_NAME when it is one of these.
    #[arg(long, value_parser = ["push", "release", "workflow_dispatch"])]
    event: Option<String>,

    /// Publish to this lane whatever the tag says.
    #[arg(long, env = "PBX_TARGET", value_parser = ["testpypi", "pypi"])]
    target: Option<String>,

    /// Fail when uv.lock is missing (also `[tool.pbx] require-lock = true`).
    #[arg(long, env = "PBX_REQUIRE_LOCK")]
    require_lock: bool,

    /// Built artifacts: where a dynamic version is read from (wheel METADATA).
    #[arg(long, env = "PBX_DIST")]
    dist: Option<PathBuf>,

    /// Output format.
    #[arg(long, env = "PBX_FORMAT", default_value = "text", value_parser = ["text", "json"])]
    format: String,
}

fn main() -> std::process::ExitCode {
    pbx_report::forget_empty_settings();
    let cli = Cli::parse();
    let format: Format = cli.format.parse().unwrap_or_default();
    run_main(format, |console| run(&cli, console))
}

fn run(cli: &Cli, console: &mut Console<'_>) -> Result<ExitStatus, Problem> {
    let sources = TagSources::from_env();
    let (tag, source) = sources.resolve(cli.tag.as_deref())?;
    let event = match cli.event.as_deref() {
        Some(event) => Some(event.parse::<Event>().map_err(Problem::input)?),
        None => sources.event_name.as_deref().and_then(|e| e.parse().ok()),
    };
    let target = cli
        .target
        .as_deref()
        .map(|t| t.parse::<Lane>().map_err(Problem::input))
        .transpose()?;
    let report = pbx_tag_check::check(&TagCheckInput {
        tag,
        project_dir: cli.project.clone(),
        expected_version: cli.expected_version.clone(),
        event,
        target,
        require_lock: cli.require_lock,
        dist: cli.dist.clone(),
    })?;

    let ok = report.ok();
    console.say(&format!(
        "pbx-tag-check: {} {} from tag {} ({}) → {} ({})",
        report.package,
        report.version,
        report.tag,
        source.describe(),
        report.lane,
        report.lane_reason
    ));
    console.checks(&report.checks);
    let github = console.github.clone();
    let _ = github.set_outputs(&[
        ("package_name", report.package.clone()),
        ("version", report.version.clone()),
        ("tag", report.tag.clone()),
        ("publish_target", report.lane.clone()),
        ("prerelease", report.prerelease.to_string()),
    ]);
    let _ = github.append_summary(&format!(
        "### pbx-tag-check: {} {} → {}\n\n{}\n",
        report.package,
        report.version,
        report.lane,
        report.checks.markdown_table()
    ));
    match console.format {
        Format::Json => console.json(&report),
        Format::Text if ok => console.result(&format!("{}\n", report.version)),
        Format::Text => {
            let failed = report.checks.failures().count();
            console.say(&format!(
                "pbx-tag-check: {failed} check(s) failed: make the tag, pyproject.toml and uv.lock name one version (after changing pyproject.toml run `uv lock`), then tag again"
            ));
        }
    }
    Ok(ExitStatus::from_ok(ok))
}
