//! pbx: one command for the pbx binaries. `pbx tag-check …` runs the
//! `pbx-tag-check` installed next to this executable with the same
//! arguments and ends with its exit code; `pbx completions` and `pbx man`
//! print completion scripts and man pages generated from every binary's
//! clap definition.

use std::ffi::OsString;
use std::io::Write as _;
use std::process::ExitCode;

use clap::{CommandFactory, Parser, Subcommand};
use pbx_app::generate::{self, Request, Shell};
use pbx_report::ExitStatus;

/// The sibling binaries, as `pbx` names them (`pbx-` + name).
const TOOLS: [&str; 5] = [
    "tag-check",
    "checksum",
    "upload",
    "reinstall",
    "next-version",
];

/// Release-validation tools for Python packages published from CI.
///
/// `pbx TOOL ARGS…` runs `pbx-TOOL ARGS…` (installed next to `pbx`) and
/// exits with its exit code: 0 passed, 1 a check failed, 2 usage or input
/// error, 3 the environment failed. `pbx TOOL --help` shows the tool's own
/// help.
#[derive(Debug, Parser)]
#[command(name = "pbx", version, disable_help_subcommand = true)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Tag ⇄ pyproject.toml ⇄ uv.lock ⇄ expected version; decides the lane.
    TagCheck(Passed),
    /// SHA-256 manifests, wheel RECORD and metadata, local ⇄ index digests.
    Checksum(Passed),
    /// Upload without ever re-using a version; verifies what landed.
    Upload(Passed),
    /// The published version, installed fresh on every interpreter, checked.
    Reinstall(Passed),
    /// The next fixed-forward version (X.Y.Z.postN, X.Y.ZrcN).
    NextVersion(Passed),
    /// Print shell completions for pbx and every pbx-* binary (or one BINARY).
    Completions {
        /// The shell.
        shell: Shell,
        /// Only this binary (`tag-check` or `pbx-tag-check`; `pbx` for the umbrella).
        binary: Option<String>,
    },
    /// Print a man page (roff): pbx's, or one BINARY's.
    Man {
        /// The binary (`tag-check` or `pbx-tag-check`); default: pbx itself.
        binary: Option<String>,
    },
}

/// The arguments handed to a sibling binary unchanged.
#[derive(Debug, clap::Args)]
struct Passed {
    /// Arguments for the binary (see `pbx TOOL --help`).
    #[arg(trailing_var_arg = true, allow_hyphen_values = true, num_args = 0..)]
    args: Vec<OsString>,
}

fn main() -> ExitCode {
    let args: Vec<OsString> = std::env::args_os().collect();
    // `pbx TOOL …` goes to the sibling before clap sees anything, so the
    // tool's own --help, --version and errors are the ones shown.
    if let Some(tool) = args.get(1).and_then(|a| a.to_str()).and_then(tool_name) {
        return pbx_app::umbrella::run_sibling(tool, &args[2..]);
    }
    let cli = Cli::parse();
    let status = match cli.command {
        Command::Completions { shell, binary } => completions(shell, binary.as_deref()),
        Command::Man { binary } => man(binary.as_deref()),
        _ => unreachable!("the tools are dispatched before parsing"),
    };
    status.into()
}

/// `tag-check` or `pbx-tag-check` → `tag-check`.
fn tool_name(arg: &str) -> Option<&'static str> {
    let arg = arg.strip_prefix("pbx-").unwrap_or(arg);
    TOOLS.into_iter().find(|name| *name == arg)
}

fn completions(shell: Shell, binary: Option<&str>) -> ExitStatus {
    let request = Request::Completions(shell);
    match binary {
        Some("pbx") => generate::respond(Cli::command(), &request),
        Some(other) => match tool_name(other) {
            Some(tool) => pbx_app::umbrella::ask_sibling(tool, &request),
            None => unknown(other),
        },
        None => {
            let mut status = generate::respond(Cli::command(), &request);
            for tool in TOOLS {
                let _ = std::io::stdout().flush();
                status = status.max(pbx_app::umbrella::ask_sibling(tool, &request));
            }
            status
        }
    }
}

fn man(binary: Option<&str>) -> ExitStatus {
    match binary {
        None | Some("pbx") => generate::respond(Cli::command(), &Request::Man),
        Some(other) => match tool_name(other) {
            Some(tool) => pbx_app::umbrella::ask_sibling(tool, &Request::Man),
            None => unknown(other),
        },
    }
}

fn unknown(binary: &str) -> ExitStatus {
    pbx_app::umbrella::report(&pbx_app::umbrella::SiblingError::Unknown {
        name: binary.to_string(),
        known: TOOLS.iter().map(|t| t.to_string()).collect(),
    })
}
