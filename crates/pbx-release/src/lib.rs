//! One release of a Python project, in the two places it exists.
//!
//! - [`disk`]: **the release on disk.** Which files are the artifacts
//!   ([`disk::find`]: one rule for files, directories, hidden files,
//!   `.zip`, symlinks), each inspected fully against itself (RECORD, WHEEL,
//!   metadata, hostile-archive limits) and against what the public index
//!   would refuse ([`pbx_artifact::acceptance_findings`]: metadata fields,
//!   classifiers, URLs, content type, filenames, file size), and all of
//!   them against one name and
//!   version ([`disk::inspect`]). `pbx-checksum inspect`, pbx-upload's
//!   pre-flight, `pbx-tag-check --dist` and `pbx-reinstall --dist` all ask
//!   here, so whatever inspect refuses, upload refuses before any request.
//! - [`index`]: **the release on an index.** What an index holds of a
//!   project ([`index::Holdings`]: every file type, yanked or not, with
//!   digests), whether a listed file is our bytes ([`index::match_file`]:
//!   the stated sha256, else the downloaded bytes hashed), and one wait
//!   until every local file is listed with our sha256
//!   ([`index::wait_until_listed`]). `pbx-checksum compare`, pbx-upload,
//!   pbx-reinstall and pbx-next-version all ask here.
//!
//! Nothing here prints or chooses an exit code: results are values, errors
//! are closed types.
#![deny(missing_docs)]

pub mod disk;
pub mod index;
