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
    /// The archive could harm whoever extracts it (a `..` or absolute member,
    /// a duplicate name, a link out of the tree, a zip bomb): refused, never
    /// extracted.
    #[error("{}: unsafe archive refused: {reason}", path.display())]
    Unsafe {
        /// The artifact.
        path: PathBuf,
        /// What makes it unsafe, naming the member.
        reason: String,
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
