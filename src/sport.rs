//! sport: what a file that does not name its sport most likely is, and how
//! sure we are (RULES.md F). Pure: the activity, its file name, what an
//! export bundle said about it and the runner's own paces in; a verdict with
//! its evidence out.
//!
//! One ride counted as a run wrecks the running baseline for six weeks, and
//! one run counted as a ride is lost load. So the order of trust is: the
//! runner's word, then the file's own sport, then the export's CSV, then
//! words in the track name or the recording app, then speed. Evidence that
//! rules a run out (faster than the world record) decides on its own;
//! evidence that only makes a run unlikely (far faster than this runner
//! ever runs, a walking pace) leaves the activity `unconfirmed`: kept out of
//! the baseline and the rules until the runner answers.

use crate::activity::{Activity, Hint, Sport, SportStatus, haversine_m};

/// The sports a runner may name (a transition is a file's own business).
pub const TAGGABLE: [Sport; 7] = [
    Sport::Running,
    Sport::Cycling,
    Sport::Walking,
    Sport::Hiking,
    Sport::Swimming,
    Sport::Rowing,
    Sport::Other,
];

/// A sport the runner typed or chose; the error names the choices.
pub fn parse_taggable(text: &str) -> Result<Sport, String> {
    let lower = text.trim().to_ascii_lowercase();
    TAGGABLE
        .into_iter()
        .find(|s| s.as_str() == lower)
        .ok_or_else(|| {
            let all: Vec<&str> = TAGGABLE.iter().map(|s| s.as_str()).collect();
            format!("unknown sport '{text}' (one of: {})", all.join(", "))
        })
}

/// The runner's usual paces, from their confirmed runs of 3 km or more.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct OwnPace {
    /// 90th percentile of average moving speed.
    pub fast_m_per_s: Option<f64>,
    /// 10th percentile of average moving speed.
    pub slow_m_per_s: Option<f64>,
}

/// Runs needed before the runner's own paces count as evidence.
pub const OWN_PACE_MIN_RUNS: usize = 5;
/// Faster than this × the runner's 90th-percentile speed: not like their runs.
pub const OWN_FAST_FACTOR: f64 = 1.3;
/// Slower than this on average over a kilometre or more: a walking pace
/// (11:54 min/km). Run–walk intervals of a returning runner stay above it.
pub const WALK_M_PER_S: f64 = 1.4;
/// Samples further apart than this are a gap, not movement.
const MAX_STEP_S: f64 = 30.0;

/// Above this average over 3 km or more (3:20 min/km) an activity whose
/// sport was only assumed does not describe the runner's usual pace.
const ASSUMED_RUN_MAX_M_PER_S: f64 = 5.0;

impl OwnPace {
    /// From (average moving speed, sport only assumed) of the runner's runs
    /// of 3 km or more. Runs whose file, export or runner named the sport
    /// decide when there are enough; otherwise assumed runs at a pace a
    /// runner holds fill in (an archive of GPX files that never say their
    /// sport still has a runner's pace in it).
    pub fn from_runs(runs: &[(f64, bool)]) -> OwnPace {
        let sure: Vec<f64> = runs.iter().filter(|r| !r.1).map(|r| r.0).collect();
        if sure.len() >= OWN_PACE_MIN_RUNS {
            return OwnPace::from_speeds(sure);
        }
        OwnPace::from_speeds(
            runs.iter()
                .filter(|r| !r.1 || r.0 < ASSUMED_RUN_MAX_M_PER_S)
                .map(|r| r.0)
                .collect(),
        )
    }

    /// From average moving speeds (m/s) of the runner's runs of 3 km or
    /// more.
    pub fn from_speeds(mut speeds: Vec<f64>) -> OwnPace {
        speeds.retain(|s| s.is_finite() && *s > 0.0);
        if speeds.len() < OWN_PACE_MIN_RUNS {
            return OwnPace::default();
        }
        speeds.sort_by(f64::total_cmp);
        let at = |q: f64| speeds[((speeds.len() - 1) as f64 * q).round() as usize];
        OwnPace {
            fast_m_per_s: Some(at(0.9)),
            slow_m_per_s: Some(at(0.1)),
        }
    }
}

/// The settled sport of an activity and why.
#[derive(Debug, Clone, PartialEq)]
pub struct Verdict {
    pub sport: Sport,
    pub status: SportStatus,
    pub evidence: Vec<String>,
}

/// Men's road and track world records (World Athletics, as of 2025):
/// (metres, seconds). No runner sustains a faster average over a distance.
const WORLD_RECORDS: [(f64, f64); 10] = [
    (400.0, 43.03),
    (1000.0, 131.96),
    (1609.34, 223.13),
    (5000.0, 755.36),
    (10_000.0, 1571.0),
    (21_097.5, 3402.0),
    (42_195.0, 7235.0),
    (50_000.0, 9727.0),
    (100_000.0, 21_935.0),
    (319_614.0, 86_400.0),
];

/// The fastest average speed any runner has held over `distance_m`
/// (log-linear between records; flat beyond the ends).
pub fn world_record_m_per_s(distance_m: f64) -> f64 {
    let speed = |(d, t): (f64, f64)| d / t;
    let first = WORLD_RECORDS[0];
    let last = WORLD_RECORDS[WORLD_RECORDS.len() - 1];
    if distance_m <= first.0 {
        return speed(first);
    }
    if distance_m >= last.0 {
        return speed(last);
    }
    for pair in WORLD_RECORDS.windows(2) {
        let (a, b) = (pair[0], pair[1]);
        if distance_m <= b.0 {
            let f = (distance_m.ln() - a.0.ln()) / (b.0.ln() - a.0.ln());
            return speed(a) + f * (speed(b) - speed(a));
        }
    }
    speed(last)
}

/// Distance and moving time as the runner sees them everywhere else (the
/// activity's distance, the metrics' moving time), so that the question
/// and its evidence quote the same numbers as the run's page.
pub fn moving(a: &Activity) -> (f64, f64) {
    let secs = crate::metrics::track::Track::build(&a.samples, &a.pauses).moving_s();
    if secs <= 0.0 {
        // No usable samples: the device's own totals.
        let d = a.summary.total_distance_m.unwrap_or(0.0);
        let t = a.summary.total_timer_s.or(a.summary.total_elapsed_s);
        return (d, t.unwrap_or(0.0));
    }
    (a.distance_m(), secs)
}

/// Words that name a sport, in track names, titles, file names and app
/// names. Whole words only (so "Runkeeper" is not "run"); CJK by substring.
const WORDS: &[(Sport, &[&str])] = &[
    (
        Sport::Cycling,
        &[
            "ride",
            "riding",
            "cycling",
            "cycle",
            "bike",
            "biking",
            "mtb",
            "velo",
            "vélo",
            "rad",
            "radfahrt",
            "radtour",
            "radeln",
            "fahrrad",
            "radfahren",
            "bici",
            "bicicleta",
            "ciclismo",
            "fiets",
            "fietsen",
            "fietstocht",
            "wielrennen",
            "cyclisme",
            "cykel",
            "cykling",
            "sykkel",
            "sykling",
            "pyöräily",
            "kolo",
            "rower",
            "ebike",
            "gravel",
        ],
    ),
    (
        Sport::Walking,
        &[
            "walk",
            "walking",
            "spaziergang",
            "gehen",
            "marche",
            "balade",
            "caminata",
            "caminar",
            "paseo",
            "wandeling",
            "camminata",
            "passeggiata",
            "promenad",
            "kävely",
        ],
    ),
    (
        Sport::Hiking,
        &[
            "hike",
            "hiking",
            "wanderung",
            "wandern",
            "randonnée",
            "randonnee",
            "senderismo",
            "trekking",
            "escursione",
            "bergtour",
        ],
    ),
    (
        Sport::Swimming,
        &[
            "swim",
            "swimming",
            "schwimmen",
            "natation",
            "natación",
            "nuoto",
            "zwemmen",
            "simning",
        ],
    ),
    (
        Sport::Other,
        &[
            "ski", "skiing", "langlauf", "skitour", "kayak", "canoe", "paddle", "sup", "skate",
            "skating", "inline", "drive", "driving", "car", "bus", "train", "flight", "sail",
            "sailing",
        ],
    ),
    (
        Sport::Running,
        &[
            "run",
            "running",
            "jog",
            "jogging",
            "lauf",
            "laufen",
            "dauerlauf",
            "course",
            "carrera",
            "correr",
            "corsa",
            "hardlopen",
            "løp",
            "løping",
            "juoksu",
            "parkrun",
            "tempo",
            "intervals",
            "fartlek",
        ],
    ),
];

/// Chinese and Japanese words, matched as substrings.
const CJK_WORDS: &[(Sport, &[&str])] = &[
    (Sport::Cycling, &["骑行", "自行车", "单车", "サイクリング"]),
    (Sport::Walking, &["步行", "散步", "健走", "ウォーキング"]),
    (Sport::Hiking, &["徒步", "登山", "ハイキング"]),
    (Sport::Swimming, &["游泳"]),
    (Sport::Other, &["滑雪"]),
    (
        Sport::Running,
        &["跑步", "晨跑", "夜跑", "慢跑", "ランニング"],
    ),
];

/// Recording apps and devices made for one sport (bike computers).
const APPS: &[(Sport, &[&str])] = &[(
    Sport::Cycling,
    &[
        "urban biker",
        "bikemap",
        "elemnt",
        "bryton",
        "hammerhead",
        "karoo",
        "igpsport",
        "cateye",
        "garmin edge",
        "bikecomputer",
        "bike computer",
        "cyclemeter",
    ],
)];

/// Sports the text names, each once, in the order of [`WORDS`].
pub fn sports_named(text: &str) -> Vec<Sport> {
    let lower = text.to_lowercase();
    let tokens: Vec<&str> = lower
        .split(|c: char| !c.is_alphanumeric())
        .filter(|t| !t.is_empty())
        .collect();
    let mut found: Vec<Sport> = Vec::new();
    let mut add = |s: Sport| {
        if !found.contains(&s) {
            found.push(s);
        }
    };
    for (sport, words) in WORDS {
        if tokens.iter().any(|t| words.contains(t)) {
            add(*sport);
        }
    }
    for (sport, words) in CJK_WORDS.iter().chain(APPS) {
        if words.iter().any(|w| lower.contains(w)) {
            add(*sport);
        }
    }
    found
}

/// How a sport reads in a sentence ("a ride", "a walk").
pub fn noun(sport: Sport) -> &'static str {
    match sport {
        Sport::Running => "a run",
        Sport::Cycling => "a ride",
        Sport::Walking => "a walk",
        Sport::Hiking => "a hike",
        Sport::Swimming => "a swim",
        Sport::Rowing => "a row",
        Sport::Transition => "a transition",
        Sport::Other => "something other than a run",
    }
}

/// "21.0 km at 3:02/km".
pub fn distance_and_pace(distance_m: f64, moving_s: f64) -> String {
    let km_text = crate::units::km(distance_m);
    match (moving_s > 0.0 && distance_m > 0.0).then(|| moving_s / (distance_m / 1000.0)) {
        Some(s_per_km) => format!("{km_text} at {}", crate::units::pace(s_per_km)),
        None => km_text,
    }
}

/// The question the runner is asked about an unconfirmed activity.
pub fn question(activity_id: i64, looks_like: Sport, distance_m: f64, moving_s: f64) -> String {
    format!(
        "Was activity {activity_id} a run? It looks like {}: {}",
        noun(looks_like),
        distance_and_pace(distance_m, moving_s)
    )
}

/// Settle the sport of a decoded activity. `file_name` is the file's own
/// name (or the entry's name in a bundle); `hint` what a bundle said.
pub fn settle(a: &Activity, file_name: &str, hint: &Hint, own: &OwnPace) -> Verdict {
    if a.sport_status != SportStatus::Unstated {
        return Verdict {
            sport: a.sport,
            status: a.sport_status,
            evidence: a.sport_evidence.clone(),
        };
    }
    if let Some(label) = hint.label.as_deref().filter(|l| !l.trim().is_empty()) {
        let (sport, _, _) = crate::decode::gpx::sport_of(Some(label));
        return Verdict {
            sport,
            status: SportStatus::Bundle,
            evidence: vec![format!(
                "the export's activity list says \"{}\"",
                label.trim()
            )],
        };
    }

    let mut evidence = Vec::new();
    // Words: the track name, the bundle's title, the app, the file name.
    let texts = [
        ("track name", a.name.as_deref()),
        ("title", hint.title.as_deref()),
        ("recorded by", a.device.creator.as_deref()),
        ("file name", Some(file_name)),
    ];
    let mut named: Vec<Sport> = Vec::new();
    for (what, text) in texts {
        let Some(text) = text.filter(|t| !t.trim().is_empty()) else {
            continue;
        };
        for sport in sports_named(text) {
            evidence.push(format!(
                "{what} \"{}\" names {}",
                text.trim(),
                noun(sport).trim_start_matches("a ")
            ));
            if !named.contains(&sport) {
                named.push(sport);
            }
        }
    }

    // Speed.
    let (dist, secs) = moving(a);
    let speed = if secs > 0.0 { dist / secs } else { 0.0 };
    let pace = distance_and_pace(dist, secs);
    let measurable = dist >= 1000.0 && secs > 0.0;
    let beyond_record = measurable && speed > world_record_m_per_s(dist) * 1.02;
    if beyond_record {
        evidence.push(format!(
            "{pace} is faster than the running world record for that distance"
        ));
    }
    let beyond_own = measurable
        && own
            .fast_m_per_s
            .is_some_and(|fast| speed > fast * OWN_FAST_FACTOR);
    if beyond_own && !beyond_record {
        evidence.push(format!(
            "{pace} is far faster than your usual runs ({} or slower)",
            distance_and_pace(1000.0, 1000.0 / own.fast_m_per_s.unwrap_or(1.0).max(0.1))
                .trim_start_matches("1.0 km at ")
        ));
    }
    let walk_limit = own
        .slow_m_per_s
        .map_or(WALK_M_PER_S, |slow| (slow * 0.8).min(WALK_M_PER_S));
    let walking_pace = measurable && speed < walk_limit;
    if walking_pace {
        evidence.push(format!("{pace} is a walking pace"));
    }
    let coasting = coasting_share(a);
    let pedalling = coasting >= 0.05 && speed >= 4.5;
    if pedalling {
        evidence.push(format!(
            "cadence drops to zero while moving fast {:.0} % of the time (coasting on a bike)",
            coasting * 100.0
        ));
    }

    let not_run_by_speed = beyond_record;
    let unlike_run = beyond_own || walking_pace || pedalling;
    let verdict = |sport, status, evidence| Verdict {
        sport,
        status,
        evidence,
    };
    match named.as_slice() {
        // One sport named, and it is not contradicted by speed.
        [Sport::Running] if !not_run_by_speed && !unlike_run => {
            verdict(Sport::Running, SportStatus::Inferred, evidence)
        }
        [Sport::Running] => verdict(
            guess_by_speed(speed, walking_pace),
            SportStatus::Unconfirmed,
            evidence,
        ),
        [other] => verdict(*other, SportStatus::Inferred, evidence),
        [_, _, ..] => {
            let guess = named
                .iter()
                .copied()
                .find(|s| !s.is_running())
                .unwrap_or(Sport::Other);
            verdict(guess, SportStatus::Unconfirmed, evidence)
        }
        [] if not_run_by_speed => verdict(
            guess_by_speed(speed, false),
            SportStatus::Inferred,
            evidence,
        ),
        [] if unlike_run => verdict(
            guess_by_speed(speed, walking_pace),
            SportStatus::Unconfirmed,
            evidence,
        ),
        [] => {
            evidence.push("nothing in the file says otherwise".to_string());
            verdict(Sport::Running, SportStatus::Assumed, evidence)
        }
    }
}

/// What a non-run most likely is at this speed.
fn guess_by_speed(speed: f64, walking_pace: bool) -> Sport {
    if walking_pace {
        Sport::Walking
    } else if speed > 20.0 {
        // Beyond a bike on the flat for an average: a vehicle.
        Sport::Other
    } else {
        Sport::Cycling
    }
}

/// Share of fast moving samples (over 3 m/s) whose cadence is zero: a bike
/// coasts, a runner never runs at 3 m/s without steps.
fn coasting_share(a: &Activity) -> f64 {
    let mut fast = 0usize;
    let mut coasting = 0usize;
    for w in a.samples.windows(2) {
        let (p, q) = (&w[0], &w[1]);
        let Some(cad) = q.cadence_spm else { continue };
        let dt = (q.time_ms - p.time_ms) as f64 / 1000.0;
        if dt <= 0.0 || dt > MAX_STEP_S {
            continue;
        }
        let speed = match (q.speed_m_per_s, p.distance_m, q.distance_m) {
            (Some(v), _, _) => f64::from(v),
            (None, Some(x), Some(y)) => (y - x) / dt,
            _ => match (p.lat_deg, p.lon_deg, q.lat_deg, q.lon_deg) {
                (Some(a1), Some(o1), Some(a2), Some(o2)) => haversine_m(a1, o1, a2, o2) / dt,
                _ => continue,
            },
        };
        if speed > 3.0 {
            fast += 1;
            if cad <= 0.0 {
                coasting += 1;
            }
        }
    }
    if fast < 60 {
        return 0.0;
    }
    coasting as f64 / fast as f64
}

/// Write a verdict into the activity.
pub fn apply(a: &mut Activity, v: Verdict) {
    a.sport = v.sport;
    a.sport_status = v.status;
    a.sport_evidence = v.evidence;
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::activity::Sample;

    /// A straight line north at `speed` m/s for `secs`, one sample a second.
    fn line(speed: f64, secs: i64) -> Activity {
        let mut a = Activity::new(Sport::Running, 1_700_000_000_000);
        a.sport_status = SportStatus::Unstated;
        a.sport_label = String::new();
        let deg_per_m = 1.0 / 111_195.0;
        a.samples = (0..=secs)
            .map(|t| {
                let mut s = Sample::at(a.start_ms + t * 1000);
                s.lat_deg = Some(48.0 + t as f64 * speed * deg_per_m);
                s.lon_deg = Some(11.0);
                s
            })
            .collect();
        a
    }

    fn settle_plain(a: &Activity) -> Verdict {
        settle(
            a,
            "2017-10-02-0812.gpx",
            &Hint::default(),
            &OwnPace::default(),
        )
    }

    #[test]
    fn world_record_speed_falls_with_distance() {
        let five = world_record_m_per_s(5000.0);
        assert!((five - 6.62).abs() < 0.01, "{five}");
        assert!(world_record_m_per_s(22_000.0) < five);
        assert!(world_record_m_per_s(42_195.0) > 5.8);
        assert!(world_record_m_per_s(1.0e6) > 3.6);
    }

    #[test]
    fn a_ride_named_cycling_is_a_ride_whatever_its_speed() {
        let mut a = line(6.7, 3300);
        a.name = Some("Cycling 10/2/17".into());
        let v = settle_plain(&a);
        assert_eq!((v.sport, v.status), (Sport::Cycling, SportStatus::Inferred));
        assert!(
            v.evidence[0].contains("Cycling 10/2/17"),
            "{:?}",
            v.evidence
        );
    }

    #[test]
    fn faster_than_the_world_record_is_not_a_run() {
        // 22 km at 2:30/km.
        let a = line(1000.0 / 150.0, 3300);
        let v = settle_plain(&a);
        assert_eq!((v.sport, v.status), (Sport::Cycling, SportStatus::Inferred));
        assert!(v.evidence[0].contains("world record"), "{:?}", v.evidence);
    }

    #[test]
    fn far_faster_than_own_runs_is_a_question() {
        // 21 km at 3:02/km: possible for an elite, not for this runner.
        let a = line(1000.0 / 182.0, 3822);
        let own = OwnPace::from_speeds(vec![2.8, 2.9, 3.0, 3.1, 3.2, 3.3]);
        let v = settle(&a, "x.gpx", &Hint::default(), &own);
        assert_eq!(
            (v.sport, v.status),
            (Sport::Cycling, SportStatus::Unconfirmed)
        );
        let (d, s) = moving(&a);
        assert_eq!(
            question(41, v.sport, d, s),
            "Was activity 41 a run? It looks like a ride: 21.0 km at 3:02/km"
        );
        // Without the runner's history the same file is assumed a run.
        assert_eq!(settle_plain(&a).status, SportStatus::Assumed);
    }

    #[test]
    fn an_ordinary_run_without_a_sport_is_assumed_a_run() {
        let a = line(3.0, 1800);
        let v = settle_plain(&a);
        assert_eq!((v.sport, v.status), (Sport::Running, SportStatus::Assumed));
    }

    #[test]
    fn the_bundle_list_wins_over_words_and_speed() {
        let mut a = line(3.0, 1800);
        a.name = Some("Morning Ride".into());
        let hint = Hint {
            label: Some("Run".into()),
            title: None,
        };
        let v = settle(&a, "1.gpx", &hint, &OwnPace::default());
        assert_eq!((v.sport, v.status), (Sport::Running, SportStatus::Bundle));
    }

    #[test]
    fn a_file_that_names_its_sport_keeps_it() {
        let mut a = line(8.0, 1800);
        a.sport_status = SportStatus::File;
        a.sport = Sport::Running;
        assert_eq!(settle_plain(&a).sport, Sport::Running);
    }

    #[test]
    fn words_match_whole_words_in_many_languages() {
        assert_eq!(sports_named("Runkeeper"), vec![]);
        assert_eq!(sports_named("Abendliche Radtour"), vec![Sport::Cycling]);
        assert_eq!(sports_named("Sortie vélo"), vec![Sport::Cycling]);
        assert_eq!(sports_named("Urban Biker 7.2"), vec![Sport::Cycling]);
        assert_eq!(sports_named("周末骑行"), vec![Sport::Cycling]);
        assert_eq!(sports_named("Morning Run"), vec![Sport::Running]);
        assert_eq!(
            sports_named("Bike to the run club"),
            vec![Sport::Cycling, Sport::Running]
        );
    }

    #[test]
    fn a_walking_pace_is_a_question() {
        let a = line(1.2, 3000);
        let v = settle_plain(&a);
        assert_eq!(
            (v.sport, v.status),
            (Sport::Walking, SportStatus::Unconfirmed)
        );
    }

    #[test]
    fn coasting_cadence_at_speed_is_a_bike() {
        let mut a = line(6.0, 1200);
        for (i, s) in a.samples.iter_mut().enumerate() {
            s.cadence_spm = Some(if i % 8 == 0 { 0.0 } else { 85.0 });
        }
        let v = settle_plain(&a);
        assert_eq!(v.sport, Sport::Cycling);
        assert!(v.evidence.iter().any(|e| e.contains("coasting")));
    }
}
