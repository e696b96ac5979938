//! The tar layer of the sdist reader: the input is the tar stream, gzipped
//! here, so mutations reach tar headers, pax records and links instead of
//! breaking the gzip layer.
#![no_main]
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| pbx_fuzz::sdist_tar_inner(data));
