//! pbx-version: PEP 440 versions, git tags, names, and the next
//! fix-forward version.
#![no_main]
use libfuzzer_sys::fuzz_target;
use pbx_version::{next_fix_forward, FixLane, PackageName, Tag, Version};

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let (a, b) = text.split_once('\n').unwrap_or((text, ""));
    let _ = PackageName::new(a);
    let _ = pbx_version::normalize(a);
    let _ = Tag::parse(a, "v");
    if let (Ok(x), Ok(y)) = (Version::parse(a), Version::parse(b)) {
        let _ = x.canonical();
        let _ = x < y;
        let _ = next_fix_forward(&x, [&y], FixLane::Post);
        let _ = next_fix_forward(&x, [&y], FixLane::Rc);
    }
});
