//! Read-only checks against the real public index (pypi.org), over this
//! machine's normal network path: whatever proxy, TLS-inspecting CA
//! (platform store, `SSL_CERT_FILE`) and `HTTPS_PROXY` it has. Nothing is
//! ever uploaded.
//!
//! When pypi.org cannot be reached, each test says loudly on stderr that it
//! skipped and why, and passes: the public index may be down, also under
//! `CI=true` (where the message says that the live checks did not run). One
//! case is never a skip: pbx refusing pypi.org's certificate while curl, on
//! the same machine, accepts it. That is pbx failing the network users have.
//!
//! Downloads are small (about 0.5 MB: six, MarkupSafe, bcrypt, orjson) and
//! cached under the target directory (`test-cache/live`), checked against
//! the index's sha256 before each use.

mod support;

use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::OnceLock;

use pbx_index::{Client, ClientConfig, IndexFile};
use pbx_version::{PackageName, Version};
use sha2::Digest;
use support::{pbx, test_venv, Run, TempDir};
use url::Url;

const SIMPLE: &str = "https://pypi.org/simple/";

/// Says loudly that a live test did not run, and why: on the process's
/// real stderr, which the test harness does not capture, so it shows in
/// every `cargo test` run.
fn skip(test: &str, why: &str) {
    let ci = std::env::var("CI").is_ok_and(|v| v == "true");
    loud(&format!(
        "\n##########\n## LIVE TEST SKIPPED: {test}\n## pypi.org could not be reached from this machine: {why}\n## {}\n##########\n",
        if ci {
            "CI=true: the public index may be down; the live checks did NOT run in this CI run"
        } else {
            "the live checks did NOT run"
        }
    ));
}

/// What a live test saw (shown with `--nocapture`).
#[expect(clippy::print_stderr, reason = "a live test says what it saw")]
fn note(text: &str) {
    eprintln!("LIVE: {text}");
}

fn loud(text: &str) {
    use std::io::Write;
    let _ = std::io::stderr().lock().write_all(text.as_bytes());
}

/// pbx's own client as the binaries configure it (the machine's TLS and
/// proxy settings), with a small retry budget.
fn client() -> Client {
    let mut config = ClientConfig::from_vars(|k| std::env::var(k).ok())
        .unwrap_or_else(|e| panic!("this machine's environment is unusable for pbx: {e}"));
    config.retries = 1;
    Client::new(config)
}

/// `Ok(())` when pypi.org answers; `Err(why)` when it cannot be reached.
/// Panics when pbx refuses a certificate that curl accepts.
fn reachable() -> &'static Result<(), String> {
    static REACHABLE: OnceLock<Result<(), String>> = OnceLock::new();
    REACHABLE.get_or_init(|| {
        let name = PackageName::new("six").unwrap();
        match client().list_files(&Url::parse(SIMPLE).unwrap(), &name) {
            Ok(files) if !files.is_empty() => Ok(()),
            Ok(_) => Err("pypi.org lists no files for six (a mirror that is not pypi.org?)".into()),
            Err(e) if e.is_certificate() && curl_reaches(SIMPLE) => panic!(
                "pbx refuses pypi.org's certificate, but curl on this machine accepts it: pbx does not trust what the ecosystem trusts here:\n{e}"
            ),
            Err(e) => Err(e.to_string()),
        }
    })
}

fn curl_reaches(url: &str) -> bool {
    Command::new("curl")
        .args(["-sS", "-o", "/dev/null", "--max-time", "20", url])
        .status()
        .is_ok_and(|s| s.success())
}

/// Runs `body` when pypi.org is reachable, else says it skipped.
fn live(test: &str, body: impl FnOnce()) {
    match reachable() {
        Ok(()) => body(),
        Err(why) => skip(test, why),
    }
}

fn target_dir() -> PathBuf {
    std::env::var_os("CARGO_TARGET_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| Path::new(env!("CARGO_MANIFEST_DIR")).join("target"))
}

/// Every file pypi.org lists for `project`.
fn listed(project: &str) -> Vec<IndexFile> {
    let name = PackageName::new(project).unwrap();
    client()
        .list_files(&Url::parse(SIMPLE).unwrap(), &name)
        .unwrap_or_else(|e| panic!("listing {project} on pypi.org: {e}"))
}

/// The files of `project` `version` on pypi.org.
fn release(project: &str, version: &str) -> Vec<IndexFile> {
    let version = Version::parse(version).unwrap();
    let files: Vec<IndexFile> = listed(project)
        .into_iter()
        .filter(|f| f.version.as_ref() == Some(&version))
        .collect();
    assert!(
        !files.is_empty(),
        "pypi.org lists no file of {project} {version:?}"
    );
    files
}

/// `file` from pypi.org, downloaded by pbx's own client into the cache
/// (reused when its sha256 still matches the index's).
fn fetch(file: &IndexFile) -> PathBuf {
    let cache = target_dir().join("test-cache/live");
    std::fs::create_dir_all(&cache).unwrap();
    let dest = cache.join(&file.filename);
    let want = file
        .sha256
        .clone()
        .unwrap_or_else(|| panic!("pypi.org gives no sha256 for {}", file.filename));
    if let Ok(bytes) = std::fs::read(&dest) {
        if hex::encode(sha2::Sha256::digest(&bytes)) == want {
            return dest;
        }
    }
    // A part file of this download's own: tests running at once may fetch
    // the same file (one shared `.part` name let one test rename the
    // other's away). Whichever finishes last replaces the same bytes.
    let partial = tempfile::Builder::new()
        .prefix(&format!("{}.", file.filename))
        .suffix(".part")
        .tempfile_in(&cache)
        .unwrap();
    let got = client()
        .download_to(&file.url, partial.path())
        .unwrap_or_else(|e| panic!("downloading {}: {e}", file.filename));
    assert_eq!(
        got, want,
        "{}: the bytes differ from the index's sha256",
        file.filename
    );
    partial.persist(&dest).unwrap();
    dest
}

fn one(files: &[IndexFile], filename: &str) -> IndexFile {
    files
        .iter()
        .find(|f| f.filename == filename)
        .cloned()
        .unwrap_or_else(|| panic!("pypi.org does not list {filename}"))
}

#[test]
fn live_compare_a_real_release_against_pypi() {
    live("live_compare_a_real_release_against_pypi", || {
        // six 1.16.0: one pure-python wheel and one sdist, 45 kB.
        let files = release("six", "1.16.0");
        let paths: Vec<PathBuf> = files.iter().map(fetch).collect();
        let dir = TempDir::new();
        let run = Run::of(
            pbx("pbx-checksum")
                .args(["compare", "--index", "pypi"])
                .args(&paths)
                .current_dir(dir.path()),
        );
        run.code(0);
        for file in &files {
            assert!(
                run.stdout.contains(&format!("SAME  {}\n", file.filename)),
                "{}: {}",
                file.filename,
                run.stdout
            );
        }
        note(&format!(
            "compare six 1.16.0 against pypi: {}",
            run.stdout.trim()
        ));

        // The same wheel name with one byte changed: pypi.org serves other
        // bytes under that name.
        let wheel = paths
            .iter()
            .find(|p| p.extension().is_some_and(|e| e == "whl"))
            .unwrap();
        let mut bytes = std::fs::read(wheel).unwrap();
        let last = bytes.len() - 1;
        bytes[last] ^= 0xff;
        let damaged = dir.join(wheel.file_name().unwrap().to_str().unwrap());
        std::fs::write(&damaged, bytes).unwrap();
        Run::of(
            pbx("pbx-checksum")
                .args(["compare", "--index", "pypi"])
                .arg(&damaged)
                .current_dir(dir.path()),
        )
        .code(1)
        .stderr_has("serves other bytes");
    });
}

#[test]
fn live_next_version_counts_the_real_post_releases() {
    live("live_next_version_counts_the_real_post_releases", || {
        // pytz released 2023.3 and 2023.3.post1. The expected N comes from
        // the live file list, not from this comment.
        let base = Version::parse("2023.3").unwrap();
        let highest = listed("pytz")
            .iter()
            .filter_map(|f| f.version.clone())
            .filter(|v| v.same_base(&base))
            .filter_map(|v| v.post_number())
            .max();
        let Some(highest) = highest else {
            panic!("pytz 2023.3 has no post release on pypi.org any more: pick another project");
        };
        let expected = base.with_post(highest + 1).canonical();
        let dir = TempDir::new();
        let run = Run::of(
            pbx("pbx-next-version")
                .args(["--lane", "post", "--from", "2023.3", "--package", "pytz"])
                .args(["--index", "pypi", "--no-git"])
                .current_dir(dir.path()),
        );
        run.code(0).stdout_is(&format!("{expected}\n"));
        note(&format!(
            "pbx-next-version --lane post for pytz 2023.3: {expected} (highest post on pypi.org: {highest})"
        ));
    });
}

#[test]
fn live_inspect_real_artifacts_of_every_shape() {
    live("live_inspect_real_artifacts_of_every_shape", || {
        // What each file's archive passes, and what a new upload of it
        // would be refused for by the index today (files published before
        // the index enforced the rule): those failed checks and no other.
        let cases: [(&str, &str, &str, &str, &[&str]); 5] = [
            // Pure python, compressed python tag (py2.py3).
            (
                "six",
                "1.16.0",
                "six-1.16.0-py2.py3-none-any.whl",
                "six 1.16.0",
                &[],
            ),
            // An sdist (setuptools).
            ("six", "1.16.0", "six-1.16.0.tar.gz", "six 1.16.0", &[]),
            // setuptools + auditwheel: compressed platform tag in the
            // filename, one Tag line per platform in WHEEL. Its setuptools
            // wrote License-File under Metadata-Version 2.1 and kept the
            // name's capitals in the filename.
            (
                "markupsafe",
                "2.1.5",
                "MarkupSafe-2.1.5-cp312-cp312-manylinux_2_17_x86_64.manylinux2014_x86_64.whl",
                "markupsafe 2.1.5",
                &[
                    "metadata-fields  METADATA has License-File, which needs Metadata-Version 2.4, but declares 2.1",
                    "filename  the name part `MarkupSafe` is not normalised",
                ],
            ),
            // maturin, abi3, one platform (License-File under 2.1).
            (
                "bcrypt",
                "4.2.0",
                "bcrypt-4.2.0-cp39-abi3-manylinux_2_28_x86_64.whl",
                "bcrypt 4.2.0",
                &["metadata-fields  METADATA has License-File, which needs Metadata-Version 2.4, but declares 2.1"],
            ),
            // A signed RECORD (`RECORD.jws`, `wheel sign`, 2014): the
            // signature is not a member RECORD must list; every member
            // matches. Its Metadata-Version 2.0 was never a standard one.
            (
                "wheel",
                "0.24.0",
                "wheel-0.24.0-py2.py3-none-any.whl",
                "wheel 0.24.0",
                &["metadata-version  METADATA Metadata-Version `2.0` is not one the index accepts"],
            ),
        ];
        for (project, version, filename, expected, refusals) in cases {
            let path = fetch(&one(&release(project, version), filename));
            let run = Run::of(pbx("pbx-checksum").arg("inspect").arg(&path));
            index_refusals_only(&run, filename, refusals);
            if refusals.is_empty() {
                run.stdout_is(&format!("{expected}\n"));
            }
            note(&format!(
                "inspect {filename}: exit {}, {expected}",
                run.code
            ));
        }

        // maturin writes the compressed tag set into WHEEL
        // (`Tag: cp312-cp312-manylinux_2_17_x86_64.manylinux2014_x86_64`):
        // it expands to the filename's tags.
        let filename = "orjson-3.10.7-cp312-cp312-manylinux_2_17_x86_64.manylinux2014_x86_64.whl";
        let path = fetch(&one(&release("orjson", "3.10.7"), filename));
        let run = Run::of(pbx("pbx-checksum").arg("inspect").arg(&path));
        // That maturin wrote License-File under Metadata-Version 2.3.
        index_refusals_only(
            &run,
            filename,
            &["metadata-fields  METADATA has License-File, which needs Metadata-Version 2.4, but declares 2.3"],
        );
        run.stderr_has("manylinux2014_x86_64, cp312-cp312-manylinux_2_17_x86_64");
        note(&format!(
            "inspect {filename}: exit {}, orjson 3.10.7",
            run.code
        ));
    });
}

/// `run` (a `pbx-checksum inspect` of `filename`) failed exactly the
/// index-acceptance checks `refusals` names (each `check  message start`,
/// spaces collapsed), with exit 1, or nothing with exit 0: every archive
/// and RECORD check passed.
#[track_caller]
fn index_refusals_only(run: &Run, filename: &str, refusals: &[&str]) {
    let squash = |s: &str| s.split_whitespace().collect::<Vec<_>>().join(" ");
    let failed: Vec<String> = run
        .stderr
        .lines()
        .filter(|l| l.trim_start().starts_with('✗'))
        .map(squash)
        .collect();
    assert_eq!(
        failed.len(),
        refusals.len(),
        "{filename}: failed checks {failed:#?}, expected {refusals:#?}"
    );
    for refusal in refusals {
        assert!(
            failed.iter().any(|f| f.contains(&squash(refusal))),
            "{filename}: no failed check `{refusal}` in {failed:#?}"
        );
    }
    assert_eq!(
        run.code,
        if refusals.is_empty() { 0 } else { 1 },
        "{filename}:\n{}",
        run.stderr
    );
}

#[test]
fn live_reinstall_a_real_package_from_pypi() {
    live("live_reinstall_a_real_package_from_pypi", || {
        // python-dateutil depends on six: the dependency comes from the real
        // index too.
        let files = release("python-dateutil", "2.9.0.post0");
        let dist = TempDir::new();
        for file in &files {
            std::fs::copy(fetch(file), dist.join(&file.filename)).unwrap();
        }
        let tmp = TempDir::new();
        let path = {
            let inherited = std::env::var_os("PATH").unwrap_or_default();
            let mut dirs: Vec<PathBuf> = std::env::split_paths(&inherited).collect();
            dirs.insert(0, test_venv().join("bin"));
            std::env::join_paths(dirs).unwrap()
        };
        let run = Run::of(
            pbx("pbx-reinstall")
                .args(["python-dateutil==2.9.0.post0", "--index", "pypi", "--deps-index", "pypi"])
                .args([
                    "--pythons",
                    "3.11,3.12,3.13",
                    "--skip-missing",
                    "--wait",
                    "0",
                ])
                .args(["--import", "dateutil", "--import", "six", "--smoke"])
                .arg("\"$PBX_PYTHON\" -c \"import dateutil.parser as p; assert p.parse('2026-12-01').year == 2026\"")
                .arg("--dist")
                .arg(dist.path())
                .env("PATH", path)
                .env("TMPDIR", tmp.path())
                .current_dir(tmp.path()),
        );
        assert_eq!(run.code, 0, "{}\n{}", run.stdout, run.stderr);
        assert!(run.stdout.contains(" 0 failed"), "{}", run.stdout);
        assert!(
            run.stdout.contains("hash-pinned"),
            "installed the bytes downloaded here: {}",
            run.stdout
        );
        let summary = run.stdout.lines().last().unwrap_or_default().to_string();
        note(&format!(
            "reinstall python-dateutil 2.9.0.post0 (and six) from pypi: {summary}"
        ));
    });
}

#[test]
fn live_an_unknown_certificate_authority_is_not_pypi() {
    live("live_an_unknown_certificate_authority_is_not_pypi", || {
        // Trusting only a CA that did not sign pypi.org's certificate (nor a
        // TLS-inspecting proxy's): one attempt, exit 3, the setting named.
        let dir = TempDir::new();
        let ca = support::tls::TestCa::new().write_ca(dir.path(), "unrelated-ca.pem");
        let run = Run::of(
            pbx("pbx-next-version")
                .args(["--lane", "post", "--from", "1.16.0", "--package", "six"])
                .args(["--index", "pypi", "--no-git"])
                .env("PBX_CERT", &ca)
                .env("PBX_HTTP_RETRIES", "3")
                .current_dir(dir.path()),
        );
        run.code(3)
            .stderr_has("TLS certificate problem")
            .stderr_has("PBX_CERT=");
        assert!(!run.stderr.contains("retrying"), "{}", run.stderr);
    });
}
