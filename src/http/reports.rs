//! Crime reports and the register checks run on them.

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use domain::ids::{AlertId, CheckId, ReportId};
use serde::Deserialize;
use utoipa::IntoParams;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;
use uuid::Uuid;

use super::AppState;
use super::error::{ApiError, Problem};
use super::extract::{AppJson, Path, Query, limit};
use crate::auth::Caller;
use crate::clock;
use crate::services::checks::pattern_view::{self, PatternView};
use crate::services::checks::views::{CheckResponse, CheckView};
use crate::services::reports::ReportReceipt;
use crate::services::reports::input::NewReportInput;
use crate::services::reports::read::{self, ReportFilter, ReportPage, ReportView};
use crate::services::{checks, reports};

pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(create_report, list_reports))
        .routes(routes!(get_report))
        .routes(routes!(run_check))
        .routes(routes!(get_check))
        .routes(routes!(get_pattern))
}

/// Records a crime report: classifications, victim (pseudonymous reference, sealed details)
/// and suspect particulars, all sealed and blind-indexed.
#[utoipa::path(post, path = "/api/v1/reports", tag = "linkage", request_body = NewReportInput,
    responses((status = 201, body = ReportReceipt), (status = 403, body = Problem), (status = 409, body = Problem), (status = 422, body = Problem)))]
async fn create_report(
    State(state): State<AppState>,
    caller: Caller,
    AppJson(body): AppJson<NewReportInput>,
) -> Result<(StatusCode, Json<ReportReceipt>), ApiError> {
    let receipt = reports::create(&state.ctx, &caller, body, clock::now()).await?;
    Ok((StatusCode::CREATED, Json(receipt)))
}

#[derive(Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct ReportListQuery {
    /// Only reports recorded by this force.
    force: Option<String>,
    /// The `next_after` of the previous page.
    after: Option<Uuid>,
    /// 1 to 100; default 50.
    limit: Option<u64>,
}

/// Crime reports in recording order, without sealed content: all of them for reviewers, the
/// caller's own organisation's for intake staff. Audited as a consultation.
#[utoipa::path(get, path = "/api/v1/reports", tag = "linkage", params(ReportListQuery),
    responses((status = 200, body = ReportPage), (status = 400, body = Problem), (status = 403, body = Problem)))]
async fn list_reports(
    State(state): State<AppState>,
    caller: Caller,
    Query(query): Query<ReportListQuery>,
) -> Result<Json<ReportPage>, ApiError> {
    let limit = limit(query.limit)?;
    let filter = ReportFilter { force: query.force, after: query.after, limit };
    Ok(Json(read::list(&state.ctx, &caller, filter, clock::now()).await?))
}

/// One crime report in full (victim and suspect details decrypted) with the checks run on it.
/// Audited as a consultation; intake staff may read only their own organisation's reports.
#[utoipa::path(get, path = "/api/v1/reports/{id}", tag = "linkage", params(("id" = Uuid, Path)),
    responses((status = 200, body = ReportView), (status = 403, body = Problem), (status = 404, body = Problem)))]
async fn get_report(State(state): State<AppState>, caller: Caller, Path(id): Path<ReportId>) -> Result<Json<ReportView>, ApiError> {
    Ok(Json(read::get(&state.ctx, &caller, id, clock::now()).await?))
}

/// Runs a register check on a report against registrants and earlier reports. Requires the
/// `Vigil-Reason-Code` and `Vigil-Crime-Reference` headers; rate-limited per user (429 with
/// `Retry-After`). Intake staff get only `result`, `check_reference` and `contact_route`.
#[utoipa::path(post, path = "/api/v1/reports/{id}/checks", tag = "linkage", params(("id" = Uuid, Path)),
    responses((status = 200, body = CheckResponse), (status = 404, body = Problem), (status = 422, body = Problem), (status = 429, body = Problem)))]
async fn run_check(State(state): State<AppState>, caller: Caller, Path(id): Path<ReportId>) -> Result<Json<CheckResponse>, ApiError> {
    Ok(Json(checks::run(&state.ctx, &caller, id, clock::now()).await?))
}

/// A stored check with every candidate, its score and field-by-field explanation.
#[utoipa::path(get, path = "/api/v1/checks/{id}", tag = "linkage", params(("id" = Uuid, Path)),
    responses((status = 200, body = CheckView), (status = 403, body = Problem), (status = 404, body = Problem)))]
async fn get_check(State(state): State<AppState>, caller: Caller, Path(id): Path<CheckId>) -> Result<Json<CheckView>, ApiError> {
    Ok(Json(checks::get(&state.ctx, &caller, id, clock::now()).await?))
}

/// The pattern a serial-pattern alert of your organisation reports: its reports (victims as V1,
/// V2…, never named), the suspect identifiers they share, and whether the registrant has an
/// order in force. Audited as a consultation.
#[utoipa::path(get, path = "/api/v1/patterns/{id}", tag = "linkage", params(("id" = Uuid, Path, description = "The serial-pattern alert's id")),
    responses((status = 200, body = PatternView), (status = 403, body = Problem), (status = 404, body = Problem)))]
async fn get_pattern(State(state): State<AppState>, caller: Caller, Path(id): Path<AlertId>) -> Result<Json<PatternView>, ApiError> {
    Ok(Json(pattern_view::get(&state.ctx, &caller, id, clock::now()).await?))
}
