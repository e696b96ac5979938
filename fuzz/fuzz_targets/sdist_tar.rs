//! The tar.gz sdist reader: gzip, tar headers, pax, links, PKG-INFO.
#![no_main]
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| pbx_fuzz::sdist_tar(data));
