//! The tar layer of the sdist reader: the input is the tar stream, gzipped
//! here, so mutations reach tar headers, pax records and links instead of
//! dying on the gzip CRC.
#![no_main]
#[path = "common.rs"]
mod common;
use std::io::Write as _;

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let mut encoder = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
    if encoder.write_all(data).is_err() {
        return;
    }
    let Ok(gz) = encoder.finish() else {
        return;
    };
    let _ = pbx_artifact::inspect_sdist_bytes("demo-1.0.tar.gz", &gz, &common::limits());
});
