use std::fmt;

/// A project name, compared after PEP 503 normalisation.
///
/// `Proxbox_API`, `proxbox.api` and `proxbox-api` are the same project; the
/// normalised form is lower case with every run of `-`, `_` and `.` replaced
/// by a single `-`.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct PackageName {
    normalized: String,
}

/// A string that is not a valid project name (PEP 508 / core metadata).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("`{input}` is not a valid project name: names start and end with a letter or digit and contain only letters, digits, `-`, `_` and `.`")]
pub struct NameError {
    /// The text that was refused.
    pub input: String,
}

impl PackageName {
    /// Validates and normalises a project name.
    pub fn new(input: &str) -> Result<Self, NameError> {
        let valid = !input.is_empty()
            && input
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.'))
            && input.as_bytes()[0].is_ascii_alphanumeric()
            && input.as_bytes()[input.len() - 1].is_ascii_alphanumeric();
        if !valid {
            return Err(NameError {
                input: input.to_string(),
            });
        }
        Ok(PackageName {
            normalized: normalize(input),
        })
    }

    /// The PEP 503 normalised name (`proxbox-api`).
    pub fn as_str(&self) -> &str {
        &self.normalized
    }

    /// The name as it appears in wheel and sdist filenames (PEP 427/625:
    /// `proxbox_api`).
    pub fn as_dist_info_name(&self) -> String {
        self.normalized.replace('-', "_")
    }
}

/// PEP 503 normalisation without validation.
pub fn normalize(input: &str) -> String {
    let mut out = String::with_capacity(input.len());
    let mut in_separator = false;
    for ch in input.chars() {
        if matches!(ch, '-' | '_' | '.') {
            if !in_separator {
                out.push('-');
            }
            in_separator = true;
        } else {
            out.push(ch.to_ascii_lowercase());
            in_separator = false;
        }
    }
    out
}

impl fmt::Display for PackageName {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.normalized)
    }
}
