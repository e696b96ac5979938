//! pbx-project: pyproject.toml and uv.lock. A lock the streaming check
//! accepts must be valid TOML to a whole-document parser too.
#![no_main]
use std::path::Path;

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let _ = pbx_project::Pyproject::parse(Path::new("pyproject.toml"), text);
    let name = pbx_version::PackageName::new("demo").unwrap();
    if pbx_project::UvLock::parse(Path::new("uv.lock"), text, &name).is_ok() {
        assert!(
            text.parse::<toml_edit::DocumentMut>().is_ok(),
            "the lock check accepted what is not TOML"
        );
    }
});
