//! `tendonwatch checkin send` and `tendonwatch checkin status`: the morning
//! check-in (RULES.md I) tried by hand, and when the daemon asks next.

use super::Context_;
use super::notify_test::{configured_sinks, print_outcomes};
use crate::checkin::schedule::{Days, Morning};
use crate::checkin::token::Key;
use crate::checkin::{Checkin, Outlook, is_local_only};
use crate::config::{Config, Env};
use crate::rules::Mode;
use crate::store::checkins::CheckinRow;
use crate::store::outbox::GAVE_UP_MS;
use crate::zone::{Zone, format_local};
use std::process::ExitCode;

#[derive(Debug, clap::Subcommand)]
pub enum Command {
    /// Send this morning's check-in now to every configured sink (to try
    /// it); the daemon does not ask this morning again.
    Send,
    /// When the next check-in goes out and why, whether this morning was
    /// asked and answered, and the address its link starts with.
    Status,
}

pub fn run(ctx: &Context_, command: Command) -> anyhow::Result<ExitCode> {
    match command {
        Command::Send => send(ctx),
        Command::Status => status(ctx),
    }
}

/// The runner's check-in as configured (`config` is the runner's), whether
/// the daemon asks or not; the error says why its key cannot be read or
/// made. The key is the install's, the same from any runner's config.
pub fn build(config: &Config, env: &Env) -> Result<Checkin, String> {
    let plan = config.checkin_plan()?;
    let key = install_key(config, env)?;
    Ok(Checkin {
        plan,
        zone: config.zone(),
        public_url: config.public_url(),
        key,
        runner: config.store.runner.clone(),
    })
}

/// The install's check-in key (`checkin.key` beside the top-level store,
/// the same from any runner's config), made on first use; the error says
/// where and why it can be neither read nor made.
pub fn install_key(config: &Config, env: &Env) -> Result<Key, String> {
    let path = config
        .checkin_key_path(env)
        .map_err(|e| format!("no place for its key: {e}"))?;
    Key::load_or_create(&path)
        .map_err(|e| format!("its key cannot be read or made: {}: {e}", path.display()))
}

/// The check-in the daemon of this runner asks, or None when it is off. A
/// key that cannot be read or made turns it off with a warning: alerts
/// still go.
pub fn for_daemon(config: &Config, env: &Env) -> Option<Checkin> {
    match build(config, env) {
        Ok(checkin) if checkin.plan.days != Days::Off => Some(checkin),
        Ok(_) => None,
        Err(e) => {
            tracing::warn!("the morning check-in is off: {e}");
            None
        }
    }
}

fn send(ctx: &Context_) -> anyhow::Result<ExitCode> {
    let Some(sinks) = configured_sinks(&ctx.config) else {
        return Ok(ExitCode::from(1));
    };
    let checkin = build(&ctx.config, &ctx.env).map_err(anyhow::Error::msg)?;
    let mut store = ctx.open_store()?;
    let now = chrono::Utc::now().timestamp_millis();
    Ok(print_outcomes(checkin.send_now(&mut store, &sinks, now)?))
}

fn status(ctx: &Context_) -> anyhow::Result<ExitCode> {
    let config = &ctx.config;
    let checkin = build(config, &ctx.env).map_err(anyhow::Error::msg)?;
    let store = ctx.open_store()?;
    let now = chrono::Utc::now().timestamp_millis();
    let sinks = config.notify.sinks();
    let names: Vec<&str> = sinks.iter().map(String::as_str).collect();
    let Some(outlook) = checkin.outlook(&store, &names, now)? else {
        anyhow::bail!("this instant has no date in {}", checkin.zone.name());
    };
    let zone = &checkin.zone;
    if let Some(name) = &checkin.runner {
        println!("runner: {name}");
    }
    println!("next: {}", next_line(&checkin, &outlook));
    println!("why: {}", why_line(config, &checkin));
    println!("this morning: {}", morning_line(zone, &outlook));
    for row in &outlook.rows {
        println!("  {}: {}", row.sink, row_line(zone, row));
    }
    if sinks.is_empty() {
        println!(
            "  no sinks configured: set [notify] desktop = true, or [notify.ntfy], [notify.gotify], [notify.webhook]"
        );
    }
    let source = if config.web.public_url.is_some() {
        "[web] public_url"
    } else {
        "[web] public_url unset: the dashboard's bind address"
    };
    println!("link: {}/checkin/… ({source})", checkin.public_url);
    let pushed: Vec<&str> = names.iter().copied().filter(|s| *s != "desktop").collect();
    if !pushed.is_empty() && is_local_only(&checkin.public_url) {
        println!(
            "warning: {} opens on this machine only: a phone cannot follow the link pushed to {}. \
             Set [web] public_url to the address your phone reaches, like \"http://nas.local:8417\" \
             or \"https://tendon.example.ts.net\".",
            checkin.public_url,
            pushed.join(", ")
        );
    }
    Ok(ExitCode::SUCCESS)
}

/// "HH:MM" on the runner's clock.
fn clock(zone: &Zone, ms: i64) -> String {
    format_local(ms, zone, "%H:%M")
}

/// When the next question goes out, on the runner's calendar.
fn next_line(checkin: &Checkin, outlook: &Outlook) -> String {
    let zone = &checkin.zone;
    let at = |m: &Morning| {
        format!(
            "{} ({})",
            format_local(m.send_at_ms, zone, "%a %Y-%m-%d %H:%M"),
            zone.name()
        )
    };
    match (&outlook.due, &outlook.next, checkin.plan.days) {
        (_, _, Days::Off) => "none: the check-in is off".to_string(),
        (Some(due), _, _) => format!(
            "now: this morning's was due at {}; `tendonwatch watch` sends it within a minute",
            clock(zone, due.send_at_ms)
        ),
        (None, Some(next), _) => at(next),
        (None, None, Days::AfterRuns) => {
            "the morning after your next run day (none logged today or yesterday)".to_string()
        }
        (None, None, Days::Daily) => {
            "none: quiet hours last past 13:00, when a morning is no longer asked".to_string()
        }
    }
}

/// Which mornings ask, where that comes from, and at what time.
fn why_line(config: &Config, checkin: &Checkin) -> String {
    let days = match checkin.plan.days {
        Days::Daily => "daily (every morning)",
        Days::AfterRuns => "after-runs (the morning after a day you ran)",
        Days::Off => "off (never)",
    };
    let mode = match config.profile.mode {
        Mode::Return => "return",
        Mode::Normal => "normal",
    };
    let source = if config.checkin.days.is_some() {
        format!("[checkin] days, in the {mode} profile")
    } else {
        format!("the {mode} profile's default")
    };
    let mut line = format!(
        "{days}: {source}; at {} {}",
        config.checkin.hour.trim(),
        checkin.zone.name()
    );
    if let Some(quiet) = checkin.plan.quiet {
        // The hour as an instant of a day at offset 0: inside or not.
        if quiet.contains(i64::from(checkin.plan.minute_of_day) * 60_000, 0) {
            line.push_str(&format!(
                ", held by quiet hours {quiet} until {:02}:{:02}",
                quiet.end_min / 60,
                quiet.end_min % 60
            ));
        }
    }
    line
}

/// This morning: asked or not, answered or not.
fn morning_line(zone: &Zone, outlook: &Outlook) -> String {
    let answer = outlook.answer.as_ref().map(|a| {
        format!(
            "answered at {}: {}/10",
            clock(zone, a.at_ms),
            crate::units::score(a.score)
        )
    });
    let asked = match outlook.asked_ms {
        Some(ms) => format!("asked at {}", clock(zone, ms)),
        None => "not asked".to_string(),
    };
    let answered = answer.unwrap_or_else(|| "not answered yet".to_string());
    format!("{} — {asked}, {answered}", outlook.today)
}

/// One sink's delivery of this morning's question.
fn row_line(zone: &Zone, row: &CheckinRow) -> String {
    let error = row.last_error.as_deref().unwrap_or("");
    match row.delivered_ms {
        Some(ms) => format!("sent at {}", clock(zone, ms)),
        None if row.next_attempt_ms == GAVE_UP_MS => format!("not sent: {error}"),
        None if row.attempts == 0 => "waiting to be sent".to_string(),
        None => format!(
            "not sent yet: {error} (next try at {})",
            clock(zone, row.next_attempt_ms)
        ),
    }
}
