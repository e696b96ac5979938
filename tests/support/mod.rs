//! Test support shared by the integration tests in `tests/`.
//!
//! Tests drive the real binaries (`CARGO_BIN_EXE_<name>`) in fresh temp
//! directories. Python tools (uv, pypiserver, hatchling, twine, devpi) come
//! from the venv that `scripts/setup-test-env` creates; its path is
//! `$PBX_TEST_VENV`, else `target/test-venv`.
#![allow(
    dead_code,
    reason = "each test binary uses a different part of the support module"
)]

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

pub mod index;
pub mod tls;

/// The path of a built pbx binary.
pub fn bin(name: &str) -> PathBuf {
    let path = match name {
        "pbx" => env!("CARGO_BIN_EXE_pbx"),
        "pbx-tag-check" => env!("CARGO_BIN_EXE_pbx-tag-check"),
        "pbx-checksum" => env!("CARGO_BIN_EXE_pbx-checksum"),
        "pbx-next-version" => env!("CARGO_BIN_EXE_pbx-next-version"),
        "pbx-reinstall" => env!("CARGO_BIN_EXE_pbx-reinstall"),
        "pbx-upload" => env!("CARGO_BIN_EXE_pbx-upload"),
        other => panic!("unknown binary {other}"),
    };
    PathBuf::from(path)
}

/// A command for a pbx binary with a clean environment: no GitHub Actions
/// variables and no PBX_* settings leak in from the machine running tests.
pub fn pbx(name: &str) -> Command {
    let mut cmd = Command::new(bin(name));
    for (key, _) in std::env::vars() {
        if key.starts_with("GITHUB_")
            || key.starts_with("PBX_")
            || key.starts_with("TWINE_")
            || key.starts_with("UV_")
            || key.starts_with("ACTIONS_")
            || key == "RUNNER_TOOL_CACHE"
        {
            cmd.env_remove(key);
        }
    }
    cmd
}

/// The finished run of a command, with helpers that read like the check a
/// user would make.
#[derive(Debug)]
pub struct Run {
    pub code: i32,
    pub stdout: String,
    pub stderr: String,
}

impl Run {
    pub fn of(cmd: &mut Command) -> Run {
        let Output {
            status,
            stdout,
            stderr,
        } = cmd.output().expect("the binary runs");
        Run {
            code: status.code().unwrap_or(-1),
            stdout: String::from_utf8_lossy(&stdout).into_owned(),
            stderr: String::from_utf8_lossy(&stderr).into_owned(),
        }
    }

    /// Asserts the exit code, printing both streams when it differs.
    #[track_caller]
    pub fn code(&self, expected: i32) -> &Self {
        assert_eq!(
            self.code, expected,
            "exit code\n--- stdout\n{}\n--- stderr\n{}",
            self.stdout, self.stderr
        );
        self
    }

    #[track_caller]
    pub fn stdout_is(&self, expected: &str) -> &Self {
        assert_eq!(self.stdout, expected, "stdout (stderr:\n{})", self.stderr);
        self
    }

    /// stderr lists, under the heading line of `artifact` (`pbx-checksum
    /// inspect` groups each artifact's checks), a check line starting with
    /// `check` (its mark and short name: `✗ urls`).
    #[track_caller]
    pub fn stderr_has_check(&self, artifact: &str, check: &str) -> &Self {
        let heading = format!("  {artifact}");
        let found = self
            .stderr
            .lines()
            .skip_while(|line| *line != heading)
            .skip(1)
            .take_while(|line| line.starts_with("    "))
            .any(|line| line.trim_start().starts_with(&format!("{check} ")));
        assert!(
            found,
            "stderr lacks `{check}` under {artifact}:\n{}",
            self.stderr
        );
        self
    }

    #[track_caller]
    pub fn stderr_has(&self, needle: &str) -> &Self {
        assert!(
            self.stderr.contains(needle),
            "stderr lacks {needle:?}:\n{}",
            self.stderr
        );
        self
    }

    #[track_caller]
    pub fn json(&self) -> serde_json::Value {
        serde_json::from_str(&self.stdout)
            .unwrap_or_else(|e| panic!("stdout is not JSON ({e}):\n{}", self.stdout))
    }
}

/// A fresh temporary directory with helpers to write files into it.
pub struct TempDir {
    dir: tempfile::TempDir,
}

impl TempDir {
    pub fn new() -> TempDir {
        TempDir {
            dir: tempfile::tempdir().expect("temp dir"),
        }
    }

    pub fn path(&self) -> &Path {
        self.dir.path()
    }

    pub fn join(&self, rel: &str) -> PathBuf {
        self.dir.path().join(rel)
    }

    /// Writes `text` to `rel` (creating parent directories).
    pub fn write(&self, rel: &str, text: &str) -> PathBuf {
        let path = self.join(rel);
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent).unwrap();
        }
        std::fs::write(&path, text).unwrap();
        path
    }

    pub fn read(&self, rel: &str) -> String {
        std::fs::read_to_string(self.join(rel)).unwrap()
    }
}

/// The venv holding the Python tools tests use.
pub fn test_venv() -> PathBuf {
    let venv = std::env::var_os("PBX_TEST_VENV")
        .map(PathBuf::from)
        .unwrap_or_else(|| Path::new(env!("CARGO_MANIFEST_DIR")).join("target/test-venv"));
    assert!(
        venv.join("bin/python").exists(),
        "the test venv {} is missing: run scripts/setup-test-env (scripts/test does)",
        venv.display()
    );
    venv
}

/// A tool from the test venv (`uv`, `pypi-server`, `twine`, …).
pub fn venv_tool(name: &str) -> PathBuf {
    test_venv().join("bin").join(name)
}

/// Builds the project in `dir` with the real `uv build` (hatchling backend,
/// no network: the backend comes from the test venv) into `dir/dist`.
pub fn uv_build(dir: &Path) -> PathBuf {
    let venv = test_venv();
    let run = Run::of(
        Command::new(venv_tool("uv"))
            .args([
                "build",
                "--no-build-isolation",
                "--offline",
                "--quiet",
                "--out-dir",
                "dist",
            ])
            .arg("--python")
            .arg(venv.join("bin/python"))
            .current_dir(dir)
            .env("UV_NO_CONFIG", "1"),
    );
    run.code(0);
    dir.join("dist")
}

/// A project directory with a pyproject.toml (name, version) and a uv.lock
/// whose root entry has `lock_version`, as `uv lock` writes them.
pub fn project_with_lock(name: &str, version: &str, lock_version: &str) -> TempDir {
    let dir = TempDir::new();
    dir.write(
        "pyproject.toml",
        &format!(
            "[project]\nname = \"{name}\"\nversion = \"{version}\"\nrequires-python = \">=3.11\"\n"
        ),
    );
    dir.write(
        "uv.lock",
        &format!(
            "version = 1\nrevision = 2\nrequires-python = \">=3.11\"\n\n[[package]]\nname = \"{}\"\nversion = \"{lock_version}\"\nsource = {{ editable = \".\" }}\n",
            name.to_lowercase().replace('_', "-")
        ),
    );
    dir
}

/// The wheels and sdists in `dist`, sorted by name.
pub fn artifacts_in(dist: &Path) -> Vec<PathBuf> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(dist)
        .unwrap_or_else(|e| panic!("{}: {e}", dist.display()))
        .map(|e| e.unwrap().path())
        .filter(|p| {
            let name = p.file_name().unwrap().to_string_lossy();
            name.ends_with(".whl") || name.ends_with(".tar.gz")
        })
        .collect();
    files.sort();
    files
}

/// A minimal hatchling project.
pub fn write_project(dir: &TempDir, name: &str, version: &str) {
    let module = name.replace(['-', '.'], "_").to_lowercase();
    dir.write(
        "pyproject.toml",
        &format!(
            "[build-system]\nrequires = [\"hatchling\"]\nbuild-backend = \"hatchling.build\"\n\n[project]\nname = \"{name}\"\nversion = \"{version}\"\nrequires-python = \">=3.9\"\n\n[tool.hatch.build.targets.wheel]\npackages = [\"src/{module}\"]\n"
        ),
    );
    dir.write(
        &format!("src/{module}/__init__.py"),
        &format!("__version__ = \"{version}\"\n"),
    );
}

/// Makes a FIFO at `path` (`mkfifo`): a file that hangs whoever opens it
/// for reading, as long as no writer comes.
#[cfg(unix)]
pub fn mkfifo(path: &Path) {
    let status = Command::new("mkfifo").arg(path).status().unwrap();
    assert!(status.success(), "mkfifo {}", path.display());
}

/// Says that a test could not run what it needed, on stderr. Under `CI=true`
/// that is a failure, never a pass: a test that cannot run has not passed.
#[expect(clippy::print_stderr, reason = "a test says what it skipped")]
pub fn skipped(what: &str) {
    if std::env::var("CI").is_ok_and(|v| v == "true") {
        panic!("CI=true and this test cannot run: {what}");
    }
    eprintln!("SKIPPED: {what}");
}

/// The X.Y of `wanted` (e.g. 3.11, 3.12, 3.13) that this machine has, found
/// the way pbx-reinstall finds them by default (PATH, pyenv, uv-managed
/// installs, the Actions tool cache: `pbx_python::Finder::from_env`). Each
/// one missing is said with [`skipped`] (a failure under `CI=true`).
pub fn interpreters(wanted: &[&str]) -> Vec<String> {
    let finder = pbx_python::Finder::from_env();
    let mut have = Vec::new();
    for minor in wanted {
        let request: pbx_python::PythonRequest = minor.parse().expect("an X.Y request");
        let search = finder.find(request);
        if search.found.is_some() {
            have.push(minor.to_string());
        } else {
            skipped(&format!(
                "Python {minor} is not on this machine (looked: {})",
                search.describe_misses()
            ));
        }
    }
    have
}

/// A copy of the wheel `src` at `dst` whose `.dist-info/METADATA` is
/// `edit`ed, with its RECORD line updated to the new hash and size: a
/// wheel intact in every other way, carrying metadata no backend writes
/// (an unknown classifier, a content type the index does not render).
pub fn rewrite_wheel_metadata(src: &Path, dst: &Path, edit: impl Fn(&str) -> String) {
    use base64::Engine as _;
    use sha2::Digest as _;
    use std::io::{Read as _, Write as _};
    let mut reader = zip::ZipArchive::new(std::fs::File::open(src).unwrap()).unwrap();
    let mut members: Vec<(String, Vec<u8>)> = Vec::new();
    for index in 0..reader.len() {
        let mut member = reader.by_index(index).unwrap();
        let name = member.name().unwrap().to_string();
        let mut bytes = Vec::new();
        member.read_to_end(&mut bytes).unwrap();
        members.push((name, bytes));
    }
    let metadata_name = members
        .iter()
        .map(|(n, _)| n.clone())
        .find(|n| n.ends_with(".dist-info/METADATA"))
        .expect("a METADATA");
    let record_name = metadata_name.replace("/METADATA", "/RECORD");
    let new_metadata = edit(
        &String::from_utf8(
            members
                .iter()
                .find(|(n, _)| *n == metadata_name)
                .unwrap()
                .1
                .clone(),
        )
        .unwrap(),
    );
    let hash = base64::engine::general_purpose::URL_SAFE_NO_PAD
        .encode(sha2::Sha256::digest(new_metadata.as_bytes()));
    for (name, bytes) in &mut members {
        if *name == metadata_name {
            *bytes = new_metadata.clone().into_bytes();
        } else if *name == record_name {
            let record: String = String::from_utf8(bytes.clone())
                .unwrap()
                .lines()
                .map(|line| {
                    if line.starts_with(&format!("{metadata_name},")) {
                        format!("{metadata_name},sha256={hash},{}\n", new_metadata.len())
                    } else {
                        format!("{line}\n")
                    }
                })
                .collect();
            *bytes = record.into_bytes();
        }
    }
    let mut writer = zip::ZipWriter::new(std::fs::File::create(dst).unwrap());
    let options = zip::write::SimpleFileOptions::default()
        .compression_method(zip::CompressionMethod::Deflated);
    for (name, bytes) in members {
        writer.start_file(name.as_str(), options).unwrap();
        writer.write_all(&bytes).unwrap();
    }
    writer.finish().unwrap();
}

/// Adds `bytes` of incompressible data to the package of a project written
/// by [`write_project`] (`src/MODULE/blob.bin`), so that its wheel and
/// sdist are at least that large.
pub fn add_blob(dir: &TempDir, name: &str, bytes: usize) {
    let module = name.replace(['-', '.'], "_").to_lowercase();
    let mut state: u64 = 0x9E37_79B9_7F4A_7C15;
    let data: Vec<u8> = (0..bytes)
        .map(|_| {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            (state >> 32) as u8
        })
        .collect();
    std::fs::write(dir.join(&format!("src/{module}/blob.bin")), data).unwrap();
}

/// Runs the real `git` in `dir` with a fixed identity, no signing and no
/// user or system configuration; fails the test when git fails.
pub fn git(dir: &Path, args: &[&str]) {
    Run::of(
        Command::new("git")
            .args(["-c", "commit.gpgsign=false", "-c", "tag.gpgsign=false"])
            .args(args)
            .current_dir(dir)
            .env("GIT_CONFIG_GLOBAL", "/dev/null")
            .env("GIT_CONFIG_NOSYSTEM", "1")
            .env("GIT_AUTHOR_NAME", "pbx tests")
            .env("GIT_AUTHOR_EMAIL", "tests@pbx.invalid")
            .env("GIT_COMMITTER_NAME", "pbx tests")
            .env("GIT_COMMITTER_EMAIL", "tests@pbx.invalid"),
    )
    .code(0);
}
