//! A real package index for tests, and what stands in front of it.
//!
//! - [`PypiServer`]: the real pypiserver from the test venv on 127.0.0.1 with a
//!   free port and a temp package directory, stopped on drop. Optional
//!   htpasswd authentication for upload tests.
//! - [`DevpiServer`]: a real devpi-server with a non-volatile index, the
//!   second real server (409 on duplicates, PEP 691 JSON).
//! - [`FaultProxy`]: a small HTTP proxy in front of a real server that injects
//!   one fault per scripted request (connection dropped before or after the
//!   body, a status instead of the answer, a stall, a truncated or slow
//!   answer). Unscripted requests pass through.
//! - [`HttpStub`]: a tiny HTTP server answering from a closure, for the
//!   response shapes only the public index produces (PEP 691 JSON, PyPI's 400
//!   "File already exists", the trusted-publishing endpoints).
//! - [`http_get`]: a plain HTTP/1.0 GET, so tests check the index without
//!   going through the code under test.

use std::collections::BTreeMap;
use std::io::{BufRead, BufReader, Read, Write};
use std::net::{Shutdown, TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::thread;
use std::time::{Duration, Instant};

use super::{venv_tool, Run};

/// A free TCP port on 127.0.0.1 (bound and released: the server binds it
/// next; [`PypiServer::start`] retries when another process wins the race).
pub fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .expect("a free port on 127.0.0.1")
}

/// A real pypiserver on 127.0.0.1, stopped (killed) on drop.
pub struct PypiServer {
    child: Child,
    port: u16,
    dir: tempfile::TempDir,
    log: PathBuf,
}

impl PypiServer {
    /// Anyone may upload (`-a . -P .`).
    pub fn start() -> PypiServer {
        Self::launch(None, "")
    }

    /// Uploads need `user`/`password` (an htpasswd file made with passlib
    /// from the test venv); reads stay open.
    pub fn start_with_auth(user: &str, password: &str) -> PypiServer {
        Self::launch(Some((user, password)), "update")
    }

    /// A private index: listing, downloads and uploads all need
    /// `user`/`password`.
    pub fn start_private(user: &str, password: &str) -> PypiServer {
        Self::launch(Some((user, password)), "download,list,update")
    }

    fn launch(auth: Option<(&str, &str)>, operations: &str) -> PypiServer {
        let dir = tempfile::tempdir().expect("temp dir");
        let packages = dir.path().join("packages");
        std::fs::create_dir_all(&packages).unwrap();
        let auth_args: Vec<String> = match auth {
            None => vec!["-a".into(), ".".into(), "-P".into(), ".".into()],
            Some((user, password)) => {
                let htpasswd = dir.path().join("htpasswd");
                let script = "import sys\nfrom passlib.apache import HtpasswdFile\nht = HtpasswdFile(sys.argv[1], new=True)\nht.set_password(sys.argv[2], sys.argv[3])\nht.save()\n";
                Run::of(
                    Command::new(venv_tool("python"))
                        .args(["-c", script])
                        .arg(&htpasswd)
                        .args([user, password]),
                )
                .code(0);
                vec![
                    "-a".into(),
                    operations.into(),
                    "-P".into(),
                    htpasswd.display().to_string(),
                ]
            }
        };
        let log = dir.path().join("pypiserver.log");
        let mut last_log = String::new();
        for _ in 0..5 {
            let port = free_port();
            let child = Command::new(venv_tool("pypi-server"))
                .args(["run", "-i", "127.0.0.1", "-p", &port.to_string()])
                .args(&auth_args)
                .args(["--disable-fallback", "--log-file"])
                .arg(&log)
                .arg(&packages)
                .stdin(Stdio::null())
                .stdout(Stdio::null())
                .stderr(Stdio::null())
                .spawn()
                .expect(
                    "pypi-server starts (is the test venv complete? run scripts/setup-test-env)",
                );
            let mut child = child;
            let simple = format!("http://127.0.0.1:{port}/simple/");
            let deadline = Instant::now() + Duration::from_secs(30);
            while Instant::now() < deadline {
                if let Ok(Some(_)) = child.try_wait() {
                    break;
                }
                if let Ok((200 | 401, _)) = http_get(&simple) {
                    return PypiServer {
                        child,
                        port,
                        dir,
                        log,
                    };
                }
                thread::sleep(Duration::from_millis(50));
            }
            last_log = std::fs::read_to_string(&log).unwrap_or_default();
            let _ = child.kill();
            let _ = child.wait();
        }
        panic!("pypiserver did not start on 127.0.0.1 after 5 tries; its log:\n{last_log}");
    }

    /// The root URL (`http://127.0.0.1:PORT/`): pypiserver takes uploads here.
    pub fn url(&self) -> String {
        format!("http://127.0.0.1:{}/", self.port)
    }

    /// The simple API base.
    pub fn simple_url(&self) -> String {
        format!("{}simple/", self.url())
    }

    /// Where uploads go (the root URL).
    pub fn upload_url(&self) -> String {
        self.url()
    }

    /// The port.
    pub fn port(&self) -> u16 {
        self.port
    }

    /// The directory pypiserver serves.
    pub fn packages_dir(&self) -> PathBuf {
        self.dir.path().join("packages")
    }

    /// The server's log.
    pub fn log(&self) -> String {
        std::fs::read_to_string(&self.log).unwrap_or_default()
    }

    /// Puts a file on the index by copying it into the package directory
    /// (pypiserver lists what the directory holds).
    pub fn add_file(&self, path: &Path) -> PathBuf {
        let target = self.packages_dir().join(path.file_name().unwrap());
        std::fs::copy(path, &target).expect("copy into the package directory");
        target
    }

    /// Puts a file on the index with bytes of our own under `filename`.
    pub fn add_bytes(&self, filename: &str, bytes: &[u8]) -> PathBuf {
        let target = self.packages_dir().join(filename);
        std::fs::write(&target, bytes).unwrap();
        target
    }

    /// Uploads with the real twine (`-u user -p password`; pass `.` for
    /// an open server).
    pub fn twine_upload(&self, files: &[PathBuf], user: &str, password: &str) -> Run {
        Run::of(
            Command::new(venv_tool("twine"))
                .args(["upload", "--disable-progress-bar", "--non-interactive"])
                .args([
                    "--repository-url",
                    &self.upload_url(),
                    "-u",
                    user,
                    "-p",
                    password,
                ])
                .args(files)
                .env_remove("TWINE_REPOSITORY")
                .env_remove("TWINE_REPOSITORY_URL"),
        )
    }

    /// The files in the package directory: filename → sha256 of the bytes.
    pub fn stored(&self) -> BTreeMap<String, String> {
        let mut out = BTreeMap::new();
        for entry in std::fs::read_dir(self.packages_dir()).unwrap() {
            let entry = entry.unwrap();
            if entry.file_type().unwrap().is_file() {
                out.insert(
                    entry.file_name().to_string_lossy().into_owned(),
                    sha256_hex(&std::fs::read(entry.path()).unwrap()),
                );
            }
        }
        out
    }

    /// What the simple API lists for `project`: filename → sha256 (from the
    /// `#sha256=` fragments), read with a plain GET.
    pub fn listed(&self, project: &str) -> BTreeMap<String, String> {
        listed_at(&self.simple_url(), project)
    }
}

impl Drop for PypiServer {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// A real devpi-server on 127.0.0.1 with a non-volatile index `root/stable`
/// that anyone may upload to, stopped (killed) on drop. It answers a
/// duplicate filename with 409 and serves PEP 691 JSON as well as HTML.
pub struct DevpiServer {
    child: Child,
    port: u16,
    _dir: tempfile::TempDir,
}

impl DevpiServer {
    pub fn start() -> DevpiServer {
        let dir = tempfile::tempdir().expect("temp dir");
        let serverdir = dir.path().join("server");
        Run::of(
            Command::new(venv_tool("devpi-init"))
                .arg("--serverdir")
                .arg(&serverdir)
                .args(["--no-root-pypi", "--root-passwd", "pw"]),
        )
        .code(0);
        let log = dir.path().join("devpi.log");
        for _ in 0..3 {
            let port = free_port();
            let mut child = Command::new(venv_tool("devpi-server"))
                .arg("--serverdir")
                .arg(&serverdir)
                .args([
                    "--host",
                    "127.0.0.1",
                    "--port",
                    &port.to_string(),
                    "--offline-mode",
                ])
                .stdin(Stdio::null())
                .stdout(std::fs::File::create(&log).unwrap())
                .stderr(Stdio::from(
                    std::fs::File::create(dir.path().join("devpi.err")).unwrap(),
                ))
                .spawn()
                .expect("devpi-server starts");
            let deadline = Instant::now() + Duration::from_secs(60);
            let mut ready = false;
            while Instant::now() < deadline {
                if let Ok(Some(_)) = child.try_wait() {
                    break;
                }
                if let Ok((200, _)) = http_get(&format!("http://127.0.0.1:{port}/+api")) {
                    ready = true;
                    break;
                }
                thread::sleep(Duration::from_millis(100));
            }
            if !ready {
                let _ = child.kill();
                let _ = child.wait();
                continue;
            }
            let mut server = DevpiServer {
                child,
                port,
                _dir: dir,
            };
            server.create_index();
            return server;
        }
        panic!(
            "devpi-server did not start: {}",
            std::fs::read_to_string(dir.path().join("devpi.err")).unwrap_or_default()
        );
    }

    fn create_index(&mut self) {
        use base64::Engine;
        let body = r#"{"bases":[],"volatile":false,"acl_upload":[":ANONYMOUS:"]}"#;
        let mut stream = TcpStream::connect(("127.0.0.1", self.port)).unwrap();
        write!(
            stream,
            "PUT /root/stable HTTP/1.0\r\nHost: 127.0.0.1\r\nAuthorization: Basic {}\r\nContent-Type: application/json\r\nAccept: application/json\r\nContent-Length: {}\r\n\r\n{body}",
            base64::engine::general_purpose::STANDARD.encode("root:pw"),
            body.len()
        )
        .unwrap();
        let mut answer = String::new();
        stream.read_to_string(&mut answer).unwrap();
        assert!(
            answer.starts_with("HTTP/1.1 200") || answer.starts_with("HTTP/1.0 200"),
            "{answer}"
        );
    }

    /// The upload URL of the index (`http://127.0.0.1:PORT/root/stable/`).
    pub fn upload_url(&self) -> String {
        format!("http://127.0.0.1:{}/root/stable/", self.port)
    }

    /// The simple API base (`…/root/stable/+simple/`).
    pub fn simple_url(&self) -> String {
        format!("{}+simple/", self.upload_url())
    }

    /// What the simple API lists for `project` (HTML page): filename → sha256.
    pub fn listed(&self, project: &str) -> BTreeMap<String, String> {
        listed_at(&self.simple_url(), project)
    }
}

impl Drop for DevpiServer {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// filename → sha256 from the `<a href="…#sha256=…">filename</a>` links of a
/// PEP 503 page.
/// What the simple page of `project` under `simple_url` lists: filename →
/// sha256, read with a plain GET (not pbx code); a 404 lists nothing.
pub fn listed_at(simple_url: &str, project: &str) -> BTreeMap<String, String> {
    let (status, body) = http_get(&format!("{simple_url}{project}/")).expect("simple page");
    if status == 404 {
        return BTreeMap::new();
    }
    assert_eq!(status, 200, "{body}");
    parse_links(&body)
}

pub fn parse_links(html: &str) -> BTreeMap<String, String> {
    let mut out = BTreeMap::new();
    for part in html.split("<a ").skip(1) {
        let Some(href_at) = part.find("href=\"") else {
            continue;
        };
        let href = &part[href_at + 6..];
        let href = &href[..href.find('"').unwrap()];
        let sha = href.split("#sha256=").nth(1).unwrap_or("").to_string();
        let text = &part[part.find('>').unwrap() + 1..part.find("</a>").unwrap()];
        out.insert(text.trim().to_string(), sha);
    }
    out
}

/// Lowercase hex SHA-256 of `bytes`.
pub fn sha256_hex(bytes: &[u8]) -> String {
    use sha2::Digest;
    hex::encode(sha2::Sha256::digest(bytes))
}

/// A plain HTTP/1.0 GET on 127.0.0.1: status and body.
pub fn http_get(url: &str) -> std::io::Result<(u16, String)> {
    let rest = url
        .strip_prefix("http://")
        .expect("http_get takes http:// URLs");
    let (authority, path) = match rest.find('/') {
        Some(i) => (&rest[..i], &rest[i..]),
        None => (rest, "/"),
    };
    let mut stream = TcpStream::connect(authority)?;
    stream.set_read_timeout(Some(Duration::from_secs(10)))?;
    write!(
        stream,
        "GET {path} HTTP/1.0\r\nHost: {authority}\r\nUser-Agent: pbx-tests\r\n\r\n"
    )?;
    let mut raw = Vec::new();
    stream.read_to_end(&mut raw)?;
    let text = String::from_utf8_lossy(&raw).into_owned();
    let status = text
        .split(' ')
        .nth(1)
        .and_then(|s| s.parse().ok())
        .unwrap_or(0);
    let body = text
        .split_once("\r\n\r\n")
        .map(|(_, b)| b.to_string())
        .unwrap_or_default();
    Ok((status, body))
}

/// A request as a test server saw it.
#[derive(Clone, Debug)]
pub struct Request {
    pub method: String,
    pub path: String,
    pub headers: Vec<(String, String)>,
    /// The body (empty when the server did not read it).
    pub body: Vec<u8>,
}

impl Request {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }

    fn content_length(&self) -> usize {
        self.header("content-length")
            .and_then(|v| v.trim().parse().ok())
            .unwrap_or(0)
    }

    /// The `name` form field of a multipart body, as text.
    pub fn form_field(&self, name: &str) -> Option<String> {
        let text = String::from_utf8_lossy(&self.body);
        let needle = format!("name=\"{name}\"");
        let at = text.find(&needle)?;
        let rest = &text[at..];
        let start = rest.find("\r\n\r\n")? + 4;
        let end = rest[start..].find("\r\n--")? + start;
        Some(rest[start..end].to_string())
    }
}

/// Reads a request head; `None` at a clean end of the connection.
fn read_head(reader: &mut BufReader<TcpStream>) -> Option<Request> {
    let mut line = String::new();
    if reader.read_line(&mut line).ok()? == 0 {
        return None;
    }
    let mut parts = line.split_whitespace();
    let method = parts.next()?.to_string();
    let path = parts.next()?.to_string();
    let mut headers = Vec::new();
    loop {
        let mut line = String::new();
        if reader.read_line(&mut line).ok()? == 0 {
            return None;
        }
        let line = line.trim_end();
        if line.is_empty() {
            break;
        }
        if let Some((k, v)) = line.split_once(':') {
            headers.push((k.trim().to_string(), v.trim().to_string()));
        }
    }
    Some(Request {
        method,
        path,
        headers,
        body: Vec::new(),
    })
}

/// What [`FaultProxy`] does with one request.
#[derive(Clone, Debug)]
pub enum Fault {
    /// Forward it and return the real answer.
    Pass,
    /// Read the request head, then drop the connection: the body is never
    /// read and the index never sees the request.
    ResetBeforeBody,
    /// Forward the whole request, let the index answer, then drop the
    /// connection without passing the answer on: the index acted, the
    /// client cannot know.
    ResetAfterBody,
    /// Answer this status (with `Retry-After` when given) without
    /// forwarding; the body is read and dropped.
    Status(u16, Option<u64>),
    /// Forward, let the index act, and answer this status instead of its
    /// answer (a 5xx from a gateway after the index stored the file).
    StatusAfterForward(u16),
    /// Forward, then hold the answer for this long and drop the connection.
    Stall(Duration),
    /// Forward, then send the head and only half of the body (half of the
    /// head when the body is empty).
    Truncate,
    /// Forward, then send the answer `chunk` bytes at a time with `delay`
    /// between chunks.
    SlowBody { chunk: usize, delay: Duration },
}

#[derive(Debug)]
struct Rule {
    method: String,
    path_prefix: String,
    fault: Fault,
    times: usize,
}

/// A request as [`FaultProxy`] handled it.
#[derive(Clone, Debug)]
pub struct Seen {
    pub method: String,
    pub path: String,
    pub fault: String,
}

#[derive(Default)]
struct ProxyState {
    rules: Vec<Rule>,
    seen: Vec<Seen>,
}

/// A fault-injecting HTTP proxy in front of a real server. Each client
/// connection carries one exchange (the proxy answers `Connection: close`).
pub struct FaultProxy {
    port: u16,
    state: Arc<Mutex<ProxyState>>,
    stop: Arc<AtomicBool>,
}

impl FaultProxy {
    /// A proxy on a free port forwarding to `upstream` (`http://127.0.0.1:PORT/`).
    pub fn start(upstream: &str) -> FaultProxy {
        let upstream = upstream
            .strip_prefix("http://")
            .unwrap()
            .trim_end_matches('/')
            .to_string();
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let port = listener.local_addr().unwrap().port();
        let state = Arc::new(Mutex::new(ProxyState::default()));
        let stop = Arc::new(AtomicBool::new(false));
        let (thread_state, thread_stop) = (state.clone(), stop.clone());
        thread::spawn(move || {
            for stream in listener.incoming() {
                if thread_stop.load(Ordering::SeqCst) {
                    break;
                }
                let Ok(stream) = stream else { continue };
                let (state, upstream) = (thread_state.clone(), upstream.clone());
                thread::spawn(move || {
                    let _ = proxy_connection(stream, &upstream, &state);
                });
            }
        });
        FaultProxy { port, state, stop }
    }

    /// The proxy's root URL.
    pub fn url(&self) -> String {
        format!("http://127.0.0.1:{}/", self.port)
    }

    /// The simple API base through the proxy.
    pub fn simple_url(&self) -> String {
        format!("{}simple/", self.url())
    }

    /// The next request with `method` whose path starts with `path_prefix`
    /// gets `fault`.
    pub fn on(&self, method: &str, path_prefix: &str, fault: Fault) {
        self.on_times(method, path_prefix, fault, 1);
    }

    /// The next `times` matching requests get `fault`.
    pub fn on_times(&self, method: &str, path_prefix: &str, fault: Fault, times: usize) {
        self.state.lock().unwrap().rules.push(Rule {
            method: method.to_string(),
            path_prefix: path_prefix.to_string(),
            fault,
            times,
        });
    }

    /// Every request handled so far.
    pub fn seen(&self) -> Vec<Seen> {
        self.state.lock().unwrap().seen.clone()
    }

    /// How many requests with `method` and a path starting with
    /// `path_prefix` were handled.
    pub fn count(&self, method: &str, path_prefix: &str) -> usize {
        self.seen()
            .iter()
            .filter(|s| s.method == method && s.path.starts_with(path_prefix))
            .count()
    }
}

impl Drop for FaultProxy {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::SeqCst);
        let _ = TcpStream::connect(("127.0.0.1", self.port));
    }
}

fn proxy_connection(
    client: TcpStream,
    upstream: &str,
    state: &Mutex<ProxyState>,
) -> std::io::Result<()> {
    let mut reader = BufReader::new(client.try_clone()?);
    let mut client = client;
    let Some(request) = read_head(&mut reader) else {
        return Ok(());
    };
    let fault = {
        let mut state = state.lock().unwrap();
        let fault = state
            .rules
            .iter_mut()
            .find(|r| {
                r.times > 0
                    && r.method == request.method
                    && request.path.starts_with(&r.path_prefix)
            })
            .map(|r| {
                r.times -= 1;
                r.fault.clone()
            })
            .unwrap_or(Fault::Pass);
        state.seen.push(Seen {
            method: request.method.clone(),
            path: request.path.clone(),
            fault: format!("{fault:?}"),
        });
        fault
    };
    let length = request.content_length();
    match fault {
        Fault::ResetBeforeBody => {
            // Unread body bytes in the socket make the kernel send a reset.
            drop(reader);
            let _ = client.shutdown(Shutdown::Both);
            return Ok(());
        }
        Fault::Status(status, retry_after) => {
            std::io::copy(&mut (&mut reader).take(length as u64), &mut std::io::sink())?;
            let body = format!("{status} injected by the fault proxy\n");
            let extra = retry_after
                .map(|s| format!("Retry-After: {s}\r\n"))
                .unwrap_or_default();
            write!(
                client,
                "HTTP/1.1 {status} Injected\r\nContent-Type: text/plain\r\nContent-Length: {}\r\n{extra}Connection: close\r\n\r\n{body}",
                body.len()
            )?;
            return Ok(());
        }
        _ => {}
    }
    // Forward the request, streaming the body.
    let mut up = TcpStream::connect(upstream)?;
    let mut head = format!("{} {} HTTP/1.1\r\n", request.method, request.path);
    for (k, v) in &request.headers {
        if !k.eq_ignore_ascii_case("connection") && !k.eq_ignore_ascii_case("keep-alive") {
            head.push_str(&format!("{k}: {v}\r\n"));
        }
    }
    head.push_str("Connection: close\r\n\r\n");
    up.write_all(head.as_bytes())?;
    std::io::copy(&mut (&mut reader).take(length as u64), &mut up)?;
    let mut raw = Vec::new();
    up.read_to_end(&mut raw)?;
    let (status_line, headers, body) = split_response(&raw);
    let mut response_head = format!("{status_line}\r\n");
    for (k, v) in &headers {
        if ![
            "connection",
            "content-length",
            "transfer-encoding",
            "keep-alive",
        ]
        .contains(&k.to_ascii_lowercase().as_str())
        {
            response_head.push_str(&format!("{k}: {v}\r\n"));
        }
    }
    response_head.push_str(&format!(
        "Content-Length: {}\r\nConnection: close\r\n\r\n",
        body.len()
    ));
    match fault {
        Fault::Pass => {
            client.write_all(response_head.as_bytes())?;
            client.write_all(&body)?;
        }
        Fault::ResetAfterBody => {}
        Fault::StatusAfterForward(status) => {
            write!(
                client,
                "HTTP/1.1 {status} Injected\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"
            )?;
        }
        Fault::Stall(duration) => thread::sleep(duration),
        Fault::Truncate if body.len() < 2 => {
            // Nothing to cut in the body: cut the head instead.
            let head = response_head.as_bytes();
            client.write_all(&head[..head.len() / 2])?;
        }
        Fault::Truncate => {
            client.write_all(response_head.as_bytes())?;
            client.write_all(&body[..body.len() / 2])?;
        }
        Fault::SlowBody { chunk, delay } => {
            client.write_all(response_head.as_bytes())?;
            for part in body.chunks(chunk.max(1)) {
                client.flush()?;
                thread::sleep(delay);
                client.write_all(part)?;
            }
        }
        Fault::ResetBeforeBody | Fault::Status(..) => unreachable!(),
    }
    client.flush()?;
    let _ = client.shutdown(Shutdown::Both);
    Ok(())
}

/// Status line, headers and the de-chunked body of a raw HTTP response.
fn split_response(raw: &[u8]) -> (String, Vec<(String, String)>, Vec<u8>) {
    let split = raw
        .windows(4)
        .position(|w| w == b"\r\n\r\n")
        .expect("a complete response head from the server");
    let head = String::from_utf8_lossy(&raw[..split]).into_owned();
    let mut lines = head.split("\r\n");
    let status_line = lines.next().unwrap_or_default().to_string();
    let headers: Vec<(String, String)> = lines
        .filter_map(|l| l.split_once(':'))
        .map(|(k, v)| (k.trim().to_string(), v.trim().to_string()))
        .collect();
    let mut body = raw[split + 4..].to_vec();
    let chunked = headers.iter().any(|(k, v)| {
        k.eq_ignore_ascii_case("transfer-encoding") && v.to_ascii_lowercase().contains("chunked")
    });
    if chunked {
        let mut out = Vec::new();
        let mut rest = &body[..];
        while let Some(eol) = rest.windows(2).position(|w| w == b"\r\n") {
            let size_text = String::from_utf8_lossy(&rest[..eol]);
            let size =
                usize::from_str_radix(size_text.split(';').next().unwrap().trim(), 16).unwrap_or(0);
            if size == 0 {
                break;
            }
            out.extend_from_slice(&rest[eol + 2..eol + 2 + size]);
            rest = &rest[eol + 2 + size + 2..];
        }
        body = out;
    }
    (status_line, headers, body)
}

/// An answer of [`HttpStub`].
#[derive(Clone, Debug)]
pub struct Response {
    pub status: u16,
    pub content_type: String,
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
}

impl Response {
    pub fn new(status: u16, content_type: &str, body: impl Into<Vec<u8>>) -> Response {
        Response {
            status,
            content_type: content_type.to_string(),
            headers: Vec::new(),
            body: body.into(),
        }
    }

    pub fn json(status: u16, value: &serde_json::Value) -> Response {
        Response::new(status, "application/json", value.to_string())
    }

    pub fn header(mut self, name: &str, value: &str) -> Response {
        self.headers.push((name.to_string(), value.to_string()));
        self
    }
}

type Handler = dyn Fn(&Request) -> Response + Send + Sync;

/// A tiny HTTP server answering every request from a closure, recording
/// the requests (bodies included).
pub struct HttpStub {
    port: u16,
    requests: Arc<Mutex<Vec<Request>>>,
    stop: Arc<AtomicBool>,
}

impl HttpStub {
    pub fn start(handler: impl Fn(&Request) -> Response + Send + Sync + 'static) -> HttpStub {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let port = listener.local_addr().unwrap().port();
        let requests = Arc::new(Mutex::new(Vec::new()));
        let stop = Arc::new(AtomicBool::new(false));
        let handler: Arc<Handler> = Arc::new(handler);
        let (thread_requests, thread_stop) = (requests.clone(), stop.clone());
        thread::spawn(move || {
            for stream in listener.incoming() {
                if thread_stop.load(Ordering::SeqCst) {
                    break;
                }
                let Ok(stream) = stream else { continue };
                let (handler, requests) = (handler.clone(), thread_requests.clone());
                thread::spawn(move || {
                    let _ = stub_connection(stream, &*handler, &requests);
                });
            }
        });
        HttpStub {
            port,
            requests,
            stop,
        }
    }

    pub fn url(&self) -> String {
        format!("http://127.0.0.1:{}/", self.port)
    }

    pub fn requests(&self) -> Vec<Request> {
        self.requests.lock().unwrap().clone()
    }
}

impl Drop for HttpStub {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::SeqCst);
        let _ = TcpStream::connect(("127.0.0.1", self.port));
    }
}

fn stub_connection(
    stream: TcpStream,
    handler: &Handler,
    requests: &Mutex<Vec<Request>>,
) -> std::io::Result<()> {
    let mut reader = BufReader::new(stream.try_clone()?);
    let mut stream = stream;
    while let Some(mut request) = read_head(&mut reader) {
        let mut body = vec![0; request.content_length()];
        reader.read_exact(&mut body)?;
        request.body = body;
        let response = handler(&request);
        requests.lock().unwrap().push(request);
        let mut head = format!(
            "HTTP/1.1 {} Stub\r\nContent-Type: {}\r\nContent-Length: {}\r\n",
            response.status,
            response.content_type,
            response.body.len()
        );
        for (k, v) in &response.headers {
            head.push_str(&format!("{k}: {v}\r\n"));
        }
        head.push_str("\r\n");
        stream.write_all(head.as_bytes())?;
        stream.write_all(&response.body)?;
        stream.flush()?;
    }
    Ok(())
}
