//! Obligation routes: a registrant's obligations, notifications, compliance outcomes, excusals.

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use domain::ids::{OccurrenceId, RegistrantId};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::AppState;
use super::error::{ApiError, Problem};
use super::extract::{AppJson, Path};
use crate::auth::Caller;
use crate::clock;
use crate::services::obligations::input::{ComplianceInput, CorrectionInput, ExcusalInput, NotificationInput};
use crate::services::obligations::travel::{TripInput, TripView};
use crate::services::obligations::views::{ComplianceResult, CorrectionResult, NotificationView, ObligationList, OccurrenceView};
use crate::services::obligations::{self, compliance, correction, notifications, travel};

pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list_for_registrant))
        .routes(routes!(record_notification))
        .routes(routes!(record_trip))
        .routes(routes!(record_compliance))
        .routes(routes!(correct))
        .routes(routes!(excuse))
}

/// A registrant's obligations, each with its occurrences and their compliance records.
/// Probation sees only registrants its organisation supervises.
#[utoipa::path(get, path = "/api/v1/registrants/{id}/obligations", tag = "obligations", params(("id" = Uuid, Path)),
    responses((status = 200, body = ObligationList), (status = 404, body = Problem)))]
async fn list_for_registrant(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<RegistrantId>,
) -> Result<Json<ObligationList>, ApiError> {
    Ok(Json(obligations::list_for_registrant(&state.ctx, &caller, id, clock::now()).await?))
}

/// Records that the registrant notified in person. Meets the notification duties it was on time
/// for and restarts periodic ones; `warnings` says what is still missing (for example a written
/// acknowledgement).
#[utoipa::path(post, path = "/api/v1/registrants/{id}/notifications", tag = "obligations", params(("id" = Uuid, Path)), request_body = NotificationInput,
    responses((status = 201, body = NotificationView), (status = 403, body = Problem), (status = 422, body = Problem)))]
async fn record_notification(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<RegistrantId>,
    AppJson(body): AppJson<NotificationInput>,
) -> Result<(StatusCode, Json<NotificationView>), ApiError> {
    let view = notifications::record(&state.ctx, &caller, id, body, clock::now()).await?;
    Ok((StatusCode::CREATED, Json(view)))
}

/// Records travel abroad the police know of (SOA 2003 s.86): under each in-force order whose
/// regime requires it, a travel notification falls due `travel_notice_days` before departure, or
/// 12 hours before where the details were not known by then. A notification of kind `travel`
/// meets it. `warnings` says when no order requires travel to be notified.
#[utoipa::path(post, path = "/api/v1/registrants/{id}/travel", tag = "obligations", params(("id" = Uuid, Path)), request_body = TripInput,
    responses((status = 201, body = TripView), (status = 403, body = Problem), (status = 404, body = Problem), (status = 422, body = Problem)))]
async fn record_trip(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<RegistrantId>,
    AppJson(body): AppJson<TripInput>,
) -> Result<(StatusCode, Json<TripView>), ApiError> {
    let view = travel::record(&state.ctx, &caller, id, body, clock::now()).await?;
    Ok((StatusCode::CREATED, Json(view)))
}

/// Records a compliance outcome for a pending occurrence; `rescheduled` creates the new one.
#[utoipa::path(post, path = "/api/v1/occurrences/{id}/compliance", tag = "obligations", params(("id" = Uuid, Path)), request_body = ComplianceInput,
    responses((status = 201, body = ComplianceResult), (status = 404, body = Problem), (status = 409, body = Problem), (status = 422, body = Problem)))]
async fn record_compliance(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<OccurrenceId>,
    AppJson(body): AppJson<ComplianceInput>,
) -> Result<(StatusCode, Json<ComplianceResult>), ApiError> {
    let result = compliance::record(&state.ctx, &caller, id, body, clock::now()).await?;
    Ok((StatusCode::CREATED, Json(result)))
}

/// Corrects a session recorded as missed (for example attended, but entered after the grace
/// period): the occurrence becomes met or excused, the breach it caused is withdrawn with the
/// reason and the managing force is told. A breach already decided is refused with 409.
#[utoipa::path(post, path = "/api/v1/occurrences/{id}/correction", tag = "obligations", params(("id" = Uuid, Path)), request_body = CorrectionInput,
    responses((status = 200, body = CorrectionResult), (status = 403, body = Problem), (status = 404, body = Problem), (status = 409, body = Problem), (status = 422, body = Problem)))]
async fn correct(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<OccurrenceId>,
    AppJson(body): AppJson<CorrectionInput>,
) -> Result<Json<CorrectionResult>, ApiError> {
    Ok(Json(correction::correct(&state.ctx, &caller, id, body, clock::now()).await?))
}

/// Excuses a pending occurrence with a reason.
#[utoipa::path(post, path = "/api/v1/occurrences/{id}/excusal", tag = "obligations", params(("id" = Uuid, Path)), request_body = ExcusalInput,
    responses((status = 200, body = OccurrenceView), (status = 404, body = Problem), (status = 409, body = Problem), (status = 422, body = Problem)))]
async fn excuse(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<OccurrenceId>,
    AppJson(body): AppJson<ExcusalInput>,
) -> Result<Json<OccurrenceView>, ApiError> {
    Ok(Json(compliance::excuse(&state.ctx, &caller, id, body, clock::now()).await?))
}
