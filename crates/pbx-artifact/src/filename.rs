use std::fmt;

use pbx_version::{PackageName, Version};

use crate::error::ArtifactError;

/// Wheel or sdist.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum DistKind {
    /// A `.whl` (upload `filetype` `bdist_wheel`).
    Wheel,
    /// A `.tar.gz` (upload `filetype` `sdist`).
    Sdist,
}

impl DistKind {
    /// The `filetype` of the upload API.
    pub fn filetype(self) -> &'static str {
        match self {
            DistKind::Wheel => "bdist_wheel",
            DistKind::Sdist => "sdist",
        }
    }
}

/// A parsed distribution filename.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DistFilename {
    /// The filename itself.
    pub filename: String,
    /// Wheel or sdist.
    pub kind: DistKind,
    /// The project name (normalised).
    pub name: PackageName,
    /// The name as written in the filename.
    pub raw_name: String,
    /// The version.
    pub version: Version,
    /// Wheel tags (`py3`, `none`, `any`), empty for sdists.
    pub python_tag: String,
    /// The ABI tag.
    pub abi_tag: String,
    /// The platform tag.
    pub platform_tag: String,
}

impl DistFilename {
    /// Parses `name-version(-build)?-py-abi-plat.whl` or `name-version.tar.gz`
    /// (also `.zip` sdists, which older indexes still hold).
    pub fn parse(filename: &str) -> Result<Self, ArtifactError> {
        let bad = |reason: &str| ArtifactError::Filename {
            filename: filename.to_string(),
            reason: reason.to_string(),
        };
        if let Some(stem) = filename.strip_suffix(".whl") {
            let parts: Vec<&str> = stem.split('-').collect();
            let (name, version, tags) = match parts.len() {
                5 => (parts[0], parts[1], &parts[2..]),
                6 => {
                    if !parts[2].starts_with(|c: char| c.is_ascii_digit()) {
                        return Err(bad("the build tag must start with a digit"));
                    }
                    (parts[0], parts[1], &parts[3..])
                }
                _ => return Err(bad("a wheel name has 5 or 6 dash-separated parts: name-version(-build)-python-abi-platform.whl")),
            };
            if tags.iter().any(|t| t.is_empty()) {
                return Err(bad("empty compatibility tag"));
            }
            let (package, version) = name_and_version(name, version).map_err(|r| bad(&r))?;
            return Ok(DistFilename {
                filename: filename.to_string(),
                kind: DistKind::Wheel,
                name: package,
                raw_name: name.to_string(),
                version,
                python_tag: tags[0].to_string(),
                abi_tag: tags[1].to_string(),
                platform_tag: tags[2].to_string(),
            });
        }
        let stem = filename
            .strip_suffix(".tar.gz")
            .or_else(|| filename.strip_suffix(".zip"))
            .ok_or_else(|| bad("expected a .whl or .tar.gz file"))?;
        // The version never contains a dash once normalised, but names in old
        // sdists may; split at the last dash.
        let (name, version) = stem
            .rsplit_once('-')
            .ok_or_else(|| bad("an sdist is named name-version.tar.gz"))?;
        let (package, version) = name_and_version(name, version).map_err(|r| bad(&r))?;
        Ok(DistFilename {
            filename: filename.to_string(),
            kind: DistKind::Sdist,
            name: package,
            raw_name: name.to_string(),
            version,
            python_tag: "source".to_string(),
            abi_tag: String::new(),
            platform_tag: String::new(),
        })
    }

    /// Parses the file name of `path` (a path whose last component is not
    /// valid UTF-8, or that has none, is not an artifact).
    pub fn from_path(path: &std::path::Path) -> Result<Self, ArtifactError> {
        let filename =
            path.file_name()
                .and_then(|n| n.to_str())
                .ok_or_else(|| ArtifactError::Archive {
                    path: path.to_path_buf(),
                    reason: "the path has no UTF-8 file name".into(),
                })?;
        DistFilename::parse(filename)
    }

    /// The `pyversion` field of the upload API (`py3` for a `py3-none-any`
    /// wheel, `source` for an sdist).
    pub fn pyversion(&self) -> &str {
        &self.python_tag
    }
}

fn name_and_version(name: &str, version: &str) -> Result<(PackageName, Version), String> {
    let package = PackageName::new(name).map_err(|e| e.to_string())?;
    let version = Version::parse(version).map_err(|e| e.to_string())?;
    if version.canonical().is_empty() || version.to_string().starts_with('v') {
        return Err("bad version".to_string());
    }
    Ok((package, version))
}

impl fmt::Display for DistFilename {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.filename)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wheels_and_sdists() {
        let wheel = DistFilename::parse("Proxbox_API-1.2.3.post1-py3-none-any.whl").unwrap();
        assert_eq!(wheel.kind, DistKind::Wheel);
        assert_eq!(wheel.name.as_str(), "proxbox-api");
        assert_eq!(wheel.version.canonical(), "1.2.3.post1");
        assert_eq!(wheel.pyversion(), "py3");
        let built =
            DistFilename::parse("pkg-1.0-1build-cp311-cp311-manylinux_2_17_x86_64.whl").unwrap();
        assert_eq!(built.abi_tag, "cp311");
        let sdist = DistFilename::parse("proxbox_api-1.2.3rc1.tar.gz").unwrap();
        assert_eq!(sdist.kind, DistKind::Sdist);
        assert_eq!(sdist.version.canonical(), "1.2.3rc1");
        for bad in [
            "pkg-1.0.whl",
            "pkg-1.0-x-py3-none-any.whl",
            "pkg.tar.gz",
            "pkg-1.0.exe",
            "pkg-notaversion-py3-none-any.whl",
        ] {
            assert!(DistFilename::parse(bad).is_err(), "{bad}");
        }
    }
}

/// Every distribution file extension an index has held: wheels, sdists in
/// each archive format, eggs and the old installers. A file of any of these
/// consumes its version (release rule 3).
pub const DIST_EXTENSIONS: &[&str] = &[
    ".tar.gz", ".tar.bz2", ".tar.xz", ".tar.Z", ".tgz", ".tar", ".zip", ".whl", ".egg", ".exe",
    ".msi", ".rpm", ".dmg",
];

/// The version a distribution filename of any type carries, for the
/// project `package` (normalised): every format an index has held starts
/// with `name-version`, where the name may itself contain dashes in old
/// sdists; the split is where the name part normalises to `package`.
/// `None` when the file is not recognisably a file of `package`.
pub fn version_of_filename(filename: &str, package: &str) -> Option<Version> {
    let stem = DIST_EXTENSIONS
        .iter()
        .find_map(|ext| filename.strip_suffix(ext))?;
    let parts: Vec<&str> = stem.split('-').collect();
    (1..parts.len()).find_map(|split| {
        let name = parts[..split].join("-");
        if pbx_version::normalize(&name) != package {
            return None;
        }
        // `.exe`/`.msi` installers append `.win32`, `.linux-x86_64`, `.py2.7`
        // after the version: take the longest prefix that is a version.
        let raw = parts[split];
        if raw.starts_with(['v', 'V']) {
            return None;
        }
        Version::parse(raw).ok().or_else(|| {
            let pieces: Vec<&str> = raw.split('.').collect();
            (1..pieces.len())
                .rev()
                .find_map(|n| Version::parse(&pieces[..n].join(".")).ok())
                .filter(|_| {
                    filename.ends_with(".exe")
                        || filename.ends_with(".msi")
                        || filename.ends_with(".egg")
                        || filename.ends_with(".rpm")
                        || filename.ends_with(".dmg")
                })
        })
    })
}

#[cfg(test)]
mod any_type_tests {
    use super::*;

    #[test]
    fn versions_come_from_every_kind_of_filename() {
        for (filename, version) in [
            ("demo_pkg-1.2.3.post1-py3-none-any.whl", Some("1.2.3.post1")),
            ("demo_pkg-1.2.3rc1.tar.gz", Some("1.2.3rc1")),
            ("Demo.Pkg-1.2.3.zip", Some("1.2.3")),
            ("demo-pkg-1.2.3.tar.bz2", Some("1.2.3")),
            ("demo_pkg-1.2.3.tgz", Some("1.2.3")),
            ("demo_pkg-1.2.3.post4-py3.8.egg", Some("1.2.3.post4")),
            ("demo_pkg-1.2.3.win32.exe", Some("1.2.3")),
            ("demo_pkg-1.2.3.linux-x86_64.exe", Some("1.2.3")),
            ("demo_pkg-1.2.3.win-amd64-py3.8.msi", Some("1.2.3")),
            ("other-1.0.tar.gz", None),
            ("demo_pkg-latest.tar.gz", None),
            ("demo_pkg-v1.0.tar.gz", None),
        ] {
            assert_eq!(
                version_of_filename(filename, "demo-pkg").map(|v| v.canonical()),
                version.map(str::to_string),
                "{filename}"
            );
        }
    }
}
