//! Who may use the dashboard, and what every answer carries.
//!
//! - **Host check**: on a loopback bind only `127.0.0.1`, `localhost` and
//!   `[::1]` are answered, so a web page cannot reach the dashboard through
//!   DNS rebinding.
//! - **Login** (whenever a password hash is configured, and always on a
//!   non-loopback bind): argon2 verification, a session cookie (HttpOnly,
//!   SameSite=Strict) whose token the store keeps only as a SHA-256 hash. A
//!   wrong password waits a second, says only that it was wrong, and login
//!   attempts are taken one at a time.
//! - **CSRF**: double-submit. Every visitor gets a random `tw_csrf` cookie
//!   (HttpOnly, SameSite=Strict); every form carries it as a hidden field; a
//!   POST whose field does not match the cookie, or whose `Origin` is another
//!   site, is refused with 403 before its handler runs.
//! - **Check-in links** (`/checkin/TOKEN`): the signed token is the
//!   capability, so neither login nor CSRF cookie is asked for; the host
//!   check, the `Origin` check of a post and the headers still hold.
//! - **Headers**: a Content-Security-Policy allowing nothing but this site's
//!   own stylesheet and forms, no framing, no sniffing, no referrer, no
//!   caching of pages. The referrer policy is `same-origin`: with
//!   `no-referrer` browsers send `Origin: null` on form posts, which the
//!   origin check would refuse.

use super::access::{self, Decision};
use super::{Account, AppState, WebError};
use axum::extract::{Request, State};
use axum::http::{HeaderMap, HeaderValue, Method, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Redirect, Response};
use sha2::{Digest, Sha256};
use std::time::Duration;

pub const SESSION_COOKIE: &str = "tw_session";
pub const CSRF_COOKIE: &str = "tw_csrf";
/// The hidden form field that must match the CSRF cookie.
pub const CSRF_FIELD: &str = "csrf";
/// How long a wrong password waits before its answer.
pub const WRONG_PASSWORD_DELAY: Duration = Duration::from_secs(1);
/// Fewest characters of a dashboard password.
pub const MIN_PASSWORD_CHARS: usize = 8;

/// The visitor's CSRF token, for the forms of the page being rendered.
#[derive(Debug, Clone)]
pub struct Csrf(pub String);

/// 32 random bytes as hex.
pub fn random_token() -> Result<String, WebError> {
    let mut bytes = [0u8; 32];
    getrandom::fill(&mut bytes).map_err(|e| WebError::Internal(format!("no randomness: {e}")))?;
    Ok(hex(&bytes))
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// What the store keeps of a session token.
pub fn token_hash(token: &str) -> String {
    hex(&Sha256::digest(token.as_bytes()))
}

/// An argon2id hash (PHC string) of a new password.
pub fn hash_password(password: &str) -> anyhow::Result<String> {
    use argon2::password_hash::{PasswordHasher, SaltString};
    if password.chars().count() < MIN_PASSWORD_CHARS {
        anyhow::bail!("a dashboard password needs at least {MIN_PASSWORD_CHARS} characters");
    }
    let mut bytes = [0u8; 16];
    getrandom::fill(&mut bytes).map_err(|e| anyhow::anyhow!("no randomness: {e}"))?;
    let salt = SaltString::encode_b64(&bytes).map_err(|e| anyhow::anyhow!("salt: {e}"))?;
    argon2::Argon2::default()
        .hash_password(password.as_bytes(), &salt)
        .map(|h| h.to_string())
        .map_err(|e| anyhow::anyhow!("hashing the password: {e}"))
}

/// Whether `password` matches the configured hash.
pub fn verify_password(hash: &str, password: &str) -> bool {
    use argon2::password_hash::{PasswordHash, PasswordVerifier};
    PasswordHash::new(hash).is_ok_and(|parsed| {
        argon2::Argon2::default()
            .verify_password(password.as_bytes(), &parsed)
            .is_ok()
    })
}

/// The value of one cookie from the request's `Cookie` headers.
pub fn cookie<'a>(headers: &'a HeaderMap, name: &str) -> Option<&'a str> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(k, _)| *k == name)
        .map(|(_, v)| v)
        .filter(|v| v.len() == 64 && v.bytes().all(|b| b.is_ascii_hexdigit()))
}

/// A cookie for this site only. Not `Secure`: the dashboard speaks plain
/// HTTP on a home network, where a browser would drop a secure cookie.
pub fn set_cookie(name: &str, value: &str, max_age_s: i64) -> HeaderValue {
    HeaderValue::from_str(&format!(
        "{name}={value}; Path=/; HttpOnly; SameSite=Strict; Max-Age={max_age_s}"
    ))
    .unwrap_or_else(|_| HeaderValue::from_static(""))
}

/// Compare without an early exit, so timing tells nothing of the token.
pub fn same(a: &str, b: &str) -> bool {
    a.len() == b.len()
        && a.bytes()
            .zip(b.bytes())
            .fold(0u8, |acc, (x, y)| acc | (x ^ y))
            == 0
}

fn host_allowed(state: &AppState, headers: &HeaderMap) -> bool {
    if !state.loopback {
        return true;
    }
    let Some(host) = headers.get(header::HOST).and_then(|h| h.to_str().ok()) else {
        return false;
    };
    let name = match host.rsplit_once(':') {
        Some((name, port)) if port.bytes().all(|b| b.is_ascii_digit()) => name,
        _ => host,
    };
    matches!(name, "127.0.0.1" | "localhost" | "[::1]")
}

/// An `Origin` header, when present, must be this site.
fn origin_allowed(headers: &HeaderMap) -> bool {
    let Some(origin) = headers.get(header::ORIGIN) else {
        return true;
    };
    let host = headers.get(header::HOST).and_then(|h| h.to_str().ok());
    let origin = origin.to_str().unwrap_or("");
    let bare = origin
        .strip_prefix("http://")
        .or_else(|| origin.strip_prefix("https://"));
    matches!((bare, host), (Some(o), Some(h)) if o == h)
}

fn add_security_headers(headers: &mut HeaderMap) {
    let fixed = [
        (
            header::CONTENT_SECURITY_POLICY,
            "default-src 'none'; style-src 'self'; img-src 'self' data:; form-action 'self'; \
             frame-ancestors 'none'; base-uri 'none'",
        ),
        (header::X_CONTENT_TYPE_OPTIONS, "nosniff"),
        (header::X_FRAME_OPTIONS, "DENY"),
        (header::REFERRER_POLICY, "same-origin"),
        (
            header::HeaderName::from_static("cross-origin-opener-policy"),
            "same-origin",
        ),
        (
            header::HeaderName::from_static("cross-origin-resource-policy"),
            "same-origin",
        ),
        (
            header::HeaderName::from_static("permissions-policy"),
            "camera=(), microphone=(), geolocation=()",
        ),
    ];
    for (name, value) in fixed {
        headers.insert(name, HeaderValue::from_static(value));
    }
    headers
        .entry(header::CACHE_CONTROL)
        .or_insert(HeaderValue::from_static("no-store"));
}

/// Every request passes here: host check, login, CSRF, headers.
pub async fn guard(State(state): State<AppState>, mut request: Request, next: Next) -> Response {
    let mut response = match check(&state, &mut request).await {
        Ok(new_csrf) => {
            let mut response = next.run(request).await;
            if let Some(token) = new_csrf {
                response.headers_mut().append(
                    header::SET_COOKIE,
                    set_cookie(CSRF_COOKIE, &token, 400 * 86_400),
                );
            }
            response
        }
        Err(refusal) => refusal,
    };
    add_security_headers(response.headers_mut());
    response
}

/// Ok(Some(token)) when a fresh CSRF cookie must be set on the answer.
async fn check(state: &AppState, request: &mut Request) -> Result<Option<String>, Response> {
    let headers = request.headers();
    if !host_allowed(state, headers) {
        return Err(WebError::Forbidden(
            "This dashboard answers on 127.0.0.1 or localhost only.".into(),
        )
        .into_response());
    }
    let path = request.uri().path().to_string();
    let write = request.method() != Method::GET && request.method() != Method::HEAD;
    // A check-in link is its own narrow route (DESIGN: capabilities at the
    // edge): no session, no CSRF cookie (a phone's ntfy app sends none),
    // but a post from another site's page is refused before it is read.
    if access::capability(&path) {
        if write && !origin_allowed(headers) {
            return Err(super::foreign_checkin_post());
        }
        return Ok(None);
    }
    let api = path.starts_with("/api/") || (path.starts_with("/r/") && path.contains("/api/"));
    let refuse = |e: WebError| -> Response {
        if api {
            super::api::ApiError::from(e).into_response()
        } else {
            e.into_response()
        }
    };
    let session = session_of(state, headers).await;
    let account = match (&session, state.needs_login) {
        (_, false) => Some(Account::Owner),
        (Some((_, account)), true) => Some(account.clone()),
        (None, true) => None,
    };
    let Some(account) = account else {
        if access::public(&path) {
            return finish_csrf(request, None, write).await;
        }
        return Err(if api {
            refuse(WebError::Unauthorized)
        } else if !write {
            Redirect::to("/login").into_response()
        } else {
            WebError::Unauthorized.into_response()
        });
    };
    let coached = match &account {
        Account::Coach(name) => state.coached(name),
        _ => Vec::new(),
    };
    let query = request.uri().query().map(|q| format!("?{q}"));
    match access::decide(state.is_household(), &account, &coached, &path, write) {
        Decision::NotFound => {
            return Err(refuse(WebError::NotFound("There is no such page.".into())));
        }
        Decision::ReadOnly => {
            return Err(refuse(WebError::Forbidden(
                "A coach's view is read-only: only the runner can change their runs, pain log and alerts."
                    .into(),
            )));
        }
        Decision::Redirect(to) => {
            return Err(Redirect::to(&format!("{to}{}", query.unwrap_or_default())).into_response());
        }
        Decision::Site { runner, path: rest } => {
            let Some(site) = state.site(&runner, &account) else {
                return Err(refuse(WebError::NotFound("There is no such page.".into())));
            };
            let uri = format!("{rest}{}", query.unwrap_or_default());
            *request.uri_mut() = uri
                .parse()
                .map_err(|_| refuse(WebError::NotFound("There is no such page.".into())))?;
            request.extensions_mut().insert(site);
        }
        Decision::Open | Decision::Overview => {}
    }
    request.extensions_mut().insert(account);
    finish_csrf(request, session.map(|(token, _)| token), write).await
}

/// The CSRF check of a write, and the token for the page's forms. The
/// forms carry the cookie's token bound to the visitor's session, so a
/// token rendered for one account is refused under another.
async fn finish_csrf(
    request: &mut Request,
    session: Option<String>,
    write: bool,
) -> Result<Option<String>, Response> {
    let headers = request.headers();
    let (cookie_token, fresh) = match cookie(headers, CSRF_COOKIE) {
        Some(t) => (t.to_string(), false),
        None => (random_token().map_err(IntoResponse::into_response)?, true),
    };
    let token = form_token(&cookie_token, session.as_deref());
    if write {
        if fresh || !origin_allowed(headers) {
            return Err(csrf_refused());
        }
        // The token travels in the form body: read it (bounded), check it,
        // and hand the body on unchanged.
        let body = std::mem::take(request.body_mut());
        let bytes = axum::body::to_bytes(body, super::MAX_BODY_BYTES)
            .await
            .map_err(|_| WebError::TooLarge.into_response())?;
        let sent = form_field(&bytes, CSRF_FIELD);
        if !sent.as_deref().is_some_and(|s| same(s, &token)) {
            return Err(csrf_refused());
        }
        *request.body_mut() = axum::body::Body::from(bytes);
    }
    request.extensions_mut().insert(Csrf(token));
    Ok(fresh.then_some(cookie_token))
}

/// The token a form must carry: the cookie's, bound to the session when
/// there is one.
fn form_token(cookie_token: &str, session: Option<&str>) -> String {
    match session {
        None => cookie_token.to_string(),
        Some(s) => hex(&Sha256::digest(
            format!("csrf:{cookie_token}:{s}").as_bytes(),
        )),
    }
}

fn csrf_refused() -> Response {
    WebError::Forbidden(
        "This form has expired or did not come from this dashboard. Go back, reload the page and send it again."
            .into(),
    )
    .into_response()
}

/// One field of an `application/x-www-form-urlencoded` body.
fn form_field(body: &[u8], name: &str) -> Option<String> {
    let text = std::str::from_utf8(body).ok()?;
    text.split('&')
        .filter_map(|pair| pair.split_once('='))
        .find(|(k, _)| *k == name)
        .map(|(_, v)| v.to_string())
}

/// The tag of an account's password hash that its sessions carry: a new
/// password (a new hash) ends every session opened with the old one.
fn password_tag(hash: Option<&str>) -> String {
    hash.map(|h| hex(&Sha256::digest(format!("session:{h}").as_bytes())[..16]))
        .unwrap_or_default()
}

/// The visitor's session token and its account, when the session exists,
/// has not expired, its account is still in the config and was opened
/// with the account's password of now.
async fn session_of(state: &AppState, headers: &HeaderMap) -> Option<(String, Account)> {
    let token = cookie(headers, SESSION_COOKIE)?.to_string();
    let hash = token_hash(&token);
    let now = chrono::Utc::now().timestamp_millis();
    let (name, tag) = state
        .with_sessions(move |store| Ok(store.web_session_account(&hash, now)?))
        .await
        .ok()
        .flatten()?;
    if !same(&tag, &password_tag(state.login_hash(&name).as_deref())) {
        return None;
    }
    state.account(&name).map(|a| (token, a))
}

/// A new login for `account` ("" where one runner is served): the token
/// for the cookie.
pub async fn start_session(state: &AppState, account: String) -> Result<String, WebError> {
    let token = random_token()?;
    let hash = token_hash(&token);
    let now = chrono::Utc::now().timestamp_millis();
    let expires = now + i64::from(state.session_days) * 86_400_000;
    let tag = password_tag(state.login_hash(&account).as_deref());
    state
        .with_sessions(move |store| Ok(store.add_web_session(&hash, &account, &tag, now, expires)?))
        .await?;
    Ok(token)
}

pub async fn end_session(state: &AppState, headers: &HeaderMap) -> Result<(), WebError> {
    if let Some(token) = cookie(headers, SESSION_COOKIE) {
        let hash = token_hash(token);
        state
            .with_sessions(move |store| Ok(store.remove_web_session(&hash)?))
            .await?;
    }
    Ok(())
}

/// A hash no password matches, checked for a name that is no account (or
/// has no password yet) so that the answer takes as long as for one that is.
pub(super) fn decoy_hash() -> &'static str {
    static DECOY: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    DECOY.get_or_init(|| {
        random_token()
            .ok()
            .and_then(|t| hash_password(&t).ok())
            .unwrap_or_default()
    })
}

/// How many lines login attempts wait in.
const LOGIN_QUEUES: usize = 16;

/// The lines login attempts wait in, one at a time in each. A name's line
/// is picked by a hash of the name alone (keyed anew in each process), so
/// an attempt for an account and one for a name that is none wait alike:
/// were names that are no account put in one shared line, two attempts at
/// once would tell which names are accounts.
pub struct LoginQueues {
    keys: std::hash::RandomState,
    queues: Vec<tokio::sync::Mutex<()>>,
}

impl Default for LoginQueues {
    fn default() -> LoginQueues {
        LoginQueues {
            keys: std::hash::RandomState::new(),
            queues: (0..LOGIN_QUEUES).map(|_| Default::default()).collect(),
        }
    }
}

impl LoginQueues {
    fn of(&self, name: &str) -> &tokio::sync::Mutex<()> {
        use std::hash::BuildHasher;
        let i = self.keys.hash_one(name) % self.queues.len() as u64;
        &self.queues[i as usize]
    }
}

/// Check a password for the account `name` ("" where one runner is
/// served), one attempt at a time per name; a wrong one waits. The
/// account's name when it is right.
pub async fn attempt_login(state: &AppState, name: String, password: String) -> Option<String> {
    let _one_at_a_time = state.login_locks.of(&name).lock().await;
    let hash = state.login_hash(&name);
    let known = hash.is_some();
    let hash = hash.unwrap_or_else(|| decoy_hash().to_string());
    let ok = tokio::task::spawn_blocking(move || verify_password(&hash, &password))
        .await
        .unwrap_or(false)
        && known;
    if !ok {
        tokio::time::sleep(WRONG_PASSWORD_DELAY).await;
    }
    ok.then_some(name)
}
#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn a_password_verifies_against_its_own_hash_only() {
        let hash = hash_password("correct horse").unwrap();
        assert!(hash.starts_with("$argon2id$"));
        assert!(verify_password(&hash, "correct horse"));
        assert!(!verify_password(&hash, "correct hors"));
        assert!(!verify_password("not a hash", "correct horse"));
        assert!(hash_password("short").is_err());
    }

    #[test]
    fn cookies_are_read_only_when_they_look_like_tokens() {
        let mut h = HeaderMap::new();
        let t = "a".repeat(64);
        h.insert(
            header::COOKIE,
            HeaderValue::from_str(&format!("x=1; {CSRF_COOKIE}={t}")).unwrap(),
        );
        assert_eq!(cookie(&h, CSRF_COOKIE), Some(t.as_str()));
        h.insert(
            header::COOKIE,
            HeaderValue::from_str(&format!("{CSRF_COOKIE}=../../etc")).unwrap(),
        );
        assert_eq!(cookie(&h, CSRF_COOKIE), None);
    }

    #[test]
    fn form_fields_and_constant_time_compare() {
        assert_eq!(
            form_field(b"a=1&csrf=abc&b=2", "csrf").as_deref(),
            Some("abc")
        );
        assert_eq!(form_field(b"a=1", "csrf"), None);
        assert!(same("abc", "abc"));
        assert!(!same("abc", "abd"));
        assert!(!same("abc", "ab"));
    }
}
