//! The index client (crates/pbx-index) against a real pypiserver, through
//! the fault proxy, and against an in-test server for PEP 691 JSON.

mod support;

use std::path::PathBuf;
use std::time::{Duration, Instant};

use pbx_index::{
    Artifact, Client, ClientConfig, Credentials, IndexError, IndexUrls, Target, UploadOutcome,
};
use pbx_version::PackageName;
use support::index::{sha256_hex, Fault, FaultProxy, HttpStub, PypiServer, Response};
use support::{uv_build, write_project, TempDir};
use url::Url;

fn quick_client() -> Client {
    Client::new(ClientConfig {
        retries: 3,
        backoff: Duration::from_millis(50),
        timeout: Duration::from_secs(2),
        connect_timeout: Duration::from_secs(2),
        ..ClientConfig::default()
    })
}

/// A wheel and an sdist of `name` `version`, built by the real `uv build`.
fn built(name: &str, version: &str) -> (TempDir, Vec<PathBuf>) {
    let dir = TempDir::new();
    write_project(&dir, name, version);
    let dist = uv_build(dir.path());
    let files = support::artifacts_in(&dist);
    assert_eq!(files.len(), 2, "{files:?}");
    (dir, files)
}

fn url(text: &str) -> Url {
    Url::parse(text).unwrap()
}

fn name(text: &str) -> PackageName {
    PackageName::new(text).unwrap()
}

#[test]
fn lists_what_twine_uploaded_with_the_local_digests() {
    let server = PypiServer::start();
    let client = quick_client();
    let index = IndexUrls::resolve(&server.url()).unwrap();
    assert_eq!(index.simple.as_str(), server.simple_url());
    assert!(client
        .list_files(&index.simple, &name("demo-list"))
        .unwrap()
        .is_empty());

    let (_dir, files) = built("Demo_List", "1.2.3");
    server.twine_upload(&files, ".", ".").code(0);
    let listed = client
        .list_files(&index.simple, &name("demo.list"))
        .unwrap();
    let mut got: Vec<(String, String, String)> = listed
        .iter()
        .map(|f| {
            (
                f.filename.clone(),
                f.sha256.clone().unwrap(),
                f.version.as_ref().unwrap().canonical(),
            )
        })
        .collect();
    got.sort();
    let mut want: Vec<(String, String, String)> = files
        .iter()
        .map(|p| {
            (
                p.file_name().unwrap().to_string_lossy().into_owned(),
                sha256_hex(&std::fs::read(p).unwrap()),
                "1.2.3".to_string(),
            )
        })
        .collect();
    want.sort();
    assert_eq!(got, want);
    assert!(listed
        .iter()
        .all(|f| !f.yanked && f.url.starts_with(&server.url())));
    // The URL really serves the file.
    let sha = client.download_sha256(&listed[0].url).unwrap();
    assert_eq!(Some(sha), listed[0].sha256);
}

#[test]
fn reads_retry_through_503_truncation_and_stalls() {
    let server = PypiServer::start();
    let (_dir, files) = built("demo-retry", "0.1.0");
    server.add_file(&files[0]);
    let proxy = FaultProxy::start(&server.url());
    let simple = url(&proxy.simple_url());
    proxy.on_times("GET", "/simple/demo-retry/", Fault::Status(503, Some(0)), 2);
    proxy.on("GET", "/simple/demo-retry/", Fault::Truncate);
    proxy.on(
        "GET",
        "/simple/demo-retry/",
        Fault::Stall(Duration::from_secs(5)),
    );
    let client = Client::new(ClientConfig {
        retries: 4,
        ..quick_client().config().clone()
    });
    let listed = client.list_files(&simple, &name("demo-retry")).unwrap();
    assert_eq!(listed.len(), 1);
    assert_eq!(proxy.count("GET", "/simple/demo-retry/"), 5);
    // Every request asked for fresh data and PEP 691 first.
    let seen = proxy.seen();
    assert!(
        seen.iter().all(|s| s.path == "/simple/demo-retry/"),
        "{seen:?}"
    );
}

#[test]
fn slow_answers_are_read_whole() {
    let server = PypiServer::start();
    let (_dir, files) = built("demo-slow", "0.1.0");
    server.add_file(&files[0]);
    server.add_file(&files[1]);
    let proxy = FaultProxy::start(&server.url());
    proxy.on(
        "GET",
        "/simple/demo-slow/",
        Fault::SlowBody {
            chunk: 64,
            delay: Duration::from_millis(20),
        },
    );
    let listed = quick_client()
        .list_files(&url(&proxy.simple_url()), &name("demo-slow"))
        .unwrap();
    assert_eq!(listed.len(), 2);
    assert_eq!(proxy.count("GET", "/simple/"), 1);
}

#[test]
fn an_index_that_keeps_failing_is_an_environment_error() {
    let server = PypiServer::start();
    let proxy = FaultProxy::start(&server.url());
    proxy.on_times("GET", "/simple/", Fault::Status(503, None), 10);
    let err = quick_client()
        .list_files(&url(&proxy.simple_url()), &name("anything"))
        .unwrap_err();
    assert!(err.is_environment(), "{err}");
    assert!(
        matches!(err, IndexError::Unreachable { attempts: 4, .. }),
        "{err}"
    );
    assert_eq!(proxy.count("GET", "/simple/"), 4);

    // Nothing listening at all.
    let port = support::index::free_port();
    let started = Instant::now();
    let err = quick_client()
        .list_files(
            &url(&format!("http://127.0.0.1:{port}/simple/")),
            &name("x"),
        )
        .unwrap_err();
    assert!(err.is_environment(), "{err}");
    assert!(started.elapsed() < Duration::from_secs(10));
}

#[test]
fn client_errors_are_not_retried() {
    let stub = HttpStub::start(|_| Response::new(403, "text/plain", "go away"));
    let err = quick_client()
        .list_files(&url(&format!("{}simple/", stub.url())), &name("demo"))
        .unwrap_err();
    assert!(
        matches!(err, IndexError::Status { status: 403, .. }),
        "{err}"
    );
    assert_eq!(stub.requests().len(), 1);
}

#[test]
fn pep691_json_is_preferred_and_parsed() {
    let stub = HttpStub::start(|request| {
        if request.path == "/simple/demo/" {
            Response::json(
                200,
                &serde_json::json!({
                    "meta": {"api-version": "1.1"},
                    "name": "demo",
                    "files": [
                        {"filename": "demo-1.0-py3-none-any.whl", "url": "../../files/demo-1.0-py3-none-any.whl",
                         "hashes": {"sha256": "AA11"}, "requires-python": ">=3.9", "yanked": false},
                        {"filename": "demo-1.0.post1.tar.gz", "url": "https://files.example.org/demo-1.0.post1.tar.gz",
                         "hashes": {"sha256": "bb22"}, "yanked": "broken"}
                    ],
                    "versions": ["1.0", "1.0.post1"]
                }),
            )
            .header("Content-Type", "application/vnd.pypi.simple.v1+json")
        } else {
            Response::new(404, "text/html", "not found")
        }
    });
    let client = quick_client();
    let simple = url(&format!("{}simple/", stub.url()));
    let files = client.list_files(&simple, &name("Demo")).unwrap();
    assert_eq!(files.len(), 2);
    assert_eq!(
        files[0].url,
        format!("{}files/demo-1.0-py3-none-any.whl", stub.url())
    );
    assert_eq!(files[0].sha256.as_deref(), Some("aa11"));
    assert_eq!(files[0].requires_python.as_deref(), Some(">=3.9"));
    assert!(files[1].yanked);
    assert_eq!(files[1].version.as_ref().unwrap().canonical(), "1.0.post1");
    let request = &stub.requests()[0];
    assert_eq!(
        request.header("accept"),
        Some("application/vnd.pypi.simple.v1+json, text/html;q=0.1")
    );
    assert_eq!(request.header("cache-control"), Some("no-cache"));
    assert!(request.header("user-agent").unwrap().starts_with("pbx/"));
    assert!(client
        .list_files(&simple, &name("other"))
        .unwrap()
        .is_empty());
}

#[test]
fn credentials_never_go_over_plain_http_to_another_host() {
    let (_dir, files) = built("demo-creds", "1.0.0");
    let artifact = Artifact::read(&files[0]).unwrap();
    let upload = url("http://example.invalid/legacy/");
    let simple = url("http://example.invalid/simple/");
    let credentials = Credentials::new("__token__", "pypi-secret");
    let err = quick_client()
        .upload(
            Target {
                upload: &upload,
                simple: &simple,
                credentials: Some(&credentials),
            },
            &artifact,
        )
        .unwrap_err();
    assert!(
        matches!(err, IndexError::InsecureCredentials { .. }),
        "{err}"
    );
    assert!(!err.to_string().contains("pypi-secret"));
}

#[test]
fn uploads_stream_every_field_and_land_on_the_real_index() {
    let server = PypiServer::start_with_auth("alice", "wonderland");
    let (_dir, files) = built("demo-up", "2.0.0");
    let index = IndexUrls::resolve(&server.url()).unwrap();
    let client = quick_client();
    let credentials = Credentials::new("alice", "wonderland");
    let target = Target {
        upload: &index.upload,
        simple: &index.simple,
        credentials: Some(&credentials),
    };
    let artifacts: Vec<Artifact> = files.iter().map(|f| Artifact::read(f).unwrap()).collect();
    for artifact in &artifacts {
        assert_eq!(
            client.upload(target, artifact).unwrap(),
            UploadOutcome::Uploaded {
                attempts: 1,
                reconciled: false
            }
        );
    }
    assert_eq!(server.stored(), server.listed("demo-up"));
    let awaited: Vec<(String, String)> = artifacts
        .iter()
        .map(|a| (a.filename().to_string(), a.sha256.clone()))
        .collect();
    let outcome = pbx_release::index::wait_until_listed(
        &client,
        pbx_release::index::Awaited {
            simple: &index.simple,
            package: &artifacts[0].dist.name,
            version: &artifacts[0].dist.version,
            files: &awaited,
        },
        Duration::from_secs(5),
        pbx_release::index::Polling::default(),
        &std::sync::atomic::AtomicBool::new(false),
        &mut |_| {},
    )
    .unwrap();
    assert!(outcome.complete, "{outcome:?}");
    assert!(outcome.matches.iter().all(|m| m.is_same()), "{outcome:?}");
    // A second upload of the same file: pypiserver says 409.
    match client.upload(target, &artifacts[0]).unwrap() {
        UploadOutcome::AlreadyExists {
            status,
            index_sha256,
            ..
        } => {
            assert_eq!(status, 409);
            assert_eq!(index_sha256.as_deref(), Some(artifacts[0].sha256.as_str()));
        }
        other => panic!("{other:?}"),
    }
    // Wrong password: refused, nothing retried.
    let wrong = Credentials::new("alice", "nope");
    let outcome = client
        .upload(
            Target {
                credentials: Some(&wrong),
                ..target
            },
            &artifacts[0],
        )
        .unwrap();
    assert!(
        matches!(
            outcome,
            UploadOutcome::Rejected {
                status: 401 | 403,
                ..
            }
        ),
        "{outcome:?}"
    );
}

#[test]
fn the_form_carries_metadata_and_all_three_digests() {
    let stub = HttpStub::start(|_| Response::new(200, "text/plain", "OK"));
    let (_dir, files) = built("demo-form", "3.1.0rc2");
    let upload = url(&stub.url());
    let simple = url(&format!("{}simple/", stub.url()));
    for file in &files {
        let artifact = Artifact::read(file).unwrap();
        let outcome = quick_client()
            .upload(
                Target {
                    upload: &upload,
                    simple: &simple,
                    credentials: None,
                },
                &artifact,
            )
            .unwrap();
        assert!(outcome.is_uploaded());
    }
    let requests = stub.requests();
    assert_eq!(requests.len(), 2);
    for (request, file) in requests.iter().zip(&files) {
        let bytes = std::fs::read(file).unwrap();
        assert_eq!(
            request.form_field(":action").as_deref(),
            Some("file_upload")
        );
        assert_eq!(request.form_field("protocol_version").as_deref(), Some("1"));
        assert_eq!(request.form_field("name").as_deref(), Some("demo-form"));
        assert_eq!(request.form_field("version").as_deref(), Some("3.1.0rc2"));
        assert_eq!(
            request.form_field("requires_python").as_deref(),
            Some(">=3.9")
        );
        assert_eq!(
            request.form_field("sha256_digest"),
            Some(sha256_hex(&bytes))
        );
        // The SHA-256 is the one digest: the upload API takes any one, and
        // hashing a BLAKE2b-256 as the file goes out slowed the sending.
        // No MD5 either: twine 7 and uv dropped it.
        assert_eq!(request.form_field("md5_digest"), None);
        assert_eq!(request.form_field("blake2_256_digest"), None);
        let is_wheel = file.extension().unwrap() == "whl";
        assert_eq!(
            request.form_field("filetype").as_deref(),
            Some(if is_wheel { "bdist_wheel" } else { "sdist" })
        );
        assert_eq!(
            request.form_field("pyversion").as_deref(),
            Some(if is_wheel { "py3" } else { "source" })
        );
        // The content part is the file, byte for byte, and the declared
        // length is the body's.
        let body = &request.body;
        let start = body
            .windows(4)
            .enumerate()
            .filter(|(_, w)| *w == b"\r\n\r\n")
            .map(|(i, _)| i + 4)
            .find(|&i| body[i..].starts_with(&bytes[..16]))
            .unwrap();
        assert_eq!(&body[start..start + bytes.len()], &bytes[..]);
        assert_eq!(
            request.header("content-length").unwrap(),
            body.len().to_string()
        );
        assert!(request
            .header("content-type")
            .unwrap()
            .starts_with("multipart/form-data; boundary="));
    }
}

#[test]
fn redirects_are_followed_without_credentials_only_within_the_host() {
    let target = HttpStub::start(|request| {
        Response::new(
            200,
            "text/html",
            format!(
                "<a href=\"/files/demo-1.0.tar.gz#sha256=ab\">demo-1.0.tar.gz</a> {}",
                request.header("authorization").unwrap_or("no-auth")
            ),
        )
    });
    // The same server under another host name: `localhost` instead of 127.0.0.1.
    let elsewhere = target.url().replace("127.0.0.1", "localhost");
    let redirecting = HttpStub::start(move |request| {
        Response::new(301, "text/plain", "moved").header(
            "Location",
            &format!("{elsewhere}simple{}", &request.path[7..]),
        )
    });
    let simple = url(&format!("{}simple/", redirecting.url()));
    let client = quick_client();
    let files = client.list_files(&simple, &name("demo")).unwrap();
    assert_eq!(files.len(), 1);
    let credentials = Credentials::new("alice", "s3cret");
    let err = client
        .list_files_as(&simple, &name("demo"), Some(&credentials))
        .unwrap_err();
    assert!(matches!(err, IndexError::Redirected { .. }), "{err}");
    // The credentials never reached the other host.
    assert!(target
        .requests()
        .iter()
        .all(|r| r.header("authorization").is_none()));
}

#[test]
fn retry_after_is_honoured() {
    let server = PypiServer::start();
    let proxy = FaultProxy::start(&server.url());
    proxy.on("GET", "/simple/", Fault::Status(429, Some(1)));
    let started = Instant::now();
    let files = quick_client()
        .list_files(&url(&proxy.simple_url()), &name("demo"))
        .unwrap();
    assert!(files.is_empty());
    // The backoff alone would be 25–50 ms; the index asked for a second.
    assert!(started.elapsed() >= Duration::from_secs(1));
    assert_eq!(proxy.count("GET", "/simple/"), 2);
}
