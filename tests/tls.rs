//! Networks as users have them, end to end through the real binaries: a
//! real pypiserver behind a TLS front whose CA is made here (as a private
//! index, or a TLS-inspecting proxy, looks to pbx), a client-certificate
//! index, and a CONNECT proxy (as squid) that counts what it carried.
//!
//! What is proven: a certificate pbx does not trust fails on the first
//! attempt (one TCP connection, no retry) with exit 3 and a message that
//! names PBX_CERT / TWINE_CERT / SSL_CERT_FILE; each of those settings then
//! makes it work; unusable files are exit 2 naming the variable and file;
//! HTTP(S)_PROXY carries the requests, NO_PROXY and this machine bypass it.

mod support;

use std::path::Path;
use std::process::Command;

use support::index::PypiServer;
use support::tls::{ConnectProxy, Socks5Proxy, TestCa, TlsFront};
use support::{pbx, uv_build, write_project, Run, TempDir};

const WHEEL: &str = "demo_pkg-1.2.0-py3-none-any.whl";
const SDIST: &str = "demo_pkg-1.2.0.tar.gz";

/// A built project, and a real pypiserver holding exactly its files.
fn published() -> (TempDir, PypiServer) {
    let project = TempDir::new();
    write_project(&project, "demo-pkg", "1.2.0");
    let dist = uv_build(project.path());
    let server = PypiServer::start();
    server.add_file(&dist.join(WHEEL));
    server.add_file(&dist.join(SDIST));
    (project, server)
}

/// `pbx-checksum compare --index INDEX` in `dir`, with the machine's own
/// TLS and proxy settings removed so only `env` counts, and a retry budget
/// that would show any retry.
fn compare(dir: &Path, index: &str, env: &[(&str, &str)]) -> Run {
    let mut cmd = pbx("pbx-checksum");
    clean_network_env(&mut cmd);
    cmd.args(["compare", "--index", index])
        .current_dir(dir)
        .env("PBX_HTTP_RETRIES", "3")
        .env("PBX_HTTP_BACKOFF_MS", "10")
        .env("PBX_HTTP_TIMEOUT", "10");
    for (key, value) in env {
        cmd.env(key, value);
    }
    Run::of(&mut cmd)
}

fn clean_network_env(cmd: &mut Command) {
    for key in [
        "SSL_CERT_FILE",
        "SSL_CERT_DIR",
        "HTTPS_PROXY",
        "https_proxy",
        "HTTP_PROXY",
        "http_proxy",
        "ALL_PROXY",
        "all_proxy",
        "NO_PROXY",
        "no_proxy",
    ] {
        cmd.env_remove(key);
    }
}

fn same_both(run: &Run) {
    run.code(0)
        .stdout_is(&format!("SAME  {WHEEL}\nSAME  {SDIST}\n"));
}

#[test]
fn an_untrusted_certificate_is_one_attempt_and_exit_3_until_its_ca_is_given() {
    let (project, server) = published();
    let ca = TestCa::new();
    let front = TlsFront::start(ca.server_config(false), server.port());
    let dir = TempDir::new();
    let ca_pem = ca.write_ca(dir.path(), "ca.pem");
    let ca_pem = ca_pem.to_str().unwrap();

    // The platform's store does not know the test CA.
    let run = compare(project.path(), &front.url(), &[]);
    run.code(3)
        .stderr_has("TLS certificate problem")
        .stderr_has("not trusted (issued by a CA that is not trusted here)")
        .stderr_has("the platform's trust store")
        .stderr_has("PBX_CERT")
        .stderr_has("TWINE_CERT")
        .stderr_has("SSL_CERT_FILE");
    assert!(!run.stderr.contains("retrying"), "{}", run.stderr);
    assert!(!run.stderr.contains("unreachable"), "{}", run.stderr);
    assert_eq!(front.connections(), 1, "one attempt, never retried");
    assert_eq!(front.handshakes(), 0);

    // Each way of giving the CA works: pbx's own, twine's, OpenSSL's.
    for var in ["PBX_CERT", "TWINE_CERT", "SSL_CERT_FILE"] {
        same_both(&compare(project.path(), &front.url(), &[(var, ca_pem)]));
    }
    // SSL_CERT_DIR (a directory of PEM files, as `openssl rehash` leaves).
    let certs = TempDir::new();
    ca.write_ca(certs.path(), "pbx-test-ca.pem");
    same_both(&compare(
        project.path(),
        &front.url(),
        &[("SSL_CERT_DIR", certs.path().to_str().unwrap())],
    ));

    // PBX_CERT replaces the trust store (as twine --cert): a bundle
    // without this CA fails, and says it was the bundle that was trusted.
    let other = TestCa::new().write_ca(dir.path(), "other-ca.pem");
    compare(
        project.path(),
        &front.url(),
        &[("PBX_CERT", other.to_str().unwrap())],
    )
    .code(3)
    .stderr_has("only the 1 certificate(s) of PBX_CERT=")
    .stderr_has("other-ca.pem");

    // The certificate names localhost too.
    let by_name = format!("https://localhost:{}/", front.port());
    same_both(&compare(project.path(), &by_name, &[("PBX_CERT", ca_pem)]));
}

#[test]
fn reinstall_waiting_for_an_index_does_not_poll_an_untrusted_certificate() {
    let (_project, server) = published();
    let ca = TestCa::new();
    let front = TlsFront::start(ca.server_config(false), server.port());
    let tmp = TempDir::new();
    let started = std::time::Instant::now();
    let mut cmd = pbx("pbx-reinstall");
    clean_network_env(&mut cmd);
    let run = Run::of(
        cmd.args(["demo-pkg==1.2.0"])
            .args(["--index", &front.url(), "--wait", "60s"])
            .args(["--pythons", "3.12", "--skip-missing"])
            .env("PBX_HTTP_RETRIES", "3")
            .env("PBX_HTTP_BACKOFF_MS", "10")
            .env("TMPDIR", tmp.path())
            .current_dir(tmp.path()),
    );
    run.code(3)
        .stderr_has("TLS certificate problem")
        .stderr_has("PBX_CERT");
    assert_eq!(front.connections(), 1, "one look, never polled again");
    assert!(started.elapsed() < std::time::Duration::from_secs(30));
}

#[test]
fn unusable_certificate_files_are_input_errors_naming_the_variable_and_file() {
    let (project, _server) = published();
    let dir = TempDir::new();
    let missing = dir.join("nowhere/ca.pem");
    let junk = dir.write("junk.pem", "this is not PEM\n");
    let url = "https://127.0.0.1:9/";
    for (var, path, says) in [
        ("PBX_CERT", &missing, "cannot read the file"),
        ("TWINE_CERT", &junk, "not a usable PEM file"),
        ("SSL_CERT_FILE", &missing, "nowhere/ca.pem"),
        ("PBX_CLIENT_CERT", &junk, "holds no certificate"),
        ("TWINE_CLIENT_CERT", &missing, "cannot read the file"),
    ] {
        let run = compare(project.path(), url, &[(var, path.to_str().unwrap())]);
        run.code(2).stderr_has(&format!("{var}=")).stderr_has(says);
        assert!(
            run.stderr
                .contains(path.file_name().unwrap().to_str().unwrap()),
            "{var}: {}",
            run.stderr
        );
    }

    // A client certificate with a key that is not its own.
    let ca = TestCa::new();
    let one = ca.client_pem("one");
    let two = ca.client_pem("two");
    let cert_of_one = &one[..one.find("-----BEGIN PRIVATE KEY").unwrap()];
    let key_of_two = &two[two.find("-----BEGIN PRIVATE KEY").unwrap()..];
    let mismatched = dir.write("mismatched.pem", &format!("{cert_of_one}{key_of_two}"));
    compare(
        project.path(),
        url,
        &[("PBX_CLIENT_CERT", mismatched.to_str().unwrap())],
    )
    .code(2)
    .stderr_has("PBX_CLIENT_CERT=")
    .stderr_has("mismatched.pem")
    .stderr_has("do not work together");
    // A certificate without its key.
    let keyless = dir.write("keyless.pem", cert_of_one);
    compare(
        project.path(),
        url,
        &[("PBX_CLIENT_CERT", keyless.to_str().unwrap())],
    )
    .code(2)
    .stderr_has("no private key");
}

#[test]
fn an_index_that_wants_a_client_certificate_gets_the_one_given() {
    let (project, server) = published();
    let ca = TestCa::new();
    let front = TlsFront::start(ca.server_config(true), server.port());
    let dir = TempDir::new();
    let ca_pem = ca.write_ca(dir.path(), "ca.pem");
    let ca_pem = ca_pem.to_str().unwrap();

    let run = compare(project.path(), &front.url(), &[("PBX_CERT", ca_pem)]);
    run.code(3)
        .stderr_has("TLS certificate problem")
        .stderr_has("client certificate")
        .stderr_has("PBX_CLIENT_CERT");
    assert!(!run.stderr.contains("retrying"), "{}", run.stderr);
    assert_eq!(front.connections(), 1, "one attempt, never retried");

    let client = dir.write("client.pem", &ca.client_pem("pbx test client"));
    for var in ["PBX_CLIENT_CERT", "TWINE_CLIENT_CERT"] {
        same_both(&compare(
            project.path(),
            &front.url(),
            &[("PBX_CERT", ca_pem), (var, client.to_str().unwrap())],
        ));
    }
    // A certificate from another CA is refused by the index.
    let stranger = dir.write("stranger.pem", &TestCa::new().client_pem("stranger"));
    compare(
        project.path(),
        &front.url(),
        &[
            ("PBX_CERT", ca_pem),
            ("PBX_CLIENT_CERT", stranger.to_str().unwrap()),
        ],
    )
    .code(3)
    .stderr_has("refused our client certificate")
    .stderr_has("PBX_CLIENT_CERT=");
}

#[test]
fn proxies_carry_the_requests_and_no_proxy_and_this_machine_bypass_them() {
    let (project, server) = published();
    let proxy = ConnectProxy::start();
    // No DNS knows index.pbx.test: only the proxy can reach it.
    let hidden = format!("http://index.pbx.test:{}/", server.port());

    for var in ["HTTP_PROXY", "http_proxy", "ALL_PROXY"] {
        let before = proxy.requests();
        same_both(&compare(project.path(), &hidden, &[(var, &proxy.url())]));
        assert!(
            proxy.requests() > before,
            "{var}: the proxy carried the requests"
        );
    }
    let target = format!("index.pbx.test:{}", server.port());
    assert!(
        proxy.tunnels().iter().all(|t| *t == target),
        "{:?}",
        proxy.tunnels()
    );

    // The proxy for https does not carry http.
    let tunnels = proxy.tunnels().len();
    compare(project.path(), &hidden, &[("HTTPS_PROXY", &proxy.url())]).code(3);
    assert_eq!(proxy.tunnels().len(), tunnels);

    // NO_PROXY, written as people write it (spaces, leading dots).
    for no_proxy in [".pbx.test", "localhost, index.pbx.test", "*.pbx.test", "*"] {
        compare(
            project.path(),
            &hidden,
            &[("HTTP_PROXY", &proxy.url()), ("NO_PROXY", no_proxy)],
        )
        .code(3)
        .stderr_has("lookup address");
        assert_eq!(proxy.tunnels().len(), tunnels, "NO_PROXY={no_proxy}");
    }

    // This machine is reached directly, with or without NO_PROXY.
    for no_proxy in [None, Some("localhost, 127.0.0.1")] {
        let mut env = vec![("HTTP_PROXY", proxy.url())];
        if let Some(list) = no_proxy {
            env.push(("NO_PROXY", list.to_string()));
        }
        let env: Vec<(&str, &str)> = env.iter().map(|(k, v)| (*k, v.as_str())).collect();
        same_both(&compare(project.path(), &server.url(), &env));
        assert_eq!(proxy.tunnels().len(), tunnels);
    }

    // https through the proxy: CONNECT, then TLS end to end with the
    // index (the proxy sees no plain request).
    let ca = TestCa::new();
    let front = TlsFront::start(ca.server_config(false), server.port());
    let dir = TempDir::new();
    let ca_pem = ca.write_ca(dir.path(), "ca.pem");
    let hidden_tls = format!("https://index.pbx.test:{}/", front.port());
    let requests = proxy.requests();
    same_both(&compare(
        project.path(),
        &hidden_tls,
        &[
            ("HTTPS_PROXY", &proxy.url()),
            ("PBX_CERT", ca_pem.to_str().unwrap()),
        ],
    ));
    assert_eq!(proxy.requests(), requests, "TLS inside the tunnel");
    assert!(proxy
        .tunnels()
        .contains(&format!("index.pbx.test:{}", front.port())));
    // Without the CA: a certificate error that names the proxy it came
    // through (a TLS-inspecting proxy is the usual cause).
    compare(
        project.path(),
        &hidden_tls,
        &[("HTTPS_PROXY", &proxy.url())],
    )
    .code(3)
    .stderr_has("TLS certificate problem")
    .stderr_has("through the proxy HTTPS_PROXY=http://127.0.0.1:");
    // A name the certificate does not hold is a certificate error too.
    compare(
        project.path(),
        &format!("https://other.pbx.test:{}/", front.port()),
        &[
            ("HTTPS_PROXY", &proxy.url()),
            ("PBX_CERT", ca_pem.to_str().unwrap()),
        ],
    )
    .code(3)
    .stderr_has("issued for another host name");

    // A SOCKS5 proxy carries them too (socks5h: the proxy resolves the
    // name no DNS knows).
    let socks = Socks5Proxy::start();
    same_both(&compare(
        project.path(),
        &hidden,
        &[("ALL_PROXY", &socks.url())],
    ));
    assert!(socks.targets().contains(&target), "{:?}", socks.targets());
    // A SOCKS proxy where nothing listens: exit 3, said with the proxy
    // (ureq built without SOCKS support would panic here).
    let closed = support::index::free_port();
    compare(
        project.path(),
        &hidden,
        &[("ALL_PROXY", &format!("socks5h://127.0.0.1:{closed}"))],
    )
    .code(3)
    .stderr_has("through the proxy ALL_PROXY=socks5h://127.0.0.1:");

    // An unusable proxy setting is an input error naming the variable.
    compare(
        project.path(),
        &hidden,
        &[("HTTPS_PROXY", "ftp://user:s3cret@proxy.corp:21")],
    )
    .code(2)
    .stderr_has("HTTPS_PROXY=")
    .stderr_has("not supported");
}

#[test]
fn a_proxy_that_wants_credentials_gets_them_from_the_url_and_never_shows_them() {
    let (project, server) = published();
    let proxy = ConnectProxy::start_with_auth("alice", "pr0xy-s3cret");
    let hidden = format!("http://index.pbx.test:{}/", server.port());

    same_both(&compare(
        project.path(),
        &hidden,
        &[("HTTP_PROXY", &proxy.url_with("alice", "pr0xy-s3cret"))],
    ));
    // Basic base64("alice:pr0xy-s3cret")
    assert!(proxy
        .authorizations()
        .iter()
        .all(|a| a == "Basic YWxpY2U6cHIweHktczNjcmV0"));

    // Without credentials, and with wrong ones: 407, one tunnel asked, no
    // retry, exit 3, the password never shown.
    for url in [proxy.url(), proxy.url_with("alice", "wr0ng-s3cret")] {
        let before = proxy.tunnels().len();
        let run = compare(project.path(), &hidden, &[("HTTP_PROXY", &url)]);
        run.code(3)
            .stderr_has("refused the connection with HTTP 407")
            .stderr_has("put them in the proxy URL");
        assert!(!run.stderr.contains("s3cret"), "{}", run.stderr);
        assert!(!run.stderr.contains("retrying"), "{}", run.stderr);
        assert_eq!(proxy.tunnels().len(), before + 1);
    }
}

#[test]
fn a_private_index_without_credentials_says_no_credentials_were_sent() {
    let (project, _server) = published();
    let private = PypiServer::start_private("alice", "s3cret-pw");
    let run = compare(project.path(), &private.url(), &[]);
    run.stderr_has("401").stderr_has("no credentials were sent");
    assert!(run.code == 3 || run.code == 2, "{run:?}");
}
