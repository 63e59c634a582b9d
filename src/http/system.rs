//! Health checks, "who am I" and the reason codes a read can give.

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use serde::Serialize;
use utoipa::ToSchema;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::AppState;
use crate::auth::Caller;

pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(me)).routes(routes!(reasons))
}

/// Outside the `/api` policy layer: orchestrators probe these without a token.
pub fn health_routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(live)).routes(routes!(ready))
}

#[derive(Serialize, ToSchema)]
pub struct Me {
    pub issuer: String,
    pub subject: String,
    pub roles: Vec<crate::auth::Role>,
    pub organisation: String,
}

/// The authenticated caller as the service sees them.
#[utoipa::path(get, path = "/api/v1/me", tag = "system", responses((status = 200, body = Me), (status = 401, body = super::error::Problem)))]
async fn me(caller: Caller) -> Json<Me> {
    Json(Me { issuer: caller.issuer, subject: caller.subject, roles: caller.roles, organisation: caller.org })
}

/// The reason codes a read of a person's content can give in `Vigil-Reason-Code`, and whether
/// each needs a crime or case reference in `Vigil-Crime-Reference`.
#[utoipa::path(get, path = "/api/v1/reasons", tag = "system", responses((status = 200, body = [domain::reasons::Reason]), (status = 401, body = super::error::Problem)))]
async fn reasons(_caller: Caller) -> Json<&'static [domain::reasons::Reason]> {
    Json(domain::reasons::REASONS)
}

/// Liveness: the process answers HTTP. Needs no token.
#[utoipa::path(get, path = "/health/live", tag = "system", security(()),
    responses((status = 200, description = "The process is running", content_type = "text/plain", body = String, example = "ok")))]
async fn live() -> &'static str {
    "ok"
}

/// Readiness: ready when the database answers. Needs no token.
#[utoipa::path(get, path = "/health/ready", tag = "system", security(()),
    responses(
        (status = 200, description = "The database answers", content_type = "text/plain", body = String, example = "ready"),
        (status = 503, description = "The database does not answer", content_type = "text/plain", body = String, example = "database unavailable"),
    ))]
async fn ready(State(state): State<AppState>) -> (StatusCode, &'static str) {
    match state.ctx.db.ping().await {
        Ok(()) => (StatusCode::OK, "ready"),
        Err(err) => {
            tracing::warn!(error = %err, "readiness check failed");
            (StatusCode::SERVICE_UNAVAILABLE, "database unavailable")
        }
    }
}
