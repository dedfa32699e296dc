//! Properties the metrics must keep on any input: never panic (NaN, gaps,
//! time going backwards, one point, 100,000 points); a pause does not change
//! distance; running a route backwards swaps climb and descent.
#![allow(clippy::unwrap_used)]

use proptest::prelude::*;
use tendonwatch::activity::{Activity, Pause, Sample, Sport};
use tendonwatch::metrics::{MetricsInput, compute};

fn any_f64() -> impl Strategy<Value = Option<f64>> {
    prop_oneof![
        Just(None),
        Just(Some(f64::NAN)),
        Just(Some(f64::INFINITY)),
        Just(Some(-f64::INFINITY)),
        (-1e7f64..1e7).prop_map(Some),
        (-200.0f64..200.0).prop_map(Some),
    ]
}

fn any_f32() -> impl Strategy<Value = Option<f32>> {
    prop_oneof![
        Just(None),
        Just(Some(f32::NAN)),
        (-1e6f32..1e6).prop_map(Some),
        (0.0f32..250.0).prop_map(Some),
    ]
}

fn wild_sample() -> impl Strategy<Value = Sample> {
    (
        // Times that go backwards, repeat and jump.
        prop_oneof![
            (-10_000i64..10_000_000),
            Just(0),
            Just(i64::MAX / 4),
            Just(i64::MIN / 4)
        ],
        any_f64(),
        any_f64(),
        any_f64(),
        any_f32(),
        any_f32(),
        any_f32(),
        any_f32(),
        any_f32(),
    )
        .prop_map(|(t, lat, lon, d, v, alt, cad, hr, temp)| Sample {
            time_ms: t,
            lat_deg: lat,
            lon_deg: lon,
            distance_m: d,
            speed_m_per_s: v,
            altitude_m: alt,
            cadence_spm: cad,
            heart_rate_bpm: hr,
            temperature_c: temp,
            power_w: None,
        })
}

fn run_of(samples: Vec<Sample>, pauses: Vec<Pause>) -> Activity {
    let start = samples.iter().map(|s| s.time_ms).min().unwrap_or(0);
    let mut a = Activity::new(Sport::Running, start);
    a.samples = samples;
    a.pauses = pauses;
    a
}

/// A plausible run: 1 Hz, ~3 m/s along a wandering line, hills.
fn plausible_run() -> impl Strategy<Value = Vec<Sample>> {
    (20usize..600, any::<u64>()).prop_map(|(n, seed)| {
        let mut x = seed | 1;
        let mut next = move || {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            (x % 10_000) as f64 / 10_000.0
        };
        let (mut lat, mut lon, mut alt, mut heading) = (52.0f64, 5.0f64, 10.0f64, 0.0f64);
        let mut grade = 0.0;
        (0..n)
            .map(|i| {
                if i % 60 == 0 {
                    grade = (next() - 0.5) * 0.16;
                }
                heading += (next() - 0.5) * 0.3;
                let step = 2.5 + next();
                lat += step * heading.cos() / 111_195.0;
                lon += step * heading.sin() / (111_195.0 * lat.to_radians().cos());
                alt += step * grade;
                Sample {
                    lat_deg: Some(lat),
                    lon_deg: Some(lon),
                    altitude_m: Some(alt as f32),
                    cadence_spm: Some(170.0),
                    ..Sample::at(1_600_000_000_000 + i as i64 * 1000)
                }
            })
            .collect()
    })
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 200, ..ProptestConfig::default() })]

    #[test]
    fn metrics_never_panic_on_wild_samples(
        samples in proptest::collection::vec(wild_sample(), 0..200),
        pauses in proptest::collection::vec((any::<i64>(), any::<i64>()), 0..4),
    ) {
        let pauses = pauses.into_iter().map(|(a, b)| Pause { start_ms: a, end_ms: b }).collect();
        let m = compute(&run_of(samples, pauses), &MetricsInput::default());
        prop_assert!(m.distance_m.is_finite() && m.distance_m >= 0.0);
        prop_assert!(m.moving_s.is_finite() && m.moving_s >= 0.0);
        if let Some(e) = m.elevation {
            prop_assert!(e.climb_m.is_finite() && e.descent_m.is_finite());
        }
    }

    #[test]
    fn a_pause_does_not_change_distance(run in plausible_run(), at in 0.05f64..0.95, pause_s in 60i64..3600) {
        let before = compute(&run_of(run.clone(), vec![]), &MetricsInput::default());
        // The runner stops at sample i, the timer stops; minutes later the
        // timer restarts at the same spot and the run goes on.
        let i = ((run.len() - 1) as f64 * at) as usize;
        let shift = pause_s * 1000;
        let mut paused: Vec<Sample> = run[..=i].to_vec();
        paused.push(Sample { time_ms: run[i].time_ms + shift, ..run[i] });
        paused.extend(run[i + 1..].iter().map(|s| Sample { time_ms: s.time_ms + shift, ..*s }));
        let pause = Pause { start_ms: run[i].time_ms, end_ms: run[i].time_ms + shift };
        let after = compute(&run_of(paused, vec![pause]), &MetricsInput::default());
        prop_assert!((after.distance_m - before.distance_m).abs() < 1e-6 * before.distance_m.max(1.0),
            "{} vs {}", after.distance_m, before.distance_m);
        prop_assert!((after.elapsed_s - before.elapsed_s - pause_s as f64).abs() < 1e-6);
        prop_assert!((after.timer_s - before.timer_s).abs() < 1e-6);
    }

    #[test]
    fn running_a_route_backwards_swaps_climb_and_descent(run in plausible_run()) {
        let t_end = run.last().unwrap().time_ms;
        let t0 = run[0].time_ms;
        let reversed: Vec<Sample> = run
            .iter()
            .rev()
            .map(|s| Sample { time_ms: t0 + (t_end - s.time_ms), ..*s })
            .collect();
        let there = compute(&run_of(run, vec![]), &MetricsInput::default());
        let back = compute(&run_of(reversed, vec![]), &MetricsInput::default());
        prop_assert!((there.distance_m - back.distance_m).abs() < 1e-6 * there.distance_m.max(1.0));
        if let (Some(a), Some(b)) = (there.elevation, back.elevation) {
            // Hysteresis starts from the first point and drops the last swing
            // smaller than the band: each end may differ by up to one band.
            let slack = 2.0 * a.noise_band_m + 0.01 * a.climb_m.max(a.descent_m);
            prop_assert!((a.climb_m - b.descent_m).abs() <= slack, "{a:?} vs {b:?}");
            prop_assert!((a.descent_m - b.climb_m).abs() <= slack, "{a:?} vs {b:?}");
        } else {
            prop_assert!(there.elevation.is_none() && back.elevation.is_none());
        }
    }
}

#[test]
fn a_single_point_and_an_empty_run_are_fine() {
    let m = compute(&run_of(vec![], vec![]), &MetricsInput::default());
    assert_eq!(m.distance_m, 0.0);
    assert!(m.elevation.is_none());
    let one = Sample {
        lat_deg: Some(52.0),
        lon_deg: Some(5.0),
        altitude_m: Some(3.0),
        ..Sample::at(5)
    };
    let m = compute(&run_of(vec![one], vec![]), &MetricsInput::default());
    assert_eq!((m.distance_m, m.moving_s), (0.0, 0.0));
}

#[test]
fn a_hundred_thousand_points_in_any_order_are_fine() {
    let mut samples: Vec<Sample> = (0..100_000)
        .map(|i| Sample {
            lat_deg: Some(52.0 + (i % 1000) as f64 * 1e-5),
            lon_deg: Some(5.0),
            altitude_m: Some((i % 50) as f32),
            cadence_spm: Some(170.0),
            ..Sample::at(i * 1000)
        })
        .collect();
    samples.reverse();
    samples.swap(10, 99_000);
    let m = compute(&run_of(samples, vec![]), &MetricsInput::default());
    assert!(m.distance_m > 0.0 && m.elapsed_s > 99_000.0);
}
