//! The morning check-in's links under test: one runner served in UTC, the
//! install's key read back from where `serve` made it, and a season whose
//! last run — yesterday evening — brought hills. Shared by the HTTP tests
//! (`tests/checkin_web.rs`) and the browser test (`tests/browser.rs`).
//! Included with `#[path = "util/checkin.rs"] mod checkin;` next to
//! `mod util;` and `#[path = "util/dashboard.rs"] mod dashboard;`.
#![allow(dead_code, clippy::unwrap_used, clippy::expect_used)]

use super::dashboard::{Server, write_season};
use super::util::{self, Tw};
use chrono::{NaiveDate, Utc};
use std::path::PathBuf;
use tendonwatch::checkin::token::Key;
use tendonwatch::sim::fit_writer;
use tendonwatch::sim::training::{self, Event, Runner};

/// One runner's dashboard (`serve` on `state/tw.db`, time zone UTC) and
/// the check-in key it serves with.
pub struct Served {
    pub tw: Tw,
    pub server: Server,
    pub key: Key,
}

impl Served {
    /// `tendonwatch --db state/tw.db --config UTC.toml serve`; the key is
    /// the one `serve` made where the daemon keeps it (beside the default
    /// store: `$HOME/.local/state/tendonwatch/checkin.key` here).
    pub fn start(tw: Tw) -> Served {
        let config = tw.zone_config("UTC");
        let server = Server::start(&tw, Some(&config));
        // Answered once the store is open (and made, in a fresh folder).
        assert_eq!(server.get("/static/style.css", None).status, 200);
        let path = tw.root().join(".local/state/tendonwatch/checkin.key");
        assert!(path.exists(), "serve makes the daemon's key at {path:?}");
        let key = Key::load_or_create(&path).unwrap();
        Served { tw, server, key }
    }

    /// The address of today's link.
    pub fn link(&self) -> String {
        format!("/checkin/{}", self.key.sign("", today()))
    }

    /// `tendonwatch pain SCORE --kind morning --at AT [EXTRA…]` in UTC.
    pub fn log_morning(&self, score: &str, at: &str, extra: &[&str]) {
        let config = self.tw.root().join("UTC.toml");
        let mut args = vec!["pain", score, "--kind", "morning", "--at", at];
        args.extend_from_slice(extra);
        self.tw.run_with_config(&config, &args).assert_ok();
    }

    /// The live pain entries, oldest first.
    pub fn pain(&self) -> Vec<PainRow> {
        pain_rows(&self.tw.db())
    }
}

/// A live pain entry as the check-in writes it.
#[derive(Debug, Clone, PartialEq)]
pub struct PainRow {
    pub score: f64,
    pub kind: String,
    pub stiffness_min: Option<f64>,
    pub side: Option<String>,
    /// The morning it answers, "YYYY-MM-DD" (None: not a check-in answer).
    pub checkin_date: Option<String>,
    pub at_ms: i64,
}

/// The live pain entries of the store at `db`, oldest first.
pub fn pain_rows(db: &std::path::Path) -> Vec<PainRow> {
    let conn = util::open(db);
    let mut stmt = conn
        .prepare(
            "SELECT score, kind, stiffness_min, side, checkin_date, at_ms FROM pain
             WHERE deleted_ms IS NULL ORDER BY id",
        )
        .unwrap();
    let row = |r: &rusqlite::Row<'_>| {
        Ok(PainRow {
            score: r.get("score")?,
            kind: r.get("kind")?,
            stiffness_min: r.get("stiffness_min")?,
            side: r.get("side")?,
            checkin_date: r.get("checkin_date")?,
            at_ms: r.get("at_ms")?,
        })
    };
    stmt.query_map([], row)
        .unwrap()
        .collect::<rusqlite::Result<_>>()
        .unwrap()
}

/// Today's date in UTC (the zone of [`Served`]).
pub fn today() -> NaiveDate {
    Utc::now().date_naive()
}

/// `HH:MM` yesterday, UTC, as RFC 3339.
pub fn yesterday_at(hh_mm: &str) -> String {
    format!("{}T{hh_mm}:00Z", today().pred_opt().unwrap())
}

/// Nine flat weeks that ended before this Monday, then yesterday at 18:00
/// UTC a first hilly run (9.6 km, 15 m of climbing per km: `hill_intro`),
/// and yesterday's morning before it logged as 1/10: this morning is the
/// next morning of a run that brought hills, against a baseline of 1.
pub fn season_with_hills_yesterday(tw: &Tw) -> PathBuf {
    write_season(&tw.sync(), false);
    let midnight = today()
        .pred_opt()
        .unwrap()
        .and_hms_opt(0, 0, 0)
        .unwrap()
        .and_utc()
        .timestamp_millis();
    let r = Runner {
        start_ms: midnight,
        local_offset_s: 0,
        start_hour_local: 18.0,
        ..Runner::default()
    };
    let hills = training::on_day(
        &r,
        0,
        0,
        &Event::Hilly {
            km: 9.6,
            climb_m_per_km: 15.0,
        },
    );
    let file = tw.sync().join("hills-yesterday.fit");
    std::fs::write(&file, fit_writer::encode(&hills)).unwrap();
    let config = tw.zone_config("UTC");
    tw.run_with_config(&config, &["import", tw.sync().to_str().unwrap()])
        .assert_ok();
    let at = yesterday_at("06:00");
    tw.run_with_config(&config, &["pain", "1", "--kind", "morning", "--at", &at])
        .assert_ok();
    file
}
