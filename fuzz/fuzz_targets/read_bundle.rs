//! Fuzz `bundle::read_bundle` on an in-memory "export zip": whatever the
//! bytes, it returns (no panic gets out of the zip reader or ours, no hang,
//! memory within `Limits`), and every activity entry it hands on goes
//! through `decode_file` as the ingest stage would.

#![no_main]

mod common;

use libfuzzer_sys::fuzz_target;
use tendonwatch::bundle::{Item, Limits, read_bundle};
use tendonwatch::decode::decode_file;

/// Smaller than the daemon's, so a bomb is found in a fuzzing second.
const LIMITS: Limits = Limits {
    max_entries: 1_000,
    max_entry_bytes: 4 * 1024 * 1024,
    max_nested_bytes: 8 * 1024 * 1024,
    max_total_bytes: 32 * 1024 * 1024,
    ..Limits::DEFAULT
};

fuzz_target!(init: common::install_panic_policy(), |data: &[u8]| {
    let result = common::no_panic_escapes("read_bundle", || {
        read_bundle(std::io::Cursor::new(data), "f.zip!/", &LIMITS, &mut |item| {
            if let Item::Activity(entry) = item {
                let _ = std::hint::black_box(decode_file(&entry.file_name, &entry.bytes));
            }
            true
        })
    });
    let _ = std::hint::black_box(result);
});
