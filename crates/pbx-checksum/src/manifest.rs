//! `SHA256SUMS`: the format `sha256sum` writes and `sha256sum -c` reads.
//!
//! A line is `<64 hex>  <name>` (text mode) or `<64 hex> *<name>` (binary
//! mode; the same bytes are hashed on every system pbx runs on). A name
//! holding a backslash or a newline is escaped (`\\`, `\n`) and the line
//! starts with a backslash. `sha256sum --tag` writes the BSD form
//! `SHA256 (<name>) = <hex>`, which is read too. Lines starting with `#`
//! are comments.

use std::path::Path;

use pbx_artifact::Sha256;

use crate::error::ChecksumError;

/// One line of a manifest.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ManifestEntry {
    /// The file, relative to the manifest's directory.
    pub name: String,
    /// Its expected digest.
    pub sha256: Sha256,
    /// Whether the line used the binary marker (`*`).
    pub binary: bool,
    /// The 1-based line.
    pub line: usize,
}

/// Parses a manifest's text; `path` names it in errors.
pub fn parse_manifest(path: &Path, text: &str) -> Result<Vec<ManifestEntry>, ChecksumError> {
    let mut entries: Vec<ManifestEntry> = Vec::new();
    // name → the line it is on: finding a repeat is one lookup, not a scan.
    let mut lines_of: std::collections::HashMap<String, usize> = Default::default();
    for (index, raw) in text.split('\n').enumerate() {
        let line = index + 1;
        let raw = raw.strip_suffix('\r').unwrap_or(raw);
        if raw.trim().is_empty() || raw.starts_with('#') {
            continue;
        }
        let bad = |column: usize, reason: String| ChecksumError::Manifest {
            path: path.to_path_buf(),
            line,
            column,
            reason,
        };
        let entry = if let Some(rest) = raw.strip_prefix("SHA256 (") {
            let (name, hex) = rest
                .rsplit_once(") = ")
                .ok_or_else(|| bad(1, "expected `SHA256 (name) = <64 hex digits>`".into()))?;
            let sha256 = parse_hex(hex).map_err(|reason| bad(raw.len() - hex.len() + 1, reason))?;
            ManifestEntry {
                name: name.to_string(),
                sha256,
                binary: true,
                line,
            }
        } else if let Some((algorithm, _)) = raw.split_once(" (").filter(|(a, _)| {
            !a.is_empty() && a.chars().all(|c| c.is_ascii_alphanumeric() || c == '-')
        }) {
            return Err(bad(
                1,
                format!("a {algorithm} line: this manifest is not SHA-256 (write one with `pbx-checksum write` or `sha256sum`)"),
            ));
        } else {
            let (escaped, body) = match raw.strip_prefix('\\') {
                Some(body) => (true, body),
                None => (false, raw),
            };
            let offset = usize::from(escaped);
            let hex_len = body
                .find(|c: char| !c.is_ascii_hexdigit())
                .unwrap_or(body.len());
            if hex_len != 64 {
                let hint = match hex_len {
                    32 => " (32 digits: is this an MD5 manifest?)",
                    40 => " (40 digits: is this a SHA-1 manifest?)",
                    128 => " (128 digits: is this a SHA-512 manifest?)",
                    _ => "",
                };
                return Err(bad(
                    offset + 1,
                    format!("expected a SHA-256 digest of 64 hex digits, found {hex_len}{hint}"),
                ));
            }
            let sha256 = parse_hex(&body[..64]).map_err(|reason| bad(offset + 1, reason))?;
            let rest = &body[64..];
            let (binary, name) = if let Some(name) = rest.strip_prefix("  ") {
                (false, name)
            } else if let Some(name) = rest.strip_prefix(" *") {
                (true, name)
            } else {
                return Err(bad(
                    offset + 65,
                    "expected two spaces (or a space and `*`) between the digest and the file name"
                        .into(),
                ));
            };
            if name.is_empty() {
                return Err(bad(offset + 67, "no file name after the digest".into()));
            }
            let name = if escaped {
                unescape(name).map_err(|reason| bad(offset + 67, reason))?
            } else {
                name.to_string()
            };
            ManifestEntry {
                name,
                sha256,
                binary,
                line,
            }
        };
        // The manifest names files in its own directory (and below):
        // never an absolute path or one that climbs out with `..`.
        let climbs = std::path::Path::new(&entry.name).components().any(|c| {
            !matches!(
                c,
                std::path::Component::Normal(_) | std::path::Component::CurDir
            )
        });
        if climbs || entry.name.is_empty() {
            return Err(bad(
                1,
                format!(
                    "`{}` is outside the manifest's directory: a manifest names the files beside it (or below), never an absolute path or `..`",
                    entry.name
                ),
            ));
        }
        if let Some(&first) = lines_of.get(entry.name.as_str()) {
            return Err(bad(
                1,
                format!(
                    "`{}` is listed twice (first on line {}): a manifest names each file once",
                    entry.name, first
                ),
            ));
        }
        lines_of.insert(entry.name.clone(), entry.line);
        entries.push(entry);
    }
    Ok(entries)
}

fn parse_hex(hex: &str) -> Result<Sha256, String> {
    Sha256::from_hex(hex).ok_or_else(|| format!("`{hex}` is not 64 hex digits"))
}

fn unescape(name: &str) -> Result<String, String> {
    let mut out = String::with_capacity(name.len());
    let mut chars = name.chars();
    while let Some(c) = chars.next() {
        if c != '\\' {
            out.push(c);
            continue;
        }
        match chars.next() {
            Some('\\') => out.push('\\'),
            Some('n') => out.push('\n'),
            Some('r') => out.push('\r'),
            other => {
                return Err(format!(
                    "unknown escape `\\{}` in the file name",
                    other.map(String::from).unwrap_or_default()
                ))
            }
        }
    }
    Ok(out)
}

/// One manifest line as `sha256sum` writes it (text mode, two spaces),
/// escaping names that hold a backslash or newline the way it does.
pub fn manifest_line(name: &str, sha256: &Sha256) -> String {
    if name.contains(['\\', '\n', '\r']) {
        let escaped = name
            .replace('\\', "\\\\")
            .replace('\n', "\\n")
            .replace('\r', "\\r");
        format!("\\{sha256}  {escaped}\n")
    } else {
        format!("{sha256}  {name}\n")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const ABC: &str = "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad";

    #[test]
    fn reads_text_binary_bsd_and_escaped_lines() {
        let text = format!(
            "# comment\n{ABC}  a.whl\n{ABC} *b.tar.gz\r\nSHA256 (c d.whl) = {ABC}\n\\{ABC}  e\\\\f\\ng.whl\n\n"
        );
        let entries = parse_manifest(Path::new("SHA256SUMS"), &text).unwrap();
        let names: Vec<&str> = entries.iter().map(|e| e.name.as_str()).collect();
        assert_eq!(names, ["a.whl", "b.tar.gz", "c d.whl", "e\\f\ng.whl"]);
        assert!(entries[1].binary);
        assert_eq!(entries[3].line, 5);
        assert_eq!(entries[0].sha256.hex(), ABC);
    }

    #[test]
    fn written_lines_read_back() {
        let sha = Sha256::from_hex(ABC).unwrap();
        for name in ["plain.whl", "back\\slash.whl", "new\nline.whl"] {
            let line = manifest_line(name, &sha);
            let entries = parse_manifest(Path::new("S"), &line).unwrap();
            assert_eq!(entries[0].name, name);
        }
        assert_eq!(manifest_line("a.whl", &sha), format!("{ABC}  a.whl\n"));
    }

    #[test]
    fn bad_lines_say_where_and_what() {
        let err = |text: &str| parse_manifest(Path::new("SHA256SUMS"), text).unwrap_err();
        let md5 = err("900150983cd24fb0d6963f7d28e17f72  a.whl\n");
        assert!(matches!(
            md5,
            ChecksumError::Manifest {
                line: 1,
                column: 1,
                ..
            }
        ));
        assert!(md5.to_string().contains("MD5"), "{md5}");
        let sep = err(&format!("{ABC}\ta.whl\n"));
        assert!(
            matches!(sep, ChecksumError::Manifest { column: 65, .. }),
            "{sep}"
        );
        let twice = err(&format!("{ABC}  a.whl\n{ABC}  a.whl\n"));
        assert!(
            matches!(twice, ChecksumError::Manifest { line: 2, .. }),
            "{twice}"
        );
        let md5_tag = err("MD5 (a.whl) = 900150983cd24fb0d6963f7d28e17f72\n");
        assert!(md5_tag.to_string().contains("not SHA-256"), "{md5_tag}");
    }
}
