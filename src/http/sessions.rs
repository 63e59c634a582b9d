//! Administrators' session controls (`services::web_sessions`).

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;
use uuid::Uuid;

use super::AppState;
use super::error::{ApiError, Problem};
use super::extract::{AppJson, Path, Query, limit};
use crate::auth::Caller;
use crate::clock;
use crate::services::web_sessions::{self, RevocationInput, RevocationResult, SessionQuery, SessionView};

pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(list)).routes(routes!(end)).routes(routes!(revoke))
}

/// Live browser sessions, most recently active first.
#[utoipa::path(get, path = "/api/v1/sessions", tag = "operations", params(SessionQuery),
    responses((status = 200, body = Vec<SessionView>), (status = 403, body = Problem)))]
async fn list(State(state): State<AppState>, caller: Caller, Query(q): Query<SessionQuery>) -> Result<Json<Vec<SessionView>>, ApiError> {
    let limit = limit(q.limit)?;
    Ok(Json(web_sessions::list(&state.ctx, &caller, q, limit, clock::now()).await?))
}

/// Ends one session at once: its next request gets 401.
#[utoipa::path(delete, path = "/api/v1/sessions/{id}", tag = "operations", params(("id" = Uuid, Path)),
    responses((status = 204), (status = 403, body = Problem), (status = 404, body = Problem)))]
async fn end(State(state): State<AppState>, caller: Caller, Path(id): Path<Uuid>) -> Result<StatusCode, ApiError> {
    web_sessions::end(&state.ctx, &caller, id, clock::now()).await.map(|()| StatusCode::NO_CONTENT).map_err(ApiError::from)
}

/// Ends every live session of one person, or of everyone.
#[utoipa::path(post, path = "/api/v1/sessions/revocations", tag = "operations", request_body = RevocationInput,
    responses((status = 200, body = RevocationResult), (status = 403, body = Problem), (status = 422, body = Problem)))]
async fn revoke(
    State(state): State<AppState>,
    caller: Caller,
    AppJson(body): AppJson<RevocationInput>,
) -> Result<Json<RevocationResult>, ApiError> {
    let (subject, everyone) = (body.subject.clone(), body.everyone);
    let result = web_sessions::revoke(&state.ctx, &caller, body, clock::now()).await?;
    // Their bearer tokens are checked afresh from now on (`auth::token_cache`).
    match subject {
        Some(subject) if !everyone => state.validator.cache.forget_subject(&state.validator.issuer, &subject),
        _ => state.validator.cache.clear(),
    }
    Ok(Json(result))
}
