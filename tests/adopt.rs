//! Adoption: the `pbx` umbrella through the real binaries (arguments and
//! exit codes passed through, completions and man pages generated from the
//! clap definitions), and the files users copy kept consistent with the
//! release (action.yml's own version, the workflows' pbx-version, the
//! README's caller file). The wheel itself is tested by scripts/test-wheel.

mod support;

use std::path::Path;

use support::{pbx, Run};

const BINARIES: [&str; 5] = [
    "pbx-tag-check",
    "pbx-checksum",
    "pbx-upload",
    "pbx-reinstall",
    "pbx-next-version",
];

fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

fn workspace_version() -> String {
    let cargo = std::fs::read_to_string(root().join("Cargo.toml")).unwrap();
    let line = cargo
        .lines()
        .find(|l| l.starts_with("version = \""))
        .expect("[workspace.package] version");
    line.trim_start_matches("version = \"")
        .trim_end_matches('"')
        .to_string()
}

#[test]
fn pbx_runs_the_sibling_with_its_arguments_and_exit_code() {
    Run::of(pbx("pbx").args([
        "next-version",
        "--lane",
        "post",
        "--from",
        "1.0.0",
        "--offline",
        "--no-git",
    ]))
    .code(0)
    .stdout_is("1.0.0.post1\n");
    // The pbx- prefix is accepted too.
    Run::of(
        pbx("pbx")
            .args(["pbx-next-version", "--lane", "rc", "--from", "2.0.0rc1"])
            .args(["--offline", "--no-git"]),
    )
    .code(0)
    .stdout_is("2.0.0rc2\n");
    // Usage error (2) and a failed check (1) come through unchanged.
    Run::of(pbx("pbx").args(["tag-check", "--no-such-flag"]))
        .code(2)
        .stderr_has("pbx-tag-check");
    let project = root().join("examples/hello-pbx");
    Run::of(
        pbx("pbx")
            .args(["tag-check", "--tag", "v9.9.9", "--project"])
            .arg(&project),
    )
    .code(1);
    // The sibling's own help and version, not the umbrella's.
    let help = Run::of(pbx("pbx").args(["upload", "--help"]));
    help.code(0);
    assert!(help.stdout.contains("pbx-upload"), "{}", help.stdout);
    Run::of(pbx("pbx").args(["checksum", "--version"]))
        .code(0)
        .stdout_is(&format!("pbx-checksum {}\n", workspace_version()));
}

#[test]
fn pbx_help_lists_every_subcommand_on_one_line() {
    let run = Run::of(pbx("pbx").arg("--help"));
    run.code(0);
    for sub in [
        "tag-check",
        "checksum",
        "upload",
        "reinstall",
        "next-version",
        "completions",
        "man",
    ] {
        let line = run
            .stdout
            .lines()
            .find(|l| l.trim_start().starts_with(&format!("{sub} ")))
            .unwrap_or_else(|| panic!("pbx --help lists {sub}:\n{}", run.stdout));
        assert!(line.len() <= 100, "one short line for {sub}: {line}");
    }
    Run::of(pbx("pbx").arg("--version"))
        .code(0)
        .stdout_is(&format!("pbx {}\n", workspace_version()));
    // An unknown subcommand is a usage error.
    Run::of(pbx("pbx").arg("tagcheck")).code(2);
}

#[test]
fn completions_cover_every_binary_and_its_flags() {
    let bash = Run::of(pbx("pbx").args(["completions", "bash"]));
    bash.code(0);
    for needle in [
        "tag-check",
        "next-version",
        "completions",
        "complete -F _pbx",
        "pbx-tag-check",
        "--require-lock",
        "pbx-upload",
        "--trusted-publishing",
        "pbx-reinstall",
        "merge",
        "pbx-next-version",
        "--lane",
    ] {
        assert!(
            bash.stdout.contains(needle),
            "bash completions lack {needle}"
        );
    }
    // The hidden generator flags are no completions and no --help lines.
    assert!(!bash.stdout.contains("--generate-man"));
    // The script is valid bash.
    let dir = support::TempDir::new();
    let script = dir.write("pbx.bash", &bash.stdout);
    Run::of(std::process::Command::new("bash").arg("-n").arg(&script)).code(0);

    for shell in ["zsh", "fish", "powershell", "elvish"] {
        let run = Run::of(pbx("pbx").args(["completions", shell]));
        run.code(0);
        for binary in BINARIES {
            assert!(
                run.stdout.contains(binary),
                "{shell} completions lack {binary}"
            );
        }
    }
    // One binary alone, by either name.
    let one = Run::of(pbx("pbx").args(["completions", "fish", "tag-check"]));
    one.code(0);
    assert!(one.stdout.contains("pbx-tag-check") && !one.stdout.contains("pbx-upload"));
    Run::of(pbx("pbx").args(["completions", "tcsh"])).code(2);
    Run::of(pbx("pbx").args(["completions", "bash", "pbx-nothing"]))
        .code(2)
        .stderr_has("no binary");
    // Each binary answers the generator directly.
    for binary in BINARIES {
        let run = Run::of(pbx(binary).args(["--generate-completions", "bash"]));
        run.code(0);
        assert!(
            run.stdout
                .contains(&format!("_{}", binary.replace('-', "__")))
                || run.stdout.contains(binary)
        );
        Run::of(pbx(binary).args(["--generate-completions", "tcsh"])).code(2);
    }
}

#[test]
fn man_pages_are_roff_with_every_flag() {
    let page = Run::of(pbx("pbx").arg("man"));
    page.code(0);
    assert!(page.stdout.contains(".TH pbx 1"), "{}", page.stdout);
    for (binary, flag) in [
        ("tag-check", "require\\-lock"),
        ("pbx-checksum", "manifest"),
        ("upload", "trusted\\-publishing"),
        ("reinstall", "pythons"),
        ("next-version", "lane"),
    ] {
        let run = Run::of(pbx("pbx").args(["man", binary]));
        run.code(0);
        let name = format!("pbx-{}", binary.trim_start_matches("pbx-"));
        assert!(
            run.stdout.contains(&format!(".TH {name} 1")),
            "{binary}: {}",
            run.stdout
        );
        assert!(run.stdout.contains(".SH OPTIONS") || run.stdout.contains(".SH SUBCOMMANDS"));
        assert!(run.stdout.contains(flag), "man {binary} names {flag}");
        // Every roff request line is one the man macros know.
        for line in run.stdout.lines().filter(|l| l.starts_with('.')) {
            let request = line[1..].split_whitespace().next().unwrap_or("");
            assert!(
                matches!(
                    request,
                    "TH" | "SH"
                        | "SS"
                        | "TP"
                        | "PP"
                        | "IP"
                        | "RS"
                        | "RE"
                        | "B"
                        | "I"
                        | "br"
                        | "ie"
                        | "el"
                        | "ds"
                        | "sp"
                        | "nf"
                        | "fi"
                        | "in"
                        | "ti"
                        | "\\\""
                ),
                "{binary}: unknown roff request {line:?}"
            );
        }
        // When man(1) is here, it renders the page without a warning.
        if let Ok(man) = which("man") {
            let dir = support::TempDir::new();
            let file = dir.write(&format!("{name}.1"), &run.stdout);
            let rendered = Run::of(
                std::process::Command::new(man)
                    .env("MANWIDTH", "80")
                    .arg("-l")
                    .arg(&file),
            );
            rendered.code(0);
            assert!(rendered.stdout.contains("OPTIONS") || rendered.stdout.contains("SUBCOMMANDS"));
        }
    }
}

fn which(tool: &str) -> Result<std::path::PathBuf, ()> {
    std::env::var_os("PATH")
        .and_then(|paths| {
            std::env::split_paths(&paths)
                .map(|dir| dir.join(tool))
                .find(|path| path.is_file())
        })
        .ok_or(())
}

#[test]
fn the_files_users_copy_name_this_release() {
    let version = workspace_version();
    let action = std::fs::read_to_string(root().join("action.yml")).unwrap();
    assert!(
        action.contains(&format!("PBX_ACTION_VERSION: \"{version}\"")),
        "action.yml installs its own version {version}"
    );
    assert!(
        action.contains("--only-binary :all:"),
        "no compiling on the runner"
    );
    for workflow in ["prepare.yml", "verify.yml"] {
        let text =
            std::fs::read_to_string(root().join(".github/workflows").join(workflow)).unwrap();
        assert!(
            text.contains(&format!("default: \"{version}\"")),
            "{workflow}'s pbx-version is {version}"
        );
        assert!(text.contains("persist-credentials: false"), "{workflow}");
        assert!(!text.contains("secrets."), "{workflow} holds no secret");
        assert!(
            !text.contains("id-token: write"),
            "{workflow} cannot publish"
        );
    }
    let verify = std::fs::read_to_string(root().join(".github/workflows/verify.yml")).unwrap();
    assert!(verify.contains("--lane auto"));
    let pyproject = std::fs::read_to_string(root().join("pyproject.toml")).unwrap();
    assert!(pyproject.contains("name = \"pbx-release\""));
    assert!(pyproject.contains("bindings = \"bin\""));
}

#[test]
fn the_readme_shows_the_whole_caller_file_and_the_example_matches() {
    let readme = std::fs::read_to_string(root().join("README.md")).unwrap();
    let install = readme
        .split("## Install")
        .nth(1)
        .expect("an Install section");
    let first = install
        .lines()
        .find(|l| l.contains("pbx"))
        .expect("an install command");
    assert!(
        first.contains("uvx --from pbx-release pbx") || first.contains("pipx install pbx-release"),
        "the install section starts with the one-line install: {first}"
    );
    let start = readme
        .find("# .github/workflows/release.yml")
        .expect("the README shows the caller file");
    let block = &readme[start..];
    let block = &block[..block.find("```").unwrap()];
    let lines = block.lines().count();
    assert!(lines <= 40, "the caller file is {lines} lines");
    for needle in [
        "prepare.yml@",
        "verify.yml@",
        "pbx-release/pbx@",
        "id-token: write",
        "pbx upload",
    ] {
        assert!(block.contains(needle), "the caller file has {needle}");
    }
    let example = std::fs::read_to_string(
        root().join("examples/fastapi-service/.github/workflows/release.yml"),
    )
    .unwrap();
    for needle in [
        "prepare.yml@",
        "verify.yml@",
        "id-token: write",
        "TEST_PYPI_API_TOKEN",
    ] {
        assert!(example.contains(needle), "the example caller has {needle}");
    }
}
