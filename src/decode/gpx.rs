//! GPX bytes → one [`Activity`]: a lenient streaming reader on `quick-xml`.
//!
//! The `gpx` crate is not used for reading (DESIGN.md "GPX"): it drops
//! `<extensions>` and rejects real files. This reader matches elements by their
//! local name only (any namespace prefix, GPX 1.0 or 1.1, root with or without
//! namespace), ignores every element it does not know, and keeps:
//!
//! - all `<trk>` of a file as ONE activity (a GPX file is one recording); the
//!   gap between two `<trkseg>` is a [`Pause`];
//! - OpenTracks' legacy pause sentinels (a trkpt at latitude 100 = pause,
//!   latitude 200 = resume) as a [`Pause`], never as samples;
//! - Garmin TrackPointExtension `hr`/`cad`/`atemp`, Apple's several
//!   `<extensions>` blocks per point, un-namespaced `<speed>` (Apple Health),
//!   `PowerInWatts`;
//! - only points that carry a `<time>`: a file where no point does is a planned
//!   route, not a recording ([`DecodeError::NoTrack`]).
//!
//! A file cut short (a GPX still being written, a half-synced copy) keeps the
//! points read before the cut and says so in [`Decoded::partial`]; it is
//! `Corrupt` only when nothing usable came before the break.

use super::{DecodeError, Decoded, Format};
use crate::activity::{Activity, Device, Pause, Sample, Sport, SubSport};
use chrono::{DateTime, NaiveDateTime};
use quick_xml::Reader;
use quick_xml::events::{BytesRef, BytesStart, Event};

/// OpenTracks' legacy export wrote a pause as a trkpt at this latitude...
const SENTINEL_PAUSE_LAT: f64 = 100.0;
/// ...and the matching resume at this one (both with longitude 0).
const SENTINEL_RESUME_LAT: f64 = 200.0;

/// Decode one GPX file into one activity.
///
/// The sport comes from the first `<trk><type>`. With no `<type>` at all the
/// activity is a run whose sport is `Unstated` (and `sport_label` empty):
/// a runner's sync folder holds runs, and the exporters that omit the type
/// (Strava, Apple Health) do so for runs as well — but so do bike apps, so
/// [`crate::sport::settle`] looks at the evidence before it counts.
pub fn decode(bytes: &[u8]) -> Result<Decoded, DecodeError> {
    let mut reader = Reader::from_reader(bytes);
    // A bare `&` in a name ("Tom & Jerry") must not cost the whole track.
    reader.config_mut().allow_dangling_amp = true;
    let mut state = GpxState::default();
    let mut stop = None;
    loop {
        // Where the next event starts (its `<` for a tag).
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
    Gpx,
    Metadata,
    Trk,
    Trkseg,
    Trkpt,
    Rte,
    Rtept,
    Wpt,
    /// The `<extensions>` of a trkpt and every container nested in it
    /// (`TrackPointExtension`, `PowerExtension`, ...).
    PointExt,
    Field(Field),
    Other,
}

/// A leaf whose text we keep.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Field {
    /// `<metadata><name>` (1.1) or `<gpx><name>` (1.0).
    FileName,
    /// `<metadata><time>` (1.1) or `<gpx><time>` (1.0): when the file says
    /// it was made, checked against its track's clock.
    FileTime,
    TrkName,
    TrkType,
    Ele,
    Time,
    Speed,
    HeartRate,
    Cadence,
    Temperature,
    Power,
}

/// What a child element is, from its parent and its lower-cased local name.
fn classify(parent: Tag, local: &[u8]) -> Tag {
    match (parent, local) {
        (Tag::Gpx, b"metadata") => Tag::Metadata,
        (Tag::Gpx, b"trk") => Tag::Trk,
        (Tag::Gpx, b"rte") => Tag::Rte,
        (Tag::Gpx, b"wpt") => Tag::Wpt,
        (Tag::Gpx | Tag::Metadata, b"name") => Tag::Field(Field::FileName),
        (Tag::Gpx | Tag::Metadata, b"time") => Tag::Field(Field::FileTime),
        (Tag::Trk, b"name") => Tag::Field(Field::TrkName),
        (Tag::Trk, b"type") => Tag::Field(Field::TrkType),
        (Tag::Trk, b"trkseg") => Tag::Trkseg,
        // Lenient: a trkpt straight under trk (no trkseg) is still a point.
        (Tag::Trk | Tag::Trkseg, b"trkpt") => Tag::Trkpt,
        (Tag::Rte, b"rtept") => Tag::Rtept,
        (Tag::Trkpt, b"ele") => Tag::Field(Field::Ele),
        (Tag::Trkpt, b"time") => Tag::Field(Field::Time),
        // GPX 1.0 has <speed> on the point itself.
        (Tag::Trkpt, b"speed") => Tag::Field(Field::Speed),
        (Tag::Trkpt, b"extensions") => Tag::PointExt,
        (Tag::PointExt, b"hr") => Tag::Field(Field::HeartRate),
        (Tag::PointExt, b"cad") => Tag::Field(Field::Cadence),
        (Tag::PointExt, b"atemp" | b"temp") => Tag::Field(Field::Temperature),
        (Tag::PointExt, b"speed") => Tag::Field(Field::Speed),
        (Tag::PointExt, b"power" | b"powerinwatts") => Tag::Field(Field::Power),
        (Tag::PointExt, _) => Tag::PointExt,
        _ => Tag::Other,
    }
}

/// A trkpt being read.
#[derive(Debug, Default)]
struct PointDraft {
    lat: Option<f64>,
    lon: Option<f64>,
    /// UTC epoch ms and the offset written in the text (None for `Z`).
    time: Option<(i64, Option<i32>)>,
    bad_time: bool,
    ele: Option<f32>,
    speed: Option<f32>,
    heart_rate: Option<f32>,
    /// As written: per leg for Garmin/Strava/OpenTracks/Apple runs.
    cadence: Option<f32>,
    temperature: Option<f32>,
    power: Option<f32>,
}

#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
enum Root {
    #[default]
    NotSeen,
    Open,
    Closed,
}

#[derive(Debug, Default)]
struct GpxState {
    root: Root,
    stack: Vec<Tag>,
    text: String,
    creator: Option<String>,
    file_name: Option<String>,
    file_time_ms: Option<i64>,
    trk_name: Option<String>,
    trk_type: Option<String>,
    point: Option<PointDraft>,
    samples: Vec<Sample>,
    pauses: Vec<Pause>,
    local_offset_s: Option<i32>,
    /// A new trkseg began: the next sample closes a pause from the previous one.
    segment_break: bool,
    /// An OpenTracks pause sentinel waiting for its resume.
    pending_pause_ms: Option<i64>,
    trk_count: usize,
    trkpt_count: usize,
    untimed_count: usize,
    bad_time_count: usize,
    sentinel_count: usize,
    bad_position_count: usize,
    rte_count: usize,
    rtept_count: usize,
    wpt_count: usize,
    /// Byte where something followed `</gpx>`.
    trailing_at: Option<u64>,
}

impl GpxState {
    fn open(&mut self, e: &BytesStart<'_>, at_byte: u64) -> Result<(), DecodeError> {
        let local = e.local_name().as_ref().to_ascii_lowercase();
        let tag = match (self.root, self.stack.last()) {
            (_, Some(&parent)) => classify(parent, &local),
            (Root::NotSeen, None) if local == b"gpx" => {
                self.root = Root::Open;
                self.creator = attribute(e, b"creator").filter(|c| !c.is_empty());
                Tag::Gpx
            }
            (Root::NotSeen, None) => {
                let shown: String = String::from_utf8_lossy(&local).chars().take(40).collect();
                return Err(DecodeError::Corrupt(format!(
                    "not GPX: the first element (at byte {at_byte}) is <{shown}>, not <gpx>"
                )));
            }
            (_, None) => {
                self.trailing_at.get_or_insert(at_byte);
                Tag::Other
            }
        };
        match tag {
            Tag::Trk => self.trk_count += 1,
            Tag::Trkseg => self.segment_break = true,
            Tag::Rte => self.rte_count += 1,
            Tag::Rtept => self.rtept_count += 1,
            Tag::Wpt => self.wpt_count += 1,
            Tag::Trkpt => {
                self.point = Some(PointDraft {
                    lat: attribute(e, b"lat").and_then(|v| parse_f64(&v)),
                    lon: attribute(e, b"lon").and_then(|v| parse_f64(&v)),
                    ..PointDraft::default()
                });
            }
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
            Tag::Gpx if self.stack.is_empty() => self.root = Root::Closed,
            Tag::Trkpt => {
                if let Some(draft) = self.point.take() {
                    self.finish_point(draft);
                }
            }
            Tag::Field(field) => {
                let text = std::mem::take(&mut self.text);
                self.set_field(field, text.trim());
            }
            _ => {}
        }
    }

    fn text(&mut self, raw: &[u8], at_byte: u64) {
        match self.stack.last() {
            Some(Tag::Field(_)) => self.text.push_str(&String::from_utf8_lossy(raw)),
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

    fn set_field(&mut self, field: Field, text: &str) {
        if text.is_empty() {
            return;
        }
        let first = |slot: &mut Option<String>| {
            slot.get_or_insert_with(|| text.to_string());
        };
        match field {
            Field::FileName => first(&mut self.file_name),
            Field::FileTime if self.file_time_ms.is_none() => {
                self.file_time_ms = parse_time(text).map(|t| t.0);
            }
            Field::TrkName => first(&mut self.trk_name),
            Field::TrkType => first(&mut self.trk_type),
            _ => {}
        }
        let Some(point) = self.point.as_mut() else {
            return;
        };
        let value = parse_f32(text);
        match field {
            Field::Time => {
                point.time = parse_time(text);
                point.bad_time = point.time.is_none();
            }
            Field::Ele => point.ele = value,
            Field::Speed => point.speed = value,
            Field::HeartRate => point.heart_rate = value,
            Field::Cadence => point.cadence = value,
            Field::Temperature => point.temperature = value,
            Field::Power => point.power = value,
            Field::FileName | Field::FileTime | Field::TrkName | Field::TrkType => {}
        }
    }

    fn finish_point(&mut self, p: PointDraft) {
        self.trkpt_count += 1;
        let Some((time_ms, offset_s)) = p.time else {
            self.untimed_count += 1;
            if p.bad_time {
                self.bad_time_count += 1;
            }
            return;
        };
        // OpenTracks legacy sentinels: not samples, a pause between them.
        if p.lat == Some(SENTINEL_PAUSE_LAT) {
            self.sentinel_count += 1;
            self.pending_pause_ms.get_or_insert(time_ms);
            return;
        }
        if p.lat == Some(SENTINEL_RESUME_LAT) {
            self.sentinel_count += 1;
            if let Some(start_ms) = self.pending_pause_ms.take() {
                self.push_pause(start_ms, time_ms);
            }
            return;
        }
        let position = match (p.lat, p.lon) {
            (Some(lat), Some(lon))
                if (-90.0..=90.0).contains(&lat) && (-180.0..=180.0).contains(&lon) =>
            {
                Some((lat, lon))
            }
            (None, None) => None,
            _ => {
                self.bad_position_count += 1;
                None
            }
        };
        if self.samples.is_empty() {
            self.local_offset_s = offset_s;
        }
        if self.segment_break {
            self.segment_break = false;
            if let Some(prev) = self.samples.last() {
                let start_ms = prev.time_ms;
                self.push_pause(start_ms, time_ms);
            }
        }
        // A pause sentinel whose resume never came: the pause ends here (and
        // one at the very end of the file, with nothing after it, is dropped).
        if let Some(start_ms) = self.pending_pause_ms.take() {
            self.push_pause(start_ms, time_ms);
        }
        self.samples.push(Sample {
            time_ms,
            lat_deg: position.map(|(lat, _)| lat),
            lon_deg: position.map(|(_, lon)| lon),
            distance_m: None,
            speed_m_per_s: p.speed,
            altitude_m: p.ele,
            cadence_spm: p.cadence,
            heart_rate_bpm: p.heart_rate,
            temperature_c: p.temperature,
            power_w: p.power,
        });
    }

    fn push_pause(&mut self, start_ms: i64, end_ms: i64) {
        if end_ms > start_ms {
            self.pauses.push(Pause { start_ms, end_ms });
        }
    }

    /// The outermost interesting element the reader is inside, for messages.
    fn location(&self) -> &'static str {
        let inside = |t: Tag| self.stack.contains(&t);
        if inside(Tag::Trk) {
            "trk"
        } else if inside(Tag::Rte) {
            "rte"
        } else if inside(Tag::Wpt) {
            "wpt"
        } else if inside(Tag::Metadata) {
            "metadata"
        } else {
            "gpx"
        }
    }

    /// Why the file is incomplete, or None when it ended cleanly.
    fn incomplete_reason(&self, stop: Option<XmlStop>, len: usize) -> Option<String> {
        let kept = self.samples.len();
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
            None if self.root == Root::Open => Some(format!("missing </gpx> at byte {len}")),
            None => None,
        }
    }

    fn finish(mut self, stop: Option<XmlStop>, len: usize) -> Result<Decoded, DecodeError> {
        let partial = self.incomplete_reason(stop, len);
        if self.samples.is_empty() {
            return Err(self.no_samples(partial, len));
        }

        let mut warnings = Vec::new();
        if self.untimed_count > 0 {
            warnings.push(format!(
                "{} of {} track points have no <time>{} and were left out ({} kept)",
                self.untimed_count,
                self.trkpt_count,
                match self.bad_time_count {
                    0 => String::new(),
                    n => format!(" ({n} unreadable)"),
                },
                self.samples.len(),
            ));
        }
        if self.bad_position_count > 0 {
            warnings.push(format!(
                "{} points with an out-of-range or missing lat/lon kept without position",
                self.bad_position_count
            ));
        }
        if self
            .samples
            .windows(2)
            .any(|w| matches!(w, [a, b] if b.time_ms < a.time_ms))
        {
            self.samples.sort_by_key(|s| s.time_ms);
            warnings.push("track points were out of time order: sorted".to_string());
        }
        if let Some(at) = self.trailing_at {
            warnings.push(format!("ignored content after </gpx> at byte {at}"));
        }

        let (sport, sub_sport, sport_label) = sport_of(self.trk_type.as_deref());
        if matches!(sport, Sport::Running | Sport::Walking | Sport::Hiking) {
            // GPX `cad` is per leg (rpm) in Garmin Connect, Strava and
            // OpenTracks exports, and in Apple Watch's as well: in
            // Friday-Evening-Run.gpx the running segment (HR 164-171) has cad
            // 74-82, the same range as Garmin Connect's run in
            // garmin-activity.gpx (77-82). Read as steps/min, 74-82 would be a
            // slow stroll (walking is ~100-120 spm), not a run at HR 170;
            // doubled it is 148-164 spm, a normal running cadence.
            for s in &mut self.samples {
                s.cadence_spm = s.cadence_spm.map(|c| c * 2.0);
            }
        }

        let start_ms = self.samples.first().map_or(0, |s| s.time_ms);
        let mut activity = Activity::new(sport, start_ms);
        activity.sub_sport = sub_sport;
        activity.sport_label = sport_label;
        if self.trk_type.is_none() {
            activity.sport_status = crate::activity::SportStatus::Unstated;
        }
        activity.local_offset_s = self.local_offset_s;
        activity.name = self.trk_name.or(self.file_name);
        activity.declared_start_ms = self.file_time_ms;
        activity.samples = self.samples;
        activity.pauses = merge_pauses(self.pauses);
        activity.device = Device {
            creator: self.creator,
            ..Device::default()
        };

        Ok(Decoded {
            format: Format::Gpx,
            activities: vec![activity],
            partial,
            warning: (!warnings.is_empty()).then(|| warnings.join("; ")),
        })
    }

    /// The error for a file that yielded no sample.
    fn no_samples(&self, partial: Option<String>, len: usize) -> DecodeError {
        if let Some(reason) = partial {
            return DecodeError::Corrupt(format!("{reason}, none of them a timed track point"));
        }
        if self.root == Root::NotSeen {
            return DecodeError::Corrupt(format!(
                "not XML: no element found from byte 0 to byte {len}"
            ));
        }
        if self.trkpt_count == 0 {
            let reason = match (self.trk_count, self.rte_count, self.wpt_count) {
                (0, 0, 0) => "no track, route or waypoint".to_string(),
                (0, 0, w) => format!("waypoints only ({w} waypoints, no track)"),
                (0, r, 0) => format!(
                    "route only ({r} route, {} route points, no track)",
                    self.rtept_count
                ),
                (0, r, w) => {
                    format!("route and waypoints only ({r} route, {w} waypoints, no track)")
                }
                (t, _, _) => format!("track has no points ({t} <trk>, 0 <trkpt>)"),
            };
            return DecodeError::NoTrack(reason);
        }
        if self.sentinel_count > 0 && self.sentinel_count + self.untimed_count == self.trkpt_count {
            return DecodeError::NoTrack("track holds only pause/resume markers".to_string());
        }
        if self.bad_time_count > 0 {
            return DecodeError::NoTrack(format!(
                "track has no readable timestamps ({} unreadable <time>)",
                self.bad_time_count
            ));
        }
        DecodeError::NoTrack(
            "track has no timestamps (a planned route, not a recording)".to_string(),
        )
    }
}

/// An attribute by local name, unescaped (or lossy raw bytes if it does not
/// unescape). Lenient on quoting and duplicates.
pub(super) fn attribute(e: &BytesStart<'_>, name: &[u8]) -> Option<String> {
    e.html_attributes()
        .with_checks(false)
        .flatten()
        .find_map(|a| {
            if !a.key.local_name().as_ref().eq_ignore_ascii_case(name) {
                return None;
            }
            let value = match a.unescape_value() {
                Ok(v) => v.into_owned(),
                Err(_) => String::from_utf8_lossy(&a.value).into_owned(),
            };
            Some(value.trim().to_string())
        })
}

pub(super) fn parse_f64(text: &str) -> Option<f64> {
    text.trim().parse::<f64>().ok().filter(|v| v.is_finite())
}

pub(super) fn parse_f32(text: &str) -> Option<f32> {
    parse_f64(text).map(|v| v as f32).filter(|v| v.is_finite())
}

/// A GPX `<time>`: UTC epoch ms (fractional seconds kept) and the offset the
/// text carried, `None` for `Z` or no zone. GPX requires UTC; times with no
/// zone at all (GPX 1.0 files exist with them) are taken as UTC.
pub(super) fn parse_time(text: &str) -> Option<(i64, Option<i32>)> {
    let text = text.trim();
    let zulu = text.ends_with(['Z', 'z']);
    let zoned = DateTime::parse_from_rfc3339(text)
        .or_else(|_| DateTime::parse_from_str(text, "%Y-%m-%dT%H:%M:%S%.f%z"));
    if let Ok(t) = zoned {
        let offset = (!zulu).then(|| t.offset().local_minus_utc());
        return Some((t.timestamp_millis(), offset));
    }
    ["%Y-%m-%dT%H:%M:%S%.f", "%Y-%m-%d %H:%M:%S%.f"]
        .iter()
        .find_map(|f| NaiveDateTime::parse_from_str(text, f).ok())
        .map(|t| (t.and_utc().timestamp_millis(), None))
}

/// `<trk><type>` → sport. Names used by Garmin Connect, Strava (words and its
/// numeric codes 1 = Ride, 9 = Run, 10 = Walk), OpenTracks and Apple.
pub fn sport_of(label: Option<&str>) -> (Sport, SubSport, String) {
    let Some(label) = label else {
        return (Sport::Running, SubSport::Generic, String::new());
    };
    let key: String = label
        .trim()
        .to_lowercase()
        .chars()
        .map(|c| if c == ' ' || c == '-' { '_' } else { c })
        .collect();
    let (sport, sub_sport) = match key.as_str() {
        "running" | "run" | "9" => (Sport::Running, SubSport::Generic),
        "trail_running" | "trailrun" | "trail_run" => (Sport::Running, SubSport::Trail),
        "street_running" | "road_running" => (Sport::Running, SubSport::Road),
        "track_running" => (Sport::Running, SubSport::Track),
        "treadmill_running" => (Sport::Running, SubSport::Treadmill),
        "indoor_running" => (Sport::Running, SubSport::Indoor),
        "virtual_run" | "virtualrun" => (Sport::Running, SubSport::Virtual),
        "cycling"
        | "biking"
        | "ride"
        | "1"
        | "mountain_biking"
        | "road_biking"
        | "e_bike_ride"
        | "ebikeride"
        | "virtual_ride"
        | "virtualride"
        | "gravel_ride"
        | "mountain_bike_ride"
        | "emountainbikeride"
        | "e_mountain_bike_ride"
        | "velomobile"
        | "handcycle"
        | "indoor_cycling"
        | "bike" => (Sport::Cycling, SubSport::Generic),
        "walking" | "walk" | "10" => (Sport::Walking, SubSport::Generic),
        "hiking" | "hike" => (Sport::Hiking, SubSport::Generic),
        "trail_running_race" | "race" => (Sport::Running, SubSport::Generic),
        "swimming" | "swim" | "open_water_swimming" | "lap_swimming" => {
            (Sport::Swimming, SubSport::Generic)
        }
        "rowing" | "indoor_rowing" => (Sport::Rowing, SubSport::Generic),
        _ => (Sport::Other, SubSport::Generic),
    };
    (sport, sub_sport, label.trim().to_string())
}

/// Segment gaps and sentinel pauses can overlap: sort and merge overlapping
/// ones. Pauses that only touch (a one-point segment between two gaps) stay
/// apart.
fn merge_pauses(mut pauses: Vec<Pause>) -> Vec<Pause> {
    pauses.sort_by_key(|p| p.start_ms);
    let mut merged: Vec<Pause> = Vec::with_capacity(pauses.len());
    for p in pauses {
        match merged.last_mut() {
            Some(last) if p.start_ms < last.end_ms => last.end_ms = last.end_ms.max(p.end_ms),
            _ => merged.push(p),
        }
    }
    merged
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    const HEAD_11: &str = r#"<?xml version="1.0" encoding="UTF-8"?>
<gpx version="1.1" creator="Test Watch" xmlns="http://www.topografix.com/GPX/1/1"
     xmlns:gpxtpx="http://www.garmin.com/xmlschemas/TrackPointExtension/v1">"#;

    fn pt(lat: f64, lon: f64, time: &str) -> String {
        format!(r#"<trkpt lat="{lat}" lon="{lon}"><ele>10</ele><time>{time}</time></trkpt>"#)
    }

    fn gpx11(trk_inner: &str) -> String {
        format!("{HEAD_11}<trk>{trk_inner}</trk></gpx>")
    }

    fn activity(xml: &str) -> Activity {
        let decoded = decode(xml.as_bytes()).unwrap();
        assert_eq!(decoded.format, Format::Gpx);
        assert_eq!(decoded.activities.len(), 1);
        decoded.activities.into_iter().next().unwrap()
    }

    fn ms(rfc3339: &str) -> i64 {
        DateTime::parse_from_rfc3339(rfc3339)
            .unwrap()
            .timestamp_millis()
    }

    #[test]
    fn gpx_1_1_with_garmin_extensions() {
        let xml = gpx11(
            r#"<name>Morning</name><type>running</type><trkseg>
            <trkpt lat="52.1" lon="4.4"><ele>3.5</ele><time>2024-05-01T06:00:00.250Z</time>
              <extensions><gpxtpx:TrackPointExtension>
                <gpxtpx:hr>140</gpxtpx:hr><gpxtpx:cad>85</gpxtpx:cad><gpxtpx:atemp>12.5</gpxtpx:atemp>
              </gpxtpx:TrackPointExtension></extensions></trkpt>
            <trkpt lat="52.1001" lon="4.4"><time>2024-05-01T06:00:01Z</time></trkpt>
            </trkseg>"#,
        );
        let a = activity(&xml);
        assert_eq!(a.sport, Sport::Running);
        assert_eq!(a.sport_label, "running");
        assert_eq!(a.name.as_deref(), Some("Morning"));
        assert_eq!(a.device.creator.as_deref(), Some("Test Watch"));
        assert_eq!(a.samples.len(), 2);
        assert_eq!(a.start_ms, ms("2024-05-01T06:00:00.250Z"));
        let s = a.samples[0];
        assert_eq!((s.lat_deg, s.lon_deg), (Some(52.1), Some(4.4)));
        assert_eq!(s.altitude_m, Some(3.5));
        assert_eq!(s.heart_rate_bpm, Some(140.0));
        assert_eq!(s.temperature_c, Some(12.5));
        assert_eq!(a.local_offset_s, None);
        assert!(a.pauses.is_empty() && a.laps.is_empty());
    }

    #[test]
    fn gpx_1_0_without_namespace_and_with_unknown_elements() {
        let xml = r#"<gpx version="1.0" creator="GPSBabel"><name>Old file</name>
            <trk><trkseg>
              <trkpt lat="45.0" lon="14.0"><ele>700</ele><time>2010-10-03T09:36:30Z</time>
                <course>12.0</course><speed>3.1</speed><magvar>1</magvar><sat>7</sat></trkpt>
              <trkpt lat="45.001" lon="14.0"><time>2010-10-03T09:36:31</time></trkpt>
            </trkseg></trk></gpx>"#;
        let a = activity(xml);
        assert_eq!(a.samples.len(), 2);
        assert_eq!(a.samples[0].speed_m_per_s, Some(3.1));
        // No zone at all: taken as UTC, as GPX requires.
        assert_eq!(a.samples[1].time_ms, ms("2010-10-03T09:36:31Z"));
        assert_eq!(a.name.as_deref(), Some("Old file"));
        // No <type>: a run until the evidence says otherwise.
        assert_eq!(
            (a.sport, a.sport_label.as_str(), a.sport_status),
            (Sport::Running, "", crate::activity::SportStatus::Unstated)
        );
    }

    #[test]
    fn prefixed_root_and_elements_match_by_local_name() {
        let xml = r#"<g:gpx xmlns:g="http://www.topografix.com/GPX/1/1"><g:trk><g:type>Ride</g:type>
            <g:trkseg><g:trkpt lat="1" lon="2"><g:time>2020-01-01T00:00:00Z</g:time></g:trkpt>
            </g:trkseg></g:trk></g:gpx>"#;
        let a = activity(xml);
        assert_eq!(a.samples.len(), 1);
        assert_eq!((a.sport, a.sport_label.as_str()), (Sport::Cycling, "Ride"));
    }

    #[test]
    fn two_segments_make_one_pause_between_them() {
        let xml = gpx11(&format!(
            "<trkseg>{}{}</trkseg><trkseg>{}{}</trkseg>",
            pt(1.0, 1.0, "2024-01-01T10:00:00Z"),
            pt(1.0, 1.001, "2024-01-01T10:00:10Z"),
            pt(1.0, 1.002, "2024-01-01T10:05:00Z"),
            pt(1.0, 1.003, "2024-01-01T10:05:10Z"),
        ));
        let a = activity(&xml);
        assert_eq!(a.samples.len(), 4);
        assert_eq!(
            a.pauses,
            vec![Pause {
                start_ms: ms("2024-01-01T10:00:10Z"),
                end_ms: ms("2024-01-01T10:05:00Z"),
            }]
        );
    }

    #[test]
    fn two_tracks_are_one_activity_with_a_pause() {
        let xml = format!(
            "{HEAD_11}<trk><name>first</name><trkseg>{}</trkseg></trk><trk><name>second</name><trkseg>{}</trkseg></trk></gpx>",
            pt(1.0, 1.0, "2024-01-01T10:00:00Z"),
            pt(1.0, 1.001, "2024-01-01T10:01:00Z"),
        );
        let a = activity(&xml);
        assert_eq!(a.samples.len(), 2);
        assert_eq!(a.name.as_deref(), Some("first"));
        assert_eq!(a.pauses.len(), 1);
    }

    #[test]
    fn opentracks_sentinels_are_a_pause_not_samples() {
        let xml = gpx11(&format!(
            "<trkseg>{}{}{}{}</trkseg>",
            pt(3.0, 14.0, "2021-01-07T21:51:59.179Z"),
            r#"<trkpt lat="100" lon="0"><time>2021-01-07T21:52:02.658Z</time></trkpt>"#,
            r#"<trkpt lat="200" lon="0"><time>2021-01-07T21:52:03.873Z</time></trkpt>"#,
            pt(3.0, 14.001, "2021-01-07T21:52:04.103Z"),
        ));
        let a = activity(&xml);
        assert_eq!(a.samples.len(), 2);
        assert!(a.samples.iter().all(|s| s.lat_deg == Some(3.0)));
        assert_eq!(
            a.pauses,
            vec![Pause {
                start_ms: ms("2021-01-07T21:52:02.658Z"),
                end_ms: ms("2021-01-07T21:52:03.873Z"),
            }]
        );
    }

    #[test]
    fn out_of_range_latitude_without_sentinel_meaning_keeps_the_point_without_position() {
        let xml = gpx11(&format!(
            "<trkseg>{}{}{}</trkseg>",
            pt(1.0, 1.0, "2024-01-01T10:00:00Z"),
            r#"<trkpt lat="95.5" lon="1"><time>2024-01-01T10:00:01Z</time>
               <extensions><gpxtpx:TrackPointExtension><gpxtpx:hr>150</gpxtpx:hr></gpxtpx:TrackPointExtension></extensions></trkpt>"#,
            r#"<trkpt lat="1" lon="999"><time>2024-01-01T10:00:02Z</time></trkpt>"#,
        ));
        let decoded = decode(xml.as_bytes()).unwrap();
        let a = &decoded.activities[0];
        assert_eq!(a.samples.len(), 3);
        assert!(a.pauses.is_empty());
        let odd = a.samples[1];
        assert_eq!((odd.lat_deg, odd.lon_deg), (None, None));
        assert_eq!(odd.heart_rate_bpm, Some(150.0));
        assert_eq!(odd.time_ms, ms("2024-01-01T10:00:01Z"));
        assert!(!a.samples[2].has_position());
        assert!(decoded.warning.unwrap().contains("2 points"));
    }

    #[test]
    fn offset_times_become_utc_and_set_the_local_offset() {
        let xml = gpx11(&format!(
            "<trkseg>{}{}</trkseg>",
            pt(3.0, 14.0, "2020-02-02T03:02:03+01:00"),
            pt(3.0, 14.001, "2020-02-02T03:02:17.5+01:00"),
        ));
        let a = activity(&xml);
        assert_eq!(a.start_ms, ms("2020-02-02T02:02:03Z"));
        assert_eq!(a.samples[1].time_ms, ms("2020-02-02T02:02:17.500Z"));
        assert_eq!(a.local_offset_s, Some(3600));
    }

    #[test]
    fn explicit_zero_offset_is_kept_but_z_is_not() {
        assert_eq!(
            parse_time("2020-01-01T00:00:00+00:00").map(|t| t.1),
            Some(Some(0))
        );
        assert_eq!(parse_time("2020-01-01T00:00:00Z").map(|t| t.1), Some(None));
        assert_eq!(
            parse_time("2020-01-01T00:00:00-0500").map(|t| t.1),
            Some(Some(-18000))
        );
        assert_eq!(parse_time("yesterday"), None);
    }

    #[test]
    fn a_track_without_any_time_is_a_planned_route() {
        let xml = gpx11(
            r#"<type>Run</type><trkseg><trkpt lat="1" lon="1"><ele>3</ele></trkpt>
               <trkpt lat="1" lon="1.1"/></trkseg>"#,
        );
        assert_eq!(
            decode(xml.as_bytes()),
            Err(DecodeError::NoTrack(
                "track has no timestamps (a planned route, not a recording)".to_string()
            ))
        );
    }

    #[test]
    fn partly_timed_track_keeps_only_timed_points() {
        let xml = gpx11(&format!(
            r#"<trkseg><trkpt lat="1" lon="1"><ele>3</ele></trkpt>{}{}</trkseg>"#,
            pt(1.0, 1.001, "2024-01-01T10:00:00Z"),
            pt(1.0, 1.002, "2024-01-01T10:00:01Z"),
        ));
        let decoded = decode(xml.as_bytes()).unwrap();
        assert_eq!(decoded.activities[0].samples.len(), 2);
        assert!(
            decoded
                .warning
                .unwrap()
                .contains("1 of 3 track points have no <time>")
        );
    }

    #[test]
    fn route_only_waypoints_only_and_empty_track_are_no_track() {
        let route = format!(
            r#"{HEAD_11}<rte><rtept lat="1" lon="1"/><rtept lat="1" lon="2"/></rte></gpx>"#
        );
        let r = decode(route.as_bytes());
        assert!(
            matches!(&r, Err(DecodeError::NoTrack(m)) if m.contains("route only")),
            "{r:?}"
        );

        let wpts = r#"<gpx version="1.1"><wpt lat="1" lon="1"></wpt></gpx>"#;
        let r = decode(wpts.as_bytes());
        assert!(
            matches!(&r, Err(DecodeError::NoTrack(m)) if m.contains("waypoints only")),
            "{r:?}"
        );

        let empty = gpx11("<trkseg></trkseg>");
        let r = decode(empty.as_bytes());
        assert!(
            matches!(&r, Err(DecodeError::NoTrack(m)) if m.contains("no points")),
            "{r:?}"
        );
    }

    #[test]
    fn a_file_cut_inside_the_track_keeps_what_was_read() {
        let full = gpx11(&format!(
            "<trkseg>{}{}{}</trkseg>",
            pt(1.0, 1.0, "2024-01-01T10:00:00Z"),
            pt(1.0, 1.001, "2024-01-01T10:00:01Z"),
            pt(1.0, 1.002, "2024-01-01T10:00:02Z"),
        ));
        // Cut in the middle of the third point's <time> text, then mid-tag.
        let cut_at = full.find("10:00:02").unwrap();
        for cut in [cut_at, cut_at - 3] {
            let decoded = decode(&full.as_bytes()[..cut]).unwrap();
            let reason = decoded.partial.unwrap();
            assert!(reason.starts_with("file ends inside <trk>"), "{reason}");
            assert_eq!(decoded.activities[0].samples.len(), 2);
        }
    }

    #[test]
    fn a_file_ending_after_the_track_misses_only_its_gpx_end() {
        let full = gpx11(&format!(
            "<trkseg>{}</trkseg>",
            pt(1.0, 1.0, "2024-01-01T10:00:00Z")
        ));
        let cut = full.strip_suffix("</gpx>").unwrap();
        let decoded = decode(cut.as_bytes()).unwrap();
        assert!(decoded.partial.unwrap().contains("missing </gpx>"));
        assert_eq!(decoded.activities[0].samples.len(), 1);
    }

    #[test]
    fn garbage_and_cut_before_any_point_are_corrupt() {
        let not_xml = decode(b"this is not xml at all");
        assert!(
            matches!(&not_xml, Err(DecodeError::Corrupt(m)) if m.contains("byte")),
            "{not_xml:?}"
        );
        let binary = decode(&[
            0x0e, 0x10, 0x6c, 0x00, b'<', 0xff, 0x3c, b'.', b'F', b'I', b'T',
        ]);
        assert!(
            matches!(&binary, Err(DecodeError::Corrupt(_))),
            "{binary:?}"
        );
        let cut = decode(format!("{HEAD_11}<trk><trkseg><trkpt lat=\"1\"").as_bytes());
        assert!(
            matches!(&cut, Err(DecodeError::Corrupt(m)) if m.contains("byte")),
            "{cut:?}"
        );
        let other_root = decode(b"<?xml version=\"1.0\"?><TrainingCenterDatabase/>");
        assert!(
            matches!(&other_root, Err(DecodeError::Corrupt(m)) if m.contains("not GPX")),
            "{other_root:?}"
        );
    }

    #[test]
    fn mismatched_end_tag_after_points_is_partial() {
        let xml = format!(
            "{HEAD_11}<trk><trkseg>{}</trkpt></trk></gpx>",
            pt(1.0, 1.0, "2024-01-01T10:00:00Z")
        );
        let decoded = decode(xml.as_bytes()).unwrap();
        assert!(
            decoded
                .partial
                .unwrap()
                .starts_with("malformed XML at byte")
        );
        assert_eq!(decoded.activities[0].samples.len(), 1);
    }

    fn cadence_file(sport: &str) -> String {
        gpx11(&format!(
            r#"<type>{sport}</type><trkseg><trkpt lat="1" lon="1"><time>2024-01-01T10:00:00Z</time>
            <extensions><gpxtpx:TrackPointExtension><gpxtpx:cad>85</gpxtpx:cad></gpxtpx:TrackPointExtension></extensions>
            </trkpt></trkseg>"#
        ))
    }

    #[test]
    fn running_cadence_is_doubled_to_steps_per_minute_other_sports_kept() {
        for (sport, expected) in [
            ("running", 170.0),
            ("hiking", 170.0),
            ("Walk", 170.0),
            ("cycling", 85.0),
            ("kayaking", 85.0),
        ] {
            let a = activity(&cadence_file(sport));
            assert_eq!(a.samples[0].cadence_spm, Some(expected), "{sport}");
        }
    }

    #[test]
    fn sport_names_and_strava_codes() {
        for (label, sport, sub) in [
            ("running", Sport::Running, SubSport::Generic),
            ("Run", Sport::Running, SubSport::Generic),
            ("9", Sport::Running, SubSport::Generic),
            ("trail_running", Sport::Running, SubSport::Trail),
            ("1", Sport::Cycling, SubSport::Generic),
            ("mountain biking", Sport::Cycling, SubSport::Generic),
            ("biking", Sport::Cycling, SubSport::Generic),
            ("10", Sport::Walking, SubSport::Generic),
            ("hiking", Sport::Hiking, SubSport::Generic),
            ("swimming", Sport::Swimming, SubSport::Generic),
            ("the category", Sport::Other, SubSport::Generic),
        ] {
            let (s, ss, l) = sport_of(Some(label));
            assert_eq!((s, ss, l.as_str()), (sport, sub, label));
        }
    }

    #[test]
    fn apple_style_double_extensions_and_bare_speed() {
        let xml = gpx11(
            r#"<trkseg><trkpt lat="1" lon="1"><time>2024-01-01T10:00:00Z</time>
            <extensions><gpxtpx:TrackPointExtension><gpxtpx:hr>121</gpxtpx:hr></gpxtpx:TrackPointExtension></extensions>
            <extensions><gpxtpx:PowerExtension><gpxtpx:PowerInWatts>212</gpxtpx:PowerInWatts></gpxtpx:PowerExtension></extensions>
            <extensions><speed>1.31</speed><course>101.7</course><hAcc>1.8</hAcc></extensions>
            </trkpt></trkseg>"#,
        );
        let s = activity(&xml).samples[0];
        assert_eq!(s.heart_rate_bpm, Some(121.0));
        assert_eq!(s.power_w, Some(212.0));
        assert_eq!(s.speed_m_per_s, Some(1.31));
    }

    #[test]
    fn entities_and_cdata_in_names() {
        let xml = gpx11(&format!(
            "<name>Tom &amp; Jerry &#233; & co</name><type><![CDATA[mountain biking]]></type><trkseg>{}</trkseg>",
            pt(1.0, 1.0, "2024-01-01T10:00:00Z")
        ));
        let a = activity(&xml);
        assert_eq!(a.name.as_deref(), Some("Tom & Jerry é & co"));
        assert_eq!(a.sport, Sport::Cycling);
    }

    #[test]
    fn never_panics_on_any_prefix_of_a_file() {
        let xml = gpx11(&format!(
            "<name>x</name><trkseg>{}{}</trkseg>",
            pt(1.0, 1.0, "2024-01-01T10:00:00Z"),
            pt(1.0, 1.001, "2024-01-01T10:00:01Z"),
        ));
        for cut in 0..=xml.len() {
            let _ = decode(&xml.as_bytes()[..cut]);
        }
    }
}
