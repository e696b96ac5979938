//! What each fuzz target does with its input: one function per target in
//! `fuzz_targets/`, shared with the replay of saved inputs on stable
//! (`tests/fuzz_regressions.rs` includes this file), so that a saved
//! crash is replayed through exactly the call that found it.
//!
//! Each function returns normally for every input (an error is an
//! answer); a panic, a failed assertion or a hang is a finding.

use std::io::Write as _;
use std::path::Path;

/// Every target, by name (the names of `fuzz_targets/*.rs`).
pub const TARGETS: &[&str] = &[
    "wheel",
    "sdist_tar",
    "sdist_tar_inner",
    "sdist_zip",
    "metadata",
    "record",
    "wheel_tags",
    "filename",
    "version",
    "manifest",
    "simple_page",
    "project",
    "settings",
    "pypirc",
];

/// Runs target `name` on `data`; `false` when there is no such target.
pub fn run(name: &str, data: &[u8]) -> bool {
    match name {
        "wheel" => wheel(data),
        "sdist_tar" => sdist_tar(data),
        "sdist_tar_inner" => sdist_tar_inner(data),
        "sdist_zip" => sdist_zip(data),
        "metadata" => metadata(data),
        "record" => record(data),
        "wheel_tags" => wheel_tags(data),
        "filename" => filename(data),
        "version" => version(data),
        "manifest" => manifest(data),
        "simple_page" => simple_page(data),
        "project" => project(data),
        "settings" => settings(data),
        "pypirc" => pypirc(data),
        _ => return false,
    }
    true
}

/// Limits small enough that one input cannot take the fuzzer's memory or
/// time (the defaults allow 4 GiB).
pub fn limits() -> pbx_artifact::Limits {
    pbx_artifact::Limits {
        max_total_bytes: 64 << 20,
        max_member_bytes: 16 << 20,
        max_metadata_bytes: 1 << 20,
        max_record_bytes: 1 << 20,
        max_members: 10_000,
        ..pbx_artifact::Limits::default()
    }
}

/// The wheel reader: zip layout checks, the zip crate, RECORD, WHEEL and
/// METADATA, on any bytes.
pub fn wheel(data: &[u8]) {
    let _ = pbx_artifact::inspect_wheel_bytes("demo-1.0-py3-none-any.whl", data, &limits());
}

/// The tar.gz sdist reader: gzip, tar headers, pax, links, PKG-INFO.
pub fn sdist_tar(data: &[u8]) {
    let _ = pbx_artifact::inspect_sdist_bytes("demo-1.0.tar.gz", data, &limits());
}

/// The tar layer of the sdist reader: the input is the tar stream, gzipped
/// here, so mutations reach tar headers, pax records and links instead of
/// breaking the gzip layer.
pub fn sdist_tar_inner(data: &[u8]) {
    let mut encoder = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
    if encoder.write_all(data).is_err() {
        return;
    }
    let Ok(gz) = encoder.finish() else {
        return;
    };
    let _ = pbx_artifact::inspect_sdist_bytes("demo-1.0.tar.gz", &gz, &limits());
}

/// The zip sdist reader: zip layout checks, the member tree, PKG-INFO.
pub fn sdist_zip(data: &[u8]) {
    let _ = pbx_artifact::inspect_sdist_bytes("demo-1.0.zip", data, &limits());
}

/// Core metadata (METADATA, PKG-INFO).
pub fn metadata(data: &[u8]) {
    if let Ok(text) = std::str::from_utf8(data) {
        let meta = pbx_artifact::CoreMetadata::parse(text);
        let _ = meta.get("Name");
        let _ = meta.get_all("Classifier").count();
    }
}

/// RECORD (CSV).
pub fn record(data: &[u8]) {
    if let Ok(text) = std::str::from_utf8(data) {
        let _ = pbx_artifact::parse_record(text);
    }
}

/// WHEEL: its headers and the expansion of compressed tag sets.
pub fn wheel_tags(data: &[u8]) {
    if let Ok(text) = std::str::from_utf8(data) {
        let meta = pbx_artifact::CoreMetadata::parse(text);
        for tag in meta.get_all("Tag") {
            let _ = pbx_artifact::expand_tags(tag);
        }
        let _ = pbx_artifact::expand_tags(text);
    }
}

/// Wheel and sdist filenames.
pub fn filename(data: &[u8]) {
    if let Ok(text) = std::str::from_utf8(data) {
        if let Ok(dist) = pbx_artifact::DistFilename::parse(text) {
            let _ = pbx_artifact::expand_tags(&format!(
                "{}-{}-{}",
                dist.python_tag, dist.abi_tag, dist.platform_tag
            ));
        }
    }
}

/// PEP 440 versions, git tags, names, and the next fix-forward version.
pub fn version(data: &[u8]) {
    use pbx_version::{next_fix_forward, FixLane, PackageName, Tag, Version};
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let (a, b) = text.split_once('\n').unwrap_or((text, ""));
    let _ = PackageName::new(a);
    let _ = pbx_version::normalize(a);
    let _ = Tag::parse(a, "v");
    if let (Ok(x), Ok(y)) = (Version::parse(a), Version::parse(b)) {
        let _ = x.canonical();
        let _ = x < y;
        let _ = next_fix_forward(&x, [&y], FixLane::Post);
        let _ = next_fix_forward(&x, [&y], FixLane::Rc);
    }
}

/// SHA256SUMS manifests (sha256sum text, binary and --tag lines, escaped
/// names, comments).
pub fn manifest(data: &[u8]) {
    if let Ok(text) = std::str::from_utf8(data) {
        let _ = pbx_checksum::parse_manifest(Path::new("SHA256SUMS"), text);
    }
}

/// A simple API project page (PEP 691 JSON or PEP 503 HTML; the first line
/// is the Content-Type it is served with), and the reduction of an index's
/// error body to one safe line: never more than one line, never a workflow
/// command.
pub fn simple_page(data: &[u8]) {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let (content_type, body) = text.split_once('\n').unwrap_or(("text/html", text));
    let page = url::Url::parse("https://index.example/simple/demo/").expect("a URL");
    let _ = pbx_index::parse_page(&page, &content_type.to_ascii_lowercase(), body);
    let line = pbx_index::text::outside_text(body);
    assert!(!line.contains(['\n', '\r']), "{line:?}");
    assert!(!line.contains("::"), "{line:?}");
    assert!(
        line.chars().count() <= pbx_index::text::MAX_OUTSIDE_TEXT + 1,
        "{line:?}"
    );
}

/// pyproject.toml and uv.lock: a lock the streaming check accepts must be
/// valid TOML to a whole-document parser too.
pub fn project(data: &[u8]) {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let _ = pbx_project::Pyproject::parse(Path::new("pyproject.toml"), text);
    let name = pbx_version::PackageName::new("demo").expect("a name");
    if pbx_project::UvLock::parse(Path::new("uv.lock"), text, &name).is_ok() {
        assert!(
            text.parse::<toml_edit::DocumentMut>().is_ok(),
            "the lock check accepted what is not TOML"
        );
    }
}

/// Durations (`--wait`, `PBX_HTTP_TIMEOUT`) and sizes (`--max-file-size`,
/// `--max-expanded-size`): in range or refused.
pub fn settings(data: &[u8]) {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    if let Ok(duration) = pbx_report::parse_duration(text) {
        assert!(duration <= pbx_report::MAX_DURATION, "{text:?}");
    }
    for parse in [pbx_report::parse_file_size, pbx_report::parse_expanded_size] {
        if let Ok(bytes) = parse(text) {
            assert!((1 << 20..=1 << 40).contains(&bytes), "{text:?} → {bytes}");
        }
    }
}

/// `.pypirc` (INI sections, `key = value` / `key: value`, comments,
/// continuation lines).
pub fn pypirc(data: &[u8]) {
    if let Ok(text) = std::str::from_utf8(data) {
        let _ = pbx_upload::credentials::parse_pypirc(Path::new(".pypirc"), text);
    }
}
