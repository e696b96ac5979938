//! Shell completions and man pages, generated from a binary's own clap
//! definition (`clap_complete`, `clap_mangen`), so they never drift from
//! `--help`.
//!
//! Every binary answers two hidden first arguments through [`answer_and_exit`]:
//! `--generate-completions SHELL` and `--generate-man`. They are not part
//! of the binaries' clap definitions (so `--help` does not show them); the
//! `pbx` umbrella asks each sibling binary with them (`pbx completions`,
//! `pbx man`).

use std::ffi::OsString;
use std::io::{self, Write};

use clap::{Command, CommandFactory};
pub use clap_complete::Shell;
use pbx_report::ExitStatus;

/// The hidden argument that asks a binary for its completion script.
pub const COMPLETIONS_FLAG: &str = "--generate-completions";
/// The hidden argument that asks a binary for its man page.
pub const MAN_FLAG: &str = "--generate-man";

/// The shells a completion script can be generated for, as `pbx
/// completions` names them.
pub const SHELLS: [&str; 5] = ["bash", "zsh", "fish", "powershell", "elvish"];

/// What a binary's first arguments asked of the generators.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Request {
    /// A completion script for this shell.
    Completions(Shell),
    /// A completion script for a shell clap does not know (exit 2).
    UnknownShell(String),
    /// The man page (roff).
    Man,
}

impl Request {
    /// The request the arguments make, if any: only as the first argument
    /// after the program name, so it never collides with a binary's own
    /// arguments.
    pub fn from_args(args: &[OsString]) -> Option<Request> {
        let first = args.get(1)?.to_str()?;
        if first == MAN_FLAG {
            return Some(Request::Man);
        }
        if first != COMPLETIONS_FLAG {
            return None;
        }
        let shell = args.get(2).and_then(|s| s.to_str()).unwrap_or_default();
        Some(match shell.parse::<Shell>() {
            Ok(shell) => Request::Completions(shell),
            Err(_) => Request::UnknownShell(shell.to_string()),
        })
    }
}

/// Writes the completion script of `command` for `shell` to `out`.
pub fn completions(command: &mut Command, shell: Shell, out: &mut dyn Write) {
    let name = command.get_name().to_string();
    clap_complete::generate(shell, command, name, out);
}

/// Writes the man page (roff) of `command` to `out`.
pub fn man(command: Command, out: &mut dyn Write) -> io::Result<()> {
    clap_mangen::Man::new(command).render(out)
}

/// Answers `--generate-completions SHELL` and `--generate-man` for the
/// binary whose clap definition is `C`: the script or page goes to stdout
/// and the process ends (exit 0; 2 for an unknown shell). Returns when the
/// arguments ask for neither, and the binary goes on to parse them. One
/// line at the top of `main`:
///
/// ```ignore
/// pbx_app::generate::answer_and_exit::<Cli>();
/// ```
pub fn answer_and_exit<C: CommandFactory>() {
    let args: Vec<OsString> = std::env::args_os().collect();
    if let Some(request) = Request::from_args(&args) {
        let status = respond(C::command(), &request);
        std::process::exit(i32::from(status.code()));
    }
}

/// Writes what `request` asks for `command` to stdout (a message to stderr
/// for an unknown shell) and says the exit status.
pub fn respond(mut command: Command, request: &Request) -> ExitStatus {
    let name = command.get_name().to_string();
    let mut out = io::stdout().lock();
    let written = match request {
        Request::Completions(shell) => {
            completions(&mut command, *shell, &mut out);
            Ok(())
        }
        Request::Man => man(command, &mut out),
        Request::UnknownShell(shell) => {
            let _ = writeln!(
                io::stderr(),
                "{name}: no completions for shell {shell:?}: one of {}",
                SHELLS.join(", ")
            );
            return ExitStatus::InputError;
        }
    };
    match written.and_then(|()| out.flush()) {
        Ok(()) => ExitStatus::Success,
        // A closed pipe (`pbx man | head`) is not a failure of the page.
        Err(err) if err.kind() == io::ErrorKind::BrokenPipe => ExitStatus::Success,
        Err(err) => {
            let _ = writeln!(io::stderr(), "{name}: {err}");
            ExitStatus::EnvironmentError
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn args(list: &[&str]) -> Vec<OsString> {
        list.iter().map(OsString::from).collect()
    }

    #[test]
    fn only_the_first_argument_asks() {
        assert_eq!(
            Request::from_args(&args(&["pbx-x", "--generate-completions", "bash"])),
            Some(Request::Completions(Shell::Bash))
        );
        assert_eq!(
            Request::from_args(&args(&["pbx-x", "--generate-man"])),
            Some(Request::Man)
        );
        assert_eq!(
            Request::from_args(&args(&["pbx-x", "--generate-completions", "tcsh"])),
            Some(Request::UnknownShell("tcsh".into()))
        );
        assert_eq!(
            Request::from_args(&args(&["pbx-x", "--tag", "--generate-man"])),
            None
        );
        assert_eq!(Request::from_args(&args(&["pbx-x"])), None);
    }

    #[test]
    fn every_named_shell_parses() {
        for shell in SHELLS {
            assert!(shell.parse::<Shell>().is_ok(), "{shell}");
        }
    }

    #[test]
    fn a_man_page_is_roff_with_the_flags() {
        let command = Command::new("pbx-demo")
            .about("A demo")
            .arg(clap::Arg::new("tag").long("tag").help("The release tag"));
        let mut page = Vec::new();
        man(command, &mut page).unwrap();
        let page = String::from_utf8(page).unwrap();
        assert!(page.starts_with(".ie \\n(.g .ds Aq") || page.contains(".TH pbx-demo"));
        assert!(page.contains(".TH pbx-demo"), "{page}");
        assert!(page.contains("tag"), "{page}");
    }
}
