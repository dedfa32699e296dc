//! A small FIT encoder, written from the FIT protocol (FIT SDK "Flexible and
//! Interoperable Data Transfer Protocol", profile 21.x), so that simulated runs
//! reach the decoder as real FIT bytes (DESIGN.md: every rule is tested end to
//! end through FIT).
//!
//! [`encode`] writes one activity as one FIT activity file, in the shape a
//! running watch writes it:
//!
//! * a 14-byte header (protocol 2.0, profile 21.32, ".FIT", header CRC);
//! * `file_id` (type activity, manufacturer development, `time_created`) and
//!   a `sport` message, so that a file cut before its session still says
//!   which sport it records;
//! * a timer `start` event, then the records in time order, a timer `stop_all`
//!   and `start` around each [`Pause`], lap messages at the end of each lap
//!   and a final timer `stop_all`;
//! * one `session` and one `activity` message; the activity message carries
//!   both the UTC `timestamp` and the `local_timestamp`, from which our
//!   decoder derives the runner's UTC offset;
//! * the file CRC (FIT CRC-16).
//!
//! Each message type has one definition per file. A record channel that no
//! sample carries is left out of the record definition; a channel that only
//! some samples carry is written as the FIT invalid value where it is missing
//! (fitparser strips invalid values, so it decodes as `None`).
//!
//! Resolution is that of the FIT profile: times whole seconds (sub-second
//! parts are dropped), positions 1 semicircle (≈ 8.4e-8°), distance 1 cm,
//! speed 1 mm/s, altitude 0.2 m (−500 m … ), heart rate, temperature and
//! power whole units, cadence 1/128 of a step per leg, summary ascent and
//! descent whole metres. A value the profile cannot hold (altitude below
//! −500 m, a date before 1990) is written as invalid.

use crate::activity::{Activity, Sample, Sport, SubSport};

/// Seconds between the Unix epoch and the FIT epoch (1989-12-31T00:00:00Z).
const FIT_EPOCH_OFFSET_S: i64 = 631_065_600;
/// FIT protocol 2.0, in the header's one-byte form (major << 4 | minor).
const PROTOCOL_VERSION: u8 = 0x20;
/// Profile 21.32, in the header's `major * 100 + minor` form.
const PROFILE_VERSION: u16 = 2132;
/// `manufacturer` of the files we write: the FIT profile's "development".
pub const MANUFACTURER_DEVELOPMENT: u16 = 255;
/// `product` of the files we write (free for manufacturer "development").
pub const SIM_PRODUCT: u16 = 1;

// Global message numbers (FIT profile `mesg_num`).
const MESG_FILE_ID: u16 = 0;
const MESG_SPORT: u16 = 12;
const MESG_SESSION: u16 = 18;
const MESG_LAP: u16 = 19;
const MESG_RECORD: u16 = 20;
const MESG_EVENT: u16 = 21;
const MESG_ACTIVITY: u16 = 34;

// Local message numbers: one per message type, each defined once.
const LOCAL_FILE_ID: u8 = 0;
const LOCAL_EVENT: u8 = 1;
const LOCAL_RECORD: u8 = 2;
const LOCAL_LAP: u8 = 3;
const LOCAL_SESSION: u8 = 4;
const LOCAL_ACTIVITY: u8 = 5;
const LOCAL_SPORT: u8 = 6;

// Enum values from the FIT profile.
const FILE_TYPE_ACTIVITY: i64 = 4;
const EVENT_TIMER: i64 = 0;
const EVENT_SESSION: i64 = 8;
const EVENT_LAP: i64 = 9;
const EVENT_ACTIVITY: i64 = 26;
const EVENT_TYPE_START: i64 = 0;
const EVENT_TYPE_STOP: i64 = 1;
const EVENT_TYPE_STOP_ALL: i64 = 4;
const TIMER_TRIGGER_MANUAL: i64 = 0;
const ACTIVITY_TYPE_MANUAL: i64 = 0;

/// The FIT base types this writer uses.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Base {
    Enum,
    SInt8,
    UInt8,
    UInt16,
    SInt32,
    UInt32,
}

impl Base {
    /// The base type number as written in a definition message.
    fn id(self) -> u8 {
        match self {
            Base::Enum => 0x00,
            Base::SInt8 => 0x01,
            Base::UInt8 => 0x02,
            Base::UInt16 => 0x84,
            Base::SInt32 => 0x85,
            Base::UInt32 => 0x86,
        }
    }

    fn size(self) -> u8 {
        match self {
            Base::Enum | Base::SInt8 | Base::UInt8 => 1,
            Base::UInt16 => 2,
            Base::SInt32 | Base::UInt32 => 4,
        }
    }

    /// Append `value` little-endian, or the type's invalid value when it is
    /// `None` or out of the type's valid range.
    fn write(self, value: Option<i64>, out: &mut Vec<u8>) {
        match self {
            Base::Enum | Base::UInt8 => {
                let v = value
                    .and_then(|v| u8::try_from(v).ok())
                    .filter(|&v| v != u8::MAX);
                out.push(v.unwrap_or(u8::MAX));
            }
            Base::SInt8 => {
                let v = value
                    .and_then(|v| i8::try_from(v).ok())
                    .filter(|&v| v != i8::MAX);
                out.extend_from_slice(&v.unwrap_or(i8::MAX).to_le_bytes());
            }
            Base::UInt16 => {
                let v = value
                    .and_then(|v| u16::try_from(v).ok())
                    .filter(|&v| v != u16::MAX);
                out.extend_from_slice(&v.unwrap_or(u16::MAX).to_le_bytes());
            }
            Base::SInt32 => {
                let v = value
                    .and_then(|v| i32::try_from(v).ok())
                    .filter(|&v| v != i32::MAX);
                out.extend_from_slice(&v.unwrap_or(i32::MAX).to_le_bytes());
            }
            Base::UInt32 => {
                let v = value
                    .and_then(|v| u32::try_from(v).ok())
                    .filter(|&v| v != u32::MAX);
                out.extend_from_slice(&v.unwrap_or(u32::MAX).to_le_bytes());
            }
        }
    }
}

/// One message type's definition: (field number, base type) in write order.
struct Definition<'a> {
    local: u8,
    global: u16,
    fields: &'a [(u8, Base)],
}

const FILE_ID_FIELDS: &[(u8, Base)] = &[
    (0, Base::Enum),   // type
    (1, Base::UInt16), // manufacturer
    (2, Base::UInt16), // product
    (4, Base::UInt32), // time_created
];

const SPORT_FIELDS: &[(u8, Base)] = &[
    (0, Base::Enum), // sport
    (1, Base::Enum), // sub_sport
];

const EVENT_FIELDS: &[(u8, Base)] = &[
    (253, Base::UInt32), // timestamp
    (0, Base::Enum),     // event
    (1, Base::Enum),     // event_type
    (3, Base::UInt32),   // data (timer_trigger for timer events)
    (4, Base::UInt8),    // event_group
];

const LAP_FIELDS: &[(u8, Base)] = &[
    (254, Base::UInt16), // message_index
    (253, Base::UInt32), // timestamp (lap end)
    (0, Base::Enum),     // event
    (1, Base::Enum),     // event_type
    (2, Base::UInt32),   // start_time
    (7, Base::UInt32),   // total_elapsed_time, s × 1000
    (8, Base::UInt32),   // total_timer_time, s × 1000
    (9, Base::UInt32),   // total_distance, m × 100
];

const SESSION_FIELDS: &[(u8, Base)] = &[
    (254, Base::UInt16), // message_index
    (253, Base::UInt32), // timestamp (session end)
    (0, Base::Enum),     // event
    (1, Base::Enum),     // event_type
    (2, Base::UInt32),   // start_time
    (5, Base::Enum),     // sport
    (6, Base::Enum),     // sub_sport
    (7, Base::UInt32),   // total_elapsed_time, s × 1000
    (8, Base::UInt32),   // total_timer_time, s × 1000
    (9, Base::UInt32),   // total_distance, m × 100
    (16, Base::UInt8),   // avg_heart_rate
    (18, Base::UInt8),   // avg_cadence (avg_running_cadence for running), per leg
    (92, Base::UInt8),   // avg_fractional_cadence, × 128
    (22, Base::UInt16),  // total_ascent, m
    (23, Base::UInt16),  // total_descent, m
    (25, Base::UInt16),  // first_lap_index
    (26, Base::UInt16),  // num_laps
];

const ACTIVITY_FIELDS: &[(u8, Base)] = &[
    (253, Base::UInt32), // timestamp (UTC)
    (0, Base::UInt32),   // total_timer_time, s × 1000
    (1, Base::UInt16),   // num_sessions
    (2, Base::Enum),     // type
    (3, Base::Enum),     // event
    (4, Base::Enum),     // event_type
    (5, Base::UInt32),   // local_timestamp
];

/// The record channels, in the order they are written.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum RecordField {
    Timestamp,
    Lat,
    Lon,
    Distance,
    EnhancedSpeed,
    EnhancedAltitude,
    HeartRate,
    Cadence,
    FractionalCadence,
    Temperature,
    Power,
}

impl RecordField {
    fn def(self) -> (u8, Base) {
        match self {
            RecordField::Timestamp => (253, Base::UInt32),
            RecordField::Lat => (0, Base::SInt32),
            RecordField::Lon => (1, Base::SInt32),
            RecordField::Distance => (5, Base::UInt32),
            RecordField::EnhancedSpeed => (73, Base::UInt32),
            RecordField::EnhancedAltitude => (78, Base::UInt32),
            RecordField::HeartRate => (3, Base::UInt8),
            RecordField::Cadence => (4, Base::UInt8),
            RecordField::FractionalCadence => (53, Base::UInt8),
            RecordField::Temperature => (13, Base::SInt8),
            RecordField::Power => (7, Base::UInt16),
        }
    }

    /// The raw (scaled, offset) value of this field for one sample.
    fn value(self, s: &Sample, cadence_factor: f64) -> Option<i64> {
        match self {
            RecordField::Timestamp => fit_time(s.time_ms),
            RecordField::Lat => s.lat_deg.and_then(semicircles),
            RecordField::Lon => s.lon_deg.and_then(semicircles),
            RecordField::Distance => scaled(s.distance_m, 100.0, 0.0),
            RecordField::EnhancedSpeed => scaled(s.speed_m_per_s.map(f64::from), 1000.0, 0.0),
            RecordField::EnhancedAltitude => scaled(s.altitude_m.map(f64::from), 5.0, 500.0),
            RecordField::HeartRate => scaled(s.heart_rate_bpm.map(f64::from), 1.0, 0.0),
            RecordField::Cadence => {
                split_cadence(s.cadence_spm.map(f64::from), cadence_factor).map(|c| c.0)
            }
            RecordField::FractionalCadence => {
                split_cadence(s.cadence_spm.map(f64::from), cadence_factor).map(|c| c.1)
            }
            RecordField::Temperature => scaled(s.temperature_c.map(f64::from), 1.0, 0.0),
            RecordField::Power => scaled(s.power_w.map(f64::from), 1.0, 0.0),
        }
    }
}

/// FIT `date_time` (seconds since the FIT epoch) of a Unix-milliseconds
/// instant, sub-second part dropped.
fn fit_time(ms: i64) -> Option<i64> {
    Some(ms.div_euclid(1000) - FIT_EPOCH_OFFSET_S)
}

/// Degrees → semicircles (2^31 semicircles = 180°).
fn semicircles(deg: f64) -> Option<i64> {
    scaled(Some(deg), 2_147_483_648.0 / 180.0, 0.0)
}

/// `(value + offset) × scale`, rounded: the FIT profile's stored form.
fn scaled(value: Option<f64>, scale: f64, offset: f64) -> Option<i64> {
    let raw = ((value? + offset) * scale).round();
    // Out-of-range values become invalid in `Base::write`; keep them out of
    // range rather than letting the cast saturate into a valid number.
    (raw.is_finite() && raw.abs() < 9.0e15).then_some(raw as i64)
}

/// Steps (or revolutions) per minute → FIT (`cadence`, `fractional_cadence`):
/// whole per-leg units and 1/128ths of one.
fn split_cadence(spm: Option<f64>, factor: f64) -> Option<(i64, i64)> {
    let per_leg_128 = scaled(spm.map(|c| c / factor), 128.0, 0.0)?;
    if per_leg_128 < 0 {
        return None;
    }
    Some((per_leg_128 / 128, per_leg_128 % 128))
}

/// FIT records running cadence per leg; our samples carry steps per minute
/// (both feet). Same rule as the decoder's.
fn cadence_factor(sport: Sport) -> f64 {
    match sport {
        Sport::Running | Sport::Walking | Sport::Hiking => 2.0,
        _ => 1.0,
    }
}

/// The FIT profile `sport` number and name of a [`Sport`].
fn fit_sport(sport: Sport) -> (i64, &'static str) {
    match sport {
        Sport::Running => (1, "running"),
        Sport::Cycling => (2, "cycling"),
        Sport::Transition => (3, "transition"),
        Sport::Swimming => (5, "swimming"),
        Sport::Walking => (11, "walking"),
        Sport::Rowing => (15, "rowing"),
        Sport::Hiking => (17, "hiking"),
        Sport::Other => (0, "generic"),
    }
}

/// The FIT profile `sub_sport` number and name of a [`SubSport`] (running
/// flavours: `Road` is FIT "street", `Indoor` is "indoor_running").
fn fit_sub_sport(sub: SubSport) -> (i64, &'static str) {
    match sub {
        SubSport::Generic => (0, "generic"),
        SubSport::Treadmill => (1, "treadmill"),
        SubSport::Road => (2, "street"),
        SubSport::Trail => (3, "trail"),
        SubSport::Track => (4, "track"),
        SubSport::Indoor => (45, "indoor_running"),
        SubSport::Virtual => (58, "virtual_activity"),
        SubSport::Other => (254, "all"),
    }
}

/// The `sport_label` our FIT decoder gives a file this writer made for
/// `sport`/`sub` ("running", "running/street"). Generators use it so that a
/// simulated activity and its decoded file carry the same label.
pub fn sport_label(sport: Sport, sub: SubSport) -> String {
    let (_, sport_name) = fit_sport(sport);
    match fit_sub_sport(sub) {
        (0, _) => sport_name.to_string(),
        (_, sub_name) => format!("{sport_name}/{sub_name}"),
    }
}

/// The FIT CRC-16, shared with the decoder that checks it.
pub use crate::decode::fit::crc16;

/// Message bytes under construction: defines each local message type the
/// first time it is used.
struct Writer {
    data: Vec<u8>,
    defined: [bool; 16],
}

impl Writer {
    fn new() -> Writer {
        Writer {
            data: Vec::new(),
            defined: [false; 16],
        }
    }

    /// A data message of `def`; `values` in the definition's field order
    /// (missing trailing values are written invalid).
    fn message(&mut self, def: &Definition<'_>, values: &[Option<i64>]) {
        let local = usize::from(def.local & 0x0F);
        if !self.defined[local] {
            self.defined[local] = true;
            // Record header: definition message (bit 6), local type.
            self.data.push(0x40 | def.local & 0x0F);
            self.data.push(0); // reserved
            self.data.push(0); // architecture: little-endian
            self.data.extend_from_slice(&def.global.to_le_bytes());
            self.data
                .push(u8::try_from(def.fields.len()).unwrap_or(u8::MAX));
            for &(number, base) in def.fields {
                self.data
                    .extend_from_slice(&[number, base.size(), base.id()]);
            }
        }
        self.data.push(def.local & 0x0F);
        for (i, &(_, base)) in def.fields.iter().enumerate() {
            base.write(values.get(i).copied().flatten(), &mut self.data);
        }
    }

    /// Header + messages + file CRC.
    fn finish(self) -> Vec<u8> {
        let data_size = u32::try_from(self.data.len()).unwrap_or(u32::MAX);
        let mut out = Vec::with_capacity(self.data.len() + 16);
        out.push(14);
        out.push(PROTOCOL_VERSION);
        out.extend_from_slice(&PROFILE_VERSION.to_le_bytes());
        out.extend_from_slice(&data_size.to_le_bytes());
        out.extend_from_slice(b".FIT");
        let header_crc = crc16(&out);
        out.extend_from_slice(&header_crc.to_le_bytes());
        out.extend_from_slice(&self.data);
        // The file CRC runs over header and data. Over a 14-byte header that
        // ends in its own CRC it comes out 0, so this equals the CRC of the
        // data alone (what fitparser checks).
        let file_crc = crc16(&out);
        out.extend_from_slice(&file_crc.to_le_bytes());
        out
    }
}

/// One lap as written: start, end (the lap message's timestamp) and totals.
struct LapOut {
    start_ms: i64,
    end_ms: i64,
    elapsed_s: Option<f64>,
    timer_s: Option<f64>,
    distance_m: Option<f64>,
}

/// What is written between `file_id` and the session, in time order.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Item {
    // Variant order is the tie-break at equal times: a timer start precedes
    // the record of the same second, a stop and a lap end follow it.
    TimerStart,
    Record(usize),
    TimerStop,
    Lap(usize),
}

/// Milliseconds → seconds as the FIT `× 1000` fields want them.
fn seconds(ms: i64) -> f64 {
    ms as f64 / 1000.0
}

/// Encode `activity` as a complete FIT activity file (see the module doc for
/// what is written and at which resolution). Never fails: values FIT cannot
/// hold are written as invalid.
pub fn encode(activity: &Activity) -> Vec<u8> {
    let start_ms = activity.start_ms;
    let end_ms = match activity.samples.last() {
        Some(last) => last.time_ms.max(start_ms),
        None => start_ms.saturating_add(
            activity
                .summary
                .total_elapsed_s
                .map_or(0, |s| (s * 1000.0).round() as i64),
        ),
    };
    let paused_ms: i64 = activity
        .pauses
        .iter()
        .map(|p| p.end_ms.saturating_sub(p.start_ms).max(0))
        .sum();
    let factor = cadence_factor(activity.sport);

    let mut w = Writer::new();
    w.message(
        &Definition {
            local: LOCAL_FILE_ID,
            global: MESG_FILE_ID,
            fields: FILE_ID_FIELDS,
        },
        &[
            Some(FILE_TYPE_ACTIVITY),
            Some(i64::from(MANUFACTURER_DEVELOPMENT)),
            Some(i64::from(SIM_PRODUCT)),
            fit_time(start_ms),
        ],
    );
    w.message(
        &Definition {
            local: LOCAL_SPORT,
            global: MESG_SPORT,
            fields: SPORT_FIELDS,
        },
        &[
            Some(fit_sport(activity.sport).0),
            Some(fit_sub_sport(activity.sub_sport).0),
        ],
    );

    let laps = laps_out(activity, end_ms, paused_ms);

    // Records, timer events and lap ends, in time order.
    let mut items: Vec<(i64, Item)> = Vec::with_capacity(activity.samples.len() + 8);
    items.push((start_ms, Item::TimerStart));
    items.extend(
        activity
            .samples
            .iter()
            .enumerate()
            .map(|(i, s)| (s.time_ms, Item::Record(i))),
    );
    for p in &activity.pauses {
        items.push((p.start_ms, Item::TimerStop));
        items.push((p.end_ms, Item::TimerStart));
    }
    items.push((end_ms, Item::TimerStop));
    items.extend(
        laps.iter()
            .enumerate()
            .map(|(i, l)| (l.end_ms, Item::Lap(i))),
    );
    items.sort();

    let channels = activity.channels();
    let has_speed = activity.samples.iter().any(|s| s.speed_m_per_s.is_some());
    let record_fields: Vec<RecordField> = [
        (true, &[RecordField::Timestamp][..]),
        (channels.gps, &[RecordField::Lat, RecordField::Lon][..]),
        (channels.distance, &[RecordField::Distance][..]),
        (has_speed, &[RecordField::EnhancedSpeed][..]),
        (channels.altitude, &[RecordField::EnhancedAltitude][..]),
        (channels.heart_rate, &[RecordField::HeartRate][..]),
        (
            channels.cadence,
            &[RecordField::Cadence, RecordField::FractionalCadence][..],
        ),
        (channels.temperature, &[RecordField::Temperature][..]),
        (channels.power, &[RecordField::Power][..]),
    ]
    .into_iter()
    .filter(|(present, _)| *present)
    .flat_map(|(_, fields)| fields.iter().copied())
    .collect();
    let record_defs: Vec<(u8, Base)> = record_fields.iter().map(|f| f.def()).collect();
    let record_def = Definition {
        local: LOCAL_RECORD,
        global: MESG_RECORD,
        fields: &record_defs,
    };
    let event_def = Definition {
        local: LOCAL_EVENT,
        global: MESG_EVENT,
        fields: EVENT_FIELDS,
    };
    let lap_def = Definition {
        local: LOCAL_LAP,
        global: MESG_LAP,
        fields: LAP_FIELDS,
    };

    let mut values: Vec<Option<i64>> = Vec::with_capacity(record_fields.len());
    for (time_ms, item) in items {
        match item {
            Item::Record(i) => {
                let Some(sample) = activity.samples.get(i) else {
                    continue;
                };
                values.clear();
                values.extend(record_fields.iter().map(|f| f.value(sample, factor)));
                w.message(&record_def, &values);
            }
            Item::TimerStart | Item::TimerStop => {
                let event_type = if item == Item::TimerStart {
                    EVENT_TYPE_START
                } else {
                    EVENT_TYPE_STOP_ALL
                };
                w.message(
                    &event_def,
                    &[
                        fit_time(time_ms),
                        Some(EVENT_TIMER),
                        Some(event_type),
                        Some(TIMER_TRIGGER_MANUAL),
                        Some(0),
                    ],
                );
            }
            Item::Lap(i) => {
                let Some(lap) = laps.get(i) else {
                    continue;
                };
                w.message(
                    &lap_def,
                    &[
                        i64::try_from(i).ok(),
                        fit_time(lap.end_ms),
                        Some(EVENT_LAP),
                        Some(EVENT_TYPE_STOP),
                        fit_time(lap.start_ms),
                        scaled(lap.elapsed_s, 1000.0, 0.0),
                        scaled(lap.timer_s, 1000.0, 0.0),
                        scaled(lap.distance_m, 100.0, 0.0),
                    ],
                );
            }
        }
    }

    // Session: the watch's own summary where it has one, else derived.
    let summary = &activity.summary;
    let elapsed_s = summary
        .total_elapsed_s
        .unwrap_or_else(|| seconds(end_ms - start_ms));
    let timer_s = summary
        .total_timer_s
        .unwrap_or_else(|| seconds(end_ms - start_ms - paused_ms));
    let distance_m = summary
        .total_distance_m
        .or_else(|| activity.samples.iter().rev().find_map(|s| s.distance_m));
    let avg_cadence = split_cadence(summary.avg_cadence_spm, factor);
    w.message(
        &Definition {
            local: LOCAL_SESSION,
            global: MESG_SESSION,
            fields: SESSION_FIELDS,
        },
        &[
            Some(0),
            fit_time(end_ms),
            Some(EVENT_SESSION),
            Some(EVENT_TYPE_STOP),
            fit_time(start_ms),
            Some(fit_sport(activity.sport).0),
            Some(fit_sub_sport(activity.sub_sport).0),
            scaled(Some(elapsed_s), 1000.0, 0.0),
            scaled(Some(timer_s), 1000.0, 0.0),
            scaled(distance_m, 100.0, 0.0),
            scaled(summary.avg_heart_rate_bpm, 1.0, 0.0),
            avg_cadence.map(|c| c.0),
            avg_cadence.map(|c| c.1),
            scaled(summary.total_ascent_m, 1.0, 0.0),
            scaled(summary.total_descent_m, 1.0, 0.0),
            Some(0),
            i64::try_from(laps.len()).ok(),
        ],
    );

    let utc = fit_time(end_ms);
    let local = activity
        .local_offset_s
        .and_then(|offset| Some(utc? + i64::from(offset)));
    w.message(
        &Definition {
            local: LOCAL_ACTIVITY,
            global: MESG_ACTIVITY,
            fields: ACTIVITY_FIELDS,
        },
        &[
            utc,
            scaled(Some(timer_s), 1000.0, 0.0),
            Some(1),
            Some(ACTIVITY_TYPE_MANUAL),
            Some(EVENT_ACTIVITY),
            Some(EVENT_TYPE_STOP),
            local,
        ],
    );
    w.finish()
}

/// The laps to write: the activity's own, or one lap over the whole run.
/// A lap without an elapsed time ends where the next one starts.
fn laps_out(activity: &Activity, end_ms: i64, paused_ms: i64) -> Vec<LapOut> {
    if activity.laps.is_empty() {
        let distance_m = activity
            .samples
            .iter()
            .rev()
            .find_map(|s| s.distance_m)
            .or(activity.summary.total_distance_m);
        return vec![LapOut {
            start_ms: activity.start_ms,
            end_ms,
            elapsed_s: Some(seconds(end_ms - activity.start_ms)),
            timer_s: Some(seconds(end_ms - activity.start_ms - paused_ms)),
            distance_m,
        }];
    }
    activity
        .laps
        .iter()
        .enumerate()
        .map(|(i, lap)| {
            let next_start = activity.laps.get(i + 1).map_or(end_ms, |l| l.start_ms);
            let lap_end = match lap.elapsed_s {
                Some(e) => lap.start_ms.saturating_add((e * 1000.0).round() as i64),
                None => next_start.max(lap.start_ms),
            };
            LapOut {
                start_ms: lap.start_ms,
                end_ms: lap_end,
                elapsed_s: lap.elapsed_s,
                timer_s: lap.timer_s,
                distance_m: lap.distance_m,
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use super::*;
    use crate::decode::{DecodeError, decode_file};
    use crate::sim::runs::{
        Altitude, RunSpec, footpod_run, steady_run, track_intervals, with_pause,
    };

    /// The header CRC makes the CRC over the 14 header bytes 0, so the file
    /// CRC over header + data is the CRC of the data alone.
    #[test]
    fn crc_over_a_header_with_its_own_crc_is_zero() {
        let bytes = encode(&steady_run(&RunSpec::default()));
        assert_eq!(crc16(&bytes[..14]), 0);
        assert_eq!(crc16(&bytes), 0, "a FIT file including its CRC sums to 0");
        // The FIT CRC is CRC-16/ARC: its check value.
        assert_eq!(crc16(b"123456789"), 0xBB3D);
    }

    #[test]
    fn header_says_what_follows() {
        let bytes = encode(&steady_run(&RunSpec::default()));
        assert_eq!(bytes[0], 14);
        assert_eq!(bytes[1], 0x20);
        assert_eq!(u16::from_le_bytes([bytes[2], bytes[3]]), 2132);
        let data = u32::from_le_bytes([bytes[4], bytes[5], bytes[6], bytes[7]]) as usize;
        assert_eq!(&bytes[8..12], b".FIT");
        assert_eq!(bytes.len(), 14 + data + 2);
    }

    #[test]
    fn fitparser_reads_what_we_write() {
        let a = with_pause(steady_run(&RunSpec::default()), 300.0, 45.0);
        let records = fitparser::from_bytes(&encode(&a)).unwrap();
        let count = |kind: &str| {
            records
                .iter()
                .filter(|r| r.kind().to_string() == kind)
                .count()
        };
        assert_eq!(count("file_id"), 1);
        assert_eq!(count("sport"), 1);
        assert_eq!(count("record"), a.samples.len());
        assert_eq!(count("lap"), a.laps.len());
        assert_eq!(count("session"), 1);
        assert_eq!(count("activity"), 1);
        // start, stop_all + start around the pause, final stop_all.
        assert_eq!(count("event"), 4);
        let session = records
            .iter()
            .find(|r| r.kind().to_string() == "session")
            .unwrap();
        let field = |name: &str| {
            session
                .fields()
                .iter()
                .find(|f| f.name() == name)
                .map(|f| f.value().to_string())
        };
        assert_eq!(field("sport").as_deref(), Some("running"));
        assert_eq!(field("sub_sport").as_deref(), Some("generic"));
    }

    /// Sample values within the FIT resolution of each channel.
    fn assert_samples_match(want: &[Sample], got: &[Sample]) {
        assert_eq!(want.len(), got.len(), "sample count");
        for (i, (w, g)) in want.iter().zip(got).enumerate() {
            let ctx = format!("sample {i}: want {w:?}, got {g:?}");
            assert_eq!(w.time_ms.div_euclid(1000) * 1000, g.time_ms, "{ctx}");
            let close64 = |a: Option<f64>, b: Option<f64>, tol: f64| match (a, b) {
                (Some(a), Some(b)) => (a - b).abs() <= tol,
                (None, None) => true,
                _ => false,
            };
            let close32 = |a: Option<f32>, b: Option<f32>, tol: f64| {
                close64(a.map(f64::from), b.map(f64::from), tol)
            };
            assert!(close64(w.lat_deg, g.lat_deg, 1e-6), "lat {ctx}");
            assert!(close64(w.lon_deg, g.lon_deg, 1e-6), "lon {ctx}");
            assert!(close64(w.distance_m, g.distance_m, 0.01), "distance {ctx}");
            assert!(
                close32(w.speed_m_per_s, g.speed_m_per_s, 0.001),
                "speed {ctx}"
            );
            assert!(close32(w.altitude_m, g.altitude_m, 0.2), "altitude {ctx}");
            assert!(close32(w.cadence_spm, g.cadence_spm, 0.01), "cadence {ctx}");
            assert!(
                close32(w.heart_rate_bpm, g.heart_rate_bpm, 0.5),
                "heart rate {ctx}"
            );
            assert!(
                close32(w.temperature_c, g.temperature_c, 0.5),
                "temperature {ctx}"
            );
            assert!(close32(w.power_w, g.power_w, 0.5), "power {ctx}");
        }
    }

    fn round_trip(a: &Activity) -> Activity {
        let decoded = decode_file("x.fit", &encode(a)).unwrap();
        assert!(decoded.is_complete(), "{:?}", decoded.partial);
        assert_eq!(decoded.warning, None);
        assert_eq!(decoded.activities.len(), 1);
        decoded.activities.into_iter().next().unwrap()
    }

    fn close(a: Option<f64>, b: Option<f64>, tol: f64) -> bool {
        match (a, b) {
            (Some(a), Some(b)) => (a - b).abs() <= tol,
            (None, None) => true,
            _ => false,
        }
    }

    /// Everything the writer writes comes back, within FIT resolution.
    fn assert_round_trip(a: &Activity) {
        let b = round_trip(a);
        assert_eq!(b.sport, a.sport);
        assert_eq!(b.sub_sport, a.sub_sport);
        assert_eq!(b.sport_label, a.sport_label);
        assert_eq!(b.start_ms, a.start_ms);
        assert_eq!(b.local_offset_s, a.local_offset_s);
        assert_eq!(b.pauses, a.pauses);
        assert_samples_match(&a.samples, &b.samples);
        assert_eq!(b.device.manufacturer.as_deref(), Some("development"));
        if a.laps.is_empty() {
            assert_eq!(b.laps.len(), 1);
        } else {
            assert_eq!(b.laps.len(), a.laps.len());
            for (l, m) in a.laps.iter().zip(&b.laps) {
                assert_eq!(l.start_ms, m.start_ms);
                assert!(close(l.elapsed_s, m.elapsed_s, 1e-3), "{l:?} {m:?}");
                assert!(close(l.timer_s, m.timer_s, 1e-3), "{l:?} {m:?}");
                assert!(close(l.distance_m, m.distance_m, 0.01), "{l:?} {m:?}");
            }
        }
        let (s, t) = (a.summary, b.summary);
        let ctx = format!("want {s:?}, got {t:?}");
        if s.total_distance_m.is_some() {
            assert!(close(s.total_distance_m, t.total_distance_m, 0.01), "{ctx}");
        }
        if s.total_timer_s.is_some() {
            assert!(close(s.total_timer_s, t.total_timer_s, 1e-3), "{ctx}");
        }
        if s.total_elapsed_s.is_some() {
            assert!(close(s.total_elapsed_s, t.total_elapsed_s, 1e-3), "{ctx}");
        }
        assert!(close(s.total_ascent_m, t.total_ascent_m, 0.5), "{ctx}");
        assert!(close(s.total_descent_m, t.total_descent_m, 0.5), "{ctx}");
        assert!(close(s.avg_cadence_spm, t.avg_cadence_spm, 0.01), "{ctx}");
        assert!(
            close(s.avg_heart_rate_bpm, t.avg_heart_rate_bpm, 0.5),
            "{ctx}"
        );
    }

    #[test]
    fn a_steady_run_survives_the_round_trip() {
        let spec = RunSpec {
            gps_jitter_m: 2.0,
            altitude: Altitude::Grade {
                percent: 6.0,
                segment_m: 400.0,
            },
            ..RunSpec::default()
        };
        let a = steady_run(&spec);
        assert_eq!(a.laps.len(), 5);
        assert!(a.summary.total_ascent_m.is_some());
        assert_round_trip(&a);
    }

    #[test]
    fn every_sub_sport_and_offset_survives() {
        let subs = [
            SubSport::Generic,
            SubSport::Road,
            SubSport::Trail,
            SubSport::Track,
            SubSport::Treadmill,
            SubSport::Indoor,
            SubSport::Virtual,
            SubSport::Other,
        ];
        let offsets = [
            None,
            Some(0),
            Some(-5 * 3600),
            Some(20_700),
            Some(14 * 3600),
        ];
        for (i, sub) in subs.into_iter().enumerate() {
            let spec = RunSpec {
                distance_m: 600.0,
                sub_sport: sub,
                local_offset_s: offsets[i % offsets.len()],
                seed: i as u64,
                ..RunSpec::default()
            };
            assert_round_trip(&steady_run(&spec));
        }
    }

    #[test]
    fn other_sports_keep_their_cadence_unit() {
        let sports = [
            Sport::Walking,
            Sport::Cycling,
            Sport::Hiking,
            Sport::Swimming,
            Sport::Rowing,
            Sport::Transition,
            Sport::Other,
        ];
        for sport in sports {
            let spec = RunSpec {
                distance_m: 500.0,
                sport,
                cadence_spm: 87.3,
                ..RunSpec::default()
            };
            assert_round_trip(&steady_run(&spec));
        }
    }

    #[test]
    fn intervals_footpod_and_pauses_survive() {
        assert_round_trip(&track_intervals(
            1_709_535_600_000,
            4,
            400.0,
            210.0,
            90.0,
            420.0,
            1600.0,
            7,
        ));
        assert_round_trip(&footpod_run(&RunSpec::default()));
        let paused = with_pause(
            with_pause(steady_run(&RunSpec::default()), 120.0, 30.0),
            600.0,
            300.0,
        );
        assert_eq!(paused.pauses.len(), 2);
        assert_round_trip(&paused);
    }

    /// Channels missing in some samples are written invalid and come back
    /// as `None`; an activity with no laps gets one lap for the whole run.
    #[test]
    fn missing_values_come_back_as_none() {
        let mut a = Activity::new(Sport::Running, 1_700_000_000_000);
        a.local_offset_s = Some(3600);
        for i in 0..20i64 {
            let mut s = Sample::at(a.start_ms + i * 1000);
            if i % 3 != 0 {
                s.lat_deg = Some(-33.9 - i as f64 * 1e-5);
                s.lon_deg = Some(151.2 + i as f64 * 1e-5);
            }
            s.distance_m = (i != 5).then_some(i as f64 * 3.1);
            s.speed_m_per_s = (i % 2 == 0).then_some(3.1);
            s.altitude_m = (i % 4 != 1).then_some(-12.4);
            s.cadence_spm = (i != 7).then_some(171.37);
            s.heart_rate_bpm = (i > 2).then_some(140.0);
            s.temperature_c = (i < 10).then_some(-4.0);
            s.power_w = (i % 5 == 0).then_some(250.0);
            a.samples.push(s);
        }
        assert_round_trip(&a);
        let b = round_trip(&a);
        assert_eq!(b.laps.len(), 1);
        assert_eq!(b.laps[0].start_ms, a.start_ms);
        assert_eq!(b.laps[0].elapsed_s, Some(19.0));
        assert_eq!(b.summary.total_elapsed_s, Some(19.0));
        assert_eq!(b.summary.total_ascent_m, None);
        assert_eq!(b.summary.avg_cadence_spm, None);
    }

    /// A file whose records are lost still tells distance and time from
    /// its session (the Strava app file).
    #[test]
    fn a_summary_without_records_survives() {
        let mut a = Activity::new(Sport::Running, 1_700_000_000_000);
        a.sub_sport = SubSport::Trail;
        a.sport_label = sport_label(a.sport, a.sub_sport);
        a.summary.total_distance_m = Some(8123.45);
        a.summary.total_elapsed_s = Some(2900.0);
        a.summary.total_timer_s = Some(2850.5);
        a.summary.avg_cadence_spm = Some(168.4);
        assert_round_trip(&a);
    }

    /// A file being synced is read while it grows: no prefix may decode to
    /// a complete activity.
    #[test]
    fn every_prefix_is_truncated_or_partial() {
        let a = with_pause(
            steady_run(&RunSpec {
                distance_m: 1200.0,
                ..RunSpec::default()
            }),
            100.0,
            20.0,
        );
        let bytes = encode(&a);
        let mut cuts: Vec<usize> = (1..bytes.len()).step_by(7).collect();
        cuts.extend(bytes.len().saturating_sub(20)..bytes.len());
        let mut salvaged = 0;
        for cut in cuts {
            let ctx = format!("prefix of {cut}/{} bytes", bytes.len());
            match decode_file("x.fit", &bytes[..cut]) {
                Ok(d) => {
                    assert!(d.partial.is_some(), "{ctx} decoded as complete");
                    assert_eq!(d.activities.len(), 1, "{ctx}");
                    // What was salvaged is the start of the run, and still
                    // a run (the sport message comes first).
                    let p = &d.activities[0];
                    assert_eq!((p.sport, p.sub_sport), (a.sport, a.sub_sport), "{ctx}");
                    assert!(p.samples.len() <= a.samples.len(), "{ctx}");
                    for (got, want) in p.samples.iter().zip(&a.samples) {
                        assert_eq!(got.time_ms, want.time_ms, "{ctx}");
                        assert!(close(got.distance_m, want.distance_m, 0.01), "{ctx}");
                    }
                    assert!(p.pauses.iter().all(|x| a.pauses.contains(x)), "{ctx}");
                    salvaged += 1;
                }
                Err(DecodeError::Truncated(_)) => {}
                Err(e) => panic!("{ctx}: {e:?}"),
            }
        }
        assert!(salvaged > 100, "{salvaged}");
    }

    /// Positions on the equator or the prime meridian are valid FIT
    /// positions (0 semicircles is not the invalid value 0x7FFFFFFF). Our
    /// decoder currently drops any position with a coordinate of exactly 0:
    /// a Greenwich run loses the samples on the meridian. Ignored until
    /// decode/fit.rs takes only (0, 0) as "no fix".
    #[test]
    fn positions_on_the_prime_meridian_survive() {
        let mut a = Activity::new(Sport::Running, 1_700_000_000_000);
        for (i, lon) in [-2e-5, -1e-5, 0.0, 1e-5, 2e-5].into_iter().enumerate() {
            let mut s = Sample::at(a.start_ms + i as i64 * 1000);
            s.lat_deg = Some(51.4769);
            s.lon_deg = Some(lon);
            a.samples.push(s);
        }
        assert_round_trip(&a);
    }
}
