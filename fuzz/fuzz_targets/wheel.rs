//! The wheel reader: zip layout checks, the zip crate, RECORD, WHEEL and
//! METADATA, on any bytes.
#![no_main]
#[path = "common.rs"]
mod common;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let _ = pbx_artifact::inspect_wheel_bytes("demo-1.0-py3-none-any.whl", data, &common::limits());
});
