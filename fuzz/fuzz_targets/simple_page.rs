//! A simple API project page (PEP 691 JSON or PEP 503 HTML; the first line
//! is the Content-Type it is served with), and the reduction of an index's
//! error body to one safe line: never more than one line, never a workflow
//! command.
#![no_main]
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| pbx_fuzz::simple_page(data));
