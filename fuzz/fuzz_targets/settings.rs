//! pbx-report: durations (`--wait`, `PBX_HTTP_TIMEOUT`) and sizes
//! (`--max-file-size`, `--max-expanded-size`): in range or refused.
#![no_main]
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    if let Ok(duration) = pbx_report::parse_duration(text) {
        assert!(duration <= pbx_report::MAX_DURATION);
    }
    for parse in [pbx_report::parse_file_size, pbx_report::parse_expanded_size] {
        if let Ok(bytes) = parse(text) {
            assert!((1 << 20..=1 << 40).contains(&bytes), "{text:?} → {bytes}");
        }
    }
});
