//! sim: the project's own run simulator and a small FIT writer.
//!
//! DESIGN.md: scenario files are produced by the project itself, so every rule
//! is tested end to end through real FIT bytes. [`runs`] generates plausible,
//! deterministic [`Activity`](crate::activity::Activity) values (steady runs,
//! track intervals, footpod runs, pauses); [`fit_writer`] encodes any activity
//! as a FIT activity file that our own decoder (and fitparser) reads back.
//! Used by tests now, by benchmarks and the `tendonwatch demo` command later.

pub mod fit_writer;
pub mod runs;
pub mod store;
pub mod training;
