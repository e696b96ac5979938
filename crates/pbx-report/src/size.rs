//! Sizes people give on the command line (`4GiB`, `500MB`, `1073741824`),
//! parsed without overflow and range-checked where they are parsed.

/// The smallest `--max-expanded-size`.
pub const MIN_EXPANDED_SIZE: u64 = 1 << 20;
/// The largest `--max-expanded-size`.
pub const MAX_EXPANDED_SIZE: u64 = 1 << 40;

/// The smallest `--max-file-size`.
pub const MIN_FILE_SIZE: u64 = 1 << 20;
/// The largest `--max-file-size`.
pub const MAX_FILE_SIZE: u64 = 1 << 40;

/// Parses `--max-expanded-size`: digits and an optional unit, without
/// overflow, within 1 MiB..=1 TiB.
pub fn parse_expanded_size(text: &str) -> Result<u64, String> {
    parse_size(text, MIN_EXPANDED_SIZE..=MAX_EXPANDED_SIZE, "1MiB..=1TiB")
}

/// Parses `--max-file-size` (the index's per-file limit, `100MiB` by
/// default, `200MiB` for a project whose limit was raised): digits and an
/// optional unit, without overflow, within 1 MiB..=1 TiB.
pub fn parse_file_size(text: &str) -> Result<u64, String> {
    parse_size(text, MIN_FILE_SIZE..=MAX_FILE_SIZE, "1MiB..=1TiB")
}

/// Digits and an optional unit, without overflow, within `range`
/// (`range_text` names it in the error).
fn parse_size(
    text: &str,
    range: std::ops::RangeInclusive<u64>,
    range_text: &str,
) -> Result<u64, String> {
    let trimmed = text.trim();
    let split = trimmed
        .find(|c: char| !c.is_ascii_digit())
        .unwrap_or(trimmed.len());
    let (digits, unit) = trimmed.split_at(split);
    if digits.is_empty() {
        return Err(format!(
            "`{text}` is not a size (examples: 4GiB, 500MB, 1073741824)"
        ));
    }
    let number: u64 = digits
        .parse()
        .map_err(|_| format!("`{text}` is too large"))?;
    let multiplier: u64 = match unit.trim().to_ascii_lowercase().as_str() {
        "" | "b" => 1,
        "k" | "kb" => 1_000,
        "m" | "mb" => 1_000_000,
        "g" | "gb" => 1_000_000_000,
        "t" | "tb" => 1_000_000_000_000,
        "kib" => 1 << 10,
        "mib" => 1 << 20,
        "gib" => 1 << 30,
        "tib" => 1 << 40,
        other => {
            return Err(format!(
                "unknown unit `{other}` in `{text}` (use B, KB, MB, GB, TB, KiB, MiB, GiB or TiB)"
            ))
        }
    };
    let size = number
        .checked_mul(multiplier)
        .ok_or_else(|| format!("`{text}` is too large"))?;
    if !range.contains(&size) {
        return Err(format!("`{text}` ({size} bytes) is outside {range_text}"));
    }
    Ok(size)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sizes_in_every_unit_and_out_of_range_ones_refused() {
        assert_eq!(parse_expanded_size("4GiB"), Ok(4 << 30));
        assert_eq!(parse_expanded_size("500MB"), Ok(500_000_000));
        assert_eq!(parse_expanded_size("1048576"), Ok(1 << 20));
        assert!(parse_expanded_size("1KiB").is_err());
        assert!(parse_expanded_size("2TiB").is_err());
        assert!(parse_expanded_size("99999999999999999999999GiB").is_err());
        assert!(parse_expanded_size("18446744073709551615TiB").is_err());
        assert!(parse_expanded_size("lots").is_err());
    }

    #[test]
    fn file_sizes_in_every_unit_and_out_of_range_ones_refused() {
        assert_eq!(parse_file_size("200MiB"), Ok(200 << 20));
        assert_eq!(parse_file_size("100 MiB"), Ok(100 << 20));
        assert_eq!(parse_file_size("1GB"), Ok(1_000_000_000));
        assert_eq!(parse_file_size("1048576"), Ok(1 << 20));
        assert!(parse_file_size("1000").is_err());
        assert!(parse_file_size("0").is_err());
        assert!(parse_file_size("2TiB").is_err());
        assert!(parse_file_size("18446744073709551615TiB")
            .unwrap_err()
            .contains("too large"));
        assert!(parse_file_size("99999999999999999999999").is_err());
        assert!(parse_file_size("12 parsecs")
            .unwrap_err()
            .contains("unknown unit"));
        assert!(parse_file_size("").is_err());
    }
}
