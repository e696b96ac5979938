//! What the client trusts and which certificate it shows, as the Python
//! ecosystem's tools do it.
//!
//! - By default: the platform's trust store, read by `rustls-native-certs`
//!   (on Linux the OpenSSL locations, or `SSL_CERT_FILE` / `SSL_CERT_DIR`
//!   when set; the keychain on macOS; the system store on Windows). This is
//!   where a corporate or TLS-inspecting proxy's CA is installed, and what
//!   curl, pip and `uv --native-tls` trust. A platform without any root
//!   falls back to the roots bundled with pbx (webpki-roots).
//! - `PBX_CERT` (else `TWINE_CERT`): a PEM CA bundle that *replaces* the
//!   store, as `twine --cert` and `pip --cert` do.
//! - `PBX_CLIENT_CERT` (else `TWINE_CLIENT_CERT`): a PEM file holding the
//!   client certificate (chain) and its private key, for indexes that ask
//!   for mutual TLS.
//!
//! Every file is read and checked when the settings are made, so a wrong
//! path or a broken PEM file is the user's input error, said with the
//! variable and the file, before any request.

use std::fmt;
use std::path::{Path, PathBuf};
use std::sync::{Arc, OnceLock};

use rustls::pki_types::pem::{PemObject, SectionKind};
use rustls::pki_types::{CertificateDer, PrivateKeyDer};

/// Where the client's trusted roots come from.
#[derive(Clone, PartialEq, Eq)]
pub enum Roots {
    /// The platform's trust store (see the module docs); the bundled
    /// webpki roots when the platform has none.
    Platform,
    /// Only the roots bundled with pbx (Mozilla's, via webpki-roots).
    Bundled,
    /// Only the certificates of a PEM file.
    File(CaBundle),
}

impl fmt::Debug for Roots {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Roots::Platform => f.write_str("Platform"),
            Roots::Bundled => f.write_str("Bundled"),
            Roots::File(bundle) => f.debug_tuple("File").field(bundle).finish(),
        }
    }
}

/// The certificates of a PEM CA bundle, and where they came from.
#[derive(Clone, PartialEq, Eq)]
pub struct CaBundle {
    origin: String,
    certs: Arc<Vec<Vec<u8>>>,
}

impl fmt::Debug for CaBundle {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("CaBundle")
            .field("origin", &self.origin)
            .field("certificates", &self.certs.len())
            .finish()
    }
}

impl CaBundle {
    /// `VAR=path` (or the path): for messages.
    pub fn origin(&self) -> &str {
        &self.origin
    }

    /// How many certificates the bundle holds.
    pub fn len(&self) -> usize {
        self.certs.len()
    }

    /// Whether the bundle holds no certificate (never true for a bundle
    /// that [`Tls::with_ca_bundle`] accepted).
    pub fn is_empty(&self) -> bool {
        self.certs.is_empty()
    }
}

/// A client certificate (chain) and its private key. `Debug` never shows
/// the key.
#[derive(Clone, PartialEq, Eq)]
pub struct ClientIdentity {
    origin: String,
    chain: Vec<Vec<u8>>,
    key_kind: KeyKind,
    key: Vec<u8>,
    /// The file as read: ureq takes the key from its PEM text (its key
    /// kind type is not exported).
    pem: Vec<u8>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum KeyKind {
    Pkcs1,
    Pkcs8,
    Sec1,
}

impl fmt::Debug for ClientIdentity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ClientIdentity")
            .field("origin", &self.origin)
            .field("certificates", &self.chain.len())
            .field("key", &"<redacted>")
            .finish()
    }
}

impl ClientIdentity {
    /// `VAR=path` (or the path): for messages.
    pub fn origin(&self) -> &str {
        &self.origin
    }
}

/// TLS settings: the roots trusted and the client certificate shown.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Tls {
    roots: Roots,
    identity: Option<ClientIdentity>,
}

impl Default for Tls {
    /// The platform's store, no client certificate.
    fn default() -> Self {
        Tls {
            roots: Roots::Platform,
            identity: None,
        }
    }
}

impl Tls {
    /// Trust only the roots bundled with pbx (not the platform's).
    pub fn bundled_roots() -> Tls {
        Tls {
            roots: Roots::Bundled,
            identity: None,
        }
    }

    /// The roots trusted.
    pub fn roots(&self) -> &Roots {
        &self.roots
    }

    /// The client certificate, when one is set.
    pub fn identity(&self) -> Option<&ClientIdentity> {
        self.identity.as_ref()
    }

    /// Trust only the CA certificates of the PEM file `path` (`origin`
    /// names where the path came from in messages, e.g. `PBX_CERT`).
    /// Returns why the file is unusable.
    pub fn with_ca_bundle(mut self, origin: &str, path: &Path) -> Result<Tls, String> {
        let bytes = read(origin, path)?;
        let mut certs = Vec::new();
        for item in CertificateDer::pem_slice_iter(&bytes) {
            let cert = item.map_err(|e| bad_pem(origin, path, &e.to_string()))?;
            certs.push(cert.as_ref().to_vec());
        }
        if certs.is_empty() {
            return Err(bad_pem(
                origin,
                path,
                "it holds no `-----BEGIN CERTIFICATE-----` block",
            ));
        }
        let mut store = rustls::RootCertStore::empty();
        let (_, ignored) =
            store.add_parsable_certificates(certs.iter().map(|c| CertificateDer::from(&c[..])));
        if ignored > 0 {
            return Err(bad_pem(
                origin,
                path,
                &format!(
                    "{ignored} of its {} certificate(s) cannot be parsed as X.509 trust anchors",
                    certs.len()
                ),
            ));
        }
        self.roots = Roots::File(CaBundle {
            origin: describe_origin(origin, path),
            certs: Arc::new(certs),
        });
        Ok(self)
    }

    /// Show the client certificate of the PEM file `path`, which holds the
    /// certificate (chain) and its unencrypted private key. Returns why the
    /// file is unusable (no certificate, no key, a key that does not match).
    pub fn with_client_cert(mut self, origin: &str, path: &Path) -> Result<Tls, String> {
        let bytes = read(origin, path)?;
        let mut chain = Vec::new();
        let mut key = None;
        for item in <(SectionKind, Vec<u8>)>::pem_slice_iter(&bytes) {
            let (kind, der) = item.map_err(|e| bad_pem(origin, path, &e.to_string()))?;
            let kind = match kind {
                SectionKind::Certificate => {
                    chain.push(der);
                    continue;
                }
                SectionKind::RsaPrivateKey => KeyKind::Pkcs1,
                SectionKind::PrivateKey => KeyKind::Pkcs8,
                SectionKind::EcPrivateKey => KeyKind::Sec1,
                _ => continue,
            };
            if key.is_some() {
                return Err(bad_pem(origin, path, "it holds more than one private key"));
            }
            key = Some((kind, der));
        }
        if chain.is_empty() {
            return Err(bad_pem(
                origin,
                path,
                "it holds no certificate (a client certificate file holds the certificate and its private key, both PEM)",
            ));
        }
        let Some((key_kind, key)) = key else {
            let encrypted = String::from_utf8_lossy(&bytes).contains("ENCRYPTED PRIVATE KEY");
            return Err(bad_pem(
                origin,
                path,
                if encrypted {
                    "its private key is encrypted: pbx needs it unencrypted (`openssl pkey -in key.pem -out plain.pem`)"
                } else {
                    "it holds no private key (a client certificate file holds the certificate and its private key, both PEM)"
                },
            ));
        };
        let identity = ClientIdentity {
            origin: describe_origin(origin, path),
            chain,
            key_kind,
            key,
            pem: bytes.clone(),
        };
        // The TLS library checks that the key is usable and belongs to the
        // certificate: ask it now, not in the middle of a connection.
        rustls::ClientConfig::builder_with_provider(provider())
            .with_safe_default_protocol_versions()
            .map_err(|e| bad_pem(origin, path, &e.to_string()))?
            .with_root_certificates(rustls::RootCertStore::empty())
            .with_client_auth_cert(
                identity
                    .chain
                    .iter()
                    .map(|c| CertificateDer::from(c.clone()))
                    .collect(),
                identity.rustls_key(),
            )
            .map_err(|e| {
                bad_pem(
                    origin,
                    path,
                    &format!("its certificate and key do not work together: {e}"),
                )
            })?;
        self.identity = Some(identity);
        Ok(self)
    }

    /// The settings read through `var`: `PBX_CERT` (else `TWINE_CERT`)
    /// replaces the trusted roots with a CA bundle; `SSL_CERT_FILE` and
    /// `SSL_CERT_DIR` replace the platform's locations (as OpenSSL does);
    /// `PBX_CLIENT_CERT` (else `TWINE_CLIENT_CERT`) adds a client
    /// certificate. An empty value counts as unset. Returns the variable,
    /// the file and why it is unusable.
    pub fn from_vars(var: impl Fn(&str) -> Option<String>) -> Result<Tls, String> {
        let set = |name: &str| var(name).filter(|v| !v.trim().is_empty());
        let mut tls = Tls::default();
        if let Some((name, path)) = first_of(&set, &["PBX_CERT", "TWINE_CERT"]) {
            tls = tls.with_ca_bundle(name, Path::new(&path))?;
        } else if set("SSL_CERT_FILE").is_some() || set("SSL_CERT_DIR").is_some() {
            tls.roots = ssl_cert_env(set("SSL_CERT_FILE"), set("SSL_CERT_DIR"))?;
        }
        if let Some((name, path)) = first_of(&set, &["PBX_CLIENT_CERT", "TWINE_CLIENT_CERT"]) {
            tls = tls.with_client_cert(name, Path::new(&path))?;
        }
        Ok(tls)
    }

    /// What is trusted, for messages.
    pub fn describe_roots(&self) -> String {
        match &self.roots {
            Roots::Platform => match platform_roots() {
                PlatformRoots::Found(certs) => {
                    format!("the platform's trust store ({} certificates)", certs.len())
                }
                PlatformRoots::None => {
                    "the roots bundled with pbx (the platform's trust store has none)".into()
                }
            },
            Roots::Bundled => "the roots bundled with pbx".into(),
            Roots::File(bundle) => format!(
                "only the {} certificate(s) of {}",
                bundle.len(),
                bundle.origin
            ),
        }
    }

    /// The ureq TLS configuration.
    pub(crate) fn ureq_config(&self) -> ureq::tls::TlsConfig {
        use ureq::tls::{Certificate, RootCerts};
        let roots = match &self.roots {
            Roots::Platform => match platform_roots() {
                PlatformRoots::Found(certs) => RootCerts::Specific(certs.clone()),
                PlatformRoots::None => RootCerts::WebPki,
            },
            Roots::Bundled => RootCerts::WebPki,
            Roots::File(bundle) => RootCerts::new_with_certs(
                &bundle
                    .certs
                    .iter()
                    .map(|der| Certificate::from_der(der).to_owned())
                    .collect::<Vec<_>>(),
            ),
        };
        // The key was checked when the settings were made; one that ureq
        // cannot read after all is left out rather than panicking.
        let client_cert = self.identity.as_ref().and_then(|identity| {
            let chain: Vec<Certificate<'static>> = identity
                .chain
                .iter()
                .map(|der| Certificate::from_der(der).to_owned())
                .collect();
            let key = ureq::tls::PrivateKey::from_pem(&identity.pem).ok()?;
            Some(ureq::tls::ClientCert::new_with_certs(&chain, key))
        });
        ureq::tls::TlsConfig::builder()
            .root_certs(roots)
            .client_cert(client_cert)
            .unversioned_rustls_crypto_provider(provider())
            .build()
    }
}

impl ClientIdentity {
    fn rustls_key(&self) -> PrivateKeyDer<'static> {
        use rustls::pki_types::{PrivatePkcs1KeyDer, PrivatePkcs8KeyDer, PrivateSec1KeyDer};
        match self.key_kind {
            KeyKind::Pkcs1 => PrivatePkcs1KeyDer::from(self.key.clone()).into(),
            KeyKind::Pkcs8 => PrivatePkcs8KeyDer::from(self.key.clone()).into(),
            KeyKind::Sec1 => PrivateSec1KeyDer::from(self.key.clone()).into(),
        }
    }
}

/// The one crypto provider pbx uses (ring, as ureq's `rustls` feature).
fn provider() -> Arc<rustls::crypto::CryptoProvider> {
    static PROVIDER: OnceLock<Arc<rustls::crypto::CryptoProvider>> = OnceLock::new();
    PROVIDER
        .get_or_init(|| Arc::new(rustls::crypto::ring::default_provider()))
        .clone()
}

fn first_of(
    set: &impl Fn(&str) -> Option<String>,
    names: &[&'static str],
) -> Option<(&'static str, String)> {
    names
        .iter()
        .find_map(|name| set(name).map(|value| (*name, value)))
}

fn describe_origin(origin: &str, path: &Path) -> String {
    if origin.is_empty() {
        path.display().to_string()
    } else {
        format!("{origin}={}", path.display())
    }
}

fn read(origin: &str, path: &Path) -> Result<Vec<u8>, String> {
    std::fs::read(path).map_err(|e| {
        format!(
            "{}: cannot read the file: {e}",
            describe_origin(origin, path)
        )
    })
}

fn bad_pem(origin: &str, path: &Path, reason: &str) -> String {
    format!(
        "{}: not a usable PEM file: {reason}",
        describe_origin(origin, path)
    )
}

/// `SSL_CERT_FILE` / `SSL_CERT_DIR` (a `:`-separated list), read as
/// OpenSSL and `rustls-native-certs` do: they replace the platform's
/// locations. A file that cannot be read is an error; a listed directory
/// that does not exist is skipped (as OpenSSL does); finding no
/// certificate at all is an error.
fn ssl_cert_env(file: Option<String>, dirs: Option<String>) -> Result<Roots, String> {
    let mut certs: Vec<Vec<u8>> = Vec::new();
    let mut origins = Vec::new();
    if let Some(file) = &file {
        let path = PathBuf::from(file);
        let found = rustls_native_certs::load_certs_from_paths(Some(&path), None);
        if let Some(error) = found.errors.first() {
            return Err(format!("SSL_CERT_FILE={file}: {error}"));
        }
        if found.certs.is_empty() {
            return Err(bad_pem(
                "SSL_CERT_FILE",
                &path,
                "it holds no `-----BEGIN CERTIFICATE-----` block",
            ));
        }
        certs.extend(found.certs.iter().map(|c| c.as_ref().to_vec()));
        origins.push(format!("SSL_CERT_FILE={file}"));
    }
    if let Some(dirs) = &dirs {
        for dir in std::env::split_paths(dirs).filter(|d| d.is_dir()) {
            let found = rustls_native_certs::load_certs_from_paths(None, Some(&dir));
            certs.extend(found.certs.iter().map(|c| c.as_ref().to_vec()));
        }
        origins.push(format!("SSL_CERT_DIR={dirs}"));
    }
    certs.sort_unstable();
    certs.dedup();
    if certs.is_empty() {
        return Err(format!(
            "{}: no CA certificate found there (unset the variable to use the platform's trust store)",
            origins.join(", ")
        ));
    }
    Ok(Roots::File(CaBundle {
        origin: origins.join(", "),
        certs: Arc::new(certs),
    }))
}

enum PlatformRoots {
    Found(Arc<Vec<ureq::tls::Certificate<'static>>>),
    None,
}

/// The platform's roots, loaded once per process (reading them parses a
/// few hundred KiB).
fn platform_roots() -> &'static PlatformRoots {
    static ROOTS: OnceLock<PlatformRoots> = OnceLock::new();
    ROOTS.get_or_init(|| {
        let found = rustls_native_certs::load_native_certs();
        let certs: Vec<ureq::tls::Certificate<'static>> = found
            .certs
            .iter()
            .map(|c| ureq::tls::Certificate::from_der(c.as_ref()).to_owned())
            .collect();
        if certs.is_empty() {
            PlatformRoots::None
        } else {
            PlatformRoots::Found(Arc::new(certs))
        }
    })
}

/// A TLS failure over a certificate, in words.
pub(crate) enum CertificateFailure {
    /// The server's certificate is not trusted here.
    Server(String),
    /// The server refused ours (or wanted one).
    Client(String),
}

/// A TLS failure that is about certificates: the server's not trusted
/// (unknown issuer, expired, wrong name, …) or ours refused. `None` for
/// other errors.
pub(crate) fn certificate_failure(error: &ureq::Error) -> Option<CertificateFailure> {
    let rustls_error = match error {
        ureq::Error::Rustls(e) => e,
        ureq::Error::Io(io) => io.get_ref()?.downcast_ref::<rustls::Error>()?,
        _ => return None,
    };
    use rustls::AlertDescription as Alert;
    match rustls_error {
        rustls::Error::InvalidCertificate(reason) => Some(CertificateFailure::Server(format!(
            "the server's certificate is not trusted ({})",
            certificate_reason(reason)
        ))),
        rustls::Error::AlertReceived(
            alert @ (Alert::BadCertificate
            | Alert::UnknownCA
            | Alert::CertificateRequired
            | Alert::CertificateRevoked
            | Alert::CertificateExpired
            | Alert::CertificateUnknown
            | Alert::UnsupportedCertificate
            | Alert::AccessDenied),
        ) => Some(CertificateFailure::Client(format!(
            "the server refused our client certificate (TLS alert {alert:?})"
        ))),
        _ => None,
    }
}

fn certificate_reason(reason: &rustls::CertificateError) -> String {
    use rustls::CertificateError as E;
    match reason {
        E::UnknownIssuer => "issued by a CA that is not trusted here".into(),
        E::Expired | E::ExpiredContext { .. } => "expired".into(),
        E::NotValidYet | E::NotValidYetContext { .. } => "not valid yet".into(),
        E::NotValidForName | E::NotValidForNameContext { .. } => {
            "issued for another host name".into()
        }
        E::Revoked => "revoked".into(),
        E::BadSignature => "bad signature".into(),
        other => format!("{other:?}"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unusable_files_name_the_variable_and_the_file() {
        let dir = tempfile::tempdir().unwrap();
        let missing = dir.path().join("missing.pem");
        let err = Tls::from_vars(|k| (k == "TWINE_CERT").then(|| missing.display().to_string()))
            .unwrap_err();
        assert!(err.starts_with("TWINE_CERT="), "{err}");
        assert!(err.contains("missing.pem"), "{err}");

        let junk = dir.path().join("junk.pem");
        std::fs::write(&junk, "not a certificate\n").unwrap();
        let err =
            Tls::from_vars(|k| (k == "PBX_CERT").then(|| junk.display().to_string())).unwrap_err();
        assert!(
            err.contains("PBX_CERT=") && err.contains("junk.pem"),
            "{err}"
        );
        assert!(err.contains("no `-----BEGIN CERTIFICATE-----`"), "{err}");

        let garbage = dir.path().join("garbage.pem");
        std::fs::write(
            &garbage,
            "-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n",
        )
        .unwrap();
        let err = Tls::from_vars(|k| (k == "PBX_CERT").then(|| garbage.display().to_string()))
            .unwrap_err();
        assert!(err.contains("cannot be parsed"), "{err}");

        let err = Tls::from_vars(|k| (k == "PBX_CLIENT_CERT").then(|| junk.display().to_string()))
            .unwrap_err();
        assert!(
            err.contains("PBX_CLIENT_CERT=") && err.contains("no certificate"),
            "{err}"
        );

        let err = Tls::from_vars(|k| (k == "SSL_CERT_FILE").then(|| missing.display().to_string()))
            .unwrap_err();
        assert!(
            err.contains("SSL_CERT_FILE=") && err.contains("missing.pem"),
            "{err}"
        );

        let err = Tls::from_vars(|k| (k == "SSL_CERT_DIR").then(|| missing.display().to_string()))
            .unwrap_err();
        assert!(
            err.contains("SSL_CERT_DIR=") && err.contains("no CA certificate"),
            "{err}"
        );
    }

    #[test]
    fn defaults_and_precedence() {
        assert_eq!(Tls::from_vars(|_| None).unwrap(), Tls::default());
        assert_eq!(Tls::default().roots(), &Roots::Platform);
        // Empty values are unset.
        assert_eq!(
            Tls::from_vars(|k| (k == "PBX_CERT").then(String::new)).unwrap(),
            Tls::default()
        );
        // PBX_CERT wins over TWINE_CERT, which wins over SSL_CERT_FILE.
        let err = Tls::from_vars(|k| match k {
            "PBX_CERT" => Some("/nonexistent/pbx.pem".into()),
            "TWINE_CERT" => Some("/nonexistent/twine.pem".into()),
            _ => None,
        })
        .unwrap_err();
        assert!(err.starts_with("PBX_CERT=/nonexistent/pbx.pem"), "{err}");
        let err = Tls::from_vars(|k| match k {
            "TWINE_CERT" => Some("/nonexistent/twine.pem".into()),
            "SSL_CERT_FILE" => Some("/nonexistent/ssl.pem".into()),
            _ => None,
        })
        .unwrap_err();
        assert!(err.starts_with("TWINE_CERT="), "{err}");
    }
}
