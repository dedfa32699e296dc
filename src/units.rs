//! units: numbers in the words a runner reads them in.

/// "13.8 km", "850 m".
pub fn km(m: f64) -> String {
    let m = m.max(0.0);
    if m >= 1000.0 {
        format!("{:.1} km", m / 1000.0)
    } else {
        format!("{m:.0} m")
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

/// A pain score out of ten as a runner says it: "2", "2.5".
pub fn score(value: f64) -> String {
    let tenths = (value * 10.0).round();
    if tenths % 10.0 == 0.0 {
        format!("{:.0}", tenths / 10.0)
    } else {
        format!("{:.1}", tenths / 10.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_score_shows_a_decimal_only_when_it_has_one() {
        assert_eq!(score(2.0), "2");
        assert_eq!(score(2.5), "2.5");
        assert_eq!(score(0.04), "0");
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
