//! `.pypirc` (INI sections, `key = value` / `key: value`, comments,
//! continuation lines).
#![no_main]
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| pbx_fuzz::pypirc(data));
