//! decode: bytes of one synced file → normalized [`Activity`]s, or a typed
//! reason why not. Pure: no file system, no clock, no database.
//!
//! A decoder never panics the caller: [`decode_file`] runs the format decoder
//! under `catch_unwind`, so a panic deep inside a third-party parser (fitparser
//! can panic on a corrupt header) becomes [`DecodeError::Corrupt`].

pub mod fit;
pub mod gpx;
pub mod tcx;
mod xml;

use crate::activity::Activity;
use std::io::Read;
use std::panic::{AssertUnwindSafe, catch_unwind};

/// The container format of a file, from its name (`.fit`, `.gpx`, `.tcx`,
/// each also gzipped as `.fit.gz`, `.gpx.gz`, `.tcx.gz`; any case).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    Fit,
    Gpx,
    Tcx,
}

impl Format {
    pub fn as_str(self) -> &'static str {
        match self {
            Format::Fit => "fit",
            Format::Gpx => "gpx",
            Format::Tcx => "tcx",
        }
    }
}

/// How a file's name tells us to read it. `None`: not an activity file.
pub fn format_of(file_name: &str) -> Option<(Format, bool)> {
    let lower = file_name.to_ascii_lowercase();
    let (stem, gz) = match lower.strip_suffix(".gz") {
        Some(stem) => (stem, true),
        None => (lower.as_str(), false),
    };
    if stem.ends_with(".fit") {
        Some((Format::Fit, gz))
    } else if stem.ends_with(".gpx") {
        Some((Format::Gpx, gz))
    } else if stem.ends_with(".tcx") {
        Some((Format::Tcx, gz))
    } else {
        None
    }
}

/// A successfully read file: one activity per FIT session, one per GPX
/// file, one per TCX `<Activity>`. `partial` carries the reason when the file was cut short and what
/// we kept was salvaged.
#[derive(Debug, Clone, PartialEq)]
pub struct Decoded {
    pub format: Format,
    pub activities: Vec<Activity>,
    /// Why the file is incomplete, when it is (truncated, unterminated,
    /// broken mid-stream). `None` means the file is complete.
    pub partial: Option<String>,
    /// Something odd that did not cost data (ignored trailing bytes,
    /// undecodable single messages).
    pub warning: Option<String>,
}

impl Decoded {
    pub fn is_complete(&self) -> bool {
        self.partial.is_none()
    }
}

/// Why a file produced no activity. Each variant is an outcome stored with the
/// file, so the runner can see why a file was not counted.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DecodeError {
    #[error("empty file")]
    Empty,
    #[error("corrupt: {0}")]
    Corrupt(String),
    #[error("truncated: {0}")]
    Truncated(String),
    #[error("not an activity: {0}")]
    NotActivity(String),
    #[error("no recorded track: {0}")]
    NoTrack(String),
    /// The file could not be read at all (permissions, vanished, too large).
    #[error("unreadable: {0}")]
    Unreadable(String),
}

impl DecodeError {
    /// The stable outcome name stored in the `files` table.
    pub fn outcome(&self) -> &'static str {
        match self {
            DecodeError::Empty => "empty",
            DecodeError::Corrupt(_) => "corrupt",
            DecodeError::Truncated(_) => "truncated",
            DecodeError::NotActivity(_) => "not_activity",
            DecodeError::NoTrack(_) => "no_track",
            DecodeError::Unreadable(_) => "unreadable",
        }
    }

    /// Skipped files are fine (a route, a monitoring file); failed ones are
    /// broken and the runner may want to look at them.
    pub fn is_failure(&self) -> bool {
        matches!(
            self,
            DecodeError::Corrupt(_) | DecodeError::Truncated(_) | DecodeError::Unreadable(_)
        )
    }
}

/// Limit on the inflated size of a `.gz` file: a real activity is a few MB;
/// a gzip bomb must not take the daemon's memory.
pub const MAX_INFLATED_BYTES: u64 = 256 * 1024 * 1024;

/// Decode one file's bytes. `file_name` picks the format (and gzip). Never
/// panics: a panic inside a decoder becomes `Corrupt`.
pub fn decode_file(file_name: &str, bytes: &[u8]) -> Result<Decoded, DecodeError> {
    let Some((format, gz)) = format_of(file_name) else {
        return Err(DecodeError::NotActivity(format!(
            "{file_name}: not a .fit, .gpx or .tcx file"
        )));
    };
    let inflated;
    let bytes = if gz {
        inflated = gunzip(bytes)?;
        &inflated[..]
    } else {
        bytes
    };
    decode_bytes(format, bytes)
}

/// Decode bytes of a known format, catching decoder panics.
pub fn decode_bytes(format: Format, bytes: &[u8]) -> Result<Decoded, DecodeError> {
    if bytes.is_empty() {
        return Err(DecodeError::Empty);
    }
    guarded(|| match format {
        Format::Fit => fit::decode(bytes),
        Format::Gpx => gpx::decode(bytes),
        Format::Tcx => tcx::decode(bytes),
    })
}

/// Run a decoder; a panic inside it (a third-party parser's bug) becomes
/// `Corrupt` with the panic's message instead of unwinding into the caller.
pub fn guarded(
    decoder: impl FnOnce() -> Result<Decoded, DecodeError>,
) -> Result<Decoded, DecodeError> {
    match catch_quietly(decoder) {
        Ok(r) => r,
        Err(message) => Err(DecodeError::Corrupt(format!("decoder panicked: {message}"))),
    }
}

thread_local! {
    /// Set while this thread runs third-party code on a file's bytes.
    static IN_DECODER: std::cell::Cell<bool> = const { std::cell::Cell::new(false) };
}

/// Run third-party code on a file's bytes, catching a panic: its message is
/// returned, to become the file's outcome, logged with the file's name.
/// While it runs, [`in_decoder`] is true on this thread, so the panic hook
/// can keep the bare "thread … panicked at …" line off stderr.
pub fn catch_quietly<T>(f: impl FnOnce() -> T) -> Result<T, String> {
    let outer = IN_DECODER.with(|d| d.replace(true));
    let result = catch_unwind(AssertUnwindSafe(f));
    IN_DECODER.with(|d| d.set(outer));
    result.map_err(|panic| panic_message(panic.as_ref()))
}

/// Is this thread inside [`catch_quietly`]? (For the panic hook.)
pub fn in_decoder() -> bool {
    IN_DECODER.with(|d| d.get())
}

/// The message a caught panic carried (`panic!("…")` gives a `&str` or a
/// `String`).
pub fn panic_message(panic: &(dyn std::any::Any + Send)) -> String {
    panic
        .downcast_ref::<&str>()
        .map(|s| s.to_string())
        .or_else(|| panic.downcast_ref::<String>().cloned())
        .unwrap_or_else(|| "unknown panic".to_string())
}

fn gunzip(bytes: &[u8]) -> Result<Vec<u8>, DecodeError> {
    if bytes.is_empty() {
        return Err(DecodeError::Empty);
    }
    let mut out = Vec::new();
    let decoder = flate2::read::MultiGzDecoder::new(bytes);
    match decoder.take(MAX_INFLATED_BYTES + 1).read_to_end(&mut out) {
        Ok(_) if out.len() as u64 > MAX_INFLATED_BYTES => Err(DecodeError::Corrupt(format!(
            "gzip inflates past {} MiB",
            MAX_INFLATED_BYTES / 1024 / 1024
        ))),
        Ok(_) => Ok(out),
        Err(e) if e.kind() == std::io::ErrorKind::UnexpectedEof => Err(DecodeError::Truncated(
            format!("gzip stream cut short: {e}"),
        )),
        Err(e) => Err(DecodeError::Corrupt(format!("bad gzip data: {e}"))),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn format_comes_from_the_name_in_any_case() {
        assert_eq!(format_of("a.FIT"), Some((Format::Fit, false)));
        assert_eq!(format_of("run.fit.gz"), Some((Format::Fit, true)));
        assert_eq!(format_of("x.GPX.GZ"), Some((Format::Gpx, true)));
        assert_eq!(format_of("Run.TCX"), Some((Format::Tcx, false)));
        assert_eq!(format_of("export.tcx.gz"), Some((Format::Tcx, true)));
        assert_eq!(format_of("a.Tcx.Gz"), Some((Format::Tcx, true)));
        assert_eq!(format_of("notes.txt"), None);
        assert_eq!(format_of("fit"), None);
    }

    #[test]
    fn empty_input_is_empty_not_a_crash() {
        assert_eq!(decode_file("a.fit", b""), Err(DecodeError::Empty));
        assert_eq!(decode_file("a.gpx", b""), Err(DecodeError::Empty));
        assert_eq!(decode_file("a.tcx", b""), Err(DecodeError::Empty));
        assert_eq!(decode_file("a.tcx.gz", b""), Err(DecodeError::Empty));
        assert_eq!(decode_file("a.fit.gz", b""), Err(DecodeError::Empty));
    }

    #[test]
    fn a_panicking_decoder_is_a_corrupt_file_not_a_crash() {
        let r = guarded(|| panic!("index out of bounds in a parser"));
        assert_eq!(
            r,
            Err(DecodeError::Corrupt(
                "decoder panicked: index out of bounds in a parser".to_string()
            ))
        );
        let r = guarded(|| panic!("{} bytes", 3));
        assert_eq!(
            r,
            Err(DecodeError::Corrupt(
                "decoder panicked: 3 bytes".to_string()
            ))
        );
    }

    #[test]
    fn garbage_gzip_is_corrupt() {
        let r = decode_file("a.fit.gz", b"this is not gzip");
        assert!(matches!(r, Err(DecodeError::Corrupt(_))), "{r:?}");
    }
}
