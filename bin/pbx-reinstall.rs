//! pbx-reinstall: the exact published version, installed fresh on every
//! interpreter, checked, and reported as a matrix.

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::Duration;

use clap::{Parser, Subcommand};
use pbx_app::render::reinstall as render;
use pbx_index::{Client, ClientConfig};
use pbx_python::Finder;
use pbx_reinstall::{EnvRoot, Inputs, Report};
use pbx_report::{parse_duration, run_main, Console, ExitStatus, Format, Location, Problem};

/// Install the exact published version fresh from the index on every
/// interpreter (3.11, 3.12, 3.13 by default), check its version, imports and
/// smoke commands, and report the matrix.
///
/// The target comes alone from --index (no dependencies; wheel only unless
/// only an sdist exists; hash-pinned with --dist), then every dependency from
/// --deps-index only. Defaults come from [tool.pbx.reinstall] and the
/// project in the current directory.
///
/// Exit 0: every applicable check passed; 1: a check failed (or the version
/// never appeared, or its bytes differ); 2: bad input; 3: environment (no
/// interpreter, no index, no uv).
#[derive(Debug, Parser)]
#[command(
    name = "pbx-reinstall",
    version,
    args_conflicts_with_subcommands = true
)]
struct Cli {
    #[command(subcommand)]
    command: Option<Command>,

    #[command(flatten)]
    install: InstallArgs,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Combine per-job JSON reports (one matrix job per interpreter) into
    /// one report and one exit code.
    Merge {
        /// The JSON reports (`pbx-reinstall --format json` or --json-report).
        #[arg(required = true)]
        reports: Vec<PathBuf>,

        /// Output format.
        #[arg(long, env = "PBX_FORMAT", hide_env_values = true, default_value = "text", value_parser = ["text", "json", "junit"])]
        format: String,

        /// Also write the merged JSON report here.
        #[arg(long)]
        json_report: Option<PathBuf>,

        /// Also write JUnit XML here.
        #[arg(long)]
        junit_report: Option<PathBuf>,
    },
}

#[derive(Debug, clap::Args)]
struct InstallArgs {
    /// Interpreter versions, comma-separated (default: [tool.pbx.reinstall]
    /// pythons, else 3.11,3.12,3.13; with only --python: those).
    #[arg(
        long,
        env = "PBX_PYTHONS",
        hide_env_values = true,
        value_delimiter = ','
    )]
    pythons: Vec<String>,

    /// The package and exact version to reinstall, as pip takes it
    /// (`demo==1.2.3`); the same as --package and --package-version.
    #[arg(value_name = "NAME==VERSION")]
    requirement: Option<String>,

    /// The package (default: [project].name of ./pyproject.toml).
    #[arg(long, env = "PBX_PACKAGE", hide_env_values = true)]
    package: Option<String>,

    /// The exact version of the package (default: [project].version of
    /// ./pyproject.toml). `--version` prints pbx-reinstall's own version.
    #[arg(long, env = "PBX_VERSION", hide_env_values = true)]
    package_version: Option<String>,

    /// The index the version was uploaded to: pypi, testpypi, or a URL
    /// (an upload URL or its simple URL).
    #[arg(
        long,
        env = "PBX_INDEX",
        hide_env_values = true,
        default_value = "pypi"
    )]
    index: String,

    /// Where dependencies come from: pypi or a URL.
    #[arg(
        long,
        env = "PBX_DEPS_INDEX",
        hide_env_values = true,
        default_value = "pypi"
    )]
    deps_index: String,

    /// Built artifacts: wait for their sha256 on the index and pin the
    /// install to them (--require-hashes).
    #[arg(long, env = "PBX_DIST", hide_env_values = true)]
    dist: Option<PathBuf>,

    /// A module to import (repeatable; default: [tool.pbx.reinstall] imports).
    #[arg(long = "import", value_name = "MODULE")]
    imports: Vec<String>,

    /// A shell command that must exit 0, run in an empty directory with the
    /// env's bin first on PATH and its interpreter in $PBX_PYTHON
    /// (repeatable; default: [tool.pbx.reinstall] smoke).
    #[arg(long = "smoke", value_name = "CMD")]
    smoke: Vec<String>,

    /// How long to wait for the index to list the version (`90s`, `15m`,
    /// `1h`; `0`: look once).
    #[arg(long, env = "PBX_WAIT", hide_env_values = true, default_value = "0", value_parser = parse_duration)]
    wait: Duration,

    /// auto: uv when it is on PATH, else pip.
    #[arg(long, env = "PBX_INSTALLER", hide_env_values = true, default_value = "auto", value_parser = ["auto", "uv", "pip"])]
    installer: String,

    /// Interpreters installed at a time (0: all).
    #[arg(long, env = "PBX_JOBS", hide_env_values = true, default_value_t = 0)]
    jobs: usize,

    /// An interpreter to use (repeatable); it answers the request of its X.Y.
    #[arg(long = "python", value_name = "PATH")]
    python: Vec<PathBuf>,

    /// Report a missing interpreter instead of exiting 3. Also
    /// PBX_SKIP_MISSING (true/false, 1/0, yes/no).
    #[arg(long)]
    skip_missing: bool,

    /// Keep the environments (their path is printed on stderr).
    #[arg(long)]
    keep_envs: bool,

    /// Where the defaults are read from.
    #[arg(long, env = "PBX_PROJECT", hide_env_values = true, default_value = ".")]
    project: PathBuf,

    /// Output format on stdout.
    #[arg(long, env = "PBX_FORMAT", hide_env_values = true, default_value = "text", value_parser = ["text", "json", "junit"])]
    format: String,

    /// Also write the JSON report here (for `pbx-reinstall merge`).
    #[arg(long)]
    json_report: Option<PathBuf>,

    /// Also write JUnit XML here.
    #[arg(long)]
    junit_report: Option<PathBuf>,
}

fn main() -> std::process::ExitCode {
    pbx_app::generate::answer_and_exit::<Cli>();
    pbx_report::forget_empty_settings();
    let cli = Cli::parse();
    let format = match &cli.command {
        Some(Command::Merge { format, .. }) => format.clone(),
        None => cli.install.format.clone(),
    };
    let console_format = if format == "json" {
        Format::Json
    } else {
        Format::Text
    };
    run_main(console_format, |console| match &cli.command {
        Some(Command::Merge {
            reports,
            json_report,
            junit_report,
            ..
        }) => merge(
            reports,
            &format,
            json_report.as_deref(),
            junit_report.as_deref(),
            console,
        ),
        None => install(&cli.install, console),
    })
}

fn merge(
    reports: &[PathBuf],
    format: &str,
    json_report: Option<&Path>,
    junit_report: Option<&Path>,
    console: &mut Console<'_>,
) -> Result<ExitStatus, Problem> {
    let paths: Vec<&Path> = reports.iter().map(PathBuf::as_path).collect();
    let report = Report::merge(&paths).map_err(|err| {
        let problem = Problem::input(err.to_string());
        match err {
            pbx_reinstall::MergeError::Parse {
                path, line, column, ..
            } => problem
                .at(Location::at(path, line, column))
                .hint("pass the JSON written by `pbx-reinstall --format json` or --json-report"),
            _ => problem,
        }
    })?;
    render::merged(console, reports.len(), &report);
    render::finish(console, &report, format, json_report, junit_report)
}

fn install(args: &InstallArgs, console: &mut Console<'_>) -> Result<ExitStatus, Problem> {
    let (package, version) = requirement(args)?;
    let inputs = Inputs {
        project_dir: args.project.clone(),
        package,
        version,
        pythons: args.pythons.clone(),
        explicit_interpreters: !args.python.is_empty(),
        index: args.index.clone(),
        deps_index: args.deps_index.clone(),
        dist: args.dist.clone(),
        imports: args.imports.clone(),
        smoke: args.smoke.clone(),
        wait: args.wait,
        installer: args.installer.clone(),
        jobs: args.jobs,
    };
    let (request, requests) = inputs
        .resolve(std::env::var_os("PATH").as_deref())
        .map_err(pbx_app::exit::problem)?;
    // The client's trusted roots (a few hundred certificates read and
    // parsed, ~6 ms) are loaded while the interpreters are probed; a
    // problem with them is still said first.
    let (client, searches) = std::thread::scope(|scope| {
        let client =
            scope.spawn(|| ClientConfig::from_vars(|key| std::env::var(key).ok()).map(Client::new));
        // Interpreters first: a missing one stops the run before any waiting.
        let searches = Finder::from_env().resolve(&requests, &args.python);
        let client = client
            .join()
            .unwrap_or_else(|panic| std::panic::resume_unwind(panic));
        (client, searches)
    });
    let client = client.map_err(Problem::input)?;
    let searches = searches.map_err(|err| {
        Problem::input(format!("--python {err}")).hint("pass the path of a working interpreter")
    })?;
    let skip_missing = pbx_settings::flag_or_env(
        args.skip_missing,
        "--skip-missing",
        pbx_settings::vars::SKIP_MISSING,
    )
    .map_err(|e| Problem::input(e.to_string()))?;
    render::interpreters(console, &searches);
    pbx_app::exit::missing_interpreters(&searches, skip_missing)?;
    if searches.is_empty() {
        return Err(Problem::input("no interpreter to install on")
            .hint("pass --pythons 3.11,3.12,3.13 or --python PATH"));
    }

    render::starting(console, &request);
    let cancel = Arc::new(AtomicBool::new(false));
    let flag = Arc::clone(&cancel);
    // A second Ctrl-C does not wait for the cleanup.
    let _ = ctrlc::set_handler(move || {
        if flag.swap(true, Ordering::SeqCst) {
            std::process::exit(130);
        }
    });
    let root = EnvRoot::create(args.keep_envs).map_err(|err| {
        Problem::environment(format!("cannot create a temporary directory: {err}"))
    })?;
    let what = format!("{} {}", request.package, request.version.canonical());
    let result = render::with_progress(console, &what, |reporter| {
        pbx_reinstall::reinstall(&request, searches, &client, &root, &cancel, reporter)
    })?;
    let interrupted = cancel.load(Ordering::SeqCst);
    if root.kept() {
        console.say(&format!("environments kept in {}", root.path().display()));
    } else if let Err(err) = root.remove() {
        console.say(&format!(
            "warning: could not remove the environments: {err}"
        ));
    }
    if interrupted {
        return Err(Problem::environment(
            "interrupted by Ctrl-C; the environments were removed",
        ));
    }
    let report = result.map_err(pbx_app::exit::problem)?;
    render::finish(
        console,
        &report,
        &args.format,
        args.json_report.as_deref(),
        args.junit_report.as_deref(),
    )
}

/// `NAME==VERSION` and --package/--package-version, as one name and
/// version (either may be missing: the project supplies it).
fn requirement(args: &InstallArgs) -> Result<(Option<String>, Option<String>), Problem> {
    let Some(spec) = &args.requirement else {
        return Ok((args.package.clone(), args.package_version.clone()));
    };
    let Some((name, version)) = spec.split_once("==") else {
        return Err(Problem::input(format!(
            "`{spec}` is not NAME==VERSION: pbx-reinstall installs one exact version"
        ))
        .hint("give the exact version, e.g. `pbx-reinstall demo==1.2.3`"));
    };
    let (name, version) = (name.trim(), version.trim());
    if name.is_empty()
        || version.is_empty()
        || version.contains(['=', '<', '>', '!', '~', '*', ','])
    {
        return Err(Problem::input(format!(
            "`{spec}` is not NAME==VERSION: pbx-reinstall installs one exact version"
        ))
        .hint("give the exact version, e.g. `pbx-reinstall demo==1.2.3`"));
    }
    for (flag, given, here) in [
        ("--package", &args.package, name),
        ("--package-version", &args.package_version, version),
    ] {
        if let Some(given) = given {
            if given != here {
                return Err(
                    Problem::input(format!("`{spec}` and {flag} {given} disagree"))
                        .hint("give the package and version once"),
                );
            }
        }
    }
    Ok((Some(name.to_string()), Some(version.to_string())))
}
