//! The wheel reader: zip layout checks, the zip crate, RECORD, WHEEL and
//! METADATA, on any bytes.
#![no_main]
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| pbx_fuzz::wheel(data));
