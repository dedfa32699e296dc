//! TCX bytes → one [`Activity`] per `<Activity>`: a lenient streaming reader
//! on `quick-xml`, built like the GPX reader (gpx.rs) and sharing its
//! attribute, number, time and sport helpers.
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

use super::gpx::{attribute, parse_f32, parse_f64, parse_time, sport_of};
use super::{DecodeError, Decoded, Format};
use crate::activity::{Activity, Device, DeviceSummary, Lap, Pause, Sample, Sport, SubSport};
use quick_xml::Reader;
use quick_xml::events::{BytesRef, BytesStart, Event};

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
    let mut reader = Reader::from_reader(bytes);
    // A bare `&` in a note ("Tom & Jerry") must not cost the whole file.
    reader.config_mut().allow_dangling_amp = true;
    let mut state = TcxState::default();
    let mut stop = None;
    loop {
        let at_byte = reader.buffer_position();
        let event = match reader.read_event() {
            Ok(event) => event,
            Err(err) => {
                stop = Some(XmlStop {
                    at_byte: reader.error_position(),
                    // Syntax errors are all "the input ended inside markup".
                    cut_short: matches!(err, quick_xml::Error::Syntax(_)),
                    message: err.to_string(),
                });
                break;
            }
        };
        match event {
            Event::Start(e) => state.open(&e, at_byte)?,
            Event::Empty(e) => {
                state.open(&e, at_byte)?;
                state.close();
            }
            Event::End(_) => state.close(),
            Event::Text(t) => state.text(&t, at_byte),
            Event::CData(t) => state.text(&t, at_byte),
            Event::GeneralRef(r) => state.reference(&r),
            Event::Eof => break,
            Event::Comment(_) | Event::Decl(_) | Event::PI(_) | Event::DocType(_) => {}
        }
    }
    state.finish(stop, bytes.len())
}

/// Why reading stopped before a clean end of input: quick-xml gave up.
struct XmlStop {
    at_byte: u64,
    /// The input ended inside markup (a file cut short), rather than bad XML
    /// in the middle.
    cut_short: bool,
    message: String,
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
    Other,
}

/// A leaf whose text we keep.
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
    Time,
    Lat,
    Lon,
    Altitude,
    Distance,
    HeartRate,
    Cadence,
    RunCadence,
    Speed,
    Watts,
}

/// What a child element is, from its parent and its local name (any case).
fn classify(parent: Tag, local: &[u8]) -> Tag {
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
        Tag::Trackpoint if is(b"Time") => Tag::Field(Field::Time),
        Tag::Trackpoint if is(b"Position") => Tag::Position,
        Tag::Trackpoint if is(b"AltitudeMeters") => Tag::Field(Field::Altitude),
        Tag::Trackpoint if is(b"DistanceMeters") => Tag::Field(Field::Distance),
        Tag::Trackpoint if is(b"HeartRateBpm") => Tag::PointHeartRate,
        Tag::Trackpoint if is(b"Cadence") => Tag::Field(Field::Cadence),
        Tag::Trackpoint if is(b"Extensions") => Tag::PointExt,
        Tag::Position if is(b"LatitudeDegrees") => Tag::Field(Field::Lat),
        Tag::Position if is(b"LongitudeDegrees") => Tag::Field(Field::Lon),
        Tag::PointHeartRate if is(b"Value") => Tag::Field(Field::HeartRate),
        Tag::PointExt if is(b"Speed") => Tag::Field(Field::Speed),
        Tag::PointExt if is(b"RunCadence") => Tag::Field(Field::RunCadence),
        Tag::PointExt if is(b"Watts") => Tag::Field(Field::Watts),
        Tag::PointExt => Tag::PointExt,
        Tag::Courses if is(b"Course") => Tag::Course,
        Tag::Course | Tag::CourseInner if is(b"Trackpoint") => Tag::CoursePoint,
        Tag::Course | Tag::CourseInner | Tag::CoursePoint => Tag::CourseInner,
        Tag::Workouts if is(b"Workout") => Tag::Workout,
        _ => Tag::Other,
    }
}

/// A `<Trackpoint>` being read.
#[derive(Debug, Default)]
struct PointDraft {
    /// UTC epoch ms and the offset written in the text (None for `Z` or no
    /// zone).
    time: Option<(i64, Option<i32>)>,
    bad_time: bool,
    lat: Option<f64>,
    lon: Option<f64>,
    altitude: Option<f32>,
    distance: Option<f64>,
    heart_rate: Option<f32>,
    /// `<Cadence>` on the point (a bike's rpm; some exporters' running cadence).
    cadence: Option<f32>,
    /// TPX `<RunCadence>`, as written (Garmin: per leg).
    run_cadence: Option<f32>,
    speed: Option<f32>,
    watts: Option<f32>,
}

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
    id: Option<(i64, Option<i32>)>,
    notes: Option<String>,
    creator: Option<String>,
    laps: Vec<LapDraft>,
    samples: Vec<Sample>,
    pauses: Vec<Pause>,
    local_offset_s: Option<i32>,
    /// A second `<Track>` began in the current lap: the next point closes a
    /// pause from the previous one.
    track_break: bool,
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
            samples: Vec::new(),
            pauses: Vec::new(),
            local_offset_s: None,
            track_break: false,
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

fn is_foot_sport(sport: Sport) -> bool {
    matches!(sport, Sport::Running | Sport::Walking | Sport::Hiking)
}

#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
enum Root {
    #[default]
    NotSeen,
    Open,
    Closed,
}

/// Things counted for warnings and for the reason a file gave no activity.
#[derive(Debug, Default)]
struct Counts {
    activities: usize,
    trackpoints: usize,
    untimed: usize,
    bad_time: usize,
    zoneless: usize,
    bad_position: usize,
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
    root: Root,
    stack: Vec<Tag>,
    text: String,
    /// `creator="…"` on the root element (Runtastic writes one).
    root_creator: Option<String>,
    /// `<Author><Name>`: the program that wrote the file.
    author: Option<String>,
    current: Option<ActivityDraft>,
    lap: Option<LapDraft>,
    point: Option<PointDraft>,
    done: Vec<ActivityDraft>,
    counts: Counts,
    /// Byte where something followed `</TrainingCenterDatabase>`.
    trailing_at: Option<u64>,
}

impl TcxState {
    fn open(&mut self, e: &BytesStart<'_>, at_byte: u64) -> Result<(), DecodeError> {
        let name = e.local_name();
        let local = name.as_ref();
        let tag = match (self.root, self.stack.last()) {
            (_, Some(&parent)) => classify(parent, local),
            (Root::NotSeen, None) if local.eq_ignore_ascii_case(b"TrainingCenterDatabase") => {
                self.root = Root::Open;
                self.root_creator = attribute(e, b"creator").filter(|c| !c.is_empty());
                Tag::Root
            }
            (Root::NotSeen, None) => {
                let shown: String = String::from_utf8_lossy(local).chars().take(40).collect();
                return Err(DecodeError::Corrupt(format!(
                    "not TCX: the first element (at byte {at_byte}) is <{shown}>, not <TrainingCenterDatabase>"
                )));
            }
            (_, None) => {
                self.trailing_at.get_or_insert(at_byte);
                Tag::Other
            }
        };
        match tag {
            Tag::Activity => {
                self.counts.activities += 1;
                self.end_activity();
                self.current = Some(ActivityDraft::new(attribute(e, b"Sport")));
            }
            Tag::Lap => {
                self.end_lap();
                let start = attribute(e, b"StartTime").and_then(|t| self.time(&t));
                self.lap = Some(LapDraft {
                    start,
                    ..LapDraft::default()
                });
            }
            Tag::Track => {
                if let (Some(lap), Some(activity)) = (self.lap.as_ref(), self.current.as_mut()) {
                    activity.track_break |= lap.track_had_points;
                }
            }
            Tag::Trackpoint => self.point = Some(PointDraft::default()),
            Tag::Transition => self.counts.transitions += 1,
            Tag::Course => self.counts.courses += 1,
            Tag::CoursePoint => self.counts.course_points += 1,
            Tag::Workout => self.counts.workouts += 1,
            Tag::Field(_) => self.text.clear(),
            _ => {}
        }
        self.stack.push(tag);
        Ok(())
    }

    fn close(&mut self) {
        // quick-xml checks that end names match, so the top is this element.
        let Some(tag) = self.stack.pop() else {
            return;
        };
        match tag {
            Tag::Root if self.stack.is_empty() => self.root = Root::Closed,
            Tag::Activity => self.end_activity(),
            Tag::Lap => self.end_lap(),
            Tag::Trackpoint => {
                if let Some(draft) = self.point.take() {
                    self.finish_point(draft);
                }
            }
            Tag::Field(field) => {
                let text = std::mem::take(&mut self.text);
                self.set_field(field, text.trim());
                // Keep the buffer's capacity for the next field.
                self.text = text;
                self.text.clear();
            }
            _ => {}
        }
    }

    fn text(&mut self, raw: &[u8], at_byte: u64) {
        match self.stack.last() {
            Some(Tag::Field(_)) => match std::str::from_utf8(raw) {
                Ok(s) => self.text.push_str(s),
                Err(_) => self.text.push_str(&String::from_utf8_lossy(raw)),
            },
            None if self.root == Root::Closed && !raw.trim_ascii().is_empty() => {
                self.trailing_at.get_or_insert(at_byte);
            }
            _ => {}
        }
    }

    /// `&amp;`, `&#233;`, ... inside a kept text.
    fn reference(&mut self, r: &BytesRef<'_>) {
        if !matches!(self.stack.last(), Some(Tag::Field(_))) {
            return;
        }
        if let Ok(Some(c)) = r.resolve_char_ref() {
            self.text.push(c);
            return;
        }
        let name = String::from_utf8_lossy(r);
        match quick_xml::escape::resolve_predefined_entity(&name) {
            Some(s) => self.text.push_str(s),
            None => {
                self.text.push('&');
                self.text.push_str(&name);
                self.text.push(';');
            }
        }
    }

    /// A time as [`parse_time`] reads it; a time without any zone is counted
    /// (it is read as UTC, and the warning says so).
    fn time(&mut self, text: &str) -> Option<(i64, Option<i32>)> {
        let parsed = parse_time(text)?;
        if !has_zone(text) {
            self.counts.zoneless += 1;
        }
        Some(parsed)
    }

    fn set_field(&mut self, field: Field, text: &str) {
        if text.is_empty() {
            return;
        }
        match field {
            Field::AuthorName => {
                self.author.get_or_insert_with(|| text.to_string());
                return;
            }
            Field::Id | Field::ActivityNotes | Field::CreatorName => {
                let time = match field {
                    Field::Id => self.time(text),
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
                return;
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
                return;
            }
            _ => {}
        }
        if field == Field::Time {
            let time = self.time(text);
            if let Some(point) = self.point.as_mut() {
                point.time = time;
                point.bad_time = time.is_none();
            }
            return;
        }
        let Some(point) = self.point.as_mut() else {
            return;
        };
        match field {
            Field::Lat => point.lat = parse_f64(text),
            Field::Lon => point.lon = parse_f64(text),
            Field::Altitude => point.altitude = parse_f32(text),
            Field::Distance => point.distance = parse_f64(text).filter(|d| *d >= 0.0),
            Field::HeartRate => point.heart_rate = parse_f32(text),
            Field::Cadence => point.cadence = parse_f32(text).filter(|c| *c >= 0.0),
            Field::RunCadence => point.run_cadence = parse_f32(text).filter(|c| *c >= 0.0),
            Field::Speed => point.speed = parse_f32(text),
            Field::Watts => point.watts = parse_f32(text),
            _ => {}
        }
    }

    fn finish_point(&mut self, p: PointDraft) {
        self.counts.trackpoints += 1;
        let Some(activity) = self.current.as_mut() else {
            return;
        };
        let Some((time_ms, offset_s)) = p.time else {
            self.counts.untimed += 1;
            if p.bad_time {
                self.counts.bad_time += 1;
            }
            return;
        };
        let position = match (p.lat, p.lon) {
            // Exporters write 0/0 for "no fix"; nobody runs at null island.
            (Some(lat), Some(lon)) if lat == 0.0 && lon == 0.0 => {
                self.counts.null_island += 1;
                None
            }
            (Some(lat), Some(lon))
                if (-90.0..=90.0).contains(&lat) && (-180.0..=180.0).contains(&lon) =>
            {
                Some((lat, lon))
            }
            (None, None) => None,
            _ => {
                self.counts.bad_position += 1;
                None
            }
        };
        if activity.samples.is_empty() {
            activity.local_offset_s = offset_s;
        }
        if activity.track_break {
            activity.track_break = false;
            match activity.samples.last() {
                Some(prev) if time_ms > prev.time_ms => {
                    let start_ms = prev.time_ms;
                    activity.pauses.push(Pause {
                        start_ms,
                        end_ms: time_ms,
                    });
                }
                _ => {}
            }
        }
        // Doubled (or not) once the whole activity is read: see
        // ALREADY_STEPS_MEDIAN.
        let cadence = if is_foot_sport(activity.sport) {
            p.run_cadence.or(p.cadence)
        } else {
            p.cadence.or(p.run_cadence)
        };
        let sample = Sample {
            time_ms,
            lat_deg: position.map(|(lat, _)| lat),
            lon_deg: position.map(|(_, lon)| lon),
            distance_m: p.distance,
            speed_m_per_s: p.speed,
            altitude_m: p.altitude,
            cadence_spm: cadence,
            heart_rate_bpm: p.heart_rate,
            temperature_c: None,
            power_w: p.watts,
        };
        // Garmin Connect's TCX export repeats the point on a lap boundary:
        // the last point of a lap opens the next lap again, same time, same
        // values. Kept twice it is a zero-second step and an extra sample
        // the FIT of the same run does not have.
        if activity.samples.last() == Some(&sample) {
            self.counts.repeated += 1;
        } else {
            activity.samples.push(sample);
        }
        if let Some(lap) = self.lap.as_mut() {
            lap.track_had_points = true;
        }
    }

    /// A lap ends (its `</Lap>`, or the file ends inside it).
    fn end_lap(&mut self) {
        if let (Some(lap), Some(activity)) = (self.lap.take(), self.current.as_mut()) {
            activity.track_break = false;
            activity.laps.push(lap);
        }
    }

    /// An activity ends (its `</Activity>`, or the file ends inside it).
    fn end_activity(&mut self) {
        self.end_lap();
        self.point = None;
        if let Some(activity) = self.current.take() {
            self.done.push(activity);
        }
    }

    /// The outermost interesting element the reader is inside, for messages.
    fn location(&self) -> &'static str {
        let inside = |t: Tag| self.stack.contains(&t);
        if inside(Tag::Activity) {
            "Activity"
        } else if inside(Tag::MultiSport) {
            "MultiSportSession"
        } else if inside(Tag::Courses) {
            "Courses"
        } else if inside(Tag::Workouts) {
            "Workouts"
        } else {
            "TrainingCenterDatabase"
        }
    }

    /// Why the file is incomplete, or None when it ended cleanly.
    fn incomplete_reason(&self, stop: Option<XmlStop>, len: usize) -> Option<String> {
        let kept: usize = self.done.iter().map(|a| a.samples.len()).sum::<usize>()
            + self.current.as_ref().map_or(0, |a| a.samples.len());
        match stop {
            Some(XmlStop {
                at_byte,
                cut_short: true,
                message,
            }) => Some(format!(
                "file ends inside <{}> at byte {at_byte} of {len} ({message}); {kept} points kept",
                self.location()
            )),
            Some(XmlStop {
                at_byte, message, ..
            }) => Some(format!(
                "malformed XML at byte {at_byte} inside <{}>: {message}; {kept} points read before it kept",
                self.location()
            )),
            None if self.root == Root::Open && self.stack.len() > 1 => Some(format!(
                "file ends inside <{}> at byte {len} (no closing tags); {kept} points kept",
                self.location()
            )),
            None if self.root == Root::Open => {
                Some(format!("missing </TrainingCenterDatabase> at byte {len}"))
            }
            None => None,
        }
    }

    fn finish(mut self, stop: Option<XmlStop>, len: usize) -> Result<Decoded, DecodeError> {
        let partial = self.incomplete_reason(stop, len);
        // A file cut inside an activity keeps what that activity read.
        self.end_activity();

        let mut notes: Vec<String> = Vec::new();
        let device_creator = self.author.clone().or_else(|| self.root_creator.clone());
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
            return Err(self.no_activity(partial, len));
        }

        let c = &self.counts;
        let mut warnings = Vec::new();
        if c.untimed > 0 {
            warnings.push(format!(
                "{} of {} track points have no <Time>{} and were left out",
                c.untimed,
                c.trackpoints,
                match c.bad_time {
                    0 => String::new(),
                    n => format!(" ({n} unreadable)"),
                },
            ));
        }
        if c.zoneless > 0 {
            warnings.push(format!(
                "{} times carry no time zone: read as UTC",
                c.zoneless
            ));
        }
        if c.bad_position > 0 {
            warnings.push(format!(
                "{} points with an out-of-range or half-missing position kept without it",
                c.bad_position
            ));
        }
        if c.null_island > 0 {
            warnings.push(format!(
                "{} points at latitude 0, longitude 0 (no GPS fix) kept without position",
                c.null_island
            ));
        }
        if c.repeated > 0 {
            warnings.push(format!(
                "{} repeated track points (same time, same values, as at Garmin Connect lap boundaries) kept once",
                c.repeated
            ));
        }
        if c.transitions > 0 {
            warnings.push(format!(
                "{} multisport transitions not kept as activities",
                c.transitions
            ));
        }
        if empty > 0 {
            warnings.push(format!(
                "{empty} <Activity> without timed points or lap times left out"
            ));
        }
        warnings.extend(notes);
        if let Some(at) = self.trailing_at {
            warnings.push(format!(
                "ignored content after </TrainingCenterDatabase> at byte {at}"
            ));
        }

        Ok(Decoded {
            format: Format::Tcx,
            activities,
            partial,
            warning: (!warnings.is_empty()).then(|| warnings.join("; ")),
        })
    }

    /// The error for a file that yielded no activity.
    fn no_activity(&self, partial: Option<String>, len: usize) -> DecodeError {
        let c = &self.counts;
        if let Some(reason) = partial {
            return DecodeError::Corrupt(format!(
                "{reason}, no activity with a timed point or lap read before it"
            ));
        }
        if self.root == Root::NotSeen {
            return DecodeError::Corrupt(format!(
                "not XML: no element found from byte 0 to byte {len}"
            ));
        }
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
        if c.bad_time > 0 {
            return DecodeError::NoTrack(format!(
                "activities have no readable times ({} unreadable <Time>)",
                c.bad_time
            ));
        }
        DecodeError::NoTrack(format!(
            "{} <Activity> without timed track points or lap times",
            c.activities
        ))
    }
}

/// Does an ISO 8601 time carry a zone (`Z`, `+02:00`, `-0500`)?
fn has_zone(text: &str) -> bool {
    let text = text.trim();
    if text.ends_with(['Z', 'z']) {
        return true;
    }
    // After the date's dashes: the clock part, where a sign means an offset.
    match text.find(['T', 't', ' ']) {
        Some(i) => text[i..].contains(['+', '-']),
        None => false,
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
    if d.samples.is_empty() && laps.is_empty() {
        return None;
    }
    let label = d.sport_label.as_deref().unwrap_or("other");
    if d.samples.windows(2).any(|w| w[1].time_ms < w[0].time_ms) {
        d.samples.sort_by_key(|s| s.time_ms);
        notes.push(format!(
            "{label} activity: track points were out of time order: sorted"
        ));
    }

    // See ALREADY_STEPS_MEDIAN.
    let mut factor = 1.0f32;
    let median = median_nonzero(d.samples.iter().filter_map(|s| s.cadence_spm));
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
        for s in &mut d.samples {
            s.cadence_spm = s.cadence_spm.map(|c| c * factor);
        }
    }

    let first_sample_ms = d.samples.first().map(|s| s.time_ms);
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
    a.samples = d.samples;
    a.laps = laps;
    a.pauses = d.pauses;
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
    fn zone_is_told_from_its_absence() {
        assert!(has_zone("2024-01-01T10:00:00Z"));
        assert!(has_zone("2024-01-01T10:00:00.5+02:00"));
        assert!(has_zone("2024-01-01T10:00:00-0500"));
        assert!(!has_zone("2024-01-01T10:00:00"));
        assert!(!has_zone("2024-01-01 10:00:00.250"));
        assert!(!has_zone("2024-01-01"));
    }

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
