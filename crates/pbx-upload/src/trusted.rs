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

use pbx_index::{Client, Credentials, IndexError};
use pbx_report::Problem;
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

/// The hint for a job that cannot request an OIDC token.
pub const NO_ID_TOKEN_HINT: &str = "trusted publishing needs the job to request an OIDC token: add `permissions: id-token: write` to the job (and run it on GitHub Actions), or pass credentials (TWINE_PASSWORD, UV_PUBLISH_TOKEN, PBX_PASSWORD, --password-stdin) with --trusted-publishing never";

/// Exchanges the job's OIDC token for an upload token for the index whose
/// upload endpoint is `upload`. `mask` is called with every secret the
/// moment it is received (the ID token, the upload token).
pub fn exchange(
    client: &Client,
    upload: &Url,
    oidc: &OidcEnv,
    mask: &mut dyn FnMut(&str),
) -> Result<Credentials, Problem> {
    let origin = upload.join("/").expect("an http(s) URL has an origin");
    let env_problem = |e: IndexError| {
        if e.is_environment() {
            Problem::environment(e.to_string())
        } else {
            Problem::input(e.to_string())
        }
    };

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
    .ok_or_else(|| {
        Problem::input(format!(
            "{} does not offer trusted publishing ({audience_url} answered {})",
            origin, reply.status
        ))
        .hint("use an API token instead (TWINE_PASSWORD, UV_PUBLISH_TOKEN or PBX_PASSWORD) with --trusted-publishing never")
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
    .map_err(|e| Problem::input(format!("ACTIONS_ID_TOKEN_REQUEST_URL is not a URL: {e}")))?;
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
    .ok_or_else(|| {
        Problem::input(format!(
            "the Actions runner did not hand out an OIDC token (HTTP {})",
            reply.status
        ))
        .hint(NO_ID_TOKEN_HINT)
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
fn explain_mint_failure(origin: &Url, status: u16, json: &serde_json::Value) -> Problem {
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
    let codes: Vec<&str> = errors.iter().map(|(c, _)| c.as_str()).collect();
    let hint = if codes.contains(&"invalid-publisher") {
        format!("{origin} has no trusted publisher matching this workflow: on the project's Publishing page add a GitHub publisher with this repository's owner and name, the workflow file name, and the environment the job uses (a pending publisher for a project that does not exist yet)")
    } else if codes
        .iter()
        .any(|c| c.contains("token") || c.contains("payload"))
    {
        "the OIDC token was refused: the job needs `permissions: id-token: write`, and the token must be fresh (do not reuse it across jobs)".to_string()
    } else if codes.contains(&"not-enabled") {
        format!("trusted publishing is disabled on {origin}: use an API token with --trusted-publishing never")
    } else {
        "check the trusted publisher configured for this project on the index".to_string()
    };
    Problem::input(format!(
        "{origin} refused to mint an upload token (HTTP {status}): {detail}"
    ))
    .hint(hint)
}
