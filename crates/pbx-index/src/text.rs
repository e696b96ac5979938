//! Text from outside (an index's or a proxy's error body) made safe to show.
//!
//! An error page may be HTML with CSS and scripts, JSON, megabytes long,
//! hold terminal escape sequences, or lines such as `::error …` or
//! `::stop-commands::…` that a GitHub Actions runner would obey if they
//! started a line of the job's log. [`outside_text`] keeps what a person
//! needs: the JSON error message, or the page's visible text (title and
//! body, without `<head>` styles and scripts), entities decoded, every
//! control character and line break turned into a space, `::` broken up,
//! and at most [`MAX_OUTSIDE_TEXT`] characters.

use crate::simple::unescape;

/// The most characters of outside text pbx shows.
pub const MAX_OUTSIDE_TEXT: usize = 300;

/// The readable part of an error body, on one line, capped.
pub fn outside_text(body: &str) -> String {
    let body = body.trim_start_matches('\u{feff}').trim();
    let text = json_message(body).unwrap_or_else(|| visible_text(body));
    one_safe_line(&text, MAX_OUTSIDE_TEXT)
}

/// `message`, `detail`, `error`, `title` or `code` of a JSON object body
/// (PyPI answers `{"message": "400 File already exists …", "code": …}`).
fn json_message(body: &str) -> Option<String> {
    if !body.starts_with('{') {
        return None;
    }
    let value: serde_json::Value = serde_json::from_str(body).ok()?;
    for key in ["message", "detail", "error", "title", "code"] {
        match value.get(key) {
            Some(serde_json::Value::String(text)) if !text.trim().is_empty() => {
                return Some(text.clone())
            }
            Some(serde_json::Value::Object(inner)) => {
                if let Some(serde_json::Value::String(text)) = inner.get("message") {
                    return Some(text.clone());
                }
            }
            _ => {}
        }
    }
    None
}

/// The text a browser would show of an HTML page: the title, then the
/// body's text, without `<script>`, `<style>` and the rest of `<head>`.
/// Text that is not HTML comes back as it is.
fn visible_text(body: &str) -> String {
    if !body.contains('<') {
        return unescape(body);
    }
    let lower = body.to_ascii_lowercase();
    let mut out = String::new();
    if let (Some(start), Some(end)) = (lower.find("<title"), lower.find("</title>")) {
        if let Some(open_end) = lower[start..].find('>').map(|i| start + i + 1) {
            if open_end <= end {
                out.push_str(&body[open_end..end]);
                out.push_str(": ");
            }
        }
    }
    // Skip everything up to the end of <head> when there is one.
    let from = lower
        .find("</head>")
        .map(|i| i + "</head>".len())
        .unwrap_or(0);
    let mut i = from;
    let bytes = body.as_bytes();
    while i < body.len() {
        if bytes[i] == b'<' {
            // Elements whose content is never shown.
            let rest = &lower[i..];
            let skipped = ["script", "style", "noscript", "template", "svg"]
                .iter()
                .find(|tag| {
                    rest[1..].starts_with(**tag)
                        && rest[1 + tag.len()..]
                            .starts_with(|c: char| c == '>' || c.is_whitespace())
                });
            if let Some(tag) = skipped {
                let close = format!("</{tag}");
                match rest.find(&close) {
                    Some(end) => {
                        i += end;
                        // and past the closing tag's `>`
                        i += lower[i..]
                            .find('>')
                            .map(|j| j + 1)
                            .unwrap_or(lower.len() - i);
                    }
                    None => break,
                }
                out.push(' ');
                continue;
            }
            if rest.starts_with("<!--") {
                match rest.find("-->") {
                    Some(end) => i += end + 3,
                    None => break,
                }
                continue;
            }
            match rest.find('>') {
                Some(end) => i += end + 1,
                None => break,
            }
            out.push(' ');
            continue;
        }
        let next = lower[i..].find('<').map(|j| i + j).unwrap_or(body.len());
        out.push_str(&body[i..next]);
        i = next;
    }
    unescape(&out)
}

/// Control characters (escape sequences, line breaks) become spaces,
/// runs of spaces one space, `::` is broken up so no runner reads a
/// workflow command in it, and the text is cut at `max` characters.
pub fn one_safe_line(text: &str, max: usize) -> String {
    let mut out = String::with_capacity(text.len().min(max * 4));
    let mut space = false;
    for c in text.chars() {
        let c = if c.is_control() || c == '\u{2028}' || c == '\u{2029}' {
            ' '
        } else {
            c
        };
        if c.is_whitespace() {
            space = !out.is_empty();
            continue;
        }
        if space {
            out.push(' ');
            space = false;
        }
        if c == ':' && out.ends_with(':') {
            out.push(' ');
        }
        out.push(c);
    }
    if out.chars().count() > max {
        let cut: String = out.chars().take(max).collect();
        format!("{}…", cut.trim_end())
    } else {
        out
    }
}

/// Another program's output (an installer, Python, a smoke command) made
/// safe to show as lines: terminal escape sequences removed whole (colours,
/// cursor moves, screen clears, window titles, clipboard writes: parsed by
/// `strip-ansi-escapes`, not guessed), a carriage return ends a line (a
/// progress line redrawn in place shows each state, not one overwriting
/// the other), a tab is a space, and every other control character and
/// Unicode direction override is removed. Workflow commands are defused
/// where text is printed (`pbx_report::console::no_commands`), not here:
/// the lines stay as the program wrote them.
pub fn outside_lines(text: &str) -> String {
    let text = text
        .replace("\r\n", "\n")
        .replace('\r', "\n")
        .replace('\t', " ");
    strip_ansi_escapes::strip_str(text)
        .chars()
        .filter(|&c| c == '\n' || !(c.is_control() || is_direction_control(c)))
        .collect()
}

/// Characters that reorder how the text around them is displayed (the
/// bidirectional embeddings, overrides and isolates, and the marks), so
/// that what a person reads is not what the bytes say.
fn is_direction_control(c: char) -> bool {
    matches!(
        c,
        '\u{061c}' | '\u{200e}' | '\u{200f}' | '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}'
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_html_error_page_is_its_title_and_visible_text() {
        let page = "<!DOCTYPE html><html><head><title>401 Unauthorized</title><style>body { color: red; } .x::before { content: '::error::' }</style><script>var a = 1;</script></head><body><h1>Unauthorized</h1><p>Invalid or non-existent authentication information.&nbsp;See <a href=\"/help\">help</a>.</p></body></html>";
        assert_eq!(
            outside_text(page),
            "401 Unauthorized: Unauthorized Invalid or non-existent authentication information. See help ."
        );
    }

    #[test]
    fn json_bodies_give_their_message() {
        assert_eq!(
            outside_text(
                r#"{"message": "400 File already exists ('demo-1.0.tar.gz').", "code": "400 Bad Request"}"#
            ),
            "400 File already exists ('demo-1.0.tar.gz')."
        );
    }

    #[test]
    fn nothing_reads_as_a_workflow_command_or_an_escape_sequence() {
        let hostile = "oops\n::error file=x::pwned\r\n::stop-commands::abc\n\u{1b}[31mred\u{1b}[0m";
        let text = outside_text(hostile);
        assert!(!text.contains('\n') && !text.contains('\r'), "{text}");
        assert!(!text.contains("::"), "{text}");
        assert!(!text.contains('\u{1b}'), "{text}");
        assert_eq!(
            text,
            "oops : :error file=x: :pwned : :stop-commands: :abc [31mred [0m"
        );
    }

    #[test]
    fn long_bodies_are_capped() {
        let long = "x".repeat(10_000);
        let text = outside_text(&long);
        assert_eq!(text.chars().count(), MAX_OUTSIDE_TEXT + 1);
        assert!(text.ends_with('…'));
    }

    #[test]
    fn program_output_keeps_its_lines_without_escape_sequences_or_controls() {
        // Colours, a screen clear, a window title, a clipboard write (OSC
        // 52), a bell, a backspace, a progress line redrawn with `\r`, a
        // tab, a direction override and a C1 control.
        let hostile = "\u{1b}[2J\u{1b}]0;owned\u{7}\u{1b}]52;c;cHduZWQ=\u{7}\u{1b}[31merror:\u{1b}[0m bad\u{8}d\r\n 10%\r 50%\r100%\nname\tvalue \u{202e}txt.exe\u{202c}\u{9b}31m\n::error::x\n";
        let text = outside_lines(hostile);
        assert_eq!(
            text,
            "error: badd\n 10%\n 50%\n100%\nname value txt.exe31m\n::error::x\n"
        );
        assert!(
            !text.chars().any(|c| c != '\n' && c.is_control()),
            "{text:?}"
        );
        assert_eq!(outside_lines("plain\ntext\n"), "plain\ntext\n");
    }
}
