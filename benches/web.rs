//! Dashboard pages with 3,000 runs stored: each page and API answer timed
//! from request to last byte over loopback (the server renders everything,
//! charts included). Target: every page under 50 ms.
//!
//! The store: 3,000 simulated runs (three a week, ending this week, through
//! real FIT bytes), a morning pain entry every day of the last 120 days,
//! the alerts the rules raise over all of it, and a long-run spike alert on
//! every tenth run (300 alerts, all open).
//!
//! Run: `cargo bench --bench web` (builds the store first: ~1 minute).
#![allow(clippy::unwrap_used)]

use std::io::{Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::time::Instant;
use tendonwatch::config::Config;
use tendonwatch::finding::{Finding, RuleId, Severity};
use tendonwatch::pain::PainKind;
use tendonwatch::sim::training::Runner;
use tendonwatch::store::Store;
use tendonwatch::store::pain::NewPain;
use tendonwatch::web::{self, WebOptions};

const RUNS: usize = 3000;
const ROUNDS: usize = 60;
const DAY_MS: i64 = 86_400_000;

fn get(addr: SocketAddr, path: &str) -> (u16, usize) {
    let mut s = TcpStream::connect(addr).unwrap();
    write!(
        s,
        "GET {path} HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\n\r\n"
    )
    .unwrap();
    let mut raw = Vec::new();
    s.read_to_end(&mut raw).unwrap();
    let status = String::from_utf8_lossy(&raw[9..12]).parse().unwrap();
    (status, raw.len())
}

fn main() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("tw.db");
    let config = Config::default();
    let settings = config.rule_settings();
    let now = chrono::Utc::now().timestamp_millis();
    let t = Instant::now();
    let last_id = {
        let mut store = Store::open(&db).unwrap();
        let weeks = (RUNS / 3) as i64;
        let this_monday = web::views::week_start(now, 0);
        let r = Runner {
            start_ms: this_monday - weeks * 7 * DAY_MS,
            ..Runner::default()
        };
        let (last_id, _) = tendonwatch::sim::store::fill(&mut store, &r, RUNS).unwrap();
        for d in 0..120 {
            let p = NewPain {
                at_ms: now - d * DAY_MS - 3 * 3_600_000,
                score: f64::from((d % 5) as u32),
                kind: PainKind::Morning,
                stiffness_min: Some(5.0),
                side: None,
                note: None,
            };
            store.add_pain(&p, now).unwrap();
        }
        let raised = tendonwatch::alerts::evaluate_pending(&mut store, &settings, now).unwrap();
        // Steady running raises nothing: store a long-run spike on every
        // tenth run as well, so the alert pages and markers have work.
        let findings: Vec<Finding> = store
            .run_records(0, now + 1, &tendonwatch::zone::Zone::Fixed(0))
            .unwrap()
            .iter()
            .step_by(10)
            .map(|r| Finding {
                kind: RuleId::RunSpike,
                severity: Severity::High,
                activity_id: Some(r.activity_id),
                window_start_ms: r.start_ms,
                window_end_ms: r.end_ms(),
                measured: 13_000.0,
                baseline: 9_600.0,
                threshold: 30.0,
                unit: "m".into(),
                what_changed: "Longest run in 30 days 9.6 km; this run 13.0 km, +35 %.".into(),
                what_to_do: "Keep the next runs at or under 10.6 km.".into(),
                source: "bench".into(),
                cause: tendonwatch::rules::run_cause(r.start_ms),
            })
            .collect();
        let stored = store
            .record_findings(None, &findings, "too_old", &[], now)
            .unwrap();
        eprintln!(
            "built a store of {RUNS} runs, 120 pain entries, {} alerts in {:.1} s",
            raised.len() + stored.len(),
            t.elapsed().as_secs_f64()
        );
        last_id
    };
    let opts = WebOptions {
        db_path: db.clone(),
        password_hash: None,
        session_days: 30,
        rules: settings,
        ingest: config.ingest_settings(),
        pain_limit: config.profile.pain_limit(),
        zone: tendonwatch::zone::Zone::Fixed(0),
        checkin_key: None,
    };
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(1)
        .enable_all()
        .build()
        .unwrap();
    let listener = runtime
        .block_on(web::bind("127.0.0.1:0".parse().unwrap(), false))
        .unwrap();
    let addr = listener.local_addr().unwrap();
    runtime.spawn(web::serve(listener, opts, std::future::pending()));

    let pages = [
        "/".to_string(),
        "/load?weeks=52".to_string(),
        "/activities".to_string(),
        "/activities?page=60".to_string(),
        format!("/activity/{last_id}"),
        "/pain".to_string(),
        "/report".to_string(),
        "/alerts?state=all".to_string(),
        "/api/status".to_string(),
        "/api/load?weeks=52".to_string(),
        format!("/api/activities/{last_id}"),
        "/api/report".to_string(),
    ];
    println!(
        "dashboard with {RUNS} runs stored, {ROUNDS} requests per page (request → last byte, loopback):"
    );
    let mut worst: f64 = 0.0;
    for page in &pages {
        for _ in 0..3 {
            let (status, _) = get(addr, page);
            assert_eq!(status, 200, "{page}");
        }
        let mut size = 0;
        let mut ms: Vec<f64> = (0..ROUNDS)
            .map(|_| {
                let t = Instant::now();
                size = get(addr, page).1;
                t.elapsed().as_secs_f64() * 1000.0
            })
            .collect();
        ms.sort_by(f64::total_cmp);
        let (median, p95) = (ms[ROUNDS / 2], ms[ROUNDS * 95 / 100]);
        worst = worst.max(p95);
        let verdict = if p95 < 50.0 { "PASS" } else { "FAIL" };
        println!(
            "  {page:<24} median {median:6.2} ms, p95 {p95:6.2} ms, {:>4} KiB — target < 50 ms: {verdict}",
            size / 1024
        );
    }
    println!("slowest page p95: {worst:.2} ms");
}
