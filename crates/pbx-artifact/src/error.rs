use std::path::PathBuf;

/// An artifact that cannot be used.
#[derive(Debug, thiserror::Error)]
pub enum ArtifactError {
    /// The filename is not a wheel or sdist filename.
    #[error("`{filename}` is not a wheel or sdist filename: {reason}")]
    Filename {
        /// The filename.
        filename: String,
        /// What is wrong with it.
        reason: String,
    },
    /// The file cannot be read.
    #[error("{}: cannot read: {source}", path.display())]
    Io {
        /// The artifact.
        path: PathBuf,
        /// The I/O error.
        source: std::io::Error,
    },
    /// The archive is damaged or not what it claims to be.
    #[error("{}: {reason}", path.display())]
    Archive {
        /// The artifact.
        path: PathBuf,
        /// What is wrong.
        reason: String,
    },
}
