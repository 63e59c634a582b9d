//! Possible duplicates on the register: pairs proposed when registrants are created or imported,
//! and officers' decisions on them.

use axum::Json;
use axum::extract::State;
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
use crate::services::duplicates::{self, DuplicateDecisionInput, DuplicateStatus, DuplicateView};

pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(queue)).routes(routes!(decide))
}

#[derive(Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct DuplicateQuery {
    /// `proposed` (default), `confirmed` or `rejected`.
    status: Option<DuplicateStatus>,
    /// 1 to 500; default 50.
    limit: Option<u64>,
}

/// Possible duplicates on the register, most probable first: each pair with the comparison's
/// field-by-field explanation (levels and weights, never values). Audited.
#[utoipa::path(get, path = "/api/v1/duplicates", tag = "linkage", params(DuplicateQuery),
    responses((status = 200, body = Vec<DuplicateView>), (status = 400, body = Problem), (status = 403, body = Problem)))]
async fn queue(
    State(state): State<AppState>,
    caller: Caller,
    Query(query): Query<DuplicateQuery>,
) -> Result<Json<Vec<DuplicateView>>, ApiError> {
    let limit = limit(query.limit)?;
    let status = query.status.unwrap_or(DuplicateStatus::Proposed);
    Ok(Json(duplicates::queue(&state.ctx, &caller, status, limit, clock::now()).await?))
}

/// Confirms that the two records are one person, or rejects the proposal, with a reason.
/// Confirming records the link; it merges nothing.
#[utoipa::path(post, path = "/api/v1/duplicates/{id}/decision", tag = "linkage", params(("id" = Uuid, Path)),
    request_body = DuplicateDecisionInput,
    responses((status = 200, body = DuplicateView), (status = 404, body = Problem), (status = 409, body = Problem), (status = 422, body = Problem)))]
async fn decide(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<Uuid>,
    AppJson(body): AppJson<DuplicateDecisionInput>,
) -> Result<Json<DuplicateView>, ApiError> {
    Ok(Json(duplicates::decide(&state.ctx, &caller, id, body, clock::now()).await?))
}
