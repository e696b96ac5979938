//! What stops an upload before any file is sent (everything after that is
//! in the [`crate::Report`]).

use std::path::PathBuf;

use pbx_artifact::ArtifactError;
use pbx_index::IndexError;
use pbx_release::disk::{FindError, InspectReport};
use pbx_report::Location;

/// Why pbx-upload stopped before sending anything.
#[derive(Debug, thiserror::Error)]
pub enum UploadError {
    /// The files could not be found.
    #[error(transparent)]
    Find(#[from] FindError),
    /// Inspection refused the files (the same as `pbx-checksum inspect`).
    #[error("the artifacts did not pass inspection")]
    Refused(Box<InspectReport>),
    /// A file cannot be read as an upload.
    #[error("{0}")]
    Artifact(#[from] ArtifactError),
    /// The same file is named twice.
    #[error("{filename} is named twice")]
    NamedTwice {
        /// The filename.
        filename: String,
        /// The second path.
        path: PathBuf,
    },
    /// The metadata names another project or version than the filename.
    #[error("{filename}: its metadata says {field} `{metadata}`, its filename `{from_filename}`")]
    Renamed {
        /// The filename.
        filename: String,
        /// `the project` or `version`.
        field: &'static str,
        /// What the metadata says.
        metadata: String,
        /// What the filename says.
        from_filename: String,
        /// The file.
        path: PathBuf,
    },
    /// No files.
    #[error("no files to upload")]
    NoFiles,
    /// The files are not one project version.
    #[error("the files are not one release: {first} is {package} {version}, but {} {}", if mixed.len() == 1 { "this is not:" } else { "these are not:" }, mixed.join(", "))]
    NotOneRelease {
        /// The first file.
        first: String,
        /// Its project.
        package: String,
        /// Its version.
        version: String,
        /// The files of other releases.
        mixed: Vec<String>,
        /// The first file's path.
        path: PathBuf,
    },
    /// A local version segment (`+build7`).
    #[error("{package} {version} has a local version segment (`+…`), which public indexes reject")]
    LocalVersion {
        /// The project.
        package: String,
        /// The version.
        version: String,
        /// A file of it.
        path: PathBuf,
    },
    /// More than one sdist.
    #[error("more than one sdist for one release: {}", sdists.join(", "))]
    SeveralSdists {
        /// Their filenames.
        sdists: Vec<String>,
    },
    /// A zip sdist: the index takes only `.tar.gz` sdists for new uploads
    /// (PEP 625); older zip sdists stay on it, but no new one lands.
    #[error("{filename} is a zip sdist: the index accepts only .tar.gz sdists (PEP 625)")]
    ZipSdist {
        /// The filename.
        filename: String,
        /// The file.
        path: PathBuf,
    },
    /// Credentials would be sent where they must not go.
    #[error("{0}")]
    CredentialsNotAllowed(IndexError),
    /// `--trusted-publishing always` in a job that cannot request a token.
    #[error("--trusted-publishing always, but this job cannot request an OIDC token")]
    TrustedWithoutToken,
    /// A public index and no credentials.
    #[error("no credentials for {index}")]
    NoCredentials {
        /// The index.
        index: String,
    },
    /// What the index holds could not be read.
    #[error("cannot tell which files {index} already holds: {source}")]
    ListFiles {
        /// The index.
        index: String,
        /// Why.
        source: IndexError,
    },
    /// `--repository` or a `.pypirc` URL is not an index URL.
    #[error("{0}")]
    Repository(IndexError),
    /// `--repository` names nothing known.
    #[error("`{repository}` is not an index: expected `pypi`, `testpypi`, an http(s) URL, or a section of ~/.pypirc with a `repository` URL")]
    NotAnIndex {
        /// What was given (user-info removed).
        repository: String,
    },
    /// `.pypirc` cannot be read.
    #[error("cannot read {}: {source}", path.display())]
    PypircUnreadable {
        /// The file.
        path: PathBuf,
        /// Why.
        source: std::io::Error,
    },
    /// `.pypirc` is malformed.
    #[error("{message}")]
    Pypirc {
        /// Where.
        location: Location,
        /// What is wrong.
        message: &'static str,
    },
    /// Trusted publishing failed.
    #[error(transparent)]
    Trusted(#[from] TrustedError),
    /// A `<file>.publish.attestation` beside a file does not attest it.
    #[error(transparent)]
    Attestation(#[from] crate::AttestationError),
}

/// Why trusted publishing could not mint an upload token.
#[derive(Debug, thiserror::Error)]
pub enum TrustedError {
    /// An index or runner request failed.
    #[error("{0}")]
    Index(IndexError),
    /// The index does not offer trusted publishing.
    #[error("{origin} does not offer trusted publishing ({url} answered {status})")]
    NotOffered {
        /// The index's origin.
        origin: String,
        /// The audience URL.
        url: String,
        /// Its status.
        status: u16,
    },
    /// `ACTIONS_ID_TOKEN_REQUEST_URL` is not a URL.
    #[error("ACTIONS_ID_TOKEN_REQUEST_URL is not a URL: {0}")]
    RequestUrl(String),
    /// The runner gave no token.
    #[error("the Actions runner did not hand out an OIDC token (HTTP {status})")]
    NoIdToken {
        /// Its status.
        status: u16,
    },
    /// The index refused to mint a token.
    #[error("{origin} refused to mint an upload token (HTTP {status}): {detail}")]
    MintRefused {
        /// The index's origin.
        origin: String,
        /// Its status.
        status: u16,
        /// Its error codes and descriptions.
        detail: String,
        /// Its error codes.
        codes: Vec<String>,
    },
}
