//! Wheel and sdist filenames.
#![no_main]
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Ok(text) = std::str::from_utf8(data) {
        if let Ok(dist) = pbx_artifact::DistFilename::parse(text) {
            let _ = pbx_artifact::expand_tags(&format!(
                "{}-{}-{}",
                dist.python_tag, dist.abi_tag, dist.platform_tag
            ));
        }
    }
});
