//! Parsing project pages of the simple repository API: PEP 691 JSON and
//! PEP 503 HTML.

use pbx_artifact::DistFilename;
use pbx_version::Version;
use serde::{Deserialize, Serialize};
use url::Url;

/// One file of a project as the index lists it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct IndexFile {
    /// The filename (`demo-1.0-py3-none-any.whl`).
    pub filename: String,
    /// Where to download it (absolute, without the `#sha256=` fragment).
    pub url: String,
    /// The version parsed from the filename (`None` for filenames that are
    /// not wheels or sdists).
    #[serde(serialize_with = "serialize_version")]
    pub version: Option<Version>,
    /// The SHA-256 the index states (lowercase hex), when it states one.
    pub sha256: Option<String>,
    /// Whether the file is yanked (PEP 592).
    pub yanked: bool,
    /// `Requires-Python` as the index states it.
    pub requires_python: Option<String>,
}

fn serialize_version<S: serde::Serializer>(
    version: &Option<Version>,
    serializer: S,
) -> Result<S::Ok, S::Error> {
    match version {
        Some(version) => serializer.serialize_some(&version.canonical()),
        None => serializer.serialize_none(),
    }
}

impl IndexFile {
    fn new(
        filename: String,
        mut url: Url,
        sha256: Option<String>,
        yanked: bool,
        requires_python: Option<String>,
    ) -> IndexFile {
        let fragment_sha = url.fragment().and_then(|f| {
            f.split('&')
                .find_map(|part| part.strip_prefix("sha256="))
                .map(str::to_ascii_lowercase)
        });
        url.set_fragment(None);
        let version = DistFilename::parse(&filename).ok().map(|d| d.version);
        IndexFile {
            filename,
            url: url.to_string(),
            version,
            sha256: sha256.map(|s| s.to_ascii_lowercase()).or(fragment_sha),
            yanked,
            requires_python: requires_python.filter(|r| !r.is_empty()),
        }
    }
}

#[derive(Deserialize)]
struct JsonPage {
    meta: Option<JsonMeta>,
    files: Vec<JsonFile>,
}

#[derive(Deserialize)]
struct JsonMeta {
    #[serde(rename = "api-version")]
    api_version: Option<String>,
}

#[derive(Deserialize)]
struct JsonFile {
    filename: String,
    url: String,
    #[serde(default)]
    hashes: std::collections::BTreeMap<String, String>,
    #[serde(rename = "requires-python")]
    requires_python: Option<String>,
    #[serde(default)]
    yanked: serde_json::Value,
}

/// Parses a project page of the simple API fetched from `page`, served
/// with `content_type` (lower case): PEP 691 JSON, else PEP 503 HTML.
pub fn parse_page(page: &Url, content_type: &str, body: &str) -> Result<Vec<IndexFile>, String> {
    if content_type.starts_with("application/vnd.pypi.simple.v1+json")
        || (content_type.contains("json") && body.trim_start().starts_with('{'))
    {
        parse_json(page, body)
    } else {
        parse_html(page, body)
    }
}

/// Parses a PEP 691 JSON project page fetched from `page`.
pub(crate) fn parse_json(page: &Url, body: &str) -> Result<Vec<IndexFile>, String> {
    let parsed: JsonPage =
        serde_json::from_str(body).map_err(|e| format!("not a PEP 691 JSON page: {e}"))?;
    if let Some(version) = parsed.meta.and_then(|m| m.api_version) {
        if !version.starts_with("1.") {
            return Err(format!(
                "simple API version {version} is not supported (pbx speaks 1.x)"
            ));
        }
    }
    parsed
        .files
        .into_iter()
        .map(|file| {
            let url = page
                .join(&file.url)
                .map_err(|e| format!("bad URL `{}` for {}: {e}", file.url, file.filename))?;
            let yanked = match &file.yanked {
                serde_json::Value::Bool(b) => *b,
                serde_json::Value::String(_) => true,
                _ => false,
            };
            Ok(IndexFile::new(
                file.filename,
                url,
                file.hashes.get("sha256").cloned(),
                yanked,
                file.requires_python,
            ))
        })
        .collect()
}

/// Parses a PEP 503 HTML project page fetched from `page` (every `<a>`
/// element; `<base href>` honoured).
pub(crate) fn parse_html(page: &Url, body: &str) -> Result<Vec<IndexFile>, String> {
    let mut base = page.clone();
    let mut files = Vec::new();
    let lower = body.to_ascii_lowercase();
    let mut at = 0;
    while let Some(start) = lower[at..].find('<').map(|i| at + i) {
        let Some(end) = find_tag_end(body, start) else {
            break;
        };
        let tag = &body[start + 1..end];
        at = end + 1;
        let (tag_name, attrs) = split_tag(tag);
        match tag_name.to_ascii_lowercase().as_str() {
            "base" => {
                if let Some(href) = attribute(attrs, "href") {
                    base = page
                        .join(&href)
                        .map_err(|e| format!("bad <base href=\"{href}\">: {e}"))?;
                }
            }
            "a" => {
                let close = lower[at..]
                    .find("</a")
                    .map(|i| at + i)
                    .ok_or("an <a> element is never closed")?;
                let text = unescape(strip_tags(&body[at..close]).trim());
                at = close;
                let Some(href) = attribute(attrs, "href") else {
                    continue;
                };
                let url = base
                    .join(&href)
                    .map_err(|e| format!("bad link `{href}`: {e}"))?;
                let filename = if text.is_empty() {
                    url.path_segments()
                        .and_then(|mut s| s.next_back())
                        .map(percent_decode)
                        .unwrap_or_default()
                } else {
                    text
                };
                let yanked = attribute_present(attrs, "data-yanked");
                let requires_python = attribute(attrs, "data-requires-python");
                files.push(IndexFile::new(filename, url, None, yanked, requires_python));
            }
            _ => {}
        }
    }
    Ok(files)
}

fn find_tag_end(body: &str, start: usize) -> Option<usize> {
    let bytes = body.as_bytes();
    let mut quote: Option<u8> = None;
    for (i, &b) in bytes.iter().enumerate().skip(start + 1) {
        match quote {
            Some(q) if b == q => quote = None,
            Some(_) => {}
            None if b == b'"' || b == b'\'' => quote = Some(b),
            None if b == b'>' => return Some(i),
            None => {}
        }
    }
    None
}

fn split_tag(tag: &str) -> (&str, &str) {
    let tag = tag.trim_end_matches('/');
    match tag.find(|c: char| c.is_ascii_whitespace()) {
        Some(i) => (&tag[..i], &tag[i..]),
        None => (tag, ""),
    }
}

/// Every `name[=value]` attribute of a tag, values unescaped.
fn attributes(attrs: &str) -> Vec<(String, Option<String>)> {
    let mut out = Vec::new();
    let mut rest = attrs.trim_start();
    while !rest.is_empty() {
        let name_end = rest
            .find(|c: char| c.is_ascii_whitespace() || c == '=')
            .unwrap_or(rest.len());
        let name = rest[..name_end].to_ascii_lowercase();
        rest = rest[name_end..].trim_start();
        let value = if let Some(after) = rest.strip_prefix('=') {
            let after = after.trim_start();
            let (value, remaining) = match after.chars().next() {
                Some(q @ ('"' | '\'')) => match after[1..].find(q) {
                    Some(i) => (&after[1..1 + i], &after[2 + i..]),
                    None => (&after[1..], ""),
                },
                _ => {
                    let end = after
                        .find(|c: char| c.is_ascii_whitespace())
                        .unwrap_or(after.len());
                    (&after[..end], &after[end..])
                }
            };
            rest = remaining.trim_start();
            Some(unescape(value))
        } else {
            None
        };
        if name.is_empty() {
            // A stray character: skip it rather than loop forever.
            rest = rest.get(1..).unwrap_or("").trim_start();
            continue;
        }
        out.push((name, value));
    }
    out
}

fn attribute(attrs: &str, name: &str) -> Option<String> {
    attributes(attrs)
        .into_iter()
        .find(|(n, _)| n == name)
        .map(|(_, v)| v.unwrap_or_default())
}

fn attribute_present(attrs: &str, name: &str) -> bool {
    attributes(attrs).iter().any(|(n, _)| n == name)
}

fn strip_tags(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut in_tag = false;
    for c in text.chars() {
        match c {
            '<' => in_tag = true,
            '>' if in_tag => in_tag = false,
            c if !in_tag => out.push(c),
            _ => {}
        }
    }
    out
}

/// Replaces HTML character references (`&amp;`, `&lt;`, `&#62;`,
/// `&#x3E;`, …).
pub(crate) fn unescape(text: &str) -> String {
    if !text.contains('&') {
        return text.to_string();
    }
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(i) = rest.find('&') {
        out.push_str(&rest[..i]);
        rest = &rest[i..];
        let Some(end) = rest[1..].find(';').map(|e| e + 1).filter(|&e| e <= 10) else {
            out.push('&');
            rest = &rest[1..];
            continue;
        };
        let entity = &rest[1..end];
        let decoded = match entity {
            "amp" => Some('&'),
            "lt" => Some('<'),
            "gt" => Some('>'),
            "quot" => Some('"'),
            "apos" => Some('\''),
            "nbsp" => Some('\u{a0}'),
            _ => entity
                .strip_prefix("#x")
                .or_else(|| entity.strip_prefix("#X"))
                .and_then(|hex| u32::from_str_radix(hex, 16).ok())
                .or_else(|| entity.strip_prefix('#').and_then(|d| d.parse().ok()))
                .and_then(char::from_u32),
        };
        match decoded {
            Some(c) => {
                out.push(c);
                rest = &rest[end + 1..];
            }
            None => {
                out.push('&');
                rest = &rest[1..];
            }
        }
    }
    out.push_str(rest);
    out
}

fn percent_decode(segment: &str) -> String {
    let bytes = segment.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' && i + 2 < bytes.len() {
            let hex = std::str::from_utf8(&bytes[i + 1..i + 3]).unwrap_or("");
            if let Ok(b) = u8::from_str_radix(hex, 16) {
                out.push(b);
                i += 3;
                continue;
            }
        }
        out.push(bytes[i]);
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn page() -> Url {
        Url::parse("https://example.org/simple/demo/").unwrap()
    }

    #[test]
    fn pep503_html_with_fragments_yanked_and_entities() {
        let html = r#"<!DOCTYPE html><html><body>
            <a href="/packages/demo-1.0-py3-none-any.whl#sha256=ABCDEF" data-requires-python="&gt;=3.9">demo-1.0-py3-none-any.whl</a><br>
            <a href='../../files/demo-1.0.tar.gz#sha256=0123' data-yanked="broken &amp; gone">demo-1.0.tar.gz</a>
            <A HREF="https://files.example.org/demo-2.0rc1.tar.gz" DATA-YANKED>  demo-2.0rc1.tar.gz </A>
            <a href="notes.txt">notes.txt</a>
        </body></html>"#;
        let files = parse_html(&page(), html).unwrap();
        assert_eq!(files.len(), 4);
        assert_eq!(files[0].filename, "demo-1.0-py3-none-any.whl");
        assert_eq!(
            files[0].url,
            "https://example.org/packages/demo-1.0-py3-none-any.whl"
        );
        assert_eq!(files[0].sha256.as_deref(), Some("abcdef"));
        assert_eq!(files[0].requires_python.as_deref(), Some(">=3.9"));
        assert!(!files[0].yanked);
        assert_eq!(files[0].version.as_ref().unwrap().canonical(), "1.0");
        assert_eq!(files[1].url, "https://example.org/files/demo-1.0.tar.gz");
        assert!(files[1].yanked);
        assert_eq!(files[2].filename, "demo-2.0rc1.tar.gz");
        assert!(files[2].yanked);
        assert_eq!(files[2].version.as_ref().unwrap().canonical(), "2.0rc1");
        assert_eq!(files[3].version, None);
    }

    #[test]
    fn html_base_href_and_filename_from_url() {
        let html = r#"<html><head><base href="https://cdn.example.org/x/"></head>
            <a href="demo-1.0.tar.gz#sha256=aa"></a></html>"#;
        let files = parse_html(&page(), html).unwrap();
        assert_eq!(files[0].url, "https://cdn.example.org/x/demo-1.0.tar.gz");
        assert_eq!(files[0].filename, "demo-1.0.tar.gz");
    }

    #[test]
    fn pep691_json() {
        let json = r#"{"meta":{"api-version":"1.1"},"name":"demo","files":[
            {"filename":"demo-1.0-py3-none-any.whl","url":"../../packages/demo-1.0-py3-none-any.whl","hashes":{"sha256":"AB12"},"requires-python":">=3.9","yanked":false},
            {"filename":"demo-1.0.tar.gz","url":"https://files.example.org/demo-1.0.tar.gz","hashes":{},"yanked":"bad build"}
        ],"versions":["1.0"]}"#;
        let files = parse_json(&page(), json).unwrap();
        assert_eq!(
            files[0].url,
            "https://example.org/packages/demo-1.0-py3-none-any.whl"
        );
        assert_eq!(files[0].sha256.as_deref(), Some("ab12"));
        assert!(!files[0].yanked);
        assert!(files[1].yanked);
        assert_eq!(files[1].sha256, None);
        assert!(parse_json(&page(), r#"{"meta":{"api-version":"2.0"},"files":[]}"#).is_err());
        assert!(parse_json(&page(), "<html>").is_err());
    }

    #[test]
    fn entities() {
        assert_eq!(unescape("a&amp;b&lt;&#62;&#x3C;&bogus;&"), "a&b<><&bogus;&");
    }
}
