//! `tendonwatch show ACTIVITY [--json]`: one activity's metrics.

use super::Context_;
use crate::ingest;
use crate::metrics::RunMetrics;
use crate::store::ActivityRow;
use crate::units::{clock, fixed, km, pace, score};
use crate::zone::Zone;
use anyhow::bail;
use std::process::ExitCode;

#[derive(Debug, clap::Args)]
pub struct Args {
    /// Activity id (see `tendonwatch activities`).
    pub activity: i64,
    /// Print `{activity, metrics}` as JSON.
    #[arg(long)]
    pub json: bool,
}

pub fn run(ctx: &Context_, args: Args) -> anyhow::Result<ExitCode> {
    let mut store = ctx.open_store()?;
    let Some(row) = store.activity(args.activity)? else {
        bail!(
            "no activity {} (see `tendonwatch activities`)",
            args.activity
        );
    };
    let Some(metrics) =
        ingest::current_metrics(&mut store, args.activity, &ctx.config.ingest_settings())?
    else {
        bail!("no activity {}", args.activity);
    };
    if args.json {
        let out = serde_json::json!({ "activity": row, "metrics": metrics });
        println!("{}", crate::units::json(&out)?);
    } else {
        print!("{}", render(&row, &metrics, &ctx.zone()));
    }
    Ok(ExitCode::SUCCESS)
}

fn render(a: &ActivityRow, m: &RunMetrics, zone: &Zone) -> String {
    use std::fmt::Write;
    let mut o = String::new();
    let local = zone.minute(a.start_ms);
    let zone = zone.name();
    let kind = if m.cross_training {
        " — cross-training, not counted as running"
    } else {
        ""
    };
    match &a.time_unknown {
        Some(why) => {
            let _ = writeln!(
                o,
                "activity {}: {}, time unknown{kind}",
                a.id,
                a.sport_name()
            );
            let _ = writeln!(
                o,
                "  time      unknown: {why}\n            left out of your baseline and the rules until you say when it started:\n            tendonwatch tag {} --start YYYY-MM-DDTHH:MM",
                a.id
            );
        }
        None => {
            let _ = writeln!(
                o,
                "activity {}: {} {local} ({zone}), {}{kind}",
                a.id,
                a.sport_name(),
                m.part_of_day.as_str()
            );
            if a.start_status == "runner" {
                let _ = writeln!(o, "  time      started {local} (your word)");
            }
        }
    }
    if a.too_short {
        let _ = writeln!(
            o,
            "  counted   no: too short to be a run (under 500 m or 3 minutes moving); kept, but never in your baseline, the rules or the next run's ceiling"
        );
    }
    if let Some(name) = a.name.as_deref().map(str::trim).filter(|n| !n.is_empty()) {
        let _ = writeln!(o, "  name      {name}");
    }
    let _ = writeln!(o, "  sport     {} ({})", a.sport, a.sport_reason());
    let _ = writeln!(
        o,
        "  source    {} ({}, {}){}",
        a.source_path,
        a.format,
        a.device,
        if a.partial { ", partial" } else { "" }
    );
    let _ = writeln!(
        o,
        "  volume    {} km, moving {}, timer {}, elapsed {}",
        // The activity's own page: to ten metres.
        fixed(m.distance_m / 1000.0, 2),
        clock(m.moving_s),
        clock(m.timer_s),
        clock(m.elapsed_s)
    );
    if let Some(p) = &m.pace {
        let mean = p.mean_pace_s_per_km.map(pace).unwrap_or_else(|| "-".into());
        let _ = write!(o, "  pace      {mean} mean");
        if let (Some(fast), Some(slow)) = (
            p.histogram.quantile_s_per_km(0.1),
            p.histogram.quantile_s_per_km(0.9),
        ) {
            let _ = write!(
                o,
                ", 80 % of the time between {} and {}",
                pace(fast),
                pace(slow)
            );
        }
        if p.walk_breaks > 0 {
            let _ = write!(o, ", {} walk breaks", p.walk_breaks);
        }
        let _ = writeln!(o);
        if let Some(iv) = &p.intervals {
            let mean_m = iv.rep_distances_m.iter().sum::<f64>() / iv.reps.max(1) as f64;
            let _ = writeln!(
                o,
                "  intervals {} reps of ~{mean_m:.0} m at {}",
                iv.reps,
                pace(iv.rep_pace_s_per_km)
            );
        }
    }
    if let Some(c) = &m.cadence {
        let stride = c
            .stride_m
            .map(|s| format!(", stride {s:.2} m"))
            .unwrap_or_default();
        let _ = writeln!(
            o,
            "  cadence   {:.0} spm running ({:.0}–{:.0} from 10th to 90th percentile; {:.0} over every record){stride}",
            c.running_spm, c.p10_spm, c.p90_spm, c.mean_spm
        );
    }
    match &m.elevation {
        Some(e) => {
            let steep = e
                .steepest_200m_pct
                .map(|g| format!(", steepest 200 m {g:.1} %"))
                .unwrap_or_default();
            let _ = writeln!(
                o,
                "  climbing  {:.0} m up, {:.0} m down, {:.1} m/km; {} ({}) on ≥ 4 %, {} on ≥ 8 %{steep}",
                e.climb_m,
                e.descent_m,
                e.climb_m_per_km,
                clock(e.uphill_4pct_s),
                km(e.uphill_4pct_m),
                clock(e.uphill_8pct_s)
            );
        }
        None if !m.cross_training => {
            let _ = writeln!(o, "  climbing  unknown (no altitude in the file)");
        }
        None => {}
    }
    if !m.cross_training {
        let _ = writeln!(
            o,
            "  surface   {} ({})",
            m.surface.as_str(),
            m.surface_evidence.describe()
        );
    }
    let mut context = Vec::new();
    if let Some(hr) = m.heart_rate_mean_bpm {
        context.push(format!("heart rate {hr:.0} bpm"));
    }
    if let (Some(t), Some(max)) = (m.temperature_mean_c, m.temperature_max_c) {
        context.push(format!("{} °C (max {})", fixed(t, 1), fixed(max, 0)));
    }
    if let Some(rpe) = a.post_run_rpe {
        context.push(format!("effort {}/10 on the watch", score(rpe)));
    }
    if !context.is_empty() {
        let _ = writeln!(o, "  context   {}", context.join(", "));
    }
    o
}
