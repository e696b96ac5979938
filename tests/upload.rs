//! pbx-upload against a real pypiserver (and, through the fault proxy, with
//! the network misbehaving), plus an in-test server for the shapes only the
//! public index produces (PyPI's 400 "File already exists", PEP 691 JSON,
//! trusted publishing).

mod support;

use std::collections::BTreeMap;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use support::index::{
    sha256_hex, DevpiServer, Fault, FaultProxy, HttpStub, PypiServer, Request, Response,
};
use support::{pbx, uv_build, write_project, Run, TempDir};

/// A project built by the real `uv build` (wheel + sdist in `dist/`).
struct Built {
    dir: TempDir,
}

impl Built {
    fn new(name: &str, version: &str) -> Built {
        let dir = TempDir::new();
        write_project(&dir, name, version);
        uv_build(dir.path());
        Built { dir }
    }

    fn dist(&self) -> PathBuf {
        self.dir.join("dist")
    }

    fn files(&self) -> Vec<PathBuf> {
        support::artifacts_in(&self.dist())
    }

    /// filename → sha256 of the local files.
    fn digests(&self) -> BTreeMap<String, String> {
        self.files()
            .iter()
            .map(|p| {
                (
                    p.file_name().unwrap().to_string_lossy().into_owned(),
                    sha256_hex(&std::fs::read(p).unwrap()),
                )
            })
            .collect()
    }
}

/// pbx-upload run in the project directory, with no ~/.pypirc, short
/// timeouts and fast backoff.
fn upload(built: &Built) -> Command {
    let mut cmd = pbx("pbx-upload");
    cmd.current_dir(built.dir.path())
        .env("HOME", built.dir.path())
        .env("PYPIRC", built.dir.join("no-pypirc"))
        .env("PBX_HTTP_TIMEOUT", "2")
        .env("PBX_HTTP_BACKOFF_MS", "50")
        .env("PBX_UPLOAD_WAIT", "10");
    cmd
}

fn run(cmd: &mut Command) -> Run {
    Run::of(cmd)
}

#[test]
fn first_upload_lands_every_file_with_the_local_digest_and_a_second_run_names_post1() {
    let server = PypiServer::start();
    let built = Built::new("Demo_First", "1.4.0");
    let first = run(upload(&built).args(["--repository", &server.url()]));
    first.code(0);
    assert_eq!(server.listed("demo-first"), built.digests());
    assert_eq!(server.stored(), built.digests());
    // stdout: one line per file: filename, sha256, URL on the index.
    let lines: Vec<&str> = first.stdout.lines().collect();
    assert_eq!(lines.len(), 2, "{}", first.stdout);
    for line in lines {
        let parts: Vec<&str> = line.split(' ').collect();
        assert_eq!(built.digests()[parts[0]], parts[1]);
        assert_eq!(parts[2], format!("{}packages/{}", server.url(), parts[0]));
    }

    // The same bytes again: the release is already published (its own
    // outcome, still exit 1: pbx-upload never skips).
    let second = run(upload(&built).args(["--repository", &server.url()]));
    second
        .code(1)
        .stderr_has("demo-first 1.4.0 is already published on")
        .stderr_has("the index holds exactly these files with exactly these bytes")
        .stderr_has("To publish another build, use 1.4.0.post1")
        .stderr_has("pbx-next-version --lane post");
    assert_eq!(second.stdout, "");
    // Nothing changed on the index.
    assert_eq!(server.stored(), built.digests());

    // Another build of the same version: consumed, fix forward.
    let rebuilt = Built::new("Demo_First", "1.4.0");
    rebuilt.dir.write("src/demo_first/extra.py", "X = 1\n");
    uv_build(rebuilt.dir.path());
    run(upload(&rebuilt).args(["--repository", &server.url()]))
        .code(1)
        .stderr_has("demo-first 1.4.0 is already on")
        .stderr_has("the index holds other bytes")
        .stderr_has("Fix forward with 1.4.0.post1");

    let json = run(upload(&built).args(["--repository", &server.url(), "--format", "json"]));
    json.code(1);
    let report = json.json();
    assert_eq!(report["outcome"], "already_published");
    assert_eq!(report["next_version"], "1.4.0.post1");
    assert_eq!(report["next_lane"], "post");
    assert_eq!(report["files"][0]["state"], "on_index");
}

#[test]
fn the_next_version_counts_every_post_release_on_the_index() {
    let server = PypiServer::start();
    // 2.0.0 and 2.0.0.post1 are out; the project is still at 2.0.0.post1.
    for version in ["2.0.0", "2.0.0.post1"] {
        let built = Built::new("demo-next", version);
        run(upload(&built).args(["--repository", &server.url()])).code(0);
    }
    let again = Built::new("demo-next", "2.0.0.post1");
    let report = run(upload(&again).args(["--repository", &server.url(), "--format", "json"]));
    report.code(1);
    assert_eq!(report.json()["next_version"], "2.0.0.post2");
}

#[test]
fn skip_existing_is_refused_before_any_request() {
    let server = PypiServer::start();
    let proxy = FaultProxy::start(&server.url());
    let built = Built::new("demo-skip", "1.0.0");
    for (args, env) in [
        (vec!["--skip-existing"], None),
        (vec!["--check-url", "http://127.0.0.1:1/simple/"], None),
        (vec![], Some(("TWINE_SKIP_EXISTING", "true"))),
        (
            vec![],
            Some(("UV_PUBLISH_CHECK_URL", "http://127.0.0.1:1/simple/")),
        ),
    ] {
        let mut cmd = upload(&built);
        cmd.args(["--repository", &proxy.url()]).args(&args);
        if let Some((k, v)) = env {
            cmd.env(k, v);
        }
        let refused = run(&mut cmd);
        refused
            .code(2)
            .stderr_has("is refused")
            .stderr_has("never skips files that already exist")
            .stderr_has("consumed");
    }
    assert!(proxy.seen().is_empty(), "{:?}", proxy.seen());
    assert!(server.stored().is_empty());
    // TWINE_SKIP_EXISTING=false is not a request to skip.
    run(upload(&built)
        .args(["--repository", &server.url()])
        .env("TWINE_SKIP_EXISTING", "false"))
    .code(0);
}

#[test]
fn damaged_or_mixed_dists_are_refused_before_any_request() {
    let server = PypiServer::start();
    let proxy = FaultProxy::start(&server.url());

    // A wheel cut in half.
    let built = Built::new("demo-bad", "1.0.0");
    let wheel = built
        .files()
        .into_iter()
        .find(|p| p.extension().unwrap() == "whl")
        .unwrap();
    let bytes = std::fs::read(&wheel).unwrap();
    std::fs::write(&wheel, &bytes[..bytes.len() / 2]).unwrap();
    run(upload(&built).args(["--repository", &proxy.url()]))
        .code(2)
        .stderr_has(&wheel.file_name().unwrap().to_string_lossy());

    // Two versions in one dist/.
    let mixed = Built::new("demo-mixed", "1.0.0");
    let other = Built::new("demo-mixed", "1.0.1");
    for file in other.files() {
        std::fs::copy(&file, mixed.dist().join(file.file_name().unwrap())).unwrap();
    }
    run(upload(&mixed).args(["--repository", &proxy.url()]))
        .code(2)
        .stderr_has("not one release")
        .stderr_has("demo_mixed-1.0.1");

    // A local version segment.
    let local = Built::new("demo-local", "1.0.0+build7");
    run(upload(&local).args(["--repository", &proxy.url()]))
        .code(2)
        .stderr_has("has a local segment");

    // A renamed file (the metadata says another version).
    let renamed = Built::new("demo-renamed", "1.0.0");
    for file in renamed.files() {
        let name = file
            .file_name()
            .unwrap()
            .to_string_lossy()
            .replace("1.0.0", "1.0.5");
        std::fs::rename(&file, renamed.dist().join(name)).unwrap();
    }
    run(upload(&renamed).args(["--repository", &proxy.url()]))
        .code(2)
        .stderr_has("inspection refused the artifacts")
        .stderr_has("METADATA Version 1.0.0 differs from the filename's 1.0.5");

    // Not a distribution at all, and an empty dist/.
    let junk = Built::new("demo-junk", "1.0.0");
    let notes = junk.dir.write("notes.txt", "hello");
    run(upload(&junk)
        .args(["--repository", &proxy.url()])
        .arg(&notes))
    .code(2);
    let empty = TempDir::new();
    std::fs::create_dir(empty.join("dist")).unwrap();
    run(pbx("pbx-upload")
        .current_dir(empty.path())
        .args(["--repository", &proxy.url()]))
    .code(2)
    .stderr_has("no artifacts (.whl, .tar.gz, .zip) in dist");

    assert!(proxy.seen().is_empty(), "{:?}", proxy.seen());
    assert!(server.stored().is_empty());
}

#[test]
fn what_the_index_would_refuse_is_refused_before_any_request() {
    let server = PypiServer::start();

    // A Project-URL label the index refuses, in what `uv build` writes.
    let long_label = TempDir::new();
    write_project(&long_label, "demo-urls", "1.0.0");
    let pyproject = long_label.read("pyproject.toml");
    long_label.write(
        "pyproject.toml",
        &format!("{pyproject}\n[project.urls]\n\"A label far longer than thirty-two characters\" = \"https://example.org\"\n"),
    );
    uv_build(long_label.path());
    let built = Built { dir: long_label };
    run(upload(&built).args(["--repository", &server.url()]))
        .code(2)
        .stderr_has("inspection refused the artifacts")
        .stderr_has("demo_urls-1.0.0-py3-none-any.whl: urls")
        .stderr_has("over the index's 32")
        .stderr_has("fix what each check names");

    // An unknown classifier in an otherwise intact wheel (no backend writes one).
    let classified = Built::new("demo-classified", "1.0.0");
    let wheel = classified
        .files()
        .into_iter()
        .find(|p| p.extension().unwrap() == "whl")
        .unwrap();
    let original = classified.dir.join("original.whl");
    std::fs::rename(&wheel, &original).unwrap();
    support::rewrite_wheel_metadata(&original, &wheel, |m| {
        m.replacen("\n", "\nClassifier: Topic :: Nonsense\n", 1)
    });
    run(upload(&classified).args(["--repository", &server.url()]))
        .code(2)
        .stderr_has("demo_classified-1.0.0-py3-none-any.whl: classifiers")
        .stderr_has("`Topic :: Nonsense` is not a classifier the index knows");

    // A zip sdist: it inspects fine, but the index takes only .tar.gz ones.
    let zipped = Built::new("demo-zipped", "1.0.0");
    let sdist = zipped.dist().join("demo_zipped-1.0.0.tar.gz");
    let zip_path = zipped.dist().join("demo_zipped-1.0.0.zip");
    {
        use std::io::Read as _;
        let mut archive = tar::Archive::new(flate2::read::GzDecoder::new(
            std::fs::File::open(&sdist).unwrap(),
        ));
        let mut writer = zip::ZipWriter::new(std::fs::File::create(&zip_path).unwrap());
        let options = zip::write::SimpleFileOptions::default()
            .compression_method(zip::CompressionMethod::Deflated);
        for entry in archive.entries().unwrap() {
            let mut entry = entry.unwrap();
            if !entry.header().entry_type().is_file() {
                continue;
            }
            let name = entry.path().unwrap().to_string_lossy().into_owned();
            let mut bytes = Vec::new();
            entry.read_to_end(&mut bytes).unwrap();
            writer.start_file(name.as_str(), options).unwrap();
            writer.write_all(&bytes).unwrap();
        }
        writer.finish().unwrap();
    }
    std::fs::remove_file(&sdist).unwrap();
    Run::of(
        pbx("pbx-checksum")
            .args(["inspect"])
            .current_dir(zipped.dir.path()),
    )
    .code(0);
    run(upload(&zipped).args(["--repository", &server.url()]))
        .code(2)
        .stderr_has("demo_zipped-1.0.0.zip is a zip sdist: the index accepts only .tar.gz sdists")
        .stderr_has("uv build --sdist");

    assert!(server.stored().is_empty(), "{:?}", server.stored());
}

#[test]
fn the_per_file_size_limit_is_checked_before_any_request_and_raisable() {
    let server = PypiServer::start();
    let dir = TempDir::new();
    write_project(&dir, "demo-big", "1.0.0");
    support::add_blob(&dir, "demo-big", 3 << 20);
    uv_build(dir.path());
    let built = Built { dir };
    run(upload(&built).args(["--repository", &server.url(), "--max-file-size", "2MiB"]))
        .code(2)
        .stderr_has("demo_big-1.0.0-py3-none-any.whl: file-size")
        .stderr_has("over the per-file limit of 2 MiB");
    run(upload(&built)
        .args(["--repository", &server.url()])
        .env("PBX_MAX_FILE_SIZE", "2MiB"))
    .code(2)
    .stderr_has("file-size");
    run(upload(&built).args(["--repository", &server.url(), "--max-file-size", "0"]))
        .code(2)
        .stderr_has("--max-file-size");
    assert!(server.stored().is_empty(), "{:?}", server.stored());
    // A project whose limit was raised: the same files go up.
    run(upload(&built).args(["--repository", &server.url(), "--max-file-size", "200MiB"])).code(0);
    assert_eq!(server.stored(), built.digests());
}

#[test]
fn credentials_never_appear_in_any_output() {
    let secret = "pypi-AgEIcHlwaS5vcmc-s3cr3t-t0k3n";
    let server = PypiServer::start_with_auth("__token__", secret);
    let built = Built::new("demo-secret", "0.3.0");
    let outputs = built.dir.join("github-output");
    let summary = built.dir.join("step-summary");
    let mut everything = Vec::new();
    let mut check = |cmd: &mut Command, code: i32| {
        let out = cmd
            .env("GITHUB_ACTIONS", "true")
            .env("GITHUB_OUTPUT", &outputs)
            .env("GITHUB_STEP_SUMMARY", &summary)
            .output()
            .unwrap();
        assert_eq!(
            out.status.code(),
            Some(code),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
        // The only place the secret may appear is the mask command itself,
        // and that comes before anything else.
        let first = stderr.lines().next().unwrap_or("");
        assert!(first.starts_with("::add-mask::"), "{stderr}");
        let rest: String = stderr
            .lines()
            .filter(|l| !l.starts_with("::add-mask::"))
            .collect::<Vec<_>>()
            .join("\n");
        everything.extend_from_slice(rest.as_bytes());
        everything.extend_from_slice(&out.stdout);
    };
    // Env token, --format json, then a wrong token (the 401 answer),
    // then --password-stdin.
    check(
        upload(&built)
            .args(["--repository", &server.url(), "--format", "json"])
            .env("TWINE_PASSWORD", secret),
        0,
    );
    let second = Built::new("demo-secret", "0.3.1");
    check(
        upload(&second)
            .args(["--repository", &server.url()])
            .env("UV_PUBLISH_TOKEN", format!("{secret}-wrong")),
        1,
    );
    let third = Built::new("demo-secret", "0.3.2");
    let mut child = upload(&third)
        .args(["--repository", &server.url(), "--password-stdin"])
        .env("GITHUB_ACTIONS", "true")
        .env("GITHUB_OUTPUT", &outputs)
        .env("GITHUB_STEP_SUMMARY", &summary)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    child
        .stdin
        .take()
        .unwrap()
        .write_all(format!("{secret}\n").as_bytes())
        .unwrap();
    let out = child.wait_with_output().unwrap();
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.starts_with(&format!("::add-mask::{secret}\n")),
        "{stderr}"
    );
    everything.extend(
        stderr
            .lines()
            .filter(|l| !l.starts_with("::add-mask::"))
            .flat_map(|l| l.bytes()),
    );
    everything.extend_from_slice(&out.stdout);
    everything.extend(std::fs::read(&outputs).unwrap());
    everything.extend(std::fs::read(&summary).unwrap());

    let text = String::from_utf8_lossy(&everything);
    assert!(!text.contains(secret), "the secret leaked:\n{text}");
    assert!(
        !text.contains("s3cr3t"),
        "part of the secret leaked:\n{text}"
    );
    // The uploads did happen, and the outputs name them.
    assert_eq!(server.listed("demo-secret").len(), 4);
    let outputs_text = std::fs::read_to_string(&outputs).unwrap();
    assert!(outputs_text.contains("uploaded=true"), "{outputs_text}");
    assert!(outputs_text.contains("version=0.3.2"), "{outputs_text}");
}

#[test]
fn credentials_over_plain_http_to_another_host_are_refused() {
    let built = Built::new("demo-http", "1.0.0");
    run(upload(&built)
        .args(["--repository", "http://pypi.example.invalid/legacy/"])
        .env("TWINE_PASSWORD", "pypi-secret"))
    .code(2)
    .stderr_has("plain http");
}

#[test]
fn password_stdin_and_pypirc_sections_authenticate() {
    let server = PypiServer::start_with_auth("alice", "wonderland");
    let built = Built::new("demo-auth", "1.0.0");
    // Without credentials pypiserver refuses: exit 1, not consumed.
    let refused = run(upload(&built).args(["--repository", &server.url(), "--format", "json"]));
    refused.code(1);
    assert_eq!(refused.json()["outcome"], "rejected");
    assert!(server.stored().is_empty());
    // A custom .pypirc section names the index and the credentials.
    let pypirc = built.dir.write(
        "pypirc",
        &format!(
            "[distutils]\nindex-servers =\n    local\n\n[local]\nrepository = {}\nusername = alice\npassword = wonderland\n",
            server.url()
        ),
    );
    let ok = run(upload(&built)
        .args(["--repository", "local", "--format", "json"])
        .env("PYPIRC", &pypirc));
    ok.code(0);
    assert!(ok.json()["credentials"]
        .as_str()
        .unwrap()
        .ends_with("[local]"));
    assert_eq!(server.listed("demo-auth"), built.digests());
}

/// A `.pypirc` that is a FIFO or a device is refused at once (reading it
/// would hang or fill memory), before any request.
#[cfg(unix)]
#[test]
fn a_pypirc_that_is_a_fifo_or_device_is_refused_at_once() {
    let built = Built::new("demo-fifo", "1.0.0");
    let fifo = built.dir.join("pypirc-fifo");
    support::mkfifo(&fifo);
    for pypirc in [fifo.as_path(), Path::new("/dev/zero")] {
        let refused = run(upload(&built)
            .args(["--repository", "local"])
            .env("PYPIRC", pypirc));
        refused
            .code(2)
            .stderr_has(&pypirc.display().to_string())
            .stderr_has("not a regular file");
    }
}

/// Uploads `built` through `proxy` (in front of `server`) and checks the
/// end state: exit 0 and every file exactly once on the real index.
fn upload_through(proxy: &FaultProxy, server: &PypiServer, built: &Built) -> serde_json::Value {
    let done = run(upload(built).args(["--repository", &proxy.url(), "--format", "json"]));
    done.code(0);
    assert_eq!(server.stored(), built.digests(), "{}", done.stderr);
    assert_eq!(server.listed(&built_name(built)), built.digests());
    done.json()
}

fn built_name(built: &Built) -> String {
    let first = built.files()[0]
        .file_name()
        .unwrap()
        .to_string_lossy()
        .into_owned();
    first.split('-').next().unwrap().replace('_', "-")
}

#[test]
fn a_connection_reset_before_the_body_is_retried() {
    let server = PypiServer::start();
    let proxy = FaultProxy::start(&server.url());
    proxy.on("POST", "/", Fault::ResetBeforeBody);
    let built = Built::new("demo-reset-before", "1.0.0");
    let report = upload_through(&proxy, &server, &built);
    // The first file needed a second POST (nothing had landed), the second one.
    assert_eq!(proxy.count("POST", "/"), 3);
    assert_eq!(report["files"][0]["state"], "uploaded");
    assert_eq!(report["files"][0]["attempts"], 2);
}

#[test]
fn a_connection_reset_after_the_body_is_reconciled_not_reposted() {
    let server = PypiServer::start();
    let proxy = FaultProxy::start(&server.url());
    proxy.on("POST", "/", Fault::ResetAfterBody);
    let built = Built::new("demo-reset-after", "1.0.0");
    let report = upload_through(&proxy, &server, &built);
    // The index stored the first file; pbx saw it on the simple API and did
    // not POST it again.
    assert_eq!(proxy.count("POST", "/"), 2);
    assert_eq!(report["files"][0]["state"], "reconciled");
    assert_eq!(report["files"][1]["state"], "uploaded");
}

#[test]
fn a_503_then_success() {
    let server = PypiServer::start();
    let proxy = FaultProxy::start(&server.url());
    proxy.on_times("POST", "/", Fault::Status(503, Some(0)), 2);
    let built = Built::new("demo-503", "1.0.0");
    let report = upload_through(&proxy, &server, &built);
    assert_eq!(proxy.count("POST", "/"), 4);
    assert_eq!(report["files"][0]["attempts"], 3);
}

#[test]
fn a_500_after_the_index_stored_the_file_is_not_reported_as_already_existing() {
    // twine#199: a gateway error after the index stored the file, then the
    // re-POST is told the file exists. pbx checks the index first.
    let server = PypiServer::start();
    let proxy = FaultProxy::start(&server.url());
    proxy.on("POST", "/", Fault::StatusAfterForward(502));
    let built = Built::new("demo-gateway", "1.0.0");
    let report = upload_through(&proxy, &server, &built);
    assert_eq!(report["files"][0]["state"], "reconciled");
    assert_eq!(proxy.count("POST", "/"), 2);
}

#[test]
fn a_stalled_or_truncated_answer_is_reconciled() {
    let server = PypiServer::start();
    let proxy = FaultProxy::start(&server.url());
    proxy.on("POST", "/", Fault::Stall(Duration::from_secs(6)));
    proxy.on("POST", "/", Fault::Truncate);
    let built = Built::new("demo-stall", "1.0.0");
    let report = upload_through(&proxy, &server, &built);
    assert_eq!(report["files"][0]["state"], "reconciled");
    assert_eq!(report["files"][1]["state"], "reconciled");
    assert_eq!(proxy.count("POST", "/"), 2);
}

#[test]
fn an_index_that_cannot_be_read_is_exit_3_and_nothing_is_sent() {
    let server = PypiServer::start();
    let proxy = FaultProxy::start(&server.url());
    proxy.on_times("GET", "/simple/", Fault::Status(503, None), 100);
    let built = Built::new("demo-down", "1.0.0");
    run(upload(&built)
        .args(["--repository", &proxy.url()])
        .env("PBX_HTTP_RETRIES", "2"))
    .code(3)
    .stderr_has("unreachable after 3 attempt(s)");
    assert_eq!(proxy.count("POST", "/"), 0);
    assert!(server.stored().is_empty());
}

#[test]
fn a_partial_upload_says_the_version_is_consumed_and_names_the_next() {
    let server = PypiServer::start();
    let proxy = FaultProxy::start(&server.url());
    let built = Built::new("demo-partial", "3.0.0");
    // The first file passes; every POST after it gets a 503.
    proxy.on("POST", "/", Fault::Pass);
    proxy.on_times("POST", "/", Fault::Status(503, None), 100);
    let result = run(upload(&built)
        .args(["--repository", &proxy.url(), "--format", "json"])
        .env("PBX_HTTP_RETRIES", "2"));
    result
        .code(1)
        .stderr_has("partial upload")
        .stderr_has("now consumed");
    let report = result.json();
    assert_eq!(report["outcome"], "partial");
    assert_eq!(report["files"][0]["state"], "uploaded");
    assert_eq!(report["files"][1]["state"], "unreachable");
    assert_eq!(report["next_version"], "3.0.0.post1");
    // The real index holds exactly the first file (uploads go sdist first).
    let stored = server.stored();
    assert_eq!(stored.len(), 1);
    let first = built
        .files()
        .into_iter()
        .find(|p| p.to_string_lossy().ends_with(".tar.gz"))
        .unwrap()
        .file_name()
        .unwrap()
        .to_string_lossy()
        .into_owned();
    assert_eq!(stored[&first], built.digests()[&first]);
}

/// An in-test stand-in for PyPI: PEP 691 JSON simple pages, a 400 "File
/// already exists" for one filename, and the trusted-publishing endpoints.
struct FakeWarehouse {
    stub: HttpStub,
    uploads: Arc<Mutex<Vec<String>>>,
}

impl FakeWarehouse {
    fn start(
        existing: Vec<(String, String)>,
        taken: Option<String>,
        mint: Response,
    ) -> FakeWarehouse {
        let uploads = Arc::new(Mutex::new(Vec::new()));
        let recorded = uploads.clone();
        let stub = HttpStub::start(move |request: &Request| {
            match (request.method.as_str(), request.path.as_str()) {
                ("GET", "/_/oidc/audience") => {
                    Response::json(200, &serde_json::json!({"audience": "testaud"}))
                }
                ("GET", path) if path.starts_with("/actions-token") => {
                    if request.header("authorization") == Some("bearer runner-request-token")
                        && path.contains("audience=testaud")
                    {
                        Response::json(
                            200,
                            &serde_json::json!({"value": "eyJ.jwt-from-actions.sig"}),
                        )
                    } else {
                        Response::new(401, "text/plain", "bad runner token")
                    }
                }
                ("POST", "/_/oidc/mint-token") => {
                    let body: serde_json::Value = serde_json::from_slice(&request.body).unwrap();
                    assert_eq!(body["token"], "eyJ.jwt-from-actions.sig");
                    mint.clone()
                }
                ("GET", path) if path.starts_with("/simple/") => {
                    let files: Vec<serde_json::Value> = existing
                        .iter()
                        .map(|(filename, sha)| {
                            serde_json::json!({"filename": filename, "url": format!("/files/{filename}"), "hashes": {"sha256": sha}})
                        })
                        .collect();
                    if files.is_empty() {
                        Response::new(404, "text/html", "Not Found")
                    } else {
                        Response::json(
                            200,
                            &serde_json::json!({"meta": {"api-version": "1.1"}, "files": files}),
                        )
                        .header("X-Shape", "pep691")
                    }
                }
                ("POST", "/legacy/") => {
                    let filename = request
                        .body
                        .windows(10)
                        .position(|w| w == b"filename=\"")
                        .map(|i| {
                            let rest = &request.body[i + 10..];
                            String::from_utf8_lossy(
                                &rest[..rest.iter().position(|&b| b == b'"').unwrap()],
                            )
                            .into_owned()
                        })
                        .unwrap();
                    if request.header("authorization").is_none() {
                        return Response::new(
                            403,
                            "text/plain",
                            "Invalid or non-existent authentication information.",
                        );
                    }
                    if taken.as_deref() == Some(filename.as_str()) {
                        return Response::json(
                            400,
                            &serde_json::json!({
                                "message": format!("400 File already exists ('{filename}', with blake2_256 hash 'abc'). See https://pypi.org/help/#file-name-reuse for more information."),
                                "code": "400 Bad Request",
                                "title": "Bad Request"
                            }),
                        );
                    }
                    recorded.lock().unwrap().push(filename);
                    Response::new(200, "text/plain", "OK")
                }
                _ => Response::new(404, "text/plain", "not found"),
            }
        });
        FakeWarehouse { stub, uploads }
    }

    fn repository(&self) -> String {
        format!("{}legacy/", self.stub.url())
    }
}

#[test]
fn pypi_400_file_already_exists_is_a_consumed_version() {
    let built = Built::new("demo-warehouse", "1.0.0rc1");
    // The file uploaded first: the sdist (one canonical order).
    let wheel = built
        .files()
        .into_iter()
        .find(|p| p.to_string_lossy().ends_with(".tar.gz"))
        .unwrap()
        .file_name()
        .unwrap()
        .to_string_lossy()
        .into_owned();
    // The simple API does not show it yet (a CDN), but the upload says it exists.
    let warehouse = FakeWarehouse::start(
        Vec::new(),
        Some(wheel.clone()),
        Response::new(500, "text/plain", ""),
    );
    let result = run(upload(&built)
        .args(["--repository", &warehouse.repository(), "--format", "json"])
        .env("TWINE_PASSWORD", "pypi-token"));
    result.code(1);
    let report = result.json();
    assert_eq!(report["outcome"], "consumed");
    assert_eq!(report["files"][0]["state"], "already_exists");
    assert!(report["files"][0]["message"]
        .as_str()
        .unwrap()
        .contains("File already exists"));
    // A release candidate outside TestPyPI fixes forward in the rc lane.
    assert_eq!(report["next_version"], "1.0.0rc2");
    assert_eq!(report["next_lane"], "rc");
    assert!(warehouse.uploads.lock().unwrap().is_empty());
}

#[test]
fn pep691_json_listing_makes_the_version_consumed() {
    let built = Built::new("demo-json", "2.1.0rc3");
    let warehouse = FakeWarehouse::start(
        vec![
            ("demo_json-2.1.0rc3.tar.gz".into(), "00".repeat(32)),
            (
                "demo_json-2.1.0rc1-py3-none-any.whl".into(),
                "11".repeat(32),
            ),
            ("demo_json-2.1.0rc4.tar.gz".into(), "22".repeat(32)),
        ],
        None,
        Response::new(500, "text/plain", ""),
    );
    let result = run(upload(&built)
        .args(["--repository", &warehouse.repository(), "--format", "json"])
        .env("TWINE_PASSWORD", "pypi-token"));
    result.code(1);
    let report = result.json();
    assert_eq!(report["outcome"], "consumed");
    assert_eq!(report["next_version"], "2.1.0rc5");
    let requests = warehouse.stub.requests();
    assert!(requests.iter().all(|r| r.method == "GET"), "{requests:?}");
    assert_eq!(
        requests[0].header("accept"),
        Some("application/vnd.pypi.simple.v1+json, text/html;q=0.1")
    );
}

#[test]
fn trusted_publishing_mints_a_masked_token_and_uploads_with_it() {
    let built = Built::new("demo-oidc", "1.0.0");
    let warehouse = FakeWarehouse::start(
        Vec::new(),
        None,
        Response::json(
            200,
            &serde_json::json!({"success": true, "token": "pypi-minted-upload-token", "expires": 900}),
        ),
    );
    let outputs = built.dir.join("out");
    let result = run(upload(&built)
        .args(["--repository", &warehouse.repository()])
        .env("GITHUB_ACTIONS", "true")
        .env("GITHUB_OUTPUT", &outputs)
        .env(
            "ACTIONS_ID_TOKEN_REQUEST_URL",
            format!("{}actions-token?api-version=2.0", warehouse.stub.url()),
        )
        .env("ACTIONS_ID_TOKEN_REQUEST_TOKEN", "runner-request-token")
        .env("PBX_UPLOAD_WAIT", "1"));
    // The fake index does not list what it took, so the run ends "not
    // listed" (exit 1); what matters here is how the token was obtained.
    assert_eq!(
        warehouse.uploads.lock().unwrap().len(),
        2,
        "{}",
        result.stderr
    );
    let uploads: Vec<Request> = warehouse
        .stub
        .requests()
        .into_iter()
        .filter(|r| r.method == "POST" && r.path == "/legacy/")
        .collect();
    use base64::Engine;
    let expected = format!(
        "Basic {}",
        base64::engine::general_purpose::STANDARD.encode("__token__:pypi-minted-upload-token")
    );
    assert!(uploads
        .iter()
        .all(|r| r.header("authorization") == Some(expected.as_str())));
    // Every secret is masked before anything else is said, and appears
    // nowhere but in the mask commands.
    let mut lines = result.stderr.lines();
    assert_eq!(lines.next(), Some("::add-mask::runner-request-token"));
    let masks: Vec<&str> = result
        .stderr
        .lines()
        .filter(|l| l.starts_with("::add-mask::"))
        .collect();
    assert!(
        masks.contains(&"::add-mask::eyJ.jwt-from-actions.sig"),
        "{}",
        result.stderr
    );
    assert!(
        masks.contains(&"::add-mask::pypi-minted-upload-token"),
        "{}",
        result.stderr
    );
    let rest: String = result
        .stderr
        .lines()
        .filter(|l| !l.starts_with("::add-mask::"))
        .collect();
    for secret in [
        "runner-request-token",
        "jwt-from-actions",
        "minted-upload-token",
    ] {
        assert!(
            !rest.contains(secret),
            "{secret} leaked:\n{}",
            result.stderr
        );
        assert!(!result.stdout.contains(secret));
    }
    result.code(1).stderr_has("not listed");
}

#[test]
fn trusted_publishing_refusals_say_what_to_configure() {
    let built = Built::new("demo-oidc-bad", "1.0.0");
    let warehouse = FakeWarehouse::start(
        Vec::new(),
        None,
        Response::json(
            422,
            &serde_json::json!({"message": "Token request failed", "errors": [
                {"code": "invalid-publisher", "description": "valid token, but no corresponding publisher (All lookup strategies exhausted)"}
            ]}),
        ),
    );
    let result = run(upload(&built)
        .args([
            "--repository",
            &warehouse.repository(),
            "--trusted-publishing",
            "always",
        ])
        .env("GITHUB_ACTIONS", "true")
        .env(
            "ACTIONS_ID_TOKEN_REQUEST_URL",
            format!("{}actions-token?api-version=2.0", warehouse.stub.url()),
        )
        .env("ACTIONS_ID_TOKEN_REQUEST_TOKEN", "runner-request-token"));
    result
        .code(2)
        .stderr_has("invalid-publisher")
        .stderr_has("add a GitHub publisher");
    assert!(warehouse.uploads.lock().unwrap().is_empty());

    // `always` outside a job that may request a token.
    run(upload(&built).args([
        "--repository",
        &warehouse.repository(),
        "--trusted-publishing",
        "always",
    ]))
    .code(2)
    .stderr_has("id-token: write");
}

#[test]
fn dry_run_checks_everything_and_sends_nothing() {
    let server = PypiServer::start();
    let proxy = FaultProxy::start(&server.url());
    let built = Built::new("demo-dry", "0.9.0");
    let result = run(upload(&built).args([
        "--repository",
        &proxy.url(),
        "--dry-run",
        "--format",
        "json",
    ]));
    result.code(0);
    assert_eq!(result.json()["outcome"], "dry_run");
    assert_eq!(proxy.count("POST", "/"), 0);
    assert_eq!(proxy.count("GET", "/simple/demo-dry/"), 1);
    assert!(server.stored().is_empty());
}

#[test]
fn devpi_a_second_real_index_with_pep691_json_and_409() {
    let devpi = DevpiServer::start();
    let built = Built::new("demo-devpi", "0.5.0");
    // The simple URL alone is enough: devpi takes uploads at its parent.
    let first = run(upload(&built).args(["--repository", &devpi.simple_url()]));
    first.code(0);
    assert_eq!(devpi.listed("demo-devpi"), built.digests());
    run(upload(&built).args([
        "--repository",
        &devpi.upload_url(),
        "--index-url",
        &devpi.simple_url(),
    ]))
    .code(1)
    .stderr_has("To publish another build, use 0.5.0.post1");

    // The same filename with other bytes, straight at the upload API: 409,
    // recognised as "already exists", and the index keeps the first file.
    let rebuilt = Built::new("demo-devpi", "0.5.0");
    rebuilt
        .dir
        .write("src/demo_devpi/extra.py", "CHANGED = True\n");
    std::fs::remove_dir_all(rebuilt.dist()).unwrap();
    uv_build(rebuilt.dir.path());
    assert_ne!(rebuilt.digests(), built.digests());
    let wheel = rebuilt
        .files()
        .into_iter()
        .find(|p| p.extension().unwrap() == "whl")
        .unwrap();
    let artifact = pbx_index::Artifact::read(&wheel).unwrap();
    let upload_url = url::Url::parse(&devpi.upload_url()).unwrap();
    let simple_url = url::Url::parse(&devpi.simple_url()).unwrap();
    let outcome = pbx_index::Client::new(pbx_index::ClientConfig::default())
        .upload(
            pbx_index::Target {
                upload: &upload_url,
                simple: &simple_url,
                credentials: None,
            },
            &artifact,
        )
        .unwrap();
    match outcome {
        pbx_index::UploadOutcome::AlreadyExists {
            status,
            index_sha256,
            ..
        } => {
            assert_eq!(status, 409);
            let name = wheel.file_name().unwrap().to_string_lossy().into_owned();
            assert_eq!(index_sha256.as_ref(), Some(&built.digests()[&name]));
        }
        other => panic!("{other:?}"),
    }
    assert_eq!(devpi.listed("demo-devpi"), built.digests());
}

#[test]
fn a_private_index_gets_the_credentials_for_reads_too() {
    let server = PypiServer::start_private("alice", "wonderland");
    let built = Built::new("demo-private", "1.0.0");
    // Without credentials the index cannot even be asked: exit 2, nothing sent.
    run(upload(&built).args(["--repository", &server.url()]))
        .code(2)
        .stderr_has("needs credentials to list files");
    assert!(server.stored().is_empty());
    let with = |built: &Built| {
        run(upload(built)
            .args(["--repository", &server.url(), "--format", "json"])
            .env("TWINE_USERNAME", "alice")
            .env("TWINE_PASSWORD", "wonderland"))
    };
    with(&built).code(0);
    assert_eq!(server.stored(), built.digests());
    // The consumed check reads the private listing.
    let again = with(&built);
    again.code(1);
    assert_eq!(again.json()["next_version"], "1.0.0.post1");
}

/// An index (or a proxy, or a firewall) that answers with an HTML error
/// page repeating the request's headers, styled with CSS and carrying
/// lines a CI runner would obey: the token appears in no form anywhere pbx
/// writes, the page is reduced to one line of text, and no line of the
/// output is a workflow command pbx did not write itself.
#[test]
fn an_error_page_echoing_the_request_leaks_no_secret_and_injects_no_command() {
    use base64::Engine;
    let secret = "pypi-AgEIcHlwaS5vcmc-echoed-t0k3n";
    let basic =
        base64::engine::general_purpose::STANDARD.encode(format!("__token__:{secret}").as_bytes());
    let stub = HttpStub::start(move |request: &Request| {
        if request.method == "POST" {
            let auth = request.header("authorization").unwrap_or("").to_string();
            Response::new(
                403,
                "text/html",
                format!(
                    "<html><head><title>403 Forbidden</title><style>body {{ font: 12px sans; }}</style></head><body><h1>Forbidden</h1><pre>Authorization: {auth}\n::error file=a.py,line=1::pwned\n::stop-commands::deadbeef\n::set-output name=x::y\n</pre></body></html>"
                ),
            )
        } else {
            Response::new(404, "text/plain", "not found")
        }
    });
    let built = Built::new("demo-echo", "1.0.0");
    let outputs = built.dir.join("github-output");
    let summary = built.dir.join("step-summary");
    let mut everything = String::new();
    for format in ["text", "json"] {
        let out = upload(&built)
            .args(["--repository", &stub.url(), "--format", format])
            .env("TWINE_PASSWORD", secret)
            .env("GITHUB_ACTIONS", "true")
            .env("GITHUB_OUTPUT", &outputs)
            .env("GITHUB_STEP_SUMMARY", &summary)
            .output()
            .unwrap();
        assert_eq!(
            out.status.code(),
            Some(1),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
        for line in stderr
            .lines()
            .chain(String::from_utf8_lossy(&out.stdout).lines())
        {
            let trimmed = line.trim_start();
            if trimmed.starts_with("::") {
                assert!(
                    trimmed.starts_with("::add-mask::")
                        || trimmed.starts_with("::error title=pbx-upload::")
                        || trimmed.starts_with("::error title=pbx::"),
                    "a command pbx did not write: {line}\n{stderr}"
                );
            }
        }
        assert!(stderr.contains("403 Forbidden: Forbidden"), "{stderr}");
        assert!(!stderr.contains("font: 12px"), "CSS dumped: {stderr}");
        let rest: String = stderr
            .lines()
            .filter(|l| !l.starts_with("::add-mask::"))
            .collect::<Vec<_>>()
            .join("\n");
        everything.push_str(&rest);
        everything.push_str(&String::from_utf8_lossy(&out.stdout));
    }
    everything.push_str(&std::fs::read_to_string(&outputs).unwrap_or_default());
    everything.push_str(&std::fs::read_to_string(&summary).unwrap_or_default());
    assert!(!everything.contains(secret), "{everything}");
    assert!(!everything.contains(&basic), "{everything}");
    assert!(!everything.contains("AgEIcHlwaS5vcmc"), "{everything}");
    assert!(
        everything.contains("***"),
        "the echo is shown, redacted: {everything}"
    );
}

/// A PEP 740 attestation in the shape the PyPA publish action and uv write
/// beside each file (`<file>.publish.attestation`).
fn attestation_for(name: &str, sha256: &str) -> String {
    use base64::Engine as _;
    let statement = serde_json::json!({
        "_type": "https://in-toto.io/Statement/v1",
        "subject": [{"name": name, "digest": {"sha256": sha256}}],
        "predicateType": "https://docs.pypi.org/attestations/publish/v1",
        "predicate": null,
    });
    serde_json::json!({
        "version": 1,
        "verification_material": {"certificate": "MIIB", "transparency_entries": [{"logIndex": "1"}]},
        "envelope": {
            "statement": base64::engine::general_purpose::STANDARD.encode(statement.to_string()),
            "signature": "c2lnbmF0dXJl",
        },
    })
    .to_string()
}

/// An index that records every upload's form and lists what it took
/// (PEP 691 JSON), as warehouse does.
fn recording_index() -> (HttpStub, Arc<Mutex<Vec<Request>>>) {
    let posts: Arc<Mutex<Vec<Request>>> = Arc::new(Mutex::new(Vec::new()));
    let recorded = posts.clone();
    let stub = HttpStub::start(move |request: &Request| match request.method.as_str() {
        "POST" => {
            recorded.lock().unwrap().push(request.clone());
            Response::new(200, "text/plain", "OK")
        }
        "GET" if request.path.starts_with("/simple/") => {
            let files: Vec<serde_json::Value> = recorded
                .lock()
                .unwrap()
                .iter()
                .map(|post| {
                    let body = String::from_utf8_lossy(&post.body);
                    let filename = body
                        .split("filename=\"")
                        .nth(1)
                        .and_then(|rest| rest.split('"').next())
                        .unwrap()
                        .to_string();
                    let sha = post.form_field("sha256_digest").unwrap();
                    serde_json::json!({"filename": filename, "url": format!("/files/{filename}"), "hashes": {"sha256": sha}})
                })
                .collect();
            if files.is_empty() {
                Response::new(404, "text/html", "Not Found")
            } else {
                Response::json(
                    200,
                    &serde_json::json!({"meta": {"api-version": "1.1"}, "files": files}),
                )
            }
        }
        _ => Response::new(404, "text/plain", "not found"),
    });
    (stub, posts)
}

#[test]
fn pep740_attestations_beside_the_files_go_with_their_upload() {
    let built = Built::new("demo-attest", "1.0.0");
    let digests = built.digests();
    let (wheel, wheel_sha) = digests.iter().find(|(f, _)| f.ends_with(".whl")).unwrap();
    let (sdist, _) = digests
        .iter()
        .find(|(f, _)| f.ends_with(".tar.gz"))
        .unwrap();
    let attestation = attestation_for(wheel, wheel_sha);
    std::fs::write(
        built.dist().join(format!("{wheel}.publish.attestation")),
        &attestation,
    )
    .unwrap();

    let (stub, posts) = recording_index();
    run(upload(&built)
        .args(["--repository", &format!("{}legacy/", stub.url())])
        .env("TWINE_PASSWORD", "pypi-token"))
    .code(0);
    let posts = posts.lock().unwrap();
    assert_eq!(posts.len(), 2, "one request per file");
    for post in posts.iter() {
        let body = String::from_utf8_lossy(&post.body);
        if body.contains(&format!("filename=\"{wheel}\"")) {
            let sent: serde_json::Value =
                serde_json::from_str(&post.form_field("attestations").expect("attestations sent"))
                    .unwrap();
            let original: serde_json::Value = serde_json::from_str(&attestation).unwrap();
            assert_eq!(
                sent,
                serde_json::json!([original]),
                "a JSON array of the file's attestation"
            );
        } else {
            assert!(body.contains(&format!("filename=\"{sdist}\"")));
            assert_eq!(
                post.form_field("attestations"),
                None,
                "no attestation, no field"
            );
        }
    }
}

#[test]
fn an_attestation_of_another_file_or_other_bytes_is_refused_before_any_request() {
    let built = Built::new("demo-attest-bad", "1.0.0");
    let digests = built.digests();
    let (wheel, _) = digests.iter().find(|(f, _)| f.ends_with(".whl")).unwrap();
    let (sdist, sdist_sha) = digests
        .iter()
        .find(|(f, _)| f.ends_with(".tar.gz"))
        .unwrap();
    let cases = [
        // The sdist's attestation beside the wheel: another name.
        (attestation_for(sdist, sdist_sha), "attests name"),
        // The wheel's name, other bytes.
        (attestation_for(wheel, &"0".repeat(64)), "attests sha256"),
        // Not an attestation at all.
        (
            "{\"envelope\": {}}".to_string(),
            "not a PEP 740 attestation",
        ),
    ];
    for (text, said) in cases {
        std::fs::write(
            built.dist().join(format!("{wheel}.publish.attestation")),
            &text,
        )
        .unwrap();
        let (stub, posts) = recording_index();
        run(upload(&built)
            .args(["--repository", &format!("{}legacy/", stub.url())])
            .env("TWINE_PASSWORD", "pypi-token"))
        .code(2)
        .stderr_has(said)
        .stderr_has(".publish.attestation");
        assert!(posts.lock().unwrap().is_empty());
        assert!(
            stub.requests().is_empty(),
            "no request at all: {:?}",
            stub.requests().len()
        );
    }
}

/// Two runs racing to publish one version from two different builds, each
/// naming its files in the opposite order: files go up in one canonical
/// order (the sdist first), so exactly one run wins, the index ends up
/// holding one build's files only, and the other run says that another
/// upload of the version landed under it. When pypiserver accepts the same
/// file from both (its own race: see the test's body), both runs fail and
/// say why.
#[test]
fn two_racing_uploads_of_one_version_leave_one_build_on_the_index() {
    let server = PypiServer::start();
    let first = Built::new("demo-race", "1.0.0");
    let second = Built::new("demo-race", "1.0.0");
    second.dir.write("src/demo_race/other.py", "X = 2\n");
    uv_build(second.dir.path());
    let mut forward = first.files();
    forward.sort();
    let mut backward = second.files();
    backward.sort();
    backward.reverse();
    let spawn = |built: &Built, files: &[PathBuf]| {
        upload(built)
            .args(["--repository", &server.url(), "--format", "json"])
            .args(files)
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap()
    };
    let a = spawn(&first, &forward);
    let b = spawn(&second, &backward);
    let (a, b) = (a.wait_with_output().unwrap(), b.wait_with_output().unwrap());
    let codes = [a.status.code(), b.status.code()];
    let said = |out: &std::process::Output| {
        let report: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
        let other_bytes = report["files"]
            .as_array()
            .unwrap()
            .iter()
            .any(|f| f["state"] == "digest_differs");
        let lost = report
            .to_string()
            .contains("another upload of demo-race 1.0.0 is landing")
            || report["outcome"] == "consumed";
        (report.to_string(), other_bytes, lost)
    };
    if codes == [Some(1), Some(1)] {
        // pypiserver's "file exists" check and its write are not one step:
        // two POSTs of one file arriving together can both be accepted, the
        // later bytes replacing the earlier (PyPI refuses the second in its
        // database). pbx's part is then to say so and fail: a run finds the
        // index listing other bytes than it sent, and the other either
        // finds the same or was refused as the second upload.
        let (text_a, other_a, lost_a) = said(&a);
        let (text_b, other_b, lost_b) = said(&b);
        assert!(
            other_a || other_b,
            "both runs failed, and neither found the index listing other bytes:\n{text_a}\n{text_b}"
        );
        assert!(other_a || lost_a, "{text_a}");
        assert!(other_b || lost_b, "{text_b}");
        return;
    }
    assert!(codes.contains(&Some(0)), "one run wins: {codes:?}");
    assert!(codes.contains(&Some(1)), "the other does not: {codes:?}");
    let stored = server.stored();
    let winner = if a.status.code() == Some(0) {
        &first
    } else {
        &second
    };
    assert_eq!(
        stored,
        winner.digests(),
        "only the winner's build is on the index"
    );
    let loser = if a.status.code() == Some(0) { &b } else { &a };
    let (text, _, lost) = said(loser);
    assert!(lost, "{text}");
}

/// The index stores the file but the answer is lost, and its listing lags
/// for longer than the old fixed 10 s: reconciliation looks as long as the
/// upload's --wait, so the file counts as this run's (not "nothing landed"),
/// and the report counts every POST.
#[test]
fn a_lost_answer_and_a_lagging_listing_are_reconciled_within_the_wait() {
    let server = PypiServer::start();
    let proxy = FaultProxy::start(&server.url());
    proxy.on("POST", "/", Fault::ResetAfterBody);
    // The project's page answers 404 (not listed yet) about 13 s long.
    proxy.on_times("GET", "/simple/demo-lag/", Fault::Status(404, None), 12);
    let built = Built::new("demo-lag", "1.0.0");
    let run = run(upload(&built)
        .args([
            "--repository",
            &proxy.url(),
            "--format",
            "json",
            "--wait",
            "60s",
        ])
        .env("PBX_HTTP_RETRIES", "1"));
    run.code(0);
    let report = run.json();
    assert_eq!(report["outcome"], "uploaded", "{report:#}");
    assert_eq!(report["files"][0]["state"], "reconciled");
    assert!(
        report["files"][0]["attempts"].as_u64().unwrap() >= 1,
        "{report:#}"
    );
    assert_eq!(server.stored(), built.digests());
}

/// SIGTERM (a cancelled Actions job) while a file is on its way: pbx-upload
/// stops sending, says what landed and what did not, that the version is
/// now consumed and which version comes next, in every output, and exits
/// non-zero.
#[cfg(unix)]
#[test]
fn sigterm_during_an_upload_reports_what_landed_in_every_output() {
    let server = PypiServer::start();
    let proxy = FaultProxy::start(&server.url());
    // The first POST reaches the index, whose answer is held back.
    proxy.on_times("POST", "/", Fault::Stall(Duration::from_secs(30)), 1);
    let built = Built::new("demo-sigterm", "1.0.0");
    let outputs = built.dir.join("github-output");
    let summary = built.dir.join("step-summary");
    let child = upload(&built)
        .args(["--repository", &proxy.url(), "--format", "json", "--no-git"])
        .env("PBX_HTTP_TIMEOUT", "3")
        .env("GITHUB_ACTIONS", "true")
        .env("GITHUB_OUTPUT", &outputs)
        .env("GITHUB_STEP_SUMMARY", &summary)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    std::thread::sleep(Duration::from_millis(1500));
    let status = Command::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status()
        .unwrap();
    assert!(status.success());
    let out = child.wait_with_output().unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{stderr}");
    let report: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(report["outcome"], "partial", "{report:#}");
    assert_eq!(report["files"][0]["state"], "reconciled", "{report:#}");
    assert_eq!(report["files"][1]["state"], "not_attempted", "{report:#}");
    assert_eq!(report["next_version"], "1.0.0.post1");
    assert!(report["message"]
        .as_str()
        .unwrap()
        .contains("stopped by a signal"));
    let outputs = std::fs::read_to_string(&outputs).unwrap();
    assert!(outputs.contains("outcome=partial"), "{outputs}");
    assert!(outputs.contains("next_version=1.0.0.post1"), "{outputs}");
    let summary = std::fs::read_to_string(&summary).unwrap();
    assert!(summary.contains("stopped by a signal"), "{summary}");
    assert_eq!(server.stored().len(), 1, "exactly the first file landed");
}
