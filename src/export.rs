//! export: everything the store holds about the runner, as five files
//! (`runs.csv`, `pain.csv`, `alerts.csv`, `gear.csv` and a `README.md`
//! describing every column). `tendonwatch export DIR`, `tendonwatch pain
//! export` and the dashboard's `/export.zip` all take their bytes from
//! here, so they cannot disagree.
//!
//! Every column is declared once, with its unit and meaning: the CSV header
//! and the README are both written from that list.

use crate::metrics::RunMetrics;
use crate::pain::{PainEntry, Side};
use crate::store::alerts::Alert;
use crate::store::export::GearUse;
use crate::store::{ActivityFilter, ActivityRow, Store};
use crate::zone::Zone;
use std::io::Write;
use std::path::Path;

/// A column: name, unit (empty: none) and meaning.
pub type Column = (&'static str, &'static str, &'static str);

/// One exported file: its name and its bytes.
pub type File = (&'static str, Vec<u8>);

/// `pain.csv`, which `tendonwatch pain import` reads back.
pub const PAIN_COLUMNS: [Column; 6] = [
    (
        "at",
        "RFC 3339",
        "when, at your time zone's offset of that instant (with milliseconds when it has them, so it reads back exactly)",
    ),
    ("kind", "", "during, after or morning"),
    ("score", "0–10", "pain, 0 none to 10 worst ever"),
    (
        "stiffness_min",
        "min",
        "morning stiffness (empty: not given)",
    ),
    ("side", "", "left, right or both (empty: not given)"),
    ("note", "", "your note"),
];

const RUN_COLUMNS: [Column; 62] = [
    ("id", "", "activity id (as in `tendonwatch show ID`)"),
    (
        "start",
        "RFC 3339",
        "start in your time zone at that instant",
    ),
    ("start_ms", "ms", "start, Unix milliseconds UTC"),
    (
        "local_offset_s",
        "s",
        "the UTC offset the file recorded (empty: unknown)",
    ),
    (
        "time_unknown",
        "",
        "why the start cannot be true (empty: it can)",
    ),
    (
        "start_status",
        "",
        "file (the recording's clock) or runner (tag --start)",
    ),
    ("sport", "", "running, cycling, swimming, walking, …"),
    ("sub_sport", "", "generic, road, trail, track, treadmill, …"),
    ("sport_label", "", "the sport as the file named it"),
    (
        "sport_status",
        "",
        "where the sport came from: runner, file, bundle, inferred, assumed, unconfirmed",
    ),
    ("sport_evidence", "", "why, sentences joined with '; '"),
    ("distance_m", "m", "distance"),
    ("elapsed_s", "s", "elapsed time"),
    (
        "moving_s",
        "s",
        "moving time (timer running, not standing still)",
    ),
    ("timer_s", "s", "timer time (elapsed minus pauses and gaps)"),
    (
        "cross_training",
        "",
        "true: not a run (volume only, never running distance)",
    ),
    ("mean_pace_s_per_km", "s/km", "mean moving pace"),
    ("walk_breaks", "", "walking stretches of 20 s or more"),
    (
        "pace_per_minute_s_per_km",
        "s/km",
        "pace of each minute of moving time, joined with '; '",
    ),
    (
        "pace_histogram_s",
        "s",
        "moving seconds per 5 s/km pace bin from 2:00/km, joined with '; '",
    ),
    (
        "interval_reps",
        "",
        "interval repetitions (empty: no intervals)",
    ),
    (
        "interval_rep_pace_s_per_km",
        "s/km",
        "mean pace of the repetitions",
    ),
    (
        "interval_rep_distances_m",
        "m",
        "each repetition's distance, joined with '; '",
    ),
    (
        "interval_rep_durations_s",
        "s",
        "each repetition's duration, joined with '; '",
    ),
    (
        "cadence_mean_spm",
        "steps/min",
        "mean over every record (the watch's average)",
    ),
    ("cadence_running_spm", "steps/min", "mean while running"),
    (
        "cadence_p10_spm",
        "steps/min",
        "10th percentile while running",
    ),
    ("cadence_p50_spm", "steps/min", "median while running"),
    (
        "cadence_p90_spm",
        "steps/min",
        "90th percentile while running",
    ),
    ("stride_m", "m", "metres per step"),
    (
        "cadence_at_pace",
        "s/km / s / steps/min",
        "cadence per 15 s/km pace bin as pace/seconds/cadence, joined with '; '",
    ),
    ("climb_m", "m", "climbing (empty: no altitude)"),
    ("descent_m", "m", "descent"),
    ("climb_m_per_km", "m/km", "climbing per km"),
    ("uphill_4pct_s", "s", "time on grades of 4 % or more"),
    ("uphill_4pct_m", "m", "distance on grades of 4 % or more"),
    ("uphill_8pct_s", "s", "time on grades of 8 % or more"),
    ("uphill_8pct_m", "m", "distance on grades of 8 % or more"),
    ("steepest_200m_pct", "%", "steepest 200 m stretch"),
    (
        "elevation_noise_band_m",
        "m",
        "the altitude noise band used (1 barometric, 4 GPS)",
    ),
    (
        "surface",
        "",
        "road, track, trail, treadmill, sand, grass, indoor, unknown",
    ),
    ("surface_evidence", "", "what decided the surface, in words"),
    (
        "local_start_hour",
        "h",
        "local start time, hours after midnight",
    ),
    (
        "part_of_day",
        "",
        "morning (04–11), midday (11–15), evening (15–22), night",
    ),
    ("heart_rate_mean_bpm", "bpm", "mean heart rate"),
    ("temperature_mean_c", "°C", "mean temperature"),
    ("temperature_max_c", "°C", "highest temperature"),
    ("sample_count", "", "records in the file"),
    ("has_gps", "", "true: the recording has positions"),
    ("has_cadence", "", "true: the recording has cadence"),
    ("has_altitude", "", "true: the recording has altitude"),
    ("has_heart_rate", "", "true: the recording has heart rate"),
    (
        "partial",
        "",
        "true: salvaged from a cut-short or broken file",
    ),
    ("name", "", "the activity's name in the file"),
    (
        "post_run_rpe",
        "0–10",
        "the watch's post-run perceived effort",
    ),
    ("post_run_feel", "0–100", "the watch's post-run feel"),
    (
        "metrics_version",
        "",
        "version of the computation (empty: not measured)",
    ),
    ("device", "", "the recording device"),
    ("format", "", "fit, gpx or tcx"),
    ("source_path", "", "the file it was read from"),
    ("sport_name", "", "the sport as listings show it"),
    (
        "sport_reason",
        "",
        "where the sport came from and why, in a sentence",
    ),
];

const ALERT_COLUMNS: [Column; 21] = [
    ("id", "", "alert id (as in `tendonwatch alerts`)"),
    (
        "kind",
        "",
        "the rule (RULES.md): run_spike, week_jump, pain_limit, …",
    ),
    ("severity", "", "info, warn or high"),
    ("activity_id", "", "the run it is about (empty: a period)"),
    ("window_start", "RFC 3339", "start of the period looked at"),
    ("window_start_ms", "ms", "the same, Unix milliseconds"),
    ("window_end", "RFC 3339", "end of the period looked at"),
    ("window_end_ms", "ms", "the same, Unix milliseconds"),
    ("measured", "unit", "what was measured"),
    ("baseline", "unit", "your usual value"),
    ("threshold", "unit", "the limit that was crossed"),
    ("unit", "", "the unit of measured, baseline and threshold"),
    ("what_changed", "", "what changed, in words"),
    ("what_to_do", "", "what to do"),
    ("source", "", "the evidence behind the rule"),
    ("cause", "", "what the alert is about (one alert per cause)"),
    ("created", "RFC 3339", "when it was raised"),
    ("created_ms", "ms", "the same, Unix milliseconds"),
    (
        "delivery",
        "",
        "queued (to be notified), shown (info, never pushed) or too_old",
    ),
    (
        "acknowledged",
        "RFC 3339",
        "when you acknowledged it (empty: open)",
    ),
    ("acknowledged_ms", "ms", "the same, Unix milliseconds"),
];

const GEAR_COLUMNS: [Column; 10] = [
    ("name", "", "the pair of shoes"),
    ("drop_mm", "mm", "heel-to-toe drop"),
    ("added", "RFC 3339", "when you added it"),
    ("added_ms", "ms", "the same, Unix milliseconds"),
    (
        "current",
        "",
        "true: the pair you wear now (on every row of that pair)",
    ),
    (
        "use_from",
        "RFC 3339",
        "you started wearing it then (empty: never worn; one row per switch)",
    ),
    ("use_from_ms", "ms", "the same, Unix milliseconds"),
    (
        "use_until",
        "RFC 3339",
        "until the next switch to any pair (empty: still worn or never worn)",
    ),
    ("use_until_ms", "ms", "the same, Unix milliseconds"),
    ("period", "", "1, 2, …: which time this pair was put on"),
];

fn num(v: f64) -> String {
    format!("{v}")
}

fn opt<T: ToString>(v: Option<T>) -> String {
    v.map(|v| v.to_string()).unwrap_or_default()
}

fn joined<T: ToString>(values: &[T]) -> String {
    values
        .iter()
        .map(ToString::to_string)
        .collect::<Vec<_>>()
        .join("; ")
}

/// A CSV file: the header from `columns`, then `rows` (each as long as the
/// header), quoted where needed.
fn table(columns: &[Column], rows: Vec<Vec<String>>) -> anyhow::Result<Vec<u8>> {
    let mut w = csv::Writer::from_writer(Vec::new());
    w.write_record(columns.iter().map(|c| c.0))?;
    for row in rows {
        anyhow::ensure!(
            row.len() == columns.len(),
            "an export row has {} fields for {} columns",
            row.len(),
            columns.len()
        );
        // A -0.0 written by `{}` reads "-0": a zero is "0" (units.rs).
        w.write_record(row.iter().map(|c| if c == "-0" { "0" } else { c }))?;
    }
    w.into_inner().map_err(|e| anyhow::anyhow!("{}", e.error()))
}

/// The pain log as `pain.csv` (what `pain export` prints and `pain import`
/// reads): every entry given, in order, times in `zone`.
pub fn pain_csv(entries: &[PainEntry], zone: &Zone) -> anyhow::Result<Vec<u8>> {
    let rows = entries
        .iter()
        .map(|e| {
            vec![
                zone.rfc3339_exact(e.at_ms),
                e.kind.as_str().to_string(),
                num(e.score),
                opt(e.stiffness_min),
                opt(e.side.map(Side::as_str)),
                e.note.clone().unwrap_or_default(),
            ]
        })
        .collect();
    table(&PAIN_COLUMNS, rows)
}

fn run_row(a: &ActivityRow, m: Option<&RunMetrics>, zone: &Zone) -> Vec<String> {
    let pace = m.and_then(|m| m.pace.as_ref());
    let intervals = pace.and_then(|p| p.intervals.as_ref());
    let cadence = m.and_then(|m| m.cadence.as_ref());
    let elevation = m.and_then(|m| m.elevation.as_ref());
    vec![
        a.id.to_string(),
        zone.rfc3339(a.start_ms),
        a.start_ms.to_string(),
        opt(a.local_offset_s),
        a.time_unknown.clone().unwrap_or_default(),
        a.start_status.clone(),
        a.sport.clone(),
        a.sub_sport.clone(),
        a.sport_label.clone(),
        a.sport_status.clone(),
        a.sport_evidence.join("; "),
        num(a.distance_m),
        num(a.elapsed_s),
        opt(a.moving_s),
        opt(m.map(|m| m.timer_s)),
        opt(m.map(|m| m.cross_training)),
        opt(pace.and_then(|p| p.mean_pace_s_per_km)),
        opt(pace.map(|p| p.walk_breaks)),
        pace.map(|p| joined(&p.per_minute_s_per_km))
            .unwrap_or_default(),
        pace.map(|p| joined(&p.histogram.seconds))
            .unwrap_or_default(),
        opt(intervals.map(|i| i.reps)),
        opt(intervals.map(|i| i.rep_pace_s_per_km)),
        intervals
            .map(|i| joined(&i.rep_distances_m))
            .unwrap_or_default(),
        intervals
            .map(|i| joined(&i.rep_durations_s))
            .unwrap_or_default(),
        opt(cadence.map(|c| c.mean_spm)),
        opt(cadence.map(|c| c.running_spm)),
        opt(cadence.map(|c| c.p10_spm)),
        opt(cadence.map(|c| c.p50_spm)),
        opt(cadence.map(|c| c.p90_spm)),
        opt(cadence.and_then(|c| c.stride_m)),
        cadence
            .map(|c| {
                let bins: Vec<String> = c
                    .at_pace
                    .iter()
                    .map(|b| format!("{}/{}/{}", b.pace_s_per_km, b.seconds, b.cadence_spm))
                    .collect();
                joined(&bins)
            })
            .unwrap_or_default(),
        opt(elevation.map(|e| e.climb_m)),
        opt(elevation.map(|e| e.descent_m)),
        opt(elevation.map(|e| e.climb_m_per_km)),
        opt(elevation.map(|e| e.uphill_4pct_s)),
        opt(elevation.map(|e| e.uphill_4pct_m)),
        opt(elevation.map(|e| e.uphill_8pct_s)),
        opt(elevation.map(|e| e.uphill_8pct_m)),
        opt(elevation.and_then(|e| e.steepest_200m_pct)),
        opt(elevation.map(|e| e.noise_band_m)),
        opt(m.map(|m| m.surface.as_str())),
        opt(m.map(|m| m.surface_evidence.describe())),
        opt(m.map(|m| m.local_start_hour)),
        opt(m.map(|m| m.part_of_day.as_str())),
        opt(m.and_then(|m| m.heart_rate_mean_bpm)),
        opt(m.and_then(|m| m.temperature_mean_c)),
        opt(m.and_then(|m| m.temperature_max_c)),
        a.sample_count.to_string(),
        a.has_gps.to_string(),
        a.has_cadence.to_string(),
        a.has_altitude.to_string(),
        a.has_heart_rate.to_string(),
        a.partial.to_string(),
        a.name.clone().unwrap_or_default(),
        opt(a.post_run_rpe),
        opt(a.post_run_feel),
        opt(m.map(|m| m.version)),
        a.device.clone(),
        a.format.clone(),
        a.source_path.clone(),
        a.sport_name(),
        a.sport_reason(),
    ]
}

fn alert_row(a: &Alert, zone: &Zone) -> Vec<String> {
    vec![
        a.id.to_string(),
        a.kind.clone(),
        a.severity.clone(),
        opt(a.activity_id),
        zone.rfc3339(a.window_start_ms),
        a.window_start_ms.to_string(),
        zone.rfc3339(a.window_end_ms),
        a.window_end_ms.to_string(),
        num(a.measured),
        num(a.baseline),
        num(a.threshold),
        a.unit.clone(),
        a.what_changed.clone(),
        a.what_to_do.clone(),
        a.source.clone(),
        a.cause.clone(),
        zone.rfc3339(a.created_ms),
        a.created_ms.to_string(),
        a.delivery.clone(),
        opt(a.acknowledged_ms.map(|t| zone.rfc3339(t))),
        opt(a.acknowledged_ms),
    ]
}

/// One row per time a pair was put on (one row for a pair never worn); a
/// period lasts until the next switch to any pair.
fn gear_rows(uses: &[GearUse], current: &[String], zone: &Zone) -> Vec<Vec<String>> {
    let mut switches: Vec<i64> = uses.iter().filter_map(|u| u.from_ms).collect();
    switches.sort_unstable();
    let mut period = 0;
    let mut last_name: Option<&str> = None;
    uses.iter()
        .map(|u| {
            period = if last_name == Some(u.name.as_str()) {
                period + 1
            } else {
                1
            };
            last_name = Some(u.name.as_str());
            let until = u
                .from_ms
                .and_then(|from| switches.iter().copied().find(|s| *s > from));
            vec![
                u.name.clone(),
                num(u.drop_mm),
                zone.rfc3339(u.added_ms),
                u.added_ms.to_string(),
                current.contains(&u.name).to_string(),
                opt(u.from_ms.map(|t| zone.rfc3339(t))),
                opt(u.from_ms),
                opt(until.map(|t| zone.rfc3339(t))),
                opt(until),
                if u.from_ms.is_some() {
                    period.to_string()
                } else {
                    String::new()
                },
            ]
        })
        .collect()
}

fn readme(zone: &Zone) -> Vec<u8> {
    let mut out = String::from(
        "# Your tendonwatch data\n\n\
         Everything tendonwatch stored about you, as plain CSV (UTF-8, comma \
         separated, a header line, text quoted where needed). Lists inside a \
         field are joined with `; `; an empty field means unknown or not given.\n\n",
    );
    out.push_str(&format!(
        "Times are RFC 3339; those you typed or read are at the offset of your \
         time zone ({}) at that instant, a run's start at the offset its file \
         recorded. Every `…_ms` column is the same instant as Unix milliseconds.\n",
        zone.name()
    ));
    let files: [(&str, &str, &[Column]); 4] = [
        (
            "runs.csv",
            "One row per stored activity, every sport, oldest first, with its measured metrics.",
            &RUN_COLUMNS,
        ),
        (
            "pain.csv",
            "Your pain log, oldest first (deleted entries left out). \
             `tendonwatch pain import pain.csv` reads it back.",
            &PAIN_COLUMNS,
        ),
        (
            "alerts.csv",
            "Every alert, acknowledged ones too, oldest first.",
            &ALERT_COLUMNS,
        ),
        (
            "gear.csv",
            "Your shoes, one row per time you started wearing a pair.",
            &GEAR_COLUMNS,
        ),
    ];
    for (name, what, columns) in files {
        out.push_str(&format!(
            "\n## {name}\n\n{what}\n\n| column | unit | meaning |\n|---|---|---|\n"
        ));
        for (column, unit, meaning) in columns {
            out.push_str(&format!("| `{column}` | {unit} | {meaning} |\n"));
        }
    }
    out.into_bytes()
}

/// The five files of an export, in the order they are listed.
pub fn files(store: &Store, zone: &Zone) -> anyhow::Result<Vec<File>> {
    let mut runs = Vec::new();
    for a in store.activities_listed(ActivityFilter::All)? {
        let mut m = store.metrics(a.id)?;
        if let Some(m) = m.as_mut() {
            m.localise(a.start_ms, zone);
        }
        runs.push(run_row(&a, m.as_ref(), zone));
    }
    let mut alerts = store.alerts(true)?;
    alerts.sort_by_key(|a| a.id);
    let current: Vec<String> = store
        .shoes()?
        .into_iter()
        .filter(|s| s.current)
        .map(|s| s.name)
        .collect();
    Ok(vec![
        ("runs.csv", table(&RUN_COLUMNS, runs)?),
        ("pain.csv", pain_csv(&store.pain_all()?, zone)?),
        (
            "alerts.csv",
            table(
                &ALERT_COLUMNS,
                alerts.iter().map(|a| alert_row(a, zone)).collect(),
            )?,
        ),
        (
            "gear.csv",
            table(
                &GEAR_COLUMNS,
                gear_rows(&store.gear_uses()?, &current, zone),
            )?,
        ),
        ("README.md", readme(zone)),
    ])
}

/// The files as one zip (deflated; no timestamps of their own, so the same
/// data gives the same archive).
pub fn zip(files: &[File]) -> anyhow::Result<Vec<u8>> {
    let mut zip = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    let options = zip::write::SimpleFileOptions::default()
        .compression_method(zip::CompressionMethod::Deflated);
    for (name, bytes) in files {
        zip.start_file(*name, options)?;
        zip.write_all(bytes)?;
    }
    Ok(zip.finish()?.into_inner())
}

/// Why a folder cannot take an export.
#[derive(Debug, thiserror::Error)]
pub enum DirError {
    #[error(
        "{0} is not empty: give an empty or new folder, or --force to write over its export files (nothing else is touched)"
    )]
    NotEmpty(String),
    #[error("{0} is not a folder")]
    NotADir(String),
}

/// Write the files into `dir` (created if needed), each through a temp file
/// in `dir` renamed into place, so a crash leaves no half file. A folder
/// holding anything is refused unless `force`; nothing else in it is
/// touched.
pub fn write_dir(dir: &Path, files: &[File], force: bool) -> anyhow::Result<()> {
    if dir.exists() {
        if !dir.is_dir() {
            return Err(DirError::NotADir(dir.display().to_string()).into());
        }
        if !force && std::fs::read_dir(dir)?.next().is_some() {
            return Err(DirError::NotEmpty(dir.display().to_string()).into());
        }
    }
    std::fs::create_dir_all(dir)?;
    for (name, bytes) in files {
        let mut tmp = tempfile::Builder::new()
            .prefix(".tendonwatch-export-")
            .tempfile_in(dir)?;
        tmp.write_all(bytes)?;
        tmp.as_file().sync_all()?;
        tmp.persist(dir.join(name)).map_err(|e| e.error)?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn a_period_lasts_until_the_next_switch_to_any_pair() {
        let u = |name: &str, from: Option<i64>| GearUse {
            name: name.into(),
            drop_mm: 8.0,
            added_ms: 0,
            from_ms: from,
        };
        let uses = [
            u("A", Some(1000)),
            u("A", Some(5000)),
            u("B", Some(3000)),
            u("C", None),
        ];
        let rows = gear_rows(&uses, &["A".into()], &Zone::Fixed(0));
        let until: Vec<&str> = rows.iter().map(|r| r[8].as_str()).collect();
        assert_eq!(until, ["3000", "", "5000", ""]);
        let period: Vec<&str> = rows.iter().map(|r| r[9].as_str()).collect();
        assert_eq!(period, ["1", "2", "1", ""]);
        assert_eq!(rows[0][4], "true");
        assert_eq!(rows[2][4], "false");
    }

    #[test]
    fn notes_with_commas_quotes_and_newlines_are_quoted() {
        let e = PainEntry {
            id: 1,
            at_ms: 1_767_571_200_000,
            score: 2.5,
            kind: crate::pain::PainKind::Morning,
            stiffness_min: Some(10.0),
            side: Some(Side::Left),
            note: Some("stairs, \"bad\"\nthen fine".into()),
        };
        let text = String::from_utf8(pain_csv(&[e], &Zone::Fixed(3600)).unwrap()).unwrap();
        assert_eq!(
            text,
            "at,kind,score,stiffness_min,side,note\n\
             2026-01-05T01:00:00+01:00,morning,2.5,10,left,\"stairs, \"\"bad\"\"\nthen fine\"\n"
        );
    }
}
