//! pbx-checksum: SHA-256 manifests of release artifacts (write, verify) and
//! the artifacts' own integrity (inspect), and local against index digests
//! (compare).

use std::path::PathBuf;

use clap::{Parser, Subcommand};
use pbx_app::exit::problem;
use pbx_app::progress::HashBar;
use pbx_app::render::checksum as render;
use pbx_app::Failure;
use std::io::Write as _;

use pbx_artifact::{Limits, DEFAULT_MAX_FILE_BYTES, DEFAULT_MAX_TOTAL_BYTES};
use pbx_checksum::{ChecksumError, Expectations};
use pbx_index::{Client, ClientConfig, IndexUrls};
use pbx_report::{run_main, Console, ExitStatus, Format, Problem};

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
    let bar = HashBar::new("hashing", None);
    let report = pbx_checksum::write_with(paths, output.as_deref(), &bar).map_err(problem)?;
    bar.finish();
    Ok(render::write(console, &report))
}

fn verify(manifest: &std::path::Path, console: &mut Console<'_>) -> Result<ExitStatus, Problem> {
    let bar = HashBar::new("hashing", None);
    let report = pbx_checksum::verify_with(manifest, &bar).map_err(problem)?;
    bar.finish();
    Ok(render::verify(console, &report))
}

fn inspect(
    paths: &[PathBuf],
    expect: &Expectations,
    limits: &Limits,
    console: &mut Console<'_>,
) -> Result<ExitStatus, Problem> {
    let bar = HashBar::new(
        "hashing",
        Some("checking every member against RECORD and the metadata"),
    );
    let report = pbx_checksum::inspect_with(paths, expect, limits, &bar).map_err(problem)?;
    bar.finish();
    Ok(render::inspect(console, &report))
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
    Ok(render::compare(console, &report))
}
