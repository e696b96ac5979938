//! SHA256SUMS manifests (sha256sum text, binary and --tag lines, escaped
//! names, comments).
#![no_main]
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| pbx_fuzz::manifest(data));
