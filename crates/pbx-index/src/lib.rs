//! A client for Python package indexes, as pbx needs it.
//!
//! - [`IndexUrls`]: `pypi`, `testpypi` or any URL resolved to the simple API
//!   base and the upload endpoint.
//! - [`Client`]: one keep-alive HTTP agent (rustls) with a `pbx/<version>`
//!   User-Agent, timeouts and bounded retries (exponential backoff with
//!   jitter on connection errors, timeouts, 429 and 5xx, honouring
//!   `Retry-After`; never on other 4xx). Fresh reads send
//!   `Cache-Control: no-cache`.
//! - [`Client::list_files`]: every file of a project from the simple
//!   repository API, PEP 691 JSON first and PEP 503 HTML as the fallback
//!   (`#sha256=` fragments, `data-yanked`, `data-requires-python`), as
//!   [`IndexFile`]s. A 404 means the project is unknown: no files.
//! - [`Tls`]: the platform's trust store (with `SSL_CERT_FILE` /
//!   `SSL_CERT_DIR`) by default, a CA bundle (`PBX_CERT` / `TWINE_CERT`)
//!   and a client certificate (`PBX_CLIENT_CERT` / `TWINE_CLIENT_CERT`).
//!   A certificate error is [`IndexError::Certificate`]: never retried.
//! - [`Proxies`]: `HTTPS_PROXY` / `HTTP_PROXY` / `ALL_PROXY` and `NO_PROXY`
//!   as curl reads them; this machine is always reached directly. A proxy
//!   that refuses the tunnel is [`IndexError::ProxyRefused`]: not retried.
//! - [`Credentials`]: never sent over plain http to a host other than this
//!   machine, never along a redirect to another host, and never shown by
//!   `Debug`.
//!
//! Errors are [`IndexError`]s; [`IndexError::is_environment`] marks the
//! "index unreachable after every retry" and "certificate not trusted"
//! cases the binaries exit 3 for.
//!
//! ```no_run
//! use pbx_index::{Client, ClientConfig, IndexUrls};
//! use pbx_version::PackageName;
//!
//! let index = IndexUrls::resolve("http://127.0.0.1:8080/")?; // pypiserver
//! let client = Client::new(ClientConfig::default());
//! for file in client.list_files(&index.simple, &PackageName::new("demo")?)? {
//!     println!("{} {:?} yanked={}", file.filename, file.sha256, file.yanked);
//! }
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
#![deny(missing_docs)]

mod client;
mod error;
mod proxy;
mod simple;
pub mod text;
mod tls;
mod upload;
mod urls;

pub use client::{
    check_credentials_allowed, Client, ClientConfig, Credentials, JsonReply, RetryEvent,
    SendProgress, SIMPLE_ACCEPT,
};
pub use error::IndexError;
pub use proxy::Proxies;
pub use simple::{parse_page, IndexFile};
pub use tls::{CaBundle, ClientIdentity, Roots, Tls};
pub use upload::{is_already_exists, Artifact, Target, UploadOutcome};
pub use urls::{project_url, IndexUrls};
