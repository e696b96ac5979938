//! pbx-index: a simple API project page (PEP 691 JSON or PEP 503 HTML, the
//! first line is the Content-Type it is served with), and the reduction of
//! an index's error body to one safe line.
#![no_main]
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let (content_type, body) = text.split_once('\n').unwrap_or(("text/html", text));
    let page = url::Url::parse("https://index.example/simple/demo/").unwrap();
    if let Ok(files) = pbx_index::parse_page(&page, &content_type.to_ascii_lowercase(), body) {
        for file in files {
            // Every file URL is absolute (joined onto the page or its base).
            assert!(!file.url.as_str().is_empty());
        }
    }
    // Outside text never reaches a log as more than one line, nor as a
    // workflow command.
    let line = pbx_index::text::outside_text(body);
    assert!(!line.contains(['\n', '\r']), "{line:?}");
    assert!(!line.contains("::"), "{line:?}");
    assert!(line.chars().count() <= pbx_index::text::MAX_OUTSIDE_TEXT + 1, "{line:?}");
});
