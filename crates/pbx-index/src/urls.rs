use std::fmt;

use url::Url;

use crate::error::IndexError;

/// The two URLs of an index: where the simple repository API lives and
/// where the legacy upload API takes files.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct IndexUrls {
    /// `pypi`, `testpypi`, or `None` for a URL given directly.
    pub name: Option<String>,
    /// The simple API base (ends with `/`): a project's page is
    /// `simple + <normalised name> + /`.
    pub simple: Url,
    /// The legacy upload API endpoint.
    pub upload: Url,
}

impl IndexUrls {
    /// Resolves an index name or URL.
    ///
    /// - `pypi` → simple `https://pypi.org/simple/`, upload
    ///   `https://upload.pypi.org/legacy/`.
    /// - `testpypi` → `https://test.pypi.org/simple/` and
    ///   `https://test.pypi.org/legacy/`.
    /// - A warehouse-style upload URL ending in `/legacy/`: upload there,
    ///   simple at the sibling `/simple/` (`https://test.pypi.org/legacy/` →
    ///   `https://test.pypi.org/simple/`).
    /// - A simple URL (ending in `/simple/` or `/+simple/`): simple there,
    ///   upload at its parent (pypiserver uploads at `/`, devpi at
    ///   `/USER/INDEX/`).
    /// - Any other http(s) URL is the upload URL, and the simple API is
    ///   `URL + simple/` (pypiserver: `http://127.0.0.1:PORT/` takes uploads
    ///   at `/` and serves `/simple/`). For an index laid out differently
    ///   (devpi: simple at `/USER/INDEX/+simple/`), name the simple URL too
    ///   with [`IndexUrls::with_simple`] (`--index-url`).
    pub fn resolve(name_or_url: &str) -> Result<IndexUrls, IndexError> {
        let input = name_or_url.trim();
        let fixed = |name: &str, simple: &str, upload: &str| IndexUrls {
            name: Some(name.to_string()),
            simple: Url::parse(simple).expect("a valid built-in URL"),
            upload: Url::parse(upload).expect("a valid built-in URL"),
        };
        match input.to_ascii_lowercase().as_str() {
            "pypi" => {
                return Ok(fixed(
                    "pypi",
                    "https://pypi.org/simple/",
                    "https://upload.pypi.org/legacy/",
                ))
            }
            "testpypi" => {
                return Ok(fixed(
                    "testpypi",
                    "https://test.pypi.org/simple/",
                    "https://test.pypi.org/legacy/",
                ))
            }
            _ => {}
        }
        let url = parse_http_url(input)?;
        let dir = with_trailing_slash(&url);
        let path = dir.path().to_string();
        let (simple, upload) = if path.ends_with("/legacy/") {
            (dir.join("../simple/").expect("relative join"), url.clone())
        } else if path.ends_with("/simple/") || path.ends_with("/+simple/") {
            (dir.clone(), dir.join("../").expect("relative join"))
        } else {
            (dir.join("simple/").expect("relative join"), url.clone())
        };
        Ok(IndexUrls {
            name: None,
            simple,
            upload,
        })
    }

    /// Replaces the simple API base (`--index-url`).
    pub fn with_simple(mut self, simple: &str) -> Result<IndexUrls, IndexError> {
        self.simple = with_trailing_slash(&parse_http_url(simple.trim())?);
        Ok(self)
    }

    /// The project page of `name` (normalised) under the simple base.
    pub fn project_url(&self, name: &pbx_version::PackageName) -> Url {
        project_url(&self.simple, name)
    }

    /// `pypi`, `testpypi`, or the upload URL.
    pub fn label(&self) -> String {
        match &self.name {
            Some(name) => name.clone(),
            None => self.upload.to_string(),
        }
    }

    /// Whether this is one of the public warehouse indexes (PyPI or
    /// TestPyPI), by name or by host.
    pub fn is_warehouse(&self) -> bool {
        matches!(
            self.upload.host_str(),
            Some("upload.pypi.org" | "test.pypi.org" | "pypi.org")
        )
    }
}

impl fmt::Display for IndexUrls {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} (simple {})", self.label(), self.simple)
    }
}

/// The project page of `name` under a simple base URL.
pub fn project_url(simple: &Url, name: &pbx_version::PackageName) -> Url {
    with_trailing_slash(simple)
        .join(&format!("{}/", name.as_str()))
        .expect("a normalised name is a valid path segment")
}

/// Parses an http or https URL (no credentials in it).
pub(crate) fn parse_http_url(input: &str) -> Result<Url, IndexError> {
    let bad = |reason: &str| IndexError::InvalidIndex {
        input: redact(input),
        reason: reason.to_string(),
    };
    let url = Url::parse(input).map_err(|e| {
        bad(&format!(
            "expected `pypi`, `testpypi` or an http(s) URL ({e})"
        ))
    })?;
    if !matches!(url.scheme(), "http" | "https") {
        return Err(bad("only http and https URLs are supported"));
    }
    if url.host_str().is_none_or(str::is_empty) {
        return Err(bad("the URL has no host"));
    }
    if !url.username().is_empty() || url.password().is_some() {
        return Err(bad(
            "credentials in the URL would end up in logs: pass them through TWINE_USERNAME/TWINE_PASSWORD, PBX_USERNAME/PBX_PASSWORD or --password-stdin",
        ));
    }
    Ok(url)
}

/// The URL with a path ending in `/` (query and fragment dropped).
pub(crate) fn with_trailing_slash(url: &Url) -> Url {
    let mut url = url.clone();
    url.set_query(None);
    url.set_fragment(None);
    if !url.path().ends_with('/') {
        let path = format!("{}/", url.path());
        url.set_path(&path);
    }
    url
}

/// `input` with any `user:password@` part removed, for messages.
pub(crate) fn redact(input: &str) -> String {
    match Url::parse(input) {
        Ok(mut url) if !url.username().is_empty() || url.password().is_some() => {
            let _ = url.set_username("");
            let _ = url.set_password(None);
            url.to_string()
        }
        Ok(_) => input.to_string(),
        Err(_) => match (input.find("://"), input.rfind('@')) {
            (Some(scheme), Some(at)) if at > scheme => {
                format!("{}://{}", &input[..scheme], &input[at + 1..])
            }
            _ => input.to_string(),
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_resolve_to_warehouse_urls() {
        let pypi = IndexUrls::resolve("pypi").unwrap();
        assert_eq!(pypi.simple.as_str(), "https://pypi.org/simple/");
        assert_eq!(pypi.upload.as_str(), "https://upload.pypi.org/legacy/");
        let test = IndexUrls::resolve("TestPyPI").unwrap();
        assert_eq!(test.simple.as_str(), "https://test.pypi.org/simple/");
        assert_eq!(test.upload.as_str(), "https://test.pypi.org/legacy/");
        assert!(test.is_warehouse());
    }

    #[test]
    fn urls_map_by_shape() {
        let root = IndexUrls::resolve("http://127.0.0.1:8080").unwrap();
        assert_eq!(root.upload.as_str(), "http://127.0.0.1:8080/");
        assert_eq!(root.simple.as_str(), "http://127.0.0.1:8080/simple/");
        let legacy = IndexUrls::resolve("https://test.pypi.org/legacy/").unwrap();
        assert_eq!(legacy.simple.as_str(), "https://test.pypi.org/simple/");
        let simple = IndexUrls::resolve("http://127.0.0.1:8080/simple/").unwrap();
        assert_eq!(simple.upload.as_str(), "http://127.0.0.1:8080/");
        let devpi = IndexUrls::resolve("http://h:3141/root/stable/+simple/").unwrap();
        assert_eq!(devpi.upload.as_str(), "http://h:3141/root/stable/");
        let devpi = IndexUrls::resolve("http://h:3141/root/stable/")
            .unwrap()
            .with_simple("http://h:3141/root/stable/+simple")
            .unwrap();
        assert_eq!(devpi.simple.as_str(), "http://h:3141/root/stable/+simple/");
        let name = pbx_version::PackageName::new("Proxbox_API").unwrap();
        assert_eq!(
            devpi.project_url(&name).as_str(),
            "http://h:3141/root/stable/+simple/proxbox-api/"
        );
    }

    #[test]
    fn bad_indexes_are_refused_without_echoing_secrets() {
        for bad in ["ftp://x/", "nope", "http://", "file:///tmp/x"] {
            assert!(IndexUrls::resolve(bad).is_err(), "{bad}");
        }
        let err = IndexUrls::resolve("https://user:s3cret@example.org/legacy/").unwrap_err();
        assert!(!err.to_string().contains("s3cret"), "{err}");
    }
}
