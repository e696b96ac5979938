//! Would the index accept this file? What the public index (warehouse)
//! refuses and can be checked locally, as [`Finding`]s, so that a release is
//! never half-published because its second file is rejected after its
//! first landed (docs/design.md rule 8).
//!
//! - core metadata fields valid for the declared `Metadata-Version` (a field
//!   newer than it is refused, as is an unknown version);
//! - `Classifier` values against the canonical list (`data/`, generated
//!   from the `trove-classifiers` package by `scripts/refresh-classifiers`):
//!   unknown and deprecated ones are refused;
//! - `Home-page`, `Download-URL` and `Project-URL` are http(s) URLs, and
//!   Project-URL labels at most 32 characters;
//! - `Description-Content-Type` is one the index renders;
//! - the filename's name part is normalised (PEP 427 wheels, PEP 625
//!   `.tar.gz` sdists);
//! - the file is within the per-file size limit ([`Limits::max_file_bytes`]).

use std::collections::{HashMap, HashSet};
use std::sync::LazyLock;

use crate::filename::{DistFilename, DistKind};
use crate::inspect::Finding;
use crate::limits::Limits;
use crate::metadata::CoreMetadata;

/// The classifiers the index accepts, one a line (`#` lines are comments).
const CLASSIFIERS: &str = include_str!("../data/classifiers.txt");
/// Deprecated classifiers, each with its replacements (`A\tB | C`).
const DEPRECATED_CLASSIFIERS: &str = include_str!("../data/deprecated-classifiers.txt");

static KNOWN: LazyLock<HashSet<&'static str>> = LazyLock::new(|| data_lines(CLASSIFIERS).collect());

static DEPRECATED: LazyLock<HashMap<&'static str, Vec<&'static str>>> = LazyLock::new(|| {
    data_lines(DEPRECATED_CLASSIFIERS)
        .map(|line| {
            let (name, replacements) = line.split_once('\t').unwrap_or((line, ""));
            let replacements = replacements
                .split(" | ")
                .map(str::trim)
                .filter(|r| !r.is_empty())
                .collect();
            (name, replacements)
        })
        .collect()
});

fn data_lines(text: &'static str) -> impl Iterator<Item = &'static str> {
    text.lines()
        .filter(|line| !line.is_empty() && !line.starts_with('#'))
}

/// Whether the index accepts `classifier` as it stands: `Ok` when it is
/// canonical, else why not (deprecated, with its replacements; unknown).
pub fn check_classifier(classifier: &str) -> Result<(), String> {
    if KNOWN.contains(classifier) {
        return Ok(());
    }
    if let Some(replacements) = DEPRECATED.get(classifier) {
        return Err(match replacements.as_slice() {
            [] => format!("`{classifier}` is deprecated; remove it"),
            some => format!(
                "`{classifier}` is deprecated; use {} instead",
                some.iter()
                    .map(|r| format!("`{r}`"))
                    .collect::<Vec<_>>()
                    .join(" or ")
            ),
        });
    }
    if classifier.starts_with("Private ::") {
        return Err(format!(
            "`{classifier}` is a `Private ::` classifier, which the index refuses on purpose (it keeps a project from being uploaded); remove it to publish"
        ));
    }
    Err(format!(
        "`{classifier}` is not a classifier the index knows; correct it to one listed at https://pypi.org/classifiers/ (exact spelling and spacing) or remove it"
    ))
}

/// The core metadata versions the index accepts, as (major, minor): those
/// `packaging.metadata` validates (2.5 is PEP 794, which hatchling writes;
/// 2.6 is PEP 808, no new fields).
const METADATA_VERSIONS: &[(&str, (u32, u32))] = &[
    ("1.0", (1, 0)),
    ("1.1", (1, 1)),
    ("1.2", (1, 2)),
    ("2.1", (2, 1)),
    ("2.2", (2, 2)),
    ("2.3", (2, 3)),
    ("2.4", (2, 4)),
    ("2.5", (2, 5)),
    ("2.6", (2, 6)),
];

/// Every core metadata field and the version that introduced it.
const FIELDS: &[(&str, (u32, u32))] = &[
    ("Metadata-Version", (1, 0)),
    ("Name", (1, 0)),
    ("Version", (1, 0)),
    ("Platform", (1, 0)),
    ("Summary", (1, 0)),
    ("Description", (1, 0)),
    ("Keywords", (1, 0)),
    ("Home-page", (1, 0)),
    ("Author", (1, 0)),
    ("Author-email", (1, 0)),
    ("License", (1, 0)),
    ("Supported-Platform", (1, 1)),
    ("Classifier", (1, 1)),
    ("Download-URL", (1, 1)),
    ("Requires", (1, 1)),
    ("Provides", (1, 1)),
    ("Obsoletes", (1, 1)),
    ("Maintainer", (1, 2)),
    ("Maintainer-email", (1, 2)),
    ("Requires-Dist", (1, 2)),
    ("Provides-Dist", (1, 2)),
    ("Obsoletes-Dist", (1, 2)),
    ("Requires-Python", (1, 2)),
    ("Requires-External", (1, 2)),
    ("Project-URL", (1, 2)),
    ("Description-Content-Type", (2, 1)),
    ("Provides-Extra", (2, 1)),
    ("Dynamic", (2, 2)),
    ("License-Expression", (2, 4)),
    ("License-File", (2, 4)),
    ("Import-Name", (2, 5)),
    ("Import-Namespace", (2, 5)),
];

/// The longest Project-URL label the index accepts.
pub const MAX_PROJECT_URL_LABEL: usize = 32;

/// The content types the index renders a description as.
const CONTENT_TYPES: &[&str] = &["text/plain", "text/x-rst", "text/markdown"];

/// Everything the index would refuse in this file that can be checked
/// locally, as findings (a passed one per check when nothing is wrong).
/// `file_size` is the artifact's size in bytes, when known.
pub fn acceptance_findings(
    dist: &DistFilename,
    metadata: &CoreMetadata,
    file_size: Option<u64>,
    limits: &Limits,
) -> Vec<Finding> {
    let file = match dist.kind {
        DistKind::Wheel => "METADATA",
        DistKind::Sdist => "PKG-INFO",
    };
    let mut findings = Vec::new();
    findings.extend(metadata_version_findings(metadata, file));
    findings.extend(classifier_findings(metadata, file));
    findings.extend(url_findings(metadata, file));
    findings.extend(content_type_findings(metadata, file));
    findings.push(filename_finding(dist));
    if let Some(size) = file_size {
        findings.push(size_finding(size, limits.max_file_bytes));
    }
    findings
}

fn metadata_version_findings(metadata: &CoreMetadata, file: &str) -> Vec<Finding> {
    // A missing Metadata-Version is the `metadata` check's failure.
    let Some(declared) = metadata.get("Metadata-Version") else {
        return Vec::new();
    };
    let Some(&(_, version)) = METADATA_VERSIONS.iter().find(|(v, _)| *v == declared) else {
        return vec![Finding::fail(
            "metadata-version",
            format!(
                "{file} Metadata-Version `{declared}` is not one the index accepts ({}); upgrade the build backend and build again",
                METADATA_VERSIONS
                    .iter()
                    .map(|(v, _)| *v)
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
        )];
    };
    let mut newer: Vec<(&str, &str)> = Vec::new();
    for (key, _) in metadata.fields() {
        let Some((canonical, since)) = FIELDS.iter().find(|(f, _)| f.eq_ignore_ascii_case(key))
        else {
            continue;
        };
        if *since > version && !newer.iter().any(|(f, _)| f == canonical) {
            let needs = METADATA_VERSIONS
                .iter()
                .find(|(_, v)| v == since)
                .map(|(v, _)| *v)
                .unwrap_or("a later version");
            newer.push((canonical, needs));
        }
    }
    if newer.is_empty() {
        return vec![Finding::pass(
            "metadata-fields",
            format!("every {file} field is valid in Metadata-Version {declared}"),
        )];
    }
    newer
        .into_iter()
        .map(|(field, needs)| {
            Finding::fail(
                "metadata-fields",
                format!(
                    "{file} has {field}, which needs Metadata-Version {needs}, but declares {declared}: the index refuses it; upgrade the build backend (it writes {field} without the version it needs) or drop the setting that adds {field}, and build again"
                ),
            )
        })
        .collect()
}

fn classifier_findings(metadata: &CoreMetadata, file: &str) -> Vec<Finding> {
    let all: Vec<&str> = metadata.get_all("Classifier").collect();
    let refused: Vec<Finding> = all
        .iter()
        .filter_map(|c| check_classifier(c).err())
        .map(|why| {
            Finding::fail(
                "classifiers",
                format!("{file} Classifier {why} (in pyproject.toml [project].classifiers)"),
            )
        })
        .collect();
    if !refused.is_empty() {
        return refused;
    }
    vec![Finding::pass(
        "classifiers",
        format!("{file} has {} classifier(s), all canonical", all.len()),
    )]
}

/// Why `text` is not a URL the index accepts, if it is not.
pub fn check_url(text: &str) -> Result<(), String> {
    if text.trim().is_empty() {
        return Err("is empty".to_string());
    }
    match url::Url::parse(text.trim()) {
        Ok(url) if !matches!(url.scheme(), "http" | "https") => Err(format!(
            "`{text}` is not an http(s) URL (scheme `{}`)",
            url.scheme()
        )),
        Ok(url) if url.host_str().is_none_or(str::is_empty) => Err(format!("`{text}` has no host")),
        Ok(_) => Ok(()),
        Err(e) => Err(format!("`{text}` is not a URL ({e})")),
    }
}

fn url_findings(metadata: &CoreMetadata, file: &str) -> Vec<Finding> {
    let mut failed = Vec::new();
    let mut count = 0;
    for field in ["Home-page", "Download-URL"] {
        for value in metadata.get_all(field) {
            count += 1;
            if let Err(why) = check_url(value) {
                failed.push(Finding::fail(
                    "urls",
                    format!("{file} {field} {why}; give a full http(s) URL (https://host/path) in pyproject.toml [project.urls], or remove it"),
                ));
            }
        }
    }
    for value in metadata.get_all("Project-URL") {
        count += 1;
        let Some((label, url)) = value.split_once(',') else {
            failed.push(Finding::fail(
                "urls",
                format!("{file} Project-URL `{value}` is not `label, URL`; write it as `Label = \"https://…\"` in pyproject.toml [project.urls]"),
            ));
            continue;
        };
        let (label, url) = (label.trim(), url.trim());
        if label.is_empty() {
            failed.push(Finding::fail(
                "urls",
                format!("{file} Project-URL `{value}` has an empty label; name it in pyproject.toml [project.urls]"),
            ));
        } else if label.chars().count() > MAX_PROJECT_URL_LABEL {
            failed.push(Finding::fail(
                "urls",
                format!(
                    "{file} Project-URL label `{label}` is {} characters, over the index's {MAX_PROJECT_URL_LABEL}; shorten it in pyproject.toml [project.urls]",
                    label.chars().count()
                ),
            ));
        }
        if let Err(why) = check_url(url) {
            failed.push(Finding::fail(
                "urls",
                format!("{file} Project-URL `{label}` {why}; give a full http(s) URL in pyproject.toml [project.urls]"),
            ));
        }
    }
    if !failed.is_empty() {
        return failed;
    }
    vec![Finding::pass(
        "urls",
        format!("{file} has {count} URL(s), all http(s)"),
    )]
}

/// Why `value` is not a `Description-Content-Type` the index accepts, if
/// it is not: `text/plain`, `text/x-rst` or `text/markdown`, with an
/// optional `charset=UTF-8` and, for markdown, `variant=GFM|CommonMark`.
pub fn check_content_type(value: &str) -> Result<(), String> {
    let mut parts = value.split(';');
    let mime = parts.next().unwrap_or_default().trim().to_ascii_lowercase();
    if !CONTENT_TYPES.contains(&mime.as_str()) {
        return Err(format!(
            "`{value}` is not a type the index renders (text/plain, text/x-rst or text/markdown)"
        ));
    }
    for parameter in parts.map(str::trim).filter(|p| !p.is_empty()) {
        let Some((key, val)) = parameter.split_once('=') else {
            return Err(format!(
                "`{value}` has a parameter without a value: `{parameter}`"
            ));
        };
        let val = val.trim().trim_matches('"');
        match key.trim().to_ascii_lowercase().as_str() {
            "charset" if val.eq_ignore_ascii_case("utf-8") => {}
            "charset" => {
                return Err(format!(
                    "`{value}`: charset `{val}` is not UTF-8, the only one the index takes"
                ))
            }
            "variant" if mime == "text/markdown" && matches!(val, "GFM" | "CommonMark") => {}
            "variant" if mime == "text/markdown" => {
                return Err(format!(
                    "`{value}`: variant `{val}` is neither GFM nor CommonMark"
                ))
            }
            other => {
                return Err(format!(
                    "`{value}`: parameter `{other}` is not one the index accepts for {mime}"
                ))
            }
        }
    }
    Ok(())
}

fn content_type_findings(metadata: &CoreMetadata, file: &str) -> Vec<Finding> {
    let Some(value) = metadata.get("Description-Content-Type") else {
        return Vec::new();
    };
    vec![match check_content_type(value) {
        Ok(()) => Finding::pass(
            "description-content-type",
            format!("{file} Description-Content-Type `{value}` is one the index renders"),
        ),
        Err(why) => Finding::fail(
            "description-content-type",
            format!(
                "{file} Description-Content-Type {why}; set `readme` in pyproject.toml to a .md, .rst or .txt file (or its content-type to text/markdown, text/x-rst or text/plain) and build again"
            ),
        ),
    }]
}

/// The filename's name part: normalised with `_` for wheels (PEP 427) and
/// `.tar.gz` sdists (PEP 625). A `.zip` sdist predates PEP 625 and is not
/// held to it here (pbx-upload refuses uploading one).
fn filename_finding(dist: &DistFilename) -> Finding {
    let expected = dist.name.as_dist_info_name();
    let zip_sdist = dist.kind == DistKind::Sdist && dist.filename.ends_with(".zip");
    if zip_sdist || dist.raw_name == expected {
        return Finding::pass(
            "filename",
            format!("the filename's name part `{}` is normalised", dist.raw_name),
        );
    }
    let (what, spec) = match dist.kind {
        DistKind::Wheel => ("wheel", "PEP 427"),
        DistKind::Sdist => ("sdist", "PEP 625"),
    };
    Finding::fail(
        "filename",
        format!(
            "the name part `{}` is not normalised: the index refuses a new {what} not named `{expected}-…` ({spec}); build it again with a current backend (uv build, hatchling, setuptools ≥ 69.3), never rename it by hand",
            dist.raw_name
        ),
    )
}

fn size_finding(size: u64, limit: u64) -> Finding {
    if size <= limit {
        return Finding::pass(
            "file-size",
            format!("the file is within the {} per-file limit", mib(limit)),
        );
    }
    Finding::fail(
        "file-size",
        format!(
            "{} ({size} bytes) is over the per-file limit of {} that the index enforces; make the file smaller, or, when the index has raised this project's limit, pass --max-file-size with it (PBX_MAX_FILE_SIZE)",
            mib(size),
            mib(limit)
        ),
    )
}

fn mib(bytes: u64) -> String {
    if bytes.is_multiple_of(1 << 20) {
        format!("{} MiB", bytes >> 20)
    } else {
        format!("{:.1} MiB", bytes as f64 / (1u64 << 20) as f64)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn findings(text: &str, filename: &str) -> Vec<Finding> {
        acceptance_findings(
            &DistFilename::parse(filename).unwrap(),
            &CoreMetadata::parse(text),
            Some(1000),
            &Limits::default(),
        )
    }

    fn failed(text: &str) -> Vec<String> {
        findings(text, "demo_pkg-1.0-py3-none-any.whl")
            .into_iter()
            .filter(|f| !f.ok)
            .map(|f| format!("{}: {}", f.check, f.message))
            .collect()
    }

    const HEAD: &str = "Metadata-Version: 2.4\nName: demo-pkg\nVersion: 1.0\n";

    #[test]
    fn a_clean_file_passes_every_check() {
        let text = format!(
            "{HEAD}Classifier: Programming Language :: Python :: 3\nClassifier: License :: OSI Approved :: MIT License\nHome-page: https://example.org\nProject-URL: Source, https://github.com/o/r\nDescription-Content-Type: text/markdown; charset=UTF-8; variant=GFM\nLicense-Expression: MIT\nLicense-File: LICENSE\nDynamic: Requires-Dist\n"
        );
        assert_eq!(failed(&text), Vec::<String>::new());
        let all = findings(&text, "demo_pkg-1.0-py3-none-any.whl");
        for check in [
            "metadata-fields",
            "classifiers",
            "urls",
            "description-content-type",
            "filename",
            "file-size",
        ] {
            assert!(all.iter().any(|f| f.check == check && f.ok), "{check}");
        }
    }

    #[test]
    fn fields_newer_than_the_declared_metadata_version_are_refused() {
        let old = "Metadata-Version: 2.1\nName: demo-pkg\nVersion: 1.0\nLicense-File: LICENSE\nLicense-File: NOTICE\n";
        let refused = failed(old);
        assert_eq!(refused.len(), 1, "{refused:?}");
        assert!(refused[0].contains("License-File, which needs Metadata-Version 2.4"));
        assert!(refused[0].contains("declares 2.1"));
        for (version, field, needs) in [
            ("2.2", "License-Expression: MIT", "2.4"),
            ("2.4", "Import-Name: demo_pkg", "2.5"),
            ("2.3", "license-expression: MIT", "2.4"),
            ("2.1", "Dynamic: Classifier", "2.2"),
            ("1.2", "Description-Content-Type: text/plain", "2.1"),
            ("1.2", "Provides-Extra: test", "2.1"),
            ("1.1", "Requires-Dist: x", "1.2"),
            ("1.1", "Project-URL: A, https://a.org", "1.2"),
            ("1.0", "Classifier: Framework :: Django", "1.1"),
        ] {
            let text =
                format!("Metadata-Version: {version}\nName: demo-pkg\nVersion: 1.0\n{field}\n");
            let refused = failed(&text);
            assert!(
                refused
                    .iter()
                    .any(|m| m.contains(&format!("needs Metadata-Version {needs}"))),
                "{version} {field}: {refused:?}"
            );
        }
        for version in ["2.0", "3.0", "2.7", "1.3", "two"] {
            let text = format!("Metadata-Version: {version}\nName: demo-pkg\nVersion: 1.0\n");
            let refused = failed(&text);
            assert!(
                refused
                    .iter()
                    .any(|m| m.starts_with("metadata-version:") && m.contains(version)),
                "{version}: {refused:?}"
            );
        }
    }

    #[test]
    fn unknown_deprecated_and_private_classifiers_are_refused_by_name() {
        assert_eq!(check_classifier("Framework :: FastAPI"), Ok(()));
        let unknown = check_classifier("Programming Language :: Pythn :: 3").unwrap_err();
        assert!(unknown.contains("`Programming Language :: Pythn :: 3` is not a classifier"));
        assert!(check_classifier("Programming Language :: Python :: 3 ").is_err());
        assert!(check_classifier("Private :: Do Not Upload")
            .unwrap_err()
            .contains("Private ::"));
        let (deprecated, replacements) = DEPRECATED.iter().next().expect("some are deprecated");
        let why = check_classifier(deprecated).unwrap_err();
        assert!(why.contains("deprecated"), "{why}");
        for r in replacements {
            assert!(why.contains(r), "{why}");
        }
        let text =
            format!("{HEAD}Classifier: Framework :: FastAPI\nClassifier: Topic :: Nonsense\n");
        let refused = failed(&text);
        assert_eq!(refused.len(), 1);
        assert!(refused[0].contains("Topic :: Nonsense"), "{refused:?}");
    }

    #[test]
    fn urls_must_be_http_and_labels_short() {
        assert_eq!(check_url("https://example.org/x"), Ok(()));
        assert_eq!(check_url("http://localhost:8080"), Ok(()));
        for bad in [
            "",
            "  ",
            "example.org",
            "ftp://example.org",
            "https://",
            "javascript:alert(1)",
            "http//x",
        ] {
            assert!(check_url(bad).is_err(), "{bad:?}");
        }
        let refused = failed(&format!(
            "{HEAD}Home-page: example.org\nDownload-URL: \nProject-URL: Docs, ftp://x.org\nProject-URL: A label that is far too long for the index, https://x.org\nProject-URL: no comma here\nProject-URL: , https://x.org\n"
        ));
        assert_eq!(refused.len(), 6, "{refused:?}");
        assert!(refused[0].contains("Home-page `example.org`"));
        assert!(refused[1].contains("Download-URL is empty"));
        assert!(refused[2].contains("Project-URL `Docs`"));
        assert!(refused[3].contains("over the index's 32"));
        assert!(refused[4].contains("not `label, URL`"));
        assert!(refused[5].contains("empty label"));
        // 32 characters is fine.
        let label = "x".repeat(32);
        assert!(failed(&format!("{HEAD}Project-URL: {label}, https://x.org\n")).is_empty());
    }

    #[test]
    fn description_content_types() {
        for good in [
            "text/plain",
            "text/x-rst",
            "text/markdown",
            "TEXT/Markdown; charset=utf-8",
            "text/markdown; variant=CommonMark",
            "text/markdown; charset=UTF-8; variant=GFM",
            "text/plain; charset=\"UTF-8\"",
        ] {
            assert_eq!(check_content_type(good), Ok(()), "{good}");
        }
        for bad in [
            "text/html",
            "application/json",
            "text/rst",
            "",
            "text/plain; charset=latin-1",
            "text/plain; variant=GFM",
            "text/markdown; variant=gfm",
            "text/markdown; variant=Original",
            "text/markdown; flavour=GFM",
            "text/markdown; charset",
        ] {
            assert!(check_content_type(bad).is_err(), "{bad:?}");
        }
        let refused = failed(&format!("{HEAD}Description-Content-Type: text/html\n"));
        assert_eq!(refused.len(), 1);
        assert!(
            refused[0].contains("Description-Content-Type `text/html`"),
            "{refused:?}"
        );
    }

    #[test]
    fn filenames_must_carry_the_normalised_name() {
        let ok = |filename: &str| {
            findings(HEAD, filename)
                .iter()
                .find(|f| f.check == "filename")
                .unwrap()
                .ok
        };
        assert!(ok("demo_pkg-1.0-py3-none-any.whl"));
        assert!(ok("demo_pkg-1.0.tar.gz"));
        assert!(!ok("Demo_Pkg-1.0-py3-none-any.whl"));
        assert!(!ok("demo.pkg-1.0-py3-none-any.whl"));
        assert!(!ok("demo-pkg-1.0.tar.gz"));
        assert!(!ok("Demo_Pkg-1.0.tar.gz"));
        // A zip sdist predates PEP 625: only the upload refuses it.
        assert!(ok("Demo.Pkg-1.0.zip"));
    }

    #[test]
    fn the_file_size_limit() {
        let limits = Limits::default();
        assert_eq!(limits.max_file_bytes, 100 << 20);
        let check = |size, limit| size_finding(size, limit);
        assert!(check(100 << 20, 100 << 20).ok);
        let over = check((100 << 20) + 1, 100 << 20);
        assert!(!over.ok);
        assert!(over.message.contains("--max-file-size"), "{}", over.message);
        assert!(over.message.contains("100 MiB"), "{}", over.message);
        assert!(check(150 << 20, 200 << 20).ok);
    }
}
