//! Python distribution artifacts: wheels and sdists.
//!
//! - [`DistFilename`]: a wheel (PEP 427, `name-version(-build)?-py-abi-plat.whl`)
//!   or sdist (`name-version.tar.gz`) filename, parsed and validated, with the
//!   project name normalised.
//! - [`CoreMetadata`]: the core metadata headers of `METADATA` / `PKG-INFO`
//!   (continuation lines, repeated fields).
//! - [`read_wheel_metadata`]: the `METADATA` of a wheel's own `.dist-info`.
#![deny(missing_docs)]

mod error;
mod filename;
mod metadata;
mod wheel;

pub use error::ArtifactError;
pub use filename::{DistFilename, DistKind};
pub use metadata::CoreMetadata;
pub use wheel::read_wheel_metadata;
