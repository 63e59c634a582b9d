//! Reference data, so that clients never hard-code Vigil's vocabularies.

use axum::Json;
use axum::extract::State;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::AppState;
use super::error::{ApiError, Problem};
use crate::auth::Caller;
use crate::services::reference::{self, ReferenceData};

pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(all))
}

/// Notification regimes and their rules, order kinds (with each one's default regime),
/// condition kinds and categories, reasons for access (and which need a reference), compliance
/// outcomes and identifier kinds (and what else each needs). Open to every signed-in role;
/// holds nothing about a person.
#[utoipa::path(get, path = "/api/v1/reference", tag = "reference",
    responses((status = 200, body = ReferenceData), (status = 401, body = Problem)))]
async fn all(State(state): State<AppState>, caller: Caller) -> Result<Json<ReferenceData>, ApiError> {
    Ok(Json(reference::all(&state.ctx, &caller).await?))
}
