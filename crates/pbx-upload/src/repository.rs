//! Which index `pbx-upload` talks to, and which skip-existing settings it
//! refuses (docs/design.md rule 3).

use std::collections::HashMap;

use crate::error::UploadError;
use pbx_index::IndexUrls;

use crate::credentials;

/// The repository to upload to: `--repository`, else `TWINE_REPOSITORY_URL`,
/// `UV_PUBLISH_URL`, `TWINE_REPOSITORY`, else `pypi`. Empty values count as
/// unset.
pub fn repository(flag: Option<&str>, env: &HashMap<String, String>) -> String {
    flag.map(str::to_string)
        .or_else(|| env.get("TWINE_REPOSITORY_URL").cloned())
        .or_else(|| env.get("UV_PUBLISH_URL").cloned())
        .or_else(|| env.get("TWINE_REPOSITORY").cloned())
        .filter(|r| !r.is_empty())
        .unwrap_or_else(|| "pypi".to_string())
}

/// The first setting that asks to skip existing files, which pbx-upload
/// refuses: `--skip-existing`, `--check-url`, `TWINE_SKIP_EXISTING` (when
/// truthy), `UV_PUBLISH_CHECK_URL`.
pub fn refused_setting(
    skip_existing: bool,
    check_url: bool,
    env: &HashMap<String, String>,
) -> Option<&'static str> {
    if skip_existing {
        Some("--skip-existing")
    } else if check_url {
        Some("--check-url")
    } else if env.get("TWINE_SKIP_EXISTING").is_some_and(|v| truthy(v)) {
        Some("TWINE_SKIP_EXISTING")
    } else if env
        .get("UV_PUBLISH_CHECK_URL")
        .is_some_and(|v| !v.is_empty())
    {
        Some("UV_PUBLISH_CHECK_URL")
    } else {
        None
    }
}

fn truthy(value: &str) -> bool {
    !matches!(
        value.trim().to_ascii_lowercase().as_str(),
        "" | "0" | "false" | "no" | "off"
    )
}

/// The index for `--repository`: a name, a URL, or a .pypirc section with a
/// `repository` URL. Also the .pypirc section to read credentials from.
pub fn resolve_repository(
    repository: &str,
    pypirc: Option<&std::path::Path>,
) -> Result<(IndexUrls, Option<String>), UploadError> {
    let lower = repository.to_ascii_lowercase();
    if lower == "pypi" || lower == "testpypi" || repository.contains("://") {
        let index = IndexUrls::resolve(repository).map_err(UploadError::Repository)?;
        return Ok((index, index_section(repository)));
    }
    // A missing .pypirc is no error; one that is not a regular file is.
    if let Some(path) = pypirc.filter(|p| p.exists()) {
        let ini = credentials::read_pypirc(path)?;
        if let Some(url) = ini.repository(repository) {
            let index = IndexUrls::resolve(url).map_err(UploadError::Repository)?;
            return Ok((index, Some(repository.to_string())));
        }
    }
    Err(UploadError::NotAnIndex {
        repository: repository.to_string(),
    })
}

fn index_section(repository: &str) -> Option<String> {
    match repository.to_ascii_lowercase().as_str() {
        "pypi" => Some("pypi".into()),
        "testpypi" => Some("testpypi".into()),
        _ => None,
    }
}
