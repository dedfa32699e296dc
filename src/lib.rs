//! tendonwatch: watches a GPS watch's sync folder and warns a runner about
//! changes the Achilles tendon was not ready for.
//!
//! The module tree is the pipeline (DESIGN.md): decode → store, with ingest
//! tying them together; cli and config at the edges.

pub mod activity;
pub mod alerts;
pub mod baseline;
pub mod budget;
pub mod bundle;
pub mod checkin;
pub mod cli;
pub mod clock;
pub mod config;
pub mod daemon;
pub mod decode;
pub mod demo;
pub mod export;
pub mod finding;
pub mod ingest;
pub mod logging;
pub mod metrics;
pub mod notify;
pub mod outcome;
pub mod pain;
pub mod report;
pub mod report_input;
pub mod rules;
pub mod sim;
pub mod sport;
pub mod store;
pub mod units;
pub mod watch;
pub mod web;
pub mod zone;
