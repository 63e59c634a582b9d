//! The link review queue: links a register check proposed, and officers' decisions on them.

use axum::Json;
use axum::extract::State;
use domain::ids::LinkId;
use serde::Deserialize;
use utoipa::IntoParams;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::AppState;
use super::error::{ApiError, Problem};
use super::extract::{AppJson, Path, Query, limit};
use crate::auth::Caller;
use crate::clock;
use crate::services::checks::views::{LinkDecisionInput, LinkStatus, LinkView};
use crate::services::links::{self, LinkReview};

pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(queue)).routes(routes!(review)).routes(routes!(decide))
}

#[derive(Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct QueueQuery {
    /// `pending` (default) or `needs_info`.
    status: Option<LinkStatus>,
    /// 1 to 500; default 50.
    limit: Option<u64>,
}

/// The review queue: open links (pending by default, or those waiting for information), most
/// probable first.
#[utoipa::path(get, path = "/api/v1/links", tag = "linkage", params(QueueQuery),
    responses((status = 200, body = Vec<LinkView>), (status = 400, body = Problem), (status = 403, body = Problem)))]
async fn queue(State(state): State<AppState>, caller: Caller, Query(query): Query<QueueQuery>) -> Result<Json<Vec<LinkView>>, ApiError> {
    let limit = limit(query.limit)?;
    let status = query.status.unwrap_or(LinkStatus::Pending);
    Ok(Json(links::queue(&state.ctx, &caller, status, limit, clock::now()).await?))
}

/// One link with both sides, for deciding it: the report's suspect and the candidate (a
/// registrant or an earlier report's suspect) as the linker compared them, with its
/// field-by-field explanation. Never a victim. Needs a justification; audited.
#[utoipa::path(get, path = "/api/v1/links/{id}", tag = "linkage", params(("id" = Uuid, Path)),
    responses((status = 200, body = LinkReview), (status = 404, body = Problem), (status = 403, body = Problem)))]
async fn review(State(state): State<AppState>, caller: Caller, Path(id): Path<LinkId>) -> Result<Json<LinkReview>, ApiError> {
    Ok(Json(links::review(&state.ctx, &caller, id, clock::now()).await?))
}

/// Confirms or rejects a proposed link, or marks it as needing information, with a reason. A
/// rejected pair is never proposed again; a confirmed link counts towards serial patterns.
#[utoipa::path(post, path = "/api/v1/links/{id}/decision", tag = "linkage", params(("id" = Uuid, Path)), request_body = LinkDecisionInput,
    responses((status = 200, body = LinkView), (status = 404, body = Problem), (status = 409, body = Problem), (status = 422, body = Problem)))]
async fn decide(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<LinkId>,
    AppJson(body): AppJson<LinkDecisionInput>,
) -> Result<Json<LinkView>, ApiError> {
    Ok(Json(links::decide(&state.ctx, &caller, id, body, clock::now()).await?))
}
