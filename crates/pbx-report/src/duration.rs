use std::time::Duration;

/// The longest duration pbx takes from a person (a wait, a timeout): a day.
pub const MAX_DURATION: Duration = Duration::from_secs(24 * 3600);

/// `90s`, `15m`, `1h`, `2m30s`, `1h 30m`, `500ms` (parsed by `humantime`), or
/// a bare number of seconds (`90`, `1.5`). Range-checked where it is parsed:
/// 0 to 24 hours, never an overflow.
pub fn parse_duration(text: &str) -> Result<Duration, String> {
    let trimmed = text.trim();
    if trimmed.is_empty() {
        return Err("empty duration: give e.g. 90s, 15m or 1h".into());
    }
    let duration = if trimmed.chars().all(|c| c.is_ascii_digit() || c == '.') {
        let secs: f64 = trimmed
            .parse()
            .map_err(|_| format!("`{text}` is not a duration (examples: 90, 90s, 15m, 1h)"))?;
        if !secs.is_finite() || secs > MAX_DURATION.as_secs_f64() {
            return Err(too_long(text));
        }
        Duration::from_secs_f64(secs)
    } else {
        humantime::parse_duration(trimmed).map_err(|err| match err {
            humantime::DurationError::NumberOverflow => too_long(text),
            other => format!("`{text}` is not a duration ({other}; examples: 90s, 15m, 1h)"),
        })?
    };
    if duration > MAX_DURATION {
        return Err(too_long(text));
    }
    Ok(duration)
}

fn too_long(text: &str) -> String {
    format!("`{text}` is out of range: give a duration from 0 to 24h")
}

/// A duration for people, to the second (`1m 30s`, `15m`, `0s`), with
/// `humantime`.
pub fn format_duration(duration: std::time::Duration) -> String {
    humantime::format_duration(std::time::Duration::from_secs(duration.as_secs())).to_string()
}

/// A measured time for tables and progress lines, from milliseconds:
/// `0.42 s`, `12.3 s`, `2m05s`.
pub fn format_elapsed(ms: u64) -> String {
    if ms < 10_000 {
        format!("{:.2} s", ms as f64 / 1000.0)
    } else if ms < 120_000 {
        format!("{:.1} s", ms as f64 / 1000.0)
    } else {
        format!("{}m{:02}s", ms / 60_000, (ms / 1000) % 60)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn elapsed_times_read_well() {
        assert_eq!(format_elapsed(420), "0.42 s");
        assert_eq!(format_elapsed(12_345), "12.3 s");
        assert_eq!(format_elapsed(125_000), "2m05s");
    }

    #[test]
    fn huge_values_are_refused_not_overflowed() {
        for text in [
            "1e19",
            "1e300",
            "99999999999999999999999",
            "18446744073709551616s",
            "25h",
            "inf",
            "NaN",
            "-1",
            "",
        ] {
            assert!(parse_duration(text).is_err(), "{text}");
        }
        assert_eq!(parse_duration("24h").unwrap(), MAX_DURATION);
        assert_eq!(parse_duration("1h 30m").unwrap(), Duration::from_secs(5400));
    }

    #[test]
    fn durations_parse() {
        assert_eq!(parse_duration("0").unwrap(), Duration::ZERO);
        assert_eq!(parse_duration("90").unwrap(), Duration::from_secs(90));
        assert_eq!(parse_duration("15m").unwrap(), Duration::from_secs(900));
        assert_eq!(parse_duration("2m30s").unwrap(), Duration::from_secs(150));
        assert_eq!(parse_duration("1h").unwrap(), Duration::from_secs(3600));
        assert_eq!(parse_duration("500ms").unwrap(), Duration::from_millis(500));
        assert_eq!(
            parse_duration("15 minutes").unwrap(),
            Duration::from_secs(900)
        );
        assert!(parse_duration("soon").is_err());
        assert!(parse_duration("").is_err());
    }
}
