//! The normalized `Activity`: what every decoder (FIT, GPX) produces and every
//! later stage (metrics, store, rules) consumes. Plain data, no I/O.
//!
//! Units are in the field names. Instants are UTC milliseconds since the Unix
//! epoch; the runner's local offset travels beside them so that "morning" means
//! the runner's morning, not the server's.

use serde::{Deserialize, Serialize};

/// What kind of activity a session was. Only `Running` ever enters the running
/// baseline (RULES.md F); everything else is cross-training.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Sport {
    Running,
    Cycling,
    Swimming,
    Walking,
    Hiking,
    Rowing,
    /// A multisport transition (T1/T2): never running distance.
    Transition,
    Other,
}

impl Sport {
    pub fn as_str(self) -> &'static str {
        match self {
            Sport::Running => "running",
            Sport::Cycling => "cycling",
            Sport::Swimming => "swimming",
            Sport::Walking => "walking",
            Sport::Hiking => "hiking",
            Sport::Rowing => "rowing",
            Sport::Transition => "transition",
            Sport::Other => "other",
        }
    }

    pub fn parse(name: &str) -> Sport {
        match name {
            "running" => Sport::Running,
            "cycling" => Sport::Cycling,
            "swimming" => Sport::Swimming,
            "walking" => Sport::Walking,
            "hiking" => Sport::Hiking,
            "rowing" => Sport::Rowing,
            "transition" => Sport::Transition,
            _ => Sport::Other,
        }
    }

    pub fn is_running(self) -> bool {
        self == Sport::Running
    }
}

/// The refinement of a sport that matters for the tendon: where the run
/// happened. Mirrors the FIT `sub_sport` values that runners' watches write.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SubSport {
    Generic,
    Road,
    Trail,
    Track,
    Treadmill,
    Indoor,
    Virtual,
    Other,
}

impl SubSport {
    pub fn as_str(self) -> &'static str {
        match self {
            SubSport::Generic => "generic",
            SubSport::Road => "road",
            SubSport::Trail => "trail",
            SubSport::Track => "track",
            SubSport::Treadmill => "treadmill",
            SubSport::Indoor => "indoor",
            SubSport::Virtual => "virtual",
            SubSport::Other => "other",
        }
    }

    pub fn parse(name: &str) -> SubSport {
        match name {
            "generic" => SubSport::Generic,
            "road" | "street" => SubSport::Road,
            "trail" => SubSport::Trail,
            "track" => SubSport::Track,
            "treadmill" => SubSport::Treadmill,
            "indoor" | "indoor_running" => SubSport::Indoor,
            "virtual" | "virtual_activity" => SubSport::Virtual,
            _ => SubSport::Other,
        }
    }
}

/// One point of the recording. Every channel is optional: watches drop GPS
/// under trees, footpods carry no position, old devices have no altitude.
#[derive(Debug, Clone, Copy, PartialEq, Default, Serialize, Deserialize)]
pub struct Sample {
    pub time_ms: i64,
    pub lat_deg: Option<f64>,
    pub lon_deg: Option<f64>,
    /// Cumulative distance as the device measured it (GPS or footpod).
    pub distance_m: Option<f64>,
    pub speed_m_per_s: Option<f32>,
    pub altitude_m: Option<f32>,
    /// Steps per minute, both feet (FIT running cadence is per leg: doubled).
    pub cadence_spm: Option<f32>,
    pub heart_rate_bpm: Option<f32>,
    pub temperature_c: Option<f32>,
    pub power_w: Option<f32>,
}

impl Sample {
    pub fn at(time_ms: i64) -> Sample {
        Sample {
            time_ms,
            ..Sample::default()
        }
    }

    pub fn has_position(&self) -> bool {
        self.lat_deg.is_some() && self.lon_deg.is_some()
    }
}

/// A stretch during which the timer was stopped (manual pause, auto-pause, a
/// GPX segment break, an OpenTracks pause sentinel).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Pause {
    pub start_ms: i64,
    pub end_ms: i64,
}

#[derive(Debug, Clone, Copy, PartialEq, Default, Serialize, Deserialize)]
pub struct Lap {
    pub start_ms: i64,
    pub elapsed_s: Option<f64>,
    pub timer_s: Option<f64>,
    pub distance_m: Option<f64>,
}

/// Who recorded the file.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct Device {
    pub manufacturer: Option<String>,
    pub product: Option<String>,
    /// GPX `creator` attribute, e.g. "StravaGPX", "Apple Watch".
    pub creator: Option<String>,
}

impl Device {
    /// A short human name: "garmin fenix2", "StravaGPX".
    pub fn label(&self) -> String {
        let parts: Vec<&str> = [&self.manufacturer, &self.product, &self.creator]
            .into_iter()
            .filter_map(|p| p.as_deref())
            .collect();
        if parts.is_empty() {
            "unknown".to_string()
        } else {
            parts.join(" ")
        }
    }
}

/// What the watch itself wrote in its session summary. Kept verbatim so that
/// our own metrics can be checked against the device, and so that a file whose
/// records are lost (the Strava app file) still tells distance and time.
#[derive(Debug, Clone, Copy, PartialEq, Default, Serialize, Deserialize)]
pub struct DeviceSummary {
    pub total_distance_m: Option<f64>,
    pub total_timer_s: Option<f64>,
    pub total_elapsed_s: Option<f64>,
    pub total_ascent_m: Option<f64>,
    pub total_descent_m: Option<f64>,
    /// Steps per minute, both feet.
    pub avg_cadence_spm: Option<f64>,
    pub avg_heart_rate_bpm: Option<f64>,
}

/// Post-run perceived effort and feel, where the watch asked for them
/// (FIT session `workout_rpe` 0–100 and `workout_feel` 0–100).
#[derive(Debug, Clone, Copy, PartialEq, Default, Serialize, Deserialize)]
pub struct PostRunFeel {
    pub rpe: Option<f64>,
    pub feel: Option<f64>,
}

/// One activity (one FIT session, or one GPX file's tracks).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Activity {
    pub sport: Sport,
    pub sub_sport: SubSport,
    /// The sport as the file named it ("running", "1", "mountain biking").
    pub sport_label: String,
    /// Where `sport` came from; `Unstated` from a decoder whose file says
    /// nothing, until [`crate::sport::settle`] decides.
    #[serde(default)]
    pub sport_status: SportStatus,
    /// Why the sport is what it is, when it was not simply stated.
    #[serde(default)]
    pub sport_evidence: Vec<String>,
    /// Index of the session in its file (multisport, chained FIT).
    pub session_index: u32,
    pub start_ms: i64,
    /// The runner's UTC offset at the start, from the file's own values.
    pub local_offset_s: Option<i32>,
    /// When the file says it was made or started, apart from its track
    /// (GPX metadata time, TCX `<Id>`, FIT `time_created`): evidence for
    /// [`crate::clock::settle`], never the start itself.
    #[serde(default)]
    pub declared_start_ms: Option<i64>,
    /// Why the start cannot be trusted (a device without a clock, a track
    /// spanning months), set by [`crate::clock::settle`]; None when it can.
    #[serde(default)]
    pub time_unknown: Option<String>,
    pub name: Option<String>,
    pub samples: Vec<Sample>,
    pub laps: Vec<Lap>,
    pub pauses: Vec<Pause>,
    pub device: Device,
    pub summary: DeviceSummary,
    pub post_run: PostRunFeel,
}

impl Activity {
    pub fn new(sport: Sport, start_ms: i64) -> Activity {
        Activity {
            sport,
            sub_sport: SubSport::Generic,
            sport_label: sport.as_str().to_string(),
            sport_status: SportStatus::File,
            sport_evidence: Vec::new(),
            session_index: 0,
            start_ms,
            local_offset_s: None,
            declared_start_ms: None,
            time_unknown: None,
            name: None,
            samples: Vec::new(),
            laps: Vec::new(),
            pauses: Vec::new(),
            device: Device::default(),
            summary: DeviceSummary::default(),
            post_run: PostRunFeel::default(),
        }
    }

    /// Elapsed seconds from start to the last sample, or the device's own
    /// figure when there are no samples.
    pub fn elapsed_s(&self) -> f64 {
        match self.samples.last() {
            Some(last) if last.time_ms > self.start_ms => {
                (last.time_ms - self.start_ms) as f64 / 1000.0
            }
            _ => self.summary.total_elapsed_s.unwrap_or(0.0),
        }
    }

    /// Distance: the device summary if present, else the last cumulative
    /// distance, else the GPS track length.
    pub fn distance_m(&self) -> f64 {
        if let Some(d) = self.summary.total_distance_m {
            return d;
        }
        if let Some(d) = self.samples.iter().rev().find_map(|s| s.distance_m) {
            return d;
        }
        moving_track_length_m(&self.samples, &self.pauses)
    }

    pub fn channels(&self) -> Channels {
        let mut c = Channels::default();
        for s in &self.samples {
            c.gps |= s.has_position();
            c.altitude |= s.altitude_m.is_some();
            c.cadence |= s.cadence_spm.is_some();
            c.heart_rate |= s.heart_rate_bpm.is_some();
            c.distance |= s.distance_m.is_some();
            c.power |= s.power_w.is_some();
            c.temperature |= s.temperature_c.is_some();
        }
        c
    }
}

/// Which channels an activity carries anywhere in its samples.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct Channels {
    pub gps: bool,
    pub altitude: bool,
    pub cadence: bool,
    pub heart_rate: bool,
    pub distance: bool,
    pub power: bool,
    pub temperature: bool,
}

impl Channels {
    pub fn count(&self) -> u32 {
        [
            self.gps,
            self.altitude,
            self.cadence,
            self.heart_rate,
            self.distance,
            self.power,
            self.temperature,
        ]
        .iter()
        .filter(|b| **b)
        .count() as u32
    }
}

const EARTH_RADIUS_M: f64 = 6_371_008.8;

/// Great-circle distance between two points (haversine).
pub fn haversine_m(lat1: f64, lon1: f64, lat2: f64, lon2: f64) -> f64 {
    let (p1, p2) = (lat1.to_radians(), lat2.to_radians());
    let dp = p2 - p1;
    let dl = (lon2 - lon1).to_radians();
    let a = (dp / 2.0).sin().powi(2) + p1.cos() * p2.cos() * (dl / 2.0).sin().powi(2);
    2.0 * EARTH_RADIUS_M * a.sqrt().min(1.0).asin()
}

/// Sum of great-circle steps over consecutive positioned samples.
pub fn track_length_m(samples: &[Sample]) -> f64 {
    let mut total = 0.0;
    let mut prev: Option<(f64, f64)> = None;
    for s in samples {
        if let (Some(lat), Some(lon)) = (s.lat_deg, s.lon_deg) {
            if let Some((plat, plon)) = prev {
                total += haversine_m(plat, plon, lat, lon);
            }
            prev = Some((lat, lon));
        }
    }
    total
}

/// Track length without the steps that span a pause: where the runner
/// walked (or drove) while the timer was stopped does not count, as on the
/// watch itself.
pub fn moving_track_length_m(samples: &[Sample], pauses: &[Pause]) -> f64 {
    let mut total = 0.0;
    let mut prev: Option<(i64, f64, f64)> = None;
    for s in samples {
        if let (Some(lat), Some(lon)) = (s.lat_deg, s.lon_deg) {
            if let Some((t, plat, plon)) = prev {
                let spans_pause = pauses
                    .iter()
                    .any(|p| p.start_ms >= t && p.end_ms <= s.time_ms);
                if !spans_pause {
                    total += haversine_m(plat, plon, lat, lon);
                }
            }
            prev = Some((s.time_ms, lat, lon));
        }
    }
    total
}

/// Where an activity's sport came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SportStatus {
    /// The file names it (FIT sport, GPX `<type>`, TCX `Sport=`).
    #[default]
    File,
    /// The file says nothing (decoder output, before [`crate::sport::settle`]).
    Unstated,
    /// An export bundle's activity list names it.
    Bundle,
    /// Words or speed say it clearly (see the evidence).
    Inferred,
    /// Nothing said and nothing against a run: counted as a run.
    Assumed,
    /// Probably not a run, not certain: out of the baseline until answered.
    Unconfirmed,
    /// The runner said so (`tendonwatch tag ID --sport …`).
    Runner,
}

impl SportStatus {
    pub const ALL: [SportStatus; 7] = [
        SportStatus::File,
        SportStatus::Unstated,
        SportStatus::Bundle,
        SportStatus::Inferred,
        SportStatus::Assumed,
        SportStatus::Unconfirmed,
        SportStatus::Runner,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            SportStatus::File => "file",
            SportStatus::Unstated => "unstated",
            SportStatus::Bundle => "bundle",
            SportStatus::Inferred => "inferred",
            SportStatus::Assumed => "assumed",
            SportStatus::Unconfirmed => "unconfirmed",
            SportStatus::Runner => "runner",
        }
    }

    pub fn parse(text: &str) -> SportStatus {
        SportStatus::ALL
            .into_iter()
            .find(|s| s.as_str() == text)
            .unwrap_or(SportStatus::File)
    }

    /// A few words for listings and pages.
    pub fn describe(self) -> &'static str {
        match self {
            SportStatus::File => "from the file",
            SportStatus::Unstated => "not stated",
            SportStatus::Bundle => "from the export's activity list",
            SportStatus::Inferred => "inferred",
            SportStatus::Assumed => "assumed: the file does not say",
            SportStatus::Unconfirmed => "unconfirmed: is it a run?",
            SportStatus::Runner => "your word",
        }
    }
}

/// What an export bundle's activity list says about one of its files
/// (Strava's `activities.csv`: "Activity Type", "Activity Name").
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Hint {
    /// The type as written ("Run", "Ride", "E-Bike Ride").
    pub label: Option<String>,
    pub title: Option<String>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_degree_of_latitude_is_about_111_km() {
        let d = haversine_m(0.0, 0.0, 1.0, 0.0);
        assert!((d - 111_195.0).abs() < 50.0, "{d}");
    }

    #[test]
    fn a_step_across_a_pause_is_not_distance() {
        let at = |t: i64, lon: f64| Sample {
            lat_deg: Some(0.0),
            lon_deg: Some(lon),
            ..Sample::at(t)
        };
        let samples = [
            at(0, 0.0),
            at(1000, 0.001),
            at(60_000, 0.01),
            at(61_000, 0.011),
        ];
        let pause = Pause {
            start_ms: 1000,
            end_ms: 60_000,
        };
        let d = moving_track_length_m(&samples, &[pause]);
        assert!((d - 2.0 * 111.2).abs() < 1.0, "{d}");
        assert!(track_length_m(&samples) > 1000.0);
    }

    #[test]
    fn track_length_skips_points_without_position() {
        let mut a = Sample::at(0);
        a.lat_deg = Some(0.0);
        a.lon_deg = Some(0.0);
        let gap = Sample::at(1000);
        let mut b = Sample::at(2000);
        b.lat_deg = Some(0.0);
        b.lon_deg = Some(0.001);
        let d = track_length_m(&[a, gap, b]);
        assert!((d - 111.2).abs() < 0.5, "{d}");
    }
}
