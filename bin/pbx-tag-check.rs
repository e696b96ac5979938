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
    #[arg(long, env = "PBX_TAG", hide_env_values = true)]
    tag: Option<String>,

    /// The project directory holding pyproject.toml and uv.lock.
    #[arg(long, env = "PBX_PROJECT", hide_env_values = true, default_value = ".")]
    project: PathBuf,

    /// Fail unless the tag names this version too.
    #[arg(long, env = "PBX_EXPECTED_VERSION", hide_env_values = true)]
    expected_version: Option<String>,

    /// The triggering event. Default: $GITHUB_EVENT_NAME when it is one of these.
    #[arg(long, value_parser = ["push", "release", "workflow_dispatch"])]
    event: Option<String>,

    /// Publish to this lane whatever the tag says (also PBX_TARGET).
    #[arg(long, value_parser = ["testpypi", "pypi"])]
    target: Option<String>,

    /// Fail when uv.lock is missing. Also PBX_REQUIRE_LOCK (true/false,
    /// 1/0, yes/no) and `[tool.pbx] require-lock`; the flag wins, then the
    /// variable, then the project's setting.
    #[arg(long, overrides_with = "no_require_lock")]
    require_lock: bool,

    /// Do not fail when uv.lock is missing, whatever the project says.
    #[arg(long, overrides_with = "require_lock")]
    no_require_lock: bool,

    /// Built artifacts: where a dynamic version is read from (wheel METADATA).
    #[arg(long, env = "PBX_DIST", hide_env_values = true)]
    dist: Option<PathBuf>,

    /// Output format.
    #[arg(long, env = "PBX_FORMAT", hide_env_values = true, default_value = "text", value_parser = ["text", "json"])]
    format: String,
}

fn main() -> std::process::ExitCode {
    pbx_app::generate::answer_and_exit::<Cli>();
    pbx_report::forget_empty_settings();
    let cli = Cli::parse();
    let format: Format = cli.format.parse().unwrap_or_default();
    run_main(format, |console| run(&cli, console))
}

fn run(cli: &Cli, console: &mut Console<'_>) -> Result<ExitStatus, Problem> {
    let mut sources = TagSources::from_env();
    if cli.tag.is_none() {
        sources.head = pbx_tag_check::head_tags(&cli.project);
    }
    let (tag, source) = sources
        .resolve(cli.tag.as_deref())
        .map_err(pbx_app::exit::problem)?;
    let event = match cli.event.as_deref() {
        Some(event) => Some(event.parse::<Event>().map_err(Problem::input)?),
        None => sources.event_name.as_deref().and_then(|e| e.parse().ok()),
    };
    let env = pbx_settings::Env::from_process();
    let target = match pbx_settings::resolve_string(
        cli.target.as_deref(),
        "--target",
        &env,
        &[pbx_settings::vars::TARGET],
        None,
    ) {
        Some(setting) => Some((
            setting.value.parse::<Lane>().map_err(|e| {
                Problem::input(format!("{}: {e}", setting.source))
                    .hint("the publish lane is testpypi or pypi")
            })?,
            setting.source.to_string(),
        )),
        None => None,
    };
    let report = pbx_tag_check::check(&TagCheckInput {
        tag,
        project_dir: cli.project.clone(),
        expected_version: cli.expected_version.clone(),
        event,
        target,
        require_lock: pbx_settings::given_bool(
            pbx_settings::flag_pair(cli.require_lock, cli.no_require_lock),
            "--require-lock",
            &env,
            pbx_settings::vars::REQUIRE_LOCK,
        )
        .map_err(pbx_app::exit::problem)?,
        dist: cli.dist.clone(),
    })
    .map_err(pbx_app::exit::problem)?;

    Ok(pbx_app::render::tag_check::report(
        console, &report, &source,
    ))
}
