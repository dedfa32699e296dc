//! The simulator's activities, written as FIT files by `sim::fit_writer`,
//! read back from disk through `decode_file`: what the generators promise is
//! what the decoder sees. Scenario tests further up build on this.
#![allow(clippy::unwrap_used)]

use tendonwatch::activity::{Activity, SubSport};
use tendonwatch::decode::decode_file;
use tendonwatch::sim::fit_writer::encode;
use tendonwatch::sim::runs::{
    Altitude, DEFAULT_START_MS, RunSpec, footpod_run, steady_run, track_intervals, with_pause,
};

/// Encode, write to a temp file, read it back, decode it.
fn through_a_file(a: &Activity, name: &str) -> Activity {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join(name);
    std::fs::write(&path, encode(a)).unwrap();
    let bytes = std::fs::read(&path).unwrap();
    let decoded = decode_file(name, &bytes).unwrap();
    assert!(decoded.is_complete(), "{name}: {:?}", decoded.partial);
    assert_eq!(decoded.activities.len(), 1, "{name}");
    decoded.activities.into_iter().next().unwrap()
}

fn assert_same(name: &str, want: &Activity) {
    let got = through_a_file(want, name);
    assert_eq!(got.sport, want.sport, "{name}");
    assert_eq!(got.sub_sport, want.sub_sport, "{name}");
    assert_eq!(got.start_ms, want.start_ms, "{name}");
    assert_eq!(got.local_offset_s, want.local_offset_s, "{name}");
    assert_eq!(got.samples.len(), want.samples.len(), "{name}");
    assert_eq!(got.pauses.len(), want.pauses.len(), "{name}");
    assert_eq!(got.pauses, want.pauses, "{name}");
    assert_eq!(got.laps.len(), want.laps.len(), "{name}");
    let (d_got, d_want) = (got.distance_m(), want.distance_m());
    assert!(
        (d_got - d_want).abs() <= d_want * 0.001,
        "{name}: {d_got} vs {d_want}"
    );
    assert_eq!(got.elapsed_s(), want.elapsed_s(), "{name}");
    assert_eq!(got.channels(), want.channels(), "{name}");
    for (i, (g, w)) in got.samples.iter().zip(&want.samples).enumerate() {
        assert_eq!(g.time_ms, w.time_ms, "{name} sample {i}");
        assert_eq!(g.has_position(), w.has_position(), "{name} sample {i}");
        if let (Some(glat), Some(glon), Some(wlat), Some(wlon)) =
            (g.lat_deg, g.lon_deg, w.lat_deg, w.lon_deg)
        {
            assert!(
                (glat - wlat).abs() < 1e-6 && (glon - wlon).abs() < 1e-6,
                "{name} sample {i}: {g:?} vs {w:?}"
            );
        }
        let (gd, wd) = (g.distance_m.unwrap(), w.distance_m.unwrap());
        assert!((gd - wd).abs() <= 0.01, "{name} sample {i}: {gd} vs {wd}");
        let (gc, wc) = (g.cadence_spm.unwrap(), w.cadence_spm.unwrap());
        assert!((gc - wc).abs() <= 0.01, "{name} sample {i}: {gc} vs {wc}");
    }
}

#[test]
fn a_steady_road_run_comes_back() {
    let spec = RunSpec {
        sub_sport: SubSport::Road,
        distance_m: 12_000.0,
        pace_s_per_km: 310.0,
        gps_jitter_m: 2.0,
        ..RunSpec::default()
    };
    assert_same("steady.fit", &steady_run(&spec));
}

#[test]
fn a_hilly_trail_run_comes_back() {
    let spec = RunSpec {
        sub_sport: SubSport::Trail,
        local_offset_s: Some(-7 * 3600),
        altitude: Altitude::Grade {
            percent: 8.0,
            segment_m: 500.0,
        },
        seed: 11,
        ..RunSpec::new(9000.0, 390.0)
    };
    let a = steady_run(&spec);
    let got = through_a_file(&a, "hills.fit");
    assert_same("hills.fit", &a);
    let (want, have) = (
        a.summary.total_ascent_m.unwrap(),
        got.summary.total_ascent_m.unwrap(),
    );
    assert!((want - have).abs() <= 0.5, "{want} vs {have}");
}

#[test]
fn track_intervals_come_back() {
    let a = track_intervals(DEFAULT_START_MS, 8, 400.0, 190.0, 60.0, 480.0, 1600.0, 5);
    assert_same("track.fit", &a);
}

#[test]
fn a_footpod_run_comes_back_without_positions() {
    let a = footpod_run(&RunSpec::new(6000.0, 340.0));
    let got = through_a_file(&a, "footpod.fit");
    assert!(got.samples.iter().all(|s| !s.has_position()));
    assert!(got.samples.iter().all(|s| s.altitude_m.is_none()));
    assert_same("footpod.fit", &a);
}

#[test]
fn pauses_come_back() {
    let a = with_pause(
        with_pause(steady_run(&RunSpec::default()), 400.0, 60.0),
        1200.0,
        180.0,
    );
    assert_eq!(a.pauses.len(), 2);
    let got = through_a_file(&a, "paused.fit");
    assert_eq!(got.pauses, a.pauses);
    let s = got.summary;
    assert_eq!(s.total_elapsed_s.unwrap() - s.total_timer_s.unwrap(), 240.0);
    assert_same("paused.fit", &a);
}
