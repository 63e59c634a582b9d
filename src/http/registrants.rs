//! Registrant routes.

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use domain::ids::RegistrantId;
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
use crate::services::registrants::addresses::{AddressCorrectionInput, AddressEndInput};
use crate::services::registrants::input::{AddressInput, IdentifierInput, NameInput, NewRegistrantInput, UpdateRegistrantInput};
use crate::services::registrants::search::SearchInput;
use crate::services::registrants::views::{RegistrantPage, RegistrantSummary, RegistrantView};
use crate::services::registrants::{self, Addition, ListFilter};
use domain::vocab::{RegistrantStatus, RiskLevel};

pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list, create))
        .routes(routes!(search))
        .routes(routes!(get_one, update))
        .routes(routes!(add_name))
        .routes(routes!(add_address))
        .routes(routes!(end_address))
        .routes(routes!(correct_address))
        .routes(routes!(add_identifier))
}

#[derive(Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct ListQuery {
    status: Option<RegistrantStatus>,
    managing_org: Option<String>,
    risk_level: Option<RiskLevel>,
    /// Id of the last registrant on the previous page.
    after: Option<Uuid>,
    /// 1 to 100; default 50.
    limit: Option<u64>,
}

/// Lists registrants (national for public protection roles; supervised ones for probation).
#[utoipa::path(get, path = "/api/v1/registrants", tag = "registrants", params(ListQuery),
    responses((status = 200, body = RegistrantPage), (status = 400, body = Problem), (status = 401, body = Problem), (status = 403, body = Problem)))]
async fn list(State(state): State<AppState>, caller: Caller, Query(query): Query<ListQuery>) -> Result<Json<RegistrantPage>, ApiError> {
    let limit = limit(query.limit)?;
    let filter =
        ListFilter { status: query.status, managing_org: query.managing_org, risk_level: query.risk_level, after: query.after, limit };
    Ok(Json(registrants::list(&state.ctx, &caller, filter, clock::now()).await?))
}

/// Registers a person, with names, dates of birth, descriptors, addresses and identifiers.
#[utoipa::path(post, path = "/api/v1/registrants", tag = "registrants", request_body = NewRegistrantInput,
    responses((status = 201, body = RegistrantView), (status = 400, body = Problem), (status = 403, body = Problem), (status = 422, body = Problem)))]
async fn create(
    State(state): State<AppState>,
    caller: Caller,
    AppJson(body): AppJson<NewRegistrantInput>,
) -> Result<(StatusCode, Json<RegistrantView>), ApiError> {
    let view = registrants::create(&state.ctx, &caller, body, clock::now()).await?;
    Ok((StatusCode::CREATED, Json(view)))
}

/// Exact-match search by identifier, or by name with an optional date of birth, through blind
/// indexes. Requires a `Vigil-Reason-Code` header; audited as a consultation (without the
/// searched values).
#[utoipa::path(post, path = "/api/v1/registrants/search", tag = "registrants", request_body = SearchInput,
    responses((status = 200, body = Vec<RegistrantSummary>), (status = 403, body = Problem), (status = 422, body = Problem)))]
async fn search(
    State(state): State<AppState>,
    caller: Caller,
    AppJson(body): AppJson<SearchInput>,
) -> Result<Json<Vec<RegistrantSummary>>, ApiError> {
    Ok(Json(registrants::search::search(&state.ctx, &caller, body, clock::now()).await?))
}

/// One registrant in full. Audited as a consultation; send `Vigil-Reason-Code` and
/// `Vigil-Crime-Reference` headers to record why.
#[utoipa::path(get, path = "/api/v1/registrants/{id}", tag = "registrants", params(("id" = Uuid, Path)),
    responses((status = 200, body = RegistrantView), (status = 404, body = Problem)))]
async fn get_one(State(state): State<AppState>, caller: Caller, Path(id): Path<RegistrantId>) -> Result<Json<RegistrantView>, ApiError> {
    Ok(Json(registrants::get(&state.ctx, &caller, id, clock::now()).await?))
}

/// Changes a registrant; `version` must be the one you read (409 otherwise).
#[utoipa::path(patch, path = "/api/v1/registrants/{id}", tag = "registrants", params(("id" = Uuid, Path)), request_body = UpdateRegistrantInput,
    responses((status = 200, body = RegistrantView), (status = 409, body = Problem), (status = 422, body = Problem)))]
async fn update(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<RegistrantId>,
    AppJson(body): AppJson<UpdateRegistrantInput>,
) -> Result<Json<RegistrantView>, ApiError> {
    Ok(Json(registrants::update(&state.ctx, &caller, id, body, clock::now()).await?))
}

/// Adds a name (alias, deed-poll change) to the registrant's history.
#[utoipa::path(post, path = "/api/v1/registrants/{id}/names", tag = "registrants", params(("id" = Uuid, Path)), request_body = NameInput,
    responses((status = 201, body = RegistrantView), (status = 422, body = Problem)))]
async fn add_name(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<RegistrantId>,
    AppJson(body): AppJson<NameInput>,
) -> Result<(StatusCode, Json<RegistrantView>), ApiError> {
    added(&state, &caller, id, Addition::Name(body)).await
}

/// Adds an address; a new home address ends the previous one the day before it starts.
#[utoipa::path(post, path = "/api/v1/registrants/{id}/addresses", tag = "registrants", params(("id" = Uuid, Path)), request_body = AddressInput,
    responses((status = 201, body = RegistrantView), (status = 422, body = Problem)))]
async fn add_address(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<RegistrantId>,
    AppJson(body): AppJson<AddressInput>,
) -> Result<(StatusCode, Json<RegistrantView>), ApiError> {
    added(&state, &caller, id, Addition::Address(body)).await
}

/// Ends an address on the last day the registrant lived (or was found) there. Ending the only
/// home address means the registrant has no home address from the next day: for regimes that
/// require it (DAA 2021 s.41), a change to notify. An address already ended answers 409.
#[utoipa::path(post, path = "/api/v1/registrants/{id}/addresses/{address_id}/end", tag = "registrants",
    params(("id" = Uuid, Path), ("address_id" = Uuid, Path)), request_body = AddressEndInput,
    responses((status = 200, body = RegistrantView), (status = 404, body = Problem), (status = 409, body = Problem), (status = 422, body = Problem)))]
async fn end_address(
    State(state): State<AppState>,
    caller: Caller,
    Path((id, address_id)): Path<(RegistrantId, Uuid)>,
    AppJson(body): AppJson<AddressEndInput>,
) -> Result<Json<RegistrantView>, ApiError> {
    Ok(Json(registrants::addresses::end(&state.ctx, &caller, id, address_id, body, clock::now()).await?))
}

/// Corrects an address recorded wrongly (not a move: a move is a new address), with the reason.
/// A corrected start date moves the change notification duty it started to the right day.
#[utoipa::path(post, path = "/api/v1/registrants/{id}/addresses/{address_id}/correction", tag = "registrants",
    params(("id" = Uuid, Path), ("address_id" = Uuid, Path)), request_body = AddressCorrectionInput,
    responses((status = 200, body = RegistrantView), (status = 404, body = Problem), (status = 422, body = Problem)))]
async fn correct_address(
    State(state): State<AppState>,
    caller: Caller,
    Path((id, address_id)): Path<(RegistrantId, Uuid)>,
    AppJson(body): AppJson<AddressCorrectionInput>,
) -> Result<Json<RegistrantView>, ApiError> {
    Ok(Json(registrants::addresses::correct(&state.ctx, &caller, id, address_id, body, clock::now()).await?))
}

/// Adds an identifier (phone, email, online handle, IMEI, vehicle, national identifiers).
#[utoipa::path(post, path = "/api/v1/registrants/{id}/identifiers", tag = "registrants", params(("id" = Uuid, Path)), request_body = IdentifierInput,
    responses((status = 201, body = RegistrantView), (status = 422, body = Problem)))]
async fn add_identifier(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<RegistrantId>,
    AppJson(body): AppJson<IdentifierInput>,
) -> Result<(StatusCode, Json<RegistrantView>), ApiError> {
    added(&state, &caller, id, Addition::Identifier(body)).await
}

async fn added(
    state: &AppState,
    caller: &Caller,
    id: RegistrantId,
    addition: Addition,
) -> Result<(StatusCode, Json<RegistrantView>), ApiError> {
    let view = registrants::add(&state.ctx, caller, id, addition, clock::now()).await?;
    Ok((StatusCode::CREATED, Json(view)))
}
