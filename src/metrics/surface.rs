//! Surface: what the run was on, and which evidence decided it
//! (RULES.md E, strongest first): the runner's own tag, the file's
//! sub-sport (FIT `sub_sport`, GPX `<type>`), geometry (distance without
//! positions → treadmill; repeated ~400 m ovals → track), a runner-defined
//! named area (a polygon: "the beach" = sand).

use super::track::Track;
use crate::activity::SubSport;
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Surface {
    Road,
    Track,
    Trail,
    Treadmill,
    Sand,
    Grass,
    Indoor,
    Unknown,
}

impl Surface {
    pub const ALL: [Surface; 8] = [
        Surface::Road,
        Surface::Track,
        Surface::Trail,
        Surface::Treadmill,
        Surface::Sand,
        Surface::Grass,
        Surface::Indoor,
        Surface::Unknown,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Surface::Road => "road",
            Surface::Track => "track",
            Surface::Trail => "trail",
            Surface::Treadmill => "treadmill",
            Surface::Sand => "sand",
            Surface::Grass => "grass",
            Surface::Indoor => "indoor",
            Surface::Unknown => "unknown",
        }
    }

    pub fn parse(text: &str) -> Option<Surface> {
        Surface::ALL.into_iter().find(|s| s.as_str() == text)
    }
}

/// Which evidence decided the surface.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Evidence {
    /// `tendonwatch tag ACTIVITY --surface …`
    RunnerTag,
    /// The file's own sub-sport or GPX type.
    FileSubSport { sub_sport: String },
    /// Distance but no positions.
    NoPositions,
    /// Laps of an oval of about 400 m.
    Oval { laps: f64, lap_m: f64 },
    /// Most of the run inside a runner-defined area.
    NamedArea { name: String },
    /// Nothing to go on.
    None,
}

impl Evidence {
    /// In words, for the runner: why this surface.
    pub fn describe(&self) -> String {
        match self {
            Evidence::RunnerTag => "your tag".to_string(),
            Evidence::FileSubSport { sub_sport } => format!("the file says {sub_sport}"),
            Evidence::NoPositions => "distance without GPS positions".to_string(),
            Evidence::Oval { laps, lap_m } => format!("{laps:.1} laps of a {lap_m:.0} m oval"),
            Evidence::NamedArea { name } => format!("inside your area \"{name}\""),
            Evidence::None => "nothing to tell".to_string(),
        }
    }
}

/// A polygon the runner defined in the config, with its surface.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NamedArea {
    pub name: String,
    pub surface: Surface,
    /// `[[lat, lon], …]`, at least three corners.
    pub polygon: Vec<[f64; 2]>,
}

impl NamedArea {
    /// Even–odd ray casting in lat/lon (areas are small: a beach, a park).
    pub fn contains(&self, lat: f64, lon: f64) -> bool {
        let p = &self.polygon;
        if p.len() < 3 {
            return false;
        }
        let mut inside = false;
        let mut j = p.len() - 1;
        for i in 0..p.len() {
            let ([yi, xi], [yj, xj]) = (p[i], p[j]);
            if (yi > lat) != (yj > lat) && lon < (xj - xi) * (lat - yi) / (yj - yi) + xi {
                inside = !inside;
            }
            j = i;
        }
        inside
    }
}

/// A standard track lap and how far a GPS lap may stray from it.
const TRACK_LAP_M: f64 = 400.0;
const TRACK_LAP_TOLERANCE_M: f64 = 60.0;
/// An oval run counts when it holds this many laps…
const TRACK_MIN_LAPS: f64 = 2.5;
/// …and at least this share of the run's distance.
const TRACK_MIN_SHARE: f64 = 0.5;
/// Points this close to the oval's centre are on it (half a straight plus a
/// bend is ~88 m).
const TRACK_RADIUS_M: f64 = 120.0;

pub fn classify(
    sub_sport: SubSport,
    track: &Track,
    tag: Option<Surface>,
    areas: &[NamedArea],
) -> (Surface, Evidence) {
    if let Some(s) = tag {
        return (s, Evidence::RunnerTag);
    }
    let from_file = match sub_sport {
        SubSport::Trail => Some(Surface::Trail),
        SubSport::Track => Some(Surface::Track),
        SubSport::Treadmill => Some(Surface::Treadmill),
        SubSport::Indoor | SubSport::Virtual => Some(Surface::Indoor),
        SubSport::Road => Some(Surface::Road),
        SubSport::Generic | SubSport::Other => None,
    };
    if let Some(s) = from_file {
        return (
            s,
            Evidence::FileSubSport {
                sub_sport: sub_sport.as_str().to_string(),
            },
        );
    }
    if !track.has_positions && track.distance_m() > 0.0 {
        return (Surface::Treadmill, Evidence::NoPositions);
    }
    if let Some((laps, lap_m)) = oval_laps(track) {
        return (Surface::Track, Evidence::Oval { laps, lap_m });
    }
    let positioned: Vec<(f64, f64)> = track
        .points
        .iter()
        .filter_map(|p| p.lat_deg.zip(p.lon_deg))
        .collect();
    if !positioned.is_empty() {
        for area in areas {
            let inside = positioned
                .iter()
                .filter(|(lat, lon)| area.contains(*lat, *lon))
                .count();
            if inside * 2 > positioned.len() {
                return (
                    area.surface,
                    Evidence::NamedArea {
                        name: area.name.clone(),
                    },
                );
            }
        }
    }
    (Surface::Unknown, Evidence::None)
}

/// Laps around a ~400 m oval: wind the path around its median point and
/// compare the distance per turn with a track lap.
fn oval_laps(track: &Track) -> Option<(f64, f64)> {
    let mut lats: Vec<f64> = track.points.iter().filter_map(|p| p.lat_deg).collect();
    let mut lons: Vec<f64> = track.points.iter().filter_map(|p| p.lon_deg).collect();
    if lats.len() < 30 {
        return None;
    }
    let mid = lats.len() / 2;
    let lat0 = *lats.select_nth_unstable_by(mid, f64::total_cmp).1;
    let lon0 = *lons.select_nth_unstable_by(mid, f64::total_cmp).1;
    let m_per_deg_lat = 111_195.0;
    let m_per_deg_lon = m_per_deg_lat * lat0.to_radians().cos();

    let mut turned = 0.0;
    let mut on_oval_m = 0.0;
    let mut prev: Option<(f64, f64)> = None;
    for (i, p) in track.points.iter().enumerate() {
        let Some((lat, lon)) = p.lat_deg.zip(p.lon_deg) else {
            continue;
        };
        let (x, y) = ((lon - lon0) * m_per_deg_lon, (lat - lat0) * m_per_deg_lat);
        let near = x.hypot(y) <= TRACK_RADIUS_M;
        if let (Some((px, py)), true) = (prev, near) {
            let stopped = i > 0 && track.steps[i - 1].stopped;
            if !stopped {
                let mut da = y.atan2(x) - py.atan2(px);
                if da > std::f64::consts::PI {
                    da -= 2.0 * std::f64::consts::PI;
                } else if da < -std::f64::consts::PI {
                    da += 2.0 * std::f64::consts::PI;
                }
                turned += da;
                on_oval_m += track.steps[i - 1].dd_m;
            }
        }
        prev = near.then_some((x, y));
    }
    let laps = turned.abs() / (2.0 * std::f64::consts::PI);
    if laps < TRACK_MIN_LAPS || on_oval_m < TRACK_MIN_SHARE * track.distance_m() {
        return None;
    }
    let lap_m = on_oval_m / laps;
    ((lap_m - TRACK_LAP_M).abs() <= TRACK_LAP_TOLERANCE_M).then_some((laps, lap_m))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_point_in_the_beach_polygon_is_inside() {
        let beach = NamedArea {
            name: "the beach".into(),
            surface: Surface::Sand,
            polygon: vec![[52.0, 4.0], [52.0, 4.1], [52.1, 4.1], [52.1, 4.0]],
        };
        assert!(beach.contains(52.05, 4.05));
        assert!(!beach.contains(52.2, 4.05));
    }
}
