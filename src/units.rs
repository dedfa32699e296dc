//! units: numbers in the words a runner reads them in. Every distance,
//! pain score, count and JSON number a runner reads goes through here, so
//! the CLI, the log and the API say them one way: distances always in km,
//! a pain score exactly as stored, "1 file" / "2 files", and never a
//! "-0.0" (an empty `f64` sum is -0.0 in Rust).

use serde::Serialize;

/// A zero of either sign as +0.0 (`-0.0 + 0.0` is `+0.0`); other values as
/// they are.
pub fn unsigned_zero(v: f64) -> f64 {
    v + 0.0
}

/// `v` with `places` decimals, never "-0.0": a value that rounds to zero
/// is a zero (`{:.1}` writes -0.04 as "-0.0").
pub fn fixed(v: f64, places: usize) -> String {
    let text = format!("{v:.places$}");
    match text.strip_prefix('-') {
        Some(rest) if rest.chars().all(|c| c == '0' || c == '.') => rest.to_string(),
        _ => text,
    }
}

/// A distance in km, one style everywhere: "0 km" for nothing, two
/// decimals under a kilometre ("0.09 km" — a short recording still says
/// something), one above ("13.8 km").
pub fn km(m: f64) -> String {
    let m = m.max(0.0);
    if m == 0.0 {
        "0 km".to_string()
    } else if m < 995.0 {
        format!("{:.2} km", m / 1000.0)
    } else {
        format!("{:.1} km", m / 1000.0)
    }
}

/// Seconds as "m:ss" or "h:mm:ss" (a negative time as "0:00").
pub fn clock(seconds: f64) -> String {
    let s = seconds.max(0.0).round() as i64;
    if s >= 3600 {
        format!("{}:{:02}:{:02}", s / 3600, s / 60 % 60, s % 60)
    } else {
        format!("{}:{:02}", s / 60, s % 60)
    }
}

/// "5:30/km": a pace is the time a kilometre takes, so it reads as a
/// [`clock`] ("1:02:05/km" slower than an hour per km).
pub fn pace(s_per_km: f64) -> String {
    format!("{}/km", clock(s_per_km))
}

/// A pain score out of ten exactly as stored: "2", "2.5" — never rounded
/// (a stored 3.5 is never echoed as "4"). Scores are whole or half points
/// (`pain::parse_score`); one stored by an older version with another
/// fraction shows all its digits.
pub fn score(value: f64) -> String {
    format!("{}", unsigned_zero(value))
}

/// "1 file", "2 files", "0 files": a count and its noun.
pub fn plural<N: std::fmt::Display + PartialEq + From<u8>>(n: N, one: &str, many: &str) -> String {
    if n == N::from(1) {
        format!("1 {one}")
    } else {
        format!("{n} {many}")
    }
}

/// A value as JSON with every -0.0 made 0.0 — what every JSON a runner or
/// a script reads (`--json`, the dashboard's API, webhooks) is made of.
pub fn json_value<T: Serialize + ?Sized>(value: &T) -> serde_json::Result<serde_json::Value> {
    let mut v = serde_json::to_value(value)?;
    clean_zeros(&mut v);
    Ok(v)
}

/// [`json_value`], pretty-printed (the CLI's `--json`).
pub fn json<T: Serialize + ?Sized>(value: &T) -> serde_json::Result<String> {
    serde_json::to_string_pretty(&json_value(value)?)
}

/// [`json_value`] as compact bytes (a webhook's body).
pub fn json_bytes<T: Serialize + ?Sized>(value: &T) -> serde_json::Result<Vec<u8>> {
    serde_json::to_vec(&json_value(value)?)
}

fn clean_zeros(v: &mut serde_json::Value) {
    match v {
        serde_json::Value::Number(n)
            if n.as_f64().is_some_and(|f| f == 0.0 && f.is_sign_negative()) =>
        {
            *n = serde_json::Number::from_f64(0.0).unwrap_or_else(|| serde_json::Number::from(0));
        }
        serde_json::Value::Array(items) => items.iter_mut().for_each(clean_zeros),
        serde_json::Value::Object(map) => map.values_mut().for_each(clean_zeros),
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn a_score_reads_as_stored() {
        assert_eq!(score(2.0), "2");
        assert_eq!(score(3.5), "3.5");
        assert_eq!(score(0.0), "0");
        assert_eq!(score(-0.0), "0");
        // Never rounded: an older store's 3.25 says 3.25.
        assert_eq!(score(3.25), "3.25");
    }

    #[test]
    fn a_value_that_rounds_to_zero_is_zero() {
        assert_eq!(fixed(-0.04, 1), "0.0");
        assert_eq!(fixed(-0.0, 0), "0");
        assert_eq!(fixed(-0.06, 1), "-0.1");
        assert_eq!(fixed(21.25, 1), "21.2");
    }

    #[test]
    fn every_distance_is_in_km() {
        assert_eq!(km(0.0), "0 km");
        assert_eq!(km(-0.0), "0 km");
        assert_eq!(km(-5.0), "0 km");
        assert_eq!(km(88.0), "0.09 km");
        assert_eq!(km(850.0), "0.85 km");
        assert_eq!(km(999.0), "1.0 km");
        assert_eq!(km(13_800.0), "13.8 km");
    }

    #[test]
    fn counts_take_their_noun_in_the_right_number() {
        assert_eq!(plural(1, "file", "files"), "1 file");
        assert_eq!(plural(2, "file", "files"), "2 files");
        assert_eq!(plural(0, "entry", "entries"), "0 entries");
    }

    #[test]
    fn json_never_says_minus_zero() {
        let v = serde_json::json!({"a": -0.0, "b": [-0.0, 1.5], "c": {"d": -0.0}, "e": -2.0});
        let text = json(&v).unwrap();
        assert!(!text.contains("-0"), "{text}");
        assert!(text.contains("-2.0"), "{text}");
        assert_eq!(json_value(&-0.0f64).unwrap().to_string(), "0.0");
    }

    #[test]
    fn a_pace_reads_as_minutes_and_seconds_per_km() {
        assert_eq!(pace(330.0), "5:30/km");
        // Rounded to the second, 59.6 s carrying into the next minute.
        assert_eq!(pace(239.6), "4:00/km");
        assert_eq!(pace(182.4), "3:02/km");
        assert_eq!(pace(3725.0), "1:02:05/km");
        assert_eq!(pace(-5.0), "0:00/km");
    }

    #[test]
    fn a_duration_reads_as_a_clock() {
        assert_eq!(clock(59.4), "0:59");
        assert_eq!(clock(3599.4), "59:59");
        assert_eq!(clock(3599.5), "1:00:00");
        assert_eq!(clock(2.0 * 3600.0 + 65.0), "2:01:05");
    }
}
