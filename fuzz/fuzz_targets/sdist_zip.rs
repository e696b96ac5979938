//! The zip sdist reader: zip layout checks, the member tree, PKG-INFO.
#![no_main]
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| pbx_fuzz::sdist_zip(data));
