//! TCX bytes → one [`Activity`] per `<Activity>`: the streaming XML reader
//! GPX uses too (xml.rs: the event loop, the track point, its extension
//! leaves, the salvage of a file cut short), with GPX's sport names.
//!
//! Garmin's Training Center XML nests `Activities/Activity/Lap/Track/
//! Trackpoint`. Elements are matched by their local name in any case and
//! with any namespace prefix (`ns3:TPX`, a bare `TPX xmlns=…`); everything
//! unknown is skipped with its subtree. What is kept:
//!
//! - every `<Activity>` as its own activity with its own sport, whether it
//!   sits in `<Activities>` or in a `<MultiSportSession>`'s `<FirstSport>` /
//!   `<NextSport>`: a bike leg never counts as running. A `<Transition>`
//!   (T1/T2) is not an activity and is skipped;
//! - laps (`StartTime`, `TotalTimeSeconds`, `DistanceMeters`): their sums are
//!   the device summary, so a treadmill or indoor file without positions (or
//!   without any track point) still has its distance;
//! - track points with a `<Time>`: position, altitude, cumulative distance,
//!   heart rate, cadence, and from the `TPX` extension speed, `RunCadence`
//!   and watts. A point without distance is left without it, as in GPX: the
//!   distance then comes from the positions (metrics, `Activity::distance_m`);
//! - a second `<Track>` inside the same `<Lap>` is where the watch's timer was
//!   stopped (Garmin starts a new track after a pause): a [`Pause`], like a
//!   GPX `<trkseg>` break;
//! - a point repeated with the same time and values (Garmin Connect's export
//!   writes each lap-boundary point twice) is kept once.
//!
//! A file cut short keeps the points read before the cut and says so in
//! [`Decoded::partial`]; it is `Corrupt` only when nothing usable came first.
//! A file of `<Courses>` (a planned route) or `<Workouts>` and no activity is
//! [`DecodeError::NoTrack`], as a GPX route is.

use super::gpx::sport_of;
use super::xml::{
    self, Document, PointDraft, PointField, Points, Schema, Track, attribute, is_foot_sport,
    parse_f64,
};
use super::{DecodeError, Decoded, Format};
use crate::activity::{Activity, Device, DeviceSummary, Lap, Sport, SubSport};
use quick_xml::events::BytesStart;

/// The cadence rule for foot sports (running, walking, hiking).
///
/// tendonwatch speaks steps per minute, both feet; FIT and Garmin GPX write
/// cadence per leg and their decoders double it. TCX does the same: Garmin's
/// `RunCadence` (ActivityExtension v2) is strides (one foot) per minute — the
/// fenix 5 Plus file of `fixtures/real/tcx` starts at 54, tapiriik's
/// Garmin-sourced run holds 91–93 at 2.5 m/s, i.e. 182–186 steps/min doubled
/// — and so is a foot sport's `<Cadence>` where an exporter writes it there.
///
/// Some exporters (treadmill apps, converters that already doubled) write
/// steps per minute instead. Per leg, a whole activity's median above 120
/// would be over 240 steps/min, which no run sustains; in steps per minute
/// every run sits at 140–200. So: a foot-sport activity whose median non-zero
/// cadence is **above 120 is already steps per minute and kept as written**;
/// at or below it the values are per leg and doubled. Other sports keep the
/// value (a bike's crank rpm).
pub const ALREADY_STEPS_MEDIAN: f32 = 120.0;

/// How long before its first point a lap or `<Id>` may claim the activity
/// started (a watch acquiring GPS before the first point). Farther than this
/// the declared start is a wrong clock and the first point wins.
const MAX_START_LEAD_MS: i64 = 24 * 3600 * 1000;

/// Decode one TCX file into one activity per `<Activity>`.
///
/// The sport comes from `<Activity Sport="…">` (Garmin writes `Running`,
/// `Biking`, `Other`; other exporters `running`, `Walking`, …) through the
/// same names as a GPX `<type>`. Without the attribute the sport is
/// [`Sport::Other`] (label `other`): the schema requires it, and a file that
/// leaves it out is not evidence of a run.
pub fn decode(bytes: &[u8]) -> Result<Decoded, DecodeError> {
    let (state, document) = xml::read(bytes, TcxState::default())?;
    state.finish(document)
}

/// Where the reader is in the document. Everything unknown is `Other` and its
/// whole subtree is skipped.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Tag {
    Root,
    Activities,
    MultiSport,
    /// `<FirstSport>` / `<NextSport>` of a multisport session.
    SportLeg,
    /// A multisport `<Transition>` (a lap between two legs): skipped.
    Transition,
    Activity,
    Lap,
    LapAvgHeartRate,
    /// A lap's `<Extensions>` and every container nested in it (`LX`).
    LapExt,
    Track,
    Trackpoint,
    Position,
    PointHeartRate,
    /// A track point's `<Extensions>` and every container nested in it (`TPX`).
    PointExt,
    Creator,
    Author,
    Courses,
    Course,
    CoursePoint,
    CourseInner,
    Workouts,
    Workout,
    Field(Field),
    Point(PointField),
    Other,
}

/// A leaf of an activity, a lap or the file whose text we keep.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Field {
    Id,
    ActivityNotes,
    CreatorName,
    AuthorName,
    LapTotalTime,
    LapDistance,
    LapAvgHeartRate,
    LapCadence,
    LapAvgRunCadence,
}

/// The leaves of a `<Trackpoint>`'s `<Extensions>` (Garmin ActivityExtension
/// v2 `TPX`).
const POINT_EXTENSIONS: &[(&[u8], PointField)] = &[
    (b"speed", PointField::Speed),
    (b"runcadence", PointField::RunCadence),
    (b"watts", PointField::Power),
];

/// A `<Lap>` being read, or read.
#[derive(Debug, Default, Clone, Copy)]
struct LapDraft {
    start: Option<(i64, Option<i32>)>,
    total_time_s: Option<f64>,
    distance_m: Option<f64>,
    avg_heart_rate: Option<f64>,
    cadence: Option<f64>,
    avg_run_cadence: Option<f64>,
    /// A track of this lap already gave a point: the next `<Track>` follows a
    /// timer stop.
    track_had_points: bool,
}

/// An `<Activity>` being read, or read.
#[derive(Debug)]
struct ActivityDraft {
    sport_label: Option<String>,
    sport: Sport,
    id: Option<xml::Time>,
    notes: Option<String>,
    creator: Option<String>,
    laps: Vec<LapDraft>,
    /// Its points; a second `<Track>` in the current lap is a segment break.
    track: Track,
}

impl ActivityDraft {
    fn new(sport_attribute: Option<String>) -> ActivityDraft {
        let sport_label = sport_attribute.filter(|s| !s.is_empty());
        let (sport, _, _) = sport_from(sport_label.as_deref());
        ActivityDraft {
            sport_label,
            sport,
            id: None,
            notes: None,
            creator: None,
            laps: Vec::new(),
            track: Track::default(),
        }
    }
}

/// `Sport="…"` → sport; without one, `Other` (see [`decode`]).
fn sport_from(label: Option<&str>) -> (Sport, SubSport, String) {
    match label {
        Some(label) => sport_of(Some(label)),
        None => (Sport::Other, SubSport::Generic, "other".to_string()),
    }
}

/// Things counted for warnings and for the reason a file gave no activity,
/// beside what [`Points`] counts.
#[derive(Debug, Default)]
struct Counts {
    activities: usize,
    null_island: usize,
    transitions: usize,
    courses: usize,
    course_points: usize,
    workouts: usize,
    /// Points identical to the one before them (time and every value).
    repeated: usize,
}

#[derive(Debug, Default)]
struct TcxState {
    /// `<Author><Name>`: the program that wrote the file.
    author: Option<String>,
    current: Option<ActivityDraft>,
    lap: Option<LapDraft>,
    points: Points,
    done: Vec<ActivityDraft>,
    counts: Counts,
}

impl Schema for TcxState {
    type Tag = Tag;
    const FORMAT: &'static str = "TCX";
    const ROOT: &'static str = "TrainingCenterDatabase";
    const ROOT_TAG: Tag = Tag::Root;
    const SKIP: Tag = Tag::Other;
    const LOCATIONS: &'static [(Tag, &'static str)] = &[
        (Tag::Activity, "Activity"),
        (Tag::MultiSport, "MultiSportSession"),
        (Tag::Courses, "Courses"),
        (Tag::Workouts, "Workouts"),
    ];

    #[inline]
    fn child(parent: Tag, local: &[u8]) -> Tag {
        let is = |name: &[u8]| local.eq_ignore_ascii_case(name);
        match parent {
            Tag::Root if is(b"Activities") => Tag::Activities,
            Tag::Root if is(b"Courses") => Tag::Courses,
            Tag::Root if is(b"Workouts") => Tag::Workouts,
            Tag::Root if is(b"Author") => Tag::Author,
            Tag::Activities if is(b"Activity") => Tag::Activity,
            Tag::Activities if is(b"MultiSportSession") => Tag::MultiSport,
            Tag::MultiSport if is(b"FirstSport") || is(b"NextSport") => Tag::SportLeg,
            Tag::SportLeg if is(b"Activity") => Tag::Activity,
            Tag::SportLeg if is(b"Transition") => Tag::Transition,
            Tag::Activity if is(b"Lap") => Tag::Lap,
            Tag::Activity if is(b"Id") => Tag::Field(Field::Id),
            Tag::Activity if is(b"Notes") => Tag::Field(Field::ActivityNotes),
            Tag::Activity if is(b"Creator") => Tag::Creator,
            Tag::Creator if is(b"Name") => Tag::Field(Field::CreatorName),
            Tag::Author if is(b"Name") => Tag::Field(Field::AuthorName),
            Tag::Lap if is(b"Track") => Tag::Track,
            Tag::Lap if is(b"TotalTimeSeconds") => Tag::Field(Field::LapTotalTime),
            Tag::Lap if is(b"DistanceMeters") => Tag::Field(Field::LapDistance),
            Tag::Lap if is(b"AverageHeartRateBpm") => Tag::LapAvgHeartRate,
            Tag::Lap if is(b"Cadence") => Tag::Field(Field::LapCadence),
            Tag::Lap if is(b"Extensions") => Tag::LapExt,
            Tag::LapAvgHeartRate if is(b"Value") => Tag::Field(Field::LapAvgHeartRate),
            Tag::LapExt if is(b"AvgRunCadence") => Tag::Field(Field::LapAvgRunCadence),
            Tag::LapExt => Tag::LapExt,
            Tag::Track if is(b"Trackpoint") => Tag::Trackpoint,
            Tag::Trackpoint if is(b"Time") => Tag::Point(PointField::Time),
            Tag::Trackpoint if is(b"Position") => Tag::Position,
            Tag::Trackpoint if is(b"AltitudeMeters") => Tag::Point(PointField::Altitude),
            Tag::Trackpoint if is(b"DistanceMeters") => Tag::Point(PointField::Distance),
            Tag::Trackpoint if is(b"HeartRateBpm") => Tag::PointHeartRate,
            Tag::Trackpoint if is(b"Cadence") => Tag::Point(PointField::Cadence),
            Tag::Trackpoint if is(b"Extensions") => Tag::PointExt,
            Tag::Position if is(b"LatitudeDegrees") => Tag::Point(PointField::Lat),
            Tag::Position if is(b"LongitudeDegrees") => Tag::Point(PointField::Lon),
            Tag::PointHeartRate if is(b"Value") => Tag::Point(PointField::HeartRate),
            Tag::PointExt => {
                xml::extension_leaf(POINT_EXTENSIONS, local).map_or(Tag::PointExt, Tag::Point)
            }
            Tag::Courses if is(b"Course") => Tag::Course,
            Tag::Course | Tag::CourseInner if is(b"Trackpoint") => Tag::CoursePoint,
            Tag::Course | Tag::CourseInner | Tag::CoursePoint => Tag::CourseInner,
            Tag::Workouts if is(b"Workout") => Tag::Workout,
            _ => Tag::Other,
        }
    }

    #[inline]
    fn keeps_text(tag: Tag) -> bool {
        matches!(tag, Tag::Field(_) | Tag::Point(_))
    }

    #[inline]
    fn open(&mut self, tag: Tag, e: &BytesStart<'_>) {
        match tag {
            Tag::Activity => {
                self.counts.activities += 1;
                self.end_activity();
                self.current = Some(ActivityDraft::new(attribute(e, b"Sport")));
            }
            Tag::Lap => {
                self.end_lap();
                let start = attribute(e, b"StartTime").and_then(|t| self.points.time(&t));
                self.lap = Some(LapDraft {
                    start,
                    ..LapDraft::default()
                });
            }
            Tag::Track => {
                if let (Some(lap), Some(activity)) = (self.lap.as_ref(), self.current.as_mut()) {
                    activity.track.segment_break |= lap.track_had_points;
                }
            }
            Tag::Trackpoint => self.points.start(PointDraft::default()),
            Tag::Transition => self.counts.transitions += 1,
            Tag::Course => self.counts.courses += 1,
            Tag::CoursePoint => self.counts.course_points += 1,
            Tag::Workout => self.counts.workouts += 1,
            _ => {}
        }
    }

    #[inline]
    fn leaf(&mut self, tag: Tag, text: &str) {
        match tag {
            Tag::Point(field) => self.points.set(field, text),
            Tag::Field(field) => self.set_field(field, text),
            _ => {}
        }
    }

    #[inline]
    fn close(&mut self, tag: Tag) {
        match tag {
            Tag::Activity => self.end_activity(),
            Tag::Lap => self.end_lap(),
            Tag::Trackpoint => self.end_point(),
            _ => {}
        }
    }

    fn kept(&self) -> usize {
        self.done
            .iter()
            .map(|a| a.track.samples.len())
            .sum::<usize>()
            + self.current.as_ref().map_or(0, |a| a.track.samples.len())
    }
}

impl TcxState {
    /// A leaf of the file, an activity or a lap.
    fn set_field(&mut self, field: Field, text: &str) {
        match field {
            Field::AuthorName => {
                self.author.get_or_insert_with(|| text.to_string());
            }
            Field::Id | Field::ActivityNotes | Field::CreatorName => {
                let time = match field {
                    Field::Id => self.points.time(text),
                    _ => None,
                };
                if let Some(activity) = self.current.as_mut() {
                    match field {
                        Field::Id => activity.id = activity.id.or(time),
                        Field::ActivityNotes => {
                            activity.notes.get_or_insert_with(|| text.to_string());
                        }
                        _ => {
                            activity.creator.get_or_insert_with(|| text.to_string());
                        }
                    }
                }
            }
            Field::LapTotalTime
            | Field::LapDistance
            | Field::LapAvgHeartRate
            | Field::LapCadence
            | Field::LapAvgRunCadence => {
                if let Some(lap) = self.lap.as_mut() {
                    let value = parse_f64(text).filter(|v| *v >= 0.0);
                    match field {
                        Field::LapTotalTime => lap.total_time_s = value,
                        Field::LapDistance => lap.distance_m = value,
                        Field::LapAvgHeartRate => lap.avg_heart_rate = value,
                        Field::LapCadence => lap.cadence = value,
                        _ => lap.avg_run_cadence = value,
                    }
                }
            }
        }
    }

    fn end_point(&mut self) {
        let Some((p, time)) = self.points.end() else {
            return;
        };
        // A Trackpoint is only ever read inside an Activity.
        let Some(activity) = self.current.as_mut() else {
            return;
        };
        // Exporters write 0/0 for "no fix"; nobody runs at null island.
        let position = if p.lat == Some(0.0) && p.lon == Some(0.0) {
            self.counts.null_island += 1;
            None
        } else {
            self.points.position(p.lat, p.lon)
        };
        activity.track.before_sample(time);
        // Doubled (or not) once the whole activity is read: see
        // ALREADY_STEPS_MEDIAN.
        let non_negative = |c: Option<f32>| c.filter(|c| *c >= 0.0);
        let (cadence, run_cadence) = (non_negative(p.cadence), non_negative(p.run_cadence));
        let cadence = if is_foot_sport(activity.sport) {
            run_cadence.or(cadence)
        } else {
            cadence.or(run_cadence)
        };
        let sample = p.sample(time.0, position, cadence);
        // Garmin Connect's TCX export repeats the point on a lap boundary:
        // the last point of a lap opens the next lap again, same time, same
        // values. Kept twice it is a zero-second step and an extra sample
        // the FIT of the same run does not have.
        if activity.track.samples.last() == Some(&sample) {
            self.counts.repeated += 1;
        } else {
            activity.track.samples.push(sample);
        }
        if let Some(lap) = self.lap.as_mut() {
            lap.track_had_points = true;
        }
    }

    /// A lap ends (its `</Lap>`, or the file ends inside it).
    fn end_lap(&mut self) {
        if let (Some(lap), Some(activity)) = (self.lap.take(), self.current.as_mut()) {
            activity.track.segment_break = false;
            activity.laps.push(lap);
        }
    }

    /// An activity ends (its `</Activity>`, or the file ends inside it).
    fn end_activity(&mut self) {
        self.end_lap();
        self.points.draft = None;
        if let Some(activity) = self.current.take() {
            self.done.push(activity);
        }
    }

    fn finish(mut self, document: Document) -> Result<Decoded, DecodeError> {
        // A file cut inside an activity keeps what that activity read.
        self.end_activity();

        let mut notes: Vec<String> = Vec::new();
        // `<Author><Name>` first, else `creator="…"` on the root (Runtastic).
        let device_creator = self.author.clone().or_else(|| document.creator.clone());
        let drafts = std::mem::take(&mut self.done);
        let mut activities = Vec::with_capacity(drafts.len());
        let mut empty = 0usize;
        for draft in drafts {
            match build_activity(draft, &device_creator, &mut notes) {
                Some(mut a) => {
                    a.session_index = activities.len() as u32;
                    activities.push(a);
                }
                None => empty += 1,
            }
        }
        if activities.is_empty() {
            return Err(self.no_activity(&document));
        }

        let (c, p) = (&self.counts, &self.points);
        let mut warnings: Vec<String> = p.untimed_warning("Time").into_iter().collect();
        xml::counted(
            &mut warnings,
            &[
                (p.zoneless, "times carry no time zone: read as UTC"),
                (
                    p.bad_position,
                    "points with an out-of-range or half-missing position kept without it",
                ),
                (
                    c.null_island,
                    "points at latitude 0, longitude 0 (no GPS fix) kept without position",
                ),
                (
                    c.repeated,
                    "repeated track points (same time, same values, as at Garmin Connect lap boundaries) kept once",
                ),
                (
                    c.transitions,
                    "multisport transitions not kept as activities",
                ),
                (
                    empty,
                    "<Activity> without timed points or lap times left out",
                ),
            ],
        );
        warnings.extend(notes);
        Ok(document.decoded(Format::Tcx, activities, warnings))
    }

    /// The error for a file that yielded no activity.
    fn no_activity(&self, document: &Document) -> DecodeError {
        if let Some(error) =
            document.unusable("no activity with a timed point or lap read before it")
        {
            return error;
        }
        let c = &self.counts;
        if c.activities == 0 {
            let reason = match (c.courses, c.workouts) {
                (0, 0) => "no activity, course or workout".to_string(),
                (0, w) => format!("workouts only ({w} workouts, no activity)"),
                (r, _) => format!(
                    "route only ({r} course, {} course points, no recorded activity)",
                    c.course_points
                ),
            };
            return DecodeError::NoTrack(reason);
        }
        if self.points.bad_time > 0 {
            return DecodeError::NoTrack(format!(
                "activities have no readable times ({} unreadable <Time>)",
                self.points.bad_time
            ));
        }
        DecodeError::NoTrack(format!(
            "{} <Activity> without timed track points or lap times",
            c.activities
        ))
    }
}

/// The median of the non-zero values.
fn median_nonzero(values: impl Iterator<Item = f32>) -> Option<f32> {
    let mut v: Vec<f32> = values.filter(|c| *c > 0.0 && c.is_finite()).collect();
    if v.is_empty() {
        return None;
    }
    let mid = v.len() / 2;
    let (_, median, _) = v.select_nth_unstable_by(mid, f32::total_cmp);
    Some(*median)
}

/// One read `<Activity>` → an [`Activity`]; `None` when it holds neither a
/// timed point nor a lap with a start and a time or distance.
fn build_activity(
    mut d: ActivityDraft,
    device_creator: &Option<String>,
    notes: &mut Vec<String>,
) -> Option<Activity> {
    let laps: Vec<Lap> = d
        .laps
        .iter()
        .filter_map(|l| {
            let (start_ms, _) = l.start?;
            (l.total_time_s.is_some() || l.distance_m.is_some()).then_some(Lap {
                start_ms,
                elapsed_s: None,
                timer_s: l.total_time_s,
                distance_m: l.distance_m,
            })
        })
        .collect();
    if d.track.samples.is_empty() && laps.is_empty() {
        return None;
    }
    let label = d.sport_label.as_deref().unwrap_or("other");
    if d.track.sort_by_time() {
        notes.push(format!(
            "{label} activity: track points were out of time order: sorted"
        ));
    }

    // See ALREADY_STEPS_MEDIAN.
    let mut factor = 1.0f32;
    let median = median_nonzero(d.track.samples.iter().filter_map(|s| s.cadence_spm));
    match median {
        Some(median) if is_foot_sport(d.sport) && median > ALREADY_STEPS_MEDIAN => {
            notes.push(format!(
                "{label} activity: cadence median {median} is already steps per minute: not doubled"
            ));
        }
        _ if is_foot_sport(d.sport) => factor = 2.0,
        _ => {}
    }
    if factor != 1.0 {
        d.track.scale_cadence(factor);
    }

    let first_sample_ms = d.track.samples.first().map(|s| s.time_ms);
    let declared = laps.iter().map(|l| l.start_ms).min().or(d.id.map(|t| t.0));
    let start_ms = match (declared, first_sample_ms) {
        (Some(declared), Some(first))
            if declared <= first && first - declared <= MAX_START_LEAD_MS =>
        {
            declared
        }
        (_, Some(first)) => first,
        (Some(declared), None) => declared,
        (None, None) => return None,
    };
    let local_offset_s = d
        .track
        .local_offset_s
        .or_else(|| d.laps.iter().find_map(|l| l.start.and_then(|t| t.1)))
        .or_else(|| d.id.and_then(|t| t.1));

    let (sport, sub_sport, sport_label) = sport_from(d.sport_label.as_deref());
    let mut a = Activity::new(sport, start_ms);
    a.declared_start_ms = d.id.map(|t| t.0);
    a.sub_sport = sub_sport;
    a.sport_label = sport_label;
    if d.sport_label.is_none() {
        a.sport_status = crate::activity::SportStatus::Unstated;
    }
    a.local_offset_s = local_offset_s;
    a.name = d.notes;
    a.summary = lap_summary(&d.laps, is_foot_sport(sport), factor);
    a.samples = d.track.samples;
    a.laps = laps;
    a.pauses = d.track.pauses;
    a.device = Device {
        manufacturer: None,
        product: d.creator,
        creator: device_creator.clone(),
    };
    Some(a)
}

/// The laps' sums and time-weighted means: what the device says about the
/// whole activity. A distance only when some lap has one above zero (laps of
/// 0 m beside a GPS track are exporters' filler, not a measurement).
fn lap_summary(laps: &[LapDraft], foot: bool, cadence_factor: f32) -> DeviceSummary {
    let sum = |f: fn(&LapDraft) -> Option<f64>| -> Option<f64> {
        let values: Vec<f64> = laps.iter().filter_map(f).collect();
        (!values.is_empty()).then(|| values.iter().sum())
    };
    let weighted = |f: &dyn Fn(&LapDraft) -> Option<f64>| -> Option<f64> {
        let (mut total, mut weight) = (0.0, 0.0);
        for l in laps {
            if let (Some(v), Some(t)) = (f(l), l.total_time_s.filter(|t| *t > 0.0)) {
                total += v * t;
                weight += t;
            }
        }
        (weight > 0.0).then(|| total / weight)
    };
    let total_distance_m = sum(|l| l.distance_m).filter(|d| *d > 0.0);
    let total_timer_s = sum(|l| l.total_time_s);
    let starts: Vec<(i64, f64)> = laps
        .iter()
        .filter_map(|l| Some((l.start?.0, l.total_time_s.unwrap_or(0.0))))
        .collect();
    let total_elapsed_s = match (
        starts.iter().map(|(s, _)| *s).min(),
        starts
            .iter()
            .map(|(s, t)| *s as f64 + t * 1000.0)
            .reduce(f64::max),
    ) {
        (Some(first), Some(end)) if end > first as f64 => Some((end - first as f64) / 1000.0),
        _ => None,
    };
    let avg_cadence = if foot {
        weighted(&|l: &LapDraft| l.avg_run_cadence.or(l.cadence))
    } else {
        weighted(&|l: &LapDraft| l.cadence)
    };
    DeviceSummary {
        total_distance_m,
        total_timer_s,
        total_elapsed_s,
        total_ascent_m: None,
        total_descent_m: None,
        avg_cadence_spm: avg_cadence.map(|c| c * f64::from(cadence_factor)),
        avg_heart_rate_bpm: weighted(&|l: &LapDraft| l.avg_heart_rate),
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn median_ignores_zero_cadence() {
        assert_eq!(
            median_nonzero([0.0, 80.0, 0.0, 90.0, 85.0].into_iter()),
            Some(85.0)
        );
        assert_eq!(median_nonzero([0.0, 0.0].into_iter()), None);
    }

    #[test]
    fn not_tcx_is_corrupt() {
        let r = decode(b"<?xml version=\"1.0\"?><gpx version=\"1.1\"/>");
        assert!(
            matches!(&r, Err(DecodeError::Corrupt(m)) if m.contains("not TCX")),
            "{r:?}"
        );
        let r = decode(b"just text, no element");
        assert!(matches!(&r, Err(DecodeError::Corrupt(_))), "{r:?}");
    }

    #[test]
    fn never_panics_on_any_prefix_of_a_file() {
        let xml = r#"<?xml version="1.0"?><TrainingCenterDatabase><Activities>
            <Activity Sport="Running"><Id>2024-01-01T10:00:00Z</Id>
            <Lap StartTime="2024-01-01T10:00:00Z"><TotalTimeSeconds>2</TotalTimeSeconds>
            <DistanceMeters>5</DistanceMeters><Track><Trackpoint><Time>2024-01-01T10:00:00Z</Time>
            <Position><LatitudeDegrees>1</LatitudeDegrees><LongitudeDegrees>1</LongitudeDegrees></Position>
            <Extensions><ns3:TPX><ns3:RunCadence>80</ns3:RunCadence></ns3:TPX></Extensions></Trackpoint>
            <Trackpoint><Time>2024-01-01T10:00:01</Time></Trackpoint></Track></Lap></Activity>
            </Activities></TrainingCenterDatabase>"#;
        for cut in 0..=xml.len() {
            let _ = decode(&xml.as_bytes()[..cut]);
        }
    }
}
