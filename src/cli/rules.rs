//! `tendonwatch rules`: every rule, its threshold for this runner, its source.

use super::Context_;
use crate::finding::RuleId;
use crate::rules::{self, Mode};
use std::process::ExitCode;

#[derive(Debug, clap::Args)]
pub struct Args {
    #[arg(long)]
    pub json: bool,
}

pub fn run(ctx: &Context_, args: Args) -> anyhow::Result<ExitCode> {
    let s = ctx.config.rule_settings();
    let t = &s.thresholds;
    let strict = s.profile.strict_progression();
    let week = if strict {
        t.week_jump_return_pct
    } else {
        t.week_jump_normal_pct
    };
    let rows: Vec<(RuleId, String)> = vec![
        (
            RuleId::RunSpike,
            format!(
                "a run > +{:.0} % (warn), > +{:.0} % (high), > +{:.0} % (severe) longer than the longest of the last 30 days",
                t.run_spike_warn_pct, t.run_spike_high_pct, t.run_spike_severe_pct
            ),
        ),
        (
            RuleId::WeekJump,
            format!("last 7 days > +{week:.0} % over the weekly mean of the 28 days before"),
        ),
        (
            RuleId::Acwr,
            format!(
                "EWMA acute:chronic (uncoupled) above {} (info), {} (warn)",
                t.acwr_info, t.acwr_warn
            ),
        ),
        (
            RuleId::FrequencyJump,
            format!(
                "+{:.0} runs in 7 days over your weekly mean",
                t.frequency_jump_runs
            ),
        ),
        (
            RuleId::PaceAndDistance,
            format!(
                "week distance > +{:.0} % and pace ≥ {:.0} % faster, together",
                t.pace_and_distance_distance_pct, t.pace_and_distance_pace_pct
            ),
        ),
        (
            RuleId::HillIntro,
            format!(
                "climb per km above {:.1} × your 42-day 90th percentile, at least {:.0} m/km and {:.0} m",
                t.intro_factor, t.hill_floor_m_per_km, t.hill_floor_m
            ),
        ),
        (
            RuleId::SpeedIntro,
            format!(
                "minutes ≥ {:.0} % faster than easy pace above {:.1} × your 90th percentile and {:.0} min, or a first interval session",
                t.speed_margin_pct, t.intro_factor, t.speed_floor_min
            ),
        ),
        (
            RuleId::SurfaceChange,
            format!(
                "a surface with under {:.0} % of your last 6 weeks' distance",
                t.surface_new_share * 100.0
            ),
        ),
        (
            RuleId::CadenceShift,
            format!(
                "cadence at matched pace ≥ {:.0} % below your usual (≥ {:.0} min matched)",
                t.cadence_shift_pct,
                t.cadence_min_matched_s / 60.0
            ),
        ),
        (
            RuleId::StackedIntro,
            format!(
                "two new stimuli (hills, speed, surface, long-run spike, shoes) within {} days",
                t.stacked_window_days
            ),
        ),
        (
            RuleId::ShoeDrop,
            format!(
                "shoes with a heel drop ≥ {:.0} mm lower than your usual",
                t.shoe_drop_mm
            ),
        ),
    ];
    if args.json {
        let out: Vec<_> = rows
            .iter()
            .map(|(id, threshold)| serde_json::json!({"rule": id.as_str(), "threshold": threshold, "source": rules::source(*id)}))
            .collect();
        println!("{}", crate::units::json(&out)?);
        return Ok(ExitCode::SUCCESS);
    }
    let mode = match s.profile.mode {
        Mode::Return => "return",
        Mode::Normal => "normal",
    };
    let masters = if s.profile.is_masters() {
        ", masters (40+): strict progression"
    } else {
        ""
    };
    println!(
        "profile: {mode}{masters}; learning until {} days and {} runs of history",
        s.baseline.learning_min_days, s.baseline.learning_min_runs
    );
    for (id, threshold) in rows {
        println!(
            "{:<18} {threshold}\n{:<18} source: {}",
            id.as_str(),
            "",
            rules::source(id)
        );
    }
    Ok(ExitCode::SUCCESS)
}
