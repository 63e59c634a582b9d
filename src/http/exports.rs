//! CSV exports of the officer's lists (`services::exports`): a file download, audited as a
//! disclosure with the request's justification.

use axum::extract::State;
use axum::http::header;
use axum::response::{IntoResponse, Response};
use domain::vocab::{BreachStatus, ObligationKind};
use serde::Deserialize;
use utoipa::IntoParams;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::AppState;
use super::error::{ApiError, Problem};
use super::extract::Query;
use crate::auth::Caller;
use crate::clock;
use crate::services::exports::{self, Csv};

pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(caseload)).routes(routes!(breaches)).routes(routes!(overdue))
}

/// The file, as an attachment; the row count and whether the list was cut short in headers.
pub fn download(csv: Csv) -> Response {
    (
        [
            (header::CONTENT_TYPE, "text/csv; charset=utf-8".to_owned()),
            (header::CONTENT_DISPOSITION, format!("attachment; filename=\"{}\"", csv.filename)),
            (header::HeaderName::from_static("vigil-export-rows"), csv.rows.to_string()),
            (header::HeaderName::from_static("vigil-export-truncated"), csv.truncated.to_string()),
        ],
        csv.body,
    )
        .into_response()
}

/// Your caseload as CSV (reference, name, status, risk, organisations), every page up to
/// 5,000 rows. Needs a reason; audited as a disclosure naming every registrant in the file.
#[utoipa::path(get, path = "/api/v1/exports/caseload", tag = "exports",
    responses((status = 200, content_type = "text/csv", body = String), (status = 403, body = Problem), (status = 422, body = Problem)))]
async fn caseload(State(state): State<AppState>, caller: Caller) -> Result<Response, ApiError> {
    Ok(download(exports::caseload(&state.ctx, &caller, clock::now()).await?))
}

#[derive(Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct BreachesQuery {
    /// Only breaches in this status; all when absent.
    status: Option<BreachStatus>,
}

/// Your organisation's breaches as CSV. Needs a reason; audited as a disclosure.
#[utoipa::path(get, path = "/api/v1/exports/breaches", tag = "exports", params(BreachesQuery),
    responses((status = 200, content_type = "text/csv", body = String), (status = 400, body = Problem), (status = 403, body = Problem), (status = 422, body = Problem)))]
async fn breaches(State(state): State<AppState>, caller: Caller, Query(q): Query<BreachesQuery>) -> Result<Response, ApiError> {
    Ok(download(exports::breaches(&state.ctx, &caller, q.status, clock::now()).await?))
}

#[derive(Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct OverdueQuery {
    /// Only duties of this kind.
    kind: Option<ObligationKind>,
}

/// Duties past due as CSV, oldest first. Needs a reason; audited as a disclosure.
#[utoipa::path(get, path = "/api/v1/exports/overdue", tag = "exports", params(OverdueQuery),
    responses((status = 200, content_type = "text/csv", body = String), (status = 400, body = Problem), (status = 403, body = Problem), (status = 422, body = Problem)))]
async fn overdue(State(state): State<AppState>, caller: Caller, Query(q): Query<OverdueQuery>) -> Result<Response, ApiError> {
    Ok(download(exports::overdue(&state.ctx, &caller, q.kind, clock::now()).await?))
}
