//! pbx-checksum against real artifacts: wheels and sdists built by `uv build`
//! (hatchling), real wheels downloaded from PyPI during setup, damaged
//! copies made here, the real `sha256sum`, and a real pypiserver for
//! `compare`.

mod support;

use std::fs::File;
use std::io::{Read, Write};
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::OnceLock;

use support::index::{free_port, PypiServer};
use support::{pbx, uv_build, venv_tool, write_project, Run, TempDir};

const NAME: &str = "demo-pkg";
const VERSION: &str = "1.2.0";
const WHEEL: &str = "demo_pkg-1.2.0-py3-none-any.whl";
const SDIST: &str = "demo_pkg-1.2.0.tar.gz";

/// A project built by the real `uv build`: `dir/dist` holds its wheel and
/// sdist (and uv's `.gitignore`).
fn built(version: &str) -> TempDir {
    let dir = TempDir::new();
    write_project(&dir, NAME, version);
    uv_build(dir.path());
    dir
}

fn checksum(dir: &Path, args: &[&str]) -> Run {
    Run::of(pbx("pbx-checksum").args(args).current_dir(dir))
}

/// Real wheels from PyPI, downloaded once per machine into target/ with the
/// test venv's pip. A failed download fails the test: it is never skipped.
fn pypi_wheels() -> &'static [PathBuf] {
    static WHEELS: OnceLock<Vec<PathBuf>> = OnceLock::new();
    WHEELS.get_or_init(|| {
        let cache = Path::new(env!("CARGO_MANIFEST_DIR")).join("target/test-cache/pypi-wheels");
        let wanted = ["six-1.16.0-py2.py3-none-any.whl", "idna-3.10-py3-none-any.whl"];
        if !wanted.iter().all(|w| cache.join(w).is_file()) {
            std::fs::create_dir_all(cache.parent().unwrap()).unwrap();
            let staging = tempfile::tempdir_in(cache.parent().unwrap()).unwrap();
            let run = Run::of(
                Command::new(venv_tool("pip"))
                    .args(["download", "--no-deps", "--only-binary", ":all:", "--disable-pip-version-check"])
                    .arg("--dest")
                    .arg(staging.path())
                    .args(["six==1.16.0", "idna==3.10"]),
            );
            assert_eq!(
                run.code, 0,
                "downloading the reference wheels from PyPI failed (the tests need them; is PyPI reachable?)\n{}\n{}",
                run.stdout, run.stderr
            );
            std::fs::create_dir_all(&cache).unwrap();
            for wheel in wanted {
                std::fs::rename(staging.path().join(wheel), cache.join(wheel))
                    .unwrap_or_else(|e| panic!("pip did not download {wheel}: {e}"));
            }
        }
        wanted.iter().map(|w| cache.join(w)).collect()
    })
}

/// Real artifacts of shapes pbx must accept, downloaded once per machine
/// from PyPI's JSON API with the test venv's Python (digests checked):
/// maturin wheels (one compressed `Tag:` line in WHEEL) and zip sdists from
/// before PEP 625. A failed download fails the test: it is never skipped.
fn pypi_real_artifacts() -> &'static [PathBuf] {
    static FILES: OnceLock<Vec<PathBuf>> = OnceLock::new();
    FILES.get_or_init(|| {
        let cache = Path::new(env!("CARGO_MANIFEST_DIR")).join("target/test-cache/pypi-real");
        let wanted = [
            ("orjson", "orjson-3.10.7-cp311-cp311-manylinux_2_17_x86_64.manylinux2014_x86_64.whl"),
            ("pydantic-core", "pydantic_core-2.23.4-cp311-cp311-manylinux_2_17_x86_64.manylinux2014_x86_64.whl"),
            ("numpy", "numpy-1.8.0.zip"),
            ("pytz", "pytz-2014.10.zip"),
        ];
        if !wanted.iter().all(|(_, f)| cache.join(f).is_file()) {
            std::fs::create_dir_all(&cache).unwrap();
            let script = r#"
import hashlib, json, os, sys, urllib.parse, urllib.request
cache = sys.argv[1]
for spec in sys.argv[2:]:
    project, filename = spec.split("=", 1)
    if os.path.exists(os.path.join(cache, filename)):
        continue
    url = "https://pypi.org/pypi/%s/json" % project
    releases = json.load(urllib.request.urlopen(url, timeout=60))["releases"]
    found = [f for files in releases.values() for f in files if f["filename"] == filename]
    if not found:
        sys.exit("%s is not on PyPI" % filename)
    data = urllib.request.urlopen(urllib.parse.urljoin(url, found[0]["url"]), timeout=120).read()
    if hashlib.sha256(data).hexdigest() != found[0]["digests"]["sha256"]:
        sys.exit("%s: digest differs from PyPI's" % filename)
    with open(os.path.join(cache, filename + ".part"), "wb") as out:
        out.write(data)
    os.replace(os.path.join(cache, filename + ".part"), os.path.join(cache, filename))
"#;
            let run = Run::of(
                Command::new(venv_tool("python"))
                    .args(["-c", script])
                    .arg(&cache)
                    .args(wanted.iter().map(|(p, f)| format!("{p}={f}"))),
            );
            assert_eq!(
                run.code, 0,
                "downloading the reference artifacts from PyPI failed (the tests need them; is PyPI reachable?)\n{}\n{}",
                run.stdout, run.stderr
            );
        }
        wanted.iter().map(|(_, f)| cache.join(f)).collect()
    })
}

fn six() -> PathBuf {
    pypi_wheels()[0].clone()
}

/// Copies the zip at `src` to `dst` member by member (deflated), letting
/// `change` replace or drop each member, then appends `extra` members.
fn rewrite_zip(
    src: &Path,
    dst: &Path,
    change: impl Fn(&str, Vec<u8>) -> Option<Vec<u8>>,
    extra: &[(&str, Vec<u8>)],
) {
    let mut reader = zip::ZipArchive::new(File::open(src).unwrap()).unwrap();
    let mut writer = zip::ZipWriter::new(File::create(dst).unwrap());
    let options = zip::write::SimpleFileOptions::default()
        .compression_method(zip::CompressionMethod::Deflated);
    for index in 0..reader.len() {
        let mut member = reader.by_index(index).unwrap();
        let name = member.name().unwrap().to_string();
        let mut bytes = Vec::new();
        member.read_to_end(&mut bytes).unwrap();
        if let Some(bytes) = change(&name, bytes) {
            writer.start_file(name.as_str(), options).unwrap();
            writer.write_all(&bytes).unwrap();
        }
    }
    for (name, bytes) in extra {
        writer.start_file(*name, options).unwrap();
        writer.write_all(bytes).unwrap();
    }
    writer.finish().unwrap();
}

/// The entries of a .tar.gz: (path, bytes).
fn read_tar_gz(path: &Path) -> Vec<(String, Vec<u8>)> {
    let mut archive = tar::Archive::new(flate2::read::GzDecoder::new(File::open(path).unwrap()));
    let mut out = Vec::new();
    for entry in archive.entries().unwrap() {
        let mut entry = entry.unwrap();
        if !entry.header().entry_type().is_file() {
            continue;
        }
        let name = entry.path().unwrap().to_string_lossy().into_owned();
        let mut bytes = Vec::new();
        entry.read_to_end(&mut bytes).unwrap();
        out.push((name, bytes));
    }
    out
}

/// Writes a .tar.gz of regular files, then `links` as (path, target,
/// symlink?) entries.
fn write_tar_gz(path: &Path, files: &[(String, Vec<u8>)], links: &[(&str, &str, bool)]) {
    let gz =
        flate2::write::GzEncoder::new(File::create(path).unwrap(), flate2::Compression::default());
    let mut builder = tar::Builder::new(gz);
    for (name, bytes) in files {
        let mut header = tar::Header::new_gnu();
        header.set_size(bytes.len() as u64);
        header.set_mode(0o644);
        header.set_entry_type(tar::EntryType::Regular);
        builder
            .append_data(&mut header, name, bytes.as_slice())
            .unwrap();
    }
    for (name, target, symlink) in links {
        let mut header = tar::Header::new_gnu();
        header.set_size(0);
        header.set_mode(0o777);
        header.set_entry_type(if *symlink {
            tar::EntryType::Symlink
        } else {
            tar::EntryType::Link
        });
        builder.append_link(&mut header, name, target).unwrap();
    }
    builder.into_inner().unwrap().finish().unwrap();
}

fn sha256sum(dir: &Path, args: &[&str]) -> Run {
    Run::of(Command::new("sha256sum").args(args).current_dir(dir))
}

// ---------------------------------------------------------------- write

#[test]
fn write_produces_what_sha256sum_produces_and_sha256sum_checks_it() {
    let project = built(VERSION);
    let run = checksum(project.path(), &["write"]);
    run.code(0).stderr_has("2 artifact(s) → dist/SHA256SUMS");
    let manifest = project.read("dist/SHA256SUMS");
    assert_eq!(run.stdout, manifest, "stdout carries the manifest");
    // Byte for byte what the real sha256sum prints for the same files.
    let reference = sha256sum(&project.join("dist"), &[WHEEL, SDIST]);
    reference.code(0);
    assert_eq!(manifest, reference.stdout);
    // And the real sha256sum -c accepts it.
    sha256sum(&project.join("dist"), &["-c", "--strict", "SHA256SUMS"])
        .code(0)
        .stdout_is(&format!("{WHEEL}: OK\n{SDIST}: OK\n"));
    // uv's dist/.gitignore is not an artifact.
    assert!(!manifest.contains(".gitignore"));
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt as _;
        let mode = std::fs::metadata(project.join("dist/SHA256SUMS"))
            .unwrap()
            .permissions()
            .mode();
        assert_eq!(mode & 0o777, 0o644);
    }
}

#[test]
fn write_sets_outputs_and_a_summary_under_github_actions() {
    let project = built(VERSION);
    let output = project.join("gh-output");
    let summary = project.join("gh-summary");
    let run = Run::of(
        pbx("pbx-checksum")
            .arg("write")
            .current_dir(project.path())
            .env("GITHUB_ACTIONS", "true")
            .env("GITHUB_OUTPUT", &output)
            .env("GITHUB_STEP_SUMMARY", &summary),
    );
    run.code(0);
    let manifest = project.read("dist/SHA256SUMS");
    assert_eq!(
        std::fs::read_to_string(&output).unwrap(),
        format!("manifest=dist/SHA256SUMS\nartifacts=2\nsha256sums<<PBX_EOF\n{manifest}PBX_EOF\n")
    );
    let summary = std::fs::read_to_string(&summary).unwrap();
    assert!(summary.contains(&format!("| `{WHEEL}` |")), "{summary}");
}

#[test]
fn write_names_files_relative_to_the_manifest_and_sorts_them() {
    let project = built(VERSION);
    std::fs::copy(six(), project.join("dist/six-1.16.0-py2.py3-none-any.whl")).unwrap();
    // Files named one by one, in reverse order, manifest elsewhere.
    std::fs::create_dir_all(project.join("out")).unwrap();
    let run = checksum(
        project.path(),
        &[
            "write",
            "dist/six-1.16.0-py2.py3-none-any.whl",
            &format!("dist/{SDIST}"),
            &format!("dist/{WHEEL}"),
            "-o",
            "out/SUMS",
        ],
    );
    // A manifest names only files in its own directory (verify never reads
    // outside it), so one in out/ for files in dist/ is refused.
    run.code(2)
        .stderr_has("is outside out: a manifest names only the files in its own directory");
    assert!(!project.join("out/SUMS").exists());
    // `-o -` prints the manifest (names relative to the current
    // directory, like `sha256sum dist/*`) and writes nothing.
    let run = checksum(project.path(), &["write", "-o", "-"]);
    run.code(0);
    assert!(
        run.stdout.contains(&format!("  dist/{WHEEL}\n")),
        "{}",
        run.stdout
    );
    std::fs::write(project.join("STDOUT-SUMS"), &run.stdout).unwrap();
    sha256sum(project.path(), &["-c", "STDOUT-SUMS"]).code(0);
    assert!(!project.join("dist/SHA256SUMS").exists());
}

#[test]
fn write_leaves_an_existing_manifest_alone_when_it_fails() {
    let project = built(VERSION);
    project.write("dist/SHA256SUMS", "previous manifest\n");
    let run = checksum(
        project.path(),
        &["write", "dist", "dist/missing-1.0.tar.gz"],
    );
    run.code(2)
        .stderr_has("dist/missing-1.0.tar.gz: no such file or directory");
    assert_eq!(project.read("dist/SHA256SUMS"), "previous manifest\n");
    let leftovers: Vec<_> = std::fs::read_dir(project.join("dist"))
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.contains("pbx-checksum"))
        .collect();
    assert!(
        leftovers.is_empty(),
        "temp files left behind: {leftovers:?}"
    );
    // An empty directory is an input error with the next step.
    let empty = TempDir::new();
    std::fs::create_dir_all(empty.join("dist")).unwrap();
    checksum(empty.path(), &["write"])
        .code(2)
        .stderr_has("no artifacts")
        .stderr_has("uv build");
    // Output paths that cannot be a manifest are input errors too.
    checksum(project.path(), &["write", "-o", "nowhere/SHA256SUMS"])
        .code(2)
        .stderr_has("nowhere: no such file or directory");
    checksum(project.path(), &["write", "-o", "dist"])
        .code(2)
        .stderr_has("-o dist is a directory");
    // Then a successful write replaces the old manifest whole.
    checksum(project.path(), &["write"]).code(0);
    assert!(project
        .read("dist/SHA256SUMS")
        .ends_with(&format!("  {SDIST}\n")));
}

// ---------------------------------------------------------------- verify

#[test]
fn verify_passes_on_untouched_files_and_reports_each_kind_of_change() {
    let project = built(VERSION);
    checksum(project.path(), &["write"]).code(0);
    checksum(project.path(), &["verify"])
        .code(0)
        .stdout_is(&format!("{WHEEL}: OK\n{SDIST}: OK\n"));

    // One changed, one missing, one unlisted.
    let mut sdist = std::fs::read(project.join(&format!("dist/{SDIST}"))).unwrap();
    let last = sdist.len() - 1;
    sdist[last] ^= 0xff;
    std::fs::write(project.join(&format!("dist/{SDIST}")), &sdist).unwrap();
    std::fs::remove_file(project.join(&format!("dist/{WHEEL}"))).unwrap();
    std::fs::copy(six(), project.join("dist/six-1.16.0-py2.py3-none-any.whl")).unwrap();
    let run = checksum(project.path(), &["verify"]);
    run.code(1)
        .stdout_is(&format!(
            "{WHEEL}: MISSING\n{SDIST}: FAILED\nsix-1.16.0-py2.py3-none-any.whl: UNLISTED\n"
        ))
        .stderr_has("0 ok, 1 changed, 1 missing, 0 unreadable, 1 unlisted")
        .stderr_has("SHA256SUMS line 2 has ");
    let json = checksum(project.path(), &["verify", "--format", "json"]).json();
    assert_eq!(json["ok"], false);
    let statuses: Vec<&str> = json["files"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["status"].as_str().unwrap())
        .collect();
    assert_eq!(statuses, ["missing", "changed", "unlisted"]);
}

#[test]
fn verify_reads_manifests_written_by_sha256sum() {
    let project = built(VERSION);
    let dist = project.join("dist");
    for (flags, file) in [
        (vec!["-b"], "BINARY"),
        (vec!["--tag"], "TAGGED"),
        (vec![], "TEXT"),
    ] {
        let mut args = flags.clone();
        args.extend([WHEEL, SDIST]);
        let run = sha256sum(&dist, &args);
        run.code(0);
        std::fs::write(dist.join(file), &run.stdout).unwrap();
        checksum(project.path(), &["verify", "-f", &format!("dist/{file}")])
            .code(0)
            .stdout_is(&format!("{WHEEL}: OK\n{SDIST}: OK\n"));
    }
    assert!(std::fs::read_to_string(dist.join("BINARY"))
        .unwrap()
        .contains(&format!(" *{WHEEL}")));
}

#[test]
fn verify_refuses_a_manifest_it_cannot_read_with_file_and_line() {
    let project = built(VERSION);
    let dist = project.join("dist");
    let md5 = Run::of(
        Command::new("md5sum")
            .args([WHEEL, SDIST])
            .current_dir(&dist),
    );
    md5.code(0);
    std::fs::write(dist.join("SHA256SUMS"), &md5.stdout).unwrap();
    checksum(project.path(), &["verify"])
        .code(2)
        .stderr_has("dist/SHA256SUMS:1:1")
        .stderr_has("MD5");
    checksum(project.path(), &["verify", "-f", "dist/NOPE"])
        .code(2)
        .stderr_has("no such manifest")
        .stderr_has("pbx-checksum write");
}

#[test]
fn verify_annotates_and_writes_outputs_under_github_actions() {
    let project = built(VERSION);
    checksum(project.path(), &["write"]).code(0);
    std::fs::write(project.join(&format!("dist/{SDIST}")), b"not the sdist").unwrap();
    let output = project.join("gh-output");
    let summary = project.join("gh-summary");
    let run = Run::of(
        pbx("pbx-checksum")
            .arg("verify")
            .current_dir(project.path())
            .env("GITHUB_ACTIONS", "true")
            .env("GITHUB_OUTPUT", &output)
            .env("GITHUB_STEP_SUMMARY", &summary),
    );
    run.code(1).stderr_has(&format!(
        "::error title={SDIST},file=dist/SHA256SUMS,line=2,col=1::changed"
    ));
    assert_eq!(
        std::fs::read_to_string(&output).unwrap(),
        "verified=false\n"
    );
    let summary = std::fs::read_to_string(&summary).unwrap();
    assert!(
        summary.contains(&format!("| {SDIST} | ❌ failed |")),
        "{summary}"
    );
}

// ---------------------------------------------------------------- inspect

#[test]
fn inspect_accepts_what_uv_builds_and_what_pypi_serves() {
    let project = built(VERSION);
    checksum(project.path(), &["inspect"])
        .code(0)
        .stdout_is("demo-pkg 1.2.0\n")
        .stderr_has("members match their RECORD hash and size")
        .stderr_has("all 2 inspected artifacts are demo-pkg 1.2.0");
    checksum(
        project.path(),
        &[
            "inspect",
            "--expect-name",
            "Demo_Pkg",
            "--expect-version",
            "1.2",
        ],
    )
    .code(0);
    checksum(project.path(), &["inspect", "--expect-version", "1.2.1"])
        .code(1)
        .stderr_has("expect-version")
        .stderr_has("expected version 1.2.1");
    for (wheel, release) in pypi_wheels().iter().zip(["six 1.16.0\n", "idna 3.10\n"]) {
        checksum(project.path(), &["inspect", wheel.to_str().unwrap()])
            .code(0)
            .stdout_is(release);
    }
    // six's compressed tag set py2.py3 matches its WHEEL's two Tag lines.
    let json = checksum(
        project.path(),
        &["inspect", "--format", "json", six().to_str().unwrap()],
    )
    .json();
    assert_eq!(json["ok"], true);
    let artifact = &json["artifacts"][0];
    assert_eq!(artifact["inspection"]["name"], "six");
    assert_eq!(artifact["sha256"].as_str().unwrap().len(), 64);
    // Two different releases together are one check failure.
    let both: Vec<&str> = pypi_wheels().iter().map(|p| p.to_str().unwrap()).collect();
    let mut args = vec!["inspect"];
    args.extend(both);
    checksum(project.path(), &args)
        .code(1)
        .stderr_has("not one release: idna 3.10 (idna-3.10-py3-none-any.whl); six 1.16.0 (six-1.16.0-py2.py3-none-any.whl)");
}

#[test]
fn inspect_accepts_maturin_wheels_and_zip_sdists_from_pypi() {
    let dir = TempDir::new();
    for (artifact, release) in pypi_real_artifacts().iter().zip([
        "orjson 3.10.7\n",
        "pydantic-core 2.23.4\n",
        "numpy 1.8.0\n",
        "pytz 2014.10\n",
    ]) {
        let run = checksum(dir.path(), &["inspect", artifact.to_str().unwrap()]);
        if artifact.extension().is_some_and(|e| e == "whl") {
            // Published in 2024 by a maturin that wrote License-File into
            // Metadata-Version 2.3, which the index refuses in a new
            // upload; everything else about them passes.
            run.code(1).stderr_has(
                "METADATA has License-File, which needs Metadata-Version 2.4, but declares 2.3",
            );
            assert_eq!(run.stderr.matches('✗').count(), 1, "{}", run.stderr);
        } else if release.starts_with("numpy") {
            // numpy.distutils wrote Classifier and Download-URL under
            // Metadata-Version 1.0; the zip format itself passes.
            run.code(1).stderr_has(
                "PKG-INFO has Classifier, which needs Metadata-Version 1.1, but declares 1.0",
            );
            assert_eq!(run.stderr.matches('✗').count(), 2, "{}", run.stderr);
        } else {
            run.code(0).stdout_is(release);
        }
        if artifact.extension().is_some_and(|e| e == "whl") {
            // One compressed Tag line, expanded like the filename.
            run.stderr_has("manylinux2014_x86_64, cp311-cp311-manylinux_2_17_x86_64");
        } else {
            run.stderr_has("PKG-INFO is in `");
        }
    }
}

#[test]
fn inspect_flags_a_local_version() {
    let project = built("1.2.0+local");
    checksum(project.path(), &["inspect"])
        .code(1)
        .stderr_has("local segment (`+local`)")
        .stderr_has("pbx-upload refuse");
}

/// A project as `write_project` writes it, with `extra` appended to its
/// `[project]` table's file (e.g. a `[project.urls]` table), built by the
/// real `uv build`.
fn built_with(extra: &str) -> TempDir {
    let dir = TempDir::new();
    write_project(&dir, NAME, VERSION);
    let pyproject = dir.read("pyproject.toml");
    dir.write("pyproject.toml", &format!("{pyproject}\n{extra}\n"));
    uv_build(dir.path());
    dir
}

#[test]
fn inspect_refuses_urls_the_index_would_refuse_in_what_uv_builds() {
    let project = built_with(
        "[project.urls]\nHomepage = \"example.org/demo\"\n\"A label far longer than thirty-two characters\" = \"https://example.org\"\n",
    );
    let run = checksum(project.path(), &["inspect"]);
    run.code(1)
        .stderr_has_check(WHEEL, "✗ urls")
        .stderr_has_check(SDIST, "✗ urls")
        .stderr_has("Project-URL `Homepage` `example.org/demo` is not a URL")
        .stderr_has("is 45 characters, over the index's 32")
        .stderr_has("pyproject.toml [project.urls]");
    let json = checksum(project.path(), &["inspect", "--format", "json"]).json();
    assert_eq!(json["ok"], false);
    let failed: Vec<&str> = json["checks"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|c| c["ok"] == false)
        .map(|c| c["name"].as_str().unwrap())
        .collect();
    assert!(
        failed.contains(&format!("{WHEEL}: urls").as_str()),
        "{failed:?}"
    );
}

#[test]
fn inspect_refuses_metadata_the_index_would_refuse() {
    let project = built(VERSION);
    let wheel = project.join(&format!("dist/{WHEEL}"));
    let dir = TempDir::new();
    let check = |name: &str, edit: &dyn Fn(&str) -> String| {
        let copy = dir.join(&format!("{name}/{WHEEL}"));
        std::fs::create_dir_all(copy.parent().unwrap()).unwrap();
        support::rewrite_wheel_metadata(&wheel, &copy, edit);
        checksum(dir.path(), &["inspect", copy.to_str().unwrap()])
    };
    let add = |line: &'static str| move |m: &str| m.replacen("\n", &format!("\n{line}\n"), 1);
    // The untouched copy passes: the edits below are the only faults.
    check("same", &|m: &str| m.to_string()).code(0);
    check(
        "classifier",
        &add("Classifier: Programming Language :: Pythn :: 3"),
    )
    .code(1)
    .stderr_has_check(WHEEL, "✗ classifiers")
    .stderr_has("`Programming Language :: Pythn :: 3` is not a classifier the index knows");
    check("private", &add("Classifier: Private :: Do Not Upload"))
        .code(1)
        .stderr_has("`Private :: Do Not Upload` is a `Private ::` classifier");
    check("content-type", &add("Description-Content-Type: text/html"))
        .code(1)
        .stderr_has_check(WHEEL, "✗ description-content-type")
        .stderr_has("Description-Content-Type `text/html` is not a type the index renders");
    check(
        "variant",
        &add("Description-Content-Type: text/markdown; variant=Original"),
    )
    .code(1)
    .stderr_has("variant `Original` is neither GFM nor CommonMark");
    check("old-version", &|m: &str| {
        let declared = m.lines().next().unwrap().to_string();
        m.replacen(
            &declared,
            "Metadata-Version: 2.1\nLicense-Expression: MIT",
            1,
        )
    })
    .code(1)
    .stderr_has_check(WHEEL, "✗ metadata-fields")
    .stderr_has(
        "METADATA has License-Expression, which needs Metadata-Version 2.4, but declares 2.1",
    );
    check("unknown-version", &|m: &str| {
        let declared = m.lines().next().unwrap().to_string();
        m.replacen(&declared, "Metadata-Version: 3.0", 1)
    })
    .code(1)
    .stderr_has("Metadata-Version `3.0` is not one the index accepts");
    check(
        "download-url",
        &add("Download-URL: ftp://example.org/demo.tar.gz"),
    )
    .code(1)
    .stderr_has("Download-URL `ftp://example.org/demo.tar.gz` is not an http(s) URL");
}

#[test]
fn inspect_refuses_filenames_that_are_not_normalised() {
    let project = built(VERSION);
    for (from, to) in [
        (WHEEL, "Demo_Pkg-1.2.0-py3-none-any.whl"),
        (SDIST, "demo-pkg-1.2.0.tar.gz"),
    ] {
        std::fs::rename(
            project.join(&format!("dist/{from}")),
            project.join(&format!("dist/{to}")),
        )
        .unwrap();
    }
    checksum(project.path(), &["inspect"])
        .code(1)
        .stderr_has_check("Demo_Pkg-1.2.0-py3-none-any.whl", "✗ filename")
        .stderr_has("the name part `Demo_Pkg` is not normalised: the index refuses a new wheel not named `demo_pkg-…` (PEP 427)")
        .stderr_has("the name part `demo-pkg` is not normalised: the index refuses a new sdist not named `demo_pkg-…` (PEP 625)");
}

#[test]
fn inspect_holds_files_to_the_index_size_limit_and_it_is_raisable() {
    let dir = TempDir::new();
    write_project(&dir, NAME, VERSION);
    support::add_blob(&dir, NAME, 3 << 20);
    uv_build(dir.path());
    // Within the default 100 MiB.
    checksum(dir.path(), &["inspect"])
        .code(0)
        .stderr_has("within the 100 MiB per-file limit");
    checksum(dir.path(), &["inspect", "--max-file-size", "2MiB"])
        .code(1)
        .stderr_has_check(WHEEL, "✗ file-size")
        .stderr_has("over the per-file limit of 2 MiB")
        .stderr_has("--max-file-size");
    Run::of(
        pbx("pbx-checksum")
            .args(["inspect"])
            .env("PBX_MAX_FILE_SIZE", "2MiB")
            .current_dir(dir.path()),
    )
    .code(1)
    .stderr_has("over the per-file limit of 2 MiB");
    checksum(dir.path(), &["inspect", "--max-file-size", "4MiB"]).code(0);
    for bad in ["1KiB", "2TiB", "18446744073709551615TiB", "big"] {
        checksum(dir.path(), &["inspect", "--max-file-size", bad])
            .code(2)
            .stderr_has("--max-file-size");
    }
}

#[test]
fn inspect_bounds_the_total_expanded_size_and_the_bound_is_raisable() {
    let dir = TempDir::new();
    let wheel = dir.join("six-1.16.0-py2.py3-none-any.whl");
    // 1.5 MiB of text that does not compress well, outside RECORD.
    let mut state = 0x9e37_79b9_7f4a_7c15u64;
    let noise: Vec<u8> = (0..3 << 19)
        .map(|_| {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            b'a' + (state % 26) as u8
        })
        .collect();
    rewrite_zip(&six(), &wheel, |_, b| Some(b), &[("six_data.txt", noise)]);
    let path = wheel.to_str().unwrap();
    // Within the default bound: read (and the unlisted member found).
    checksum(dir.path(), &["inspect", path])
        .code(1)
        .stderr_has("`six_data.txt` is in the wheel but not in RECORD");
    checksum(
        dir.path(),
        &["inspect", "--max-expanded-size", "1MiB", path],
    )
    .code(2)
    .stderr_has("more than 1048576 bytes in total")
    .stderr_has("--max-expanded-size");
    checksum(dir.path(), &["inspect", "--max-expanded-size", "2MB", path]).code(1);
    // Bad sizes are usage errors, and never overflow.
    for bad in [
        "",
        "abc",
        "12XB",
        "0",
        "1KiB",
        "2TiB",
        "18446744073709551616",
        "99999999999GiB",
    ] {
        checksum(dir.path(), &["inspect", "--max-expanded-size", bad, path])
            .code(2)
            .stderr_has("--max-expanded-size");
    }
}

#[test]
fn inspect_finds_a_flipped_byte_in_a_member() {
    let dir = TempDir::new();
    let damaged = dir.join("six-1.16.0-py2.py3-none-any.whl");
    rewrite_zip(
        &six(),
        &damaged,
        |name, mut bytes| {
            if name == "six.py" {
                bytes[100] ^= 0x01;
            }
            Some(bytes)
        },
        &[],
    );
    checksum(dir.path(), &["inspect", damaged.to_str().unwrap()])
        .code(1)
        .stderr_has("`six.py` differs from RECORD line")
        .stderr_has("do not publish");
    // A byte flipped in the compressed data itself: the archive is damaged.
    let mut raw = std::fs::read(six()).unwrap();
    raw[200] ^= 0xff;
    let corrupt = dir.join("corrupt/six-1.16.0-py2.py3-none-any.whl");
    std::fs::create_dir_all(corrupt.parent().unwrap()).unwrap();
    std::fs::write(&corrupt, raw).unwrap();
    checksum(dir.path(), &["inspect", corrupt.to_str().unwrap()])
        .code(2)
        .stderr_has("six-1.16.0-py2.py3-none-any.whl");
}

#[test]
fn inspect_finds_a_member_missing_from_record() {
    let dir = TempDir::new();
    let damaged = dir.join("six-1.16.0-py2.py3-none-any.whl");
    rewrite_zip(
        &six(),
        &damaged,
        |name, bytes| {
            if name.ends_with(".dist-info/RECORD") {
                let text = String::from_utf8(bytes).unwrap();
                Some(
                    text.lines()
                        .filter(|l| !l.starts_with("six.py,"))
                        .map(|l| format!("{l}\n"))
                        .collect::<String>()
                        .into_bytes(),
                )
            } else {
                Some(bytes)
            }
        },
        &[],
    );
    checksum(dir.path(), &["inspect", damaged.to_str().unwrap()])
        .code(1)
        .stderr_has("`six.py` is in the wheel but not in RECORD");
}

#[test]
fn inspect_refuses_hostile_wheels_without_extracting_them() {
    let dir = TempDir::new();
    std::fs::create_dir_all(dir.join("in")).unwrap();
    let name = "six-1.16.0-py2.py3-none-any.whl";

    // A member that climbs out of the install directory.
    let traversal = dir.join("in").join(name);
    rewrite_zip(
        &six(),
        &traversal,
        |_, b| Some(b),
        &[("../evil.py", b"import os\n".to_vec())],
    );
    checksum(&dir.join("in"), &["inspect", name])
        .code(2)
        .stderr_has("unsafe archive refused: member `../evil.py` has a `..` component")
        .stderr_has("never extracted");
    assert!(!dir.join("evil.py").exists());

    // A zip bomb: 16 MiB of zeros in a few kilobytes.
    let bomb = dir.join("bomb").join(name);
    std::fs::create_dir_all(bomb.parent().unwrap()).unwrap();
    rewrite_zip(
        &six(),
        &bomb,
        |_, b| Some(b),
        &[("six_data.bin", vec![0u8; 16 << 20])],
    );
    assert!(std::fs::metadata(&bomb).unwrap().len() < 1 << 20);
    checksum(dir.path(), &["inspect", bomb.to_str().unwrap()])
        .code(2)
        .stderr_has("member `six_data.bin` expands")
        .stderr_has("decompression bomb");

    // RECORD naming a file twice.
    let twice = dir.join("twice").join(name);
    std::fs::create_dir_all(twice.parent().unwrap()).unwrap();
    rewrite_zip(
        &six(),
        &twice,
        |member, bytes| {
            if member.ends_with("/RECORD") {
                let text = String::from_utf8(bytes).unwrap();
                let line = text
                    .lines()
                    .find(|l| l.starts_with("six.py,"))
                    .unwrap()
                    .to_string();
                Some(format!("{text}{line}\n").into_bytes())
            } else {
                Some(bytes)
            }
        },
        &[],
    );
    checksum(dir.path(), &["inspect", twice.to_str().unwrap()])
        .code(2)
        .stderr_has("RECORD names `six.py` twice");

    // Two members with one name (written by Python's zipfile, which allows it).
    let duplicate = dir.join("dup").join(name);
    std::fs::create_dir_all(duplicate.parent().unwrap()).unwrap();
    std::fs::copy(six(), &duplicate).unwrap();
    let run = Run::of(
        Command::new(venv_tool("python"))
            .args(["-W", "ignore", "-c", "import sys, zipfile\nwith zipfile.ZipFile(sys.argv[1], 'a') as z:\n    z.writestr('six.py', b'print(\"pwned\")\\n')\n"])
            .arg(&duplicate),
    );
    run.code(0);
    checksum(dir.path(), &["inspect", duplicate.to_str().unwrap()])
        .code(2)
        .stderr_has("`six.py` appears more than once");

    // The refusal is reported per artifact; the others are still inspected.
    let project = built(VERSION);
    let run = checksum(
        project.path(),
        &["inspect", "dist", traversal.to_str().unwrap()],
    );
    run.code(2).stderr_has_check(WHEEL, "✓ record");
}

#[test]
fn inspect_catches_a_filename_that_disagrees_with_metadata() {
    let project = built(VERSION);
    std::fs::rename(
        project.join(&format!("dist/{WHEEL}")),
        project.join("dist/demo_pkg-1.2.1-py3-none-any.whl"),
    )
    .unwrap();
    checksum(project.path(), &["inspect"])
        .code(1)
        .stderr_has("METADATA Version 1.2.0 differs from the filename's 1.2.1")
        .stderr_has("`demo_pkg-1.2.0.dist-info` names version `1.2.0`, the filename 1.2.1")
        .stderr_has("not one release: demo-pkg 1.2.0 (")
        .stderr_has("; demo-pkg 1.2.1 (");
}

#[test]
fn inspect_refuses_hostile_sdists() {
    let project = built(VERSION);
    let sdist = project.join(&format!("dist/{SDIST}"));
    let entries = read_tar_gz(&sdist);
    assert!(entries.iter().any(|(n, _)| n == "demo_pkg-1.2.0/PKG-INFO"));
    let dir = TempDir::new();
    let case = |label: &str| {
        let path = dir.join(label).join(SDIST);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        path
    };

    // A second PKG-INFO in the same place, naming another version.
    let second = case("second");
    let mut files = entries.clone();
    files.push((
        "demo_pkg-1.2.0/PKG-INFO".into(),
        b"Metadata-Version: 2.1\nName: demo-pkg\nVersion: 9.9.9\n".to_vec(),
    ));
    write_tar_gz(&second, &files, &[]);
    checksum(dir.path(), &["inspect", second.to_str().unwrap()])
        .code(2)
        .stderr_has("`demo_pkg-1.2.0/PKG-INFO` appears more than once");

    // A second top-level directory with its own PKG-INFO.
    let other = case("other");
    let mut files = entries.clone();
    files.push((
        "demo_pkg-9.9.9/PKG-INFO".into(),
        b"Metadata-Version: 2.1\nName: demo-pkg\nVersion: 9.9.9\n".to_vec(),
    ));
    write_tar_gz(&other, &files, &[]);
    checksum(dir.path(), &["inspect", other.to_str().unwrap()])
        .code(2)
        .stderr_has("more than one top-level PKG-INFO");

    // Links out of the tree.
    for (label, target, symlink) in [
        ("symlink", "../../etc/passwd", true),
        ("hardlink", "/etc/passwd", false),
    ] {
        let path = case(label);
        write_tar_gz(
            &path,
            &entries,
            &[("demo_pkg-1.2.0/src/link", target, symlink)],
        );
        checksum(dir.path(), &["inspect", path.to_str().unwrap()])
            .code(2)
            .stderr_has("`demo_pkg-1.2.0/src/link` points outside the sdist's directory");
    }
    // A tar.gz bomb: 16 MiB of zeros in a few kilobytes, refused while it
    // streams.
    let bomb = case("bomb");
    let mut files = entries.clone();
    files.insert(0, ("demo_pkg-1.2.0/data.bin".into(), vec![0u8; 16 << 20]));
    write_tar_gz(&bomb, &files, &[]);
    assert!(std::fs::metadata(&bomb).unwrap().len() < 1 << 20);
    checksum(dir.path(), &["inspect", bomb.to_str().unwrap()])
        .code(2)
        .stderr_has("a ratio above 200:1 (a decompression bomb)");

    // A link that stays inside is fine.
    let inside = case("inside");
    write_tar_gz(
        &inside,
        &entries,
        &[("demo_pkg-1.2.0/README", "pyproject.toml", true)],
    );
    checksum(dir.path(), &["inspect", inside.to_str().unwrap()])
        .code(0)
        .stdout_is("demo-pkg 1.2.0\n");
}

// ---------------------------------------------------------------- compare

#[test]
fn compare_against_a_real_pypiserver() {
    let project = built(VERSION);
    let server = PypiServer::start();
    let dist = project.join("dist");
    let files = vec![dist.join(WHEEL), dist.join(SDIST)];

    // Nothing uploaded yet.
    checksum(project.path(), &["compare", "--index", &server.url()])
        .code(1)
        .stdout_is(&format!("NOT-ON-INDEX  {WHEEL}\nNOT-ON-INDEX  {SDIST}\n"));

    server.twine_upload(&files, ".", ".").code(0);
    // Another release of the same project does not matter.
    let older = built("1.1.0");
    server
        .twine_upload(
            &[older.join("dist/demo_pkg-1.1.0-py3-none-any.whl")],
            ".",
            ".",
        )
        .code(0);
    checksum(project.path(), &["compare", "--index", &server.url()])
        .code(0)
        .stdout_is(&format!("SAME  {WHEEL}\nSAME  {SDIST}\n"));
    let json = checksum(
        project.path(),
        &[
            "compare",
            "--index",
            &server.simple_url(),
            "--format",
            "json",
        ],
    )
    .json();
    assert_eq!(json["ok"], true);
    assert_eq!(
        json["files"][0]["index_sha256"],
        json["files"][0]["local_sha256"]
    );

    // A file of this release that only the index has: someone else's upload.
    let foreign = "demo_pkg-1.2.0-py2-none-any.whl";
    server.add_bytes(foreign, b"not ours");
    checksum(project.path(), &["compare", "--index", &server.url()])
        .code(1)
        .stdout_is(&format!(
            "SAME  {WHEEL}\nSAME  {SDIST}\nONLY-ON-INDEX  {foreign}\n"
        ))
        .stderr_has("someone else uploaded it");
    std::fs::remove_file(server.packages_dir().join(foreign)).unwrap();

    // The local wheel rebuilt with other bytes.
    project.write("src/demo_pkg/extra.py", "X = 1\n");
    std::fs::remove_dir_all(&dist).unwrap();
    uv_build(project.path());
    checksum(project.path(), &["compare", "--index", &server.url()])
        .code(1)
        .stderr_has(WHEEL)
        .stderr_has("serves other bytes");
}

#[test]
fn compare_exits_3_when_the_index_is_unreachable() {
    let project = built(VERSION);
    let url = format!("http://127.0.0.1:{}/", free_port());
    Run::of(
        pbx("pbx-checksum")
            .args(["compare", "--index", &url])
            .current_dir(project.path())
            .env("PBX_HTTP_RETRIES", "1")
            .env("PBX_HTTP_BACKOFF_MS", "10"),
    )
    .code(3)
    .stderr_has("unreachable after 2 attempt(s)")
    .stderr_has("retrying");
    checksum(
        project.path(),
        &["compare", "--index", "ftp://example.org/"],
    )
    .code(2);
}

#[test]
fn verify_reads_nothing_outside_the_manifest_directory_and_no_fifo_or_device() {
    let project = built(VERSION);
    // Names that climb out, or are absolute, are refused with their line.
    for (name, line) in [("../../etc/passwd", 1), ("/etc/shadow", 1)] {
        project.write("dist/SHA256SUMS", &format!("{}  {name}\n", "0".repeat(64)));
        let run = checksum(project.path(), &["verify", "-f", "dist/SHA256SUMS"]);
        run.code(2)
            .stderr_has(&format!("dist/SHA256SUMS:{line}:"))
            .stderr_has("outside the manifest's directory");
        assert!(!run.stdout.contains("passwd") && !run.stdout.contains("shadow"));
    }
    // A FIFO listed in the manifest is reported, never opened (it would
    // hang), and a FIFO or device as the manifest itself is refused at once.
    #[cfg(unix)]
    {
        let fifo = project.join("dist/pipe");
        support::mkfifo(&fifo);
        project.write("dist/SHA256SUMS", &format!("{}  pipe\n", "0".repeat(64)));
        let run = checksum(project.path(), &["verify", "-f", "dist/SHA256SUMS"]);
        run.code(1).stderr_has("not a regular file");
        let run = checksum(project.path(), &["verify", "-f", "/dev/zero"]);
        run.code(2).stderr_has("not a regular file");
        let run = checksum(project.path(), &["verify", "-f", fifo.to_str().unwrap()]);
        run.code(2).stderr_has("not a regular file");
        std::fs::remove_file(&fifo).unwrap();
    }
}

#[test]
fn a_huge_manifest_with_a_repeat_is_refused_quickly() {
    let project = built(VERSION);
    let mut text = String::new();
    for i in 0..100_000 {
        text.push_str(&format!("{}  f{i}.whl\n", "0".repeat(64)));
    }
    text.push_str(&format!("{}  f7.whl\n", "0".repeat(64)));
    project.write("dist/SHA256SUMS", &text);
    let started = std::time::Instant::now();
    checksum(project.path(), &["verify", "-f", "dist/SHA256SUMS"])
        .code(2)
        .stderr_has("`f7.whl` is listed twice (first on line 8)");
    // Not a timing test of speed: a quadratic scan of 100k lines takes
    // tens of seconds, a linear one well under the test's default budget.
    assert!(started.elapsed() < std::time::Duration::from_secs(20));
}

/// Non-ASCII member names, as a real backend writes them (UTF-8 flag in the
/// zip, PAX headers in the tar): the wheel and the sdist inspect clean, and
/// Python's zipfile and tarfile list the same names pbx checked.
#[test]
fn non_ascii_member_names_from_a_real_backend_inspect_clean() {
    let dir = TempDir::new();
    write_project(&dir, NAME, VERSION);
    let module = NAME.replace('-', "_");
    dir.write(&format!("src/{module}/données.py"), "VALEUR = 'é'\n");
    dir.write(&format!("src/{module}/日本/__init__.py"), "NAME = '日本'\n");
    uv_build(dir.path());
    checksum(dir.path(), &["inspect", "dist"])
        .code(0)
        .stdout_is(&format!("{NAME} {VERSION}\n"));
    let script = "import sys, tarfile, zipfile\nw, s = sys.argv[1], sys.argv[2]\nnames = zipfile.ZipFile(w).namelist() + tarfile.open(s).getnames()\nprint('\\n'.join(n for n in names if not n.isascii()))\n";
    let out = Command::new(venv_tool("python"))
        .args(["-c", script])
        .arg(dir.join(&format!("dist/{WHEEL}")))
        .arg(dir.join(&format!("dist/{SDIST}")))
        .output()
        .unwrap();
    let listed = String::from_utf8(out.stdout).unwrap();
    assert!(listed.contains("données.py"), "{listed}");
    assert!(listed.contains("日本/__init__.py"), "{listed}");
}

/// Hashing 256 MiB or more draws a byte bar while it runs, on a terminal
/// only (here a pseudo-terminal from `script`), and clears it before the
/// report; off a terminal stderr has the report alone. stdout is the
/// manifest either way.
#[test]
fn a_large_write_shows_a_byte_bar_on_a_terminal_only() {
    let dir = TempDir::new();
    let file = dir.join("big-1.0.0-py3-none-any.whl");
    // Sparse: 257 MiB to hash, no disk spent.
    File::create(&file).unwrap().set_len(257 << 20).unwrap();
    let run = Run::of(
        pbx("pbx-checksum")
            .args(["write", "-o", "-"])
            .arg(&file)
            .current_dir(dir.path()),
    );
    run.code(0);
    assert_eq!(run.stderr, "pbx-checksum: 1 artifact(s) → stdout\n");
    let manifest = run.stdout.clone();
    assert!(
        manifest.ends_with("  big-1.0.0-py3-none-any.whl\n"),
        "{manifest}"
    );

    if Command::new("script").arg("--version").output().is_err() {
        support::skipped("`script` (util-linux) is not installed: no pseudo-terminal");
        return;
    }
    let out = dir.join("stdout");
    let shell = format!(
        "'{}' write -o - '{}' > '{}'",
        support::bin("pbx-checksum").display(),
        file.display(),
        out.display()
    );
    let session = Command::new("script")
        .args(["-qec", &shell, "/dev/null"])
        .current_dir(dir.path())
        .env("TERM", "xterm-256color")
        .env_remove("NO_COLOR")
        .output()
        .unwrap();
    assert!(session.status.success(), "{session:?}");
    let screen = String::from_utf8_lossy(&session.stdout);
    assert!(screen.contains("hashing ["), "no bar drawn:\n{screen:?}");
    assert!(screen.contains("/257.00 MiB"), "{screen:?}");
    // The bar is cleared (erase-line), then the report comes.
    let cleared = screen.rfind("\u{1b}[2K").expect("the bar is erased");
    assert!(
        screen[cleared..].contains("pbx-checksum: 1 artifact(s) → stdout"),
        "{screen:?}"
    );
    assert_eq!(std::fs::read_to_string(&out).unwrap(), manifest);
}
