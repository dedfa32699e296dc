//! A store with something on every chart, for the browser test of the
//! charts on a phone and a desktop (issue 22, point 6): the demo season
//! (`tendonwatch demo`: sixteen weeks to now, with pain, alerts and a
//! report), two years of older running before it that stops and starts
//! again (so the 104-week load chart has many weeks whose load ratio is
//! printed over the bar), and a real FIT file that records pace, cadence,
//! elevation and heart rate. Included with
//! `#[path = "util/chart_season.rs"] mod chart_season;` next to `mod util;`.
#![allow(dead_code, clippy::unwrap_used, clippy::expect_used)]

use super::util::{self, Tw};
use std::path::PathBuf;
use tendonwatch::sim::fit_writer;
use tendonwatch::sim::training::{self, Runner, Week};

const WEEK_MS: i64 = 7 * 86_400_000;
/// Weeks of older running, ending a few weeks before the demo season.
pub const OLDER_WEEKS: usize = 96;
/// The real recording with all four series (`../shared/fixtures/real`).
pub const FOUR_SERIES_FIT: &str = "fit/activity-small-fenix2-run.fit";

/// The store and what is in it.
pub struct ChartSeason {
    pub db: PathBuf,
    /// The activity id of [`FOUR_SERIES_FIT`].
    pub four_series_run: i64,
}

/// Eight-week blocks of the older running: five steady weeks at one of
/// three volumes, two weeks off, and the week back at full volume, whose
/// load ratio passes the runner's mark.
fn older_weeks(r: &Runner) -> Vec<Week> {
    (0..OLDER_WEEKS)
        .map(|i| {
            let block = i / 8;
            let volume = [0.8, 1.0, 1.25][block % 3];
            match i % 8 {
                5 | 6 => Week { runs: Vec::new() },
                _ => scale(training::steady_week(r), volume),
            }
        })
        .collect()
}

fn scale(w: Week, by: f64) -> Week {
    use training::Event;
    Week {
        runs: w
            .runs
            .into_iter()
            .map(|e| match e {
                Event::Easy { km } => Event::Easy { km: km * by },
                Event::Long { km } => Event::Long { km: km * by },
                other => other,
            })
            .collect(),
    }
}

/// Builds the store under `tw`'s root.
pub fn build(tw: &Tw) -> ChartSeason {
    let db = tw.demo_store();

    let now = chrono::Utc::now().timestamp_millis();
    let this_monday = tendonwatch::web::views::week_start(now, 0);
    let r = Runner {
        start_ms: this_monday - (OLDER_WEEKS as i64 + 19) * WEEK_MS,
        ..Runner::default()
    };
    let older = tw.root().join("older");
    std::fs::create_dir_all(&older).unwrap();
    for (i, a) in training::simulate(&r, &older_weeks(&r)).iter().enumerate() {
        std::fs::write(
            older.join(format!("older-{i:03}.fit")),
            fit_writer::encode(a),
        )
        .unwrap();
    }
    std::fs::copy(util::real(FOUR_SERIES_FIT), older.join("four-series.fit")).unwrap();
    tw.import_into(&db, &[&older], false).assert_ok();

    let listed = Tw::run_command({
        let mut cmd = tw.command_with_db(&db);
        cmd.args(["activities", "--all", "--json"]);
        cmd
    });
    listed.assert_ok();
    let runs: serde_json::Value = serde_json::from_str(&listed.stdout).unwrap();
    let four_series_run = runs
        .as_array()
        .into_iter()
        .flatten()
        .find(|a| {
            a["source_path"]
                .as_str()
                .is_some_and(|p| p.ends_with("/four-series.fit"))
        })
        .and_then(|a| a["id"].as_i64())
        .unwrap_or_else(|| panic!("four-series.fit is not listed: {:.500}", listed.stdout));
    ChartSeason {
        db,
        four_series_run,
    }
}
