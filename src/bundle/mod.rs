//! bundle: an export archive (a Strava bulk export, a Garmin Connect export)
//! → its activity files, one at a time, in memory, with what the export's
//! activity list says about each.
//!
//! A bundle is a container like gzip (DESIGN.md): nothing in it is ever
//! written to disk. The archive is read from its file as a stream (central
//! directory first, then one entry at a time), so a export of several GB
//! costs the memory of one activity file. Every entry passes the checks an
//! untrusted archive needs: a safe name, a declared and an actual inflated
//! size within [`Limits`], a sane compression ratio, a method we read. An
//! entry that fails them is refused with a message naming it; entries that
//! are not activities (JSON, CSV, images) are counted and left alone. One
//! level of nesting is read (Garmin's `UploadedFiles_0-_Part1.zip`).
//!
//! Each activity entry is known by a key the store can keep it under:
//! the bundle's path, [`ENTRY_SEPARATOR`], the entry's name, e.g.
//! `/home/ann/export.zip!/activities/123.fit.gz` (the `!/` of Java's jar
//! URLs), and for a nested archive
//! `/home/ann/garmin.zip!/DI_CONNECT/…/Part1.zip!/123_ACTIVITY.fit`.

pub mod strava;

use crate::activity::Hint;
use crate::decode::DecodeError;
use std::collections::HashMap;
use std::io::{Read, Seek, SeekFrom};
use zip::CompressionMethod;
use zip::result::ZipError;

/// Between a bundle's path and an entry's name in an entry's key.
pub const ENTRY_SEPARATOR: &str = "!/";

/// Outcome of a bundle's own row in the store's `files` table: its entries
/// are rows of their own.
pub const OUTCOME: &str = "bundle";

/// Is this file name an export bundle?
pub fn is_bundle_name(name: &str) -> bool {
    name.to_ascii_lowercase().ends_with(".zip")
}

/// What an untrusted archive may cost.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    /// Entries in the archive and its nested archives together. A Strava
    /// export of ten years with photos holds some 20,000.
    pub max_entries: usize,
    /// Inflated size of one activity entry (a 24-hour GPX with a point a
    /// second is ~30 MB) or of the activity list.
    pub max_entry_bytes: u64,
    /// Inflated size of a nested archive that must be held in memory (one
    /// that is deflated; a stored one is read in place).
    pub max_nested_bytes: u64,
    /// Inflated bytes read from the whole bundle.
    pub max_total_bytes: u64,
    /// Inflated size ÷ compressed size above which an entry is a bomb
    /// (deflate peaks near 1,032; real FIT and GPX stay below 30)…
    pub max_ratio: u64,
    /// …once it is larger than this.
    pub ratio_floor_bytes: u64,
}

impl Limits {
    pub const DEFAULT: Limits = Limits {
        max_entries: 100_000,
        max_entry_bytes: 64 * 1024 * 1024,
        max_nested_bytes: 512 * 1024 * 1024,
        max_total_bytes: 16 * 1024 * 1024 * 1024,
        max_ratio: 200,
        ratio_floor_bytes: 1024 * 1024,
    };
}

impl Default for Limits {
    fn default() -> Self {
        Limits::DEFAULT
    }
}

/// Why a bundle could not be opened at all.
#[derive(Debug, thiserror::Error)]
pub enum BundleError {
    #[error("cannot read the bundle: {0}")]
    Io(#[from] std::io::Error),
    /// No end-of-central-directory record: cut short, still being written,
    /// or not a zip at all.
    #[error("not a complete zip archive: {0}")]
    Incomplete(String),
    #[error("corrupt zip archive: {0}")]
    Corrupt(String),
    #[error("{count} entries, more than the {max} an export is allowed")]
    TooManyEntries { count: usize, max: usize },
}

impl BundleError {
    /// The same reason as a decode error, for the bundle's row in the store.
    pub fn to_decode_error(&self) -> DecodeError {
        match self {
            BundleError::Io(_) => DecodeError::Unreadable(self.to_string()),
            BundleError::Incomplete(_) => DecodeError::Truncated(self.to_string()),
            BundleError::Corrupt(_) | BundleError::TooManyEntries { .. } => {
                DecodeError::Corrupt(self.to_string())
            }
        }
    }
}

/// One activity file from a bundle.
#[derive(Debug, Clone, PartialEq)]
pub struct Entry {
    /// The key the store remembers it by (see the module doc).
    pub key: String,
    /// The entry's own file name (`123.fit.gz`): picks the format and is
    /// evidence for the sport.
    pub file_name: String,
    /// Its bytes as stored in the archive, inflated (a `.fit.gz` stays gzip).
    pub bytes: Vec<u8>,
    /// What the export's activity list says about it.
    pub hint: Hint,
}

/// An entry that was not read, and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Refusal {
    pub key: String,
    /// `refused` (unsafe, too large, broken: the runner may want to look)
    /// or `skipped` (encrypted, a method or nesting we do not read).
    pub outcome: &'static str,
    pub reason: String,
}

impl Refusal {
    pub fn is_failure(&self) -> bool {
        self.outcome == "refused"
    }
}

#[derive(Debug, Clone, PartialEq)]
pub enum Item {
    Activity(Entry),
    Refused(Refusal),
}

/// What reading a bundle came to.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Tally {
    /// Entries of every kind (nested ones included, folders not).
    pub entries: usize,
    /// Activity entries handed on.
    pub activities: usize,
    /// Entries that are not activities (JSON, CSV, images): not read.
    pub other: usize,
    /// Activity lists (`activities.csv`) read for the sports and names
    /// they give: read, so never counted in `other`.
    pub lists: usize,
    pub refused: usize,
    /// Inflated bytes read.
    pub inflated_bytes: u64,
    /// Why reading stopped before the end (the total limit).
    pub stopped: Option<String>,
    /// The activity list could not be used (no hints from it).
    pub list_problem: Option<String>,
}

/// Read a bundle: every activity entry and every refusal goes to `sink`,
/// in archive order, one at a time; `sink` returns false to stop. Blocking
/// (file reads and inflating). Only a bundle that cannot be opened is an
/// error; a broken entry or nested archive is a [`Refusal`].
pub fn read_bundle<R: Read + Seek>(
    reader: R,
    key_prefix: &str,
    limits: &Limits,
    sink: &mut dyn FnMut(Item) -> bool,
) -> Result<Tally, BundleError> {
    let mut walk = Walk {
        limits,
        tally: Tally::default(),
        sink,
        open: true,
    };
    let mut archive = open_archive(reader)?;
    walk.count_entries(archive.len())
        .map_err(|(count, max)| BundleError::TooManyEntries { count, max })?;
    walk.archive(&mut archive, key_prefix, 0);
    Ok(walk.tally)
}

/// The end-of-central-directory record sits in the last 64 KiB + 22 bytes.
/// Looking there first is cheap; the zip crate, when it finds none, scans
/// the whole file backwards — a partly synced export of a GB would be read
/// end to end at each look.
const EOCD_SEARCH_BYTES: u64 = 65_535 + 22;
const EOCD_SIGNATURE: &[u8] = b"PK\x05\x06";

fn open_archive<R: Read + Seek>(mut reader: R) -> Result<zip::ZipArchive<R>, BundleError> {
    let len = reader.seek(SeekFrom::End(0))?;
    let tail_len = len.min(EOCD_SEARCH_BYTES);
    reader.seek(SeekFrom::Start(len - tail_len))?;
    let mut tail = Vec::with_capacity(tail_len as usize);
    reader.by_ref().take(tail_len).read_to_end(&mut tail)?;
    if !tail.windows(4).any(|w| w == EOCD_SIGNATURE) {
        return Err(BundleError::Incomplete(if len == 0 {
            "empty file".to_string()
        } else {
            "no end-of-central-directory record (cut short, still being written, or not a zip)"
                .to_string()
        }));
    }
    reader.seek(SeekFrom::Start(0))?;
    zip::ZipArchive::new(reader).map_err(|e| match e {
        ZipError::Io(io) if io.kind() == std::io::ErrorKind::UnexpectedEof => {
            BundleError::Incomplete(io.to_string())
        }
        ZipError::Io(io) => BundleError::Io(io),
        other => BundleError::Corrupt(other.to_string()),
    })
}

/// Why an entry's name is unsafe to use as a key, if it is. Nothing is
/// written to disk, but a key must say where in the archive a file was, and
/// a name that climbs out of it, or reads differently on Windows, is the
/// mark of a hostile archive.
pub fn unsafe_name(name: &str) -> Option<&'static str> {
    let bytes = name.as_bytes();
    if name.contains('\0') {
        Some("a NUL byte in the name")
    } else if name.contains('\\') {
        Some("a backslash in the name")
    } else if name.starts_with('/') {
        Some("an absolute path")
    } else if bytes.len() >= 2 && bytes[0].is_ascii_alphabetic() && bytes[1] == b':' {
        Some("a drive letter")
    } else if name.split('/').any(|part| part == "..") {
        Some("a \"..\" that leaves the archive")
    } else if name.chars().any(char::is_control) {
        Some("a control character in the name")
    } else {
        None
    }
}

/// What to do with an entry, from its name.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    Folder,
    Activity,
    List,
    Nested,
    Other,
}

fn kind_of(name: &str) -> Kind {
    let file_name = name.rsplit('/').next().unwrap_or(name);
    if name.ends_with('/') {
        Kind::Folder
    } else if file_name.starts_with('.') || name.starts_with("__MACOSX/") {
        // macOS resource forks (`__MACOSX/._run.fit`) are not activities.
        Kind::Other
    } else if crate::decode::format_of(file_name).is_some() {
        Kind::Activity
    } else if strava::is_activity_list(name) {
        Kind::List
    } else if is_bundle_name(file_name) {
        Kind::Nested
    } else {
        Kind::Other
    }
}

struct Walk<'a> {
    limits: &'a Limits,
    tally: Tally,
    sink: &'a mut dyn FnMut(Item) -> bool,
    /// False once the sink said stop or a limit ended the read.
    open: bool,
}

impl Walk<'_> {
    fn count_entries(&mut self, n: usize) -> Result<(), (usize, usize)> {
        let count = self.tally.entries + n;
        if count > self.limits.max_entries {
            return Err((count, self.limits.max_entries));
        }
        self.tally.entries = count;
        Ok(())
    }

    fn send(&mut self, item: Item) {
        if let Item::Refused(_) = &item {
            self.tally.refused += 1;
        }
        if self.open && !(self.sink)(item) {
            self.open = false;
        }
    }

    fn refuse(&mut self, key: String, reason: String) {
        self.send(Item::Refused(Refusal {
            key,
            outcome: "refused",
            reason,
        }));
    }

    fn skip(&mut self, key: String, reason: String) {
        self.send(Item::Refused(Refusal {
            key,
            outcome: "skipped",
            reason,
        }));
    }

    /// Every entry of one archive (`depth` 0: the bundle, 1: nested in it).
    fn archive<R: Read + Seek>(
        &mut self,
        archive: &mut zip::ZipArchive<R>,
        prefix: &str,
        depth: u8,
    ) {
        let (list, hints) = self.activity_list(archive, prefix);
        for index in 0..archive.len() {
            if !self.open || self.tally.stopped.is_some() {
                return;
            }
            if Some(index) == list {
                // Read first, for its hints.
                self.tally.lists += 1;
                continue;
            }
            self.entry(archive, index, prefix, depth, &hints);
        }
    }

    /// The hints of the archive's `activities.csv`, when it has one, and
    /// its index when it was read.
    fn activity_list<R: Read + Seek>(
        &mut self,
        archive: &mut zip::ZipArchive<R>,
        prefix: &str,
    ) -> (Option<usize>, HashMap<String, Hint>) {
        let Some((index, name)) = archive
            .file_names()
            .filter(|n| kind_of(n) == Kind::List && unsafe_name(n).is_none())
            .min_by_key(|n| n.len())
            .and_then(|n| Some((archive.index_for_name(n)?, n.to_string())))
        else {
            return (None, HashMap::new());
        };
        let key = format!("{prefix}{name}");
        let bytes = match self.read_entry(archive, index, self.limits.max_entry_bytes) {
            Ok(bytes) => bytes,
            Err(reason) => {
                self.tally.list_problem = Some(format!("{key}: {reason}"));
                return (None, HashMap::new());
            }
        };
        match strava::hints(&name, &bytes) {
            Ok(hints) => (Some(index), hints),
            Err(reason) => {
                self.tally.list_problem = Some(format!("{key}: {reason}"));
                (Some(index), HashMap::new())
            }
        }
    }

    fn entry<R: Read + Seek>(
        &mut self,
        archive: &mut zip::ZipArchive<R>,
        index: usize,
        prefix: &str,
        depth: u8,
        hints: &HashMap<String, Hint>,
    ) {
        // Metadata only: nothing is inflated yet.
        let (name, method, encrypted, declared) = match archive.by_index_raw(index) {
            Ok(e) => (
                e.name().to_string(),
                e.compression(),
                e.encrypted(),
                e.size(),
            ),
            Err(e) => {
                let key = format!("{prefix}#{index}");
                return self.refuse(key, format!("unreadable entry: {e}"));
            }
        };
        let key = format!("{prefix}{}", name.escape_debug());
        if let Some(why) = unsafe_name(&name) {
            return self.refuse(key, format!("unsafe entry name: {why}; not read"));
        }
        let kind = kind_of(&name);
        match kind {
            Kind::Folder => return,
            // Another list than the one read, or not an activity.
            Kind::List | Kind::Other => {
                self.tally.other += 1;
                return;
            }
            Kind::Nested if depth > 0 => {
                return self.skip(
                    key,
                    "an archive inside a nested archive: only one level is read".to_string(),
                );
            }
            Kind::Activity | Kind::Nested => {}
        }
        if encrypted {
            return self.skip(key, "encrypted: not read".to_string());
        }
        if !matches!(
            method,
            CompressionMethod::Stored | CompressionMethod::Deflated
        ) {
            return self.skip(
                key,
                format!("compressed with {method}, which tendonwatch does not read"),
            );
        }
        if kind == Kind::Nested {
            return self.nested(archive, index, &key, method, declared);
        }
        let limit = self.limits.max_entry_bytes;
        if declared > limit {
            return self.refuse(
                key,
                format!("declares {}, {}", size_text(declared), over(limit)),
            );
        }
        let bytes = match self.read_entry(archive, index, limit) {
            Ok(bytes) => bytes,
            Err(reason) => return self.refuse(key, reason),
        };
        self.tally.activities += 1;
        let file_name = name.rsplit('/').next().unwrap_or(&name).to_string();
        let hint = hints.get(&name).cloned().unwrap_or_default();
        self.send(Item::Activity(Entry {
            key,
            file_name,
            bytes,
            hint,
        }));
    }

    /// A zip inside the bundle: read in place when stored, inflated into
    /// memory (within `max_nested_bytes`) when deflated.
    fn nested<R: Read + Seek>(
        &mut self,
        archive: &mut zip::ZipArchive<R>,
        index: usize,
        key: &str,
        method: CompressionMethod,
        declared: u64,
    ) {
        let prefix = format!("{key}{ENTRY_SEPARATOR}");
        if method == CompressionMethod::Stored {
            match archive.by_index_seek(index) {
                Ok(window) => self.nested_archive(Box::new(window), key, &prefix),
                Err(e) => self.refuse(key.to_string(), format!("unreadable entry: {e}")),
            }
            return;
        }
        let limit = self.limits.max_nested_bytes;
        if declared > limit {
            return self.refuse(
                key.to_string(),
                format!(
                    "nested archive declares {}, {}",
                    size_text(declared),
                    over(limit)
                ),
            );
        }
        match self.read_entry(archive, index, limit) {
            Ok(bytes) => self.nested_archive(Box::new(std::io::Cursor::new(bytes)), key, &prefix),
            Err(reason) => self.refuse(key.to_string(), reason),
        }
    }

    /// Boxed: a generic reader here would make the compiler instantiate
    /// archives within archives without end (the depth is only known at run
    /// time).
    fn nested_archive(&mut self, reader: Box<dyn ReadSeek + '_>, key: &str, prefix: &str) {
        let mut inner = match open_archive(reader) {
            Ok(inner) => inner,
            Err(e) => return self.refuse(key.to_string(), format!("nested archive: {e}")),
        };
        if let Err((count, max)) = self.count_entries(inner.len()) {
            return self.refuse(
                key.to_string(),
                format!("nested archive brings the entries to {count}, more than {max}; not read"),
            );
        }
        self.archive(&mut inner, prefix, 1);
    }

    fn read_entry<R: Read + Seek>(
        &mut self,
        archive: &mut zip::ZipArchive<R>,
        index: usize,
        limit: u64,
    ) -> Result<Vec<u8>, String> {
        let entry = archive
            .by_index(index)
            .map_err(|e| format!("unreadable entry: {e}"))?;
        let compressed = entry.compressed_size();
        self.inflate(entry, compressed, limit)
    }

    /// Inflate one entry within `limit`, the ratio check and what is left
    /// of the bundle's total. Errors name the limit that was hit.
    fn inflate(
        &mut self,
        entry: impl Read,
        compressed: u64,
        limit: u64,
    ) -> Result<Vec<u8>, String> {
        let by_ratio = compressed
            .saturating_mul(self.limits.max_ratio)
            .max(self.limits.ratio_floor_bytes);
        let left = self
            .limits
            .max_total_bytes
            .saturating_sub(self.tally.inflated_bytes);
        let allowed = limit.min(by_ratio).min(left);
        let mut bytes = Vec::new();
        let read = entry.take(allowed + 1).read_to_end(&mut bytes);
        self.tally.inflated_bytes += bytes.len() as u64;
        if let Err(e) = read {
            return Err(format!("corrupt entry: {e}"));
        }
        if bytes.len() as u64 <= allowed {
            return Ok(bytes);
        }
        if allowed == left && left < limit.min(by_ratio) {
            let reason = format!(
                "the bundle inflates past {} in all; stopped reading it here",
                size_text(self.limits.max_total_bytes)
            );
            self.tally.stopped = Some(reason.clone());
            return Err(reason);
        }
        if allowed == by_ratio && by_ratio < limit {
            return Err(format!(
                "inflates to more than {}× its compressed size ({}): a zip bomb, not read",
                self.limits.max_ratio,
                size_text(compressed)
            ));
        }
        Err(format!(
            "inflates past {}, {}",
            size_text(allowed),
            over(limit)
        ))
    }
}

trait ReadSeek: Read + Seek {}
impl<T: Read + Seek> ReadSeek for T {}

fn size_text(bytes: u64) -> String {
    const MIB: u64 = 1024 * 1024;
    if bytes >= MIB {
        format!("{:.0} MiB", bytes as f64 / MIB as f64)
    } else if bytes >= 1024 {
        format!("{:.0} KiB", bytes as f64 / 1024.0)
    } else {
        format!("{bytes} bytes")
    }
}

fn over(limit: u64) -> String {
    format!(
        "more than the {} an entry may be; not read",
        size_text(limit)
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hostile_names_are_unsafe_and_ordinary_ones_are_not() {
        for name in [
            "../evil.fit",
            "activities/../../evil.fit",
            "/etc/evil.fit",
            "C:/evil.fit",
            "c:evil.fit",
            "activities\\..\\evil.fit",
            "a\0.fit",
            "a\n.fit",
        ] {
            assert!(unsafe_name(name).is_some(), "{name:?}");
        }
        for name in [
            "activities/123.fit.gz",
            "DI_CONNECT/DI-Connect-Uploaded-Files/UploadedFiles_0-_Part1.zip",
            "a..b.fit",
            "Lauf am Morgen ü.gpx",
        ] {
            assert_eq!(unsafe_name(name), None, "{name:?}");
        }
    }

    #[test]
    fn entries_are_sorted_by_their_names() {
        assert_eq!(kind_of("activities/"), Kind::Folder);
        assert_eq!(kind_of("activities/1.fit.gz"), Kind::Activity);
        assert_eq!(kind_of("activities/1.TCX"), Kind::Activity);
        assert_eq!(kind_of("activities.csv"), Kind::List);
        assert_eq!(kind_of("a/b/Part1.zip"), Kind::Nested);
        assert_eq!(kind_of("media/1.jpg"), Kind::Other);
        assert_eq!(kind_of("__MACOSX/activities/._1.fit"), Kind::Other);
        assert_eq!(
            kind_of("DI_CONNECT/DI-Connect-User/user_profile.json"),
            Kind::Other
        );
    }

    #[test]
    fn not_a_zip_is_incomplete_not_a_panic() {
        for bytes in [&b""[..], b"PK\x03\x04", b"<gpx/>", &[0u8; 70_000][..]] {
            let mut sink = |_: Item| true;
            let err = read_bundle(
                std::io::Cursor::new(bytes),
                "x.zip!/",
                &Limits::DEFAULT,
                &mut sink,
            )
            .expect_err("not a zip");
            assert!(matches!(err, BundleError::Incomplete(_)), "{err}");
        }
    }
}
