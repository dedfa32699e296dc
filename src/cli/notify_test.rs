//! `tendonwatch notify-test`: send a test alert to every configured sink,
//! and the daemon's delivery adapter (outbox → sinks).

use super::Context_;
use crate::config::Config;
use crate::daemon::Delivery;
use crate::notify::{self, Sink};
use crate::store::{Store, StoreError};
use std::process::ExitCode;
use std::sync::Arc;

/// Test-only hook, never for production use: set to 1 in the environment
/// of `tendonwatch watch`, the delivery thread stops for good right after a
/// bundling transaction has committed, before anything is sent — so a test
/// can kill the daemon at exactly that point (tests/daemon_delivery.rs).
pub const TEST_STALL_AFTER_BUNDLE: &str = "TENDONWATCH_TEST_STALL_AFTER_BUNDLE";

/// The configured sinks, delivering the outbox on the daemon's delivery
/// thread with the configured policy (digest hour, quiet hours). None when
/// no sink is configured.
pub fn delivery(config: &Config) -> Option<Arc<dyn Delivery>> {
    let sinks = notify::sinks_from_config(&config.notify);
    (!sinks.is_empty()).then(|| {
        Arc::new(Sinks {
            sinks,
            policy: config.notify.policy(),
            stall_after_bundle: std::env::var_os(TEST_STALL_AFTER_BUNDLE).is_some_and(|v| v == "1"),
            zone: config.zone(),
        }) as Arc<dyn Delivery>
    })
}

struct Sinks {
    sinks: Vec<Box<dyn Sink + Send + Sync>>,
    policy: notify::Policy,
    stall_after_bundle: bool,
    zone: crate::zone::Zone,
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
            tracing::warn!("{TEST_STALL_AFTER_BUNDLE}: delivery stops here (test only)");
            loop {
                std::thread::park();
            }
        }
        let report = notify::send_due(store, &self.sinks, &self.policy, offset, now_ms)?;
        tracing::debug!("delivery: {report:?}");
        notify::next_due_ms(store, &self.sinks, &self.policy, offset, now_ms)
    }
}

pub fn run(ctx: &Context_) -> anyhow::Result<ExitCode> {
    let sinks = notify::sinks_from_config(&ctx.config.notify);
    if sinks.is_empty() {
        println!(
            "no sinks configured: set [notify] desktop = true, or [notify.ntfy], [notify.gotify], [notify.webhook]"
        );
        return Ok(ExitCode::from(1));
    }
    let mut failed = false;
    for (name, result) in notify::send_test(&sinks, chrono::Utc::now().timestamp_millis()) {
        match result {
            Ok(()) => println!("{name}: sent"),
            Err(e) => {
                failed = true;
                println!("{name}: failed — {e}");
            }
        }
    }
    Ok(if failed {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    })
}
