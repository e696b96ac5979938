//! Trusted publishing: the GitHub Actions OIDC token exchanged for a
//! short-lived upload token, as PyPI and TestPyPI do it.
//!
//! 1. `GET {index}/_/oidc/audience` → `{"audience": "pypi"}`.
//! 2. `GET $ACTIONS_ID_TOKEN_REQUEST_URL&audience=…` with
//!    `Authorization: bearer $ACTIONS_ID_TOKEN_REQUEST_TOKEN` → `{"value": jwt}`.
//! 3. `POST {index}/_/oidc/mint-token` with `{"token": jwt}` →
//!    `{"success": true, "token": …}`, or 422 with `errors[].code`.

use std::collections::HashMap;
use std::str::FromStr;

use crate::error::TrustedError;
use pbx_index::{Client, Credentials};
use url::Url;

/// `--trusted-publishing auto|always|never`.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum TrustedMode {
    /// Use it when no credentials are configured and the job can request
    /// an OIDC token.
    #[default]
    Auto,
    /// Always use it; fail when the job cannot request a token.
    Always,
    /// Never use it.
    Never,
}

impl FromStr for TrustedMode {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s {
            "auto" => Ok(TrustedMode::Auto),
            "always" => Ok(TrustedMode::Always),
            "never" => Ok(TrustedMode::Never),
            other => Err(format!(
                "unknown trusted publishing mode `{other}`: expected auto, always or never"
            )),
        }
    }
}

/// What a GitHub Actions job offers for requesting its OIDC token.
#[derive(Clone, PartialEq, Eq)]
pub struct OidcEnv {
    /// `$ACTIONS_ID_TOKEN_REQUEST_URL`.
    pub request_url: String,
    /// `$ACTIONS_ID_TOKEN_REQUEST_TOKEN` (a secret).
    pub request_token: String,
}

impl std::fmt::Debug for OidcEnv {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("OidcEnv")
            .field("request_url", &self.request_url)
            .field("request_token", &"<redacted>")
            .finish()
    }
}

impl OidcEnv {
    /// Both variables, when the job has `permissions: id-token: write`.
    pub fn from_env(env: &HashMap<String, String>) -> Option<OidcEnv> {
        let get = |k: &str| env.get(k).filter(|v| !v.is_empty()).cloned();
        Some(OidcEnv {
            request_url: get("ACTIONS_ID_TOKEN_REQUEST_URL")?,
            request_token: get("ACTIONS_ID_TOKEN_REQUEST_TOKEN")?,
        })
    }
}

/// Exchanges the job's OIDC token for an upload token for the index whose
/// upload endpoint is `upload`. `mask` is called with every secret the
/// moment it is received (the ID token, the upload token).
pub fn exchange(
    client: &Client,
    upload: &Url,
    oidc: &OidcEnv,
    mask: &mut dyn FnMut(&str),
) -> Result<Credentials, TrustedError> {
    let origin = upload.join("/").expect("an http(s) URL has an origin");
    let env_problem = TrustedError::Index;

    let audience_url = origin.join("_/oidc/audience").expect("a relative path");
    let reply = client
        .request_json(&audience_url, None, None)
        .map_err(env_problem)?;
    let audience = match (reply.status, reply.json.as_ref()) {
        (200, Some(json)) => json
            .get("audience")
            .and_then(|a| a.as_str())
            .map(str::to_string),
        _ => None,
    }
    .ok_or_else(|| TrustedError::NotOffered {
        origin: origin.to_string(),
        url: audience_url.to_string(),
        status: reply.status,
    })?;

    let separator = if oidc.request_url.contains('?') {
        '&'
    } else {
        '?'
    };
    let token_url = Url::parse(&format!(
        "{}{separator}audience={}",
        oidc.request_url,
        url::form_urlencoded::byte_serialize(audience.as_bytes()).collect::<String>()
    ))
    .map_err(|e| TrustedError::RequestUrl(e.to_string()))?;
    let reply = client
        .request_json(&token_url, Some(&oidc.request_token), None)
        .map_err(env_problem)?;
    let jwt = match (reply.status, reply.json.as_ref()) {
        (200, Some(json)) => json
            .get("value")
            .and_then(|v| v.as_str())
            .map(str::to_string),
        _ => None,
    }
    .ok_or(TrustedError::NoIdToken {
        status: reply.status,
    })?;
    mask(&jwt);

    let mint_url = origin.join("_/oidc/mint-token").expect("a relative path");
    let reply = client
        .request_json(&mint_url, None, Some(&serde_json::json!({ "token": jwt })))
        .map_err(env_problem)?;
    let json = reply.json.unwrap_or_default();
    if reply.status == 200 {
        if let Some(token) = json.get("token").and_then(|t| t.as_str()) {
            mask(token);
            return Ok(Credentials::new("__token__", token));
        }
    }
    Err(explain_mint_failure(&origin, reply.status, &json))
}

/// Turns a refused mint-token request into what to configure.
fn explain_mint_failure(origin: &Url, status: u16, json: &serde_json::Value) -> TrustedError {
    let errors: Vec<(String, String)> = json
        .get("errors")
        .and_then(|e| e.as_array())
        .map(|errors| {
            errors
                .iter()
                .map(|e| {
                    (
                        e.get("code")
                            .and_then(|c| c.as_str())
                            .unwrap_or("")
                            .to_string(),
                        e.get("description")
                            .and_then(|c| c.as_str())
                            .unwrap_or("")
                            .to_string(),
                    )
                })
                .collect()
        })
        .unwrap_or_default();
    let detail = if errors.is_empty() {
        json.get("message")
            .and_then(|m| m.as_str())
            .unwrap_or("no details")
            .to_string()
    } else {
        errors
            .iter()
            .map(|(code, description)| format!("{code}: {description}"))
            .collect::<Vec<_>>()
            .join("; ")
    };
    TrustedError::MintRefused {
        origin: origin.to_string(),
        status,
        detail,
        codes: errors.into_iter().map(|(code, _)| code).collect(),
    }
}
