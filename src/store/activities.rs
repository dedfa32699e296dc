//! The `activities` table: one row per session of a source file — its
//! sport and where that word came from, its start (UTC milliseconds, the
//! offset the recording gave, or why the start cannot be true), distance,
//! duration, which channels the track has, the watch's post-run effort and
//! feel, summary, laps and pauses as JSON, and how rich the recording is.
//!
//! `files` writes the rows when a file is recorded (through
//! `write_activity`, which stores the samples beside it); the runner's
//! sport and start (the tags, which outlive a re-import) and a second
//! sport verdict rewrite them here. Every listing — the CLI's text and
//! JSON, the dashboard's pages and API, the export — reads them as
//! [`ActivityRow`] through one [`ActivityFilter`], so no two of them can
//! disagree about what is in it.

use super::metrics::drop_metrics;
use super::runs::long_enough;
use super::samples::write_samples;
use super::tags::{apply_sport_tag, put_sport_tag, put_start_tag};
use super::{Result, Store, from_json, json};
use crate::activity::SportStatus;
use crate::activity::{Activity, Lap, Pause, Sport, SubSport};
use crate::decode::Decoded;
use rusqlite::{OptionalExtension, Transaction, params};
use serde::Serialize;

/// One stored activity, as listed (without samples).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ActivityRow {
    pub id: i64,
    pub start_utc: String,
    pub start_ms: i64,
    pub local_offset_s: Option<i32>,
    /// Why the start cannot be true (None: it can). Such an activity is
    /// listed but left out of the baseline and the rules until the runner
    /// gives its start.
    pub time_unknown: Option<String>,
    /// `file` (the recording's clock) or `runner` (`tag ID --start`).
    pub start_status: String,
    pub sport: String,
    pub sub_sport: String,
    pub sport_label: String,
    /// Where the sport came from (`file`, `bundle`, `inferred`, `assumed`,
    /// `unconfirmed`, `runner`).
    pub sport_status: String,
    pub sport_evidence: Vec<String>,
    pub distance_m: f64,
    /// Moving time as measured (None until measured).
    pub moving_s: Option<f64>,
    pub elapsed_s: f64,
    pub sample_count: i64,
    /// Too short to be a run (RULES.md F): kept and listed, never counted.
    pub too_short: bool,
    pub has_gps: bool,
    pub has_cadence: bool,
    pub has_altitude: bool,
    pub has_heart_rate: bool,
    pub partial: bool,
    pub format: String,
    pub device: String,
    pub name: Option<String>,
    pub post_run_rpe: Option<f64>,
    pub post_run_feel: Option<f64>,
    pub source_path: String,
}

impl ActivityRow {
    /// The sport as the runner should read it: the file's own word where it
    /// has one, a question mark while unconfirmed.
    pub fn sport_name(&self) -> String {
        if self.sport_status == SportStatus::Unconfirmed.as_str() {
            format!("{}?", self.sport)
        } else if self.sport_label.trim().is_empty() || self.sport_status == "runner" {
            self.sport.clone()
        } else {
            self.sport_label.clone()
        }
    }

    /// Where the sport came from and why, in a sentence.
    pub fn sport_reason(&self) -> String {
        let status = SportStatus::parse(&self.sport_status).describe();
        if self.sport_evidence.is_empty() {
            status.to_string()
        } else {
            format!("{status} — {}", self.sport_evidence.join("; "))
        }
    }

    /// "Was activity 41 a run? It looks like a ride: 21.0 km at 3:02/km".
    pub fn sport_question(&self) -> String {
        crate::sport::question(
            self.id,
            Sport::parse(&self.sport),
            self.distance_m,
            self.moving_s.unwrap_or(self.elapsed_s),
        )
    }
}

/// Which activities a listing holds. Runs by default: what a runner means
/// by "my runs", plus the activities that may be runs until the runner
/// answers the sport question (shown as such).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum ActivityFilter {
    #[default]
    Runs,
    /// Every sport (`--all`, `?all=1`).
    All,
    /// Only those waiting for the runner's word on their sport.
    Unconfirmed,
}

impl ActivityFilter {
    /// From the two switches every listing offers.
    pub fn from_flags(all: bool, unconfirmed: bool) -> Self {
        match (all, unconfirmed) {
            (_, true) => Self::Unconfirmed,
            (true, false) => Self::All,
            (false, false) => Self::Runs,
        }
    }

    fn sql(self) -> &'static str {
        match self {
            Self::Runs => "(a.sport = 'running' OR a.sport_status = 'unconfirmed')",
            Self::All => "1",
            Self::Unconfirmed => "a.sport_status = 'unconfirmed'",
        }
    }
}

impl Store {
    pub fn activities(&self) -> Result<Vec<ActivityRow>> {
        self.query_activities("ORDER BY a.start_ms, a.id", [])
    }

    /// One activity as listed, or None.
    pub fn activity(&self, id: i64) -> Result<Option<ActivityRow>> {
        Ok(self
            .query_activities("WHERE a.id = ?1", [id])?
            .into_iter()
            .next())
    }

    /// The activities one listing shows, oldest first. Every listing (the
    /// CLI's text and JSON, the dashboard's page and its API) goes through
    /// this, so they cannot disagree about what is in it.
    pub fn activities_listed(&self, filter: ActivityFilter) -> Result<Vec<ActivityRow>> {
        self.query_activities(
            &format!("WHERE {} ORDER BY a.start_ms, a.id", filter.sql()),
            [],
        )
    }

    /// Runs (or possible runs) whose time cannot be true, oldest first:
    /// left out of the rules until the runner gives their start.
    pub fn runs_of_unknown_time(&self) -> Result<Vec<ActivityRow>> {
        self.query_activities(
            &format!(
                "WHERE {} AND a.time_unknown IS NOT NULL ORDER BY a.start_ms, a.id",
                ActivityFilter::Runs.sql()
            ),
            [],
        )
    }

    /// A page of a listing, newest first, and how many it holds in all.
    pub fn activities_newest(
        &self,
        filter: ActivityFilter,
        limit: i64,
        offset: i64,
    ) -> Result<(Vec<ActivityRow>, i64)> {
        let total: i64 = self.conn.query_row(
            &format!("SELECT COUNT(*) FROM activities a WHERE {}", filter.sql()),
            [],
            |r| r.get(0),
        )?;
        let rows = self.query_activities(
            &format!(
                "WHERE {} ORDER BY a.start_ms DESC, a.id DESC LIMIT ?1 OFFSET ?2",
                filter.sql()
            ),
            [limit, offset],
        )?;
        Ok((rows, total))
    }

    fn query_activities<P: rusqlite::Params>(
        &self,
        tail: &str,
        params: P,
    ) -> Result<Vec<ActivityRow>> {
        let mut stmt = self.conn.prepare_cached(&format!(
            "SELECT a.id, a.start_ms, a.local_offset_s, a.sport, a.sub_sport, a.sport_label,
                    a.distance_m, a.elapsed_s, a.sample_count, a.has_gps, a.has_cadence,
                    a.has_altitude, a.has_heart_rate, a.partial, a.format, a.device, a.name,
                    a.post_run_rpe, a.post_run_feel, f.path, a.sport_status, a.sport_evidence,
                    m.moving_s, a.time_unknown, t.activity_id IS NOT NULL,
                    COALESCE(NOT ({}), 0)
             FROM activities a JOIN files f ON f.id = a.file_id
             LEFT JOIN metrics m ON m.activity_id = a.id
             LEFT JOIN start_tags t ON t.activity_id = a.id
             {tail}",
            long_enough!()
        ))?;
        let rows = stmt.query_map(params, |r| {
            let start_ms: i64 = r.get(1)?;
            let evidence: String = r.get(21)?;
            Ok(ActivityRow {
                time_unknown: r.get(23)?,
                too_short: r.get(25)?,
                start_status: if r.get(24)? { "runner" } else { "file" }.to_string(),
                sport_status: r.get(20)?,
                moving_s: r.get(22)?,
                sport_evidence: serde_json::from_str(&evidence).unwrap_or_default(),
                id: r.get(0)?,
                start_utc: utc_text(start_ms),
                start_ms,
                local_offset_s: r.get(2)?,
                sport: r.get(3)?,
                sub_sport: r.get(4)?,
                sport_label: r.get(5)?,
                distance_m: r.get(6)?,
                elapsed_s: r.get(7)?,
                sample_count: r.get(8)?,
                has_gps: r.get(9)?,
                has_cadence: r.get(10)?,
                has_altitude: r.get(11)?,
                has_heart_rate: r.get(12)?,
                partial: r.get(13)?,
                format: r.get(14)?,
                device: r.get(15)?,
                name: r.get(16)?,
                post_run_rpe: r.get(17)?,
                post_run_feel: r.get(18)?,
                source_path: r.get(19)?,
            })
        })?;
        Ok(rows.collect::<rusqlite::Result<Vec<_>>>()?)
    }

    /// Rebuild the normalized activity from the store (for recomputing
    /// metrics after a re-tag or a new metrics version).
    pub fn load_activity(&self, id: i64) -> Result<Option<Activity>> {
        let row = self
            .conn
            .query_row(
                "SELECT sport, sub_sport, sport_label, session_index, start_ms, local_offset_s, name,
                        summary_json, laps_json, pauses_json, post_run_rpe, post_run_feel,
                        sport_status, sport_evidence, time_unknown
                 FROM activities WHERE id = ?1",
                [id],
                |r| {
                    Ok((
                        r.get::<_, String>(0)?,
                        r.get::<_, String>(1)?,
                        r.get::<_, String>(2)?,
                        r.get::<_, u32>(3)?,
                        r.get::<_, i64>(4)?,
                        r.get::<_, Option<i32>>(5)?,
                        r.get::<_, Option<String>>(6)?,
                        r.get::<_, String>(7)?,
                        r.get::<_, String>(8)?,
                        r.get::<_, String>(9)?,
                        r.get::<_, Option<f64>>(10)?,
                        r.get::<_, Option<f64>>(11)?,
                        r.get::<_, String>(12)?,
                        r.get::<_, String>(13)?,
                        r.get::<_, Option<String>>(14)?,
                    ))
                },
            )
            .optional()?;
        let Some((
            sport,
            sub,
            label,
            session,
            start,
            offset,
            name,
            summary,
            laps,
            pauses,
            rpe,
            feel,
            status,
            evidence,
            time_unknown,
        )) = row
        else {
            return Ok(None);
        };
        let mut a = Activity::new(Sport::parse(&sport), start);
        a.sub_sport = SubSport::parse(&sub);
        a.sport_label = label;
        a.sport_status = SportStatus::parse(&status);
        a.sport_evidence = from_json(id, "sport evidence", &evidence)?;
        a.session_index = session;
        a.local_offset_s = offset;
        a.time_unknown = time_unknown;
        a.name = name;
        a.summary = from_json(id, "summary", &summary)?;
        a.laps = from_json::<Vec<Lap>>(id, "laps", &laps)?;
        a.pauses = from_json::<Vec<Pause>>(id, "pauses", &pauses)?;
        a.post_run.rpe = rpe;
        a.post_run.feel = feel;
        a.samples = self.samples(id)?;
        Ok(Some(a))
    }

    /// The runner's word on an activity's sport: stored as a tag that
    /// outlives a re-import, written into the activity, and its metrics
    /// dropped so that they are measured again for the new sport. Returns
    /// the sport before, or None when there is no such activity.
    pub fn set_sport_tag(&mut self, id: i64, sport: Sport, now_ms: i64) -> Result<Option<Sport>> {
        let tx = self.write_transaction()?;
        let before: Option<String> = tx
            .query_row("SELECT sport FROM activities WHERE id = ?1", [id], |r| {
                r.get(0)
            })
            .optional()?;
        let Some(before) = before else {
            return Ok(None);
        };
        put_sport_tag(&tx, id, sport, now_ms)?;
        apply_sport_tag(&tx, id)?;
        drop_metrics(&tx, id)?;
        tx.commit()?;
        Ok(Some(Sport::parse(&before)))
    }

    /// The runner's word on when an activity started: stored as a tag that
    /// outlives a re-import, and the whole activity (samples, laps, pauses)
    /// moved there, so every duration stays what the track says. Its time
    /// is known from now on; its metrics are measured again and the rules
    /// see it again. Returns the start before, or None when there is no
    /// such activity.
    pub fn set_start_tag(
        &mut self,
        id: i64,
        start_ms: i64,
        local_offset_s: Option<i32>,
        now_ms: i64,
    ) -> Result<Option<i64>> {
        let Some(mut a) = self.load_activity(id)? else {
            return Ok(None);
        };
        let before = a.start_ms;
        crate::clock::shift(&mut a, start_ms);
        let tx = self.write_transaction()?;
        put_start_tag(&tx, id, start_ms, local_offset_s, now_ms)?;
        tx.execute(
            "UPDATE activities SET start_ms = ?2, local_offset_s = COALESCE(?3, local_offset_s),
                time_unknown = NULL, laps_json = ?4, pauses_json = ?5 WHERE id = ?1",
            params![id, start_ms, local_offset_s, json(&a.laps), json(&a.pauses)],
        )?;
        write_samples(&tx, id, &a.samples)?;
        drop_metrics(&tx, id)?;
        tx.execute("DELETE FROM rule_evaluations WHERE activity_id = ?1", [id])?;
        tx.commit()?;
        Ok(Some(before))
    }

    /// Runs whose sport was only assumed, not yet seen by the rules, whose
    /// measured average is faster than `m_per_s` over a kilometre or more.
    pub fn unevaluated_assumed_faster_than(&self, m_per_s: f64) -> Result<Vec<i64>> {
        let mut stmt = self.conn.prepare_cached(
            "SELECT a.id FROM activities a JOIN metrics m ON m.activity_id = a.id
             LEFT JOIN rule_evaluations e ON e.activity_id = a.id
             WHERE a.sport_status = 'assumed' AND e.activity_id IS NULL
               AND m.distance_m >= 1000 AND m.moving_s > 0 AND m.distance_m / m.moving_s > ?1
             ORDER BY a.start_ms",
        )?;
        let ids = stmt
            .query_map([m_per_s], |r| r.get(0))?
            .collect::<rusqlite::Result<Vec<i64>>>()?;
        Ok(ids)
    }

    /// A second verdict on an activity's sport (with more of the runner's
    /// history known); its metrics go, to be measured again.
    pub fn set_settled_sport(&mut self, id: i64, v: &crate::sport::Verdict) -> Result<()> {
        let tx = self.write_transaction()?;
        tx.execute(
            "UPDATE activities SET sport = ?2, sport_status = ?3, sport_evidence = ?4 WHERE id = ?1",
            params![id, v.sport.as_str(), v.status.as_str(), json(&v.evidence)],
        )?;
        drop_metrics(&tx, id)?;
        tx.commit()?;
        Ok(())
    }

    /// Unconfirmed activities not yet asked about (no `sport_question`
    /// alert): what the rules must ask, without rewriting the others.
    pub fn unasked_unconfirmed(&self) -> Result<Vec<ActivityRow>> {
        self.query_activities(
            "WHERE a.sport_status = 'unconfirmed' AND NOT EXISTS
                (SELECT 1 FROM alerts q WHERE q.kind = 'sport_question'
                   AND q.cause = 'sport_question:' || a.id)
             ORDER BY a.start_ms, a.id",
            [],
        )
    }

    /// Activities waiting for the runner to say whether they were runs,
    /// oldest first.
    pub fn unconfirmed(&self) -> Result<Vec<ActivityRow>> {
        self.query_activities(
            "WHERE a.sport_status = 'unconfirmed' ORDER BY a.start_ms, a.id",
            [],
        )
    }
}

fn utc_text(ms: i64) -> String {
    chrono::DateTime::from_timestamp_millis(ms)
        .map(|t| t.format("%Y-%m-%dT%H:%M:%SZ").to_string())
        .unwrap_or_else(|| ms.to_string())
}

/// Write one activity of a decoded file (a new row, or over `existing`)
/// and its samples; returns its id.
pub(super) fn write_activity(
    tx: &Transaction<'_>,
    existing: Option<i64>,
    file_id: i64,
    decoded: &Decoded,
    a: &Activity,
    rich: i64,
) -> Result<i64> {
    let ch = a.channels();
    let values = params![
        file_id,
        a.session_index,
        decoded.format.as_str(),
        a.sport.as_str(),
        a.sub_sport.as_str(),
        a.sport_label,
        a.start_ms,
        a.local_offset_s,
        a.elapsed_s(),
        a.distance_m(),
        a.name,
        a.device.label(),
        decoded.partial.is_some(),
        rich,
        a.samples.len() as i64,
        ch.gps,
        ch.cadence,
        ch.altitude,
        ch.heart_rate,
        json(&a.summary),
        a.post_run.rpe,
        a.post_run.feel,
        json(&a.laps),
        json(&a.pauses),
        a.sport_status.as_str(),
        json(&a.sport_evidence),
        a.time_unknown,
    ];
    let id = match existing {
        Some(id) => {
            let mut stmt = tx.prepare_cached(
                "UPDATE activities SET file_id=?1, session_index=?2, format=?3, sport=?4, sub_sport=?5,
                    sport_label=?6, start_ms=?7, local_offset_s=?8, elapsed_s=?9, distance_m=?10, name=?11,
                    device=?12, partial=?13, richness=?14, sample_count=?15, has_gps=?16, has_cadence=?17,
                    has_altitude=?18, has_heart_rate=?19, summary_json=?20, post_run_rpe=?21,
                    post_run_feel=?22, laps_json=?23, pauses_json=?24, sport_status=?25,
                    sport_evidence=?26, time_unknown=?27
                 WHERE id = ?28",
            )?;
            let mut all: Vec<&dyn rusqlite::ToSql> = values.to_vec();
            all.push(&id);
            stmt.execute(all.as_slice())?;
            id
        }
        None => {
            let mut stmt = tx.prepare_cached(
                "INSERT INTO activities (file_id, session_index, format, sport, sub_sport, sport_label,
                    start_ms, local_offset_s, elapsed_s, distance_m, name, device, partial, richness,
                    sample_count, has_gps, has_cadence, has_altitude, has_heart_rate, summary_json,
                    post_run_rpe, post_run_feel, laps_json, pauses_json, sport_status, sport_evidence,
                    time_unknown)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17,
                    ?18, ?19, ?20, ?21, ?22, ?23, ?24, ?25, ?26, ?27)",
            )?;
            stmt.execute(values)?;
            tx.last_insert_rowid()
        }
    };
    write_samples(tx, id, &a.samples)?;
    Ok(id)
}
