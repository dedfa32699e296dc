//! A file being synced is read while it grows. Every prefix of a real file
//! must decode to "truncated"/"corrupt"/"empty" (or a partial activity), or
//! to exactly the activity of the whole file: never a panic, never a shorter
//! activity that calls itself complete.
//!
//! Files up to 160 KB (27 of the 40) are swept at every 64th byte and at every
//! one of their last 64 bytes. Larger files (up to 2.7 MB) are swept at every
//! 64th byte of their first 32 KB and last 4 KB, where headers, definitions
//! and summaries sit, and at every one of their last 64 bytes (a full sweep of
//! those would decode tens of GB and take the CI budget).
//!
//! One honest exception: a chained FIT file cut exactly at the end of one of
//! its segments is itself a complete FIT file; there the prefix may be
//! complete with fewer sessions, but each of them must equal the whole file's.
#![allow(clippy::unwrap_used)]

use tendonwatch::decode::{DecodeError, Decoded, decode_file};

const FULL_SWEEP_MAX_BYTES: usize = 160 * 1024;
const HEAD_BYTES: usize = 32 * 1024;
const TAIL_BYTES: usize = 4 * 1024;
const STRIDE: usize = 64;

fn real_files() -> Vec<(String, Vec<u8>)> {
    let mut out = Vec::new();
    for sub in ["fit", "gpx"] {
        let dir = format!(
            "{}/../shared/fixtures/real/{sub}",
            env!("CARGO_MANIFEST_DIR")
        );
        for entry in std::fs::read_dir(dir).unwrap() {
            let path = entry.unwrap().path();
            let name = path.file_name().unwrap().to_string_lossy().into_owned();
            out.push((name, std::fs::read(&path).unwrap()));
        }
    }
    out.sort();
    out
}

/// End offsets of the segments of a (possibly chained) FIT file.
fn fit_segment_ends(bytes: &[u8]) -> Vec<usize> {
    let mut ends = Vec::new();
    let mut at = 0usize;
    while at + 12 <= bytes.len() {
        let header = bytes[at] as usize;
        if header < 12 || &bytes[at + 8..at + 12] != b".FIT" {
            break;
        }
        let data = u32::from_le_bytes(bytes[at + 4..at + 8].try_into().unwrap()) as usize;
        at += header + data + 2;
        ends.push(at);
    }
    ends
}

fn cut_points(len: usize) -> Vec<usize> {
    let mut cuts: Vec<usize> = if len <= FULL_SWEEP_MAX_BYTES {
        (0..len).step_by(STRIDE).collect()
    } else {
        (0..HEAD_BYTES)
            .step_by(STRIDE)
            .chain((len - TAIL_BYTES..len).step_by(STRIDE))
            .collect()
    };
    cuts.extend(len.saturating_sub(STRIDE)..len);
    cuts.sort_unstable();
    cuts.dedup();
    cuts
}

/// Check every prefix of one file; returns (prefixes checked, complete ones).
fn sweep(name: &str, bytes: &[u8]) -> (usize, usize) {
    let whole = decode_file(name, bytes);
    let segment_ends = if name.ends_with(".fit") {
        fit_segment_ends(bytes)
    } else {
        Vec::new()
    };
    let mut complete_prefixes = 0;
    let cuts = cut_points(bytes.len());
    for &cut in &cuts {
        let prefix = &bytes[..cut];
        // A panic here fails the test: decode_file must never panic.
        let got = decode_file(name, prefix);
        match got {
            Ok(d) if d.is_complete() => {
                complete_prefixes += 1;
                check_complete_prefix(name, cut, &d, &whole, &segment_ends);
            }
            Ok(_) => {}
            Err(DecodeError::Truncated(_) | DecodeError::Corrupt(_) | DecodeError::Empty) => {}
            Err(other) => {
                // A prefix may only be "no track"/"not an activity" when the
                // whole file is that too.
                assert!(
                    matches!(&whole, Err(e) if e.outcome() == other.outcome()),
                    "{name} cut at {cut}: {other}, whole file: {whole:?}"
                );
            }
        }
    }
    (cuts.len(), complete_prefixes)
}

fn check_complete_prefix(
    name: &str,
    cut: usize,
    prefix: &Decoded,
    whole: &Result<Decoded, DecodeError>,
    segment_ends: &[usize],
) {
    let Ok(whole) = whole else {
        panic!("{name}: prefix of {cut} bytes is complete but the whole file is {whole:?}");
    };
    if prefix.activities == whole.activities {
        return;
    }
    assert!(
        segment_ends.contains(&cut),
        "{name}: prefix of {cut} bytes decodes complete with {} activities, the whole file has {}",
        prefix.activities.len(),
        whole.activities.len()
    );
    // A chained file cut at a segment end: each session it has must be
    // the whole file's session (same start and sport), never a shorter copy.
    for a in &prefix.activities {
        let twin = whole
            .activities
            .iter()
            .find(|w| w.start_ms == a.start_ms && w.sport == a.sport)
            .unwrap_or_else(|| panic!("{name}: cut at {cut} invents a session at {}", a.start_ms));
        assert_eq!(a.summary, twin.summary, "{name}: cut at {cut}");
    }
}

#[test]
fn every_prefix_is_truncated_or_the_whole_activity() {
    let files = real_files();
    assert_eq!(files.len(), 40);
    // Both cores: every other file each.
    let results: Vec<(String, usize, usize)> = std::thread::scope(|scope| {
        let handles: Vec<_> = (0..2)
            .map(|part| {
                let files = &files;
                scope.spawn(move || {
                    files
                        .iter()
                        .skip(part)
                        .step_by(2)
                        .map(|(name, bytes)| {
                            let (n, c) = sweep(name, bytes);
                            (name.clone(), n, c)
                        })
                        .collect::<Vec<_>>()
                })
            })
            .collect();
        handles
            .into_iter()
            .flat_map(|h| h.join().unwrap())
            .collect()
    });
    let total: usize = results.iter().map(|r| r.1).sum();
    println!("{:<60} {:>9} {:>9}", "file", "prefixes", "complete");
    for (name, n, c) in &results {
        println!("{name:<60} {n:>9} {c:>9}");
    }
    println!("{total} prefixes decoded");
    assert!(total > 15_000, "{total}");
}
