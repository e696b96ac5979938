//! The versions a package index holds: every file, yanked ones too.

use pbx_index::{Client, IndexError, IndexUrls};
use pbx_version::{FixLane, PackageName};

use crate::error::NextVersionError;
use crate::sources::{Seen, Source, SourceKind};

/// The indexes a lane looks at when none is given (docs/design.md rule 4):
/// a post-release can collide on either public index, a release candidate
/// only on PyPI.
pub fn default_indexes(lane: FixLane) -> &'static [&'static str] {
    match lane {
        FixLane::Post => &["testpypi", "pypi"],
        FixLane::Rc => &["pypi"],
    }
}

/// Resolves `pypi`, `testpypi` or a URL.
pub fn resolve(spec: &str) -> Result<IndexUrls, NextVersionError> {
    IndexUrls::resolve(spec).map_err(NextVersionError::IndexSpec)
}

/// Every file of `package` on the index, as a [`Source`].
///
/// A project the index does not know (404) has no files. Anything else
/// that keeps the list from being read (unreachable after the client's
/// retries, an error status, a malformed page) is exit 3: naming a version
/// without knowing what the index holds could collide.
pub fn read(
    client: &Client,
    index: &IndexUrls,
    package: &PackageName,
) -> Result<Source, NextVersionError> {
    read_source(client, index, package).map_err(|source| NextVersionError::IndexUnreadable {
        index: index
            .name
            .clone()
            .unwrap_or_else(|| index.simple.to_string()),
        source,
    })
}

/// [`read`], with the index's own error.
pub fn read_source(
    client: &Client,
    index: &IndexUrls,
    package: &PackageName,
) -> Result<Source, IndexError> {
    let files = pbx_release::index::Holdings::read(client, &index.simple, package)?.files;
    let mut source = Source {
        kind: SourceKind::Index,
        location: index.simple.to_string(),
        seen: Vec::with_capacity(files.len()),
        unreadable: Vec::new(),
    };
    for file in files {
        // The index client reads every file type's version knowing the
        // project's name (a file listed on the project's page is the
        // project's, whatever its name part says).
        match file.version {
            Some(version) => source.seen.push(Seen {
                version,
                carrier: file.filename,
                yanked: file.yanked,
            }),
            None => source.unreadable.push(file.filename),
        }
    }
    Ok(source)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_lane_looks_where_its_version_could_collide() {
        assert_eq!(default_indexes(FixLane::Post), ["testpypi", "pypi"]);
        assert_eq!(default_indexes(FixLane::Rc), ["pypi"]);
        let resolved = resolve("testpypi").unwrap();
        assert_eq!(resolved.simple.as_str(), "https://test.pypi.org/simple/");
        assert!(matches!(
            resolve("ftp://example.org/"),
            Err(NextVersionError::IndexSpec(_))
        ));
    }
}
