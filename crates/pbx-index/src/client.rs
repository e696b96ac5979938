//! The HTTP client: one keep-alive agent, bounded retries, credential rules.

use std::fmt;
use std::io::Read;
use std::net::IpAddr;
use std::sync::Arc;
use std::time::Duration;

use pbx_version::PackageName;
use ureq::http;
use url::Url;

use crate::error::IndexError;
use crate::proxy::{Proxies, Route};
use crate::simple::{self, IndexFile};
use crate::tls::{self, Tls};
use crate::urls::project_url;

/// The `Accept` header of simple API reads: PEP 691 JSON first, PEP 503
/// HTML as the fallback every index serves.
pub const SIMPLE_ACCEPT: &str = "application/vnd.pypi.simple.v1+json, text/html;q=0.1";

/// The largest answer read into memory (a simple page of a project with
/// thousands of files is a few MiB).
const MAX_BODY: u64 = 64 * 1024 * 1024;

/// What to do about a server certificate that is not trusted.
const SERVER_CERT_HINT: &str = "if a proxy or a private CA signs this server's certificate, point PBX_CERT (or TWINE_CERT, or SSL_CERT_FILE for every tool) at a PEM bundle holding that CA";

/// What to do when the index wants a client certificate and has none.
const CLIENT_CERT_HINT: &str = "this index wants a client certificate: set PBX_CLIENT_CERT (or TWINE_CLIENT_CERT) to a PEM file holding the certificate and its private key";

/// The longest wait a `Retry-After` can ask for.
const MAX_RETRY_AFTER: Duration = Duration::from_secs(120);

/// Timeouts, retry budget, TLS and proxies.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ClientConfig {
    /// Attempts after the first one, for connection errors, timeouts, 429
    /// and 5xx.
    pub retries: u32,
    /// The first backoff; each retry doubles it (with jitter).
    pub backoff: Duration,
    /// The longest backoff between two attempts.
    pub max_backoff: Duration,
    /// Connecting (DNS + TCP + TLS).
    pub connect_timeout: Duration,
    /// Waiting for the answer once the request is sent, and each read of
    /// its body.
    pub timeout: Duration,
    /// The `User-Agent` header.
    pub user_agent: String,
    /// The roots trusted and the client certificate shown (the platform's
    /// store by default).
    pub tls: Tls,
    /// The proxies (none by default; [`ClientConfig::from_vars`] reads
    /// them from the environment).
    pub proxies: Proxies,
    /// How long an upload whose answer was lost looks for its file on the
    /// simple API before deciding it did not land (pbx-upload sets it to its
    /// `--wait`: a listing can lag behind the upload).
    pub reconcile_wait: Duration,
}

impl Default for ClientConfig {
    fn default() -> Self {
        ClientConfig {
            retries: 4,
            reconcile_wait: Duration::from_secs(10),
            backoff: Duration::from_millis(500),
            max_backoff: Duration::from_secs(30),
            connect_timeout: Duration::from_secs(15),
            timeout: Duration::from_secs(120),
            user_agent: format!("pbx/{}", env!("CARGO_PKG_VERSION")),
            tls: Tls::default(),
            proxies: Proxies::none(),
        }
    }
}

impl ClientConfig {
    /// The defaults, adjusted by `PBX_HTTP_TIMEOUT` (seconds, fractions
    /// allowed), `PBX_HTTP_RETRIES` and `PBX_HTTP_BACKOFF_MS`, with the TLS
    /// settings of [`Tls::from_vars`] (`PBX_CERT`/`TWINE_CERT`,
    /// `PBX_CLIENT_CERT`/`TWINE_CLIENT_CERT`, `SSL_CERT_FILE`,
    /// `SSL_CERT_DIR`) and the proxies of [`Proxies::from_vars`]
    /// (`HTTPS_PROXY`, `HTTP_PROXY`, `ALL_PROXY`, `NO_PROXY`), all read
    /// through `var`. Returns the variable (and file) and why its value is
    /// unusable.
    pub fn from_vars(var: impl Fn(&str) -> Option<String>) -> Result<ClientConfig, String> {
        let mut config = ClientConfig {
            tls: Tls::from_vars(&var)?,
            proxies: Proxies::from_vars(&var)?,
            ..ClientConfig::default()
        };
        if let Some(value) = var("PBX_HTTP_TIMEOUT") {
            let secs: f64 = value
                .trim()
                .parse()
                .ok()
                .filter(|s: &f64| s.is_finite() && *s >= 0.1 && *s <= 3600.0)
                .ok_or_else(|| {
                    format!(
                        "PBX_HTTP_TIMEOUT=`{value}` is not a number of seconds from 0.1 to 3600"
                    )
                })?;
            config.timeout = Duration::from_secs_f64(secs);
            config.connect_timeout = config.connect_timeout.min(config.timeout);
        }
        if let Some(value) = var("PBX_HTTP_RETRIES") {
            config.retries = value
                .trim()
                .parse()
                .ok()
                .filter(|r| *r <= 20)
                .ok_or_else(|| {
                    format!("PBX_HTTP_RETRIES=`{value}` is not a number from 0 to 20")
                })?;
        }
        if let Some(value) = var("PBX_HTTP_BACKOFF_MS") {
            config.backoff = Duration::from_millis(value.trim().parse().map_err(|_| {
                format!("PBX_HTTP_BACKOFF_MS=`{value}` is not a number of milliseconds")
            })?);
        }
        Ok(config)
    }
}

/// A username and password (or `__token__` and an API token) for an index.
///
/// `Debug` never shows the password.
#[derive(Clone, PartialEq, Eq)]
pub struct Credentials {
    username: String,
    password: String,
}

impl Credentials {
    /// Credentials; an empty username becomes `__token__`.
    pub fn new(username: impl Into<String>, password: impl Into<String>) -> Credentials {
        let username = username.into();
        Credentials {
            username: if username.is_empty() {
                "__token__".to_string()
            } else {
                username
            },
            password: password.into(),
        }
    }

    /// The username.
    pub fn username(&self) -> &str {
        &self.username
    }

    /// The password or token (for masking it; never print it).
    pub fn secret(&self) -> &str {
        &self.password
    }

    fn authorization(&self) -> String {
        use base64::Engine;
        let pair = format!("{}:{}", self.username, self.password);
        format!(
            "Basic {}",
            base64::engine::general_purpose::STANDARD.encode(pair)
        )
    }
}

impl fmt::Debug for Credentials {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Credentials")
            .field("username", &self.username)
            .field("password", &"<redacted>")
            .finish()
    }
}

/// Refuses to send credentials to `url` unless it is https, or http to a
/// loopback address (a local index on this machine).
pub fn check_credentials_allowed(url: &Url) -> Result<(), IndexError> {
    if url.scheme() == "https" || is_loopback(url) {
        return Ok(());
    }
    Err(IndexError::InsecureCredentials {
        url: url.to_string(),
        host: url.host_str().unwrap_or_default().to_string(),
    })
}

fn is_loopback(url: &Url) -> bool {
    match url.host() {
        Some(url::Host::Ipv4(ip)) => IpAddr::V4(ip).is_loopback(),
        Some(url::Host::Ipv6(ip)) => IpAddr::V6(ip).is_loopback(),
        Some(url::Host::Domain(d)) => d.eq_ignore_ascii_case("localhost"),
        None => false,
    }
}

/// One retry the client is about to make, for progress messages.
#[derive(Clone, Debug)]
pub struct RetryEvent {
    /// The URL being retried.
    pub url: String,
    /// The attempt that failed (1-based).
    pub attempt: u32,
    /// All attempts allowed.
    pub max_attempts: u32,
    /// What went wrong.
    pub reason: String,
    /// How long the client waits before the next attempt.
    pub wait: Duration,
}

type Observer = Arc<dyn Fn(&RetryEvent) + Send + Sync>;

/// How far an upload's body has been sent, for a progress bar.
#[derive(Clone, Copy, Debug)]
pub struct SendProgress<'a> {
    /// The file being uploaded.
    pub filename: &'a str,
    /// Bytes of the request body sent so far in this attempt.
    pub sent: u64,
    /// The body's length.
    pub total: u64,
}

type ProgressFn = Arc<dyn Fn(&SendProgress<'_>) + Send + Sync>;

/// A package index client: one keep-alive agent (rustls), `pbx/<version>`
/// User-Agent, timeouts, and bounded retries with exponential backoff and
/// jitter on connection errors, timeouts, 429 and 5xx (honouring
/// `Retry-After`), never on other 4xx.
#[derive(Clone)]
pub struct Client {
    agents: Agents,
    config: ClientConfig,
    observer: Option<Observer>,
    pub(crate) progress: Option<ProgressFn>,
    pub(crate) cancel: Option<Arc<std::sync::atomic::AtomicBool>>,
    read_auth: Option<(String, Credentials)>,
}

impl fmt::Debug for Client {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Client")
            .field("config", &self.config)
            .finish_non_exhaustive()
    }
}

/// One keep-alive agent per route: direct, through the http proxy, through
/// the https proxy.
#[derive(Clone)]
struct Agents {
    direct: ureq::Agent,
    http: Option<ureq::Agent>,
    https: Option<ureq::Agent>,
}

/// An HTTP answer (any status), body read into memory.
#[derive(Debug)]
pub(crate) struct Reply {
    pub status: u16,
    pub headers: http::HeaderMap,
    pub body: String,
}

impl Reply {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).and_then(|v| v.to_str().ok())
    }

    /// What the body says, reduced to safe plain text
    /// ([`crate::text::outside_text`]); the status's reason when it says
    /// nothing.
    pub fn message(&self) -> String {
        let text = crate::text::outside_text(&self.body);
        if text.is_empty() {
            return http::StatusCode::from_u16(self.status)
                .ok()
                .and_then(|s| s.canonical_reason())
                .unwrap_or("")
                .to_string();
        }
        text
    }
}

/// A request body.
pub(crate) enum RequestBody<'a> {
    /// No body.
    Empty,
    /// Bytes with a content type.
    Bytes(&'a [u8], &'a str),
    /// A stream of known length, opened afresh for every attempt.
    Stream {
        open: &'a dyn Fn() -> Result<Box<dyn Read + 'a>, IndexError>,
        len: u64,
        content_type: &'a str,
    },
}

/// Why one attempt got no HTTP answer.
#[derive(Debug)]
pub(crate) enum AttemptError {
    /// Connection refused/reset, timeout, truncated answer: the outcome of
    /// the request is unknown.
    Transport(String),
    /// A local problem that no retry fixes (a file that cannot be read).
    Fatal(IndexError),
}

impl Client {
    /// A client with `config`.
    pub fn new(config: ClientConfig) -> Client {
        let tls = config.tls.ureq_config();
        let build = |proxy: Option<ureq::Proxy>| -> ureq::Agent {
            ureq::Agent::config_builder()
                .http_status_as_error(false)
                .max_redirects(0)
                .user_agent(config.user_agent.as_str())
                .timeout_connect(Some(config.connect_timeout))
                .timeout_recv_response(Some(config.timeout))
                .timeout_per_read(Some(config.timeout))
                .timeout_per_write(Some(config.timeout))
                .tls_config(tls.clone())
                // Always set: ureq would otherwise read the environment
                // itself (ALL_PROXY first, no NO_PROXY for this machine).
                .proxy(proxy)
                .build()
                .into()
        };
        // `Proxies` only holds URLs that ureq parsed when they were read.
        let proxied = |route: Route| {
            let url = &config.proxies.for_route(route)?.url;
            ureq::Proxy::new(url).ok().map(|proxy| build(Some(proxy)))
        };
        let agents = Agents {
            direct: build(None),
            http: proxied(Route::Http),
            https: proxied(Route::Https),
        };
        Client {
            agents,
            config,
            observer: None,
            progress: None,
            cancel: None,
            read_auth: None,
        }
    }

    /// Stops an upload in progress (its body stops being sent, no retry
    /// follows) once `cancel` is set: Ctrl-C or SIGTERM.
    pub fn with_cancel(mut self, cancel: Arc<std::sync::atomic::AtomicBool>) -> Self {
        self.cancel = Some(cancel);
        self
    }

    /// The stop flag given with [`Client::with_cancel`].
    pub fn cancel_flag(&self) -> Option<Arc<std::sync::atomic::AtomicBool>> {
        self.cancel.clone()
    }

    /// Whether the run was told to stop.
    pub fn cancelled(&self) -> bool {
        self.cancel
            .as_ref()
            .is_some_and(|c| c.load(std::sync::atomic::Ordering::SeqCst))
    }

    /// Calls `progress` as an upload's body is sent (for a progress bar).
    pub fn with_progress(
        mut self,
        progress: impl Fn(&SendProgress<'_>) + Send + Sync + 'static,
    ) -> Self {
        self.progress = Some(Arc::new(progress));
        self
    }

    /// Calls `observer` before each retry (for progress messages).
    pub fn with_observer(mut self, observer: impl Fn(&RetryEvent) + Send + Sync + 'static) -> Self {
        self.observer = Some(Arc::new(observer));
        self
    }

    /// Sends `credentials` with reads (simple pages, file downloads) to
    /// `host`, for a private index that needs them to list files. Never to
    /// another host, and never over plain http unless the host is this
    /// machine.
    pub fn with_read_credentials(mut self, host: &str, credentials: Credentials) -> Self {
        self.read_auth = Some((host.to_ascii_lowercase(), credentials));
        self
    }

    /// The read credentials for `url`, when its host is the one they are
    /// for.
    pub(crate) fn read_credentials_for(&self, url: &Url) -> Option<&Credentials> {
        self.read_auth
            .as_ref()
            .filter(|(host, _)| url.host_str().is_some_and(|h| h.eq_ignore_ascii_case(host)))
            .map(|(_, credentials)| credentials)
    }

    /// The configuration.
    pub fn config(&self) -> &ClientConfig {
        &self.config
    }

    /// The agent for `url`: direct, or through the proxy for its scheme
    /// unless `NO_PROXY` (or this machine) says direct.
    fn agent_for(&self, url: &Url) -> &ureq::Agent {
        let proxied = match self.config.proxies.route(url) {
            Route::Direct => None,
            Route::Http => self.agents.http.as_ref(),
            Route::Https => self.agents.https.as_ref(),
        };
        proxied.unwrap_or(&self.agents.direct)
    }

    /// Why one exchange with `url` got no answer, as an [`AttemptError`]:
    /// a certificate problem is fatal (no retry fixes it), anything else
    /// is a transport error (said with the proxy it went through).
    fn transport_error(&self, url: &Url, error: &ureq::Error) -> AttemptError {
        if let Some(problem) = tls::certificate_failure(error) {
            let (problem, hint) = match problem {
                tls::CertificateFailure::Server(problem) => (problem, SERVER_CERT_HINT.to_string()),
                tls::CertificateFailure::Client(problem) => {
                    let hint = match self.config.tls.identity() {
                        Some(identity) => format!(
                            "check the client certificate {} (is it the one this index expects, and still valid?)",
                            identity.origin()
                        ),
                        None => CLIENT_CERT_HINT.to_string(),
                    };
                    (problem, hint)
                }
            };
            let via = match self.config.proxies.describe_for(url) {
                Some(proxy) => format!(" through the proxy {proxy}"),
                None => String::new(),
            };
            return AttemptError::Fatal(IndexError::Certificate {
                url: url.to_string(),
                problem,
                advice: format!(
                    "pbx trusts {}{via}; {hint}",
                    self.config.tls.describe_roots()
                ),
            });
        }
        if let (Some(status), Some(proxy)) =
            (proxy_refusal(error), self.config.proxies.describe_for(url))
        {
            return AttemptError::Fatal(IndexError::ProxyRefused {
                url: url.to_string(),
                hint: if status == 407 {
                    "the proxy wants credentials: put them in the proxy URL (`http://user:password@proxy:port`)".to_string()
                } else {
                    "check that the proxy allows this host and port, or list the host in NO_PROXY"
                        .to_string()
                },
                proxy,
                status,
            });
        }
        let reason = describe(error);
        AttemptError::Transport(match self.config.proxies.describe_for(url) {
            Some(proxy) => format!("{reason} (through the proxy {proxy})"),
            None => reason,
        })
    }

    /// Every file the index lists for `name` under the simple API base
    /// `simple` (yanked files included). PEP 691 JSON when the index
    /// serves it, PEP 503 HTML otherwise. A 404 means the index does not
    /// know the project: no files.
    pub fn list_files(
        &self,
        simple: &Url,
        name: &PackageName,
    ) -> Result<Vec<IndexFile>, IndexError> {
        self.list_files_as(simple, name, None)
    }

    /// [`Client::list_files`] with credentials (a private index).
    pub fn list_files_as(
        &self,
        simple: &Url,
        name: &PackageName,
        credentials: Option<&Credentials>,
    ) -> Result<Vec<IndexFile>, IndexError> {
        let url = project_url(simple, name);
        let credentials = credentials.or_else(|| self.read_credentials_for(&url));
        let (final_url, reply) = self.get(&url, SIMPLE_ACCEPT, credentials)?;
        match reply.status {
            200 => {}
            404 | 410 => return Ok(Vec::new()),
            status => {
                return Err(IndexError::Status {
                    url: final_url.to_string(),
                    status,
                    message: reply.message(),
                    sent_credentials: credentials.is_some(),
                })
            }
        }
        let content_type = reply
            .header("content-type")
            .unwrap_or("")
            .to_ascii_lowercase();
        let malformed = |reason: String| IndexError::Malformed {
            url: final_url.to_string(),
            reason,
        };
        let mut files =
            simple::parse_page(&final_url, &content_type, &reply.body).map_err(malformed)?;
        // Every file type an index has held carries a version (eggs,
        // `.tar.bz2`, installers): read it knowing the project's name.
        for file in &mut files {
            if let Some(version) = pbx_artifact::version_of_filename(&file.filename, name.as_str())
            {
                file.version = Some(version);
            }
        }
        Ok(files)
    }

    /// A fresh GET (`Cache-Control: no-cache`) with retries. Redirects are
    /// followed (up to 5) unless credentials are sent and the redirect
    /// leaves the host. Returns the final URL and the answer (any status
    /// that is not retried).
    pub(crate) fn get(
        &self,
        url: &Url,
        accept: &str,
        credentials: Option<&Credentials>,
    ) -> Result<(Url, Reply), IndexError> {
        let mut url = url.clone();
        for _ in 0..=5 {
            let reply = self.with_retries(&url, || {
                self.attempt(
                    "GET",
                    &url,
                    &[("accept", accept)],
                    &RequestBody::Empty,
                    credentials,
                )
            })?;
            if !(300..400).contains(&reply.status) || reply.status == 304 {
                return Ok((url, reply));
            }
            let location = reply.header("location").unwrap_or_default().to_string();
            let next = url.join(&location).map_err(|_| IndexError::Redirected {
                url: url.to_string(),
                location: location.clone(),
            })?;
            if !matches!(next.scheme(), "http" | "https")
                || (credentials.is_some()
                    && (next.host_str() != url.host_str()
                        || next.port_or_known_default() != url.port_or_known_default()
                        || (url.scheme() == "https" && next.scheme() == "http")))
            {
                return Err(IndexError::Redirected {
                    url: url.to_string(),
                    location: next.to_string(),
                });
            }
            url = next;
        }
        Err(IndexError::Redirected {
            url: url.to_string(),
            location: "(more than 5 redirects)".to_string(),
        })
    }

    /// Runs `attempt` until it gives an answer that is not retried, with
    /// backoff between attempts. Transport errors, 429 and 5xx are retried;
    /// when every attempt fails the error is [`IndexError::Unreachable`].
    pub(crate) fn with_retries(
        &self,
        url: &Url,
        mut attempt: impl FnMut() -> Result<Reply, AttemptError>,
    ) -> Result<Reply, IndexError> {
        let max_attempts = self.config.retries + 1;
        let mut number = 0;
        loop {
            number += 1;
            let (reason, retry_after) = match attempt() {
                Ok(reply) if is_retryable_status(reply.status) => {
                    (format!("HTTP {}", reply.status), retry_after(&reply))
                }
                Ok(reply) => return Ok(reply),
                Err(AttemptError::Fatal(e)) => return Err(e),
                Err(AttemptError::Transport(reason)) => (reason, None),
            };
            if number >= max_attempts {
                return Err(IndexError::Unreachable {
                    url: url.to_string(),
                    attempts: number,
                    last: reason,
                });
            }
            self.pause(url, number, reason, retry_after);
        }
    }

    /// Sleeps before attempt `failed + 1`, telling the observer.
    pub(crate) fn pause(
        &self,
        url: &Url,
        failed: u32,
        reason: String,
        retry_after: Option<Duration>,
    ) {
        let wait = self.backoff(failed, retry_after);
        if let Some(observer) = &self.observer {
            observer(&RetryEvent {
                url: url.to_string(),
                attempt: failed,
                max_attempts: self.config.retries + 1,
                reason,
                wait,
            });
        }
        std::thread::sleep(wait);
    }

    /// Exponential backoff with jitter (50–100 % of `backoff · 2^(n-1)`,
    /// capped), or the server's `Retry-After` when that is longer.
    pub(crate) fn backoff(&self, failed: u32, retry_after: Option<Duration>) -> Duration {
        let exp = self
            .config
            .backoff
            .saturating_mul(1u32 << failed.saturating_sub(1).min(16))
            .min(self.config.max_backoff);
        let jittered = exp.mul_f64(0.5 + fastrand::f64() * 0.5);
        match retry_after {
            Some(asked) => asked.min(MAX_RETRY_AFTER).max(jittered),
            None => jittered,
        }
    }

    /// One HTTP exchange. Any status is an `Ok`; no answer is an
    /// [`AttemptError::Transport`].
    pub(crate) fn attempt(
        &self,
        method: &str,
        url: &Url,
        headers: &[(&str, &str)],
        body: &RequestBody<'_>,
        credentials: Option<&Credentials>,
    ) -> Result<Reply, AttemptError> {
        let mut builder = http::Request::builder()
            .method(method)
            .uri(url.as_str())
            .header("cache-control", "no-cache");
        for (name, value) in headers {
            builder = builder.header(*name, *value);
        }
        if let Some(credentials) = credentials {
            check_credentials_allowed(url).map_err(AttemptError::Fatal)?;
            builder = builder.header("authorization", credentials.authorization());
        }
        let bad_request = |e: http::Error| {
            AttemptError::Fatal(IndexError::InvalidIndex {
                input: url.to_string(),
                reason: e.to_string(),
            })
        };
        let agent = self.agent_for(url);
        let result = match body {
            RequestBody::Empty => {
                let request = builder.body(()).map_err(bad_request)?;
                agent.run(request)
            }
            RequestBody::Bytes(bytes, content_type) => {
                let request = builder
                    .header("content-type", *content_type)
                    .body(*bytes)
                    .map_err(bad_request)?;
                agent.run(request)
            }
            RequestBody::Stream {
                open,
                len,
                content_type,
            } => {
                let mut reader = open().map_err(AttemptError::Fatal)?;
                let request = builder
                    .header("content-type", *content_type)
                    .header("content-length", len.to_string())
                    .body(ureq::SendBody::from_reader(&mut reader))
                    .map_err(bad_request)?;
                // An index checks a big upload before it answers: allow
                // for that on top of the usual wait (1 s per 16 MiB).
                let processing = Duration::from_secs(len / (16 * 1024 * 1024));
                let request = agent
                    .configure_request(request)
                    .timeout_recv_response(Some(self.config.timeout + processing))
                    .build();
                agent.run(request)
            }
        };
        let mut response = result.map_err(|e| self.transport_error(url, &e))?;
        let status = response.status().as_u16();
        let headers = response.headers().clone();
        let body = response
            .body_mut()
            .with_config()
            .limit(MAX_BODY)
            .lossy_utf8(true)
            .read_to_string()
            .map_err(|e| match self.transport_error(url, &e) {
                AttemptError::Transport(reason) => {
                    AttemptError::Transport(format!("reading the answer: {reason}"))
                }
                fatal => fatal,
            })?;
        Ok(Reply {
            status,
            headers,
            body,
        })
    }
}

/// A JSON exchange's answer: status, body, and the body parsed as JSON
/// when it is JSON.
#[derive(Debug, Clone)]
pub struct JsonReply {
    /// The HTTP status.
    pub status: u16,
    /// The body, as text.
    pub body: String,
    /// The body parsed, when it parses.
    pub json: Option<serde_json::Value>,
}

impl Client {
    /// A JSON request (`GET` when `body` is `None`, `POST` otherwise), with
    /// the retries of every read. `bearer` is sent as
    /// `Authorization: bearer …` (only over https or to this machine).
    /// Answers of any status that is not retried are returned.
    pub fn request_json(
        &self,
        url: &Url,
        bearer: Option<&str>,
        body: Option<&serde_json::Value>,
    ) -> Result<JsonReply, IndexError> {
        let authorization = match bearer {
            Some(token) => {
                check_credentials_allowed(url)?;
                Some(format!("bearer {token}"))
            }
            None => None,
        };
        let mut headers = vec![("accept", "application/json")];
        if let Some(value) = &authorization {
            headers.push(("authorization", value.as_str()));
        }
        let bytes = body.map(|b| b.to_string().into_bytes());
        let request_body = match &bytes {
            Some(bytes) => RequestBody::Bytes(bytes, "application/json"),
            None => RequestBody::Empty,
        };
        let method = if body.is_some() { "POST" } else { "GET" };
        let reply = self.with_retries(url, || {
            self.attempt(method, url, &headers, &request_body, None)
        })?;
        if (300..400).contains(&reply.status) {
            return Err(IndexError::Redirected {
                url: url.to_string(),
                location: reply.header("location").unwrap_or_default().to_string(),
            });
        }
        Ok(JsonReply {
            status: reply.status,
            json: serde_json::from_str(&reply.body).ok(),
            body: reply.body,
        })
    }

    /// One GET (no retries) whose 200 body is handed to `read` as a
    /// stream: `Ok(Ok(value))`, `Ok(Err(status))` for another status,
    /// `Err` when there is no (complete) answer.
    pub(crate) fn get_streaming<T>(
        &self,
        url: &Url,
        read: impl FnOnce(&mut dyn Read) -> std::io::Result<T>,
    ) -> Result<Result<T, u16>, AttemptError> {
        let mut builder = http::Request::builder()
            .method("GET")
            .uri(url.as_str())
            .header("cache-control", "no-cache");
        if let Some(credentials) = self.read_credentials_for(url) {
            check_credentials_allowed(url).map_err(AttemptError::Fatal)?;
            builder = builder.header("authorization", credentials.authorization());
        }
        let request = builder.body(()).map_err(|e| {
            AttemptError::Fatal(IndexError::InvalidIndex {
                input: url.to_string(),
                reason: e.to_string(),
            })
        })?;
        let mut response = self
            .agent_for(url)
            .run(request)
            .map_err(|e| self.transport_error(url, &e))?;
        let status = response.status().as_u16();
        if status != 200 {
            return Ok(Err(status));
        }
        let mut reader = response.body_mut().as_reader();
        read(&mut reader)
            .map(Ok)
            .map_err(|e| AttemptError::Transport(format!("reading {url}: {e}")))
    }
}

fn is_retryable_status(status: u16) -> bool {
    status == 429 || (500..600).contains(&status)
}

pub(crate) fn retry_after(reply: &Reply) -> Option<Duration> {
    let value = reply.header("retry-after")?.trim();
    if let Ok(secs) = value.parse::<u64>() {
        return Some(Duration::from_secs(secs));
    }
    let when = httpdate::parse_http_date(value).ok()?;
    Some(
        when.duration_since(std::time::SystemTime::now())
            .unwrap_or_default(),
    )
}

/// The 4xx status a CONNECT proxy refused the tunnel with (ureq says
/// `proxy server responded 407/407`). 5xx (the proxy could not reach the
/// index) stays a transport error, retried.
fn proxy_refusal(error: &ureq::Error) -> Option<u16> {
    let ureq::Error::ConnectProxyFailed(reason) = error else {
        return None;
    };
    let digits: String = reason
        .split("responded")
        .nth(1)?
        .trim_start()
        .chars()
        .take_while(char::is_ascii_digit)
        .collect();
    digits.parse().ok().filter(|s| (400..500).contains(s))
}

fn describe(error: &ureq::Error) -> String {
    match error {
        ureq::Error::Timeout(which) => format!("timed out ({which})"),
        ureq::Error::Io(io) => format!("connection error: {io}"),
        ureq::Error::HostNotFound => "host not found".to_string(),
        ureq::Error::ConnectionFailed => "connection failed".to_string(),
        other => other.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn credentials_rules() {
        let ok = [
            "https://upload.pypi.org/legacy/",
            "http://127.0.0.1:8080/",
            "http://[::1]:1/",
            "http://localhost/",
        ];
        for url in ok {
            assert!(
                check_credentials_allowed(&Url::parse(url).unwrap()).is_ok(),
                "{url}"
            );
        }
        let err = check_credentials_allowed(&Url::parse("http://example.org/legacy/").unwrap())
            .unwrap_err();
        assert!(err.to_string().contains("plain http"), "{err}");
        assert!(err.is_input());
        let creds = Credentials::new("", "pypi-s3cret");
        assert_eq!(creds.username(), "__token__");
        assert!(!format!("{creds:?}").contains("s3cret"));
    }

    #[test]
    fn backoff_grows_with_jitter_and_honours_retry_after() {
        let client = Client::new(ClientConfig {
            backoff: Duration::from_millis(100),
            max_backoff: Duration::from_millis(1000),
            ..ClientConfig::default()
        });
        for _ in 0..50 {
            let first = client.backoff(1, None);
            assert!(first >= Duration::from_millis(50) && first <= Duration::from_millis(100));
            let third = client.backoff(3, None);
            assert!(third >= Duration::from_millis(200) && third <= Duration::from_millis(400));
            let capped = client.backoff(10, None);
            assert!(capped <= Duration::from_millis(1000));
        }
        assert_eq!(
            client.backoff(1, Some(Duration::from_secs(7))),
            Duration::from_secs(7)
        );
        assert_eq!(
            client.backoff(1, Some(Duration::from_secs(9999))),
            MAX_RETRY_AFTER
        );
    }

    #[test]
    fn proxy_refusals_are_4xx_only() {
        let failed = |r: &str| ureq::Error::ConnectProxyFailed(r.to_string());
        assert_eq!(
            proxy_refusal(&failed("proxy server responded 407/407")),
            Some(407)
        );
        assert_eq!(
            proxy_refusal(&failed("proxy server responded 403/403")),
            Some(403)
        );
        assert_eq!(
            proxy_refusal(&failed("proxy server responded 502/502")),
            None
        );
        assert_eq!(proxy_refusal(&failed("proxy server did not respond")), None);
        assert_eq!(proxy_refusal(&ureq::Error::HostNotFound), None);
    }

    #[test]
    fn config_from_vars() {
        let config = ClientConfig::from_vars(|k| match k {
            "PBX_HTTP_TIMEOUT" => Some("0.5".into()),
            "PBX_HTTP_RETRIES" => Some("2".into()),
            _ => None,
        })
        .unwrap();
        assert_eq!(config.timeout, Duration::from_millis(500));
        assert_eq!(config.retries, 2);
        assert!(
            ClientConfig::from_vars(|k| (k == "PBX_HTTP_TIMEOUT").then(|| "-1".into())).is_err()
        );
        // TLS and proxy settings come through the same `var`.
        let err = ClientConfig::from_vars(|k| (k == "HTTPS_PROXY").then(|| "ftp://p:1".into()))
            .unwrap_err();
        assert!(err.starts_with("HTTPS_PROXY="), "{err}");
        let err = ClientConfig::from_vars(|k| (k == "PBX_CERT").then(|| "/nonexistent.pem".into()))
            .unwrap_err();
        assert!(err.starts_with("PBX_CERT=/nonexistent.pem"), "{err}");
        let config =
            ClientConfig::from_vars(|k| (k == "https_proxy").then(|| "proxy.corp:3128".into()))
                .unwrap();
        assert!(!config.proxies.is_empty());
        assert_eq!(config.tls, Tls::default());
    }
}
