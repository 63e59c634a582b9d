//! Order routes: record and read orders, record service, change status, record a variation or
//! renewal.

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use domain::ids::{OrderId, RegistrantId};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::AppState;
use super::error::{ApiError, Problem};
use super::extract::{AppJson, Path};
use crate::auth::Caller;
use crate::clock;
use crate::services::orders;
use crate::services::orders::input::{NewOrderInput, ServiceInput, StatusChangeInput, VariationInput};
use crate::services::orders::views::{OrderList, OrderView};

pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list_for_registrant, create))
        .routes(routes!(get_one))
        .routes(routes!(record_service))
        .routes(routes!(change_status))
        .routes(routes!(vary))
}

/// Records an order against a registrant your organisation manages, with its protected persons
/// and conditions. Creates the notification duty of its regime and the obligations of its
/// scheduled requirements.
#[utoipa::path(post, path = "/api/v1/registrants/{id}/orders", tag = "orders", params(("id" = Uuid, Path)), request_body = NewOrderInput,
    responses((status = 201, body = OrderView), (status = 403, body = Problem), (status = 404, body = Problem), (status = 422, body = Problem)))]
async fn create(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<RegistrantId>,
    AppJson(body): AppJson<NewOrderInput>,
) -> Result<(StatusCode, Json<OrderView>), ApiError> {
    let view = orders::create(&state.ctx, &caller, id, body, clock::now()).await?;
    Ok((StatusCode::CREATED, Json(view)))
}

/// The orders of a registrant. Protected persons are included only for roles that may see them.
#[utoipa::path(get, path = "/api/v1/registrants/{id}/orders", tag = "orders", params(("id" = Uuid, Path)),
    responses((status = 200, body = OrderList), (status = 404, body = Problem)))]
async fn list_for_registrant(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<RegistrantId>,
) -> Result<Json<OrderList>, ApiError> {
    Ok(Json(orders::list_for_registrant(&state.ctx, &caller, id, clock::now()).await?))
}

/// One order. Protected persons are included only for roles that may see them (a disclosure,
/// audited as such); probation sees orders of registrants it supervises only.
#[utoipa::path(get, path = "/api/v1/orders/{id}", tag = "orders", params(("id" = Uuid, Path)),
    responses((status = 200, body = OrderView), (status = 404, body = Problem)))]
async fn get_one(State(state): State<AppState>, caller: Caller, Path(id): Path<OrderId>) -> Result<Json<OrderView>, ApiError> {
    Ok(Json(orders::get(&state.ctx, &caller, id, clock::now()).await?))
}

/// Records the day the order was served; for regimes that count from service this starts the
/// initial notification period. `version` must be the one you read.
#[utoipa::path(post, path = "/api/v1/orders/{id}/service", tag = "orders", params(("id" = Uuid, Path)), request_body = ServiceInput,
    responses((status = 200, body = OrderView), (status = 409, body = Problem), (status = 422, body = Problem)))]
async fn record_service(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<OrderId>,
    AppJson(body): AppJson<ServiceInput>,
) -> Result<Json<OrderView>, ApiError> {
    Ok(Json(orders::record_service(&state.ctx, &caller, id, body, clock::now()).await?))
}

/// Moves the order along its lifecycle (409 `illegal_transition` otherwise). Discharge needs a
/// supervisor. An order that stops being in force closes its obligations.
#[utoipa::path(post, path = "/api/v1/orders/{id}/status", tag = "orders", params(("id" = Uuid, Path)), request_body = StatusChangeInput,
    responses((status = 200, body = OrderView), (status = 403, body = Problem), (status = 409, body = Problem), (status = 422, body = Problem)))]
async fn change_status(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<OrderId>,
    AppJson(body): AppJson<StatusChangeInput>,
) -> Result<Json<OrderView>, ApiError> {
    Ok(Json(orders::change_status(&state.ctx, &caller, id, body, clock::now()).await?))
}

/// Records a court's variation or renewal of the order (SPA 2019 s.7, DAA 2021 s.44–45) as a new
/// version of its terms: the hearing, the reason, the conditions and protected persons removed
/// (by id) and added, and the order's new end. Duties follow from `effective_on`: sessions of a
/// removed requirement are excused with the reason, an added requirement's are created, and a
/// new end moves every schedule's last session. `version` must be the one you read; an order no
/// longer in force answers 409 `not_in_force`.
#[utoipa::path(post, path = "/api/v1/orders/{id}/variations", tag = "orders", params(("id" = Uuid, Path)), request_body = VariationInput,
    responses((status = 201, body = OrderView), (status = 403, body = Problem), (status = 404, body = Problem), (status = 409, body = Problem),
        (status = 422, body = Problem)))]
async fn vary(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<OrderId>,
    AppJson(body): AppJson<VariationInput>,
) -> Result<(StatusCode, Json<OrderView>), ApiError> {
    let view = orders::variations::vary(&state.ctx, &caller, id, body, clock::now()).await?;
    Ok((StatusCode::CREATED, Json(view)))
}
