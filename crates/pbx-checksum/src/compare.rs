//! `pbx-checksum compare`: local artifacts against the files an index
//! serves for the same release.

use std::collections::{BTreeMap, BTreeSet};
use std::path::PathBuf;

use pbx_artifact::{sha256_files, DistFilename, Sha256};
use pbx_index::{Client, IndexFile, IndexUrls};
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

    let mut remote: BTreeMap<String, IndexFile> = BTreeMap::new();
    for project in &projects {
        for file in client
            .list_files(&index.simple, project)
            .map_err(ChecksumError::Index)?
        {
            let version = file
                .version
                .clone()
                .or_else(|| DistFilename::parse(&file.filename).ok().map(|d| d.version));
            let in_release = version.is_some_and(|v| releases.contains(&(project.clone(), v)));
            if in_release {
                remote.insert(file.filename.clone(), file);
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
        if let Some(file) = remote.remove(filename) {
            let index_sha256 = match &file.sha256 {
                Some(digest) => digest.to_ascii_lowercase(),
                None => client
                    .download_sha256(&file.url)
                    .map_err(ChecksumError::Index)?,
            };
            compared.status = if local_sha256.map(|d| d.hex()) == Some(index_sha256.clone()) {
                CompareStatus::Same
            } else {
                CompareStatus::Differs
            };
            compared.index_sha256 = Some(index_sha256);
            compared.url = Some(file.url);
            compared.yanked = file.yanked;
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
