//! Four-eyes requests: discharge of an order, erasure of a registrant (`services::approvals`).

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use domain::ids::ApprovalId;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::AppState;
use super::error::{ApiError, Problem};
use super::extract::{AppJson, Path, Query};
use crate::auth::Caller;
use crate::clock;
use crate::services::approvals::{self, ApprovalDecisionInput, ApprovalFilter, ApprovalRequestInput, ApprovalView};

pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(list, request)).routes(routes!(one)).routes(routes!(decide))
}

/// The organisation's four-eyes requests (pending unless `status` says otherwise).
#[utoipa::path(get, path = "/api/v1/approvals", tag = "approvals", params(ApprovalFilter),
    responses((status = 200, body = Vec<ApprovalView>), (status = 403, body = Problem)))]
async fn list(
    State(state): State<AppState>,
    caller: Caller,
    Query(filter): Query<ApprovalFilter>,
) -> Result<Json<Vec<ApprovalView>>, ApiError> {
    Ok(Json(approvals::list(&state.ctx, &caller, filter, clock::now()).await?))
}

/// Asks a second supervisor to approve an order's discharge or a registrant's erasure. Needs a
/// recent authentication (401 `insufficient_user_authentication` otherwise).
#[utoipa::path(post, path = "/api/v1/approvals", tag = "approvals", request_body = ApprovalRequestInput,
    responses((status = 201, body = ApprovalView), (status = 401, body = Problem), (status = 403, body = Problem),
        (status = 409, body = Problem), (status = 422, body = Problem)))]
async fn request(
    State(state): State<AppState>,
    caller: Caller,
    AppJson(body): AppJson<ApprovalRequestInput>,
) -> Result<(StatusCode, Json<ApprovalView>), ApiError> {
    approvals::request(&state.ctx, &caller, body, clock::now()).await.map(|v| (StatusCode::CREATED, Json(v))).map_err(ApiError::from)
}

/// One of the organisation's four-eyes requests, whatever its status (audited as a consultation).
#[utoipa::path(get, path = "/api/v1/approvals/{id}", tag = "approvals", params(("id" = Uuid, Path)),
    responses((status = 200, body = ApprovalView), (status = 403, body = Problem), (status = 404, body = Problem)))]
async fn one(State(state): State<AppState>, caller: Caller, Path(id): Path<ApprovalId>) -> Result<Json<ApprovalView>, ApiError> {
    Ok(Json(approvals::get(&state.ctx, &caller, id, clock::now()).await?))
}

/// Approves (and applies) or rejects a request; only someone other than the requester may.
#[utoipa::path(post, path = "/api/v1/approvals/{id}/decision", tag = "approvals", params(("id" = Uuid, Path)),
    request_body = ApprovalDecisionInput,
    responses((status = 200, body = ApprovalView), (status = 401, body = Problem), (status = 403, body = Problem),
        (status = 404, body = Problem), (status = 409, body = Problem), (status = 422, body = Problem)))]
async fn decide(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<ApprovalId>,
    AppJson(body): AppJson<ApprovalDecisionInput>,
) -> Result<Json<ApprovalView>, ApiError> {
    Ok(Json(approvals::decide(&state.ctx, &caller, id, body, clock::now()).await?))
}
