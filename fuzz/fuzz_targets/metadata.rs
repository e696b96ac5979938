//! Core metadata (METADATA, PKG-INFO).
#![no_main]
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| pbx_fuzz::metadata(data));
