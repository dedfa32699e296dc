//! Tests of every chart: its SVG is well formed, escaped, deterministic
//! and finite whatever the input, and it draws what its data says.

use super::format::{N, N1, Signed};
use super::load::{MAX_X_LABELS, WEEK_MS};
use super::series::MAX_SERIES_POINTS;
use super::*;
use crate::zone::Zone;
use quick_xml::Reader;
use quick_xml::events::Event;

const MON_5_JAN_2026: i64 = 1_767_571_200_000; // 2026-01-05T00:00:00Z, a Monday

/// Asserts `fig` is a chart as a page places it: a `<div class="chart-box">`
/// holding one drawing per size, narrow then wide, each checked by
/// [`check_svg`].
fn check(fig: &str) {
    assert!(fig.starts_with(r#"<div class="chart-box""#), "{fig:.200}");
    assert!(fig.ends_with("</svg></div>"), "{fig:.200}");
    let svgs = drawings(fig);
    assert_eq!(svgs.len(), SIZES.len(), "{fig:.300}");
    for (svg, size) in svgs.iter().zip(SIZES) {
        check_svg(svg);
        let open = r#"<svg xmlns="http://www.w3.org/2000/svg" class="chart "#;
        assert!(svg.starts_with(open), "{svg:.200}");
        let head = &svg[..svg.find('>').expect("svg tag")];
        assert!(
            head.contains(&format!(" {}\" viewBox=\"0 0 {} ", size.name, size.width)),
            "{head}"
        );
    }
}

/// The drawings (`<svg>…</svg>`) of a chart, narrow then wide.
fn drawings(fig: &str) -> Vec<&str> {
    fig.match_indices("<svg ")
        .map(|(at, _)| {
            let end = fig[at..].find("</svg>").expect("svg end") + at + "</svg>".len();
            &fig[at..end]
        })
        .collect()
}

/// The drawing of `fig` for `size`.
fn drawing(fig: &str, size: Size) -> &str {
    drawings(fig)
        .into_iter()
        .find(|svg| svg[..svg.find('>').unwrap_or(0)].contains(&format!(" {}\"", size.name)))
        .expect("a drawing of that size")
}

/// Parses `svg` and asserts it is one well-formed element, with every
/// attribute and entity valid, no style and no NaN/inf.
fn check_svg(svg: &str) {
    let mut reader = Reader::from_str(svg);
    let mut stack: Vec<Vec<u8>> = Vec::new();
    let mut roots = 0;
    loop {
        let event = match reader.read_event() {
            Ok(e) => e,
            Err(e) => panic!("XML error at {}: {e}\n{svg}", reader.buffer_position()),
        };
        match event {
            Event::Eof => break,
            Event::Start(e) => {
                for a in e.attributes() {
                    let a = a.expect("attribute");
                    a.unescape_value().expect("attribute value");
                }
                if stack.is_empty() {
                    roots += 1;
                    assert_eq!(e.name().as_ref(), b"svg");
                }
                stack.push(e.name().as_ref().to_vec());
            }
            Event::Empty(e) => {
                for a in e.attributes() {
                    let a = a.expect("attribute");
                    a.unescape_value().expect("attribute value");
                }
                assert!(!stack.is_empty(), "element outside the root");
            }
            Event::End(e) => {
                let open = stack.pop().expect("end tag without start");
                assert_eq!(open, e.name().as_ref(), "mismatched end tag");
            }
            Event::Text(t) => {
                let t = t.decode().expect("text");
                assert!(
                    !stack.is_empty() || t.trim().is_empty(),
                    "text outside the root"
                );
            }
            Event::GeneralRef(r) => {
                if r.is_char_ref() {
                    assert!(r.resolve_char_ref().expect("char ref").is_some());
                } else {
                    let name = r.decode().expect("ref");
                    assert!(
                        ["amp", "lt", "gt", "quot", "apos"].contains(&name.as_ref()),
                        "unknown entity {name}"
                    );
                }
            }
            other => panic!("unexpected {other:?}"),
        }
    }
    assert!(stack.is_empty(), "unclosed tags: {stack:?}");
    assert_eq!(roots, 1);
    assert!(!svg.contains("style"), "style in {svg}");
    assert!(
        !svg.contains("NaN") && !svg.contains("inf"),
        "non-finite in {svg}"
    );
    assert!(svg.contains(r#"preserveAspectRatio="xMidYMid meet""#));
    assert!(svg.contains(r#"role="img""#) && svg.contains("aria-label=\""));
    assert!(!svg.contains("<svg width"));
    assert!(svg.starts_with("<svg ") && svg.contains("<title>"));
}

/// The load chart of `weeks` with its pain and alerts.
fn load(weeks: &[LoadWeek], pain: &[PainPoint], alerts: &[AlertMark], zone: Zone) -> String {
    load_chart(&LoadChart {
        base: "",
        weeks,
        pain,
        alerts,
        zone,
    })
}

/// A pace series as the run page gives it: s/km along km, faster up.
fn pace_series(points: &[(f64, f64)]) -> Series<'_> {
    Series {
        id: "pace",
        title: "Pace",
        unit: "min/km",
        points,
        invert_y: true,
        kind: UnitKind::Pace,
    }
}

fn pace_chart(points: &[(f64, f64)]) -> String {
    series_chart(&pace_series(points))
}

/// How often `needle` is in each drawing of `fig` (the same in both).
#[track_caller]
fn count(fig: &str, needle: &str) -> usize {
    let counts: Vec<usize> = drawings(fig)
        .iter()
        .map(|svg| svg.matches(needle).count())
        .collect();
    assert!(
        counts.windows(2).all(|w| w[0] == w[1]),
        "{needle}: {counts:?}"
    );
    counts.first().copied().unwrap_or(0)
}

/// How often `needle` is in the drawing of `fig` for `size`.
fn count_in(fig: &str, size: Size, needle: &str) -> usize {
    drawing(fig, size).matches(needle).count()
}

fn week(i: i64, km: f64, runs: usize, band: Option<(f64, f64)>) -> LoadWeek {
    LoadWeek {
        start_ms: MON_5_JAN_2026 + i * WEEK_MS,
        distance_m: km * 1000.0,
        runs,
        longest_m: if runs > 0 { km * 400.0 } else { 0.0 },
        band_m: band.map(|(a, b)| (a * 1000.0, b * 1000.0)),
        acwr: None,
    }
}

fn weeks(n: i64) -> Vec<LoadWeek> {
    (0..n)
        .map(|i| {
            let band = (i >= 4).then_some((20.0, 26.0));
            let km = 15.0 + (i % 7) as f64 * 2.5;
            week(i, km, (i % 4) as usize + 1, band)
        })
        .collect()
}

fn pains(weeks: &[LoadWeek], every_h: i64) -> Vec<PainPoint> {
    let (Some(first), Some(last)) = (weeks.first(), weeks.last()) else {
        return Vec::new();
    };
    let mut out = Vec::new();
    let mut t = first.start_ms + 7 * 3_600_000;
    let mut k = 0;
    while t < last.start_ms + WEEK_MS {
        out.push(PainPoint {
            at_ms: t,
            score: (k % 11) as f64 * 0.5,
        });
        t += every_h * 3_600_000;
        k += 1;
    }
    out
}

fn alert(id: i64, at_ms: i64, title: &str) -> AlertMark {
    AlertMark {
        id,
        at_ms,
        kind: "week_jump".into(),
        severity: "warning".into(),
        title: title.into(),
    }
}

#[test]
fn load_chart_normal() {
    let ws = weeks(12);
    let pain = pains(&ws, 24);
    let alerts = vec![alert(7, ws[5].start_ms + DAY_MS, "Week jump")];
    let svg = load(&ws, &pain, &alerts, Zone::Fixed(3600));
    check(&svg);
    assert_eq!(count(&svg, "<rect class=\"bar"), 12);
    assert_eq!(count(&svg, "class=\"pain-point\""), pain.len());
    assert_eq!(count(&svg, "<path class=\"band\""), 1);
    assert!(svg.contains(
        r#"<a href="/alerts#alert-7"><path class="alert-mark sev-warning" data-alert-id="7""#
    ));
    assert!(svg.contains(r#"data-week="2026-01-05" data-km="15.0""#));
    assert!(svg.contains("Week of 5 Jan 2026: 15.0 km in 1 run, longest 6.0 km"));
    assert!(svg.contains("Morning pain 0 on Mon 5 Jan"));
    assert!(svg.contains("class=\"legend-label\""));
    for needle in ["long-run\"", "long-run-point", "pain-line", "no-data"] {
        assert_eq!(svg.contains(needle), needle != "no-data", "{needle}");
    }
    // Draw order: band, bars, long run, pain, alerts.
    let pos = |s: &str| svg.find(s).expect(s);
    assert!(pos("class=\"band\"") < pos("class=\"bar"));
    assert!(pos("class=\"bar") < pos("class=\"long-run\""));
    assert!(pos("class=\"long-run\"") < pos("class=\"pain-line\""));
    assert!(pos("class=\"pain-point\"") < pos("class=\"alert-mark"));
    // At most seven date labels.
    for size in SIZES {
        assert!(count_in(&svg, size, "class=\"x-label\"") <= MAX_X_LABELS);
    }
}

#[test]
fn load_chart_empty_and_single() {
    let svg = load_chart(&LoadChart {
        base: "",
        weeks: &[],
        pain: &[PainPoint {
            at_ms: 0,
            score: 3.0,
        }],
        alerts: &[],
        zone: Zone::Fixed(0),
    });
    check(&svg);
    assert!(svg.contains(r#"class="no-data""#) && svg.contains("No runs yet"));

    let ws = [week(0, 0.0, 0, None)];
    let svg = load_chart(&LoadChart {
        base: "",
        weeks: &ws,
        pain: &[PainPoint {
            at_ms: MON_5_JAN_2026 + 1000,
            score: 2.0,
        }],
        alerts: &[],
        zone: Zone::Fixed(0),
    });
    check(&svg);
    assert_eq!(count(&svg, "<rect class=\"bar"), 1);
    assert!(svg.contains("no runs"));
    assert!(!svg.contains("<polyline"));
    assert_eq!(count(&svg, "class=\"pain-point\""), 1);
}

#[test]
fn load_chart_drops_outside_span_and_nan() {
    let ws = weeks(3);
    let end = ws[2].start_ms + WEEK_MS;
    let pain = vec![
        PainPoint {
            at_ms: ws[0].start_ms - 1,
            score: 4.0,
        },
        PainPoint {
            at_ms: ws[0].start_ms,
            score: 4.0,
        },
        PainPoint {
            at_ms: ws[1].start_ms,
            score: f64::NAN,
        },
        PainPoint {
            at_ms: ws[1].start_ms + 5,
            score: f64::INFINITY,
        },
        PainPoint {
            at_ms: end - 1,
            score: 5.0,
        },
        PainPoint {
            at_ms: end,
            score: 6.0,
        },
    ];
    let alerts = vec![
        alert(1, end, "late"),
        alert(2, ws[0].start_ms - 1, "early"),
        alert(3, end - 1, "in"),
    ];
    let mut ws_nan = ws.clone();
    ws_nan[1].distance_m = f64::NAN;
    ws_nan[1].longest_m = f64::INFINITY;
    ws_nan[2].band_m = Some((f64::NAN, 3.0));
    let svg = load(&ws_nan, &pain, &alerts, Zone::Fixed(0));
    check(&svg);
    assert_eq!(count(&svg, "class=\"pain-point\""), 2);
    assert_eq!(count(&svg, "class=\"alert-mark"), 1);
    assert!(svg.contains("alert-3"));
    assert_eq!(count(&svg, "<rect class=\"bar"), 3);
}

#[test]
fn over_class_above_band() {
    let ws = vec![
        week(0, 20.0, 3, Some((18.0, 22.0))),
        week(1, 30.0, 4, Some((18.0, 22.0))),
        week(2, 40.0, 4, None),
    ];
    let svg = load(&ws, &[], &[], Zone::Fixed(0));
    check(&svg);
    assert_eq!(count(&svg, "<rect class=\"bar over\""), 1);
    assert!(svg.contains(r#"<rect class="bar over" data-week="2026-01-12" data-km="30.0""#));
    assert!(svg.contains("above the range"));
    // The km axis reaches the highest bar.
    assert!(svg.contains(">40</text>") || svg.contains(">50</text>"));
}

#[test]
fn pain_line_breaks_after_ten_days() {
    let ws = weeks(6);
    let day = |d: i64| MON_5_JAN_2026 + d * DAY_MS + 3_600_000;
    let pain: Vec<PainPoint> = [0, 1, 2, 14, 15, 30]
        .iter()
        .map(|&d| PainPoint {
            at_ms: day(d),
            score: 2.0,
        })
        .collect();
    let svg = load(&ws, &pain, &[], Zone::Fixed(0));
    check(&svg);
    // [0,1,2] and [14,15]; 30 stands alone.
    assert_eq!(count(&svg, "class=\"pain-line\""), 2);
}

#[test]
fn hostile_text_is_escaped() {
    let evil = "<script>&\"'";
    let escaped = "&lt;script&gt;&amp;&quot;&#39;";
    let ws = weeks(2);
    let alerts = vec![AlertMark {
        id: 9,
        at_ms: ws[0].start_ms + 10,
        kind: evil.into(),
        severity: "high\" onload=\"x".into(),
        title: evil.into(),
    }];
    let svgs = [
        load(&ws, &[], &alerts, Zone::Fixed(0)),
        series_chart(&Series {
            id: evil,
            title: evil,
            unit: evil,
            points: &[(0.0, 1.0), (1.0, 2.0)],
            invert_y: false,
            kind: UnitKind::Number,
        }),
        series_chart(&Series {
            id: evil,
            title: evil,
            unit: evil,
            points: &[],
            invert_y: false,
            kind: UnitKind::Clock,
        }),
        factor_chart(&[FactorBar {
            factor: evil,
            effect: Some(0.5),
            interval: Some((-0.2, 1.2)),
            against: Some(evil),
            verdict: evil,
        }]),
        trend_chart(evil, evil, &[(MON_5_JAN_2026, 50.0)], 100.0, 0),
        trend_chart(evil, evil, &[], 100.0, 0),
    ];
    for svg in &svgs {
        check(svg);
        assert!(!svg.contains("<script"), "{svg}");
        assert!(svg.contains(escaped), "{svg}");
    }
    assert!(svgs[0].contains("class=\"alert-mark sev-highonloadx\""));
    assert!(svgs[3].contains("verdict-script"));
}

#[test]
fn deterministic_whatever_the_order() {
    let ws = weeks(40);
    let mut pain = pains(&ws, 30);
    let mut alerts: Vec<AlertMark> = (0..20)
        .map(|i| alert(i, ws[0].start_ms + i * 5 * DAY_MS, "a"))
        .collect();
    let make = |pain: &[PainPoint], alerts: &[AlertMark]| {
        load_chart(&LoadChart {
            base: "",
            weeks: &ws,
            pain,
            alerts,
            zone: Zone::Fixed(-18_000),
        })
    };
    let a = make(&pain, &alerts);
    assert_eq!(a, make(&pain, &alerts));
    pain.reverse();
    alerts.reverse();
    assert_eq!(a, make(&pain, &alerts));
    check(&a);

    let pts: Vec<(f64, f64)> = (0..5000)
        .map(|i| (i as f64 * 0.002, 300.0 + (i % 50) as f64))
        .collect();
    let s = pace_series(&pts);
    assert_eq!(series_chart(&s), series_chart(&s));
    let rows = [FactorBar {
        factor: "hills",
        effect: Some(0.7),
        interval: Some((0.2, 1.3)),
        against: None,
        verdict: "link",
    }];
    assert_eq!(factor_chart(&rows), factor_chart(&rows));
    let t = [(MON_5_JAN_2026, 40.0), (MON_5_JAN_2026 + 30 * DAY_MS, 55.0)];
    assert_eq!(
        trend_chart("visa", "VISA-A", &t, 100.0, 0),
        trend_chart("visa", "VISA-A", &t, 100.0, 0)
    );
}

#[test]
fn huge_inputs() {
    let ws = weeks(150);
    let mut pain = pains(&ws, 8);
    pain.truncate(3000);
    let alerts: Vec<AlertMark> = (0..300)
        .map(|i| alert(i, ws[0].start_ms + i * 3 * DAY_MS + 1, "Long-run spike"))
        .collect();
    let svg = load(&ws, &pain, &alerts, Zone::Fixed(3600));
    check(&svg);
    assert_eq!(count(&svg, "<rect class=\"bar"), 150);
    assert_eq!(count(&svg, "class=\"pain-point\""), 3000);
    assert_eq!(count(&svg, "class=\"alert-mark"), 300);
    for size in SIZES {
        assert!(count_in(&svg, size, "class=\"x-label\"") <= MAX_X_LABELS);
    }

    // Absurd magnitudes stay finite.
    let ws = vec![
        LoadWeek {
            start_ms: MON_5_JAN_2026,
            distance_m: f64::MAX,
            runs: usize::MAX,
            longest_m: f64::MAX,
            band_m: Some((f64::MAX, -f64::MAX)),
            acwr: Some((f64::MAX, true)),
        },
        LoadWeek {
            start_ms: i64::MAX - 5,
            distance_m: 1e300,
            runs: 1,
            longest_m: 1e-300,
            band_m: None,
            acwr: Some((f64::NAN, true)),
        },
    ];
    let pain = [PainPoint {
        at_ms: i64::MAX - 1,
        score: 1e300,
    }];
    check(&load(
        &ws,
        &pain,
        &[alert(i64::MIN, i64::MAX - 2, "x")],
        Zone::Fixed(i32::MAX),
    ));

    let pts: Vec<(f64, f64)> = (0..100_000)
        .map(|i| {
            let v = if i % 997 == 0 {
                f64::NAN
            } else {
                1e300 * if i % 2 == 0 { 1.0 } else { -1.0 }
            };
            (i as f64 * 1e-4, v)
        })
        .collect();
    check(&series_chart(&Series {
        id: "elev",
        title: "Elevation",
        unit: "m",
        points: &pts,
        invert_y: false,
        kind: UnitKind::Number,
    }));

    let rows: Vec<FactorBar<'_>> = (0..200)
        .map(|i| FactorBar {
            factor: "a factor with a rather long name that keeps going and going",
            effect: if i % 3 == 0 {
                None
            } else {
                Some(i as f64 * 1e300)
            },
            interval: Some((f64::MIN, f64::MAX)),
            against: None,
            verdict: "no_clear_link",
        })
        .collect();
    check(&factor_chart(&rows));

    let t: Vec<(i64, f64)> = (0..20_000)
        .map(|i| (i64::MAX - i * 1000, 1e200 * i as f64))
        .collect();
    check(&trend_chart("pain", "Pain", &t, f64::INFINITY, i32::MIN));
}

#[test]
fn series_downsamples_keeps_gaps_and_ignores_spikes() {
    let pts: Vec<(f64, f64)> = (0..10_000)
        .map(|i| {
            let d = i as f64 * 0.001;
            let v = if (4000..4100).contains(&i) {
                f64::NAN
            } else if i == 7000 {
                5000.0
            } else {
                300.0 + (i % 60) as f64
            };
            (d, v)
        })
        .collect();
    let svg = pace_chart(&pts);
    check(&svg);
    assert!(svg.contains(r#"id="series-pace""#) && svg.contains("series-chart series-pace"));
    assert_eq!(count(&svg, "class=\"series-line\""), 2);
    let drawn: usize = drawing(&svg, NARROW)
        .split("points=\"")
        .skip(1)
        .map(|s| s.split('"').next().unwrap_or("").split(' ').count())
        .sum();
    assert!(drawn <= MAX_SERIES_POINTS && drawn > 300, "{drawn}");
    // The spike (5000 s = 83:20) does not set the range.
    assert!(!svg.contains(">83:") && !svg.contains(">20:"), "{svg}");
    assert!(svg.contains(">5:"));

    // Few points are drawn as they are; a lone point between gaps is a dot.
    let pts = [
        (0.0, 1.0),
        (0.5, 2.0),
        (1.0, f64::NAN),
        (1.5, 3.0),
        (2.0, f64::INFINITY),
        (f64::NAN, 4.0),
        (3.0, 5.0),
        (3.5, 4.0),
    ];
    let svg = series_chart(&Series {
        id: "cad",
        title: "Cadence",
        unit: "spm",
        points: &pts,
        invert_y: false,
        kind: UnitKind::Number,
    });
    check(&svg);
    assert_eq!(count(&svg, "class=\"series-line\""), 2);
    assert_eq!(count(&svg, "class=\"series-dot\""), 1);
}

#[test]
fn series_empty_single_and_all_gaps() {
    for pts in [vec![], vec![(0.0, f64::NAN), (1.0, f64::NAN)]] {
        let svg = pace_chart(&pts);
        check(&svg);
        assert!(svg.contains(r#"<text class="no-data""#) && svg.contains("No Pace recorded"));
    }
    let svg = pace_chart(&[(2.0, 330.0)]);
    check(&svg);
    assert_eq!(count(&svg, "series-dot"), 1);
    assert!(svg.contains(">5:30<"), "{svg}");
}

#[test]
fn factor_chart_rows() {
    let rows = [
        FactorBar {
            factor: "hilly runs",
            effect: Some(1.0),
            interval: Some((0.3, 1.7)),
            against: None,
            verdict: "link",
        },
        FactorBar {
            factor: "grass runs",
            effect: Some(-0.7),
            interval: Some((f64::NAN, 0.1)),
            against: Some("road runs"),
            verdict: "protective",
        },
        // Not judged (too few runs, or the reference level): not drawn.
        FactorBar {
            factor: "fast runs",
            effect: None,
            interval: None,
            against: None,
            verdict: "not_enough_data",
        },
        FactorBar {
            factor: "runs in new shoes",
            effect: Some(f64::NAN),
            interval: None,
            against: None,
            verdict: "not_enough_data",
        },
        FactorBar {
            factor: "road runs",
            effect: None,
            interval: None,
            against: None,
            verdict: "reference",
        },
    ];
    let svg = factor_chart(&rows);
    check(&svg);
    assert_eq!(count(&svg, "class=\"factor-row "), 2);
    assert_eq!(count(&svg, "class=\"effect verdict-link\""), 1);
    assert_eq!(count(&svg, "class=\"effect verdict-protective\""), 1);
    assert_eq!(count(&svg, "class=\"interval\""), 1);
    assert_eq!(count(&svg, "not enough data"), 0);
    assert!(
        !svg.contains("fast runs") && !svg.contains(">road runs<"),
        "{svg}"
    );
    // Across each drawn row's bar.
    assert_eq!(count(&svg, "class=\"zero-line\""), 2);
    assert!(svg.contains("hilly runs: next-morning pain +1 beyond the other factors, interval +0.3 to +1.7; linked to more pain"), "{svg}");
    assert!(svg.contains("grass runs: next-morning pain −0.7 against road runs beyond the other factors; linked to less pain"), "{svg}");
    assert!(svg.contains(">+1 (+0.3 to +1.7)<"));

    let svg = factor_chart(&[]);
    check(&svg);
    assert!(svg.contains("class=\"no-data\""));
    // Nothing judged is nothing to draw.
    let svg = factor_chart(&rows[2..]);
    check(&svg);
    assert!(
        svg.contains("Not enough runs to weigh the factors yet"),
        "{svg}"
    );
}

#[test]
fn trend_chart_cases() {
    let t: Vec<(i64, f64)> = (0..10)
        .map(|i| (MON_5_JAN_2026 + i * 14 * DAY_MS, 40.0 + i as f64 * 3.0))
        .chain([(MON_5_JAN_2026 + DAY_MS, f64::NAN)])
        .collect();
    let svg = trend_chart("visa", "VISA-A", &t, 100.0, 3600);
    check(&svg);
    assert_eq!(count(&svg, "class=\"trend-point\""), 10);
    assert_eq!(count(&svg, "class=\"trend-line\""), 1);
    assert!(svg.contains(">100</text>") && svg.contains("VISA-A 40 on 5 Jan 2026"));

    let one = trend_chart("pain", "Pain", &[(MON_5_JAN_2026, 3.0)], 10.0, 0);
    check(&one);
    assert_eq!(count(&one, "class=\"trend-point\""), 1);
    assert!(!one.contains("trend-line"));

    let none = trend_chart("pain", "Pain", &[(0, f64::NAN)], 10.0, 0);
    check(&none);
    assert!(none.contains("class=\"no-data\"") && none.contains("No Pain recorded yet"));
}

#[test]
fn numbers_have_at_most_one_decimal() {
    assert_eq!(N(1.25).to_string(), "1.3");
    assert_eq!(N(2.0).to_string(), "2");
    assert_eq!(N(-0.04).to_string(), "0");
    assert_eq!(N(-0.5).to_string(), "-0.5");
    assert_eq!(N(f64::NAN).to_string(), "0");
    assert_eq!(N1(12.0).to_string(), "12.0");
    assert_eq!(N1(-0.01).to_string(), "0.0");
    assert_eq!(Signed(-0.4).to_string(), "\u{2212}0.4");
    assert_eq!(Signed(0.02).to_string(), "0");
}

/// The value-axis labels of the drawing `svg` of `size`: (x, y of the
/// tick, label).
fn tick_labels(svg: &str, size: Size) -> Vec<(f64, f64, String)> {
    svg.split(r#"<text class="tick-label" "#)
        .skip(1)
        .map(|t| {
            let attr = |name: &str| -> f64 {
                let at = t.find(&format!("{name}=\"")).expect(name) + name.len() + 2;
                t[at..t[at..].find('"').expect("quote") + at]
                    .parse()
                    .expect("number")
            };
            let label = &t[t.find('>').expect(">") + 1..t.find("</text>").expect("end")];
            // The label is centred on its tick (`Size::centred`).
            let tick_y = attr("y") - (size.ascent() - size.descent()) / 2.0;
            (attr("x"), tick_y, label.to_owned())
        })
        .collect()
}

/// The y of every point of every line and dot in `svg`.
fn drawn_ys(svg: &str) -> Vec<f64> {
    let mut ys: Vec<f64> = svg
        .split(r#"points=""#)
        .skip(1)
        .flat_map(|p| p[..p.find('"').unwrap_or(0)].split(' ').collect::<Vec<_>>())
        .filter_map(|xy| xy.split(',').nth(1)?.parse().ok())
        .collect();
    ys.extend(
        svg.split(r#" cy=""#)
            .skip(1)
            .filter_map(|c| c[..c.find('"')?].parse::<f64>().ok()),
    );
    ys
}

#[test]
fn a_pace_line_stays_between_ticks_on_round_half_minutes() {
    // 4:12 to 6:55 over 5 km, and one GPS spike to 20:00 at 3 km. Before
    // the axis module: ticks at 4:10, 5:00, 5:50, 6:40 and the line past them.
    let pts: Vec<(f64, f64)> = (0..=500)
        .map(|i| {
            let v = if i == 300 {
                1200.0
            } else {
                252.0 + f64::from(i % 164)
            };
            (f64::from(i) * 0.01, v)
        })
        .collect();
    let fig = pace_chart(&pts);
    check(&fig);
    for size in SIZES {
        let svg = drawing(&fig, size);
        let ticks = tick_labels(svg, size);
        let labels: Vec<&str> = ticks.iter().map(|t| t.2.as_str()).collect();
        assert_eq!(
            labels,
            ["4:00", "4:30", "5:00", "5:30", "6:00", "6:30", "7:00"],
            "{}",
            size.name
        );
        // Faster is up: 4:00 on top.
        let (top, bottom) = (ticks[0].1, ticks[ticks.len() - 1].1);
        assert!(top < bottom);
        let ys = drawn_ys(svg);
        assert!(ys.len() > 300);
        for y in ys {
            // Attributes have one decimal.
            assert!(
                (top - 0.1..=bottom + 0.1).contains(&y),
                "{y} outside {top}..{bottom}"
            );
        }
        // Distance along the bottom in whole kilometres.
        assert!(svg.contains(r#"class="x-label""#) && svg.contains(">5</text>"));
    }
}

#[test]
fn load_chart_km_ticks_step_by_1_2_or_5_and_hold_every_bar() {
    // Old axis: 0, 8, 16, 24, 32, 40 km.
    let ws: Vec<LoadWeek> = [12.0, 32.0, 27.5, 18.0]
        .iter()
        .enumerate()
        .map(|(i, km)| week(i as i64, *km, 3, Some((15.0, 21.0))))
        .collect();
    let fig = load(&ws, &[], &[], Zone::Fixed(0));
    check(&fig);
    for size in SIZES {
        let svg = drawing(&fig, size);
        let ticks = tick_labels(svg, size);
        let km: Vec<&str> = ticks
            .iter()
            .filter(|t| t.0 < 100.0)
            .map(|t| t.2.as_str())
            .collect();
        let pain: Vec<&str> = ticks
            .iter()
            .filter(|t| t.0 > 100.0)
            .map(|t| t.2.as_str())
            .collect();
        assert_eq!(km, ["0", "5", "10", "15", "20", "25", "30", "35"]);
        assert_eq!(pain, ["0", "2", "4", "6", "8", "10"]);
        let top = ticks.iter().map(|t| t.1).fold(f64::INFINITY, f64::min);
        for bar in svg.split(r#"<rect class="bar"#).skip(1) {
            let at = bar.find(" y=\"").expect("y") + 4;
            let y: f64 = bar[at..at + bar[at..].find('"').expect("quote")]
                .parse()
                .expect("number");
            assert!(y >= top - 1e-9, "a bar above the top tick: {y} < {top}");
        }
    }
}

// ------------------------------------------- round ticks and room (issue 22)

/// `m:ss` (or `h:mm:ss`) as seconds.
fn clock_s(label: &str) -> f64 {
    label.split(':').fold(0.0, |acc, part| {
        acc * 60.0 + part.parse::<f64>().expect(label)
    })
}

/// The gap between consecutive values (all equal on a round axis).
#[track_caller]
fn one_step(values: &[f64]) -> f64 {
    let gaps: Vec<f64> = values.windows(2).map(|w| w[1] - w[0]).collect();
    assert!(!gaps.is_empty(), "one tick only: {values:?}");
    assert!(
        gaps.iter().all(|g| (g - gaps[0]).abs() < 1e-6),
        "uneven ticks: {values:?}"
    );
    gaps[0]
}

/// The labels under the x axis of a drawing, left to right.
fn x_labels(svg: &str) -> Vec<String> {
    svg.split(r#"<text class="x-label" "#)
        .skip(1)
        .map(|t| t[t.find('>').expect(">") + 1..t.find("</text>").expect("end")].to_owned())
        .collect()
}

/// Whether `step` is 1, 2 or 5 times a power of ten.
fn is_1_2_5(step: f64) -> bool {
    let mag = 10f64.powf(step.log10().floor());
    [1.0, 2.0, 5.0, 10.0]
        .iter()
        .any(|m| (step / mag - m).abs() < 1e-6)
}

/// A run of `km` whose value swings between `lo` and `hi`.
fn swinging(km: f64, lo: f64, hi: f64) -> Vec<(f64, f64)> {
    (0..=600)
        .map(|i| {
            let d = km * f64::from(i) / 600.0;
            let t = (f64::from(i) * 0.37).sin() * 0.5 + 0.5;
            (d, lo + (hi - lo) * t)
        })
        .collect()
}

#[test]
fn pace_ticks_every_half_minute_or_minute_on_both_drawings() {
    // Steady easy (5:20–5:40: 0:30, not 0:10, so GPS noise stays small),
    // easy with a hill, tempo, a long run that fades, 4:12–6:55.
    for (lo, hi) in [
        (320.0, 340.0),
        (300.0, 380.0),
        (235.0, 265.0),
        (330.0, 470.0),
        (252.0, 415.0),
    ] {
        let fig = pace_chart(&swinging(8.0, lo, hi));
        check(&fig);
        for size in SIZES {
            let ticks = tick_labels(drawing(&fig, size), size);
            let values: Vec<f64> = ticks.iter().map(|t| clock_s(&t.2)).collect();
            let step = one_step(&values);
            assert!(
                step == 30.0 || step == 60.0,
                "{lo}..{hi} on {}: {values:?}",
                size.name
            );
            assert!(values.iter().all(|v| v % step == 0.0), "{values:?}");
            // The outer ticks hold every value: no line beyond them.
            assert!(
                values[0] <= lo && hi <= values[values.len() - 1],
                "{values:?}"
            );
        }
    }
}

/// A trail run of 7 km at 4:30–5:00/km with a GPS spike at 2:00/km at the
/// start, then 2 km of walking at 10:00–14:00/km (the real FIT file of the
/// four-series run of the browser test spans 2:00–14:00): the axis still
/// steps by 1:00, it is centred on the running pace, and the walk runs
/// along its slow edge instead of squeezing the run into two ticks.
#[test]
fn a_run_with_walk_breaks_keeps_minute_pace_ticks_around_its_running_pace() {
    let pts: Vec<(f64, f64)> = (0..=900)
        .map(|i| {
            let d = f64::from(i) * 0.01;
            let v = if i < 20 {
                120.0
            } else if d < 7.0 {
                270.0 + 30.0 * (f64::from(i) * 0.37).sin().abs()
            } else {
                600.0 + 240.0 * (f64::from(i) * 0.21).sin().abs()
            };
            (d, v)
        })
        .collect();
    let fig = pace_chart(&pts);
    check(&fig);
    for size in SIZES {
        let svg = drawing(&fig, size);
        let ticks = tick_labels(svg, size);
        let values: Vec<f64> = ticks.iter().map(|t| clock_s(&t.2)).collect();
        let step = one_step(&values);
        assert!(step == 30.0 || step == 60.0, "{}: {values:?}", size.name);
        // The running pace is on the axis, well inside it.
        assert!(
            values[0] < 270.0 && 300.0 < values[values.len() - 1],
            "{}: {values:?}",
            size.name
        );
        let (top, bottom) = (ticks[0].1, ticks[ticks.len() - 1].1);
        for y in drawn_ys(svg) {
            assert!(
                (top - 0.1..=bottom + 0.1).contains(&y),
                "{y} outside {top}..{bottom}"
            );
        }
    }
}

#[test]
fn distance_along_a_run_ticks_by_1_2_or_5_km_from_the_start() {
    for km in [3.2, 4.69, 9.0, 12.3, 21.1, 42.2] {
        let fig = pace_chart(&swinging(km, 300.0, 360.0));
        for size in SIZES {
            let labels = x_labels(drawing(&fig, size));
            let values: Vec<f64> = labels.iter().map(|l| l.parse().expect(l)).collect();
            assert_eq!(values[0], 0.0, "{km} km: {labels:?}");
            let step = one_step(&values);
            assert!(is_1_2_5(step), "{km} km on {}: {labels:?}", size.name);
            assert!(
                values.len() >= 3 && values[values.len() - 1] <= km,
                "{km} km on {}: {labels:?}",
                size.name
            );
        }
    }
}

#[test]
fn weekly_km_pain_scores_and_effects_tick_on_round_values() {
    // Weekly km from a light month to a marathon build: 1/2/5 steps from 0.
    for top_km in [4.0, 17.0, 33.0, 61.0, 140.0] {
        let ws: Vec<LoadWeek> = (0..12)
            .map(|i| week(i, top_km * (0.5 + 0.5 * (i % 3) as f64 / 2.0), 3, None))
            .collect();
        let fig = load(&ws, &[], &[], Zone::Fixed(0));
        for size in SIZES {
            let ticks = tick_labels(drawing(&fig, size), size);
            let (km, pain): (Vec<_>, Vec<_>) = ticks.iter().partition(|t| t.0 < size.width / 2.0);
            let km: Vec<f64> = km.iter().map(|t| t.2.parse().expect("km")).collect();
            assert_eq!(km[0], 0.0);
            assert!(is_1_2_5(one_step(&km)), "{top_km} on {}: {km:?}", size.name);
            assert!(km[km.len() - 1] >= top_km, "{km:?}");
            let pain: Vec<&str> = pain.iter().map(|t| t.2.as_str()).collect();
            assert_eq!(pain, ["0", "2", "4", "6", "8", "10"], "{}", size.name);
        }
    }
    // Morning pain 0–10 by 2, VISA-A 0–100 by 20.
    let days: Vec<(i64, f64)> = (0..30)
        .map(|i| (MON_5_JAN_2026 + i * DAY_MS, (i % 6) as f64))
        .collect();
    for (y_max, expected) in [
        (10.0, ["0", "2", "4", "6", "8", "10"]),
        (100.0, ["0", "20", "40", "60", "80", "100"]),
    ] {
        let fig = trend_chart("t", "Score", &days, y_max, 0);
        for size in SIZES {
            let ticks = tick_labels(drawing(&fig, size), size);
            let labels: Vec<&str> = ticks.iter().map(|t| t.2.as_str()).collect();
            assert_eq!(labels, expected, "{}", size.name);
        }
    }
    // Effects: symmetric round steps around 0.
    for (effect, expected) in [
        (0.3, vec!["\u{2212}0.5", "0", "+0.5"]),
        (1.4, vec!["\u{2212}2", "\u{2212}1", "0", "+1", "+2"]),
    ] {
        let fig = factor_chart(&[FactorBar {
            factor: "hilly runs",
            effect: Some(effect),
            interval: Some((effect - 0.2, effect + 0.2)),
            against: None,
            verdict: "no_clear_link",
        }]);
        for size in SIZES {
            assert_eq!(x_labels(drawing(&fig, size)), expected, "{}", size.name);
        }
    }
}

/// Every text of the drawing `svg` of `size` with the box the layout
/// reckons it takes: (text, [left, right, top, bottom]).
fn text_boxes(svg: &str, size: Size) -> Vec<(String, [f64; 4])> {
    svg.split("<text ")
        .skip(1)
        .map(|t| {
            let head = &t[..t.find('>').expect(">")];
            let attr = |name: &str| -> Option<&str> {
                let at = head
                    .find(&format!(" {name}=\""))
                    .or_else(|| head.starts_with(&format!("{name}=\"")).then_some(0))?;
                let rest = &head[at..];
                let start = rest.find('"')? + 1;
                Some(&rest[start..start + rest[start..].find('"')?])
            };
            let content = t[head.len() + 1..t.find("</text>").expect("end")]
                .replace("&amp;", "&")
                .replace("&lt;", "<")
                .replace("&gt;", ">")
                .replace("&quot;", "\"")
                .replace("&#39;", "'");
            let x: f64 = attr("x").expect("x").parse().expect("x");
            let y: f64 = attr("y").expect("y").parse().expect("y");
            let w = size.text_w(&content);
            let left = match attr("text-anchor") {
                Some("middle") => x - w / 2.0,
                Some("end") => x - w,
                _ => x,
            };
            (
                content,
                [left, left + w, y - size.ascent(), y + size.descent()],
            )
        })
        .collect()
}

/// Asserts that no two texts of `fig`'s drawings overlap and none leaves
/// its drawing, as the layout reckons their size.
#[track_caller]
fn assert_labels_clear(fig: &str) {
    for size in SIZES {
        let svg = drawing(fig, size);
        let boxes = text_boxes(svg, size);
        for (i, (a, [l, r, t, b])) in boxes.iter().enumerate() {
            assert!(
                *l >= -0.5 && *r <= size.width + 0.5 && *t >= -0.5,
                "{a} leaves the {} drawing: {:?}",
                size.name,
                [l, r, t, b]
            );
            for (c, [l2, r2, t2, b2]) in &boxes[i + 1..] {
                let apart = r <= l2 || r2 <= l || b <= t2 || b2 <= t;
                assert!(
                    apart,
                    "{a:?} and {c:?} overlap on the {} drawing",
                    size.name
                );
            }
        }
    }
}

#[test]
fn no_two_labels_overlap_and_the_highest_load_ratios_win_the_room() {
    // 104 weeks, every one past the runner's mark with its own ratio: a
    // label takes the width of a dozen narrow bars.
    let mut ws = weeks(104);
    for (i, w) in ws.iter_mut().enumerate() {
        w.acwr = Some((1.3 + (i * 37 % 14) as f64 / 10.0, true));
    }
    ws[61].acwr = Some((3.4, true));
    let pain = pains(&ws, 24);
    let alerts: Vec<AlertMark> = (0..40)
        .map(|i| alert(i, ws[0].start_ms + i * 17 * DAY_MS, "a"))
        .collect();
    let fig = load(&ws, &pain, &alerts, Zone::Fixed(0));
    check(&fig);
    assert_labels_clear(&fig);
    let narrow = count_in(&fig, NARROW, "class=\"acwr-label\"");
    let wide = count_in(&fig, WIDE, "class=\"acwr-label\"");
    assert!(
        (3..20).contains(&narrow) && narrow < wide && wide < 104,
        "{narrow} narrow, {wide} wide"
    );
    for size in SIZES {
        assert!(
            drawing(&fig, size).contains(">3.4×</text>"),
            "{}",
            size.name
        );
    }
    // Twelve and one week; the other charts, with long names that wrap.
    assert_labels_clear(&load(
        &weeks(12),
        &pains(&ws[..12], 24),
        &[],
        Zone::Fixed(0),
    ));
    assert_labels_clear(&load(&weeks(1), &[], &[], Zone::Fixed(0)));
    assert_labels_clear(&pace_chart(&swinging(42.2, 200.0, 1300.0)));
    let days: Vec<(i64, f64)> = (0..400)
        .map(|i| (MON_5_JAN_2026 + i * DAY_MS, (i % 11) as f64))
        .collect();
    assert_labels_clear(&trend_chart("pain", "Morning pain", &days, 10.0, 0));
    assert_labels_clear(&factor_chart(&[
        FactorBar {
            factor: "runs at or past your 30-day longest, in the week after a hill session",
            effect: Some(-1.23),
            interval: Some((-2.5, 0.04)),
            against: None,
            verdict: "no_clear_link",
        },
        FactorBar {
            factor: "trail runs",
            effect: Some(0.8),
            interval: Some((0.1, 1.5)),
            against: Some("road runs"),
            verdict: "link",
        },
    ]));
    assert_labels_clear(&factor_chart(&[]));
}
