//! pbx-upload: `.pypirc` (INI sections, `key = value` / `key: value`,
//! comments, continuation lines).
#![no_main]
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Ok(text) = std::str::from_utf8(data) {
        let _ = pbx_upload::credentials::parse_pypirc(std::path::Path::new(".pypirc"), text);
    }
});
