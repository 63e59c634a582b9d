//! The audit trail for auditors: search and export (`services::audit::search`).

use axum::Json;
use axum::extract::State;
use axum::http::{HeaderValue, header};
use axum::response::{IntoResponse, Response};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::AppState;
use super::error::{ApiError, Problem};
use super::extract::Query;
use crate::auth::Caller;
use crate::clock;
use crate::services::audit::search::{self, AuditPage, AuditQuery};

pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(events)).routes(routes!(export))
}

/// Audit entries by record, user and date, oldest first (audited as a consultation).
#[utoipa::path(get, path = "/api/v1/audit/events", tag = "audit", params(AuditQuery),
    responses((status = 200, body = AuditPage), (status = 400, body = Problem), (status = 403, body = Problem), (status = 422, body = Problem)))]
async fn events(State(state): State<AppState>, caller: Caller, Query(q): Query<AuditQuery>) -> Result<Json<AuditPage>, ApiError> {
    Ok(Json(search::search(&state.ctx, &caller, q, clock::now()).await?))
}

/// Every matching entry as newline-delimited JSON, up to 50,000 (audited as a disclosure; needs
/// a `Vigil-Reason-Code` header). `Vigil-Export-Truncated: true` says there were more.
#[utoipa::path(get, path = "/api/v1/audit/export", tag = "audit", params(AuditQuery),
    responses((status = 200, content_type = "application/x-ndjson", body = String,
        example = r#"{"action":"consultation","actor_issuer":"urn:vigil:development","actor_org":"met","actor_role":"supervisor","actor_subject":"officer-example-1","chain_position":1,"crime_reference":"EXAMPLE/2026/1","id":"0190a1b2-0000-7000-8000-0000000e0004","occurred_at":"2026-12-01T07:22:10.268756Z","operation":"alert.acknowledge","outcome":"denied","reason_code":"INVESTIGATION","record_ids":["0190a1b2-0000-7000-8000-0000000e0005"],"record_type":"alert","request_id":"0190a1b2-0000-7000-8000-0000000e0006","sealed_at":"2026-12-01T07:22:10.763904Z","seq":1}
"#), (status = 403, body = Problem), (status = 422, body = Problem)))]
async fn export(State(state): State<AppState>, caller: Caller, Query(q): Query<AuditQuery>) -> Result<Response, ApiError> {
    let rows = search::export(&state.ctx, &caller, q, clock::now()).await?;
    let truncated = rows.len() as u64 >= search::EXPORT_LIMIT;
    let mut body = String::with_capacity(rows.len() * 400);
    for row in &rows {
        body.push_str(&serde_json::to_string(row).unwrap_or_default());
        body.push('\n');
    }
    let mut response = body.into_response();
    let headers = response.headers_mut();
    headers.insert(header::CONTENT_TYPE, HeaderValue::from_static("application/x-ndjson"));
    headers.insert(header::CONTENT_DISPOSITION, HeaderValue::from_static("attachment; filename=\"vigil-audit-export.ndjson\""));
    headers.insert("vigil-export-truncated", HeaderValue::from_static(if truncated { "true" } else { "false" }));
    Ok(response)
}
