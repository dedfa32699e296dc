//! `GET /export.zip`: the same five files as `tendonwatch export DIR`
//! (built by `crate::export`), as one download. Behind the same login as
//! every page (`security::guard`).

use super::{Site, WebError, now};
use axum::http::header;
use axum::response::{IntoResponse, Response};

pub async fn download(site: Site) -> Result<Response, WebError> {
    let zone = site.opts.zone;
    let bytes = site
        .with_store(move |store| {
            crate::export::files(store, &zone)
                .and_then(|files| crate::export::zip(&files))
                .map_err(|e| WebError::Internal(format!("building the export: {e}")))
        })
        .await?;
    let day = zone.rfc3339(now());
    let name = format!(
        "tendonwatch-export-{}.zip",
        day.get(..10).unwrap_or("today")
    );
    Ok((
        [
            (header::CONTENT_TYPE, "application/zip".to_string()),
            (
                header::CONTENT_DISPOSITION,
                format!("attachment; filename=\"{name}\""),
            ),
        ],
        bytes,
    )
        .into_response())
}
