//! alerts (one per cause) and `rule_evaluations` (which runs the rules have
//! judged). Written by the alerts stage as it replays runs; read by every
//! listing, the outbox and the digests.

use super::{COUNTED_RUN, Result, Store};
use crate::finding::{Finding, RuleId, Severity};
use rusqlite::params;
use serde::Serialize;

/// How an alert reaches the runner.
pub const DELIVERY_QUEUED: &str = "queued";
/// About a run older than the notification horizon: stored, never pushed.
pub const DELIVERY_TOO_OLD: &str = "too_old";
/// Recent but `info`: shown on `status` and the dashboard, never pushed
/// (RULES.md H: the evidence decides the channel). No outbox row.
pub const DELIVERY_SHOWN: &str = "shown";
/// The SQL filter of open alerts ([`AlertState::Open`]): not acknowledged,
/// not history (`DELIVERY_TOO_OLD`).
const OPEN: &str = "WHERE acknowledged_ms IS NULL AND delivery <> 'too_old'";

/// A stored alert.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Alert {
    pub id: i64,
    pub kind: String,
    pub severity: String,
    pub activity_id: Option<i64>,
    pub window_start_ms: i64,
    pub window_end_ms: i64,
    pub measured: f64,
    pub baseline: f64,
    pub threshold: f64,
    pub unit: String,
    pub what_changed: String,
    pub what_to_do: String,
    pub source: String,
    pub cause: String,
    pub created_ms: i64,
    pub delivery: String,
    pub acknowledged_ms: Option<i64>,
}

/// Which alerts a listing holds: the CLI (text and JSON) and the dashboard
/// (page and API) all read through this one filter.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct AlertFilter {
    pub state: AlertState,
    pub kind: Option<RuleId>,
    pub severity: Option<Severity>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum AlertState {
    /// Asks the runner to act now: raised about a recent run and not yet
    /// acknowledged (the default everywhere).
    #[default]
    Open,
    Acknowledged,
    /// Raised about a run older than the notification horizon (an import,
    /// a catch-up) and not acknowledged: kept, never pushed, not open
    /// (RULES.md G).
    History,
    All,
}

impl AlertState {
    pub const NAMES: [&'static str; 4] = ["open", "acknowledged", "history", "all"];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Open => "open",
            Self::Acknowledged => "acknowledged",
            Self::History => "history",
            Self::All => "all",
        }
    }
}

impl Alert {
    /// Its one state: acknowledged, else history (raised about the past),
    /// else open.
    pub fn state(&self) -> AlertState {
        if self.acknowledged_ms.is_some() {
            AlertState::Acknowledged
        } else if self.delivery == DELIVERY_TOO_OLD {
            AlertState::History
        } else {
            AlertState::Open
        }
    }
}

/// A value given and not blank.
fn given(text: Option<&str>) -> Option<&str> {
    text.map(str::trim).filter(|t| !t.is_empty())
}

impl AlertFilter {
    /// From the words a runner types or a form sends; empty means "any"
    /// (and "open" for the state). The error names what is accepted.
    pub fn parse(
        state: Option<&str>,
        kind: Option<&str>,
        severity: Option<&str>,
    ) -> std::result::Result<Self, String> {
        let state = match given(state) {
            None | Some("open") => AlertState::Open,
            Some("acknowledged") => AlertState::Acknowledged,
            Some("history") => AlertState::History,
            Some("all") => AlertState::All,
            Some(other) => {
                return Err(format!(
                    "state '{other}': use {}",
                    AlertState::NAMES.join(", ")
                ));
            }
        };
        let kind = given(kind)
            .map(|k| {
                RuleId::parse(k).ok_or_else(|| {
                    format!(
                        "'{k}' is not a rule: use one of {}",
                        RuleId::ALL.map(RuleId::as_str).join(", ")
                    )
                })
            })
            .transpose()?;
        let severity = given(severity)
            .map(|s| {
                Severity::parse(s)
                    .ok_or_else(|| format!("'{s}' is not a severity: use info, warn or high"))
            })
            .transpose()?;
        Ok(Self {
            state,
            kind,
            severity,
        })
    }

    fn keeps(&self, a: &Alert) -> bool {
        (self.state == AlertState::All || a.state() == self.state)
            && self.kind.is_none_or(|k| a.kind == k.as_str())
            && self.severity.is_none_or(|s| a.severity == s.as_str())
    }
}

/// The columns of an alert, the `alerts` table named `a` (`outbox` and
/// `digests` read them after their own columns); `alert_at` reads them.
pub(super) const ALERT_COLUMNS: &str = "a.id, a.kind, a.severity, a.activity_id, a.window_start_ms,
    a.window_end_ms, a.measured, a.baseline, a.threshold, a.unit, a.what_changed, a.what_to_do,
    a.source, a.cause, a.created_ms, a.delivery, a.acknowledged_ms";

/// The alert whose `ALERT_COLUMNS` start at column `at`.
pub(super) fn alert_at(r: &rusqlite::Row<'_>, at: usize) -> rusqlite::Result<Alert> {
    Ok(Alert {
        id: r.get(at)?,
        kind: r.get(at + 1)?,
        severity: r.get(at + 2)?,
        activity_id: r.get(at + 3)?,
        window_start_ms: r.get(at + 4)?,
        window_end_ms: r.get(at + 5)?,
        measured: r.get(at + 6)?,
        baseline: r.get(at + 7)?,
        threshold: r.get(at + 8)?,
        unit: r.get(at + 9)?,
        what_changed: r.get(at + 10)?,
        what_to_do: r.get(at + 11)?,
        source: r.get(at + 12)?,
        cause: r.get(at + 13)?,
        created_ms: r.get(at + 14)?,
        delivery: r.get(at + 15)?,
        acknowledged_ms: r.get(at + 16)?,
    })
}

fn alert_row(r: &rusqlite::Row<'_>) -> rusqlite::Result<Alert> {
    alert_at(r, 0)
}

impl Alert {
    /// The stored alert as the finding it came from (for `stacked_intro`).
    pub fn finding(&self) -> Option<Finding> {
        Some(Finding {
            kind: RuleId::parse(&self.kind)?,
            severity: Severity::parse(&self.severity)?,
            activity_id: self.activity_id,
            window_start_ms: self.window_start_ms,
            window_end_ms: self.window_end_ms,
            measured: self.measured,
            baseline: self.baseline,
            threshold: self.threshold,
            unit: self.unit.clone(),
            what_changed: self.what_changed.clone(),
            what_to_do: self.what_to_do.clone(),
            source: self.source.clone(),
            cause: self.cause.clone(),
        })
    }
}

impl Store {
    /// Running activities the rules have not evaluated yet, oldest first.
    pub fn unevaluated_runs(&self) -> Result<Vec<(i64, i64)>> {
        let mut stmt = self.conn.prepare(&format!(
            "SELECT a.id, a.start_ms FROM activities a JOIN metrics m ON m.activity_id = a.id
             LEFT JOIN rule_evaluations e ON e.activity_id = a.id
             WHERE e.activity_id IS NULL AND {COUNTED_RUN}
             ORDER BY a.start_ms, a.id"
        ))?;
        let rows = stmt.query_map([], |r| Ok((r.get(0)?, r.get(1)?)))?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

    /// The runner answered about an activity's sport, or a sport change
    /// took its run's alerts away: acknowledge the activity's alerts of
    /// these kinds and drop their pushes not yet made.
    pub fn withdraw_alerts(
        &mut self,
        activity_id: i64,
        kinds: &[&str],
        now_ms: i64,
    ) -> Result<usize> {
        let tx = self.write_transaction()?;
        let mut n = 0;
        for kind in kinds {
            tx.execute(
                "DELETE FROM outbox WHERE delivered_ms IS NULL AND alert_id IN
                    (SELECT id FROM alerts WHERE activity_id = ?1 AND kind = ?2)",
                params![activity_id, kind],
            )?;
            n += tx.execute(
                "UPDATE alerts SET acknowledged_ms = ?3
                 WHERE activity_id = ?1 AND kind = ?2 AND acknowledged_ms IS NULL",
                params![activity_id, kind, now_ms],
            )?;
        }
        tx.commit()?;
        Ok(n)
    }

    /// Forget that the rules saw the runs starting in `[from_ms, to_ms)`,
    /// so that they are evaluated again (a run that changed sport changes
    /// the baseline of the weeks after it). Alerts already raised stay; a
    /// cause is never raised twice.
    pub fn forget_evaluations(&mut self, from_ms: i64, to_ms: i64) -> Result<usize> {
        Ok(self.conn.execute(
            "DELETE FROM rule_evaluations WHERE activity_id IN
                (SELECT id FROM activities WHERE start_ms >= ?1 AND start_ms < ?2)",
            params![from_ms, to_ms],
        )?)
    }

    /// Store findings as alerts (a cause already alerted is skipped) and,
    /// for a run, mark it evaluated — one transaction. Returns the new alerts.
    ///
    /// A new alert with delivery `queued` gets one outbox row per sink in
    /// `sinks`, in the same transaction: a crash can never leave an alert
    /// stored but forgotten by delivery. An `info` finding asked to be
    /// queued is stored as `shown` instead, without outbox rows: it is never
    /// pushed (`high` rows go at once, `warn` rows wait for the digest —
    /// `notify` decides when by the alert's severity).
    pub fn record_findings(
        &mut self,
        evaluated_run: Option<i64>,
        findings: &[Finding],
        delivery: &str,
        sinks: &[String],
        now_ms: i64,
    ) -> Result<Vec<Alert>> {
        let tx = self.write_transaction()?;
        let mut new_ids = Vec::new();
        for f in findings {
            let delivery = if delivery == DELIVERY_QUEUED && f.severity == Severity::Info {
                DELIVERY_SHOWN
            } else {
                delivery
            };
            let inserted = tx.execute(
                "INSERT OR IGNORE INTO alerts (kind, severity, activity_id, window_start_ms, window_end_ms,
                    measured, baseline, threshold, unit, what_changed, what_to_do, source, cause,
                    created_ms, delivery)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15)",
                params![
                    f.kind.as_str(),
                    f.severity.as_str(),
                    f.activity_id,
                    f.window_start_ms,
                    f.window_end_ms,
                    f.measured,
                    f.baseline,
                    f.threshold,
                    f.unit,
                    f.what_changed,
                    f.what_to_do,
                    f.source,
                    f.cause,
                    now_ms,
                    delivery
                ],
            )?;
            if inserted == 1 {
                let alert_id = tx.last_insert_rowid();
                new_ids.push(alert_id);
                if delivery == DELIVERY_QUEUED {
                    for sink in sinks {
                        tx.execute(
                            "INSERT OR IGNORE INTO outbox (alert_id, sink, next_attempt_ms) VALUES (?1, ?2, ?3)",
                            params![alert_id, sink, now_ms],
                        )?;
                    }
                }
            }
        }
        if let Some(activity_id) = evaluated_run {
            tx.execute(
                "INSERT OR REPLACE INTO rule_evaluations (activity_id, evaluated_ms) VALUES (?1, ?2)",
                params![activity_id, now_ms],
            )?;
        }
        let mut new_alerts = Vec::new();
        for id in new_ids {
            new_alerts.push(tx.query_row(
                &format!("SELECT {ALERT_COLUMNS} FROM alerts a WHERE id = ?1"),
                [id],
                alert_row,
            )?);
        }
        tx.commit()?;
        Ok(new_alerts)
    }

    /// Alerts whose window starts in [from_ms, to_ms), oldest first.
    pub fn alerts_between(&self, from_ms: i64, to_ms: i64) -> Result<Vec<Alert>> {
        let mut stmt = self.conn.prepare_cached(&format!(
            "SELECT {ALERT_COLUMNS} FROM alerts a WHERE window_start_ms >= ?1 AND window_start_ms < ?2
             ORDER BY window_start_ms, id"
        ))?;
        let rows = stmt.query_map(params![from_ms, to_ms], alert_row)?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

    /// The alerts about one activity (what the run introduced), oldest first.
    pub fn alerts_about(&self, activity_id: i64) -> Result<Vec<Alert>> {
        let mut stmt = self.conn.prepare_cached(&format!(
            "SELECT {ALERT_COLUMNS} FROM alerts a WHERE activity_id = ?1 ORDER BY window_start_ms, id"
        ))?;
        let rows = stmt.query_map([activity_id], alert_row)?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

    /// All alerts, newest first; only the open ones unless `all`.
    pub fn alerts(&self, all: bool) -> Result<Vec<Alert>> {
        let filter = if all { "" } else { OPEN };
        let mut stmt = self.conn.prepare(&format!(
            "SELECT {ALERT_COLUMNS} FROM alerts a {filter} ORDER BY window_end_ms DESC, id DESC"
        ))?;
        let rows = stmt.query_map([], alert_row)?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

    /// How many alerts are history (raised about the past, not acknowledged).
    pub fn history_alert_count(&self) -> Result<usize> {
        let n: i64 = self.conn.query_row(
            "SELECT COUNT(*) FROM alerts WHERE acknowledged_ms IS NULL AND delivery = ?1",
            [DELIVERY_TOO_OLD],
            |r| r.get(0),
        )?;
        Ok(usize::try_from(n).unwrap_or(0))
    }

    /// The alerts a listing shows, newest first.
    pub fn alerts_listed(&self, filter: &AlertFilter) -> Result<Vec<Alert>> {
        Ok(self
            .alerts(filter.state != AlertState::Open)?
            .into_iter()
            .filter(|a| filter.keeps(a))
            .collect())
    }

    pub fn acknowledge_alert(&mut self, id: i64, now_ms: i64) -> Result<bool> {
        let n = self.conn.execute(
            "UPDATE alerts SET acknowledged_ms = ?2 WHERE id = ?1 AND acknowledged_ms IS NULL",
            params![id, now_ms],
        )?;
        Ok(n == 1)
    }

    /// Acknowledge every open alert (not history, which asks nothing) in
    /// one transaction. Returns how many.
    pub fn acknowledge_open_alerts(&mut self, now_ms: i64) -> Result<usize> {
        let n = self.conn.execute(
            &format!("UPDATE alerts SET acknowledged_ms = ?1 {OPEN}"),
            [now_ms],
        )?;
        Ok(n)
    }

    /// Acknowledge these alerts, all or none: an id that is not an
    /// unacknowledged alert refuses the whole set (returned), nothing written.
    pub fn acknowledge_alerts(&mut self, ids: &[i64], now_ms: i64) -> Result<Vec<i64>> {
        let tx = self.write_transaction()?;
        let mut refused = Vec::new();
        for &id in ids {
            let n = tx.execute(
                "UPDATE alerts SET acknowledged_ms = ?2 WHERE id = ?1 AND acknowledged_ms IS NULL",
                params![id, now_ms],
            )?;
            if n != 1 {
                refused.push(id);
            }
        }
        if refused.is_empty() {
            tx.commit()?;
        }
        Ok(refused)
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn the_open_filter_leaves_out_history_by_its_own_delivery_word() {
        assert!(super::OPEN.contains(&format!("delivery <> '{}'", super::DELIVERY_TOO_OLD)));
    }
}
