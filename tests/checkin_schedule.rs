//! When the morning check-in goes out (RULES.md I, issue 23 point 1),
//! driven the way the daemon's delivery thread drives it — `queue_due`
//! then `send_due`, every few minutes — on a real SQLite store, with a sink
//! that records each question and the instant it was sent. Restarts are a
//! fresh `Checkin` on the store reopened; a crash is a round that decided
//! the morning and never got to send it.
#![allow(clippy::unwrap_used)]

use chrono::{NaiveDate, NaiveDateTime};
use std::collections::BTreeMap;
use std::sync::atomic::{AtomicI64, Ordering};
use std::sync::{Arc, Mutex};
use tendonwatch::checkin::Checkin;
use tendonwatch::checkin::schedule::{Days, Plan, parse_hour};
use tendonwatch::checkin::token::Key;
use tendonwatch::notify::{Digest, Policy, Question, QuietHours, Sink, SinkError};
use tendonwatch::store::Store;
use tendonwatch::store::alerts::Alert;
use tendonwatch::store::pain::NewPain;
use tendonwatch::zone::Zone;

const MINUTE_MS: i64 = 60_000;

/// A sink that keeps every question it is asked to send, with the instant
/// the driver's clock showed.
struct Recorder {
    clock: Arc<AtomicI64>,
    sent: Arc<Mutex<Vec<(i64, Question)>>>,
}

impl Sink for Recorder {
    fn name(&self) -> &'static str {
        "ntfy"
    }
    fn send(&self, _: &Alert) -> Result<(), SinkError> {
        Ok(())
    }
    fn send_digest(&self, _: &Digest) -> Result<(), SinkError> {
        Ok(())
    }
    fn send_question(&self, question: &Question) -> Result<(), SinkError> {
        let now = self.clock.load(Ordering::SeqCst);
        self.sent.lock().unwrap().push((now, question.clone()));
        Ok(())
    }
}

/// One runner's daemon as far as the check-in goes: its store (in a temp
/// dir of its own), its `Checkin`, its one sink, and the clock it reads.
struct Daemon {
    dir: tempfile::TempDir,
    store: Store,
    checkin: Checkin,
    sinks: Vec<Box<dyn Sink + Send + Sync>>,
    policy: Policy,
    clock: Arc<AtomicI64>,
    /// What the phone got, kept across restarts.
    sent: Arc<Mutex<Vec<(i64, Question)>>>,
}

impl Daemon {
    /// A runner in `zone` (an IANA name) asked by `plan`, on a new store.
    fn new(zone: &str, plan: Plan) -> Daemon {
        let dir = tempfile::tempdir().unwrap();
        Daemon::start(dir, Zone::from_name(zone).unwrap(), plan, Arc::default())
    }

    /// Stopped (or killed) and started again: a fresh `Checkin` on the
    /// store opened again.
    fn restart(self) -> Daemon {
        let Daemon {
            dir,
            store,
            checkin,
            sent,
            ..
        } = self;
        drop(store);
        Daemon::start(dir, checkin.zone, checkin.plan, sent)
    }

    fn start(
        dir: tempfile::TempDir,
        zone: Zone,
        plan: Plan,
        sent: Arc<Mutex<Vec<(i64, Question)>>>,
    ) -> Daemon {
        let clock = Arc::new(AtomicI64::new(0));
        Daemon {
            store: Store::open(&dir.path().join("tw.db")).unwrap(),
            dir,
            checkin: Checkin {
                plan,
                zone,
                public_url: "http://nas.local:8417".to_string(),
                key: Key::from_bytes([7; 32]),
                runner: None,
            },
            sinks: vec![Box::new(Recorder {
                clock: clock.clone(),
                sent: sent.clone(),
            })],
            policy: Policy {
                quiet_hours: plan.quiet,
                ..Policy::default()
            },
            clock,
            sent,
        }
    }

    /// One delivery round at `now_ms`, as `Sinks::deliver_due` runs it.
    fn tick(&mut self, now_ms: i64) {
        self.decide(now_ms);
        self.clock.store(now_ms, Ordering::SeqCst);
        self.checkin
            .send_due(&mut self.store, &self.sinks, &self.policy, now_ms)
            .unwrap();
    }

    /// The first half of a round: decide and queue, send nothing (the
    /// daemon killed right after).
    fn decide(&mut self, now_ms: i64) -> Option<NaiveDate> {
        self.checkin
            .queue_due(&mut self.store, &["ntfy"], now_ms)
            .unwrap()
    }

    /// A round every `step_ms` from `from_ms` until before `to_ms`.
    fn run(&mut self, from_ms: i64, to_ms: i64, step_ms: i64) {
        let mut t = from_ms;
        while t < to_ms {
            self.tick(t);
            t += step_ms;
        }
    }

    fn log_morning(&mut self, at_ms: i64, score: f64) {
        let pain = NewPain::morning(at_ms, score);
        self.store.add_pain(&pain, at_ms).unwrap();
    }

    fn sent(&self) -> Vec<(i64, Question)> {
        self.sent.lock().unwrap().clone()
    }
}

fn plan(hour: &str, days: Days, quiet: Option<&str>) -> Plan {
    Plan {
        minute_of_day: parse_hour(hour).unwrap(),
        days,
        quiet: quiet.map(|q| QuietHours::parse(q).unwrap()),
    }
}

/// A wall-clock time in `zone`, "YYYY-MM-DD HH:MM".
fn local(zone: &str, text: &str) -> i64 {
    let t = NaiveDateTime::parse_from_str(text, "%Y-%m-%d %H:%M").unwrap();
    Zone::from_name(zone).unwrap().to_utc(t)
}

fn utc(text: &str) -> i64 {
    chrono::DateTime::parse_from_rfc3339(text)
        .unwrap()
        .timestamp_millis()
}

fn date(text: &str) -> NaiveDate {
    NaiveDate::parse_from_str(text, "%Y-%m-%d").unwrap()
}

#[test]
fn half_past_seven_in_berlin_stays_half_past_seven_the_day_before_and_after_both_clock_changes() {
    const BERLIN: &str = "Europe/Berlin";
    let mut d = Daemon::new(BERLIN, plan("07:30", Days::Daily, None));
    // Spring: 29 March 2026, 02:00 CET → 03:00 CEST; autumn: 25 October,
    // 03:00 CEST → 02:00 CET. A round every five minutes, day and night.
    d.run(
        local(BERLIN, "2026-03-28 00:00"),
        local(BERLIN, "2026-03-31 00:00"),
        5 * MINUTE_MS,
    );
    d.run(
        local(BERLIN, "2026-10-24 00:00"),
        local(BERLIN, "2026-10-27 00:00"),
        5 * MINUTE_MS,
    );
    let got: Vec<(i64, String)> = d.sent().into_iter().map(|(t, q)| (t, q.date)).collect();
    let want: Vec<(i64, String)> = [
        ("2026-03-28T06:30:00Z", "2026-03-28"), // CET, +01:00
        ("2026-03-29T05:30:00Z", "2026-03-29"), // CEST, +02:00, the change's morning
        ("2026-03-30T05:30:00Z", "2026-03-30"),
        ("2026-10-24T05:30:00Z", "2026-10-24"), // CEST
        ("2026-10-25T06:30:00Z", "2026-10-25"), // CET again, the change's morning
        ("2026-10-26T06:30:00Z", "2026-10-26"),
    ]
    .into_iter()
    .map(|(t, day)| (utc(t), day.to_string()))
    .collect();
    assert_eq!(got, want);
}

#[test]
fn a_check_in_at_half_past_twelve_on_the_autumn_change_day_goes_before_the_morning_is_over() {
    // 25 October 2026 in Berlin has 25 hours: 13:00 on the clock is 14
    // hours after midnight. The question due at 12:30 must not be taken
    // for one whose morning is over.
    const BERLIN: &str = "Europe/Berlin";
    let mut d = Daemon::new(BERLIN, plan("12:30", Days::Daily, None));
    d.run(
        local(BERLIN, "2026-10-25 00:00"),
        local(BERLIN, "2026-10-25 23:55"),
        5 * MINUTE_MS,
    );
    let got: Vec<i64> = d.sent().into_iter().map(|(t, _)| t).collect();
    assert_eq!(got, vec![utc("2026-10-25T11:30:00Z")]);
}

#[test]
fn nothing_is_sent_in_quiet_hours_the_question_goes_when_they_end() {
    const BERLIN: &str = "Europe/Berlin";
    let mut d = Daemon::new(BERLIN, plan("07:30", Days::Daily, Some("22:00-08:00")));
    // The daemon says when it next has something to do: the end of the
    // quiet hours, not the check-in hour inside them.
    let early = local(BERLIN, "2026-07-01 05:00");
    let next = d
        .checkin
        .next_due_ms(&d.store, &["ntfy"], &d.policy, early)
        .unwrap();
    assert_eq!(next, Some(local(BERLIN, "2026-07-01 08:00")));
    // A round every minute through the night and the morning.
    d.run(
        local(BERLIN, "2026-06-30 21:00"),
        local(BERLIN, "2026-07-01 12:00"),
        MINUTE_MS,
    );
    let got: Vec<i64> = d.sent().into_iter().map(|(t, _)| t).collect();
    assert_eq!(got, vec![local(BERLIN, "2026-07-01 08:00")]);

    // Quiet hours that last past 13:00 leave no morning to ask about.
    let mut d = Daemon::new(BERLIN, plan("07:30", Days::Daily, Some("22:00-13:30")));
    d.run(
        local(BERLIN, "2026-07-01 00:00"),
        local(BERLIN, "2026-07-02 00:00"),
        5 * MINUTE_MS,
    );
    assert!(d.sent().is_empty());
}

#[test]
fn a_month_in_the_return_profile_asks_once_every_morning_and_never_an_answered_one() {
    const BERLIN: &str = "Europe/Berlin";
    let mut d = Daemon::new(BERLIN, plan("07:30", Days::Daily, None));
    let day = |n: u32| format!("2026-06-{n:02}");
    let at = |n: u32, hhmm: &str| local(BERLIN, &format!("{} {hhmm}", day(n)));
    // Answered before the hour (the runner was up early): not asked.
    let early = [5, 12, 19];
    // Answered after the question, from its link.
    let answered_late = [2, 3, 4, 20];
    // A round every seven minutes: the question goes at the first round at
    // or after 07:30.
    let step = 7 * MINUTE_MS;
    let mut t = at(1, "00:00");
    let end = local(BERLIN, "2026-07-01 00:00");
    while t < end {
        let today = tendonwatch::checkin::schedule::local_date(&d.checkin.zone, t).unwrap();
        let n = chrono::Datelike::day(&today);
        if early.contains(&n) && (at(n, "06:40")..at(n, "06:40") + step).contains(&t) {
            d.log_morning(t, 1.0);
        }
        if answered_late.contains(&n) && (at(n, "08:10")..at(n, "08:10") + step).contains(&t) {
            d.log_morning(t, f64::from(n % 4));
        }
        if n == 15 && (at(15, "10:00")..at(15, "10:00") + step).contains(&t) {
            // A restart mid-month, after that morning's question went:
            // a fresh `Checkin` on the store opened again.
            d = d.restart();
        }
        if n == 22 && (at(22, "07:30")..at(22, "07:30") + step).contains(&t) {
            // Killed between deciding and sending: the morning is queued,
            // nothing went. The restarted daemon sends it at once, once.
            assert_eq!(d.decide(t), Some(date("2026-06-22")));
            d = d.restart();
        }
        d.tick(t);
        t += step;
    }

    let sent = d.sent();
    let mut per_morning: BTreeMap<String, usize> = BTreeMap::new();
    for (_, q) in &sent {
        *per_morning.entry(q.date.clone()).or_default() += 1;
    }
    let want: BTreeMap<String, usize> = (1..=30)
        .filter(|n| !early.contains(n))
        .map(|n| (day(n), 1))
        .collect();
    assert_eq!(per_morning, want, "one question per unanswered morning");
    for (sent_ms, q) in &sent {
        let n: u32 = q.date[8..].parse().unwrap();
        assert!(
            (at(n, "07:30")..at(n, "07:30") + step).contains(sent_ms),
            "{}: sent at {}, not within a round of 07:30",
            q.date,
            Zone::from_name(BERLIN).unwrap().rfc3339(*sent_ms)
        );
        // "Same as yesterday" repeats yesterday's morning score, and is
        // offered only when there is one.
        let yesterday = n.checked_sub(1).filter(|p| *p >= 1);
        let score = yesterday.and_then(|p| {
            if early.contains(&p) {
                Some(1.0)
            } else if answered_late.contains(&p) {
                Some(f64::from(p % 4))
            } else {
                None
            }
        });
        assert_eq!(q.same.as_ref().map(|s| s.score), score, "{}", q.date);
        assert!(q.url.starts_with("http://nas.local:8417/checkin/"));
        assert!(q.url.contains(&q.date), "{}", q.url);
    }
    // Every morning's row was delivered; the answered ones have none.
    let rows = d.store.checkin_rows().unwrap();
    assert_eq!(rows.len(), want.len());
    assert!(rows.iter().all(|r| r.delivered_ms.is_some()));
}

#[test]
fn the_normal_profile_asks_only_the_morning_after_a_run_day() {
    const BERLIN: &str = "Europe/Berlin";
    let mut d = Daemon::new(BERLIN, plan("07:30", Days::AfterRuns, None));
    // Three weeks of runs on Tuesday, Thursday and Sunday at 07:00
    // (+01:00) from Monday 5 January 2026, through real FIT bytes.
    let r = tendonwatch::sim::training::Runner::default();
    tendonwatch::sim::store::fill(&mut d.store, &r, 9).unwrap();
    d.run(
        local(BERLIN, "2026-01-05 00:00"),
        local(BERLIN, "2026-01-28 00:00"),
        5 * MINUTE_MS,
    );
    let got: Vec<String> = d.sent().into_iter().map(|(_, q)| q.date).collect();
    let want = [
        "2026-01-07", // Wednesday, after Tuesday's run
        "2026-01-09", // Friday, after Thursday's
        "2026-01-12", // Monday, after Sunday's
        "2026-01-14",
        "2026-01-16",
        "2026-01-19",
        "2026-01-21",
        "2026-01-23",
        "2026-01-26",
    ];
    assert_eq!(got, want);
}

#[test]
fn checkin_send_counts_as_this_morning_s_question() {
    const BERLIN: &str = "Europe/Berlin";
    let mut d = Daemon::new(BERLIN, plan("07:30", Days::Daily, None));
    // Sent by hand at 06:00, before the hour: the daemon does not ask
    // again at 07:30.
    let six = local(BERLIN, "2026-07-01 06:00");
    d.clock.store(six, Ordering::SeqCst);
    let outcomes = d.checkin.send_now(&mut d.store, &d.sinks, six).unwrap();
    assert_eq!(outcomes.len(), 1);
    assert_eq!(outcomes[0].0, "ntfy");
    assert!(outcomes[0].1.is_ok());
    d.run(six, local(BERLIN, "2026-07-01 12:00"), 5 * MINUTE_MS);
    let got: Vec<i64> = d.sent().into_iter().map(|(t, _)| t).collect();
    assert_eq!(got, vec![six]);
    // Sent again by hand: it goes (it is for trying), one row still.
    let nine = local(BERLIN, "2026-07-01 09:00");
    d.clock.store(nine, Ordering::SeqCst);
    d.checkin.send_now(&mut d.store, &d.sinks, nine).unwrap();
    assert_eq!(d.sent().len(), 2);
    assert_eq!(d.store.checkin_rows().unwrap().len(), 1);
}
