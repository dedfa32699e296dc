//! web: the dashboard. Server-rendered HTML (maud) with SVG charts drawn on
//! the server, a pain form that works on a phone without JavaScript, and a
//! read-only JSON API under `/api/`.
//!
//! - `views`: the data of each page, read from the store (pages and API
//!   share it);
//! - `pages`: HTML pages and form posts; `api`: the same data as JSON;
//! - `charts`: SVG; `layout`: the page frame and small formatters;
//! - `security`: host check, login, CSRF, headers.
//!
//! The store is one SQLite connection behind a mutex, used on the blocking
//! pool; the daemon writes through its own connection (WAL lets both work).

mod api;
pub mod charts;
mod export;
mod layout;
mod pages;
pub mod security;
pub mod views;

use crate::store::Store;
use axum::Router;
use axum::extract::DefaultBodyLimit;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::{Arc, Mutex};

/// Largest request body: a pain note or a VISA-A form is far smaller.
pub const MAX_BODY_BYTES: usize = 16 * 1024;

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
    /// The runner's time zone, for days and times on the pages (each at
    /// the offset of its instant).
    pub zone: crate::zone::Zone,
}

/// Shared by every request.
#[derive(Clone)]
pub struct AppState {
    pub opts: Arc<WebOptions>,
    store: Arc<Mutex<Store>>,
    /// Bound to a loopback address: only loopback host names are answered.
    pub loopback: bool,
    /// Login attempts are checked one at a time.
    pub login_lock: Arc<tokio::sync::Mutex<()>>,
}

impl AppState {
    pub fn new(store: Store, opts: WebOptions, loopback: bool) -> AppState {
        AppState {
            opts: Arc::new(opts),
            store: Arc::new(Mutex::new(store)),
            loopback,
            login_lock: Arc::new(tokio::sync::Mutex::new(())),
        }
    }

    /// Run `f` with the store on the blocking pool.
    pub async fn with_store<T, F>(&self, f: F) -> Result<T, WebError>
    where
        T: Send + 'static,
        F: FnOnce(&mut Store) -> Result<T, WebError> + Send + 'static,
    {
        let store = self.store.clone();
        tokio::task::spawn_blocking(move || {
            let mut guard = store.lock().unwrap_or_else(|p| p.into_inner());
            f(&mut guard)
        })
        .await
        .map_err(|e| WebError::Internal(format!("a request failed: {e}")))?
    }
}

/// What can go wrong answering a request.
#[derive(Debug)]
pub enum WebError {
    /// Bad input, in words for the runner.
    BadRequest(String),
    NotFound(String),
    Forbidden(String),
    Unauthorized,
    TooLarge,
    Internal(String),
}

impl WebError {
    pub fn status(&self) -> StatusCode {
        match self {
            WebError::BadRequest(_) => StatusCode::BAD_REQUEST,
            WebError::NotFound(_) => StatusCode::NOT_FOUND,
            WebError::Forbidden(_) => StatusCode::FORBIDDEN,
            WebError::Unauthorized => StatusCode::UNAUTHORIZED,
            WebError::TooLarge => StatusCode::PAYLOAD_TOO_LARGE,
            WebError::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    /// The message a visitor sees (internal details go to the log only).
    pub fn message(&self) -> String {
        match self {
            WebError::BadRequest(m) | WebError::NotFound(m) | WebError::Forbidden(m) => m.clone(),
            WebError::Unauthorized => "Log in first.".into(),
            WebError::TooLarge => format!(
                "That request is too large (the limit is {} KiB).",
                MAX_BODY_BYTES / 1024
            ),
            WebError::Internal(_) => {
                "Something went wrong on the server; it is in the log. Nothing was changed.".into()
            }
        }
    }
}

impl From<crate::store::StoreError> for WebError {
    fn from(e: crate::store::StoreError) -> Self {
        WebError::Internal(e.to_string())
    }
}

impl IntoResponse for WebError {
    fn into_response(self) -> Response {
        if let WebError::Internal(detail) = &self {
            tracing::error!("web: {detail}");
        }
        let status = self.status();
        (status, layout::error_page(status, &self.message())).into_response()
    }
}

/// The clock, read at the edge (views and rules take "now" as a value).
fn now() -> i64 {
    chrono::Utc::now().timestamp_millis()
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

/// Every route of the dashboard.
pub fn router(state: AppState) -> Router {
    Router::new()
        .route("/", get(pages::status))
        .route("/load", get(pages::load))
        .route("/activities", get(pages::activities))
        .route("/activity/{id}", get(pages::activity))
        .route("/activity/{id}/surface", post(pages::retag))
        .route("/activity/{id}/sport", post(pages::resport))
        .route("/activity/{id}/start", post(pages::restart))
        .route("/pain", get(pages::pain).post(pages::log_pain))
        .route("/visa-a", get(pages::visa_a).post(pages::save_visa_a))
        .route("/report", get(pages::report))
        .route("/alerts", get(pages::alerts))
        .route("/alerts/{id}/ack", post(pages::acknowledge))
        .route("/login", get(pages::login_form).post(pages::login))
        .route("/logout", post(pages::logout))
        .route("/static/style.css", get(pages::stylesheet))
        .route("/export.zip", get(export::download))
        .route("/api/status", get(api::status))
        .route("/api/load", get(api::load))
        .route("/api/activities", get(api::activities))
        .route("/api/activities/{id}", get(api::activity))
        .route("/api/pain", get(api::pain))
        .route("/api/visa-a", get(api::visa_a))
        .route("/api/alerts", get(api::alerts))
        .route("/api/report", get(api::report))
        .fallback(pages::not_found)
        .layer(DefaultBodyLimit::max(MAX_BODY_BYTES))
        .layer(axum::middleware::from_fn_with_state(
            state.clone(),
            security::guard,
        ))
        .with_state(state)
}

/// Serve until `shutdown` resolves.
pub async fn serve(
    listener: tokio::net::TcpListener,
    opts: WebOptions,
    shutdown: impl std::future::Future<Output = ()> + Send + 'static,
) -> anyhow::Result<()> {
    let addr = listener.local_addr()?;
    let db_path = opts.db_path.clone();
    let store = tokio::task::spawn_blocking(move || Store::open(&db_path))
        .await?
        .map_err(|e| anyhow::anyhow!("opening the store {}: {e}", opts.db_path.display()))?;
    let state = AppState::new(store, opts, addr.ip().is_loopback());
    tracing::info!("dashboard on http://{addr}/");
    axum::serve(listener, router(state))
        .with_graceful_shutdown(shutdown)
        .await?;
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
