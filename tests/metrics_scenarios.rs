//! Scenarios end to end: the simulator writes real FIT files into a sync
//! folder, ingest decodes, measures and stores them, and the stored metrics
//! say what a runner would expect.
#![allow(clippy::unwrap_used)]

use tendonwatch::activity::Activity;
use tendonwatch::ingest::{self, Settings};
use tendonwatch::metrics::RunMetrics;
use tendonwatch::metrics::surface::{Evidence, Surface};
use tendonwatch::sim::fit_writer::encode;
use tendonwatch::sim::runs::{self, Altitude, RunSpec};
use tendonwatch::store::Store;

/// Write each activity as a FIT file into a fresh sync folder, ingest it,
/// and return the stored metrics in the same order.
fn ingest_all(activities: &[Activity]) -> Vec<RunMetrics> {
    let dir = tempfile::tempdir().unwrap();
    let sync = dir.path().join("sync");
    std::fs::create_dir(&sync).unwrap();
    for (i, a) in activities.iter().enumerate() {
        std::fs::write(sync.join(format!("run-{i:02}.fit")), encode(a)).unwrap();
    }
    let mut store = Store::open(&dir.path().join("tw.db")).unwrap();
    let (files, problems) = ingest::discover(&[sync]);
    assert!(problems.is_empty());
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(1)
        .build()
        .unwrap();
    let summary = runtime
        .block_on(ingest::ingest_files(
            &mut store,
            files,
            &Settings::default(),
            2,
            0,
            &mut |_, _| {},
        ))
        .unwrap();
    assert_eq!(summary.imported, activities.len(), "{summary:?}");
    store
        .activities()
        .unwrap()
        .iter()
        .map(|row| store.metrics(row.id).unwrap().unwrap())
        .collect()
}

#[test]
fn six_by_400_on_a_track_is_a_track_session_with_six_reps() {
    // 2 km warm-up, 6 × 400 m at 3:20/km with 90 s jog recoveries, 2 km cool-down.
    let session = runs::track_intervals(
        runs::DEFAULT_START_MS,
        6,
        400.0,
        200.0,
        90.0,
        480.0,
        2000.0,
        7,
    );
    let m = &ingest_all(&[session])[0];
    assert_eq!(m.surface, Surface::Track, "{:?}", m.surface_evidence);
    let Evidence::Oval { laps, lap_m } = m.surface_evidence else {
        panic!("decided by {:?}", m.surface_evidence)
    };
    assert!((lap_m - 400.0).abs() < 10.0, "{lap_m}");
    assert!(laps > 15.0, "{laps}");
    let iv = m
        .pace
        .as_ref()
        .unwrap()
        .intervals
        .as_ref()
        .expect("intervals found");
    assert_eq!(iv.reps, 6, "{iv:?}");
    for d in &iv.rep_distances_m {
        assert!((d - 400.0).abs() < 60.0, "rep of {d} m");
    }
    assert!(
        (iv.rep_pace_s_per_km - 200.0).abs() < 15.0,
        "{}",
        iv.rep_pace_s_per_km
    );
}

#[test]
fn the_same_run_on_a_6_percent_hill_climbs_30_m_per_km_more_than_flat() {
    let flat = runs::steady_run(&RunSpec {
        distance_m: 8000.0,
        altitude: Altitude::Flat(10.0),
        ..RunSpec::default()
    });
    // Up 400 m at 6 %, down 400 m, repeated: half of the distance climbs.
    let hilly = runs::steady_run(&RunSpec {
        distance_m: 8000.0,
        altitude: Altitude::Grade {
            percent: 6.0,
            segment_m: 400.0,
        },
        start_ms: runs::DEFAULT_START_MS + 86_400_000,
        ..RunSpec::default()
    });
    let m = ingest_all(&[flat, hilly]);
    let (flat, hilly) = (m[0].elevation.unwrap(), m[1].elevation.unwrap());
    assert!(flat.climb_m_per_km < 1.0, "flat: {flat:?}");
    assert!(
        (hilly.climb_m_per_km - 30.0).abs() < 3.0,
        "hilly: {hilly:?}"
    );
    assert!((hilly.climb_m - hilly.descent_m).abs() < 5.0);
    // Half the run is on a 6 % grade: ≥ 4 % but not ≥ 8 %.
    assert!((hilly.uphill_4pct_m - 4000.0).abs() < 400.0, "{hilly:?}");
    assert!(hilly.uphill_8pct_m < 100.0, "{hilly:?}");
    assert!(flat.uphill_4pct_m == 0.0);
    let steepest = hilly.steepest_200m_pct.unwrap();
    assert!((steepest - 6.0).abs() < 1.0, "{steepest}");
}

#[test]
fn a_footpod_run_without_gps_is_a_treadmill_run() {
    let footpod = runs::footpod_run(&RunSpec {
        distance_m: 6000.0,
        ..RunSpec::default()
    });
    let m = &ingest_all(&[footpod])[0];
    assert_eq!(
        (m.surface, &m.surface_evidence),
        (Surface::Treadmill, &Evidence::NoPositions)
    );
    assert!(m.elevation.is_none(), "no altitude is unknown, never zero");
    assert!((m.distance_m - 6000.0).abs() < 6.0, "{}", m.distance_m);
}

#[test]
fn a_steady_road_run_has_no_intervals_and_its_cadence_and_pace() {
    let easy = runs::steady_run(&RunSpec {
        distance_m: 10_000.0,
        pace_s_per_km: 330.0,
        cadence_spm: 168.0,
        ..RunSpec::default()
    });
    let m = &ingest_all(&[easy])[0];
    let pace = m.pace.as_ref().unwrap();
    assert!(pace.intervals.is_none(), "{:?}", pace.intervals);
    assert!((pace.mean_pace_s_per_km.unwrap() - 330.0).abs() < 3.0);
    assert_eq!(pace.walk_breaks, 0);
    let c = m.cadence.as_ref().unwrap();
    assert!((c.running_spm - 168.0).abs() < 2.0, "{c:?}");
    // 5:30/km at 168 spm: 3.03 m/s over 2.8 steps/s ≈ 1.08 m per step.
    assert!((c.stride_m.unwrap() - 1.08).abs() < 0.03, "{c:?}");
    assert_eq!(m.surface, Surface::Unknown);
    assert_eq!(m.part_of_day.as_str(), "morning", "07:00Z + 1 h");
}

#[test]
fn a_beach_area_from_the_config_makes_the_run_sand() {
    // The default route starts at 52.0 N 5.0 E and runs out and back.
    let beach = tendonwatch::metrics::surface::NamedArea {
        name: "the beach".into(),
        surface: Surface::Sand,
        polygon: vec![[51.9, 4.9], [51.9, 5.2], [52.2, 5.2], [52.2, 4.9]],
    };
    let run = runs::steady_run(&RunSpec::default());
    let settings = Settings {
        areas: std::sync::Arc::new(vec![beach]),
        zone: tendonwatch::zone::Zone::Fixed(0),
        ..Settings::default()
    };
    let m = tendonwatch::metrics::compute(&run, &settings.metrics_input());
    assert_eq!(m.surface, Surface::Sand);
    assert_eq!(
        m.surface_evidence,
        Evidence::NamedArea {
            name: "the beach".into()
        }
    );
}
