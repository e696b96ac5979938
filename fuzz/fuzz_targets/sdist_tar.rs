//! The tar.gz sdist reader: gzip, tar headers, pax, links, PKG-INFO.
#![no_main]
#[path = "common.rs"]
mod common;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let _ = pbx_artifact::inspect_sdist_bytes("demo-1.0.tar.gz", data, &common::limits());
});
