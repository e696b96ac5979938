//! Settings, resolved once per command, in one place.
//!
//! Every pbx setting comes from the first of these that gives it:
//!
//! 1. the command-line flag;
//! 2. the environment (`PBX_*`, and the ecosystem's own variables such as
//!    `TWINE_PASSWORD`; their names are the constants in [`vars`]);
//! 3. `[tool.pbx]` in pyproject.toml;
//! 4. the built-in default.
//!
//! An environment variable set to the empty string counts as unset (a
//! workflow passes an unset optional input as `""`). Booleans take
//! `true/false`, `1/0`, `yes/no`, `on/off` in any case; anything else is an
//! error that names the variable and its value, never a flag nobody typed.
//!
//! Each resolved value remembers where it came from ([`Source`]), so a
//! report can say "(PBX_TARGET)" or "([tool.pbx] require-lock)" rather than
//! guess.
//!
//! ```
//! use pbx_settings::{Env, Source, resolve_bool, vars};
//!
//! let env = Env::from_pairs([(vars::REQUIRE_LOCK, "no")]);
//! // [tool.pbx] require-lock = true loses to the environment.
//! let setting = resolve_bool(None, "--require-lock", &env, vars::REQUIRE_LOCK,
//!     Some((true, "[tool.pbx] require-lock".into())), false).unwrap();
//! assert!(!setting.value);
//! assert_eq!(setting.source, Source::Env(vars::REQUIRE_LOCK.into()));
//! ```
#![deny(missing_docs)]

pub mod vars;

use std::collections::HashMap;
use std::fmt;

/// A snapshot of the environment, read once per command.
#[derive(Clone, Debug, Default)]
pub struct Env {
    vars: HashMap<String, String>,
}

impl Env {
    /// The process environment (variables whose name or value is not
    /// UTF-8 are left out).
    pub fn from_process() -> Env {
        Env {
            vars: std::env::vars_os()
                .filter_map(|(k, v)| Some((k.into_string().ok()?, v.into_string().ok()?)))
                .collect(),
        }
    }

    /// An environment holding exactly these variables.
    pub fn from_pairs<K: Into<String>, V: Into<String>>(
        pairs: impl IntoIterator<Item = (K, V)>,
    ) -> Env {
        Env {
            vars: pairs
                .into_iter()
                .map(|(k, v)| (k.into(), v.into()))
                .collect(),
        }
    }

    /// The variable's value; an empty value is unset.
    pub fn get(&self, name: &str) -> Option<&str> {
        self.vars
            .get(name)
            .map(String::as_str)
            .filter(|v| !v.is_empty())
    }

    /// Every variable, for code that takes a map.
    pub fn as_map(&self) -> &HashMap<String, String> {
        &self.vars
    }
}

/// Where a setting's value came from.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Source {
    /// A command-line flag (`--target`).
    Flag(String),
    /// An environment variable (`PBX_TARGET`).
    Env(String),
    /// The project's configuration (`[tool.pbx] require-lock`), with its
    /// place when known.
    Config(String),
    /// The built-in default.
    Default,
}

impl fmt::Display for Source {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Source::Flag(name) | Source::Env(name) | Source::Config(name) => f.write_str(name),
            Source::Default => f.write_str("default"),
        }
    }
}

/// A resolved value and where it came from.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Setting<T> {
    /// The value.
    pub value: T,
    /// Where it came from.
    pub source: Source,
}

/// A value that could not be used.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum SettingError {
    /// An environment variable that should hold a boolean holds something
    /// else.
    #[error("{variable}={value:?} is not a boolean: use true or false (also 1/0, yes/no, on/off)")]
    NotABoolean {
        /// The variable.
        variable: String,
        /// What it held.
        value: String,
    },
}

/// `true/false`, `1/0`, `yes/no`, `on/off` (any case, surrounding spaces
/// ignored).
pub fn parse_bool(text: &str) -> Option<bool> {
    match text.trim().to_ascii_lowercase().as_str() {
        "true" | "1" | "yes" | "on" => Some(true),
        "false" | "0" | "no" | "off" => Some(false),
        _ => None,
    }
}

/// A boolean setting: the flag (`Some` when given, `--x` or `--no-x`), else
/// the variable `var`, else the configuration value with its description,
/// else `default`.
pub fn resolve_bool(
    flag: Option<bool>,
    flag_name: &str,
    env: &Env,
    var: &str,
    config: Option<(bool, String)>,
    default: bool,
) -> Result<Setting<bool>, SettingError> {
    if let Some(value) = flag {
        return Ok(Setting {
            value,
            source: Source::Flag(flag_name.to_string()),
        });
    }
    if let Some(text) = env.get(var) {
        let value = parse_bool(text).ok_or_else(|| SettingError::NotABoolean {
            variable: var.to_string(),
            value: text.to_string(),
        })?;
        return Ok(Setting {
            value,
            source: Source::Env(var.to_string()),
        });
    }
    if let Some((value, place)) = config {
        return Ok(Setting {
            value,
            source: Source::Config(place),
        });
    }
    Ok(Setting {
        value: default,
        source: Source::Default,
    })
}

/// The part of a boolean setting the command line and the environment
/// decide: `None` when neither gives it, so the project's configuration and
/// the default come next ([`Given::or`]).
pub fn given_bool(
    flag: Option<bool>,
    flag_name: &str,
    env: &Env,
    var: &str,
) -> Result<Given<bool>, SettingError> {
    let resolved = resolve_bool(flag, flag_name, env, var, None, false)?;
    Ok(Given(
        (resolved.source != Source::Default).then_some(resolved),
    ))
}

/// A setting given by a flag or the environment, or not given at all.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Given<T>(pub Option<Setting<T>>);

impl<T> Given<T> {
    /// The given value, else the configuration's (with its description),
    /// else the default.
    pub fn or(self, config: Option<(T, String)>, default: T) -> Setting<T> {
        match (self.0, config) {
            (Some(setting), _) => setting,
            (None, Some((value, place))) => Setting {
                value,
                source: Source::Config(place),
            },
            (None, None) => Setting {
                value: default,
                source: Source::Default,
            },
        }
    }
}

/// A boolean with no project setting: the flag when given, else the
/// variable from the process environment, else false.
pub fn flag_or_env(flag: bool, flag_name: &str, var: &str) -> Result<bool, SettingError> {
    Ok(resolve_bool(
        flag.then_some(true),
        flag_name,
        &Env::from_process(),
        var,
        None,
        false,
    )?
    .value)
}

/// A flag pair `--x` / `--no-x` as clap gives it: `Some(true)`,
/// `Some(false)` or `None` (neither given; the last one given wins, which
/// clap's `overrides_with` arranges).
pub fn flag_pair(yes: bool, no: bool) -> Option<bool> {
    match (yes, no) {
        (true, _) => Some(true),
        (_, true) => Some(false),
        _ => None,
    }
}

/// A string setting: the flag, else the first of `vars` that is set, else
/// the configuration value, else `None`.
pub fn resolve_string(
    flag: Option<&str>,
    flag_name: &str,
    env: &Env,
    vars: &[&str],
    config: Option<(String, String)>,
) -> Option<Setting<String>> {
    if let Some(value) = flag.filter(|v| !v.is_empty()) {
        return Some(Setting {
            value: value.to_string(),
            source: Source::Flag(flag_name.to_string()),
        });
    }
    for var in vars {
        if let Some(value) = env.get(var) {
            return Some(Setting {
                value: value.to_string(),
                source: Source::Env(var.to_string()),
            });
        }
    }
    config.map(|(value, place)| Setting {
        value,
        source: Source::Config(place),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn config(v: bool) -> Option<(bool, String)> {
        Some((v, "[tool.pbx] require-lock".into()))
    }

    #[test]
    fn flag_beats_environment_beats_config_beats_default() {
        let on = Env::from_pairs([(vars::REQUIRE_LOCK, "1")]);
        let off = Env::from_pairs([(vars::REQUIRE_LOCK, "false")]);
        let empty = Env::from_pairs([(vars::REQUIRE_LOCK, "")]);
        let r = |flag, env: &Env, cfg| {
            resolve_bool(flag, "--require-lock", env, vars::REQUIRE_LOCK, cfg, false).unwrap()
        };
        assert!(!r(Some(false), &on, config(true)).value);
        assert_eq!(
            r(Some(false), &on, config(true)).source,
            Source::Flag("--require-lock".into())
        );
        assert!(!r(None, &off, config(true)).value, "false in the env wins");
        assert!(r(None, &on, config(false)).value);
        assert!(r(None, &empty, config(true)).value, "empty is unset");
        assert!(!r(None, &empty, None).value);
        assert_eq!(r(None, &empty, None).source, Source::Default);
    }

    #[test]
    fn booleans_in_every_spelling_and_errors_naming_the_variable() {
        for (text, value) in [
            ("true", true),
            ("TRUE", true),
            ("1", true),
            ("yes", true),
            ("On", true),
            ("false", false),
            ("0", false),
            ("no", false),
            ("off", false),
        ] {
            assert_eq!(parse_bool(text), Some(value), "{text}");
        }
        let env = Env::from_pairs([(vars::DRY_RUN, "maybe")]);
        let err = resolve_bool(None, "--dry-run", &env, vars::DRY_RUN, None, false).unwrap_err();
        assert_eq!(
            err.to_string(),
            "PBX_DRY_RUN=\"maybe\" is not a boolean: use true or false (also 1/0, yes/no, on/off)"
        );
        assert!(!err.to_string().contains("--dry-run"));
    }

    #[test]
    fn strings_take_the_first_variable_set() {
        let env = Env::from_pairs([("B", "b"), ("A", "")]);
        let s = resolve_string(None, "--x", &env, &["A", "B"], None).unwrap();
        assert_eq!((s.value.as_str(), s.source), ("b", Source::Env("B".into())));
        assert_eq!(
            resolve_string(Some("f"), "--x", &env, &["A"], None)
                .unwrap()
                .source,
            Source::Flag("--x".into())
        );
    }
}
