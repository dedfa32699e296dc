//! `tendonwatch notify-test`: send a test alert to every configured sink,
//! and the daemon's delivery adapter (outbox → sinks).

use super::Context_;
use crate::config::Config;
use crate::daemon::Delivery;
use crate::notify::{self, Sink};
use crate::store::{Store, StoreError};
use std::process::ExitCode;
use std::sync::Arc;

/// The configured sinks, delivering the outbox on the daemon's delivery
/// thread. None when no sink is configured.
pub fn delivery(config: &Config) -> Option<Arc<dyn Delivery>> {
    let sinks = notify::sinks_from_config(&config.notify);
    (!sinks.is_empty()).then(|| Arc::new(Sinks(sinks)) as Arc<dyn Delivery>)
}

struct Sinks(Vec<Box<dyn Sink + Send + Sync>>);

impl Delivery for Sinks {
    fn deliver_due(&self, store: &mut Store, now_ms: i64) -> Result<Option<i64>, StoreError> {
        let report = notify::deliver_due(store, &self.0, now_ms)?;
        tracing::debug!("delivery: {report:?}");
        store.next_due_ms()
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
