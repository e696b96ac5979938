//! The zip sdist reader: zip layout checks, the member tree, PKG-INFO.
#![no_main]
#[path = "common.rs"]
mod common;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let _ = pbx_artifact::inspect_sdist_bytes("demo-1.0.zip", data, &common::limits());
});
