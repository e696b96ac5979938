//! Core metadata (METADATA, PKG-INFO) parsing.
#![no_main]
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Ok(text) = std::str::from_utf8(data) {
        let meta = pbx_artifact::CoreMetadata::parse(text);
        let _ = meta.get("Name");
        let _ = meta.get_all("Classifier").count();
    }
});
