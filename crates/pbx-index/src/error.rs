use std::path::PathBuf;

/// Why a request to a package index did not give a usable answer.
///
/// [`IndexError::is_environment`] separates "the index could not be reached"
/// (exit 3 in the binaries) from answers that are the user's to fix (exit 2)
/// or that the index refused (exit 1).
#[derive(Debug, thiserror::Error)]
pub enum IndexError {
    /// The run was told to stop (Ctrl-C, SIGTERM) while sending.
    #[error("stopped by a signal while sending to {url}")]
    Cancelled {
        /// Where it was sending.
        url: String,
    },
    /// Not an index name (`pypi`, `testpypi`) nor an http(s) URL.
    #[error("`{input}` is not an index: {reason}")]
    InvalidIndex {
        /// What was given.
        input: String,
        /// What is wrong with it.
        reason: String,
    },
    /// Connection errors, timeouts, 429 or 5xx on every attempt.
    #[error("{url} is unreachable after {attempts} attempt(s): {last}")]
    Unreachable {
        /// The URL asked.
        url: String,
        /// How many attempts were made.
        attempts: u32,
        /// The last error seen.
        last: String,
    },
    /// The index answered with a status that no retry will change. A 401
    /// or 403 says whether credentials were sent.
    #[error("{url} answered {status}: {message}{}", auth_note(*status, *sent_credentials))]
    Status {
        /// The URL asked.
        url: String,
        /// The HTTP status.
        status: u16,
        /// The body (trimmed) or the reason phrase.
        message: String,
        /// Whether the request carried credentials.
        sent_credentials: bool,
    },
    /// The TLS handshake failed over a certificate: the server's is not
    /// trusted here, or the server refused ours. Never retried.
    #[error("{url}: TLS certificate problem: {problem}; {advice}")]
    Certificate {
        /// The URL asked.
        url: String,
        /// What the TLS library said, in words.
        problem: String,
        /// What pbx trusted (the platform's store, a bundle and its
        /// variable), the proxy the connection went through, and which
        /// setting to use.
        advice: String,
    },
    /// The proxy refused to open the tunnel (407 authentication required,
    /// 403 forbidden, or another 4xx). Never retried.
    #[error("{url}: the proxy {proxy} refused the connection with HTTP {status}; {hint}")]
    ProxyRefused {
        /// The URL asked.
        url: String,
        /// The proxy (`VAR=url`, password hidden).
        proxy: String,
        /// The proxy's status.
        status: u16,
        /// Which setting to use.
        hint: String,
    },
    /// The index answered something that is not a simple API page.
    #[error("{url} returned a malformed answer: {reason}")]
    Malformed {
        /// The URL asked.
        url: String,
        /// What is wrong with it.
        reason: String,
    },
    /// Credentials would travel in clear text to a host that is not this
    /// machine.
    #[error("refusing to send credentials over plain http to {host} ({url}); use https, or a loopback address for a local index")]
    InsecureCredentials {
        /// The URL.
        url: String,
        /// Its host.
        host: String,
    },
    /// The index redirected somewhere credentials (or an upload body) must
    /// not follow.
    #[error("{url} redirects to {location}; pbx does not follow redirects for uploads or to another host: use the final URL directly")]
    Redirected {
        /// The URL asked.
        url: String,
        /// Where it pointed.
        location: String,
    },
    /// A local file could not be read.
    #[error("{}: cannot read: {source}", path.display())]
    Io {
        /// The file.
        path: PathBuf,
        /// The I/O error.
        source: std::io::Error,
    },
}

fn auth_note(status: u16, sent_credentials: bool) -> &'static str {
    match (status, sent_credentials) {
        (401, false) => " (no credentials were sent: this index wants them even for reading)",
        (403, false) => {
            " (no credentials were sent: this index refuses anonymous reads of this URL)"
        }
        (401, true) => " (the credentials sent were not accepted)",
        (403, true) => " (the credentials sent are not allowed to do this)",
        _ => "",
    }
}

impl IndexError {
    /// The index could not be reached (connection errors, timeouts, 429 and
    /// 5xx after every retry): the binaries exit 3.
    ///
    /// A [`IndexError::Certificate`] is environment too: the network path
    /// (a TLS-inspecting proxy, a private CA) needs a setting, not the
    /// command line.
    pub fn is_environment(&self) -> bool {
        matches!(
            self,
            IndexError::Unreachable { .. }
                | IndexError::Certificate { .. }
                | IndexError::ProxyRefused { .. }
                | IndexError::Cancelled { .. }
        )
    }

    /// Looking again later may help (the index or the network was down):
    /// only [`IndexError::Unreachable`]. A certificate or a proxy that
    /// refuses stays so until a setting changes.
    pub fn is_transient(&self) -> bool {
        matches!(self, IndexError::Unreachable { .. })
    }

    /// A certificate problem: retrying does not help; the hint says which
    /// setting does.
    pub fn is_certificate(&self) -> bool {
        matches!(self, IndexError::Certificate { .. })
    }

    /// The error is about what the user gave (an index name, a URL, a
    /// credential rule): the binaries exit 2.
    pub fn is_input(&self) -> bool {
        matches!(
            self,
            IndexError::InvalidIndex { .. }
                | IndexError::InsecureCredentials { .. }
                | IndexError::Redirected { .. }
                | IndexError::Io { .. }
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn status(status: u16, sent_credentials: bool) -> String {
        IndexError::Status {
            url: "https://pkgs.example/simple/demo/".into(),
            status,
            message: "Unauthorized".into(),
            sent_credentials,
        }
        .to_string()
    }

    #[test]
    fn refused_reads_say_whether_credentials_were_sent() {
        assert!(status(401, false).contains("no credentials were sent"));
        assert!(status(403, false).contains("no credentials were sent"));
        assert!(status(401, true).contains("credentials sent were not accepted"));
        assert!(status(403, true).contains("not allowed"));
        assert!(!status(404, false).contains("credentials"));
    }

    #[test]
    fn a_certificate_error_is_environment_and_not_retryable_input() {
        let err = IndexError::Certificate {
            url: "https://pypi.org/simple/six/".into(),
            problem: "the server's certificate is not trusted".into(),
            advice: "point PBX_CERT at a bundle".into(),
        };
        assert!(err.is_environment() && err.is_certificate() && !err.is_input());
        assert_eq!(
            err.to_string(),
            "https://pypi.org/simple/six/: TLS certificate problem: the server's certificate is not trusted; point PBX_CERT at a bundle"
        );
    }
}
