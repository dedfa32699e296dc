//! Ingest throughput: tendonwatch's whole import path against bare
//! `fitparser::from_bytes` over exactly the same bytes.
//!
//! Run: `cargo bench --bench ingest_throughput` (release profile).
//! `TW_BENCH_FILES=<n>` changes the FIT backlog size (default 2000).
//!
//! # The backlog, and how its copies are made unique
//!
//! The backlog is built in a temp folder from the real, complete running FIT
//! files in `../shared/fixtures/real/fit` (read at run time, never copied into
//! the repo): mostly the 50–300 KB single-session runs, a few small ones, a
//! triathlon (five sessions) and the 2.7 MB `roznet__large.fit` once every 400
//! files.
//!
//! A plain copy would be short-circuited by the store twice: by the content
//! hash (same bytes under another path → `duplicate`, no activity written) and
//! by the same-run rule (start within ±60 s and duration within 2 % → the
//! poorer copy is not written). Either would make the import look faster than
//! it is. So the `k`-th copy (k = 1, 2, …) of a source has **every absolute
//! FIT timestamp moved `k` whole days later**, and the file CRC of every segment recomputed:
//!
//! - the bench walks the FIT records itself (header, definition and data
//!   messages, developer fields, compressed-timestamp headers, chained
//!   segments) and adds the shift to each 4-byte `date_time` it knows:
//!   `timestamp` (253) of every message, `start_time` (2) of lap, session and
//!   length, `time_created` (4) of file_id, `local_timestamp` (5) of activity.
//!   Values below 0x10000000 (device-relative "seconds since power-on") and
//!   the invalid value 0xFFFFFFFF are left alone.
//! - a day is 86,400 s = 2,700 × 32 s, so the low five bits of every
//!   timestamp stay the same and compressed-timestamp headers (5-bit offsets
//!   from the last full timestamp) still decode to the shifted time.
//! - the data CRC (standard FIT CRC-16, nibble table) is checked on the source
//!   before anything is changed and recomputed over header + data of each
//!   segment afterwards; headers are untouched, so their own CRC stays valid.
//!
//! Each copy is therefore a different, valid recording of a different run:
//! every file is read, hashed, decoded, normalized and written (file row,
//! activity rows, sample blobs) in full. The bench checks that: before the
//! timing it decodes the first copy of each source and compares it with the
//! original (same activities, same sample counts, start exactly one day
//! later); the bare pass requires fitparser to accept every copy (it checks
//! the CRC); after the import it requires a `files` row per file, no file
//! counted as already known, and exactly the expected numbers of activities
//! and samples.
//!
//! # What is measured
//!
//! 1. `tendonwatch import`: `ingest::discover` + `ingest::ingest_files` into a
//!    fresh `Store` on a temp SQLite file, on a tokio runtime built like
//!    `src/cli/import.rs` builds it (1 worker, blocking pool of
//!    `available_parallelism` threads, that many files decoding at once).
//!    Timed from discover to the last commit; file reads hit the page cache
//!    (the files were just written).
//! 2. bare `fitparser::from_bytes` over the same files, one thread; each file
//!    is read into memory first (not timed), only the `from_bytes` call is
//!    timed (dropping its result is not — this favours the baseline).
//!
//! The ratio is import files/s ÷ bare files/s (same files, so the MB/s ratio
//! is the same). A separate, smaller GPX backlog (dates moved the same way,
//! whole days, in the text) is imported into its own store and reported on
//! its own: fitparser has no GPX counterpart.
//!
//! # TCX next to GPX
//!
//! The TCX backlog is the GPX backlog written as TCX: each GPX run is decoded
//! and written back as a Garmin-style TCX file (one lap, `<Position>`,
//! `<AltitudeMeters>`, cumulative `<DistanceMeters>`, `<HeartRateBpm>`, TPX
//! `<Speed>` and per-leg `<RunCadence>`), so both formats carry the same
//! points; the `k`-th copy is `k` days later. It is imported into its own
//! store like the GPX one. Then both decoders alone — `decode_bytes` on
//! bytes already in memory, one thread, repeated for at least a second —
//! give each format's decoding MB/s over the same runs. (TCX repeats its
//! element names and adds a distance per point, so the same run is larger
//! as TCX: compare MB/s and points/s.)
//!
//! Peak RSS is the process's VmHWM from /proc/self/status, reset (through
//! /proc/self/clear_refs) before, and read after, each of the three passes, so
//! each pass reports its own peak (the bare pass runs last: the allocator keeps
//! the heap fitparser grew, which would count against a later pass); where the kernel cannot reset it, the
//! whole process's peak is printed at the end instead.

#![allow(clippy::unwrap_used)]

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use tendonwatch::decode::fit::crc16;
use tendonwatch::decode::{self, Format};
use tendonwatch::ingest;
use tendonwatch::store::Store;

const REAL: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../shared/fixtures/real");
const DAY_S: u32 = 86_400;
/// FIT date_time values below this are device-relative, not calendar times.
const FIT_MIN_ABSOLUTE_TIME: u32 = 0x1000_0000;
/// One `roznet__large.fit` (2.7 MB, 12 h run) per this many backlog files.
const LARGE_EVERY: usize = 400;

/// One cycle of 20 backlog files: (file name, copies per cycle).
const FIT_CYCLE: &[(&str, usize)] = &[
    ("activity-small-fenix2-run.fit", 4),
    ("roznet__sample.fit", 4),
    ("run_with_coordinates.fit", 4),
    ("developer-types-sample.fit", 4),
    ("triathlon_summary_first.fit", 2),
    ("with_nones.fit", 1),
    ("compressed-speed-distance.fit", 1),
];
const FIT_LARGE: &str = "roznet__large.fit";
const GPX_CYCLE: &[&str] = &[
    "garmin-activity.gpx",
    "run_gpxtpx.gpx",
    "Friday-Evening-Run.gpx",
];

fn main() {
    let n_files: usize = match std::env::var("TW_BENCH_FILES") {
        Ok(v) => v
            .trim()
            .parse()
            .unwrap_or_else(|_| panic!("TW_BENCH_FILES={v:?} is not a count")),
        Err(_) => 2000,
    };
    assert!(n_files > 0, "TW_BENCH_FILES must be at least 1");
    let n_gpx = (n_files / 20).max(GPX_CYCLE.len());
    let cores = std::thread::available_parallelism()
        .map(|n| n.get())
        .unwrap_or(2);

    let tmp = tempfile::tempdir().unwrap();
    let fit_dir = tmp.path().join("backlog-fit");
    let gpx_dir = tmp.path().join("backlog-gpx");
    let tcx_dir = tmp.path().join("backlog-tcx");
    std::fs::create_dir_all(&fit_dir).unwrap();
    std::fs::create_dir_all(&gpx_dir).unwrap();
    std::fs::create_dir_all(&tcx_dir).unwrap();

    // ---- build the backlogs -------------------------------------------------
    let t = Instant::now();
    let plan = fit_plan(n_files);
    let mut sources: BTreeMap<&str, Source> = BTreeMap::new();
    let mut copies_of: BTreeMap<&str, u32> = BTreeMap::new();
    let mut expected_activities = 0usize;
    let mut expected_samples = 0usize;
    let mut fit_bytes_total = 0u64;
    for (i, name) in plan.iter().enumerate() {
        let source = sources
            .entry(name)
            .or_insert_with(|| Source::load_fit(name));
        let k = copies_of.entry(name).or_insert(0);
        *k += 1;
        let shift_s = *k * DAY_S;
        let copy = shift_fit(&source.bytes, shift_s)
            .unwrap_or_else(|e| panic!("{name}: cannot make copy {k}: {e}"));
        if *k == 1 {
            source.check_copy(&copy, shift_s);
        }
        expected_activities += source.activities;
        expected_samples += source.samples;
        fit_bytes_total += copy.len() as u64;
        let stem = name.trim_end_matches(".fit");
        std::fs::write(fit_dir.join(format!("{i:05}-{stem}-d{k}.fit")), &copy).unwrap();
    }
    let mut gpx_bytes_total = 0u64;
    let mut expected_gpx_activities = 0usize;
    let mut expected_gpx_samples = 0usize;
    for i in 0..n_gpx {
        let name = GPX_CYCLE[i % GPX_CYCLE.len()];
        let source = sources
            .entry(name)
            .or_insert_with(|| Source::load_gpx(name));
        let k = (i / GPX_CYCLE.len() + 1) as u32;
        let copy = shift_gpx(&source.bytes, k);
        if k == 1 {
            source.check_copy(&copy, k * DAY_S);
        }
        expected_gpx_activities += source.activities;
        expected_gpx_samples += source.samples;
        gpx_bytes_total += copy.len() as u64;
        let stem = name.trim_end_matches(".gpx");
        std::fs::write(gpx_dir.join(format!("{i:05}-{stem}-d{k}.gpx")), &copy).unwrap();
    }
    // The same runs as TCX.
    let mut tcx_bytes_total = 0u64;
    let mut expected_tcx_samples = 0usize;
    for i in 0..n_gpx {
        let name = GPX_CYCLE[i % GPX_CYCLE.len()];
        let k = (i / GPX_CYCLE.len() + 1) as u32;
        let original = decode::decode_bytes(Format::Gpx, &sources[name].bytes).unwrap();
        let copy = tcx_copy(&original.activities[0], k);
        if k == 1 {
            let a = decode::decode_bytes(Format::Tcx, &copy)
                .unwrap_or_else(|e| panic!("{name} as TCX does not decode: {e}"));
            assert!(a.is_complete(), "{name} as TCX: {:?}", a.partial);
            assert_eq!(a.activities.len(), 1, "{name} as TCX");
            let (x, y) = (&original.activities[0], &a.activities[0]);
            assert_eq!(x.samples.len(), y.samples.len(), "{name} as TCX: samples");
            assert_eq!(
                y.start_ms - x.start_ms,
                i64::from(DAY_S) * 1000,
                "{name} as TCX"
            );
            assert_eq!(x.sport, y.sport, "{name} as TCX: sport");
        }
        expected_tcx_samples += sources[name].samples;
        tcx_bytes_total += copy.len() as u64;
        let stem = name.trim_end_matches(".gpx");
        std::fs::write(tcx_dir.join(format!("{i:05}-{stem}-d{k}.tcx")), &copy).unwrap();
    }
    println!(
        "backlog: {n_files} FIT files ({:.1} MB) + {n_gpx} GPX files ({:.1} MB) + {n_gpx} TCX files ({:.1} MB) built in {:.1} s in {}",
        mb(fit_bytes_total),
        mb(gpx_bytes_total),
        mb(tcx_bytes_total),
        t.elapsed().as_secs_f64(),
        tmp.path().display()
    );
    for (name, k) in &copies_of {
        println!(
            "  {name}: {k} copies of {} bytes, {} activities each",
            sources[name].bytes.len(),
            sources[name].activities
        );
    }
    drop(sources);

    // Peak RSS is taken per phase: VmHWM is reset to the current RSS before
    // each one (Linux >= 4.0), so building the backlog does not count.
    let mut resets_ok = true;

    // ---- 1. the whole import, FIT backlog -----------------------------------
    resets_ok &= reset_peak_rss();
    let fit_import = import(&fit_dir, &tmp.path().join("fit.sqlite"), cores);
    let rss_fit_import = peak_rss_kb();
    fit_import.check(
        n_files,
        fit_bytes_total,
        expected_activities,
        expected_samples,
    );

    // ---- 2. GPX backlog, on its own -----------------------------------------
    resets_ok &= reset_peak_rss();
    let gpx_import = import(&gpx_dir, &tmp.path().join("gpx.sqlite"), cores);
    let rss_gpx_import = peak_rss_kb();
    gpx_import.check(
        n_gpx,
        gpx_bytes_total,
        expected_gpx_activities,
        expected_gpx_samples,
    );

    // ---- 2b. the same runs as TCX, on their own ------------------------------
    resets_ok &= reset_peak_rss();
    let tcx_import = import(&tcx_dir, &tmp.path().join("tcx.sqlite"), cores);
    let rss_tcx_import = peak_rss_kb();
    tcx_import.check(
        n_gpx,
        tcx_bytes_total,
        expected_gpx_activities,
        expected_tcx_samples,
    );

    // ---- 2c. the two XML decoders alone, same runs --------------------------
    let gpx_decode = decode_only(Format::Gpx, &gpx_import.paths);
    let tcx_decode = decode_only(Format::Tcx, &tcx_import.paths);
    assert_eq!(
        gpx_decode.points, tcx_decode.points,
        "GPX and TCX hold other points"
    );

    // ---- 3. bare fitparser over the same files ------------------------------
    resets_ok &= reset_peak_rss();
    let bare = bare_fitparser(&fit_import.paths);
    let rss_bare = peak_rss_kb();
    assert_eq!(bare.bytes, fit_bytes_total, "bare pass read other bytes");
    assert_eq!(bare.ok, bare.files, "fitparser rejects some copies");

    let rss_end = peak_rss_kb();

    // ---- report -------------------------------------------------------------
    let ratio = (fit_import.files as f64 / fit_import.elapsed.as_secs_f64())
        / (bare.files as f64 / bare.elapsed.as_secs_f64());
    println!();
    println!("== ingest throughput ==");
    println!(
        "bare fitparser::from_bytes: {} (1 thread; {} Ok, {} Err)",
        rate(bare.files, bare.bytes, bare.elapsed),
        bare.ok,
        bare.files - bare.ok
    );
    println!(
        "tendonwatch import (whole path: discover + ingest_files = read, hash, decode, normalize, measure, store): {} ({cores} cores)",
        rate(fit_import.files, fit_import.bytes, fit_import.elapsed)
    );
    println!("ratio (import / bare, files/s): {ratio:.2}");
    println!(
        "  per core: {:.2} (import on {cores} cores vs bare on 1 thread)",
        ratio / cores as f64
    );
    println!(
        "target >= 0.80: {}",
        if ratio >= 0.80 { "PASS" } else { "FAIL" }
    );
    println!(
        "tendonwatch import, GPX only (no fitparser baseline): {} ({cores} cores)",
        rate(gpx_import.files, gpx_import.bytes, gpx_import.elapsed)
    );
    println!(
        "tendonwatch import, TCX only (the GPX runs as TCX): {} ({cores} cores)",
        rate(tcx_import.files, tcx_import.bytes, tcx_import.elapsed)
    );
    println!("decode_bytes alone, 1 thread, same runs:");
    for (name, d) in [("GPX", &gpx_decode), ("TCX", &tcx_decode)] {
        println!(
            "  {name}: {:.1} MB/s, {:.2} M points/s ({} files x {} rounds, {:.1} MB in {:.2} s)",
            mb(d.bytes) / d.elapsed.as_secs_f64(),
            d.points as f64 / d.elapsed.as_secs_f64() / 1e6 * f64::from(d.rounds),
            d.files,
            d.rounds,
            mb(d.bytes),
            d.elapsed.as_secs_f64()
        );
    }
    println!(
        "  TCX / GPX: {:.2} in MB/s, {:.2} in points/s",
        (mb(tcx_decode.bytes) / tcx_decode.elapsed.as_secs_f64())
            / (mb(gpx_decode.bytes) / gpx_decode.elapsed.as_secs_f64()),
        (f64::from(tcx_decode.rounds) / tcx_decode.elapsed.as_secs_f64())
            / (f64::from(gpx_decode.rounds) / gpx_decode.elapsed.as_secs_f64())
    );
    if resets_ok {
        println!(
            "peak RSS (VmHWM, reset before each phase): FIT import {}, bare fitparser {}, GPX import {}, TCX import {}",
            rss_text(rss_fit_import),
            rss_text(rss_bare),
            rss_text(rss_gpx_import),
            rss_text(rss_tcx_import)
        );
    } else {
        println!(
            "peak RSS (VmHWM, whole process: this kernel cannot reset it, backlog building included): {}",
            rss_text(rss_end)
        );
    }
}

/// Which real file each backlog slot copies, in order.
fn fit_plan(n: usize) -> Vec<&'static str> {
    let cycle: Vec<&str> = FIT_CYCLE
        .iter()
        .flat_map(|(name, count)| std::iter::repeat_n(*name, *count))
        .collect();
    (0..n)
        .map(|i| {
            if i % LARGE_EVERY == LARGE_EVERY / 2 {
                FIT_LARGE
            } else {
                cycle[i % cycle.len()]
            }
        })
        .collect()
}

/// A real file and what the project decodes from it.
struct Source {
    name: &'static str,
    format: Format,
    bytes: Vec<u8>,
    activities: usize,
    /// Samples over all its activities.
    samples: usize,
}

impl Source {
    fn load_fit(name: &'static str) -> Source {
        Source::load(name, Format::Fit, "fit")
    }

    fn load_gpx(name: &'static str) -> Source {
        Source::load(name, Format::Gpx, "gpx")
    }

    fn load(name: &'static str, format: Format, dir: &str) -> Source {
        let path = Path::new(REAL).join(dir).join(name);
        let bytes =
            std::fs::read(&path).unwrap_or_else(|e| panic!("cannot read {}: {e}", path.display()));
        let decoded = decode::decode_bytes(format, &bytes)
            .unwrap_or_else(|e| panic!("{name} does not decode: {e}"));
        assert!(decoded.is_complete(), "{name} is not a complete file");
        Source {
            name,
            format,
            activities: decoded.activities.len(),
            samples: decoded.activities.iter().map(|a| a.samples.len()).sum(),
            bytes,
        }
    }

    /// A copy must decode to the same recording, `shift_s` later.
    fn check_copy(&self, copy: &[u8], shift_s: u32) {
        let name = self.name;
        assert_ne!(copy, &self.bytes[..], "{name}: copy is not byte-unique");
        let a = decode::decode_bytes(self.format, &self.bytes).unwrap();
        let b = decode::decode_bytes(self.format, copy)
            .unwrap_or_else(|e| panic!("{name}: shifted copy does not decode: {e}"));
        assert!(b.is_complete(), "{name}: copy is partial: {:?}", b.partial);
        assert_eq!(a.activities.len(), b.activities.len(), "{name}: sessions");
        for (x, y) in a.activities.iter().zip(&b.activities) {
            assert_eq!(x.samples.len(), y.samples.len(), "{name}: samples");
            assert_eq!(
                y.start_ms - x.start_ms,
                i64::from(shift_s) * 1000,
                "{name}: start not shifted by {shift_s} s"
            );
            assert_eq!(x.sport, y.sport, "{name}: sport");
        }
    }
}

// ---- FIT copies ---------------------------------------------------------

/// A copy of a (possibly chained) FIT file with every absolute timestamp
/// `shift_s` later and each segment's data CRC recomputed.
fn shift_fit(src: &[u8], shift_s: u32) -> Result<Vec<u8>, String> {
    assert_eq!(
        shift_s % 32,
        0,
        "compressed timestamps need a multiple of 32 s"
    );
    let mut out = src.to_vec();
    let mut pos = 0usize;
    while pos < out.len() {
        let header_size = usize::from(out[pos]);
        let header = out
            .get(pos..pos + header_size)
            .filter(|h| header_size >= 12 && &h[8..12] == b".FIT")
            .ok_or(format!("no FIT header at byte {pos}"))?;
        let data_size = u32::from_le_bytes(header[4..8].try_into().unwrap()) as usize;
        let data_start = pos + header_size;
        let data_end = data_start + data_size;
        let stored = out
            .get(data_end..data_end + 2)
            .map(|c| u16::from_le_bytes([c[0], c[1]]))
            .ok_or(format!("segment at byte {pos} runs past the end"))?;
        if crc16(&out[pos..data_end]) != stored {
            return Err(format!("segment at byte {pos}: source CRC does not match"));
        }
        shift_messages(&mut out[data_start..data_end], shift_s)
            .map_err(|e| format!("segment at byte {pos}: {e}"))?;
        let crc = crc16(&out[pos..data_end]);
        out[data_end..data_end + 2].copy_from_slice(&crc.to_le_bytes());
        pos = data_end + 2;
    }
    Ok(out)
}

struct Definition {
    global: u16,
    big_endian: bool,
    /// (field number, size in bytes)
    fields: Vec<(u8, usize)>,
    developer_bytes: usize,
}

/// Is this field of this message a FIT `date_time` the bench moves?
fn is_date_time(global: u16, field: u8) -> bool {
    match (global, field) {
        (_, 253) => true,           // timestamp, any message
        (18 | 19 | 101, 2) => true, // session / lap / length start_time
        (0, 4) => true,             // file_id time_created
        (34, 5) => true,            // activity local_timestamp
        _ => false,
    }
}

fn shift_messages(data: &mut [u8], shift_s: u32) -> Result<(), String> {
    let mut defs: [Option<Definition>; 16] = Default::default();
    let mut p = 0usize;
    let take = |p: &mut usize, n: usize, len: usize| -> Result<usize, String> {
        let at = *p;
        if at + n > len {
            return Err(format!("message runs past the data at byte {at}"));
        }
        *p += n;
        Ok(at)
    };
    while p < data.len() {
        let h = data[p];
        p += 1;
        let local = if h & 0x80 != 0 {
            // Compressed-timestamp header: a data message of local type 0-3.
            usize::from((h >> 5) & 0x03)
        } else if h & 0x40 != 0 {
            let at = take(&mut p, 5, data.len())?;
            let big_endian = data[at + 1] == 1;
            let g = [data[at + 2], data[at + 3]];
            let global = if big_endian {
                u16::from_be_bytes(g)
            } else {
                u16::from_le_bytes(g)
            };
            let count = usize::from(data[at + 4]);
            let at = take(&mut p, 3 * count, data.len())?;
            let fields = (0..count)
                .map(|i| (data[at + 3 * i], usize::from(data[at + 3 * i + 1])))
                .collect();
            let mut developer_bytes = 0;
            if h & 0x20 != 0 {
                let at = take(&mut p, 1, data.len())?;
                let count = usize::from(data[at]);
                let at = take(&mut p, 3 * count, data.len())?;
                developer_bytes = (0..count).map(|i| usize::from(data[at + 3 * i + 1])).sum();
            }
            defs[usize::from(h & 0x0F)] = Some(Definition {
                global,
                big_endian,
                fields,
                developer_bytes,
            });
            continue;
        } else {
            usize::from(h & 0x0F)
        };
        let def = defs[local]
            .as_ref()
            .ok_or(format!("undefined local message {local} at byte {}", p - 1))?;
        for &(field, size) in &def.fields {
            let at = take(&mut p, size, data.len())?;
            if size == 4 && is_date_time(def.global, field) {
                let raw: [u8; 4] = data[at..at + 4].try_into().unwrap();
                let v = if def.big_endian {
                    u32::from_be_bytes(raw)
                } else {
                    u32::from_le_bytes(raw)
                };
                if (FIT_MIN_ABSOLUTE_TIME..u32::MAX).contains(&v) {
                    let moved = v
                        .checked_add(shift_s)
                        .filter(|m| *m < u32::MAX)
                        .ok_or(format!("timestamp {v} + {shift_s} overflows"))?;
                    let moved = if def.big_endian {
                        moved.to_be_bytes()
                    } else {
                        moved.to_le_bytes()
                    };
                    data[at..at + 4].copy_from_slice(&moved);
                }
            }
        }
        take(&mut p, def.developer_bytes, data.len())?;
    }
    Ok(())
}

// ---- GPX copies ---------------------------------------------------------

/// A copy of a GPX file with the date of every `<time>` moved `days` later
/// (whole days: only the `YYYY-MM-DD` part changes).
fn shift_gpx(src: &[u8], days: u32) -> Vec<u8> {
    let text = std::str::from_utf8(src).expect("GPX fixtures are UTF-8");
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(i) = rest.find("<time>") {
        let (head, tail) = rest.split_at(i + "<time>".len());
        out.push_str(head);
        let date = tail
            .get(..10)
            .and_then(|d| chrono::NaiveDate::parse_from_str(d, "%Y-%m-%d").ok())
            .expect("every <time> starts with a date");
        let moved = date + chrono::Days::new(u64::from(days));
        out.push_str(&moved.format("%Y-%m-%d").to_string());
        rest = &tail[10..];
    }
    out.push_str(rest);
    out.into_bytes()
}

// ---- TCX copies ---------------------------------------------------------

/// A GPX run written as a Garmin-style TCX file, `days` later: one lap, every
/// sample a trackpoint with its cumulative great-circle distance, cadence
/// halved back to per leg (RunCadence is per leg; the decoder doubles it).
fn tcx_copy(a: &tendonwatch::activity::Activity, days: u32) -> Vec<u8> {
    use std::fmt::Write as _;
    let shift_ms = i64::from(days) * i64::from(DAY_S) * 1000;
    let time = |ms: i64| {
        chrono::DateTime::from_timestamp_millis(ms + shift_ms)
            .unwrap()
            .format("%Y-%m-%dT%H:%M:%S%.3fZ")
            .to_string()
    };
    let mut points = String::new();
    let mut distance = 0.0;
    let mut last: Option<(f64, f64)> = None;
    for s in &a.samples {
        write!(points, "<Trackpoint><Time>{}</Time>", time(s.time_ms)).unwrap();
        if let (Some(lat), Some(lon)) = (s.lat_deg, s.lon_deg) {
            if let Some((plat, plon)) = last {
                distance += tendonwatch::activity::haversine_m(plat, plon, lat, lon);
            }
            last = Some((lat, lon));
            write!(
                points,
                "<Position><LatitudeDegrees>{lat}</LatitudeDegrees><LongitudeDegrees>{lon}</LongitudeDegrees></Position>"
            )
            .unwrap();
        }
        if let Some(alt) = s.altitude_m {
            write!(points, "<AltitudeMeters>{alt}</AltitudeMeters>").unwrap();
        }
        write!(points, "<DistanceMeters>{distance:.2}</DistanceMeters>").unwrap();
        if let Some(hr) = s.heart_rate_bpm {
            write!(points, "<HeartRateBpm><Value>{hr}</Value></HeartRateBpm>").unwrap();
        }
        if s.speed_m_per_s.is_some() || s.cadence_spm.is_some() {
            points.push_str("<Extensions><ns3:TPX>");
            if let Some(v) = s.speed_m_per_s {
                write!(points, "<ns3:Speed>{v}</ns3:Speed>").unwrap();
            }
            if let Some(c) = s.cadence_spm {
                write!(points, "<ns3:RunCadence>{}</ns3:RunCadence>", c / 2.0).unwrap();
            }
            points.push_str("</ns3:TPX></Extensions>");
        }
        points.push_str("</Trackpoint>\n");
    }
    let start = time(a.start_ms);
    format!(
        r#"<?xml version="1.0" encoding="UTF-8"?>
<TrainingCenterDatabase xmlns="http://www.garmin.com/xmlschemas/TrainingCenterDatabase/v2" xmlns:ns3="http://www.garmin.com/xmlschemas/ActivityExtension/v2">
<Activities><Activity Sport="Running"><Id>{start}</Id>
<Lap StartTime="{start}"><TotalTimeSeconds>{:.1}</TotalTimeSeconds><DistanceMeters>{distance:.2}</DistanceMeters><Intensity>Active</Intensity><TriggerMethod>Manual</TriggerMethod>
<Track>
{points}</Track></Lap></Activity></Activities></TrainingCenterDatabase>
"#,
        a.elapsed_s()
    )
    .into_bytes()
}

// ---- the measured passes ------------------------------------------------

/// One decoder alone over files already in memory.
struct DecodeOnly {
    files: usize,
    rounds: u32,
    /// Bytes decoded over all rounds.
    bytes: u64,
    /// Samples of one round.
    points: usize,
    elapsed: Duration,
}

/// `decode_bytes` over every file, one thread, round after round until at
/// least a second has been timed (reading the files is not timed).
fn decode_only(format: Format, paths: &[PathBuf]) -> DecodeOnly {
    let files: Vec<Vec<u8>> = paths.iter().map(|p| std::fs::read(p).unwrap()).collect();
    let mut d = DecodeOnly {
        files: files.len(),
        rounds: 0,
        bytes: 0,
        points: 0,
        elapsed: Duration::ZERO,
    };
    while d.elapsed < Duration::from_secs(1) || d.rounds < 3 {
        let mut points = 0;
        let t = Instant::now();
        for bytes in &files {
            let decoded = decode::decode_bytes(format, std::hint::black_box(bytes)).unwrap();
            points += decoded
                .activities
                .iter()
                .map(|a| a.samples.len())
                .sum::<usize>();
        }
        d.elapsed += t.elapsed();
        d.rounds += 1;
        d.points = points;
        d.bytes += files.iter().map(|f| f.len() as u64).sum::<u64>();
    }
    d
}

struct Imported {
    paths: Vec<PathBuf>,
    files: usize,
    bytes: u64,
    elapsed: Duration,
    summary: ingest::Summary,
    file_rows: usize,
    activity_rows: usize,
    sample_total: i64,
    outcomes: BTreeMap<String, usize>,
}

impl Imported {
    fn check(&self, files: usize, bytes: u64, activities: usize, samples: usize) {
        let s = &self.summary;
        println!(
            "  summary: {} imported ({} partial), {} already known, {} non-running, {} skipped, {} failed",
            s.imported,
            s.imported_partial,
            s.already_known,
            s.non_running,
            s.skipped.len(),
            s.failed.len()
        );
        println!(
            "  store: {} files rows {:?}, {} activities rows, {} samples",
            self.file_rows, self.outcomes, self.activity_rows, self.sample_total
        );
        for p in s.failed.iter().chain(&s.skipped).take(5) {
            println!("  {}: {} ({})", p.path, p.outcome, p.reason);
        }
        assert_eq!(self.files, files, "discover found another number of files");
        assert_eq!(self.bytes, bytes, "discovered files hold other bytes");
        assert_eq!(self.file_rows, files, "not every file got its files row");
        assert_eq!(s.files(), files, "summary does not count every file");
        assert_eq!(s.already_known, 0, "the store short-circuited some copies");
        assert!(s.failed.is_empty() && s.skipped.is_empty(), "files failed");
        assert_eq!(
            self.outcomes.get("complete").copied().unwrap_or(0),
            files,
            "not every file is stored as complete"
        );
        assert_eq!(self.activity_rows, activities, "activities written");
        assert_eq!(self.sample_total, samples as i64, "samples written");
    }
}

fn import(dir: &Path, db: &Path, cores: usize) -> Imported {
    let mut store = Store::open(db).unwrap();
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(1)
        .max_blocking_threads(cores)
        .enable_all()
        .build()
        .unwrap();
    let now_ms = chrono::Utc::now().timestamp_millis();
    let mut progress = |_done: usize, _total: usize| {};

    let t = Instant::now();
    let (paths, problems) = ingest::discover(&[dir.to_path_buf()]);
    assert!(problems.is_empty(), "discover: {problems:?}");
    let summary = runtime
        .block_on(ingest::ingest_files(
            &mut store,
            paths.clone(),
            &ingest::Settings::default(),
            cores,
            now_ms,
            &mut progress,
        ))
        .unwrap();
    let elapsed = t.elapsed();

    let bytes = paths
        .iter()
        .map(|p| std::fs::metadata(p).unwrap().len())
        .sum();
    let file_rows = store.files().unwrap();
    let activities = store.activities().unwrap();
    let mut outcomes = BTreeMap::new();
    for row in &file_rows {
        *outcomes.entry(row.outcome.clone()).or_insert(0) += 1;
    }
    let imported = Imported {
        files: paths.len(),
        paths,
        bytes,
        elapsed,
        summary,
        file_rows: file_rows.len(),
        activity_rows: activities.len(),
        sample_total: activities.iter().map(|a| a.sample_count).sum(),
        outcomes,
    };
    println!(
        "import {}: {}",
        dir.display(),
        rate(imported.files, imported.bytes, imported.elapsed)
    );
    imported
}

struct Bare {
    files: usize,
    ok: usize,
    bytes: u64,
    elapsed: Duration,
}

fn bare_fitparser(paths: &[PathBuf]) -> Bare {
    let mut bare = Bare {
        files: 0,
        ok: 0,
        bytes: 0,
        elapsed: Duration::ZERO,
    };
    for path in paths {
        let bytes = std::fs::read(path).unwrap();
        let t = Instant::now();
        let result = fitparser::from_bytes(std::hint::black_box(&bytes));
        bare.elapsed += t.elapsed();
        let result = std::hint::black_box(result);
        bare.files += 1;
        bare.bytes += bytes.len() as u64;
        if result.is_ok_and(|records| !records.is_empty()) {
            bare.ok += 1;
        }
    }
    println!(
        "bare fitparser::from_bytes: {}",
        rate(bare.files, bare.bytes, bare.elapsed)
    );
    bare
}

// ---- printing -----------------------------------------------------------

fn mb(bytes: u64) -> f64 {
    bytes as f64 / 1_000_000.0
}

fn rate(files: usize, bytes: u64, elapsed: Duration) -> String {
    let s = elapsed.as_secs_f64();
    format!(
        "{files} files, {:.1} MB in {s:.2} s = {:.0} files/s, {:.1} MB/s",
        mb(bytes),
        files as f64 / s,
        mb(bytes) / s
    )
}

/// Reset VmHWM to the current RSS (`/proc/self/clear_refs`, value 5).
fn reset_peak_rss() -> bool {
    std::fs::write("/proc/self/clear_refs", "5").is_ok()
}

/// Peak resident set size of this process so far, in kB.
fn peak_rss_kb() -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    status
        .lines()
        .find_map(|l| l.strip_prefix("VmHWM:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
}

fn rss_text(kb: Option<u64>) -> String {
    match kb {
        Some(kb) => format!("{:.1} MiB", kb as f64 / 1024.0),
        None => "unknown (no /proc/self/status)".to_string(),
    }
}
