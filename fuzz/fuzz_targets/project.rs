//! pyproject.toml and uv.lock: a lock the streaming check accepts must be
//! valid TOML to a whole-document parser too.
#![no_main]
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| pbx_fuzz::project(data));
