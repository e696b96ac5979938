//! pbx-checksum: SHA-256 manifests of release artifacts (write, verify) and
//! the artifacts' own integrity (inspect), and local against index digests
//! (compare).

use std::path::PathBuf;

use clap::{Parser, Subcommand};
use pbx_app::exit::problem;
use pbx_app::{Failure, Outcome};
use std::io::Write as _;

use pbx_artifact::{Limits, DEFAULT_MAX_FILE_BYTES, DEFAULT_MAX_TOTAL_BYTES};
use pbx_checksum::{ChecksumError, CompareStatus, Expectations, Status, DEFAULT_MANIFEST};
use pbx_index::{Client, ClientConfig, IndexUrls};
use pbx_report::{run_main, Check, CheckSet, Console, ExitStatus, Format, Location, Problem};

/// SHA-256 manifests of release artifacts, their integrity, and their
/// digests on a package index.
///
/// Exit 0: every check passed; 1: a digest, RECORD entry, name or version
/// differs, or a file is missing or unlisted; 2: bad usage or an unusable
/// artifact (damaged, or hostile and refused); 3: environment (a manifest
/// that cannot be written).
#[derive(Debug, Parser)]
#[command(name = "pbx-checksum", version)]
struct Cli {
    /// Output format: text (results on stdout, report on stderr) or one
    /// JSON document on stdout.
    #[arg(long, global = true, env = "PBX_FORMAT", hide_env_values = true, default_value = "text", value_parser = ["text", "json"])]
    format: String,

    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Write a SHA256SUMS manifest of the artifacts, byte-compatible with
    /// `sha256sum -c`: `<hex>  <name>` per artifact, sorted, names relative
    /// to the manifest. Written atomically (temp file + rename). Prints the
    /// manifest on stdout.
    Write {
        /// Artifacts, or directories holding them (their .whl, .tar.gz and
        /// .zip files).
        #[arg(default_value = "dist")]
        paths: Vec<PathBuf>,

        /// The manifest to write; `-` prints it only. Default: SHA256SUMS
        /// in the directory given (dist/SHA256SUMS), else next to the
        /// artifacts.
        #[arg(short, long, env = "PBX_MANIFEST", hide_env_values = true)]
        output: Option<PathBuf>,
    },
    /// Check every file a manifest lists (relative to its directory), and
    /// report artifacts in that directory it does not list. Reads
    /// manifests written by `sha256sum` (text or `*` binary mode, `--tag`).
    Verify {
        /// The manifest.
        #[arg(
            short,
            long,
            env = "PBX_MANIFEST",
            hide_env_values = true,
            default_value = "dist/SHA256SUMS"
        )]
        file: PathBuf,
    },
    /// Check each artifact against itself: every wheel member against
    /// RECORD (hash and size), no member missing from RECORD, WHEEL tags,
    /// and the name and version in the filename, METADATA and PKG-INFO; and
    /// all artifacts naming one project and version; and what the public
    /// index would refuse (metadata fields newer than Metadata-Version,
    /// unknown or deprecated classifiers, non-http(s) URLs, Project-URL
    /// labels over 32 characters, Description-Content-Type, non-normalised
    /// filenames, files over --max-file-size). Hostile archives are
    /// refused, never extracted. Prints `name version` on success.
    Inspect {
        /// Artifacts, or directories holding them.
        #[arg(default_value = "dist")]
        paths: Vec<PathBuf>,

        /// Fail unless every artifact is this project (PEP 503 names).
        #[arg(long, env = "PBX_EXPECTED_NAME", hide_env_values = true)]
        expect_name: Option<String>,

        /// Fail unless every artifact is this version (PEP 440).
        #[arg(long, env = "PBX_EXPECTED_VERSION", hide_env_values = true)]
        expect_version: Option<String>,

        /// The most bytes one artifact's members may expand to in total
        /// (`4GiB` by default; 1 MiB to 1 TiB). Units: B, KB/MB/GB/TB
        /// (powers of 1000), KiB/MiB/GiB/TiB (powers of 1024). Beyond it the
        /// artifact is refused as a decompression bomb, never extracted.
        #[arg(long, env = "PBX_MAX_EXPANDED_SIZE", hide_env_values = true, value_parser = pbx_report::parse_expanded_size)]
        max_expanded_size: Option<u64>,

        /// The largest file the index accepts (`100MiB` by default, the
        /// public index's per-file limit; 1 MiB to 1 TiB, same units). Pass
        /// the larger limit the index granted a project; a larger file
        /// fails inspection, as the index would refuse it.
        #[arg(long, env = "PBX_MAX_FILE_SIZE", hide_env_values = true, value_parser = pbx_report::parse_file_size)]
        max_file_size: Option<u64>,
    },
    /// Check that each local artifact is on the index with the same SHA-256,
    /// and that the index holds no other file of the same release (one that
    /// someone else uploaded). Prints one `STATUS  filename` line per file.
    Compare {
        /// The index: `pypi`, `testpypi`, or its URL (a pypiserver root, a
        /// `.../simple/` URL or a warehouse `.../legacy/` upload URL).
        #[arg(long, env = "PBX_INDEX", hide_env_values = true)]
        index: String,

        /// The index's simple API, when it is not found from --index (devpi:
        /// `http://host/USER/INDEX/+simple/`).
        #[arg(long, env = "PBX_INDEX_URL", hide_env_values = true)]
        index_url: Option<String>,

        /// Artifacts, or directories holding them.
        #[arg(default_value = "dist")]
        paths: Vec<PathBuf>,
    },
}

fn main() -> std::process::ExitCode {
    pbx_app::generate::answer_and_exit::<Cli>();
    pbx_report::forget_empty_settings();
    let cli = Cli::parse();
    let format: Format = cli.format.parse().unwrap_or_default();
    run_main(format, |console| match &cli.command {
        Command::Write { paths, output } => write(paths, output.as_ref(), console),
        Command::Verify { file } => verify(file, console),
        Command::Inspect {
            paths,
            expect_name,
            expect_version,
            max_expanded_size,
            max_file_size,
        } => inspect(
            paths,
            &Expectations {
                name: expect_name.clone(),
                version: expect_version.clone(),
            },
            &Limits {
                max_total_bytes: max_expanded_size.unwrap_or(DEFAULT_MAX_TOTAL_BYTES),
                max_file_bytes: max_file_size.unwrap_or(DEFAULT_MAX_FILE_BYTES),
                ..Limits::default()
            },
            console,
        ),
        Command::Compare {
            index,
            index_url,
            paths,
        } => compare(index, index_url.as_deref(), paths, console),
    })
}

fn write(
    paths: &[PathBuf],
    output: Option<&PathBuf>,
    console: &mut Console<'_>,
) -> Result<ExitStatus, Problem> {
    let output = match output {
        Some(path) if path.as_os_str() == "-" => None,
        Some(path) => Some(path.clone()),
        None => {
            let artifacts = pbx_checksum::collect_artifacts(paths).map_err(problem)?;
            Some(pbx_checksum::default_manifest_path(paths, &artifacts))
        }
    };
    let report = pbx_checksum::write(paths, output.as_deref()).map_err(problem)?;
    let where_to = report
        .manifest
        .as_ref()
        .map(|p| p.display().to_string())
        .unwrap_or_else(|| "stdout".to_string());
    console.say(&format!(
        "pbx-checksum: {} artifact(s) → {where_to}",
        report.files.len()
    ));
    let github = console.github.clone();
    let _ = github.set_outputs(&[
        (
            "manifest",
            report
                .manifest
                .as_ref()
                .map(|p| p.display().to_string())
                .unwrap_or_default(),
        ),
        ("artifacts", report.files.len().to_string()),
        ("sha256sums", report.text.trim_end().to_string()),
    ]);
    let mut summary = format!(
        "### pbx-checksum write → `{where_to}`\n\n| file | size | sha256 |\n|---|---:|---|\n"
    );
    for file in &report.files {
        summary.push_str(&format!(
            "| `{}` | {} | `{}` |\n",
            file.name, file.size, file.sha256
        ));
    }
    let _ = github.append_summary(&summary);
    match console.format {
        Format::Json => console.json(&report),
        Format::Text => console.result(&report.text),
    }
    Ok(ExitStatus::Success)
}

fn verify(manifest: &PathBuf, console: &mut Console<'_>) -> Result<ExitStatus, Problem> {
    let report = pbx_checksum::verify(manifest).map_err(problem)?;
    let mut checks = CheckSet::default();
    let mut lines = String::new();
    let manifest_name = manifest
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| DEFAULT_MANIFEST.to_string());
    for file in &report.files {
        lines.push_str(&format!("{}: {}\n", file.name, file.status.word()));
        let line = file.line.unwrap_or(1);
        let location = Location::at(manifest, line, 1);
        let message = match file.status {
            Status::Ok => format!("matches {manifest_name} line {line}"),
            Status::Changed => format!(
                "changed: {manifest_name} line {line} has {}, the file hashes to {}",
                file.expected.map(|d| d.hex()).unwrap_or_default(),
                file.actual.map(|d| d.hex()).unwrap_or_default()
            ),
            Status::Missing => {
                format!("missing: listed on {manifest_name} line {line}, not on disk")
            }
            Status::Unreadable => {
                format!("unreadable: {}", file.detail.clone().unwrap_or_default())
            }
            Status::Unlisted => {
                format!("unlisted: an artifact next to {manifest_name} that it does not list")
            }
        };
        let check = Check::new(file.name.clone(), file.status == Status::Ok, message);
        checks.push(if file.status == Status::Unlisted {
            check.at(Some(&Location::file(manifest)))
        } else {
            check.at(Some(&location))
        });
    }
    let ok = report.ok();
    console.say(&format!(
        "pbx-checksum: {}: {} ok, {} changed, {} missing, {} unreadable, {} unlisted",
        manifest.display(),
        report.count(Status::Ok),
        report.count(Status::Changed),
        report.count(Status::Missing),
        report.count(Status::Unreadable),
        report.count(Status::Unlisted),
    ));
    console.checks(&checks);
    let github = console.github.clone();
    let _ = github.set_outputs(&[("verified", ok.to_string())]);
    let _ = github.append_summary(&format!(
        "### pbx-checksum verify `{}`\n\n{}\n",
        manifest.display(),
        checks.markdown_table()
    ));
    match console.format {
        Format::Json => console.json(&serde_json::json!({
            "ok": ok,
            "manifest": report.manifest,
            "files": report.files,
        })),
        Format::Text => console.result(&lines),
    }
    if !ok {
        console.say(
            "pbx-checksum: the files differ from the manifest: rebuild or re-download them, or write a new manifest with `pbx-checksum write` if the change is intended",
        );
    }
    Ok(report.status())
}

fn inspect(
    paths: &[PathBuf],
    expect: &Expectations,
    limits: &Limits,
    console: &mut Console<'_>,
) -> Result<ExitStatus, Problem> {
    let report = pbx_checksum::inspect_with_limits(paths, expect, limits).map_err(problem)?;
    let status = Outcome::status(&report);
    console.say(&format!(
        "pbx-checksum: inspected {} artifact(s){}",
        report.artifacts.len(),
        match (&report.name, &report.version) {
            (Some(name), Some(version)) => format!(" of {name} {version}"),
            _ => String::new(),
        }
    ));
    console.checks(&report.checks);
    for artifact in &report.artifacts {
        if let Some(failure) = &artifact.failure {
            if let Some(hint) = &failure.problem().hint {
                console.say(&format!("  {}: hint: {hint}", artifact.path.display()));
            }
        }
    }
    let github = console.github.clone();
    let _ = github.set_outputs(&[
        ("package_name", report.name.clone().unwrap_or_default()),
        ("version", report.version.clone().unwrap_or_default()),
        ("artifacts", report.artifacts.len().to_string()),
        ("inspected", report.ok.to_string()),
    ]);
    let _ = github.append_summary(&format!(
        "### pbx-checksum inspect: {} {}\n\n{}\n",
        report.name.as_deref().unwrap_or("?"),
        report.version.as_deref().unwrap_or("?"),
        report.checks.markdown_table()
    ));
    match console.format {
        Format::Json => console.json(&report),
        Format::Text if report.ok => console.result(&format!(
            "{} {}\n",
            report.name.as_deref().unwrap_or_default(),
            report.version.as_deref().unwrap_or_default()
        )),
        Format::Text => {
            let failed = report.checks.failures().count();
            console.say(&format!(
                "pbx-checksum: {failed} check(s) failed: do not publish these files; rebuild them into an empty directory (`rm -rf dist && uv build`) and inspect again"
            ));
        }
    }
    Ok(status)
}

fn compare(
    index: &str,
    index_url: Option<&str>,
    paths: &[PathBuf],
    console: &mut Console<'_>,
) -> Result<ExitStatus, Problem> {
    let index_error = |e: pbx_index::IndexError| ChecksumError::Index(e).problem();
    let mut urls = IndexUrls::resolve(index).map_err(index_error)?;
    if let Some(simple) = index_url {
        urls = urls.with_simple(simple).map_err(index_error)?;
    }
    let config = ClientConfig::from_vars(|key| std::env::var(key).ok()).map_err(Problem::input)?;
    // Retries happen on this thread, inside the console's stderr lock
    // (which is reentrant), so the notes interleave with the report.
    let client = Client::new(config).with_observer(|event| {
        let _ = writeln!(
            std::io::stderr(),
            "{}",
            pbx_app::progress::retry_line(event)
        );
    });
    let report = pbx_checksum::compare(paths, &urls, &client).map_err(problem)?;
    let ok = report.ok();
    let mut checks = CheckSet::default();
    let mut lines = String::new();
    for file in &report.files {
        let word = match file.status {
            CompareStatus::Same => "SAME",
            CompareStatus::Differs => "DIFFERS",
            CompareStatus::NotOnIndex => "NOT-ON-INDEX",
            CompareStatus::OnlyOnIndex => "ONLY-ON-INDEX",
        };
        lines.push_str(&format!("{word}  {}\n", file.filename));
        let local = file.local_sha256.map(|d| d.hex()).unwrap_or_default();
        let remote = file.index_sha256.clone().unwrap_or_default();
        let message = match file.status {
            CompareStatus::Same => format!("on {} with sha256 {local}", report.index),
            CompareStatus::Differs => format!(
                "{} serves other bytes: local sha256 {local}, index sha256 {remote}",
                report.index
            ),
            CompareStatus::NotOnIndex => format!("not on {} (not uploaded yet?)", report.index),
            CompareStatus::OnlyOnIndex => format!(
                "on {} for this release but not local: someone else uploaded it (sha256 {remote})",
                report.index
            ),
        };
        let mut check = Check::new(
            file.filename.clone(),
            file.status == CompareStatus::Same,
            message,
        );
        if file.yanked {
            check = check.warn("the index marks it yanked");
        }
        if let (false, Some(path)) = (check.ok, &file.path) {
            check = check.at(Some(&Location::file(path)));
        }
        checks.push(check);
    }
    console.say(&format!(
        "pbx-checksum: {} file(s) against {} ({}): {} same, {} differ, {} not on the index, {} only on the index",
        report.files.len(),
        report.index,
        report.simple,
        report.count(CompareStatus::Same),
        report.count(CompareStatus::Differs),
        report.count(CompareStatus::NotOnIndex),
        report.count(CompareStatus::OnlyOnIndex),
    ));
    console.checks(&checks);
    let github = console.github.clone();
    let _ = github.set_outputs(&[("matches_index", ok.to_string())]);
    let _ = github.append_summary(&format!(
        "### pbx-checksum compare against {}\n\n{}\n",
        report.index,
        checks.markdown_table()
    ));
    match console.format {
        Format::Json => console.json(&serde_json::json!({
            "ok": ok,
            "index": report.index,
            "simple": report.simple,
            "files": report.files,
        })),
        Format::Text => console.result(&lines),
    }
    if !ok {
        let other_bytes =
            report.count(CompareStatus::Differs) + report.count(CompareStatus::OnlyOnIndex);
        let same = report.count(CompareStatus::Same);
        console.say(if other_bytes > 0 {
            "pbx-checksum: the index holds other bytes for this release: the version is consumed and these files can never be uploaded under the same names; fix forward with the next version (`pbx-next-version --lane auto`)"
        } else if same == 0 {
            "pbx-checksum: none of these files is on the index: nothing of this version is published yet (upload it with pbx-upload)"
        } else {
            "pbx-checksum: the index holds only part of this release: the version is consumed by the files that landed; upload the rest only if they are the same build, else fix forward (`pbx-next-version --lane auto`)"
        });
    }
    Ok(report.status())
}
