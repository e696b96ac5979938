//! WHEEL: its headers and the expansion of compressed tag sets.
#![no_main]
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| pbx_fuzz::wheel_tags(data));
