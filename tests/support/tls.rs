//! TLS and proxies as users' networks have them, on 127.0.0.1.
//!
//! - [`TestCa`]: a CA made in the test (rcgen) that signs a server
//!   certificate for `127.0.0.1`, `localhost` and `index.pbx.test`, and
//!   client certificates.
//! - [`TlsFront`]: a TLS-terminating front (rustls) before a real server,
//!   as nginx before a pypiserver; optionally asking for a client
//!   certificate. Counts connections and completed handshakes.
//! - [`ConnectProxy`]: an HTTP `CONNECT` proxy, as squid or a corporate
//!   proxy; `*.pbx.test` names (which no DNS knows) lead to 127.0.0.1, so a
//!   request to them can only have gone through the proxy. It never
//!   connects anywhere but 127.0.0.1. Counts the tunnels and the HTTP
//!   requests it carried in plain-http tunnels.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{Shutdown, TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::thread;
use std::time::Duration;

use rcgen::{
    BasicConstraints, CertificateParams, CertifiedIssuer, DnType, ExtendedKeyUsagePurpose, IsCa,
    KeyPair, KeyUsagePurpose, SanType,
};
use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, PrivateKeyDer};

fn provider() -> Arc<rustls::crypto::CryptoProvider> {
    Arc::new(rustls::crypto::ring::default_provider())
}

/// A CA generated for one test, with a server certificate it signed.
pub struct TestCa {
    issuer: CertifiedIssuer<'static, KeyPair>,
    server_cert: CertificateDer<'static>,
    server_key: String,
}

impl TestCa {
    pub fn new() -> TestCa {
        let mut params = CertificateParams::new(Vec::<String>::new()).unwrap();
        // A name of its own: two CAs of one test never look alike.
        static SERIAL: AtomicUsize = AtomicUsize::new(0);
        params.distinguished_name.push(
            DnType::CommonName,
            format!(
                "pbx test CA {} #{}",
                std::process::id(),
                SERIAL.fetch_add(1, Ordering::SeqCst)
            ),
        );
        params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
        params.key_usages = vec![KeyUsagePurpose::KeyCertSign, KeyUsagePurpose::CrlSign];
        let issuer = CertifiedIssuer::self_signed(params, KeyPair::generate().unwrap()).unwrap();

        let mut params =
            CertificateParams::new(vec!["localhost".to_string(), "index.pbx.test".to_string()])
                .unwrap();
        params
            .subject_alt_names
            .push(SanType::IpAddress("127.0.0.1".parse().unwrap()));
        params.extended_key_usages = vec![ExtendedKeyUsagePurpose::ServerAuth];
        let key = KeyPair::generate().unwrap();
        let cert = params.signed_by(&key, &issuer).unwrap();
        TestCa {
            issuer,
            server_cert: cert.der().clone(),
            server_key: key.serialize_pem(),
        }
    }

    /// The CA certificate, PEM.
    pub fn ca_pem(&self) -> String {
        self.issuer.pem()
    }

    /// Writes the CA certificate to `dir/name` and returns the path.
    pub fn write_ca(&self, dir: &Path, name: &str) -> PathBuf {
        let path = dir.join(name);
        std::fs::write(&path, self.ca_pem()).unwrap();
        path
    }

    /// A client certificate signed by this CA, PEM certificate then PEM
    /// key (what `PBX_CLIENT_CERT` holds).
    pub fn client_pem(&self, name: &str) -> String {
        let mut params = CertificateParams::new(Vec::<String>::new()).unwrap();
        params.distinguished_name.push(DnType::CommonName, name);
        params.extended_key_usages = vec![ExtendedKeyUsagePurpose::ClientAuth];
        let key = KeyPair::generate().unwrap();
        let cert = params.signed_by(&key, &self.issuer).unwrap();
        format!("{}{}", cert.pem(), key.serialize_pem())
    }

    /// A rustls server configuration with the server certificate; with
    /// `client_auth`, clients must show a certificate this CA signed.
    pub fn server_config(&self, client_auth: bool) -> Arc<rustls::ServerConfig> {
        let builder = rustls::ServerConfig::builder_with_provider(provider())
            .with_safe_default_protocol_versions()
            .unwrap();
        let builder = if client_auth {
            let mut roots = rustls::RootCertStore::empty();
            roots.add(self.issuer.der().clone()).unwrap();
            let verifier = rustls::server::WebPkiClientVerifier::builder_with_provider(
                roots.into(),
                provider(),
            )
            .build()
            .unwrap();
            builder.with_client_cert_verifier(verifier)
        } else {
            builder.with_no_client_auth()
        };
        let key = PrivateKeyDer::from_pem_slice(self.server_key.as_bytes()).unwrap();
        Arc::new(
            builder
                .with_single_cert(vec![self.server_cert.clone()], key)
                .unwrap(),
        )
    }
}

/// A TLS front on 127.0.0.1 before an http server on 127.0.0.1:`upstream`.
/// Each request is forwarded on a fresh upstream connection and answered
/// with `Connection: close`.
pub struct TlsFront {
    port: u16,
    connections: Arc<AtomicUsize>,
    handshakes: Arc<AtomicUsize>,
    stop: Arc<AtomicBool>,
}

impl TlsFront {
    pub fn start(config: Arc<rustls::ServerConfig>, upstream: u16) -> TlsFront {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let port = listener.local_addr().unwrap().port();
        let connections = Arc::new(AtomicUsize::new(0));
        let handshakes = Arc::new(AtomicUsize::new(0));
        let stop = Arc::new(AtomicBool::new(false));
        let (c, h, s) = (connections.clone(), handshakes.clone(), stop.clone());
        thread::spawn(move || {
            for stream in listener.incoming() {
                if s.load(Ordering::SeqCst) {
                    break;
                }
                let Ok(stream) = stream else { continue };
                c.fetch_add(1, Ordering::SeqCst);
                let (config, h) = (config.clone(), h.clone());
                thread::spawn(move || {
                    let _ = serve_tls(stream, config, upstream, &h);
                });
            }
        });
        TlsFront {
            port,
            connections,
            handshakes,
            stop,
        }
    }

    pub fn port(&self) -> u16 {
        self.port
    }

    /// `https://127.0.0.1:PORT/`.
    pub fn url(&self) -> String {
        format!("https://127.0.0.1:{}/", self.port)
    }

    /// TCP connections accepted (each TLS attempt a client made).
    pub fn connections(&self) -> usize {
        self.connections.load(Ordering::SeqCst)
    }

    /// TLS handshakes completed.
    pub fn handshakes(&self) -> usize {
        self.handshakes.load(Ordering::SeqCst)
    }
}

impl Drop for TlsFront {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::SeqCst);
        let _ = TcpStream::connect(("127.0.0.1", self.port));
    }
}

fn serve_tls(
    tcp: TcpStream,
    config: Arc<rustls::ServerConfig>,
    upstream: u16,
    handshakes: &AtomicUsize,
) -> std::io::Result<()> {
    tcp.set_read_timeout(Some(Duration::from_secs(30)))?;
    let mut conn = rustls::ServerConnection::new(config).map_err(std::io::Error::other)?;
    let mut tcp = tcp;
    while conn.is_handshaking() {
        conn.complete_io(&mut tcp)?;
    }
    handshakes.fetch_add(1, Ordering::SeqCst);
    let mut tls = BufReader::new(rustls::StreamOwned::new(conn, tcp));
    // One request: the head, then a body of Content-Length bytes.
    let mut head = Vec::new();
    let mut length = 0usize;
    loop {
        let mut line = String::new();
        if tls.read_line(&mut line)? == 0 {
            return Ok(());
        }
        if line == "\r\n" || line == "\n" {
            break;
        }
        let lower = line.to_ascii_lowercase();
        if let Some(value) = lower.strip_prefix("content-length:") {
            length = value.trim().parse().unwrap_or(0);
        }
        if lower.starts_with("connection:") {
            continue;
        }
        head.extend_from_slice(line.as_bytes());
    }
    let mut body = vec![0; length];
    tls.read_exact(&mut body)?;
    let mut up = TcpStream::connect(("127.0.0.1", upstream))?;
    up.write_all(&head)?;
    up.write_all(b"Connection: close\r\n\r\n")?;
    up.write_all(&body)?;
    let mut answer = Vec::new();
    up.read_to_end(&mut answer)?;
    // Say the connection closes after this answer.
    let split = answer
        .windows(4)
        .position(|w| w == b"\r\n\r\n")
        .unwrap_or(answer.len());
    let head_text = String::from_utf8_lossy(&answer[..split]).to_string();
    let mut out = String::new();
    for line in head_text.split("\r\n") {
        if !line.to_ascii_lowercase().starts_with("connection:") {
            out.push_str(line);
            out.push_str("\r\n");
        }
    }
    out.push_str("Connection: close\r\n");
    let tls = tls.get_mut();
    tls.write_all(out.as_bytes())?;
    tls.write_all(
        answer[split.min(answer.len())..]
            .get(2..)
            .unwrap_or_default(),
    )?;
    tls.conn.send_close_notify();
    tls.flush()?;
    let _ = tls.sock.shutdown(Shutdown::Both);
    Ok(())
}

/// An HTTP CONNECT proxy on 127.0.0.1, optionally wanting Basic
/// credentials (407 without them).
pub struct ConnectProxy {
    port: u16,
    tunnels: Arc<Mutex<Vec<String>>>,
    authorizations: Arc<Mutex<Vec<String>>>,
    requests: Arc<AtomicUsize>,
    stop: Arc<AtomicBool>,
}

impl ConnectProxy {
    pub fn start() -> ConnectProxy {
        Self::launch(None)
    }

    /// A proxy that answers 407 unless `Proxy-Authorization` carries
    /// `user:password`.
    pub fn start_with_auth(user: &str, password: &str) -> ConnectProxy {
        use base64::Engine;
        let token = base64::engine::general_purpose::STANDARD.encode(format!("{user}:{password}"));
        Self::launch(Some(format!("Basic {token}")))
    }

    fn launch(auth: Option<String>) -> ConnectProxy {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let port = listener.local_addr().unwrap().port();
        let tunnels = Arc::new(Mutex::new(Vec::new()));
        let authorizations = Arc::new(Mutex::new(Vec::new()));
        let requests = Arc::new(AtomicUsize::new(0));
        let stop = Arc::new(AtomicBool::new(false));
        let (t, a, r, s) = (
            tunnels.clone(),
            authorizations.clone(),
            requests.clone(),
            stop.clone(),
        );
        thread::spawn(move || {
            for stream in listener.incoming() {
                if s.load(Ordering::SeqCst) {
                    break;
                }
                let Ok(stream) = stream else { continue };
                let (t, a, r, auth) = (t.clone(), a.clone(), r.clone(), auth.clone());
                thread::spawn(move || {
                    let _ = tunnel(stream, &t, &a, &r, auth.as_deref());
                });
            }
        });
        ConnectProxy {
            port,
            tunnels,
            authorizations,
            requests,
            stop,
        }
    }

    /// `http://127.0.0.1:PORT` with `user:password@`.
    pub fn url_with(&self, user: &str, password: &str) -> String {
        format!("http://{user}:{password}@127.0.0.1:{}", self.port)
    }

    /// The `Proxy-Authorization` values received (empty when absent).
    pub fn authorizations(&self) -> Vec<String> {
        self.authorizations.lock().unwrap().clone()
    }

    /// `http://127.0.0.1:PORT`, for `HTTPS_PROXY` and friends.
    pub fn url(&self) -> String {
        format!("http://127.0.0.1:{}", self.port)
    }

    /// The `host:port` of every CONNECT asked, in order.
    pub fn tunnels(&self) -> Vec<String> {
        self.tunnels.lock().unwrap().clone()
    }

    /// The HTTP requests carried in plain-http tunnels.
    pub fn requests(&self) -> usize {
        self.requests.load(Ordering::SeqCst)
    }
}

impl Drop for ConnectProxy {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::SeqCst);
        let _ = TcpStream::connect(("127.0.0.1", self.port));
    }
}

fn tunnel(
    client: TcpStream,
    tunnels: &Mutex<Vec<String>>,
    authorizations: &Mutex<Vec<String>>,
    requests: &Arc<AtomicUsize>,
    auth: Option<&str>,
) -> std::io::Result<()> {
    client.set_read_timeout(Some(Duration::from_secs(30)))?;
    let mut reader = BufReader::new(client.try_clone()?);
    let mut first = String::new();
    reader.read_line(&mut first)?;
    let mut authorization = String::new();
    loop {
        let mut line = String::new();
        if reader.read_line(&mut line)? == 0 || line == "\r\n" || line == "\n" {
            break;
        }
        if let Some((name, value)) = line.split_once(':') {
            if name.eq_ignore_ascii_case("proxy-authorization") {
                authorization = value.trim().to_string();
            }
        }
    }
    authorizations.lock().unwrap().push(authorization.clone());
    let mut client = client;
    let mut parts = first.split_whitespace();
    let (Some("CONNECT"), Some(target)) = (parts.next(), parts.next()) else {
        client.write_all(
            b"HTTP/1.1 405 Method Not Allowed\r\nContent-Length: 0\r\nConnection: close\r\n\r\n",
        )?;
        return Ok(());
    };
    tunnels.lock().unwrap().push(target.to_string());
    if auth.is_some_and(|want| want != authorization) {
        client.write_all(b"HTTP/1.1 407 Proxy Authentication Required\r\nProxy-Authenticate: Basic realm=\"pbx-test\"\r\nContent-Length: 0\r\n\r\n")?;
        return Ok(());
    }
    let Some((host, port)) = target.rsplit_once(':') else {
        client.write_all(b"HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\n\r\n")?;
        return Ok(());
    };
    let local = host == "127.0.0.1" || host == "localhost" || host.ends_with(".pbx.test");
    let port: u16 = port.parse().unwrap_or(0);
    if !local || port == 0 {
        // A test proxy never reaches beyond this machine.
        client.write_all(b"HTTP/1.1 403 Forbidden\r\nContent-Length: 0\r\n\r\n")?;
        return Ok(());
    }
    let Ok(upstream) = TcpStream::connect(("127.0.0.1", port)) else {
        client.write_all(b"HTTP/1.1 502 Bad Gateway\r\nContent-Length: 0\r\n\r\n")?;
        return Ok(());
    };
    client.write_all(b"HTTP/1.1 200 Connection established\r\n\r\n")?;
    // Whatever the client sent after its CONNECT head is already buffered.
    let buffered = reader.buffer().to_vec();
    let mut up_write = upstream.try_clone()?;
    let mut up_read = upstream;
    let mut client_write = client;
    let requests = requests.clone();
    let forward = thread::spawn(move || {
        let count = |bytes: &[u8]| {
            let n = bytes.windows(11).filter(|w| w == b" HTTP/1.1\r\n").count();
            requests.fetch_add(n, Ordering::SeqCst);
        };
        count(&buffered);
        let _ = up_write.write_all(&buffered);
        let mut inner = reader.into_inner();
        let mut buf = [0u8; 16 * 1024];
        loop {
            match inner.read(&mut buf) {
                Ok(0) | Err(_) => break,
                Ok(n) => {
                    count(&buf[..n]);
                    if up_write.write_all(&buf[..n]).is_err() {
                        break;
                    }
                }
            }
        }
        let _ = up_write.shutdown(Shutdown::Write);
    });
    let _ = std::io::copy(&mut up_read, &mut client_write);
    let _ = client_write.shutdown(Shutdown::Both);
    let _ = forward.join();
    Ok(())
}

/// A SOCKS5 proxy on 127.0.0.1 (no authentication), as `ssh -D` gives.
/// Names under `.pbx.test` lead to 127.0.0.1; it never connects anywhere
/// but 127.0.0.1. Records each `host:port` asked.
pub struct Socks5Proxy {
    port: u16,
    targets: Arc<Mutex<Vec<String>>>,
    stop: Arc<AtomicBool>,
}

impl Socks5Proxy {
    pub fn start() -> Socks5Proxy {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let port = listener.local_addr().unwrap().port();
        let targets = Arc::new(Mutex::new(Vec::new()));
        let stop = Arc::new(AtomicBool::new(false));
        let (t, s) = (targets.clone(), stop.clone());
        thread::spawn(move || {
            for stream in listener.incoming() {
                if s.load(Ordering::SeqCst) {
                    break;
                }
                let Ok(stream) = stream else { continue };
                let t = t.clone();
                thread::spawn(move || {
                    let _ = socks5(stream, &t);
                });
            }
        });
        Socks5Proxy {
            port,
            targets,
            stop,
        }
    }

    /// `socks5h://127.0.0.1:PORT` (the proxy resolves names).
    pub fn url(&self) -> String {
        format!("socks5h://127.0.0.1:{}", self.port)
    }

    pub fn targets(&self) -> Vec<String> {
        self.targets.lock().unwrap().clone()
    }
}

impl Drop for Socks5Proxy {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::SeqCst);
        let _ = TcpStream::connect(("127.0.0.1", self.port));
    }
}

fn socks5(mut client: TcpStream, targets: &Mutex<Vec<String>>) -> std::io::Result<()> {
    client.set_read_timeout(Some(Duration::from_secs(30)))?;
    let mut head = [0u8; 2];
    client.read_exact(&mut head)?;
    let mut methods = vec![0u8; usize::from(head[1])];
    client.read_exact(&mut methods)?;
    if head[0] != 5 || !methods.contains(&0) {
        client.write_all(&[5, 0xff])?;
        return Ok(());
    }
    client.write_all(&[5, 0])?;
    let mut request = [0u8; 4];
    client.read_exact(&mut request)?;
    let host = match request[3] {
        1 => {
            let mut ip = [0u8; 4];
            client.read_exact(&mut ip)?;
            std::net::Ipv4Addr::from(ip).to_string()
        }
        3 => {
            let mut len = [0u8; 1];
            client.read_exact(&mut len)?;
            let mut name = vec![0u8; usize::from(len[0])];
            client.read_exact(&mut name)?;
            String::from_utf8_lossy(&name).into_owned()
        }
        _ => {
            client.write_all(&[5, 8, 0, 1, 0, 0, 0, 0, 0, 0])?;
            return Ok(());
        }
    };
    let mut port = [0u8; 2];
    client.read_exact(&mut port)?;
    let port = u16::from_be_bytes(port);
    targets.lock().unwrap().push(format!("{host}:{port}"));
    let local = host == "127.0.0.1" || host == "localhost" || host.ends_with(".pbx.test");
    let upstream = match local.then(|| TcpStream::connect(("127.0.0.1", port))) {
        Some(Ok(upstream)) => upstream,
        // 2: not allowed by the rule set; 5: connection refused.
        None => return client.write_all(&[5, 2, 0, 1, 0, 0, 0, 0, 0, 0]),
        Some(Err(_)) => return client.write_all(&[5, 5, 0, 1, 0, 0, 0, 0, 0, 0]),
    };
    client.write_all(&[5, 0, 0, 1, 127, 0, 0, 1, 0, 0])?;
    let mut up_write = upstream.try_clone()?;
    let mut up_read = upstream;
    let mut client_read = client.try_clone()?;
    let mut client_write = client;
    let forward = thread::spawn(move || {
        let _ = std::io::copy(&mut client_read, &mut up_write);
        let _ = up_write.shutdown(Shutdown::Write);
    });
    let _ = std::io::copy(&mut up_read, &mut client_write);
    let _ = client_write.shutdown(Shutdown::Both);
    let _ = forward.join();
    Ok(())
}
