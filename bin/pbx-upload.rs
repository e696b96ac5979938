//! pbx-upload: upload wheels and sdists without ever re-using a version,
//! then verify that the index lists every file with the local sha256.

use std::collections::HashMap;
use std::io::Read;
use std::path::PathBuf;
use std::time::Duration;

use clap::Parser;
use pbx_app::exit::problem;
use pbx_app::progress::{retry_line, Live};
use pbx_app::Outcome;
use pbx_index::{Client, ClientConfig};
use pbx_report::{run_main, Console, ExitStatus, Format, Problem};
use pbx_upload::credentials::{self, CredentialInputs, SECRET_VARS};
use pbx_upload::{OidcEnv, Options, TrustedMode};

/// Upload wheels and sdists to PyPI, TestPyPI or any index speaking the
/// upload API, refusing to re-use a version, and verify what landed.
///
/// Before anything is sent: every file must be an intact wheel or `.tar.gz`
/// sdist of one project version (no local segment) that the public index
/// would accept (`pbx-checksum inspect` shows every check; --max-file-size),
/// and the index must hold no file
/// of that version; otherwise nothing is uploaded and the next
/// fixed-forward version is named. After the upload, the simple API must
/// list every file with the local sha256.
///
/// Credentials: --password-stdin, PBX_PASSWORD, TWINE_PASSWORD,
/// UV_PUBLISH_TOKEN, UV_PUBLISH_PASSWORD, ~/.pypirc (or $PYPIRC); the
/// username is --username/PBX_USERNAME, TWINE_USERNAME, the .pypirc one,
/// else `__token__`. In GitHub Actions, trusted publishing needs no secret.
///
/// Exit 0: every file on the index with the local sha256 (or a clean dry
/// run); 1: the version is consumed, a partial upload, a refusal, or files
/// not listed as uploaded; 2: bad input (before any request); 3: the index
/// is unreachable and nothing landed.
#[derive(Debug, Parser)]
#[command(name = "pbx-upload", version)]
struct Cli {
    /// The wheels and sdists to upload. Default: every .whl and .tar.gz in
    /// --dist.
    files: Vec<PathBuf>,

    /// Where the files are when none are named.
    #[arg(long, env = "PBX_DIST", hide_env_values = true, default_value = "dist")]
    dist: PathBuf,

    /// `pypi`, `testpypi`, a section of ~/.pypirc, or an upload URL (a
    /// pypiserver root `http://host:port/`, `…/legacy/`, devpi's
    /// `…/USER/INDEX/`). Default: $TWINE_REPOSITORY_URL, $UV_PUBLISH_URL,
    /// $TWINE_REPOSITORY, else `pypi`.
    #[arg(long, short = 'r', env = "PBX_REPOSITORY", hide_env_values = true)]
    repository: Option<String>,

    /// The simple API base, when it is not where --repository implies
    /// (`URL/simple/` for a root URL; devpi: `…/USER/INDEX/+simple/`).
    #[arg(long, env = "PBX_INDEX_URL", hide_env_values = true)]
    index_url: Option<String>,

    /// The username (default: TWINE_USERNAME, the .pypirc one, `__token__`).
    #[arg(long, short = 'u', env = "PBX_USERNAME", hide_env_values = true)]
    username: Option<String>,

    /// Read the password or token from stdin (one line).
    #[arg(long)]
    password_stdin: bool,

    /// Exchange the GitHub Actions OIDC token for an upload token: `auto`
    /// when no credentials are set and the job may request a token.
    #[arg(long, env = "PBX_TRUSTED_PUBLISHING", hide_env_values = true, default_value = "auto", value_parser = ["auto", "always", "never"])]
    trusted_publishing: String,

    /// How long to wait for the simple API to list the uploaded files
    /// (`60`, `90s`, `5m`; a bare number is seconds).
    #[arg(long, env = "PBX_UPLOAD_WAIT", hide_env_values = true, default_value = "60", value_parser = pbx_report::parse_duration)]
    wait: Duration,

    /// The largest file the index accepts (`100MiB` by default, the
    /// public index's per-file limit; 1 MiB to 1 TiB). Pass the larger
    /// limit the index granted the project (`200MiB`); a larger file stops
    /// the run before anything is sent.
    #[arg(long, env = "PBX_MAX_FILE_SIZE", hide_env_values = true, value_parser = pbx_report::parse_file_size)]
    max_file_size: Option<u64>,

    /// Check the files, the credentials and the index; upload nothing.
    /// Also PBX_DRY_RUN (true/false, 1/0, yes/no).
    #[arg(long)]
    dry_run: bool,

    /// Refused: pbx-upload never skips existing files (see the message).
    #[arg(long)]
    skip_existing: bool,

    /// Refused, as `uv publish --check-url` (it skips existing files).
    #[arg(long, value_name = "URL")]
    check_url: Option<String>,

    /// The publish lane this upload is, for the next fixed-forward version
    /// when the version turns out to be consumed (`rc` lane for a
    /// pre-release in the pypi lane, else `post`). Default: by the index's
    /// name (`testpypi`, `pypi`), else where `[tool.pbx.lanes]` routes the
    /// version.
    #[arg(long, env = "PBX_TARGET", hide_env_values = true, value_parser = ["testpypi", "pypi"])]
    target: Option<String>,

    /// Another index the release touches (`pypi`, `testpypi` or a simple
    /// URL; repeatable, or comma-separated in PBX_FIX_INDEXES): its files
    /// count too when naming the next version.
    #[arg(
        long = "fix-index",
        env = "PBX_FIX_INDEXES",
        hide_env_values = true,
        value_name = "INDEX",
        value_delimiter = ','
    )]
    fix_indexes: Vec<String>,

    /// The project directory: its `[tool.pbx]` settings and its
    /// repository's release tags count when naming the next version.
    #[arg(
        long,
        env = "PBX_PROJECT",
        hide_env_values = true,
        value_name = "DIR",
        default_value = "."
    )]
    project: PathBuf,

    /// Do not read the repository's release tags for the next version.
    #[arg(long)]
    no_git: bool,

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
    let env: HashMap<String, String> = std::env::vars().collect();
    // Secrets first: nothing is printed before they are masked.
    for key in SECRET_VARS {
        if let Some(value) = env.get(*key) {
            console.secret(value);
        }
    }
    let password_stdin = if cli.password_stdin {
        let mut text = String::new();
        std::io::stdin()
            .read_to_string(&mut text)
            .map_err(|e| Problem::input(format!("cannot read the password from stdin: {e}")))?;
        let password = text.trim_end_matches(['\r', '\n']).to_string();
        console.secret(&password);
        if password.is_empty() {
            return Err(Problem::input("--password-stdin, but stdin is empty")
                .hint("pipe the token in: `printf %s \"$TOKEN\" | pbx-upload --password-stdin`"));
        }
        Some(password)
    } else {
        None
    };

    let refused = pbx_upload::refused_setting(cli.skip_existing, cli.check_url.is_some(), &env);
    if let Some(what) = refused {
        return Err(Problem::input(format!(
            "{what} is refused. {}",
            pbx_upload::SKIP_EXISTING_REFUSAL
        )));
    }

    let trusted: TrustedMode = cli.trusted_publishing.parse().map_err(Problem::input)?;
    let pypirc_path = credentials::default_pypirc(&env);
    let repository = pbx_upload::repository(cli.repository.as_deref(), &env);
    let (index, section) =
        pbx_upload::resolve_repository(&repository, pypirc_path.as_deref()).map_err(problem)?;
    let index = match &cli.index_url {
        Some(simple) => index
            .with_simple(simple)
            .map_err(|e| Problem::input(e.to_string()))?,
        None => index,
    };
    let index_arg = match &index.name {
        Some(name) => name.clone(),
        None => index.simple.to_string(),
    };

    let found = credentials::resolve(&CredentialInputs {
        username: cli.username.clone(),
        password_stdin,
        env: env.clone(),
        pypirc: pypirc_path,
        section,
        upload_url: index.upload.to_string(),
    })
    .map_err(problem)?;
    if let Some(found) = &found {
        console.credentials(found.credentials.username(), found.credentials.secret());
    }

    let files = pbx_upload::collect_files(&cli.files, &cli.dist).map_err(problem)?;
    let mut config = ClientConfig::from_vars(|k| env.get(k).cloned()).map_err(Problem::input)?;
    // An answer lost on the way back: look for the file as long as the
    // upload waits for its listing (a listing can lag behind).
    config.reconcile_wait = cli.wait.max(config.reconcile_wait);
    let live = Live::new(pbx_app::progress::on_terminal());
    let retries = live.clone();
    let sent = live.clone();
    // Ctrl-C or SIGTERM (a cancelled Actions job): stop sending, then
    // report what landed. A second signal does not wait.
    let cancel = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
    let flag = std::sync::Arc::clone(&cancel);
    let _ = ctrlc::set_handler(move || {
        if flag.swap(true, std::sync::atomic::Ordering::SeqCst) {
            std::process::exit(130);
        }
    });
    let client = Client::new(config)
        .with_observer(move |event| retries.println(&retry_line(event)))
        .with_progress(move |progress| sent.position(progress.sent))
        .with_cancel(cancel);
    // A private index may need the credentials to list files too; public
    // indexes never do, and other hosts never get them.
    let client = match (&found, index.simple.host_str()) {
        (Some(found), Some(host))
            if !index.is_warehouse() && index.upload.host_str() == Some(host) =>
        {
            client.with_read_credentials(host, found.credentials.clone())
        }
        _ => client,
    };
    let options = Options {
        files,
        limits: pbx_artifact::Limits {
            max_file_bytes: cli
                .max_file_size
                .unwrap_or(pbx_artifact::DEFAULT_MAX_FILE_BYTES),
            ..pbx_artifact::Limits::default()
        },
        index,
        index_arg,
        dry_run: pbx_settings::flag_or_env(cli.dry_run, "--dry-run", pbx_settings::vars::DRY_RUN)
            .map_err(|e| Problem::input(e.to_string()))?,
        wait: cli.wait,
        credentials: found,
        trusted,
        oidc: OidcEnv::from_env(&env)
            .filter(|_| env.get("GITHUB_ACTIONS").is_some_and(|v| v == "true")),
        publish_lane: cli
            .target
            .as_deref()
            .map(|t| t.parse::<pbx_project::Lane>().map_err(Problem::input))
            .transpose()?,
        fix_indexes: cli
            .fix_indexes
            .iter()
            .filter(|i| !i.trim().is_empty())
            .map(|i| {
                pbx_index::IndexUrls::resolve(i.trim()).map_err(|e| {
                    Problem::input(format!("--fix-index {i}: {e}"))
                        .hint("pass pypi, testpypi, or the index's simple URL")
                })
            })
            .collect::<Result<_, _>>()?,
        project_dir: cli.project.clone(),
        git: !pbx_settings::flag_or_env(cli.no_git, "--no-git", pbx_settings::vars::NO_GIT)
            .map_err(|e| Problem::input(e.to_string()))?,
    };
    let report = {
        let mut reporter = pbx_app::render::upload::Progress::new(console, live);
        pbx_upload::upload(&client, &options, &mut reporter).map_err(problem)?
    };
    pbx_app::render::upload::report(console, &report);
    Ok(Outcome::status(&report))
}
