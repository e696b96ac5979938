//! `pbx-checksum compare`: local artifacts against the files an index
//! serves for the same release.

use std::collections::{BTreeMap, BTreeSet};
use std::path::PathBuf;

use pbx_artifact::{sha256_files, DistFilename, Sha256};
use pbx_index::{Client, IndexFile, IndexUrls};
use pbx_release::index::{match_file, FileMatch, Holdings};
use pbx_version::{PackageName, Version};
use serde::Serialize;

use crate::collect::collect_artifacts;
use crate::error::ChecksumError;

/// How a file compares.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum CompareStatus {
    /// On the index with the local digest.
    Same,
    /// On the index with another digest.
    Differs,
    /// Local, but the index does not have it.
    NotOnIndex,
    /// On the index for this release, but not local: someone else uploaded
    /// it, or a local file is missing.
    OnlyOnIndex,
}

/// One file's outcome.
#[derive(Clone, Debug, Serialize)]
pub struct Compared {
    /// The filename.
    pub filename: String,
    /// The outcome.
    pub status: CompareStatus,
    /// The local file, when there is one.
    pub path: Option<PathBuf>,
    /// The local digest.
    pub local_sha256: Option<Sha256>,
    /// The digest the index publishes (or of the bytes it serves, when it
    /// publishes none).
    pub index_sha256: Option<String>,
    /// Where the index serves it.
    pub url: Option<String>,
    /// Whether the index marks it yanked.
    pub yanked: bool,
}

/// What `compare` found.
#[derive(Clone, Debug, Serialize)]
pub struct CompareReport {
    /// The index (`pypi`, `testpypi` or its URL).
    pub index: String,
    /// Its simple API URL.
    pub simple: String,
    /// Local artifacts sorted by filename, then files only on the index.
    pub files: Vec<Compared>,
}

impl CompareReport {
    /// Whether every local file is on the index with the same digest and
    /// the index holds nothing else for these releases.
    pub fn ok(&self) -> bool {
        self.files.iter().all(|f| f.status == CompareStatus::Same)
    }

    /// How many files have `status`.
    pub fn count(&self, status: CompareStatus) -> usize {
        self.files.iter().filter(|f| f.status == status).count()
    }
}

/// Hashes the artifacts named by `paths` and compares them with the files
/// `index` lists for the same project and version (one simple-API request
/// per project, with the client's retries).
pub fn compare(
    paths: &[PathBuf],
    index: &IndexUrls,
    client: &Client,
) -> Result<CompareReport, ChecksumError> {
    let artifacts = collect_artifacts(paths)?;
    let mut local: BTreeMap<String, (PathBuf, DistFilename)> = BTreeMap::new();
    for path in &artifacts {
        let filename = path
            .file_name()
            .and_then(|n| n.to_str())
            .unwrap_or_default()
            .to_string();
        let dist = DistFilename::parse(&filename)?;
        if let Some((first, _)) = local.get(&filename) {
            return Err(ChecksumError::Usage(format!(
                "{filename} is given twice ({} and {}): an index holds one file per name",
                first.display(),
                path.display()
            )));
        }
        local.insert(filename, (path.clone(), dist));
    }
    let ordered: Vec<PathBuf> = local.values().map(|(p, _)| p.clone()).collect();
    let mut digests = BTreeMap::new();
    for ((filename, _), digest) in local.iter().zip(sha256_files(&ordered)) {
        digests.insert(filename.clone(), digest?.sha256);
    }
    let projects: BTreeSet<PackageName> = local.values().map(|(_, d)| d.name.clone()).collect();
    let releases: BTreeSet<(PackageName, Version)> = local
        .values()
        .map(|(_, d)| (d.name.clone(), d.version.clone()))
        .collect();

    // What the index holds of each release: every file type (an egg or a
    // `.tar.bz2` of the version counts as much as a wheel).
    let mut remote: BTreeMap<String, IndexFile> = BTreeMap::new();
    for project in &projects {
        let holdings =
            Holdings::read(client, &index.simple, project).map_err(ChecksumError::Index)?;
        for (name, version) in &releases {
            if name == project {
                for file in holdings.of_version(version) {
                    remote.insert(file.filename.clone(), file.clone());
                }
            }
        }
    }

    let mut files = Vec::new();
    for (filename, (path, _)) in &local {
        let local_sha256 = digests.get(filename).copied();
        let mut compared = Compared {
            filename: filename.clone(),
            status: CompareStatus::NotOnIndex,
            path: Some(path.clone()),
            local_sha256,
            index_sha256: None,
            url: None,
            yanked: false,
        };
        let listed = remote.remove(filename);
        let local_hex = local_sha256.map(|d| d.hex()).unwrap_or_default();
        match match_file(client, listed.as_ref(), &local_hex).map_err(ChecksumError::Index)? {
            FileMatch::Same { file, .. } => {
                compared.status = CompareStatus::Same;
                compared.index_sha256 = Some(local_hex);
                compared.url = Some(file.url);
                compared.yanked = file.yanked;
            }
            FileMatch::Differs {
                file, index_sha256, ..
            } => {
                compared.status = CompareStatus::Differs;
                compared.index_sha256 = Some(index_sha256);
                compared.url = Some(file.url);
                compared.yanked = file.yanked;
            }
            FileMatch::NotListed => {}
        }
        files.push(compared);
    }
    for (filename, file) in remote {
        files.push(Compared {
            filename,
            status: CompareStatus::OnlyOnIndex,
            path: None,
            local_sha256: None,
            index_sha256: file.sha256.map(|d| d.to_ascii_lowercase()),
            url: Some(file.url),
            yanked: file.yanked,
        });
    }
    Ok(CompareReport {
        index: index.label(),
        simple: index.simple.to_string(),
        files,
    })
}
