//! A wheel's `RECORD`: CSV rows of `path,algorithm=urlsafe-b64-digest,size`
//! (binary distribution format, "The dist-info directory").

use base64::Engine as _;

/// One row of RECORD.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RecordEntry {
    /// The archive member, `/`-separated.
    pub path: String,
    /// Its hash (empty for RECORD itself and signature files).
    pub hash: Option<RecordHash>,
    /// Its size in bytes (empty where the hash is).
    pub size: Option<u64>,
    /// The 1-based line the row starts on.
    pub line: usize,
}

/// `algorithm=digest` of a RECORD row.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RecordHash {
    /// The `hashlib` name (`sha256`).
    pub algorithm: String,
    /// The raw digest bytes.
    pub digest: Vec<u8>,
    /// The digest as written (URL-safe base64, no padding).
    pub encoded: String,
}

/// A RECORD that cannot be parsed.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("line {line}: {reason}")]
pub struct RecordError {
    /// The 1-based line.
    pub line: usize,
    /// What is wrong.
    pub reason: String,
}

/// Parses RECORD as the `csv` module writes it (fields quoted when they hold
/// a comma, quote or newline; quotes doubled inside quotes).
pub fn parse_record(text: &str) -> Result<Vec<RecordEntry>, RecordError> {
    let mut entries = Vec::new();
    for (line, fields) in csv_rows(text)? {
        if fields.len() == 1 && fields[0].is_empty() {
            continue;
        }
        let bad = |reason: String| RecordError { line, reason };
        let [path, hash, size]: [String; 3] = fields.try_into().map_err(|f: Vec<String>| {
            bad(format!(
                "expected 3 comma-separated fields (path,hash,size), found {}",
                f.len()
            ))
        })?;
        if path.is_empty() {
            return Err(bad("empty path".into()));
        }
        let hash = if hash.is_empty() {
            None
        } else {
            let (algorithm, encoded) = hash
                .split_once('=')
                .ok_or_else(|| bad(format!("hash `{hash}` is not algorithm=digest")))?;
            let digest = base64::engine::general_purpose::URL_SAFE_NO_PAD
                .decode(encoded.trim_end_matches('='))
                .map_err(|e| bad(format!("hash of `{path}` is not URL-safe base64: {e}")))?;
            Some(RecordHash {
                algorithm: algorithm.to_ascii_lowercase(),
                digest,
                encoded: encoded.to_string(),
            })
        };
        let size = if size.is_empty() {
            None
        } else {
            Some(
                size.parse::<u64>()
                    .map_err(|_| bad(format!("size `{size}` of `{path}` is not a number")))?,
            )
        };
        entries.push(RecordEntry {
            path,
            hash,
            size,
            line,
        });
    }
    Ok(entries)
}

/// Splits CSV into rows of fields, each with the line it starts on.
fn csv_rows(text: &str) -> Result<Vec<(usize, Vec<String>)>, RecordError> {
    let mut rows = Vec::new();
    let mut fields = Vec::new();
    let mut field = String::new();
    let mut line = 1;
    let mut row_line = 1;
    let mut chars = text.chars().peekable();
    let mut in_quotes = false;
    let mut quoted_field = false;
    while let Some(c) = chars.next() {
        if in_quotes {
            match c {
                '"' if chars.peek() == Some(&'"') => {
                    chars.next();
                    field.push('"');
                }
                '"' => in_quotes = false,
                '\n' => {
                    line += 1;
                    field.push(c);
                }
                _ => field.push(c),
            }
            continue;
        }
        match c {
            '"' if field.is_empty() && !quoted_field => {
                in_quotes = true;
                quoted_field = true;
            }
            '"' => {
                return Err(RecordError {
                    line,
                    reason: "a quote inside an unquoted field".into(),
                })
            }
            ',' => {
                fields.push(std::mem::take(&mut field));
                quoted_field = false;
            }
            '\r' if chars.peek() == Some(&'\n') => {}
            '\n' => {
                fields.push(std::mem::take(&mut field));
                rows.push((row_line, std::mem::take(&mut fields)));
                quoted_field = false;
                line += 1;
                row_line = line;
            }
            _ if quoted_field => {
                return Err(RecordError {
                    line,
                    reason: "text after a closing quote".into(),
                })
            }
            _ => field.push(c),
        }
    }
    if in_quotes {
        return Err(RecordError {
            line,
            reason: "a quoted field is never closed".into(),
        });
    }
    if !field.is_empty() || !fields.is_empty() || quoted_field {
        fields.push(field);
        rows.push((row_line, fields));
    }
    Ok(rows)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rows_quotes_and_empty_hashes() {
        let text = "demo/__init__.py,sha256=47DEQpj8HBSa-_TImW-5JCeuQeRkm5NMpJWZG3hSuFU,0\r\n\"demo/a,b.py\",sha256=47DEQpj8HBSa-_TImW-5JCeuQeRkm5NMpJWZG3hSuFU,0\n\"demo/\"\"q\"\".py\",,\ndemo-1.0.dist-info/RECORD,,\n";
        let rows = parse_record(text).unwrap();
        assert_eq!(rows.len(), 4);
        assert_eq!(rows[0].hash.as_ref().unwrap().algorithm, "sha256");
        assert_eq!(rows[0].hash.as_ref().unwrap().digest.len(), 32);
        assert_eq!(rows[0].size, Some(0));
        assert_eq!(rows[1].path, "demo/a,b.py");
        assert_eq!(rows[2].path, "demo/\"q\".py");
        assert_eq!(
            (rows[3].hash.clone(), rows[3].size, rows[3].line),
            (None, None, 4)
        );
    }

    #[test]
    fn malformed_rows_name_their_line() {
        let err = parse_record("a,sha256=AAAA,1\nb,sha256=AAAA\n").unwrap_err();
        assert_eq!(err.line, 2);
        let err = parse_record("a,sha256=!!,1\n").unwrap_err();
        assert!(err.reason.contains("base64"), "{err}");
        let err = parse_record("a,,x\n").unwrap_err();
        assert!(err.reason.contains("not a number"), "{err}");
        assert!(parse_record("\"a,,\n").is_err());
    }
}
