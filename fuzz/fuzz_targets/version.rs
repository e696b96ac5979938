//! PEP 440 versions, git tags, names, and the next fix-forward version.
#![no_main]
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| pbx_fuzz::version(data));
