//! PEP 740 attestations: the `<file>.publish.attestation` found beside an
//! artifact (the convention of the PyPA publish action and uv) is sent with
//! that file's upload as the `attestations` form field (a JSON array of
//! one), after checking, before any request, that it attests this file: the
//! in-toto statement in `envelope.statement` (base64) names the file's
//! name and SHA-256 as its first subject.

use std::path::{Path, PathBuf};

use base64::Engine as _;
use pbx_index::Artifact;

/// The suffix of an attestation file beside its artifact.
pub const SUFFIX: &str = ".publish.attestation";

/// Why an attestation cannot go with its file. Closed: the exit status is
/// `pbx-app`'s to choose.
#[derive(Debug, thiserror::Error)]
pub enum AttestationError {
    /// The attestation file exists but cannot be read.
    #[error("cannot read {}: {source}", path.display())]
    Unreadable {
        /// The attestation file.
        path: PathBuf,
        /// Why.
        source: std::io::Error,
    },
    /// It is not a PEP 740 attestation (JSON with a base64 in-toto
    /// statement naming a subject).
    #[error("{} is not a PEP 740 attestation: {reason}", path.display())]
    Malformed {
        /// The attestation file.
        path: PathBuf,
        /// What is missing or wrong.
        reason: String,
    },
    /// It attests another file, or other bytes.
    #[error("{} attests {field} `{attested}`, but the file's is `{actual}`", path.display())]
    WrongSubject {
        /// The attestation file.
        path: PathBuf,
        /// `name` or `sha256`.
        field: &'static str,
        /// What the statement says.
        attested: String,
        /// What the artifact is.
        actual: String,
    },
}

/// The attestation file of `artifact`: `<path>.publish.attestation`.
pub fn path_for(artifact: &Path) -> PathBuf {
    let mut name = artifact.as_os_str().to_os_string();
    name.push(SUFFIX);
    PathBuf::from(name)
}

/// Reads and checks the attestation beside `artifact`, if there is one, and
/// sets its `attestations` form field. No file: nothing changes.
pub fn attach(artifact: &mut Artifact) -> Result<(), AttestationError> {
    let path = path_for(&artifact.path);
    let text = match std::fs::read_to_string(&path) {
        Ok(text) => text,
        Err(err) if err.kind() == std::io::ErrorKind::NotFound => return Ok(()),
        Err(source) => return Err(AttestationError::Unreadable { path, source }),
    };
    let attestation = check(&path, &text, artifact.filename(), &artifact.sha256)?;
    artifact.attestations = Some(serde_json::Value::Array(vec![attestation]).to_string());
    Ok(())
}

/// Parses `text` as a PEP 740 attestation of `filename` with `sha256`.
pub fn check(
    path: &Path,
    text: &str,
    filename: &str,
    sha256: &str,
) -> Result<serde_json::Value, AttestationError> {
    let malformed = |reason: &str| AttestationError::Malformed {
        path: path.to_path_buf(),
        reason: reason.to_string(),
    };
    let attestation: serde_json::Value =
        serde_json::from_str(text).map_err(|err| malformed(&format!("not JSON ({err})")))?;
    let statement = attestation
        .pointer("/envelope/statement")
        .and_then(|s| s.as_str())
        .ok_or_else(|| malformed("no envelope.statement"))?;
    let statement = base64::engine::general_purpose::STANDARD
        .decode(statement.trim())
        .map_err(|_| malformed("envelope.statement is not base64"))?;
    let statement: serde_json::Value = serde_json::from_slice(&statement)
        .map_err(|_| malformed("envelope.statement is not a JSON in-toto statement"))?;
    let subject = statement
        .pointer("/subject/0")
        .ok_or_else(|| malformed("the statement names no subject"))?;
    let name = subject
        .get("name")
        .and_then(|n| n.as_str())
        .ok_or_else(|| malformed("the subject has no name"))?;
    let digest = subject
        .pointer("/digest/sha256")
        .and_then(|d| d.as_str())
        .ok_or_else(|| malformed("the subject has no sha256 digest"))?;
    if name != filename {
        return Err(AttestationError::WrongSubject {
            path: path.to_path_buf(),
            field: "name",
            attested: name.to_string(),
            actual: filename.to_string(),
        });
    }
    if !digest.eq_ignore_ascii_case(sha256) {
        return Err(AttestationError::WrongSubject {
            path: path.to_path_buf(),
            field: "sha256",
            attested: digest.to_string(),
            actual: sha256.to_string(),
        });
    }
    Ok(attestation)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn attestation(name: &str, sha256: &str) -> String {
        let statement = serde_json::json!({
            "_type": "https://in-toto.io/Statement/v1",
            "subject": [{"name": name, "digest": {"sha256": sha256}}],
            "predicateType": "https://docs.pypi.org/attestations/publish/v1",
            "predicate": null,
        });
        let encoded = base64::engine::general_purpose::STANDARD.encode(statement.to_string());
        serde_json::json!({
            "version": 1,
            "verification_material": {"certificate": "", "transparency_entries": []},
            "envelope": {"statement": encoded, "signature": "c2ln"},
        })
        .to_string()
    }

    #[test]
    fn the_subject_must_be_the_file() {
        let path = Path::new("dist/a-1.0.tar.gz.publish.attestation");
        let good = attestation("a-1.0.tar.gz", &"ab".repeat(32));
        let value = check(path, &good, "a-1.0.tar.gz", &"AB".repeat(32)).unwrap();
        assert_eq!(value["version"], 1);
        let err = check(path, &good, "a-1.1.tar.gz", &"ab".repeat(32)).unwrap_err();
        assert!(
            matches!(err, AttestationError::WrongSubject { field: "name", .. }),
            "{err}"
        );
        let err = check(path, &good, "a-1.0.tar.gz", &"cd".repeat(32)).unwrap_err();
        assert!(
            matches!(
                err,
                AttestationError::WrongSubject {
                    field: "sha256",
                    ..
                }
            ),
            "{err}"
        );
        for bad in [
            "{",
            "{}",
            r#"{"envelope": {"statement": "%%%"}}"#,
            r#"{"envelope": {"statement": "e30="}}"#,
        ] {
            let err = check(path, bad, "a-1.0.tar.gz", "ab").unwrap_err();
            assert!(
                matches!(err, AttestationError::Malformed { .. }),
                "{bad}: {err}"
            );
        }
    }

    #[test]
    fn the_attestation_file_sits_beside_the_artifact() {
        assert_eq!(
            path_for(Path::new("dist/a-1.0-py3-none-any.whl")),
            PathBuf::from("dist/a-1.0-py3-none-any.whl.publish.attestation")
        );
    }
}
