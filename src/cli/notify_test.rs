//! `tendonwatch notify-test`: send a test alert to every configured sink,
//! and the daemon's delivery adapter (outbox → sinks).

use super::Context_;
use crate::checkin::Checkin;
use crate::config::Config;
use crate::daemon::Delivery;
use crate::notify::{self, Sink, SinkError};
use crate::store::{Store, StoreError};
use std::process::ExitCode;
use std::sync::Arc;

/// Test-only hook, never for production use: set to 1 in the environment
/// of `tendonwatch watch`, the delivery thread stops for good right after a
/// bundling transaction has committed, before anything is sent — so a test
/// can kill the daemon at exactly that point (tests/daemon_delivery.rs).
pub const TEST_STALL_AFTER_BUNDLE: &str = "TENDONWATCH_TEST_STALL_AFTER_BUNDLE";

/// Test-only hook, as above: the delivery thread stops for good right
/// after a morning's check-in was decided and queued, before it is sent.
pub const TEST_STALL_AFTER_CHECKIN: &str = "TENDONWATCH_TEST_STALL_AFTER_CHECKIN";

fn test_hook(name: &str) -> bool {
    std::env::var_os(name).is_some_and(|v| v == "1")
}

/// The configured sinks, delivering the outbox on the daemon's delivery
/// thread with the configured policy (digest hour, quiet hours). None when
/// no sink is configured.
pub fn delivery(config: &Config, checkin: Option<Checkin>) -> Option<Arc<dyn Delivery>> {
    let sinks = notify::sinks_from_config(&config.notify);
    (!sinks.is_empty()).then(|| {
        Arc::new(Sinks {
            sinks,
            policy: config.notify.policy(),
            stall_after_bundle: test_hook(TEST_STALL_AFTER_BUNDLE),
            stall_after_checkin: test_hook(TEST_STALL_AFTER_CHECKIN),
            zone: config.zone(),
            checkin,
        }) as Arc<dyn Delivery>
    })
}

struct Sinks {
    sinks: Vec<Box<dyn Sink + Send + Sync>>,
    policy: notify::Policy,
    stall_after_bundle: bool,
    stall_after_checkin: bool,
    zone: crate::zone::Zone,
    checkin: Option<Checkin>,
}

/// The test hooks' stop: the thread parks for good, so the test can kill
/// the process at exactly this point.
fn stall(hook: &str) -> ! {
    tracing::warn!("{hook}: delivery stops here (test only)");
    loop {
        std::thread::park();
    }
}

impl Delivery for Sinks {
    fn deliver_due(&self, store: &mut Store, now_ms: i64) -> Result<Option<i64>, StoreError> {
        // The runner's offset as of now: the digest hour and quiet hours
        // follow a DST change from the next round on.
        let offset = self.zone.offset_s_at(now_ms);
        let bundled = notify::bundle_due(store, &self.sinks, &self.policy, offset, now_ms)?;
        for d in &bundled {
            tracing::info!("digest {} for {}: bundled", d.id, d.sink);
        }
        if self.stall_after_bundle && !bundled.is_empty() {
            stall(TEST_STALL_AFTER_BUNDLE);
        }
        let names: Vec<&str> = self.sinks.iter().map(|s| s.name()).collect();
        if let Some(checkin) = &self.checkin {
            if let Some(date) = checkin.queue_due(store, &names, now_ms)? {
                tracing::info!("morning check-in of {date}: queued");
                if self.stall_after_checkin {
                    stall(TEST_STALL_AFTER_CHECKIN);
                }
            }
            let report = checkin.send_due(store, &self.sinks, &self.policy, now_ms)?;
            if report.delivered > 0 {
                tracing::info!("morning check-in: sent on {} sink(s)", report.delivered);
            }
        }
        let report = notify::send_due(store, &self.sinks, &self.policy, offset, now_ms)?;
        tracing::debug!("delivery: {report:?}");
        let alerts = notify::next_due_ms(store, &self.sinks, &self.policy, offset, now_ms)?;
        let question = match &self.checkin {
            Some(c) => c.next_due_ms(store, &names, &self.policy, now_ms)?,
            None => None,
        };
        Ok([alerts, question].into_iter().flatten().min())
    }
}

pub fn run(ctx: &Context_) -> anyhow::Result<ExitCode> {
    let Some(sinks) = configured_sinks(&ctx.config) else {
        return Ok(ExitCode::from(1));
    };
    let now = chrono::Utc::now().timestamp_millis();
    Ok(print_outcomes(notify::send_test(&sinks, now)))
}

/// The configured sinks; None, said on standard output, when there is none.
pub fn configured_sinks(config: &Config) -> Option<Vec<Box<dyn Sink + Send + Sync>>> {
    let sinks = notify::sinks_from_config(&config.notify);
    if sinks.is_empty() {
        println!(
            "no sinks configured: set [notify] desktop = true, or [notify.ntfy], [notify.gotify], [notify.webhook]"
        );
        return None;
    }
    Some(sinks)
}

/// One line per sink, sent or failed with the reason; exit 1 when any
/// failed.
pub fn print_outcomes<N: std::fmt::Display>(
    outcomes: impl IntoIterator<Item = (N, Result<(), SinkError>)>,
) -> ExitCode {
    let mut failed = false;
    for (name, result) in outcomes {
        match result {
            Ok(()) => println!("{name}: sent"),
            Err(e) => {
                failed = true;
                println!("{name}: failed — {e}");
            }
        }
    }
    if failed {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    }
}
