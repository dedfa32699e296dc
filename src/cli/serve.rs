//! `tendonwatch serve [--bind ADDR:PORT]`: the dashboard on its own.

use super::{Context_, UsageError, runtime};
use crate::checkin::token::Key;
use crate::config::Config;
use crate::web::{self, WebOptions};
use std::net::SocketAddr;
use std::path::PathBuf;
use std::process::ExitCode;

#[derive(Debug, clap::Args)]
pub struct Args {
    /// Address and port (default: [web] bind, 127.0.0.1:8417). Anything but
    /// a loopback address needs a password (`tendonwatch web set-password`).
    #[arg(long, value_name = "ADDR:PORT")]
    pub bind: Option<String>,
}

/// The install's check-in key, the daemon's (`checkin.key` beside the
/// top-level store, from any runner's config too), made on first use. When
/// it can neither be read nor made, the dashboard still serves
/// and answers every check-in link "expired"; the warning says why.
pub fn checkin_key(ctx: &Context_) -> Option<Key> {
    super::checkin::install_key(&ctx.config, &ctx.env)
        .inspect_err(|e| tracing::warn!("check-in links will not open: {e}"))
        .ok()
}

/// What the dashboard needs from the config; `checkin_key` from
/// [`checkin_key`].
pub fn web_options(config: &Config, db_path: PathBuf, checkin_key: Option<Key>) -> WebOptions {
    WebOptions {
        db_path,
        password_hash: config.web.password_hash.clone(),
        session_days: config.web.session_days,
        rules: config.rule_settings(),
        ingest: config.ingest_settings(),
        pain_limit: config.profile.pain_limit(),
        zone: config.zone(),
        checkin_key,
    }
}

/// A bind address from the command line or the config, checked.
pub fn bind_address(text: &str, has_password: bool) -> anyhow::Result<SocketAddr> {
    let addr: SocketAddr = text.parse().map_err(|_| {
        UsageError(format!(
            "--bind {text}: give an address and port, like 127.0.0.1:8417 or 0.0.0.0:8417"
        ))
    })?;
    if !addr.ip().is_loopback() && !has_password {
        return Err(UsageError(format!(
            "--bind {addr}: other machines could reach the dashboard; set a password first (`tendonwatch web set-password`)"
        ))
        .into());
    }
    Ok(addr)
}

/// A household's dashboard from a config with `[[runner]]` tables: each
/// runner's own options and store, their password, and the coaches.
pub fn household(ctx: &Context_) -> anyhow::Result<web::Household> {
    let config = &ctx.config;
    if config.web.password_hash.is_some() {
        tracing::warn!(
            "[web] password_hash is not used by a household: each runner logs in with their own (`tendonwatch web set-password --runner NAME`)"
        );
    }
    let mut runners = Vec::new();
    for r in &config.runners {
        let one = config.for_runner(Some(&r.name)).map_err(UsageError)?;
        let db = one.db_path(None, &ctx.env)?;
        runners.push(web::HouseholdRunner {
            name: r.name.clone(),
            password_hash: r.password_hash.clone(),
            opts: WebOptions {
                password_hash: None,
                ..web_options(&one, db, None)
            },
        });
    }
    Ok(web::Household {
        sessions_db: config.household_db_path(&ctx.env)?,
        session_days: config.web.session_days,
        runners,
        coaches: config
            .coaches
            .iter()
            .map(|c| web::Coach {
                name: c.name.clone(),
                runners: c.runners.clone(),
                password_hash: c.password_hash.clone(),
            })
            .collect(),
        checkin_key: checkin_key(ctx),
    })
}

/// `serve` on a config with `[[runner]]` tables and no `--runner`.
pub fn run_household(ctx: &Context_, args: Args) -> anyhow::Result<ExitCode> {
    let dashboard = web::Dashboard::Household(household(ctx)?);
    serve_dashboard(ctx, args, dashboard)
}

pub fn run(ctx: &Context_, args: Args) -> anyhow::Result<ExitCode> {
    let config = &ctx.config;
    let dashboard = web::Dashboard::One(Box::new(web_options(
        config,
        config.db_path(ctx.db.as_deref(), &ctx.env)?,
        checkin_key(ctx),
    )));
    serve_dashboard(ctx, args, dashboard)
}

fn serve_dashboard(
    ctx: &Context_,
    args: Args,
    dashboard: web::Dashboard,
) -> anyhow::Result<ExitCode> {
    let addr = bind_address(
        args.bind.as_deref().unwrap_or(&ctx.config.web.bind),
        dashboard.logs_in(),
    )?;
    let runtime = runtime::build(1, 4)?;
    runtime.block_on(async {
        let listener = web::bind(addr, dashboard.logs_in()).await?;
        println!("dashboard: http://{}/", listener.local_addr()?);
        web::serve_dashboard(listener, dashboard, shutdown_signal()).await
    })?;
    Ok(ExitCode::SUCCESS)
}

/// Resolves on SIGTERM or Ctrl-C.
pub async fn shutdown_signal() {
    let term = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut t) => {
                t.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    tokio::select! {
        _ = term => {},
        _ = tokio::signal::ctrl_c() => {},
    }
    tracing::info!("stopping the dashboard");
}
