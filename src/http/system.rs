//! Health checks, "who am I" and the reason codes a read can give.

use axum::Json;
use axum::Router;
use axum::extract::State;
use axum::http::StatusCode;
use axum::routing::get;
use serde::Serialize;
use utoipa::ToSchema;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::AppState;
use crate::auth::Caller;

pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(me)).routes(routes!(reasons))
}

pub fn health_routes() -> Router<AppState> {
    Router::new().route("/health/live", get(live)).route("/health/ready", get(ready))
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

async fn live() -> &'static str {
    "ok"
}

/// Ready when the database answers.
async fn ready(State(state): State<AppState>) -> (StatusCode, &'static str) {
    match state.ctx.db.ping().await {
        Ok(()) => (StatusCode::OK, "ready"),
        Err(err) => {
            tracing::warn!(error = %err, "readiness check failed");
            (StatusCode::SERVICE_UNAVAILABLE, "database unavailable")
        }
    }
}
