//! One redaction for every byte pbx prints or writes.
//!
//! A secret is registered the moment it is read ([`register_secret`],
//! [`register_credentials`]); from then on [`redact`] replaces it in every
//! form a server, a proxy or a log could echo it:
//!
//! - the raw value, and its percent-encoded form (as it appears in a URL);
//! - `user:secret`, and its base64 (standard and URL-safe, with and without
//!   padding): the `Authorization: Basic` header an error page may repeat;
//! - the user-info of any URL (`https://user:secret@host/` →
//!   `https://***@host/`), registered or not.
//!
//! [`Console`](crate::Console) and [`GithubActions`](crate::GithubActions)
//! pass everything through [`redact`]: stderr, stdout (text and JSON),
//! annotations, `$GITHUB_OUTPUT` and the step summary. Under GitHub Actions
//! every form is also masked with `::add-mask::`.

use std::borrow::Cow;
use std::sync::RwLock;

use base64::Engine;

/// What a secret is replaced with.
pub const REDACTED: &str = "***";

/// Secrets shorter than this are not redacted by value (a one-character
/// password would blank every occurrence of that character); URL user-info
/// is redacted whatever its length.
pub const MIN_SECRET_LEN: usize = 4;

static SECRETS: RwLock<Vec<String>> = RwLock::new(Vec::new());

/// Every form of `secret` that [`redact`] removes: the raw value and its
/// percent-encoding. Returns the forms newly registered (for
/// `::add-mask::`).
pub fn register_secret(secret: &str) -> Vec<String> {
    let mut forms = vec![secret.to_string()];
    let encoded: String = url::form_urlencoded::byte_serialize(secret.as_bytes()).collect();
    forms.push(encoded);
    add(forms)
}

/// [`register_secret`] for the password, plus `user:password` and its
/// base64 forms (HTTP basic authentication).
pub fn register_credentials(username: &str, secret: &str) -> Vec<String> {
    let mut forms = register_secret(secret);
    let pair = format!("{username}:{secret}");
    let mut more = vec![pair.clone()];
    for engine in [
        &base64::engine::general_purpose::STANDARD,
        &base64::engine::general_purpose::STANDARD_NO_PAD,
        &base64::engine::general_purpose::URL_SAFE,
        &base64::engine::general_purpose::URL_SAFE_NO_PAD,
    ] {
        more.push(engine.encode(pair.as_bytes()));
    }
    forms.extend(add(more));
    forms
}

fn add(forms: Vec<String>) -> Vec<String> {
    let mut secrets = SECRETS.write().unwrap_or_else(|e| e.into_inner());
    let mut added = Vec::new();
    for form in forms {
        if form.chars().count() >= MIN_SECRET_LEN && !secrets.contains(&form) {
            secrets.push(form.clone());
            added.push(form);
        }
    }
    // Longest first, so `user:secret` goes before `secret` alone.
    secrets.sort_by_key(|s| std::cmp::Reverse(s.len()));
    added
}

/// `text` without any registered secret and without URL user-info.
pub fn redact(text: &str) -> Cow<'_, str> {
    let secrets = SECRETS.read().unwrap_or_else(|e| e.into_inner());
    let mut out: Cow<'_, str> = Cow::Borrowed(text);
    for secret in secrets.iter() {
        if out.contains(secret.as_str()) {
            out = Cow::Owned(out.replace(secret.as_str(), REDACTED));
        }
    }
    match strip_userinfo(&out) {
        Some(stripped) => Cow::Owned(stripped),
        None => out,
    }
}

/// Replaces the user-info of every `scheme://user-info@host` with `***`.
fn strip_userinfo(text: &str) -> Option<String> {
    if !text.contains("://") || !text.contains('@') {
        return None;
    }
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    let mut changed = false;
    while let Some(at) = rest.find("://") {
        let (head, tail) = rest.split_at(at + 3);
        out.push_str(head);
        // The authority ends at the first `/`, `?`, `#` or whitespace.
        let end = tail
            .find(|c: char| {
                c == '/'
                    || c == '?'
                    || c == '#'
                    || c.is_whitespace()
                    || c == '"'
                    || c == '\''
                    || c == '>'
                    || c == '<'
            })
            .unwrap_or(tail.len());
        let authority = &tail[..end];
        match authority.rfind('@') {
            Some(userinfo_end) if userinfo_end > 0 && &authority[..userinfo_end] != REDACTED => {
                out.push_str(REDACTED);
                out.push_str(&authority[userinfo_end..]);
                changed = true;
            }
            _ => out.push_str(authority),
        }
        rest = &tail[end..];
    }
    out.push_str(rest);
    changed.then_some(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use base64::Engine;

    #[test]
    fn every_form_of_a_secret_is_removed() {
        let token = "pypi-AgEIcHlwaS5vcmcCJDU0NzQ0";
        register_credentials("__token__", token);
        let basic = base64::engine::general_purpose::STANDARD
            .encode(format!("__token__:{token}").as_bytes());
        let text = format!(
            "raw {token}; header Authorization: Basic {basic}; pair __token__:{token}; url https://__token__:{token}@upload.example/legacy/"
        );
        let clean = redact(&text);
        assert!(!clean.contains(token), "{clean}");
        assert!(!clean.contains(&basic), "{clean}");
        assert!(!clean.contains("AgEIcHlwaS5vcmc"), "{clean}");
        assert!(
            clean.contains("https://***@upload.example/legacy/"),
            "{clean}"
        );
    }

    #[test]
    fn url_userinfo_goes_even_unregistered_and_short_secrets_stay() {
        assert_eq!(
            redact("see http://alice:hunter2@127.0.0.1:8080/simple/ now"),
            "see http://***@127.0.0.1:8080/simple/ now"
        );
        assert_eq!(
            redact("http://127.0.0.1:8080/simple/"),
            "http://127.0.0.1:8080/simple/"
        );
        assert_eq!(redact("mail me: a@b.c"), "mail me: a@b.c");
        assert!(register_secret(".").is_empty());
        assert_eq!(redact("a.b"), "a.b");
    }
}
