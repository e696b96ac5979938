//! WHEEL: its headers and the expansion of compressed tag sets.
#![no_main]
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Ok(text) = std::str::from_utf8(data) {
        let meta = pbx_artifact::CoreMetadata::parse(text);
        for tag in meta.get_all("Tag") {
            let _ = pbx_artifact::expand_tags(tag);
        }
        let _ = pbx_artifact::expand_tags(text);
    }
});
