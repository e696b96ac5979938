//! Every member of an accepted artifact with its bytes' SHA-256: what an
//! installer would see, for comparing pbx's reading with another reader's.

use std::fs::File;
use std::path::Path;

use serde::Serialize;

use crate::digest::Sha256;
use crate::error::ArtifactError;
use crate::filename::{DistFilename, DistKind};
use crate::inspect::inspect;
use crate::limits::{normalize_member, Limits};
use crate::sdist::sdist_members;
use crate::zipsafe::SafeZip;

/// What a member is.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase", tag = "kind", content = "target")]
pub enum MemberKind {
    /// A regular file.
    File,
    /// A directory.
    Dir,
    /// A symbolic link and its target, as written.
    Symlink(String),
    /// A hard link and the member it names, as written.
    Hardlink(String),
}

/// One member of an archive.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Member {
    /// The path, `/`-separated, with `.` components and repeated or
    /// trailing slashes removed.
    pub name: String,
    /// File, directory or link.
    #[serde(flatten)]
    pub kind: MemberKind,
    /// A file's size in bytes (0 for the others).
    pub size: u64,
    /// A file's SHA-256.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub sha256: Option<Sha256>,
}

impl Member {
    pub(crate) fn file(name: String, sha256: Sha256, size: u64) -> Self {
        Member {
            name,
            kind: MemberKind::File,
            size,
            sha256: Some(sha256),
        }
    }

    pub(crate) fn dir(name: String) -> Self {
        Member {
            name,
            kind: MemberKind::Dir,
            size: 0,
            sha256: None,
        }
    }

    pub(crate) fn link(name: String, kind: MemberKind) -> Self {
        Member {
            name,
            kind,
            size: 0,
            sha256: None,
        }
    }
}

/// Every member of the wheel or sdist at `path`, in archive order, after
/// the artifact passed [`inspect`] (so a hostile archive is the same
/// error); each file is read and hashed, never extracted.
pub fn list_members(path: &Path, limits: &Limits) -> Result<Vec<Member>, ArtifactError> {
    inspect(path, limits)?;
    match DistFilename::from_path(path)?.kind {
        DistKind::Sdist => sdist_members(path, limits),
        DistKind::Wheel => {
            let file = File::open(path).map_err(|source| ArtifactError::Io {
                path: path.to_path_buf(),
                source,
            })?;
            let mut zip = SafeZip::open(path, file, limits)?;
            let mut members = Vec::with_capacity(zip.names.len());
            for index in 0..zip.names.len() {
                let name = zip.names.get(index).cloned().unwrap_or_default();
                let normal = normalize_member(&name);
                if name.ends_with('/') {
                    members.push(Member::dir(normal));
                } else {
                    let (sha256, size) = zip.hash_member(index)?;
                    members.push(Member::file(normal, sha256, size));
                }
            }
            Ok(members)
        }
    }
}
