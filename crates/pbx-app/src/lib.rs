//! The application layer of the pbx binaries.
//!
//! The libraries under `crates/` return typed results and closed errors;
//! they never choose an exit code. This crate is the one layer above them
//! that does: [`exit`] turns every library error into a [`Problem`] (exit
//! status 0/1/2/3, the place it is about, the next step to take) and every
//! result into its exit status; [`progress`] draws progress on a terminal.
//! The binaries declare their arguments, call a library, and hand what
//! comes back to this crate.
#![deny(missing_docs)]

pub mod exit;
pub mod generate;
pub mod progress;
pub mod render;
pub mod umbrella;

pub use exit::{Failure, Outcome};
pub use pbx_report::{ExitStatus, Problem};
