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

use super::xml::{
    self, Document, PointDraft, PointField, Points, Schema, Track, attribute, is_foot_sport,
    parse_f64, parse_time,
};
use super::{DecodeError, Decoded, Format};
use crate::activity::{Activity, Device, Pause, Sport, SubSport};
use quick_xml::events::BytesStart;

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
    let (state, document) = xml::read(bytes, GpxState::default())?;
    state.finish(document)
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
    Point(PointField),
    Other,
}

/// A leaf of the file or its track whose text we keep.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Field {
    /// `<metadata><name>` (1.1) or `<gpx><name>` (1.0).
    FileName,
    /// `<metadata><time>` (1.1) or `<gpx><time>` (1.0): when the file says
    /// it was made, checked against its track's clock.
    FileTime,
    TrkName,
    TrkType,
}

/// The leaves of a trkpt's `<extensions>`: Garmin TrackPointExtension
/// `hr`/`cad`/`atemp`, Apple's un-namespaced `<speed>`, `PowerInWatts`.
const POINT_EXTENSIONS: &[(&[u8], PointField)] = &[
    (b"hr", PointField::HeartRate),
    (b"cad", PointField::Cadence),
    (b"atemp", PointField::Temperature),
    (b"temp", PointField::Temperature),
    (b"speed", PointField::Speed),
    (b"power", PointField::Power),
    (b"powerinwatts", PointField::Power),
];

#[derive(Debug, Default)]
struct GpxState {
    file_name: Option<String>,
    file_time_ms: Option<i64>,
    trk_name: Option<String>,
    trk_type: Option<String>,
    points: Points,
    /// Every trk and trkseg of the file: one recording.
    track: Track,
    /// An OpenTracks pause sentinel waiting for its resume.
    pending_pause_ms: Option<i64>,
    trk_count: usize,
    sentinel_count: usize,
    rte_count: usize,
    rtept_count: usize,
    wpt_count: usize,
}

impl Schema for GpxState {
    type Tag = Tag;
    const FORMAT: &'static str = "GPX";
    const ROOT: &'static str = "gpx";
    const ROOT_TAG: Tag = Tag::Gpx;
    const SKIP: Tag = Tag::Other;
    const LOCATIONS: &'static [(Tag, &'static str)] = &[
        (Tag::Trk, "trk"),
        (Tag::Rte, "rte"),
        (Tag::Wpt, "wpt"),
        (Tag::Metadata, "metadata"),
    ];

    #[inline]
    fn child(parent: Tag, local: &[u8]) -> Tag {
        let mut buf = [0u8; 32];
        let local = lower_case(local, &mut buf);
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
            (Tag::Trkpt, b"ele") => Tag::Point(PointField::Altitude),
            (Tag::Trkpt, b"time") => Tag::Point(PointField::Time),
            // GPX 1.0 has <speed> on the point itself.
            (Tag::Trkpt, b"speed") => Tag::Point(PointField::Speed),
            (Tag::Trkpt, b"extensions") => Tag::PointExt,
            (Tag::PointExt, _) => {
                xml::extension_leaf(POINT_EXTENSIONS, local).map_or(Tag::PointExt, Tag::Point)
            }
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
            Tag::Trk => self.trk_count += 1,
            Tag::Trkseg => self.track.segment_break = true,
            Tag::Rte => self.rte_count += 1,
            Tag::Rtept => self.rtept_count += 1,
            Tag::Wpt => self.wpt_count += 1,
            Tag::Trkpt => self.points.start(PointDraft {
                lat: attribute(e, b"lat").and_then(|v| parse_f64(&v)),
                lon: attribute(e, b"lon").and_then(|v| parse_f64(&v)),
                ..PointDraft::default()
            }),
            _ => {}
        }
    }

    #[inline]
    fn leaf(&mut self, tag: Tag, text: &str) {
        let first = |slot: &mut Option<String>| {
            slot.get_or_insert_with(|| text.to_string());
        };
        match tag {
            Tag::Point(field) => self.points.set(field, text),
            Tag::Field(Field::FileName) => first(&mut self.file_name),
            Tag::Field(Field::FileTime) if self.file_time_ms.is_none() => {
                self.file_time_ms = parse_time(text).map(|t| t.0);
            }
            Tag::Field(Field::TrkName) => first(&mut self.trk_name),
            Tag::Field(Field::TrkType) => first(&mut self.trk_type),
            _ => {}
        }
    }

    #[inline]
    fn close(&mut self, tag: Tag) {
        if tag == Tag::Trkpt {
            self.end_point();
        }
    }

    fn kept(&self) -> usize {
        self.track.samples.len()
    }
}

/// `name` in lower case, as GPX writes its names: itself when it has no
/// upper-case letter (nearly every file), else a copy in `buf`. A name longer
/// than `buf` is longer than any name GPX knows and matches none of them
/// either way, so it is returned as written.
fn lower_case<'a>(name: &'a [u8], buf: &'a mut [u8; 32]) -> &'a [u8] {
    if name.len() > buf.len() || !name.iter().any(u8::is_ascii_uppercase) {
        return name;
    }
    let lower = &mut buf[..name.len()];
    lower.copy_from_slice(name);
    lower.make_ascii_lowercase();
    lower
}

impl GpxState {
    fn end_point(&mut self) {
        let Some((p, time)) = self.points.end() else {
            return;
        };
        let time_ms = time.0;
        // OpenTracks legacy sentinels: not samples, a pause between them.
        if p.lat == Some(SENTINEL_PAUSE_LAT) {
            self.sentinel_count += 1;
            self.pending_pause_ms.get_or_insert(time_ms);
            return;
        }
        if p.lat == Some(SENTINEL_RESUME_LAT) {
            self.sentinel_count += 1;
            if let Some(start_ms) = self.pending_pause_ms.take() {
                self.track.push_pause(start_ms, time_ms);
            }
            return;
        }
        let position = self.points.position(p.lat, p.lon);
        self.track.before_sample(time);
        // A pause sentinel whose resume never came: the pause ends here (and
        // one at the very end of the file, with nothing after it, is dropped).
        if let Some(start_ms) = self.pending_pause_ms.take() {
            self.track.push_pause(start_ms, time_ms);
        }
        let sample = p.sample(time_ms, position, p.cadence);
        self.track.samples.push(sample);
    }

    fn finish(mut self, mut document: Document) -> Result<Decoded, DecodeError> {
        if self.track.samples.is_empty() {
            return Err(self.no_samples(&document));
        }

        let mut warnings = Vec::new();
        if let Some(untimed) = self.points.untimed_warning("time") {
            warnings.push(format!("{untimed} ({} kept)", self.track.samples.len()));
        }
        xml::counted(
            &mut warnings,
            &[(
                self.points.bad_position,
                "points with an out-of-range or missing lat/lon kept without position",
            )],
        );
        if self.track.sort_by_time() {
            warnings.push("track points were out of time order: sorted".to_string());
        }

        let (sport, sub_sport, sport_label) = sport_of(self.trk_type.as_deref());
        if is_foot_sport(sport) {
            // GPX `cad` is per leg (rpm) in Garmin Connect, Strava and
            // OpenTracks exports, and in Apple Watch's as well: in
            // Friday-Evening-Run.gpx the running segment (HR 164-171) has cad
            // 74-82, the same range as Garmin Connect's run in
            // garmin-activity.gpx (77-82). Read as steps/min, 74-82 would be a
            // slow stroll (walking is ~100-120 spm), not a run at HR 170;
            // doubled it is 148-164 spm, a normal running cadence.
            self.track.scale_cadence(2.0);
        }

        let start_ms = self.track.samples.first().map_or(0, |s| s.time_ms);
        let mut activity = Activity::new(sport, start_ms);
        activity.sub_sport = sub_sport;
        activity.sport_label = sport_label;
        if self.trk_type.is_none() {
            activity.sport_status = crate::activity::SportStatus::Unstated;
        }
        activity.local_offset_s = self.track.local_offset_s;
        activity.name = self.trk_name.or(self.file_name);
        activity.declared_start_ms = self.file_time_ms;
        activity.samples = self.track.samples;
        activity.pauses = merge_pauses(self.track.pauses);
        activity.device = Device {
            creator: document.creator.take(),
            ..Device::default()
        };
        Ok(document.decoded(Format::Gpx, vec![activity], warnings))
    }

    /// The error for a file that yielded no sample.
    fn no_samples(&self, document: &Document) -> DecodeError {
        if let Some(error) = document.unusable("none of them a timed track point") {
            return error;
        }
        let points = &self.points;
        if points.total == 0 {
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
        if self.sentinel_count > 0 && self.sentinel_count + points.untimed == points.total {
            return DecodeError::NoTrack("track holds only pause/resume markers".to_string());
        }
        if points.bad_time > 0 {
            return DecodeError::NoTrack(format!(
                "track has no readable timestamps ({} unreadable <time>)",
                points.bad_time
            ));
        }
        DecodeError::NoTrack(
            "track has no timestamps (a planned route, not a recording)".to_string(),
        )
    }
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
    use chrono::DateTime;

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
