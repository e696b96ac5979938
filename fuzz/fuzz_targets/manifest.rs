//! pbx-checksum: SHA256SUMS manifests (sha256sum text, binary and --tag
//! lines, escaped names, comments).
#![no_main]
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Ok(text) = std::str::from_utf8(data) {
        let _ = pbx_checksum::parse_manifest(std::path::Path::new("SHA256SUMS"), text);
    }
});
