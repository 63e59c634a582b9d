//! Work queues and the compliance engine's surface: overdue occurrences, alerts, breach
//! acknowledgement, suspensions, and job runs and dead deliveries for operators.

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use domain::ids::{AlertId, BreachId, RegistrantId, SuspensionId};
use domain::vocab::ObligationKind;
use serde::Deserialize;
use utoipa::{IntoParams, ToSchema};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;
use uuid::Uuid;

use super::AppState;
use super::error::{ApiError, Problem};
use super::extract::{AppJson, Path, Query, limit};
use crate::auth::Caller;
use crate::clock;
use crate::services::breaches::{self, views::BreachView};
use crate::services::operations::{self, JobHealthView};
use crate::services::outbox::{self, Delivery};
use crate::services::queues::{self, AlertView, JobRunView, OverdueFilter, OverdueItem, WorkCounts};
use crate::services::suspensions::{self, EndSuspensionInput, NewSuspensionInput, SuspensionView};

pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(overdue))
        .routes(routes!(alerts))
        .routes(routes!(acknowledge_alerts))
        .routes(routes!(work_counts))
        .routes(routes!(job_runs))
        .routes(routes!(job_health))
        .routes(routes!(dead_deliveries))
        .routes(routes!(retry_delivery))
        .routes(routes!(acknowledge))
        .routes(routes!(suspend))
        .routes(routes!(end_suspension))
}

/// The furthest a page of the overdue queue or the alerts may start (the overdue queue reads
/// and filters every duty before it).
const MAX_OFFSET: u64 = 100_000;

#[derive(Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct OverdueQuery {
    /// Another organisation's queue (public protection roles); defaults to your own.
    managing_org: Option<String>,
    officer: Option<String>,
    /// Only duties of this kind.
    kind: Option<ObligationKind>,
    limit: Option<u64>,
    /// How many to pass over, oldest first: the next page starts at the previous one's
    /// `offset + limit` (at most 100,000).
    offset: Option<u64>,
}

/// Occurrences past due and still pending, oldest first.
#[utoipa::path(get, path = "/api/v1/occurrences/overdue", tag = "compliance", params(OverdueQuery),
    responses((status = 200, body = Vec<OverdueItem>), (status = 403, body = Problem)))]
async fn overdue(State(state): State<AppState>, caller: Caller, Query(q): Query<OverdueQuery>) -> Result<Json<Vec<OverdueItem>>, ApiError> {
    let skip = q.offset.unwrap_or(0);
    if skip > MAX_OFFSET {
        return Err(ApiError::new(StatusCode::BAD_REQUEST, "out_of_range", "Invalid query", format!("must be at most {MAX_OFFSET}"))
            .with_field("offset"));
    }
    let filter = OverdueFilter { managing_org: q.managing_org, officer: q.officer, kind: q.kind, limit: limit(q.limit)?, skip };
    Ok(Json(queues::overdue(&state.ctx, &caller, filter, clock::now()).await?))
}

#[derive(Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct AlertsQuery {
    limit: Option<u64>,
    /// How many alerts, newest first, to pass over (the pages before this one); at most 100,000.
    offset: Option<u64>,
}

/// Open alerts raised by the scheduled jobs and the register checks for your organisation,
/// newest first, a page at a time (`limit`, `offset`).
#[utoipa::path(get, path = "/api/v1/alerts", tag = "compliance", params(AlertsQuery), responses((status = 200, body = Vec<AlertView>)))]
async fn alerts(State(state): State<AppState>, caller: Caller, Query(q): Query<AlertsQuery>) -> Result<Json<Vec<AlertView>>, ApiError> {
    let offset = q.offset.unwrap_or(0);
    if offset > MAX_OFFSET {
        return Err(ApiError::new(StatusCode::BAD_REQUEST, "out_of_range", "Invalid query", format!("must be at most {MAX_OFFSET}"))
            .with_field("offset"));
    }
    let query = queues::AlertQuery::newest(limit(q.limit)?, offset);
    Ok(Json(queues::alerts(&state.ctx, &caller, query, clock::now()).await?.items))
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(examples(json!({"ids": ["0190a1b2-0000-7000-8000-00000000a1e7"]})))]
pub struct AcknowledgeAlertsInput {
    /// Alerts of your organisation, 1 to 500.
    ids: Vec<AlertId>,
}

/// Acknowledges alerts of your organisation (seen, being dealt with): all or none. An id that
/// is not one of your organisation's alerts refuses the request with 404 and changes nothing;
/// acknowledging an alert again changes nothing. Returns the alerts as they now are.
#[utoipa::path(post, path = "/api/v1/alerts/acknowledgements", tag = "compliance", request_body = AcknowledgeAlertsInput,
    responses((status = 200, body = Vec<AlertView>), (status = 404, body = Problem), (status = 422, body = Problem)))]
async fn acknowledge_alerts(
    State(state): State<AppState>,
    caller: Caller,
    AppJson(body): AppJson<AcknowledgeAlertsInput>,
) -> Result<Json<Vec<AlertView>>, ApiError> {
    Ok(Json(queues::acknowledge_alerts(&state.ctx, &caller, &body.ids, clock::now()).await?))
}

/// How much waits in each of your queues (open alerts, overdue duties, links to review);
/// a queue your role does not have is absent.
#[utoipa::path(get, path = "/api/v1/work", tag = "compliance", responses((status = 200, body = WorkCounts)))]
async fn work_counts(State(state): State<AppState>, caller: Caller) -> Result<Json<WorkCounts>, ApiError> {
    Ok(Json(queues::counts(&state.ctx, &caller, clock::now()).await?))
}

#[derive(Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct JobRunsQuery {
    job: Option<String>,
    limit: Option<u64>,
}

/// Dead deliveries: outbox messages that failed every attempt, newest first (administrators).
#[utoipa::path(get, path = "/api/v1/outbox/dead", tag = "operations", params(DeadQuery),
    responses((status = 200, body = Vec<Delivery>), (status = 400, body = Problem), (status = 403, body = Problem)))]
async fn dead_deliveries(
    State(state): State<AppState>,
    caller: Caller,
    Query(q): Query<DeadQuery>,
) -> Result<Json<Vec<Delivery>>, ApiError> {
    Ok(Json(outbox::dead(&state.ctx, &caller, limit(q.limit)?, clock::now()).await?))
}

#[derive(Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct DeadQuery {
    /// 1 to 500; default 50.
    limit: Option<u64>,
}

/// Sends a dead delivery again, with a fresh set of attempts (administrators). Audited.
#[utoipa::path(post, path = "/api/v1/outbox/{id}/retry", tag = "operations", params(("id" = Uuid, Path)),
    responses((status = 200, body = Delivery), (status = 404, body = Problem), (status = 409, body = Problem)))]
async fn retry_delivery(State(state): State<AppState>, caller: Caller, Path(id): Path<Uuid>) -> Result<Json<Delivery>, ApiError> {
    Ok(Json(outbox::retry(&state.ctx, &caller, id, clock::now()).await?))
}

/// Recent scheduled-job runs (administrators).
#[utoipa::path(get, path = "/api/v1/jobs/runs", tag = "operations", params(JobRunsQuery), responses((status = 200, body = Vec<JobRunView>)))]
async fn job_runs(State(state): State<AppState>, caller: Caller, Query(q): Query<JobRunsQuery>) -> Result<Json<Vec<JobRunView>>, ApiError> {
    Ok(Json(queues::job_runs(&state.ctx, &caller, q.job, limit(q.limit)?, clock::now()).await?))
}

/// Whether each scheduled job ran when due and did not fail (administrators): what the
/// metrics' `vigil_job_failing` and `vigil_job_overdue` alert on.
#[utoipa::path(get, path = "/api/v1/jobs/health", tag = "operations", responses((status = 200, body = Vec<JobHealthView>)))]
async fn job_health(State(state): State<AppState>, caller: Caller) -> Result<Json<Vec<JobHealthView>>, ApiError> {
    Ok(Json(operations::job_health(&state.ctx, &caller, clock::now()).await?))
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(examples(json!({"version": 1})))]
pub struct AcknowledgeInput {
    version: i32,
}

/// Acknowledges an open breach (seen, being dealt with).
#[utoipa::path(post, path = "/api/v1/breaches/{id}/acknowledgement", tag = "breaches", params(("id" = Uuid, Path)), request_body = AcknowledgeInput,
    responses((status = 200, body = BreachView), (status = 409, body = Problem)))]
async fn acknowledge(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<BreachId>,
    AppJson(body): AppJson<AcknowledgeInput>,
) -> Result<Json<BreachView>, ApiError> {
    Ok(Json(breaches::acknowledge(&state.ctx, &caller, id, body.version, clock::now()).await?))
}

/// Records custody, hospital detention or time abroad, which pauses the registrant's clocks.
#[utoipa::path(post, path = "/api/v1/registrants/{id}/suspensions", tag = "compliance", params(("id" = Uuid, Path)), request_body = NewSuspensionInput,
    responses((status = 201, body = SuspensionView), (status = 422, body = Problem)))]
async fn suspend(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<RegistrantId>,
    AppJson(body): AppJson<NewSuspensionInput>,
) -> Result<(StatusCode, Json<SuspensionView>), ApiError> {
    let view = suspensions::create(&state.ctx, &caller, id, body, clock::now()).await?;
    Ok((StatusCode::CREATED, Json(view)))
}

/// Ends a suspension: notification duties that fell inside it become due 3 days beginning with
/// the day it ended; sessions inside it are excused.
#[utoipa::path(post, path = "/api/v1/suspensions/{id}/end", tag = "compliance", params(("id" = Uuid, Path)), request_body = EndSuspensionInput,
    responses((status = 200, body = SuspensionView), (status = 409, body = Problem)))]
async fn end_suspension(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<SuspensionId>,
    AppJson(body): AppJson<EndSuspensionInput>,
) -> Result<Json<SuspensionView>, ApiError> {
    Ok(Json(suspensions::end(&state.ctx, &caller, id, body, clock::now()).await?))
}
