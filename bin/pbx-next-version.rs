//! pbx-next-version: the next fixed-forward version (`X.Y.Z.postN`,
//! `X.Y.ZrcN`) from the indexes and the git tags; writes it with --write.

use std::io::Write;
use std::path::PathBuf;

use clap::Parser;
use pbx_index::{Client, ClientConfig};
use pbx_next_version::{GitChoice, LaneChoice, NextVersionInput};
use pbx_project::Lane;
use pbx_report::{run_main, Console, ExitStatus, Format, Problem};

/// Name the next version to fix a failed release forward with: one past
/// the highest N already used for the base release on the indexes (every
/// file, yanked ones too), in the git tags, and in the current version.
///
/// Prints the version alone on stdout (JSON with --format json); what was
/// seen where goes to stderr. Exit 0: named (and written with --write);
/// 1: `rc` for a base already released as a final; 2: bad input (a dynamic
/// version with --write, no repository); 3: an index or git unusable.
#[derive(Debug, Parser)]
#[command(name = "pbx-next-version", version)]
struct Cli {
    /// `post`: a failed TestPyPI lane or a fix after a final release
    /// (X.Y.Z.postN). `rc`: a failed release candidate on PyPI (X.Y.ZrcN).
    /// `auto`: `rc` for a pre-release in the pypi lane, else `post` (and
    /// `post` when the final is already out); the publish lane is --target,
    /// else where `[tool.pbx.lanes]` routes the current version.
    #[arg(long, env = "PBX_LANE", hide_env_values = true, value_parser = ["post", "rc", "auto"])]
    lane: String,

    /// The publish lane that failed, for `--lane auto`.
    #[arg(long, env = "PBX_TARGET", hide_env_values = true, value_parser = ["testpypi", "pypi"])]
    target: Option<String>,

    /// The project directory holding pyproject.toml and uv.lock.
    #[arg(
        long,
        env = "PBX_PROJECT",
        hide_env_values = true,
        value_name = "DIR",
        default_value = "."
    )]
    project: PathBuf,

    /// The current version, instead of pyproject.toml's `[project].version`.
    #[arg(long, env = "PBX_FROM", hide_env_values = true, value_name = "VERSION")]
    from: Option<String>,

    /// The project name on the indexes, instead of pyproject.toml's.
    #[arg(long, env = "PBX_PACKAGE", hide_env_values = true, value_name = "NAME")]
    package: Option<String>,

    /// An index to look at: `pypi`, `testpypi` or a URL (repeatable).
    /// Default: the lane's own (post → testpypi and pypi; rc → pypi).
    #[arg(
        long = "index",
        env = "PBX_INDEX",
        hide_env_values = true,
        value_name = "INDEX",
        value_delimiter = ','
    )]
    indexes: Vec<String>,

    /// Read the release tags of the repository holding DIR. Default: the
    /// project directory's repository.
    #[arg(long, env = "PBX_GIT_DIR", hide_env_values = true, value_name = "DIR")]
    git: Option<PathBuf>,

    /// Do not read git tags (wins over --git).
    #[arg(long)]
    no_git: bool,

    /// Ask no index: only git tags count (said on stderr).
    /// Also PBX_OFFLINE (true/false, 1/0, yes/no).
    #[arg(long)]
    offline: bool,

    /// Set the new version in pyproject.toml and uv.lock (only the version
    /// strings change; both files or neither).
    #[arg(long)]
    write: bool,

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
    let mut lane: LaneChoice = cli.lane.parse().map_err(Problem::input)?;
    if let (LaneChoice::Auto(_), Some(target)) = (lane, &cli.target) {
        lane = LaneChoice::Auto(Some(target.parse::<Lane>().map_err(Problem::input)?));
    }
    let config = ClientConfig::from_vars(|key| std::env::var(key).ok())
        .map_err(|err| Problem::input(err).hint("fix or unset the variable"))?;
    let input = NextVersionInput {
        lane,
        project_dir: cli.project.clone(),
        from: cli.from.clone(),
        package: cli.package.clone(),
        indexes: cli
            .indexes
            .iter()
            .filter(|i| !i.trim().is_empty())
            .cloned()
            .collect(),
        git: match (&cli.git, cli.no_git) {
            (_, true) => GitChoice::Off,
            (Some(dir), false) => GitChoice::Dir(dir.clone()),
            (None, false) => GitChoice::Project,
        },
        offline: pbx_settings::flag_or_env(cli.offline, "--offline", pbx_settings::vars::OFFLINE)
            .map_err(|e| Problem::input(e.to_string()))?,
        write: cli.write,
    };
    // Retries are reported as they happen (the client calls back on this
    // thread; stderr's lock is reentrant, so this line goes out between the
    // console's own).
    let client = Client::new(config).with_observer(|event| {
        let _ = writeln!(
            std::io::stderr(),
            "{}",
            pbx_app::progress::retry_line(event)
        );
    });
    let report = pbx_next_version::next_version(&input, &client, &mut |step| {
        pbx_app::render::next_version::step(console, step)
    })
    .map_err(pbx_app::exit::problem)?;

    Ok(pbx_app::render::next_version::report(console, &report))
}
