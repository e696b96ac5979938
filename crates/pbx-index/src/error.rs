use std::path::PathBuf;

/// Why a request to a package index did not give a usable answer.
///
/// [`IndexError::is_environment`] separates "the index could not be reached"
/// (exit 3 in the binaries) from answers that are the user's to fix (exit 2)
/// or that the index refused (exit 1).
#[derive(Debug, thiserror::Error)]
pub enum IndexError {
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
    /// The index answered with a status that no retry will change.
    #[error("{url} answered {status}: {message}")]
    Status {
        /// The URL asked.
        url: String,
        /// The HTTP status.
        status: u16,
        /// The body (trimmed) or the reason phrase.
        message: String,
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

impl IndexError {
    /// The index could not be reached (connection errors, timeouts, 429 and
    /// 5xx after every retry): the binaries exit 3.
    pub fn is_environment(&self) -> bool {
        matches!(self, IndexError::Unreachable { .. })
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
