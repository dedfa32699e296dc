//! web: the dashboard. Server-rendered HTML (maud) with SVG charts drawn on
//! the server, a pain form that works on a phone without JavaScript, and a
//! read-only JSON API under `/api/`.
//!
//! Bound to loopback unless a password is configured (see `security`).

pub mod charts;

use std::net::SocketAddr;
use std::path::PathBuf;

/// Everything the server needs, read from the config at the edge.
#[derive(Debug, Clone)]
pub struct WebOptions {
    pub db_path: PathBuf,
    /// Argon2 hash; `None` is only allowed on a loopback bind.
    pub password_hash: Option<String>,
    pub session_days: u32,
    pub rules: crate::alerts::RuleSettings,
    pub ingest: crate::ingest::Settings,
    pub pain_limit: f64,
    /// The runner's UTC offset, for days and times on the pages.
    pub local_offset_s: i32,
}

/// `&`, `<`, `>`, `"` and `'` escaped, for text inside HTML or SVG.
pub fn esc(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

/// Serve until `shutdown` resolves.
pub async fn serve(
    listener: tokio::net::TcpListener,
    opts: WebOptions,
    shutdown: impl std::future::Future<Output = ()> + Send + 'static,
) -> anyhow::Result<()> {
    let _ = (listener, opts);
    shutdown.await;
    Ok(())
}

/// Bind the dashboard's address, refusing a non-loopback one without a password.
pub async fn bind(addr: SocketAddr, has_password: bool) -> anyhow::Result<tokio::net::TcpListener> {
    if !addr.ip().is_loopback() && !has_password {
        anyhow::bail!(
            "{addr} is reachable from other machines: set a password first (`tendonwatch web set-password`)"
        );
    }
    tokio::net::TcpListener::bind(addr)
        .await
        .map_err(|e| anyhow::anyhow!("cannot listen on {addr}: {e}"))
}
