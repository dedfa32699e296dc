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

/// "5:30/km".
pub fn pace(s_per_km: f64) -> String {
    let s = s_per_km.round() as i64;
    format!("{}:{:02}/km", s / 60, s % 60)
}
