//! The streaming XML reader GPX and TCX share: one `quick-xml` event loop,
//! one way to keep a track point (time, position, altitude, distance, speed,
//! heart rate, cadence, temperature, power, and the leaves of its extension
//! blocks), one track of samples and pauses, one account of a file cut short.
//!
//! A format says only what is its own ([`Schema`]): the name of its root, what
//! each element is under its parent (GPX `trk/trkseg/trkpt`, TCX
//! `Activity/Lap/Track/Trackpoint`), and what it does when one opens or
//! closes. Elements are matched by their local name in any case and with any
//! namespace prefix; an element a format does not know is skipped with its
//! whole subtree.
//!
//! Reading never gives up on what came before a break: a file cut short (still
//! being written, half synced) or with bad XML in the middle stops there, and
//! the [`Document`] says where and how many points were kept.

use super::{DecodeError, Decoded, Format};
use crate::activity::{Activity, Pause, Sample, Sport};
use chrono::{DateTime, NaiveDateTime};
use quick_xml::Reader;
use quick_xml::events::{BytesRef, BytesStart, Event};

/// A time as written: UTC epoch ms and the offset the text carried (`None`
/// for `Z` or no zone).
pub(super) type Time = (i64, Option<i32>);

/// What one format tells the shared reader.
///
/// The hooks run once per element: implementations mark them `#[inline]`,
/// as the point helpers below are. Left out of line across modules, they
/// cost TCX decoding about 5 % (measured on the real TCX files).
pub(super) trait Schema {
    /// Where the reader is in the document. Each format has one tag for
    /// "unknown, skip the subtree".
    type Tag: Copy + Eq + 'static;
    /// The format's name in messages (`GPX`).
    const FORMAT: &'static str;
    /// The root element's local name as the format's schema writes it
    /// (`gpx`, `TrainingCenterDatabase`); matched in any case.
    const ROOT: &'static str;
    /// The root element's tag.
    const ROOT_TAG: Self::Tag;
    /// The tag of an element the format does not follow: it and its whole
    /// subtree are skipped (so is everything after the root's end).
    const SKIP: Self::Tag;
    /// Where a message says the reader stopped: the name of the first of
    /// these elements it was inside, else the root's.
    const LOCATIONS: &'static [(Self::Tag, &'static str)];

    /// What a child element is, from its parent and its local name as
    /// written (to be matched in any case).
    fn child(parent: Self::Tag, local: &[u8]) -> Self::Tag;
    /// Is this a leaf whose text the format keeps?
    fn keeps_text(tag: Self::Tag) -> bool;
    /// An element below the root opened.
    fn open(&mut self, tag: Self::Tag, e: &BytesStart<'_>);
    /// A kept leaf closed with this text (trimmed, never empty: an empty
    /// `<ele/>` says nothing and is not reported).
    fn leaf(&mut self, tag: Self::Tag, text: &str);
    /// Any other element closed.
    fn close(&mut self, tag: Self::Tag);
    /// Points kept so far, for messages.
    fn kept(&self) -> usize;
}

/// Read a whole document into `schema`. Errs only when the first element is
/// not the format's root; everything else (bad XML, a cut) ends reading and
/// is told in the [`Document`].
pub(super) fn read<S: Schema>(bytes: &[u8], schema: S) -> Result<(S, Document), DecodeError> {
    let mut reader = Reader::from_reader(bytes);
    // A bare `&` in a name ("Tom & Jerry") must not cost the whole track.
    reader.config_mut().allow_dangling_amp = true;
    let mut doc = Walk {
        schema,
        root: Root::NotSeen,
        creator: None,
        stack: Vec::new(),
        text: String::new(),
        trailing_at: None,
    };
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
            Event::Start(e) => doc.open(&e, at_byte)?,
            Event::Empty(e) => {
                doc.open(&e, at_byte)?;
                doc.close();
            }
            Event::End(_) => doc.close(),
            Event::Text(t) => doc.text(&t, at_byte),
            Event::CData(t) => doc.text(&t, at_byte),
            Event::GeneralRef(r) => doc.reference(&r),
            Event::Eof => break,
            Event::Comment(_) | Event::Decl(_) | Event::PI(_) | Event::DocType(_) => {}
        }
    }
    let document = doc.document(stop, bytes.len());
    Ok((doc.schema, document))
}

/// Why reading stopped before a clean end of input: quick-xml gave up.
struct XmlStop {
    at_byte: u64,
    /// The input ended inside markup (a file cut short), rather than bad XML
    /// in the middle.
    cut_short: bool,
    message: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Root {
    NotSeen,
    Open,
    Closed,
}

/// The reader's walk through the elements.
struct Walk<S: Schema> {
    schema: S,
    root: Root,
    /// `creator="…"` on the root element.
    creator: Option<String>,
    stack: Vec<S::Tag>,
    /// The text of the kept leaf being read.
    text: String,
    /// Byte where something followed the root's end.
    trailing_at: Option<u64>,
}

impl<S: Schema> Walk<S> {
    fn open(&mut self, e: &BytesStart<'_>, at_byte: u64) -> Result<(), DecodeError> {
        let name = e.local_name();
        let local = name.as_ref();
        let tag = match (self.root, self.stack.last()) {
            (_, Some(&parent)) => S::child(parent, local),
            (Root::NotSeen, None) if local.eq_ignore_ascii_case(S::ROOT.as_bytes()) => {
                self.root = Root::Open;
                self.creator = attribute(e, b"creator").filter(|c| !c.is_empty());
                self.stack.push(S::ROOT_TAG);
                return Ok(());
            }
            (Root::NotSeen, None) => {
                let shown: String = String::from_utf8_lossy(local).chars().take(40).collect();
                return Err(DecodeError::Corrupt(format!(
                    "not {}: the first element (at byte {at_byte}) is <{shown}>, not <{}>",
                    S::FORMAT,
                    S::ROOT
                )));
            }
            (_, None) => {
                self.trailing_at.get_or_insert(at_byte);
                S::SKIP
            }
        };
        if S::keeps_text(tag) {
            self.text.clear();
        }
        self.schema.open(tag, e);
        self.stack.push(tag);
        Ok(())
    }

    fn close(&mut self) {
        // quick-xml checks that end names match, so the top is this element.
        let Some(tag) = self.stack.pop() else {
            return;
        };
        if self.stack.is_empty() && self.root == Root::Open {
            self.root = Root::Closed;
        }
        if S::keeps_text(tag) {
            let text = std::mem::take(&mut self.text);
            let trimmed = text.trim();
            if !trimmed.is_empty() {
                self.schema.leaf(tag, trimmed);
            }
            // Keep the buffer's capacity for the next leaf.
            self.text = text;
            self.text.clear();
        } else {
            self.schema.close(tag);
        }
    }

    fn text(&mut self, raw: &[u8], at_byte: u64) {
        match self.stack.last() {
            Some(&tag) if S::keeps_text(tag) => match std::str::from_utf8(raw) {
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
        if !matches!(self.stack.last(), Some(&tag) if S::keeps_text(tag)) {
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

    fn document(&mut self, stop: Option<XmlStop>, len: usize) -> Document {
        let kept = self.schema.kept();
        let location = S::LOCATIONS
            .iter()
            .find(|(tag, _)| self.stack.contains(tag))
            .map_or(S::ROOT, |(_, name)| name);
        let partial = match stop {
            Some(XmlStop {
                at_byte,
                cut_short: true,
                message,
            }) => Some(format!(
                "file ends inside <{location}> at byte {at_byte} of {len} ({message}); {kept} points kept"
            )),
            Some(XmlStop {
                at_byte, message, ..
            }) => Some(format!(
                "malformed XML at byte {at_byte} inside <{location}>: {message}; {kept} points read before it kept"
            )),
            None if self.root == Root::Open && self.stack.len() > 1 => Some(format!(
                "file ends inside <{location}> at byte {len} (no closing tags); {kept} points kept"
            )),
            None if self.root == Root::Open => {
                Some(format!("missing </{}> at byte {len}", S::ROOT))
            }
            None => None,
        };
        Document {
            creator: self.creator.take(),
            partial,
            no_element: self.root == Root::NotSeen,
            trailing: self
                .trailing_at
                .map(|at| format!("ignored content after </{}> at byte {at}", S::ROOT)),
            len,
        }
    }
}

/// What the reader saw of the document itself, beside what the format kept.
pub(super) struct Document {
    /// `creator="…"` on the root element: the program that wrote the file.
    pub creator: Option<String>,
    /// Why the file is incomplete (cut short, broken mid-stream, never
    /// closed), or None when it ended cleanly.
    partial: Option<String>,
    /// Not a single element was found.
    no_element: bool,
    /// The warning for content after the root's end, if any.
    trailing: Option<String>,
    len: usize,
}

impl Document {
    /// The error for a file that gave nothing usable, when the document
    /// itself explains it: it broke off (`Corrupt`, with `none_before`
    /// saying what was not read before the break), or it holds no element.
    /// `None`: the document is whole, the format says why it is empty.
    pub fn unusable(&self, none_before: &str) -> Option<DecodeError> {
        if let Some(reason) = &self.partial {
            return Some(DecodeError::Corrupt(format!("{reason}, {none_before}")));
        }
        self.no_element.then(|| {
            DecodeError::Corrupt(format!(
                "not XML: no element found from byte 0 to byte {}",
                self.len
            ))
        })
    }

    /// The decoded file: its activities, whether it is partial, and the
    /// format's warnings followed by the document's own.
    pub fn decoded(
        self,
        format: Format,
        activities: Vec<Activity>,
        mut warnings: Vec<String>,
    ) -> Decoded {
        warnings.extend(self.trailing);
        Decoded {
            format,
            activities,
            partial: self.partial,
            warning: (!warnings.is_empty()).then(|| warnings.join("; ")),
        }
    }
}

/// A leaf of a track point, in either format.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum PointField {
    Time,
    Lat,
    Lon,
    Altitude,
    /// Cumulative distance (TCX `DistanceMeters`).
    Distance,
    Speed,
    HeartRate,
    /// As written: a foot sport's is per leg in most exporters, a bike's is
    /// crank rpm.
    Cadence,
    /// TCX ActivityExtension `RunCadence` (per leg), kept apart from
    /// `<Cadence>`: which one counts depends on the sport.
    RunCadence,
    Temperature,
    Power,
}

/// A leaf of a point's extension block (GPX `<extensions>`, TCX
/// `<Extensions>`), by its local name in any case, from the format's
/// vocabulary (written in lower case). Every other element inside the block is a container
/// (`TrackPointExtension`, `TPX`, `PowerExtension`, ...) looked into with any
/// namespace prefix.
pub(super) fn extension_leaf(
    vocabulary: &[(&[u8], PointField)],
    local: &[u8],
) -> Option<PointField> {
    vocabulary
        .iter()
        .find_map(|(name, field)| local.eq_ignore_ascii_case(name).then_some(*field))
}

/// A track point being read: each value as written, the last one of its kind
/// wins. What is plausible is the format's to decide when the point ends.
#[derive(Debug, Default)]
pub(super) struct PointDraft {
    pub time: Option<Time>,
    /// A `<time>` was there but unreadable.
    pub bad_time: bool,
    pub lat: Option<f64>,
    pub lon: Option<f64>,
    pub altitude: Option<f32>,
    pub distance: Option<f64>,
    pub speed: Option<f32>,
    pub heart_rate: Option<f32>,
    pub cadence: Option<f32>,
    pub run_cadence: Option<f32>,
    pub temperature: Option<f32>,
    pub power: Option<f32>,
}

impl PointDraft {
    /// The sample this point gives, with its checked position and the
    /// cadence the format chose.
    #[inline]
    pub fn sample(
        &self,
        time_ms: i64,
        position: Option<(f64, f64)>,
        cadence: Option<f32>,
    ) -> Sample {
        Sample {
            time_ms,
            lat_deg: position.map(|(lat, _)| lat),
            lon_deg: position.map(|(_, lon)| lon),
            distance_m: self.distance,
            speed_m_per_s: self.speed,
            altitude_m: self.altitude,
            cadence_spm: cadence,
            heart_rate_bpm: self.heart_rate,
            temperature_c: self.temperature,
            power_w: self.power,
        }
    }
}

/// Track points as they are read: the one being read and what was counted.
#[derive(Debug, Default)]
pub(super) struct Points {
    pub draft: Option<PointDraft>,
    /// Points ended (timed or not).
    pub total: usize,
    /// Points without a readable time: left out.
    pub untimed: usize,
    /// ...of which had a time that did not read.
    pub bad_time: usize,
    /// Points whose position was out of range or half missing: kept
    /// without one.
    pub bad_position: usize,
    /// Times read without any zone (taken as UTC).
    pub zoneless: usize,
}

impl Points {
    /// A point element opened.
    #[inline]
    pub fn start(&mut self, draft: PointDraft) {
        self.draft = Some(draft);
    }

    /// A time as [`parse_time`] reads it; one without any zone is counted.
    #[inline]
    pub fn time(&mut self, text: &str) -> Option<Time> {
        let parsed = parse_time(text)?;
        if !has_zone(text) {
            self.zoneless += 1;
        }
        Some(parsed)
    }

    /// A leaf of the point being read.
    #[inline]
    pub fn set(&mut self, field: PointField, text: &str) {
        if field == PointField::Time {
            let time = self.time(text);
            if let Some(point) = self.draft.as_mut() {
                point.time = time;
                point.bad_time = time.is_none();
            }
            return;
        }
        let Some(point) = self.draft.as_mut() else {
            return;
        };
        match field {
            PointField::Time => {}
            PointField::Lat => point.lat = parse_f64(text),
            PointField::Lon => point.lon = parse_f64(text),
            // Cumulative: a negative one is no distance.
            PointField::Distance => point.distance = parse_f64(text).filter(|d| *d >= 0.0),
            PointField::Altitude => point.altitude = parse_f32(text),
            PointField::Speed => point.speed = parse_f32(text),
            PointField::HeartRate => point.heart_rate = parse_f32(text),
            PointField::Cadence => point.cadence = parse_f32(text),
            PointField::RunCadence => point.run_cadence = parse_f32(text),
            PointField::Temperature => point.temperature = parse_f32(text),
            PointField::Power => point.power = parse_f32(text),
        }
    }

    /// The point element closed: the draft and its time, or `None` when
    /// there is no point or it has no time (counted, left out: only timed
    /// points are a recording).
    #[inline]
    pub fn end(&mut self) -> Option<(PointDraft, Time)> {
        let draft = self.draft.take()?;
        self.total += 1;
        let Some(time) = draft.time else {
            self.untimed += 1;
            if draft.bad_time {
                self.bad_time += 1;
            }
            return None;
        };
        Some((draft, time))
    }

    /// The position of a point, when both halves are there and in range;
    /// anything else but no position at all is counted.
    #[inline]
    pub fn position(&mut self, lat: Option<f64>, lon: Option<f64>) -> Option<(f64, f64)> {
        match (lat, lon) {
            (Some(lat), Some(lon))
                if (-90.0..=90.0).contains(&lat) && (-180.0..=180.0).contains(&lon) =>
            {
                Some((lat, lon))
            }
            (None, None) => None,
            _ => {
                self.bad_position += 1;
                None
            }
        }
    }

    /// "N of M track points have no <time> (K unreadable) and were left
    /// out", when some were.
    pub fn untimed_warning(&self, time_element: &str) -> Option<String> {
        (self.untimed > 0).then(|| {
            format!(
                "{} of {} track points have no <{time_element}>{} and were left out",
                self.untimed,
                self.total,
                match self.bad_time {
                    0 => String::new(),
                    n => format!(" ({n} unreadable)"),
                },
            )
        })
    }
}

/// One recording's samples in the order read, with the pauses between its
/// segments (GPX `<trkseg>`, TCX `<Track>`).
#[derive(Debug, Default)]
pub(super) struct Track {
    pub samples: Vec<Sample>,
    pub pauses: Vec<Pause>,
    /// The offset written in the first sample's time.
    pub local_offset_s: Option<i32>,
    /// A new segment began: the next sample closes a pause from the last one.
    pub segment_break: bool,
}

impl Track {
    /// A timed point is about to be kept: the first one gives the local
    /// offset, the first one after a segment break ends a pause.
    #[inline]
    pub fn before_sample(&mut self, (time_ms, offset_s): Time) {
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
    }

    /// A pause, when it lasts.
    pub fn push_pause(&mut self, start_ms: i64, end_ms: i64) {
        if end_ms > start_ms {
            self.pauses.push(Pause { start_ms, end_ms });
        }
    }

    /// Samples out of time order are sorted; true when they were.
    pub fn sort_by_time(&mut self) -> bool {
        if self.samples.windows(2).any(|w| w[1].time_ms < w[0].time_ms) {
            self.samples.sort_by_key(|s| s.time_ms);
            return true;
        }
        false
    }

    /// Every cadence times `factor` (per leg → steps per minute).
    pub fn scale_cadence(&mut self, factor: f32) {
        for s in &mut self.samples {
            s.cadence_spm = s.cadence_spm.map(|c| c * factor);
        }
    }
}

/// Running, walking, hiking: sports whose cadence is steps.
pub(super) fn is_foot_sport(sport: Sport) -> bool {
    matches!(sport, Sport::Running | Sport::Walking | Sport::Hiking)
}

/// Warnings of the form "N things ...", for the counts that are not zero.
pub(super) fn counted(warnings: &mut Vec<String>, counts: &[(usize, &str)]) {
    for (n, what) in counts {
        if *n > 0 {
            warnings.push(format!("{n} {what}"));
        }
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

/// An ISO 8601 time (GPX `<time>`, TCX `<Time>`): UTC epoch ms (fractional
/// seconds kept) and the offset the text carried, `None` for `Z` or no zone.
/// Both formats require UTC; times with no zone at all (GPX 1.0 files,
/// some TCX exporters) are taken as UTC.
pub(super) fn parse_time(text: &str) -> Option<Time> {
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

#[cfg(test)]
mod tests {
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
}
