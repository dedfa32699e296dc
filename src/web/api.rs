//! The JSON API: the same data as the pages, read-only, under `/api/`.
//! Errors are `{"error": "…"}` with the matching status.

use super::views::{self, AlertQuery, PageQuery, WeeksQuery, weeks_of};
use super::{Site, WebError, now};
use axum::Json;
use axum::extract::{Path, Query};
use axum::response::{IntoResponse, Response};

/// A `WebError` answered as JSON.
pub struct ApiError(WebError);

impl From<WebError> for ApiError {
    fn from(e: WebError) -> Self {
        ApiError(e)
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        if let WebError::Internal(detail) = &self.0 {
            tracing::error!("web api: {detail}");
        }
        let body = serde_json::json!({ "error": self.0.message() });
        (self.0.status(), Json(body)).into_response()
    }
}

/// JSON as every reader of tendonwatch gets it: through
/// `units::json_value`, so no number reads -0.0.
pub struct Clean<T>(T);

impl<T: serde::Serialize> IntoResponse for Clean<T> {
    fn into_response(self) -> Response {
        match crate::units::json_value(&self.0) {
            Ok(v) => Json(v).into_response(),
            Err(e) => ApiError(WebError::Internal(e.to_string())).into_response(),
        }
    }
}

type Answer<T> = Result<Clean<T>, ApiError>;

pub async fn status(site: Site) -> Answer<views::Status> {
    let opts = site.opts.clone();
    let now = now();
    Ok(Clean(
        site.with_store(move |store| views::status(store, &opts, now))
            .await?,
    ))
}

pub async fn load(site: Site, Query(q): Query<WeeksQuery>) -> Answer<views::Load> {
    let weeks = weeks_of(&q, 16)?;
    let opts = site.opts.clone();
    let now = now();
    Ok(Clean(
        site.with_store(move |store| views::load(store, &opts, weeks, now))
            .await?,
    ))
}

pub async fn activities(site: Site, Query(q): Query<PageQuery>) -> Answer<views::ActivityList> {
    Ok(Clean(
        site.with_store(move |store| views::activities(store, &q))
            .await?,
    ))
}

pub async fn activity(site: Site, Path(id): Path<String>) -> Answer<views::ActivityPage> {
    let id = id
        .parse::<i64>()
        .map_err(|_| WebError::NotFound(format!("There is no activity '{id}'.")))?;
    let opts = site.opts.clone();
    Ok(Clean(
        site.with_store(move |store| views::activity(store, &opts, id))
            .await?,
    ))
}

#[derive(Debug, serde::Deserialize)]
pub struct DaysQuery {
    pub days: Option<String>,
}

pub async fn pain(site: Site, Query(q): Query<DaysQuery>) -> Answer<views::PainLog> {
    let days = match q.days.as_deref().filter(|d| !d.is_empty()) {
        None => crate::pain::LIST_DAYS,
        Some(d) => crate::pain::parse_list_days(d).map_err(WebError::BadRequest)?,
    };
    let opts = site.opts.clone();
    let now = now();
    Ok(Clean(
        site.with_store(move |store| views::pain(store, &opts, days, now))
            .await?,
    ))
}

pub async fn visa_a(site: Site) -> Answer<Vec<crate::store::pain::VisaARecord>> {
    Ok(Clean(
        site.with_store(|store| Ok(store.visa_a_scores()?)).await?,
    ))
}

pub async fn alerts(
    site: Site,
    Query(q): Query<AlertQuery>,
) -> Answer<Vec<crate::store::alerts::Alert>> {
    let filter = q.filter()?;
    Ok(Clean(
        site.with_store(move |store| views::alerts(store, &filter))
            .await?,
    ))
}

pub async fn report(site: Site, Query(q): Query<WeeksQuery>) -> Answer<crate::report::Report> {
    let weeks = weeks_of(&q, 12)?;
    let opts = site.opts.clone();
    let now = now();
    Ok(Clean(
        site.with_store(move |store| views::report(store, &opts, weeks, now))
            .await?,
    ))
}
