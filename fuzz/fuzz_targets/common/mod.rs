//! Shared by the fuzz targets: the panic policy.
//!
//! libfuzzer-sys installs a panic hook that aborts on *every* panic, before
//! unwinding. That would report panics `decode_bytes` is built to catch (a
//! corrupt header can make fitparser panic; `decode_bytes` turns that into
//! `DecodeError::Corrupt`), so the targets replace it. `TW_FUZZ_PANICS`
//! chooses what counts as a crash:
//!
//! - `escape` (default), the project's contract: only a panic that gets out
//!   of `decode_bytes` is a crash. Caught panics are allowed; the first one
//!   from each source location is logged as `tendonwatch-fuzz: caught panic`.
//! - `project`: also a panic raised in tendonwatch's own source, even if
//!   `decode_bytes` caught it (the catch is meant for third-party parsers).
//! - `all`: every panic is a crash (libfuzzer-sys' own behaviour).
//!
//! A crash prints the panic, a backtrace taken where it was raised, and
//! aborts, so libFuzzer saves the input under `fuzz/artifacts/<target>/`.

use std::backtrace::Backtrace;
use std::cell::RefCell;
use std::collections::HashSet;
use std::panic::{AssertUnwindSafe, PanicHookInfo, catch_unwind};
use std::sync::Mutex;

#[derive(Clone, Copy, PartialEq, Eq)]
enum Policy {
    Escape,
    Project,
    All,
}

static LOGGED: Mutex<Option<HashSet<String>>> = Mutex::new(None);

thread_local! {
    /// The last panic raised on this thread and where (backtrace resolved
    /// only if it is reported).
    static LAST_PANIC: RefCell<Option<(String, Backtrace)>> = const { RefCell::new(None) };
}

/// Is this source file tendonwatch's own (not std, not a crates.io crate)?
fn is_project_file(file: &str) -> bool {
    !(file.starts_with("/rustc/")
        || file.contains("/.cargo/registry/")
        || file.contains("/.cargo/git/")
        || file.contains("/rustlib/"))
}

/// (`file:line:col`, message, raised in tendonwatch's own code?)
fn describe(info: &PanicHookInfo<'_>) -> (String, String, bool) {
    let payload = info.payload();
    let message = payload
        .downcast_ref::<&str>()
        .map(|s| s.to_string())
        .or_else(|| payload.downcast_ref::<String>().cloned())
        .unwrap_or_else(|| "(non-string payload)".to_string());
    match info.location() {
        Some(l) => (
            format!("{}:{}:{}", l.file(), l.line(), l.column()),
            message,
            is_project_file(l.file()),
        ),
        None => ("(unknown location)".to_string(), message, false),
    }
}

/// Install the panic hook (call from the target's `init:`).
pub fn install_panic_policy() {
    let policy = match std::env::var("TW_FUZZ_PANICS").as_deref() {
        Ok("all") => Policy::All,
        Ok("project") => Policy::Project,
        Ok("escape") | Ok("") | Err(_) => Policy::Escape,
        Ok(other) => {
            eprintln!("tendonwatch-fuzz: TW_FUZZ_PANICS={other:?}: use escape, project or all");
            std::process::exit(2);
        }
    };
    std::panic::set_hook(Box::new(move |info| {
        let (location, message, in_project) = describe(info);
        let trace = Backtrace::force_capture();
        if policy == Policy::All || (policy == Policy::Project && in_project) {
            eprintln!(
                "tendonwatch-fuzz: panic (TW_FUZZ_PANICS={}) at {location}: {message}\n{trace}",
                if policy == Policy::All {
                    "all"
                } else {
                    "project"
                }
            );
            std::process::abort();
        }
        let mut logged = LOGGED.lock().unwrap_or_else(|e| e.into_inner());
        if logged
            .get_or_insert_with(HashSet::new)
            .insert(location.clone())
        {
            let whose = if in_project {
                "tendonwatch"
            } else {
                "dependency"
            };
            eprintln!("tendonwatch-fuzz: caught panic ({whose} code) at {location}: {message}");
        }
        drop(logged);
        LAST_PANIC.with(|p| *p.borrow_mut() = Some((format!("{location}: {message}"), trace)));
    }));
}

/// Run `f`; a panic that escapes it is a crash, reported with the backtrace
/// of the place it was raised.
pub fn no_panic_escapes<T>(what: &str, f: impl FnOnce() -> T) -> T {
    match catch_unwind(AssertUnwindSafe(f)) {
        Ok(value) => value,
        Err(_) => {
            let (panic, trace) = LAST_PANIC
                .with(|p| p.borrow_mut().take())
                .unwrap_or_else(|| ("(no panic recorded)".to_string(), Backtrace::disabled()));
            eprintln!("tendonwatch-fuzz: a panic escaped {what}: {panic}\n{trace}");
            std::process::abort();
        }
    }
}
