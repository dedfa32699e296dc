//! FIT decoding through fitparser's stream processor.
//!
//! Why the stream processor and not `fitparser::from_bytes`: `from_bytes` is
//! all-or-nothing (a file broken at byte 7,471 yields nothing, although its
//! summary came first) and returns `Ok` for a file cut exactly at a message
//! boundary. Walking the objects ourselves lets us call a file *complete* only
//! when every segment's final CRC has arrived and matched, and salvage what was
//! decoded before a break.
//!
//! Chained FIT files (several header+data+CRC segments in one file) and
//! multisport files give one [`Activity`] per session message; records, laps
//! and timer events are given to the session whose time span holds them.
//!
//! fitparser prints a bare `ERROR: field size …` line to stderr (no file,
//! no time) for a field whose size is not a multiple of its base type, then
//! reads it as bytes. We look at each definition message before it does,
//! hand it a copy in which such a field already says "bytes" (the same
//! reading, nothing printed), and say so in the file's warning, which the
//! file's log line and its stored row carry. Since the copy no longer
//! matches the file's CRC, the data CRC is checked here, on the file's own
//! bytes, instead of by fitparser.

use super::{DecodeError, Decoded, Format};
use crate::activity::{
    Activity, Device, DeviceSummary, Lap, Pause, PostRunFeel, Sample, Sport, SubSport,
};
use fitparser::de::{DecodeOption, FitObject, FitStreamProcessor};
use fitparser::profile::field_types::FitBaseType;
use fitparser::{ErrorKind, FitDataField, Value};
use std::borrow::Cow;

/// FIT global message numbers used before profile decoding.
const MESG_ACTIVITY: u16 = 34;
const MESG_RECORD: u16 = 20;
/// Seconds between the Unix epoch and the FIT epoch (1989-12-31T00:00:00Z).
const FIT_EPOCH_OFFSET_S: i64 = 631_065_600;
/// FIT date_time values below this are "seconds since device power-on", not
/// a calendar date (FIT SDK: `date_time` min 0x10000000).
const FIT_MIN_ABSOLUTE_TIME: i64 = 0x1000_0000;
/// Records this far outside their session's span are not part of it (a
/// garbage timestamp decoded just before a break, a clock jump).
const SESSION_SLACK_MS: i64 = 10 * 60 * 1000;
/// Upper bound of one activity when the file does not say (no summary).
const MAX_ACTIVITY_MS: i64 = 48 * 3600 * 1000;

/// Raw facts collected from the messages, before they become activities.
#[derive(Default)]
struct Collected {
    file_type: Option<String>,
    /// `file_id.time_created`, as the file's clock wrote it.
    time_created_ms: Option<i64>,
    device: Device,
    sport_message: Option<(String, Option<String>)>,
    sessions: Vec<SessionMsg>,
    records: Vec<Sample>,
    laps: Vec<Lap>,
    /// (time, is_start) of timer events.
    timer_events: Vec<(i64, bool)>,
    /// (utc_raw, local_raw) of the activity message, in FIT seconds.
    activity_times: Option<(i64, i64)>,
    undecodable_messages: usize,
    clock_note: Option<String>,
    /// Running total of the footpod's 12-bit distance counter, in 1/16 m.
    compressed_total_16ths: i64,
    compressed_previous: Option<i64>,
}

impl Collected {
    /// Set the last record's speed and distance from its raw
    /// `compressed_speed_distance` field. fitparser's own accumulation of this
    /// rolling counter is wrong (93.7 km for a 10.25 km run), so we unwrap the
    /// 12-bit counter (1/16 m units, wraps every 256 m) ourselves.
    fn apply_compressed(&mut self, speed_m_per_s: f64, counter: i64) {
        let delta = match self.compressed_previous {
            Some(prev) => (counter - prev).rem_euclid(4096),
            None => counter,
        };
        self.compressed_previous = Some(counter);
        self.compressed_total_16ths += delta;
        if let Some(last) = self.records.last_mut() {
            last.speed_m_per_s = Some(speed_m_per_s as f32);
            last.distance_m = Some(self.compressed_total_16ths as f64 / 16.0);
        }
    }
}

/// FIT record field 8: 12 bits speed (1/100 m/s), 12 bits distance counter.
fn compressed_speed_distance(fields: &std::collections::HashMap<u8, Value>) -> Option<(f64, i64)> {
    let Some(Value::Array(bytes)) = fields.get(&8) else {
        return None;
    };
    let b: Vec<i64> = bytes
        .iter()
        .filter_map(|v| match v {
            Value::Byte(x) | Value::UInt8(x) => Some(i64::from(*x)),
            _ => None,
        })
        .collect();
    let [b0, b1, b2] = b[..] else {
        return None;
    };
    let speed = (b0 | ((b1 & 0x0F) << 8)) as f64 / 100.0;
    let counter = (b1 >> 4) | (b2 << 4);
    Some((speed, counter))
}

#[derive(Default, Clone)]
struct SessionMsg {
    sport: Option<String>,
    sub_sport: Option<String>,
    start_ms: Option<i64>,
    summary: DeviceSummary,
    avg_cadence_per_leg: Option<f64>,
    post_run: PostRunFeel,
}

/// Decode a FIT file (possibly chained). See the module doc for the rules.
pub fn decode(bytes: &[u8]) -> Result<Decoded, DecodeError> {
    let mut processor = FitStreamProcessor::new();
    // Checked below on the file's own bytes (see the module doc).
    processor.add_option(DecodeOption::SkipDataCrcValidation);
    let mut collected = Collected::default();
    // What fitparser reads: the file, or a copy with misaligned fields
    // already marked as bytes.
    let mut parsed: Cow<'_, [u8]> = Cow::Borrowed(bytes);
    let mut misaligned: Vec<Misaligned> = Vec::new();
    let mut offset = 0usize;
    let mut segments_done = 0usize;
    let mut in_segment = false;
    let mut segment_start = 0usize;
    let mut segment_end = 0usize;
    // Why the walk stopped early, if it did: (partial reason, is_corrupt).
    let mut broken: Option<String> = None;
    let mut trailing_warning: Option<String> = None;

    while offset < bytes.len() {
        let buffer = &bytes[offset..];
        if !in_segment {
            // fitparser's header parser can panic on bytes that are not a
            // header (a length underflow); look before handing them over.
            match header_check(buffer) {
                HeaderCheck::Plausible => {}
                HeaderCheck::TooShort if segments_done == 0 => {
                    return Err(DecodeError::Truncated(format!(
                        "file is {} bytes, shorter than a FIT header",
                        bytes.len()
                    )));
                }
                HeaderCheck::TooShort => {
                    broken = Some(format!("chained FIT segment cut short at byte {offset}"));
                    break;
                }
                HeaderCheck::NotFit if segments_done == 0 => {
                    return Err(DecodeError::Corrupt(
                        "not a FIT file: no .FIT signature in the header".to_string(),
                    ));
                }
                HeaderCheck::NotFit => {
                    trailing_warning = Some(format!(
                        "ignored {} trailing bytes after the last complete FIT segment (not a FIT header)",
                        buffer.len()
                    ));
                    break;
                }
            }
        }
        if in_segment && offset < segment_end {
            mark_misaligned_fields(&mut parsed, offset, &mut misaligned);
        }
        match processor.deserialize_next(&parsed[offset..]) {
            Ok((rest, object)) => {
                let end = bytes.len() - rest.len();
                // A message that runs past the segment's declared data size
                // has eaten the CRC: it is garbage, and fitparser would next
                // parse the leftovers as a header (and can panic doing so).
                let past_end = end > segment_end
                    && !matches!(object, FitObject::Header(_) | FitObject::Crc(_));
                if in_segment && past_end {
                    broken = Some(format!(
                        "a message at byte {offset} runs past the declared end of its FIT segment (byte {segment_end})"
                    ));
                    break;
                }
                match object {
                    // No reset here: for a 12-byte header (no header CRC) the
                    // deserializer has already folded the header bytes into the
                    // running data CRC. Reset happens after each segment's CRC.
                    FitObject::Header(header) => {
                        in_segment = true;
                        segment_start = offset;
                        segment_end = offset
                            + usize::from(header.header_size())
                            + header.data_size() as usize;
                    }
                    FitObject::Crc(file_says) => {
                        // The CRC runs over header and data; over a header
                        // that ends in its own CRC it comes out 0, so this
                        // is what fitparser would have computed.
                        let computed = crc16(&bytes[segment_start..end - 2]);
                        if computed != file_says {
                            return Err(DecodeError::Corrupt(crc_mismatch(
                                "data", file_says, computed,
                            )));
                        }
                        segments_done += 1;
                        in_segment = false;
                        processor.reset();
                    }
                    FitObject::DefinitionMessage(_) => {}
                    FitObject::DataMessage(message) => {
                        if message.global_message_number() == MESG_ACTIVITY {
                            collected.activity_times = raw_activity_times(message.fields());
                        }
                        let compressed = (message.global_message_number() == MESG_RECORD)
                            .then(|| compressed_speed_distance(message.fields()))
                            .flatten();
                        match processor.decode_message(message) {
                            Ok(record) => {
                                collect(
                                    &mut collected,
                                    record.kind().to_string(),
                                    record.into_vec(),
                                );
                                if let Some((speed, counter)) = compressed {
                                    collected.apply_compressed(speed, counter);
                                }
                            }
                            Err(_) => collected.undecodable_messages += 1,
                        }
                    }
                }
                offset = end;
            }
            Err(error) => {
                let reason = describe(&error, offset);
                if !in_segment && segments_done > 0 {
                    // A whole, CRC-checked FIT file followed by bytes that do
                    // not start another one: keep the file, note the rest.
                    if matches!(*error, ErrorKind::UnexpectedEof(_)) {
                        broken = Some(format!("chained FIT segment cut short at byte {offset}"));
                    } else {
                        trailing_warning = Some(format!(
                            "ignored {} trailing bytes after the last complete FIT segment ({reason})",
                            bytes.len() - offset
                        ));
                    }
                } else if offset == 0 {
                    return Err(DecodeError::Corrupt(format!("not a FIT file: {reason}")));
                } else if let ErrorKind::InvalidCrc(_) = *error {
                    return Err(DecodeError::Corrupt(reason));
                } else {
                    broken = Some(reason);
                }
                break;
            }
        }
    }
    if broken.is_none() && in_segment {
        broken = Some(format!(
            "file ends at byte {} before its final CRC",
            bytes.len()
        ));
    }
    if segments_done == 0 && broken.is_none() {
        return Err(DecodeError::Corrupt("no FIT segment found".to_string()));
    }

    if let Some(kind) = collected.file_type.as_deref() {
        if kind != "activity" {
            return Err(DecodeError::NotActivity(format!("FIT file type {kind}")));
        }
    }

    let mut partial = broken;
    let mut warning = trailing_warning;
    if let Some(note) = misaligned_note(&misaligned) {
        append_note(&mut warning, note);
    }
    if collected.undecodable_messages > 0 {
        let note = format!(
            "{} messages could not be decoded",
            collected.undecodable_messages
        );
        append_note(&mut warning, note);
    }
    let activities = build_activities(&mut collected, &mut partial);
    if let Some(note) = collected.clock_note.take() {
        append_note(&mut warning, note);
    }
    if activities.is_empty() {
        return Err(match partial {
            Some(reason) => DecodeError::Truncated(reason),
            None if collected.file_type.is_none() => DecodeError::NotActivity(
                "FIT file without file_id, sessions or records".to_string(),
            ),
            None => {
                DecodeError::Truncated("activity file with no session and no records".to_string())
            }
        });
    }
    Ok(Decoded {
        format: Format::Fit,
        activities,
        partial,
        warning,
    })
}

enum HeaderCheck {
    Plausible,
    TooShort,
    NotFit,
}

/// A FIT header: size byte 12 or 14 (or more, for future versions), data
/// size, and the ".FIT" signature at bytes 8–11.
fn header_check(buffer: &[u8]) -> HeaderCheck {
    let signature_so_far = &buffer[8.min(buffer.len())..12.min(buffer.len())];
    if buffer.first().is_some_and(|&size| size < 12) || !b".FIT".starts_with(signature_so_far) {
        return HeaderCheck::NotFit;
    }
    match buffer.first() {
        Some(&size) if buffer.len() >= usize::from(size) && buffer.len() >= 12 => {
            HeaderCheck::Plausible
        }
        _ => HeaderCheck::TooShort,
    }
}

fn append_note(notes: &mut Option<String>, note: String) {
    *notes = Some(match notes.take() {
        Some(earlier) => format!("{earlier}; {note}"),
        None => note,
    });
}

fn crc_mismatch(what: &str, file_says: u16, computed: u16) -> String {
    format!("{what} CRC mismatch (file says {file_says:#06x}, computed {computed:#06x})")
}

/// FIT CRC-16 (the nibble-table CRC of the FIT protocol) of `bytes`.
pub fn crc16(bytes: &[u8]) -> u16 {
    const TABLE: [u16; 16] = [
        0x0000, 0xCC01, 0xD801, 0x1400, 0xF001, 0x3C00, 0x2800, 0xE401, 0xA001, 0x6C00, 0x7800,
        0xB401, 0x5000, 0x9C01, 0x8801, 0x4400,
    ];
    let mut crc: u16 = 0;
    for &byte in bytes {
        for nibble in [byte & 0x0F, byte >> 4] {
            let tmp = TABLE[usize::from(crc & 0x0F)];
            crc = (crc >> 4) & 0x0FFF;
            crc = crc ^ tmp ^ TABLE[usize::from(nibble)];
        }
    }
    crc
}

/// A field definition whose size is not a multiple of its base type's.
#[derive(Debug, Clone, PartialEq)]
struct Misaligned {
    global_message: u16,
    field: u8,
    size: u8,
    base_type: FitBaseType,
}

/// The FIT base type byte of `Byte`: what fitparser falls back to.
const BASE_TYPE_BYTE: u8 = 0x0D;

/// If a definition message starts at `at`, mark each of its fields whose
/// size is not a multiple of its base type's as bytes in `parsed` (as
/// fitparser would, after printing), and remember it. Only fields wholly
/// present are looked at: a cut-short one fitparser never reads either.
fn mark_misaligned_fields(parsed: &mut Cow<'_, [u8]>, at: usize, found: &mut Vec<Misaligned>) {
    // Record header: bit 7 clear (not a compressed timestamp), bit 6 set.
    let message = &parsed[at..];
    if message.first().is_none_or(|h| h & 0xC0 != 0x40) || message.len() < 6 {
        return;
    }
    let big_endian = message[2] == 1;
    let global_message = if big_endian {
        u16::from_be_bytes([message[3], message[4]])
    } else {
        u16::from_le_bytes([message[3], message[4]])
    };
    let fields = usize::from(message[5]);
    let mut marks = Vec::new();
    for (i, field) in message[6..].chunks_exact(3).take(fields).enumerate() {
        // fitparser ignores bits 5 and 6 of the base type byte.
        let base_type = FitBaseType::from(field[2] & 0x9F);
        let size = field[1];
        if size % base_type_size(base_type) != 0 {
            marks.push(at + 6 + 3 * i + 2);
            found.push(Misaligned {
                global_message,
                field: field[0],
                size,
                base_type,
            });
        }
    }
    for at in marks {
        parsed.to_mut()[at] = BASE_TYPE_BYTE;
    }
}

/// The size of one value of a base type, as fitparser counts it (an
/// unknown type counts as bytes).
fn base_type_size(base_type: FitBaseType) -> u8 {
    match base_type {
        FitBaseType::Sint16 | FitBaseType::Uint16 | FitBaseType::Uint16z => 2,
        FitBaseType::Sint32 | FitBaseType::Uint32 | FitBaseType::Uint32z | FitBaseType::Float32 => {
            4
        }
        FitBaseType::Float64 | FitBaseType::Sint64 | FitBaseType::Uint64 | FitBaseType::Uint64z => {
            8
        }
        _ => 1,
    }
}

/// "5 field definitions with a size that is not a multiple of their type
/// (event field 3: 1 byte of uint32): read as bytes" — the same definition
/// repeated in the file is named once.
fn misaligned_note(found: &[Misaligned]) -> Option<String> {
    if found.is_empty() {
        return None;
    }
    let mut named: Vec<String> = Vec::new();
    for m in found {
        let name = format!(
            "{} field {}: {} of {}",
            fitparser::profile::MesgNum::from(m.global_message),
            m.field,
            crate::units::plural(m.size, "byte", "bytes"),
            m.base_type
        );
        if !named.contains(&name) {
            named.push(name);
        }
    }
    let more = if named.len() > 3 { ", …" } else { "" };
    named.truncate(3);
    let (definitions, their) = if found.len() == 1 {
        ("field definition", "its")
    } else {
        ("field definitions", "their")
    };
    Some(format!(
        "{} {definitions} with a size that is not a multiple of {their} type ({}{more}): read as bytes",
        found.len(),
        named.join(", ")
    ))
}

fn describe(error: &ErrorKind, offset: usize) -> String {
    match error {
        ErrorKind::UnexpectedEof(_) => format!("file ends inside a message at byte {offset}"),
        ErrorKind::InvalidCrc((_, FitObject::Header(_), expected, computed)) => {
            crc_mismatch("header", *expected, *computed)
        }
        ErrorKind::InvalidCrc((_, _, expected, computed)) => {
            crc_mismatch("data", *expected, *computed)
        }
        ErrorKind::MissingDefinitionMessage(local, position) => {
            format!("data message uses undefined local message type {local} at byte {position}")
        }
        other => format!("{other} (at byte {offset})"),
    }
}

/// The activity message's UTC `timestamp` (253) and `local_timestamp` (5),
/// read from the raw message before fitparser turns them into machine-local
/// `DateTime`s (which would bake in the machine's DST rules).
fn raw_activity_times(fields: &std::collections::HashMap<u8, Value>) -> Option<(i64, i64)> {
    Some((raw_int(fields.get(&253)?)?, raw_int(fields.get(&5)?)?))
}

fn raw_int(value: &Value) -> Option<i64> {
    match value {
        Value::UInt32(v) | Value::UInt32z(v) => Some(i64::from(*v)),
        Value::SInt32(v) => Some(i64::from(*v)),
        _ => None,
    }
}

fn num(value: &Value) -> Option<f64> {
    let v = match value {
        Value::Byte(v) | Value::UInt8(v) | Value::UInt8z(v) | Value::Enum(v) => f64::from(*v),
        Value::SInt8(v) => f64::from(*v),
        Value::UInt16(v) | Value::UInt16z(v) => f64::from(*v),
        Value::SInt16(v) => f64::from(*v),
        Value::UInt32(v) | Value::UInt32z(v) => f64::from(*v),
        Value::SInt32(v) => f64::from(*v),
        Value::Float32(v) => f64::from(*v),
        Value::Float64(v) => *v,
        Value::UInt64(v) | Value::UInt64z(v) => *v as f64,
        Value::SInt64(v) => *v as f64,
        _ => return None,
    };
    v.is_finite().then_some(v)
}

fn text(value: &Value) -> Option<String> {
    match value {
        Value::String(s) => Some(s.clone()),
        other => num(other).map(|n| format!("{n}")),
    }
}

/// Unix milliseconds of a FIT date_time, absolute or device-relative (see
/// [`Clock`]).
fn time_ms(value: &Value) -> Option<i64> {
    match value {
        Value::Timestamp(t) => Some(t.timestamp_millis()),
        _ => None,
    }
}

/// How the file's clock maps to real instants. Most watches write UTC; some
/// (Forerunner 70 with a footpod) write "seconds since power-on" everywhere
/// and only the activity message's `local_timestamp` is a calendar time.
struct Clock {
    /// Added to device-relative instants; `None`: they cannot be placed.
    relative_shift_ms: Option<i64>,
    local_offset_s: Option<i32>,
}

impl Clock {
    fn from_activity(times: Option<(i64, i64)>) -> Clock {
        match times {
            Some((utc, local))
                if utc >= FIT_MIN_ABSOLUTE_TIME && local >= FIT_MIN_ABSOLUTE_TIME =>
            {
                // Offsets are whole quarter hours within ±14 h; anything
                // else is a device clock oddity, not a zone.
                let offset = local - utc;
                let rounded = ((offset as f64 / 900.0).round() * 900.0) as i64;
                Clock {
                    relative_shift_ms: None,
                    local_offset_s: (rounded.abs() <= 14 * 3600).then_some(rounded as i32),
                }
            }
            // Relative clock anchored on local wall time: instants are the
            // runner's local time read as UTC (the offset is unknown).
            Some((utc, local)) if local >= FIT_MIN_ABSOLUTE_TIME => Clock {
                relative_shift_ms: Some((local - utc) * 1000),
                local_offset_s: None,
            },
            _ => Clock {
                relative_shift_ms: None,
                local_offset_s: None,
            },
        }
    }

    fn place(&self, ms: i64) -> Option<i64> {
        let fit_s = ms.div_euclid(1000) - FIT_EPOCH_OFFSET_S;
        if fit_s >= FIT_MIN_ABSOLUTE_TIME {
            Some(ms)
        } else {
            self.relative_shift_ms.map(|shift| ms + shift)
        }
    }
}

fn semicircles_to_deg(value: &Value) -> Option<f64> {
    let deg = num(value)? * (180.0 / 2_147_483_648.0);
    (deg.abs() <= 180.0).then_some(deg)
}

fn collect(c: &mut Collected, kind: String, fields: Vec<FitDataField>) {
    match kind.as_str() {
        "file_id" => {
            for f in &fields {
                match f.name() {
                    "type" => c.file_type = text(f.value()),
                    "time_created" => c.time_created_ms = time_ms(f.value()),
                    "manufacturer" => c.device.manufacturer = text(f.value()),
                    "product" | "garmin_product" | "favero_product" => {
                        c.device.product = text(f.value())
                    }
                    _ => {}
                }
            }
        }
        "sport" => {
            let mut sport = None;
            let mut sub = None;
            for f in &fields {
                match f.name() {
                    "sport" => sport = text(f.value()),
                    "sub_sport" => sub = text(f.value()),
                    _ => {}
                }
            }
            if let Some(s) = sport {
                c.sport_message.get_or_insert((s, sub));
            }
        }
        "record" => c.records.push(record_sample(&fields)),
        "lap" => {
            let mut lap = Lap::default();
            let mut start = None;
            for f in &fields {
                match f.name() {
                    "start_time" => start = time_ms(f.value()),
                    "total_elapsed_time" => lap.elapsed_s = num(f.value()),
                    "total_timer_time" => lap.timer_s = num(f.value()),
                    "total_distance" => lap.distance_m = num(f.value()),
                    _ => {}
                }
            }
            if let Some(start) = start {
                lap.start_ms = start;
                c.laps.push(lap);
            }
        }
        "event" => {
            let mut time = None;
            let mut is_timer = false;
            let mut event_type = None;
            for f in &fields {
                match f.name() {
                    "timestamp" => time = time_ms(f.value()),
                    "event" => is_timer = matches!(f.value(), Value::String(s) if s == "timer"),
                    "event_type" => event_type = text(f.value()),
                    _ => {}
                }
            }
            if let (true, Some(t), Some(kind)) = (is_timer, time, event_type) {
                match kind.as_str() {
                    "start" => c.timer_events.push((t, true)),
                    "stop" | "stop_all" | "stop_disable" | "stop_disable_all" => {
                        c.timer_events.push((t, false))
                    }
                    _ => {}
                }
            }
        }
        "session" => c.sessions.push(session_msg(&fields)),
        _ => {}
    }
}

fn record_sample(fields: &[FitDataField]) -> Sample {
    let mut s = Sample::at(i64::MIN);
    let mut cadence: Option<f64> = None;
    let mut fractional = 0.0;
    let mut enhanced_speed = None;
    let mut enhanced_altitude = None;
    for f in fields {
        let v = f.value();
        match f.name() {
            "timestamp" => {
                if let Some(t) = time_ms(v) {
                    s.time_ms = t;
                }
            }
            "position_lat" => s.lat_deg = semicircles_to_deg(v),
            "position_long" => s.lon_deg = semicircles_to_deg(v),
            "distance" => s.distance_m = num(v),
            "speed" => s.speed_m_per_s = num(v).map(|x| x as f32),
            "enhanced_speed" => enhanced_speed = num(v).map(|x| x as f32),
            "altitude" => s.altitude_m = num(v).map(|x| x as f32),
            "enhanced_altitude" => enhanced_altitude = num(v).map(|x| x as f32),
            "cadence" => cadence = num(v),
            "fractional_cadence" => fractional = num(v).unwrap_or(0.0),
            "heart_rate" => s.heart_rate_bpm = num(v).map(|x| x as f32),
            "temperature" => s.temperature_c = num(v).map(|x| x as f32),
            "power" => s.power_w = num(v).map(|x| x as f32),
            _ => {}
        }
    }
    s.speed_m_per_s = enhanced_speed.or(s.speed_m_per_s);
    s.altitude_m = enhanced_altitude.or(s.altitude_m);
    // Per-leg (or crank) cadence for now; doubled for foot sports once the
    // session's sport is known.
    s.cadence_spm = cadence.map(|c| (c + fractional) as f32);
    // A position needs both halves; (0, 0) is what some devices write before
    // the first fix (0° alone is the equator or Greenwich: a real place).
    let no_fix = s.lat_deg == Some(0.0) && s.lon_deg == Some(0.0);
    if s.lat_deg.is_none() || s.lon_deg.is_none() || no_fix {
        s.lat_deg = None;
        s.lon_deg = None;
    }
    s
}

fn session_msg(fields: &[FitDataField]) -> SessionMsg {
    let mut m = SessionMsg::default();
    let mut cadence = None;
    let mut fractional = 0.0;
    for f in fields {
        let v = f.value();
        match f.name() {
            "sport" => m.sport = text(v),
            "sub_sport" => m.sub_sport = text(v),
            "start_time" => m.start_ms = time_ms(v),
            "total_distance" => m.summary.total_distance_m = num(v),
            "total_timer_time" => m.summary.total_timer_s = num(v),
            "total_elapsed_time" => m.summary.total_elapsed_s = num(v),
            "total_ascent" => m.summary.total_ascent_m = num(v),
            "total_descent" => m.summary.total_descent_m = num(v),
            "avg_running_cadence" | "avg_cadence" => cadence = cadence.or(num(v)),
            "avg_fractional_cadence" => fractional = num(v).unwrap_or(0.0),
            "avg_heart_rate" => m.summary.avg_heart_rate_bpm = num(v),
            "workout_rpe" => m.post_run.rpe = num(v),
            "workout_feel" => m.post_run.feel = num(v),
            _ => {}
        }
    }
    m.avg_cadence_per_leg = cadence.map(|c| c + fractional);
    m
}

/// Foot sports report cadence per leg in FIT; tendonwatch speaks steps/min.
fn cadence_factor(sport: Sport) -> f32 {
    match sport {
        Sport::Running | Sport::Walking | Sport::Hiking => 2.0,
        _ => 1.0,
    }
}

fn map_sport(sport: &str, sub: Option<&str>) -> (Sport, SubSport) {
    let sub_sport = sub.map(SubSport::parse).unwrap_or(SubSport::Generic);
    let sport = match (sport, sub) {
        ("fitness_equipment", Some("indoor_rowing")) | ("rowing", _) => Sport::Rowing,
        ("fitness_equipment", Some("treadmill")) => Sport::Running,
        (s, _) => Sport::parse(s),
    };
    (sport, sub_sport)
}

/// Records written at the same instant are one sample (the Strava app writes
/// position and distance as two records per second).
fn merge_same_instant(sorted: Vec<Sample>) -> Vec<Sample> {
    let mut out: Vec<Sample> = Vec::with_capacity(sorted.len());
    for s in sorted {
        match out.last_mut() {
            Some(prev) if prev.time_ms == s.time_ms => {
                prev.lat_deg = prev.lat_deg.or(s.lat_deg);
                prev.lon_deg = prev.lon_deg.or(s.lon_deg);
                prev.distance_m = prev.distance_m.or(s.distance_m);
                prev.speed_m_per_s = prev.speed_m_per_s.or(s.speed_m_per_s);
                prev.altitude_m = prev.altitude_m.or(s.altitude_m);
                prev.cadence_spm = prev.cadence_spm.or(s.cadence_spm);
                prev.heart_rate_bpm = prev.heart_rate_bpm.or(s.heart_rate_bpm);
                prev.temperature_c = prev.temperature_c.or(s.temperature_c);
                prev.power_w = prev.power_w.or(s.power_w);
            }
            _ => out.push(s),
        }
    }
    out
}

fn build_activities(c: &mut Collected, partial: &mut Option<String>) -> Vec<Activity> {
    let clock = Clock::from_activity(c.activity_times);
    if clock.relative_shift_ms.is_some() {
        c.clock_note = Some("device clock counts from power-on; times anchored on the activity's local time (UTC offset unknown)".to_string());
    }
    let local_offset_s = clock.local_offset_s;
    let mut records: Vec<Sample> = std::mem::take(&mut c.records)
        .into_iter()
        .filter_map(|s| {
            Some(Sample {
                time_ms: clock.place(s.time_ms)?,
                ..s
            })
        })
        .collect();
    records.sort_by_key(|s| s.time_ms);
    let records = merge_same_instant(records);
    for lap in &mut c.laps {
        lap.start_ms = clock.place(lap.start_ms).unwrap_or(i64::MIN);
    }
    c.laps.retain(|l| l.start_ms != i64::MIN);
    c.timer_events = c
        .timer_events
        .iter()
        .filter_map(|(t, start)| Some((clock.place(*t)?, *start)))
        .collect();
    for session in &mut c.sessions {
        session.start_ms = session.start_ms.and_then(|t| clock.place(t));
    }

    let mut sessions: Vec<SessionMsg> = c
        .sessions
        .iter()
        .filter(|s| s.start_ms.is_some())
        .cloned()
        .collect();
    sessions.sort_by_key(|s| s.start_ms);
    if sessions.is_empty() {
        // No summary (unterminated recording): one activity from the records.
        let Some(first) = records.first() else {
            return Vec::new();
        };
        let (sport, sub) = c
            .sport_message
            .clone()
            .unwrap_or_else(|| ("generic".to_string(), None));
        append_note(partial, "no session summary in the file".to_string());
        sessions.push(SessionMsg {
            sport: Some(sport),
            sub_sport: sub,
            start_ms: Some(first.time_ms),
            ..SessionMsg::default()
        });
    }

    let mut activities = Vec::with_capacity(sessions.len());
    let n = sessions.len();
    for (index, session) in sessions.iter().enumerate() {
        let start = session.start_ms.unwrap_or(i64::MIN);
        // A session owns everything from its start to the next session's
        // start; the first also owns what came before it and the last what
        // came after, so no record of the file is dropped.
        let end = match sessions.get(index + 1).and_then(|s| s.start_ms) {
            Some(next) => next,
            None => {
                let elapsed_ms = session
                    .summary
                    .total_elapsed_s
                    .map_or(MAX_ACTIVITY_MS, |e| (e * 1000.0) as i64);
                start
                    .saturating_add(elapsed_ms)
                    .saturating_add(SESSION_SLACK_MS)
            }
        };
        let lower = if index == 0 {
            start.saturating_sub(SESSION_SLACK_MS)
        } else {
            start
        };
        let in_span = |t: i64| t >= lower && t < end;

        let sport_name = session
            .sport
            .clone()
            .unwrap_or_else(|| "generic".to_string());
        let (sport, sub_sport) = map_sport(&sport_name, session.sub_sport.as_deref());
        let factor = cadence_factor(sport);
        let mut a = Activity::new(sport, start);
        a.sub_sport = sub_sport;
        a.sport_label = match &session.sub_sport {
            Some(sub) if sub != "generic" => format!("{sport_name}/{sub}"),
            _ => sport_name.clone(),
        };
        a.session_index = index as u32;
        a.local_offset_s = local_offset_s;
        a.declared_start_ms = c.time_created_ms.and_then(|t| clock.place(t));
        a.device = c.device.clone();
        a.summary = session.summary;
        a.summary.avg_cadence_spm = session.avg_cadence_per_leg.map(|x| x * f64::from(factor));
        a.post_run = session.post_run;
        a.samples = records
            .iter()
            .filter(|s| in_span(s.time_ms))
            .map(|s| Sample {
                cadence_spm: s.cadence_spm.map(|x| x * factor),
                ..*s
            })
            .collect();
        a.laps = c
            .laps
            .iter()
            .filter(|l| in_span(l.start_ms))
            .copied()
            .collect();
        a.pauses = pauses_within(&c.timer_events, lower, end);
        if n == 1
            && a.samples.is_empty()
            && records.is_empty()
            && a.summary.total_distance_m.is_none()
        {
            continue;
        }
        activities.push(a);
    }
    activities
}

/// Timer stop → next start, inside [start, end).
fn pauses_within(events: &[(i64, bool)], start: i64, end: i64) -> Vec<Pause> {
    let mut events: Vec<(i64, bool)> = events
        .iter()
        .copied()
        .filter(|(t, _)| *t >= start && *t <= end)
        .collect();
    events.sort_by_key(|e| e.0);
    let mut pauses = Vec::new();
    let mut stopped_at: Option<i64> = None;
    for (t, is_start) in events {
        match (is_start, stopped_at) {
            (false, None) => stopped_at = Some(t),
            (true, Some(stop)) => {
                if t > stop {
                    pauses.push(Pause {
                        start_ms: stop,
                        end_ms: t,
                    });
                }
                stopped_at = None;
            }
            _ => {}
        }
    }
    pauses
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A FIT activity file of one `file_id` message whose `time_created`
    /// (field 4, uint32) is declared 1 byte long, as COROS writes some
    /// fields; `crc_delta` spoils the file CRC.
    fn file_id_with_a_one_byte_uint32(crc_delta: u16) -> Vec<u8> {
        let data = [
            0x40, 0, 0, 0, 0, 2, // definition: local 0, little endian, file_id, 2 fields
            0, 1, 0x00, // type: 1 byte enum
            4, 1, 0x86, // time_created: 1 byte of uint32
            0x00, 4, 0x12, // data: activity, 0x12
        ];
        let mut file = vec![14, 0x20, 0x54, 0x08];
        file.extend_from_slice(&(data.len() as u32).to_le_bytes());
        file.extend_from_slice(b".FIT");
        let header_crc = crc16(&file);
        file.extend_from_slice(&header_crc.to_le_bytes());
        file.extend_from_slice(&data);
        let crc = crc16(&file) ^ crc_delta;
        file.extend_from_slice(&crc.to_le_bytes());
        file
    }

    #[test]
    fn a_field_shorter_than_its_type_is_marked_as_bytes_in_a_copy_only() {
        let file = file_id_with_a_one_byte_uint32(0);
        let mut parsed = Cow::Borrowed(&file[..]);
        let mut found = Vec::new();
        mark_misaligned_fields(&mut parsed, 14, &mut found);
        assert_eq!(
            found,
            [Misaligned {
                global_message: 0,
                field: 4,
                size: 1,
                base_type: FitBaseType::Uint32,
            }]
        );
        // Only the base type byte of that field changes, in the copy.
        let changed: Vec<usize> = (0..file.len()).filter(|&i| parsed[i] != file[i]).collect();
        assert_eq!(changed, [14 + 6 + 3 + 2]);
        assert_eq!(parsed[14 + 6 + 3 + 2], BASE_TYPE_BYTE);
        assert_eq!(
            misaligned_note(&found).as_deref(),
            Some(
                "1 field definition with a size that is not a multiple of its type \
                 (file_id field 4: 1 byte of uint32): read as bytes"
            )
        );
    }

    #[test]
    fn the_file_crc_is_checked_on_the_file_s_own_bytes_not_the_marked_copy() {
        // The copy fitparser reads differs from the file; its CRC is still
        // the file's: a whole file is not "corrupt"…
        let whole = decode(&file_id_with_a_one_byte_uint32(0));
        assert!(
            !matches!(&whole, Err(DecodeError::Corrupt(m)) if m.contains("CRC")),
            "{whole:?}"
        );
        // …and a spoiled CRC still is.
        let spoiled = decode(&file_id_with_a_one_byte_uint32(0x0101));
        assert!(
            matches!(&spoiled, Err(DecodeError::Corrupt(m)) if m.starts_with("data CRC mismatch")),
            "{spoiled:?}"
        );
    }

    #[test]
    fn garbage_is_not_a_fit_file() {
        let r = decode(b"hello, this is not FIT at all");
        assert!(
            matches!(r, Err(DecodeError::Corrupt(ref m)) if m.contains("not a FIT")),
            "{r:?}"
        );
    }

    #[test]
    fn pauses_pair_stop_with_next_start() {
        let ev = [
            (0, true),
            (100, false),
            (300, true),
            (400, false),
            (500, false),
            (900, true),
        ];
        let p = pauses_within(&ev, 0, 1000);
        assert_eq!(
            p,
            vec![
                Pause {
                    start_ms: 100,
                    end_ms: 300
                },
                Pause {
                    start_ms: 400,
                    end_ms: 900
                }
            ]
        );
    }

    #[test]
    fn treadmill_on_fitness_equipment_is_a_run() {
        assert_eq!(
            map_sport("fitness_equipment", Some("treadmill")),
            (Sport::Running, SubSport::Treadmill)
        );
        assert_eq!(
            map_sport("running", Some("street")),
            (Sport::Running, SubSport::Road)
        );
    }
}
