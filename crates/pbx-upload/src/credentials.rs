//! Where upload credentials come from: flags, the environment, stdin and
//! `~/.pypirc`.

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use pbx_index::Credentials;
use pbx_report::Location;

use crate::error::UploadError;

/// The environment variables that may hold a secret, in the order they are
/// looked at. Every one of them is masked under GitHub Actions.
pub const SECRET_VARS: &[&str] = &[
    "PBX_PASSWORD",
    "TWINE_PASSWORD",
    "UV_PUBLISH_TOKEN",
    "UV_PUBLISH_PASSWORD",
    "ACTIONS_ID_TOKEN_REQUEST_TOKEN",
];

/// Where the credentials were found (for the report; never the value).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Found {
    /// The credentials.
    pub credentials: Credentials,
    /// `--password-stdin`, `PBX_PASSWORD`, `~/.pypirc [pypi]`, …
    pub source: String,
}

/// The inputs credentials are resolved from.
#[derive(Debug, Default)]
pub struct CredentialInputs {
    /// `--username`/`PBX_USERNAME` (the flag wins; clap merges them).
    pub username: Option<String>,
    /// The password read from stdin with `--password-stdin`.
    pub password_stdin: Option<String>,
    /// The process environment.
    pub env: HashMap<String, String>,
    /// The `.pypirc` to read (`$PYPIRC`, else `~/.pypirc`), when it exists.
    pub pypirc: Option<PathBuf>,
    /// The `.pypirc` section to use (`pypi`, `testpypi`, or a custom name).
    pub section: Option<String>,
    /// The upload URL, to find a `.pypirc` section whose `repository`
    /// matches it.
    pub upload_url: String,
}

impl CredentialInputs {
    fn var(&self, key: &str) -> Option<&str> {
        self.env
            .get(key)
            .map(String::as_str)
            .filter(|v| !v.is_empty())
    }
}

/// Resolves credentials: a password from `--password-stdin`, then
/// `PBX_PASSWORD`, `TWINE_PASSWORD`, `UV_PUBLISH_TOKEN`,
/// `UV_PUBLISH_PASSWORD`, then the matching `~/.pypirc` section. The
/// username is `--username`/`PBX_USERNAME`, else `TWINE_USERNAME`,
/// `UV_PUBLISH_USERNAME`, the `.pypirc` section's, else `__token__` (and
/// always `__token__` with `UV_PUBLISH_TOKEN`). `None` when there is no
/// password anywhere.
pub fn resolve(inputs: &CredentialInputs) -> Result<Option<Found>, UploadError> {
    let pypirc = match &inputs.pypirc {
        Some(path) if path.exists() => Some(read_pypirc(path)?),
        _ => None,
    };
    let section = pypirc.as_ref().and_then(|ini| {
        let by_name = inputs
            .section
            .as_deref()
            .and_then(|name| ini.sections.get(name).map(|s| (name.to_string(), s)));
        by_name.or_else(|| {
            ini.sections
                .iter()
                .find(|(_, s)| {
                    s.get("repository")
                        .is_some_and(|r| same_url(r, &inputs.upload_url))
                })
                .map(|(n, s)| (n.clone(), s))
        })
    });
    let env_username = inputs
        .username
        .clone()
        .or_else(|| inputs.var("TWINE_USERNAME").map(str::to_string))
        .or_else(|| inputs.var("UV_PUBLISH_USERNAME").map(str::to_string));
    let (password, source, forced_token) = if let Some(p) = &inputs.password_stdin {
        (p.clone(), "--password-stdin".to_string(), false)
    } else if let Some(p) = inputs.var("PBX_PASSWORD") {
        (p.to_string(), "PBX_PASSWORD".to_string(), false)
    } else if let Some(p) = inputs.var("TWINE_PASSWORD") {
        (p.to_string(), "TWINE_PASSWORD".to_string(), false)
    } else if let Some(p) = inputs.var("UV_PUBLISH_TOKEN") {
        (p.to_string(), "UV_PUBLISH_TOKEN".to_string(), true)
    } else if let Some(p) = inputs.var("UV_PUBLISH_PASSWORD") {
        (p.to_string(), "UV_PUBLISH_PASSWORD".to_string(), false)
    } else if let Some((name, s)) = section.as_ref().filter(|(_, s)| s.contains_key("password")) {
        let path = inputs.pypirc.as_ref().expect("read above");
        (
            s["password"].clone(),
            format!("{} [{name}]", path.display()),
            false,
        )
    } else {
        return Ok(None);
    };
    let username = if forced_token {
        "__token__".to_string()
    } else {
        env_username
            .or_else(|| section.and_then(|(_, s)| s.get("username").cloned()))
            .unwrap_or_default()
    };
    Ok(Some(Found {
        credentials: Credentials::new(username, password),
        source,
    }))
}

fn same_url(a: &str, b: &str) -> bool {
    a.trim().trim_end_matches('/') == b.trim().trim_end_matches('/')
}

/// A parsed `.pypirc`: section → key → value.
#[derive(Debug, Default)]
pub struct Pypirc {
    /// Every section.
    pub sections: HashMap<String, HashMap<String, String>>,
}

impl Pypirc {
    /// The `repository` URL of a section (a custom index name in
    /// `--repository`).
    pub fn repository(&self, section: &str) -> Option<&str> {
        self.sections
            .get(section)
            .and_then(|s| s.get("repository"))
            .map(String::as_str)
    }
}

/// Reads a `.pypirc` (INI: `[section]`, `key = value` or `key: value`,
/// `#`/`;` comments, indented continuation lines).
pub fn read_pypirc(path: &Path) -> Result<Pypirc, UploadError> {
    let text =
        pbx_project::read_text_file(path).map_err(|source| UploadError::PypircUnreadable {
            path: path.to_path_buf(),
            source,
        })?;
    parse_pypirc(path, &text)
}

/// Parses `.pypirc` text (see [`read_pypirc`]).
pub fn parse_pypirc(path: &Path, text: &str) -> Result<Pypirc, UploadError> {
    let mut ini = Pypirc::default();
    let mut current: Option<String> = None;
    let mut last_key: Option<String> = None;
    for (number, raw) in text.lines().enumerate() {
        let line = raw.trim_end();
        let trimmed = line.trim_start();
        if trimmed.is_empty() || trimmed.starts_with('#') || trimmed.starts_with(';') {
            continue;
        }
        if line.starts_with([' ', '\t']) {
            if let (Some(section), Some(key)) = (&current, &last_key) {
                let value = ini
                    .sections
                    .get_mut(section)
                    .and_then(|s| s.get_mut(key))
                    .expect("the key was inserted");
                value.push('\n');
                value.push_str(trimmed);
                continue;
            }
        }
        if let Some(name) = trimmed.strip_prefix('[') {
            let name = name.strip_suffix(']').ok_or_else(|| UploadError::Pypirc {
                location: Location::at(path, number + 1, line.len() + 1),
                message: "a section header must end with `]`",
            })?;
            current = Some(name.trim().to_string());
            ini.sections.entry(name.trim().to_string()).or_default();
            last_key = None;
            continue;
        }
        let split = trimmed
            .find(['=', ':'])
            .ok_or_else(|| UploadError::Pypirc {
                location: Location::at(path, number + 1, 1),
                message: "expected `key = value`",
            })?;
        let Some(section) = &current else {
            return Err(UploadError::Pypirc {
                location: Location::at(path, number + 1, 1),
                message: "a key outside any [section]",
            });
        };
        let key = trimmed[..split].trim().to_ascii_lowercase();
        let value = trimmed[split + 1..].trim().to_string();
        ini.sections
            .get_mut(section)
            .expect("the section was inserted")
            .insert(key.clone(), value);
        last_key = Some(key);
    }
    Ok(ini)
}

/// The `.pypirc` path: `$PYPIRC`, else `$HOME/.pypirc`.
pub fn default_pypirc(env: &HashMap<String, String>) -> Option<PathBuf> {
    if let Some(path) = env.get("PYPIRC").filter(|p| !p.is_empty()) {
        return Some(PathBuf::from(path));
    }
    env.get("HOME")
        .filter(|h| !h.is_empty())
        .map(|home| Path::new(home).join(".pypirc"))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn inputs(env: &[(&str, &str)]) -> CredentialInputs {
        CredentialInputs {
            env: env
                .iter()
                .map(|(k, v)| (k.to_string(), v.to_string()))
                .collect(),
            upload_url: "https://upload.pypi.org/legacy/".into(),
            section: Some("pypi".into()),
            ..CredentialInputs::default()
        }
    }

    #[test]
    fn precedence_and_defaults() {
        assert_eq!(resolve(&inputs(&[])).unwrap(), None);
        let found = resolve(&inputs(&[
            ("TWINE_PASSWORD", "tw"),
            ("PBX_PASSWORD", "pbx"),
        ]))
        .unwrap()
        .unwrap();
        assert_eq!(found.source, "PBX_PASSWORD");
        assert_eq!(found.credentials.secret(), "pbx");
        assert_eq!(found.credentials.username(), "__token__");
        let found = resolve(&inputs(&[
            ("UV_PUBLISH_TOKEN", "t"),
            ("TWINE_USERNAME", "bob"),
        ]))
        .unwrap()
        .unwrap();
        assert_eq!(found.credentials.username(), "__token__");
        let found = resolve(&inputs(&[
            ("TWINE_PASSWORD", "p"),
            ("TWINE_USERNAME", "bob"),
        ]))
        .unwrap()
        .unwrap();
        assert_eq!(found.credentials.username(), "bob");
        let mut with_stdin = inputs(&[("TWINE_PASSWORD", "p")]);
        with_stdin.password_stdin = Some("from-stdin".into());
        assert_eq!(
            resolve(&with_stdin).unwrap().unwrap().credentials.secret(),
            "from-stdin"
        );
    }

    #[test]
    fn pypirc_sections() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join(".pypirc");
        std::fs::write(
            &path,
            "[distutils]\nindex-servers =\n    pypi\n    local\n\n[pypi]\nusername = __token__\npassword = pypi-abc\n\n[local]\nrepository: http://127.0.0.1:8080/\nusername = alice\npassword = wonder\n",
        )
        .unwrap();
        let mut by_name = inputs(&[]);
        by_name.pypirc = Some(path.clone());
        let found = resolve(&by_name).unwrap().unwrap();
        assert_eq!(found.credentials.secret(), "pypi-abc");
        assert!(found.source.ends_with("[pypi]"));
        let mut by_url = inputs(&[]);
        by_url.pypirc = Some(path.clone());
        by_url.section = None;
        by_url.upload_url = "http://127.0.0.1:8080".into();
        let found = resolve(&by_url).unwrap().unwrap();
        assert_eq!(found.credentials.username(), "alice");
        let ini = read_pypirc(&path).unwrap();
        assert_eq!(ini.repository("local"), Some("http://127.0.0.1:8080/"));
        assert_eq!(ini.sections["distutils"]["index-servers"], "\npypi\nlocal");
        let err = parse_pypirc(&path, "[pypi\n").unwrap_err();
        assert!(
            matches!(&err, UploadError::Pypirc { location, .. } if location.line == Some(1)),
            "{err}"
        );
    }
}
