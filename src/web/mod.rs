//! web: the dashboard. Server-rendered HTML (maud) with SVG charts drawn on
//! the server, a pain form that works on a phone without JavaScript, and a
//! read-only JSON API under `/api/`.
//!
//! - `views`: the data of each page, read from the store (pages and API
//!   share it);
//! - `pages`: HTML pages and form posts; `api`: the same data as JSON;
//! - `charts`: SVG; `layout`: the page frame and small formatters;
//! - `security`: host check, login, CSRF, headers;
//! - `checkin`: the morning check-in's one-tap page, reached by a signed
//!   link instead of a login; `morning`: this morning's answer and verdict,
//!   shown there and on the status page.
//!
//! The store is one SQLite connection behind a mutex, used on the blocking
//! pool; the daemon writes through its own connection (WAL lets both work).

mod access;
mod api;
pub mod charts;
mod checkin;
mod export;
mod layout;
mod morning;
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

/// What one runner's dashboard needs, read from the config at the edge.
#[derive(Debug, Clone)]
pub struct WebOptions {
    pub db_path: PathBuf,
    /// Argon2 hash where one runner is served; `None` is only allowed on a
    /// loopback bind. (A household's accounts are in `Household`.)
    pub password_hash: Option<String>,
    pub session_days: u32,
    pub rules: crate::alerts::RuleSettings,
    pub ingest: crate::ingest::Settings,
    pub pain_limit: f64,
    /// The runner's time zone, for days and times on the pages (each at
    /// the offset of its instant).
    pub zone: crate::zone::Zone,
    /// The install's check-in key (`checkin.key`, the daemon's), which
    /// signs the morning links; None: every link is answered "expired".
    /// Where a household is served, `Household::checkin_key` counts.
    pub checkin_key: Option<crate::checkin::token::Key>,
}

/// A household's dashboard: every runner with their own login and pages
/// under `/r/NAME/`, and coaches who see the runners they are given.
#[derive(Debug, Clone)]
pub struct Household {
    /// Where the logins are kept (`household.db`).
    pub sessions_db: PathBuf,
    pub session_days: u32,
    pub runners: Vec<HouseholdRunner>,
    pub coaches: Vec<Coach>,
    /// The install's check-in key, one for every runner (each link names
    /// its runner).
    pub checkin_key: Option<crate::checkin::token::Key>,
}

#[derive(Debug, Clone)]
pub struct HouseholdRunner {
    pub name: String,
    /// `None`: this runner cannot log in yet.
    pub password_hash: Option<String>,
    pub opts: WebOptions,
}

#[derive(Debug, Clone)]
pub struct Coach {
    pub name: String,
    pub runners: Vec<String>,
    pub password_hash: Option<String>,
}

/// Who is asking: the one runner of a single-runner dashboard, a runner
/// of a household, or a coach.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Account {
    Owner,
    Runner(String),
    Coach(String),
}

/// One login of a household, as the server keeps it.
#[derive(Debug, Clone)]
struct Login {
    name: String,
    hash: Option<String>,
    /// For a coach, the runners they see; `None` for a runner.
    sees: Option<Vec<String>>,
}

/// What a dashboard serves: one runner, or a household.
#[derive(Debug, Clone)]
pub enum Dashboard {
    One(Box<WebOptions>),
    Household(Household),
}

impl Dashboard {
    /// Whether a bind beyond loopback is allowed: a password for one
    /// runner; a household always logs in.
    pub fn logs_in(&self) -> bool {
        match self {
            Dashboard::One(o) => o.password_hash.is_some(),
            Dashboard::Household(_) => true,
        }
    }
}

/// Serve either kind of dashboard until `shutdown` resolves.
pub async fn serve_dashboard(
    listener: tokio::net::TcpListener,
    dashboard: Dashboard,
    shutdown: impl std::future::Future<Output = ()> + Send + 'static,
) -> anyhow::Result<()> {
    match dashboard {
        Dashboard::One(opts) => serve(listener, *opts, shutdown).await,
        Dashboard::Household(h) => serve_household(listener, h, shutdown).await,
    }
}

/// One runner's data: their options and their store.
#[derive(Clone)]
struct RunnerData {
    opts: Arc<WebOptions>,
    store: Arc<StoreCell>,
}

/// A store as the dashboard holds it. A lone runner's connection is opened
/// at start and kept. A household runner's is opened for each request and
/// closed after it, a few at a time: hundreds of runners cost nothing
/// while nobody looks, and a runner whose store is broken gets an error
/// page of their own while the others' pages work.
enum StoreCell {
    /// One connection behind a mutex, used on the blocking pool.
    Open(Mutex<Store>),
    OnDemand {
        path: std::path::PathBuf,
        gate: Arc<tokio::sync::Semaphore>,
    },
}

/// How many household stores requests hold open at once (a coach's
/// overview reads every athlete's).
const STORES_AT_ONCE: usize = 8;

/// Shared by every request.
#[derive(Clone)]
pub struct AppState {
    /// By runner name; the one runner of a single-runner dashboard is "".
    runners: Arc<std::collections::BTreeMap<String, RunnerData>>,
    /// `Some` for a household: its accounts.
    logins: Option<Arc<Vec<Login>>>,
    /// Where sessions are kept: the runner's store, or household.db.
    sessions: Arc<StoreCell>,
    pub session_days: u32,
    /// A login is needed for every page but the login page.
    pub needs_login: bool,
    /// Bound to a loopback address: only loopback host names are answered.
    pub loopback: bool,
    /// Login attempts are checked one at a time per name, whether or not
    /// it is an account.
    login_locks: Arc<security::LoginQueues>,
    /// Verifies the morning check-in links (`/checkin/TOKEN`).
    checkin_key: Option<crate::checkin::token::Key>,
}

/// Run `f` with this store on the blocking pool.
async fn on_store<T, F>(store: &Arc<StoreCell>, f: F) -> Result<T, WebError>
where
    T: Send + 'static,
    F: FnOnce(&mut Store) -> Result<T, WebError> + Send + 'static,
{
    let store = store.clone();
    let _place = match &*store {
        StoreCell::Open(_) => None,
        StoreCell::OnDemand { gate, .. } => Some(
            gate.clone()
                .acquire_owned()
                .await
                .map_err(|e| WebError::Internal(format!("a request failed: {e}")))?,
        ),
    };
    tokio::task::spawn_blocking(move || match &*store {
        StoreCell::Open(conn) => f(&mut conn.lock().unwrap_or_else(|p| p.into_inner())),
        StoreCell::OnDemand { path, .. } => {
            let mut opened = Store::open(path).map_err(|e| {
                WebError::Internal(format!("this runner's store cannot be opened: {e}"))
            })?;
            f(&mut opened)
        }
    })
    .await
    .map_err(|e| WebError::Internal(format!("a request failed: {e}")))?
}

impl AppState {
    /// One runner's dashboard.
    pub fn new(store: Store, opts: WebOptions, loopback: bool) -> AppState {
        let store = Arc::new(StoreCell::Open(Mutex::new(store)));
        let needs_login = opts.password_hash.is_some();
        let session_days = opts.session_days;
        let checkin_key = opts.checkin_key.clone();
        let data = RunnerData {
            opts: Arc::new(opts),
            store: store.clone(),
        };
        AppState {
            runners: Arc::new([(String::new(), data)].into_iter().collect()),
            logins: None,
            sessions: store,
            session_days,
            needs_login,
            loopback,
            login_locks: Arc::default(),
            checkin_key,
        }
    }

    /// A household's dashboard: each runner's store opened per request.
    fn household(household: Household, sessions: Store, loopback: bool) -> AppState {
        let gate = Arc::new(tokio::sync::Semaphore::new(STORES_AT_ONCE));
        let checkin_key = household.checkin_key;
        let mut logins = Vec::new();
        let mut runners = std::collections::BTreeMap::new();
        for r in household.runners {
            logins.push(Login {
                name: r.name.clone(),
                hash: r.password_hash,
                sees: None,
            });
            runners.insert(
                r.name,
                RunnerData {
                    store: Arc::new(StoreCell::OnDemand {
                        path: r.opts.db_path.clone(),
                        gate: gate.clone(),
                    }),
                    opts: Arc::new(r.opts),
                },
            );
        }
        for c in household.coaches {
            logins.push(Login {
                name: c.name,
                hash: c.password_hash,
                sees: Some(c.runners),
            });
        }
        AppState {
            runners: Arc::new(runners),
            logins: Some(Arc::new(logins)),
            sessions: Arc::new(StoreCell::Open(Mutex::new(sessions))),
            session_days: household.session_days,
            needs_login: true,
            loopback,
            login_locks: Arc::default(),
            checkin_key,
        }
    }

    pub fn is_household(&self) -> bool {
        self.logins.is_some()
    }

    /// Run `f` with the login store on the blocking pool.
    pub async fn with_sessions<T, F>(&self, f: F) -> Result<T, WebError>
    where
        T: Send + 'static,
        F: FnOnce(&mut Store) -> Result<T, WebError> + Send + 'static,
    {
        on_store(&self.sessions, f).await
    }

    /// The account a stored session names, if it still exists.
    pub fn account(&self, name: &str) -> Option<Account> {
        match &self.logins {
            None => Some(Account::Owner),
            Some(logins) => logins.iter().find(|l| l.name == name).map(|l| {
                if l.sees.is_some() {
                    Account::Coach(l.name.clone())
                } else {
                    Account::Runner(l.name.clone())
                }
            }),
        }
    }

    /// The runners a coach sees, in the config's order.
    pub fn coached(&self, coach: &str) -> Vec<String> {
        self.logins
            .iter()
            .flat_map(|l| l.iter())
            .find(|l| l.name == coach)
            .and_then(|l| l.sees.clone())
            .unwrap_or_default()
    }

    /// The password hash to check a login against: `None` for a name that
    /// is no account, or an account without a password yet.
    fn login_hash(&self, name: &str) -> Option<String> {
        match &self.logins {
            None => self
                .runners
                .get("")
                .and_then(|r| r.opts.password_hash.clone()),
            Some(logins) => logins
                .iter()
                .find(|l| l.name == name)
                .and_then(|l| l.hash.clone()),
        }
    }

    /// The accounts that cannot log in for want of a password.
    pub fn without_password(&self) -> Vec<String> {
        self.logins
            .iter()
            .flat_map(|l| l.iter())
            .filter(|l| l.hash.is_none())
            .map(|l| l.name.clone())
            .collect()
    }

    /// One runner's pages, as `account` sees them.
    pub fn site(&self, runner: &str, account: &Account) -> Option<Site> {
        let data = self.runners.get(runner)?;
        Some(Site {
            opts: data.opts.clone(),
            store: data.store.clone(),
            base: if runner.is_empty() {
                String::new()
            } else {
                format!("/r/{runner}")
            },
            runner: (!runner.is_empty()).then(|| runner.to_string()),
            read_only: matches!(account, Account::Coach(_)),
            logout: self.needs_login,
        })
    }
}

/// One runner's dashboard as the visitor sees it: their options, their
/// store, where their pages live, and whether the visitor may change
/// anything. Put in the request by `security::guard`.
#[derive(Clone)]
pub struct Site {
    pub opts: Arc<WebOptions>,
    store: Arc<StoreCell>,
    /// What every link starts with: "" for one runner, "/r/NAME" in a
    /// household.
    pub base: String,
    /// The runner's name in a household.
    pub runner: Option<String>,
    /// A coach's view: shown without forms; every write was refused
    /// before a handler ran.
    pub read_only: bool,
    /// Show "log out".
    pub logout: bool,
}

impl Site {
    /// Run `f` with this runner's store on the blocking pool.
    pub async fn with_store<T, F>(&self, f: F) -> Result<T, WebError>
    where
        T: Send + 'static,
        F: FnOnce(&mut Store) -> Result<T, WebError> + Send + 'static,
    {
        on_store(&self.store, f).await
    }

    /// A path of this runner's pages.
    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }
}

impl<S: Send + Sync> axum::extract::FromRequestParts<S> for Site {
    type Rejection = WebError;

    async fn from_request_parts(
        parts: &mut axum::http::request::Parts,
        _: &S,
    ) -> Result<Self, Self::Rejection> {
        parts
            .extensions
            .get::<Site>()
            .cloned()
            .ok_or_else(|| WebError::NotFound("There is no such page.".into()))
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

/// A post to a check-in link from another site's page: the guard's
/// refusal, before anything is read, on a page that links nowhere (the
/// check-in's pages open nothing of the dashboard).
fn foreign_checkin_post() -> Response {
    let page = layout::bare_page(
        "Refused",
        maud::html! {
            h1 { "Refused" }
            p.error role="alert" { "This answer did not come from the check-in page: nothing was logged." }
        },
    );
    (StatusCode::FORBIDDEN, page).into_response()
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

/// Every route of the dashboard, behind the guard. The guard wraps the
/// whole router (as the fallback of an empty one): it picks the runner
/// from a household's `/r/NAME` prefix and hands the rest of the path on,
/// so it must run before routing.
pub fn app(state: AppState) -> Router {
    Router::new()
        .fallback_service(router(state.clone()))
        .layer(DefaultBodyLimit::max(MAX_BODY_BYTES))
        .layer(axum::middleware::from_fn_with_state(state, security::guard))
}

fn router(state: AppState) -> Router {
    Router::new()
        .route("/", get(pages::status))
        .route("/athletes", get(pages::athletes))
        .route("/load", get(pages::load))
        .route("/activities", get(pages::activities))
        .route("/activity/{id}", get(pages::activity))
        .route("/activity/{id}/surface", post(pages::retag))
        .route("/activity/{id}/sport", post(pages::resport))
        .route("/activity/{id}/start", post(pages::restart))
        .route("/pain", get(pages::pain).post(pages::log_pain))
        .route("/morning", post(checkin::dashboard_answer))
        .route("/checkin/{token}", get(checkin::page).post(checkin::answer))
        .route("/checkin/{token}/same", post(checkin::same))
        .route("/visa-a", get(pages::visa_a).post(pages::save_visa_a))
        .route("/report", get(pages::report))
        .route("/alerts", get(pages::alerts))
        .route("/alerts/ack", post(pages::acknowledge_many))
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
    serve_state(listener, state, shutdown).await
}

/// Serve a household until `shutdown` resolves: the logins' store is
/// opened first (one that cannot be opened stops the start with its
/// path); each runner's store is opened by the requests that read it.
pub async fn serve_household(
    listener: tokio::net::TcpListener,
    household: Household,
    shutdown: impl std::future::Future<Output = ()> + Send + 'static,
) -> anyhow::Result<()> {
    let loopback = listener.local_addr()?.ip().is_loopback();
    let state = tokio::task::spawn_blocking(move || -> anyhow::Result<AppState> {
        let open = |path: &std::path::Path| {
            Store::open(path)
                .map_err(|e| anyhow::anyhow!("opening the store {}: {e}", path.display()))
        };
        let mut sessions = open(&household.sessions_db)?;
        // A removed account's logins end now, not when its name comes back.
        let accounts: Vec<&str> = (household.runners.iter().map(|r| r.name.as_str()))
            .chain(household.coaches.iter().map(|c| c.name.as_str()))
            .collect();
        sessions
            .keep_web_sessions_of(&accounts)
            .map_err(|e| anyhow::anyhow!("{}: {e}", household.sessions_db.display()))?;
        // Built now, so that the first login of an unknown name takes as
        // long as any other.
        security::decoy_hash();
        Ok(AppState::household(household, sessions, loopback))
    })
    .await??;
    let missing = state.without_password();
    if !missing.is_empty() {
        tracing::warn!(
            "no dashboard password yet for {}: `tendonwatch web set-password --runner NAME` (or --coach NAME)",
            missing.join(", ")
        );
    }
    serve_state(listener, state, shutdown).await
}

async fn serve_state(
    listener: tokio::net::TcpListener,
    state: AppState,
    shutdown: impl std::future::Future<Output = ()> + Send + 'static,
) -> anyhow::Result<()> {
    tracing::info!("dashboard on http://{}/", listener.local_addr()?);
    axum::serve(listener, app(state))
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
