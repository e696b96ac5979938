//! Durations (`--wait`, `PBX_HTTP_TIMEOUT`) and sizes (`--max-file-size`,
//! `--max-expanded-size`): in range or refused.
#![no_main]
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| pbx_fuzz::settings(data));
