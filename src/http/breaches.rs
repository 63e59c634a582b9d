//! Breach routes: record, list and read breaches, and record enforcement decisions.

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use domain::ids::{BreachId, RegistrantId};
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
use crate::services::breaches::input::{DecisionInput, NewBreachInput};
use crate::services::breaches::views::{BreachPage, BreachView};
use crate::services::breaches::{self, ListFilter};
use domain::vocab::BreachStatus;

pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(list)).routes(routes!(record)).routes(routes!(get_one)).routes(routes!(decide))
}

#[derive(Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct ListQuery {
    status: Option<BreachStatus>,
    registrant_id: Option<Uuid>,
    /// Defaults to your organisation.
    managing_org: Option<String>,
    /// Id of the last breach on the previous page.
    after: Option<Uuid>,
    /// 1 to 100; default 50.
    limit: Option<u64>,
}

/// Lists breaches managed by your organisation (or by `managing_org`), oldest first.
#[utoipa::path(get, path = "/api/v1/breaches", tag = "breaches", params(ListQuery),
    responses((status = 200, body = BreachPage), (status = 400, body = Problem), (status = 403, body = Problem)))]
async fn list(State(state): State<AppState>, caller: Caller, Query(query): Query<ListQuery>) -> Result<Json<BreachPage>, ApiError> {
    let limit = limit(query.limit)?;
    let filter = ListFilter {
        status: query.status,
        registrant_id: query.registrant_id.map(RegistrantId::from),
        managing_org: query.managing_org,
        after: query.after,
        limit,
    };
    Ok(Json(breaches::list(&state.ctx, &caller, filter, clock::now()).await?))
}

/// Records a breach of a registrant your organisation manages. Referenced orders, conditions
/// and occurrences must be this registrant's.
#[utoipa::path(post, path = "/api/v1/registrants/{id}/breaches", tag = "breaches", params(("id" = Uuid, Path)), request_body = NewBreachInput,
    responses((status = 201, body = BreachView), (status = 403, body = Problem), (status = 409, body = Problem), (status = 422, body = Problem)))]
async fn record(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<RegistrantId>,
    AppJson(body): AppJson<NewBreachInput>,
) -> Result<(StatusCode, Json<BreachView>), ApiError> {
    let view = breaches::record(&state.ctx, &caller, id, body, clock::now()).await?;
    Ok((StatusCode::CREATED, Json(view)))
}

/// One breach with its enforcement decisions.
#[utoipa::path(get, path = "/api/v1/breaches/{id}", tag = "breaches", params(("id" = Uuid, Path)),
    responses((status = 200, body = BreachView), (status = 404, body = Problem)))]
async fn get_one(State(state): State<AppState>, caller: Caller, Path(id): Path<BreachId>) -> Result<Json<BreachView>, ApiError> {
    Ok(Json(breaches::get(&state.ctx, &caller, id, clock::now()).await?))
}

/// Records an enforcement decision (who decided, in which role, and why); the breach becomes
/// `decided`. `version` must be the one you read.
#[utoipa::path(post, path = "/api/v1/breaches/{id}/decisions", tag = "breaches", params(("id" = Uuid, Path)), request_body = DecisionInput,
    responses((status = 201, body = BreachView), (status = 403, body = Problem), (status = 409, body = Problem), (status = 422, body = Problem)))]
async fn decide(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<BreachId>,
    AppJson(body): AppJson<DecisionInput>,
) -> Result<(StatusCode, Json<BreachView>), ApiError> {
    let view = breaches::decide(&state.ctx, &caller, id, body, clock::now()).await?;
    Ok((StatusCode::CREATED, Json(view)))
}
