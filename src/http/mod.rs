//! The HTTP surface: axum handlers, request/response shapes, errors and OpenAPI. Handlers are
//! thin: read the request, call one service function, return its view. No SQL here.

mod approvals;
mod audit;
mod backchannel;
mod breaches;
mod detach;
mod duplicates;
mod exports;
pub use exports::download as exports_download;
pub mod error;
mod examples;
pub mod extract;
mod links;
pub(crate) mod login;
mod obligations;
mod openapi;
mod orders;
pub mod policy;
mod queues;
mod reference;
mod registrants;
mod reports;
mod security;
pub mod server;
mod sessions;
mod system;

use std::sync::Arc;
use std::time::Duration;

use axum::Router;
use axum::extract::DefaultBodyLimit;
use axum::http::{HeaderName, StatusCode};
use tower_http::request_id::{MakeRequestUuid, PropagateRequestIdLayer, SetRequestIdLayer};
use tower_http::timeout::TimeoutLayer;
use tower_http::trace::TraceLayer;
use utoipa_axum::router::OpenApiRouter;

use crate::auth::login::Login;
use crate::auth::token::TokenValidator;
use crate::services::Ctx;

#[derive(Clone)]
pub struct AppState {
    pub ctx: Ctx,
    pub validator: Arc<TokenValidator>,
    /// Browser login, when an OIDC client is configured.
    pub login: Option<Arc<Login>>,
    /// The development sign-in page (`demo` only; never `serve`).
    pub dev_signin: bool,
    /// The navigation's queue counts, shared for a few seconds (`ui::badges`).
    pub badges: Arc<crate::ui::badges::BadgeCache>,
}

pub struct HttpLimits {
    pub body_limit_bytes: usize,
    pub request_timeout: Duration,
}

static REQUEST_ID: HeaderName = HeaderName::from_static("x-request-id");

/// Builds the whole application: API (behind the policy layer), OpenAPI document and docs,
/// health checks, and the cross-cutting layers.
pub fn router(state: AppState, limits: HttpLimits) -> Router {
    let measured = crate::telemetry::metrics::enabled();
    let (api, spec) = OpenApiRouter::with_openapi(openapi::base())
        .merge(system::routes())
        .merge(registrants::routes())
        .merge(orders::routes())
        .merge(obligations::routes())
        .merge(breaches::routes())
        .merge(queues::routes())
        .merge(reports::routes())
        .merge(links::routes())
        .merge(duplicates::routes())
        .merge(exports::routes())
        .merge(reference::routes())
        .merge(approvals::routes())
        .merge(audit::routes())
        .merge(sessions::routes())
        .split_for_parts();
    let api = api.route_layer(axum::middleware::from_fn_with_state(state.clone(), policy::enforce));
    // Health checks and the browser login flow take no bearer token, so they stay outside the
    // policy layer; they are documented all the same.
    let (public, public_spec) = OpenApiRouter::new().merge(system::health_routes()).merge(login::routes()).split_for_parts();
    let mut spec = spec;
    spec.merge(public_spec);
    let docs = openapi::docs(spec);

    let router = Router::new()
        .merge(api)
        .merge(docs)
        .merge(public)
        .merge(crate::ui::routes(&state))
        // Anything unmatched (an unknown path, a trailing or doubled slash, another case) is the
        // same problem+json 404, never an empty body that says which paths exist.
        .fallback(not_found)
        .with_state(state)
        // Innermost: the handler runs as its own task, out of reach of disconnects and the
        // timeout below (`detach`).
        .layer(axum::middleware::from_fn(detach::detach))
        .layer(DefaultBodyLimit::max(limits.body_limit_bytes))
        .layer(tower_http::catch_panic::CatchPanicLayer::custom(security::panic_response))
        .layer(axum::middleware::from_fn(security::headers))
        .layer(TimeoutLayer::with_status_code(StatusCode::REQUEST_TIMEOUT, limits.request_timeout))
        .layer(axum::middleware::from_fn(error::request_scope))
        .layer(PropagateRequestIdLayer::new(REQUEST_ID.clone()))
        .layer(TraceLayer::new_for_http().make_span_with(security::span).on_response(security::access_log))
        // Our own id, always: a client-sent X-Request-Id is replaced, so ids in the audit trail
        // cannot be chosen by the caller.
        .layer(SetRequestIdLayer::new(REQUEST_ID.clone(), MakeRequestUuid))
        .layer(axum::middleware::from_fn(security::drop_client_request_id));
    // Only when this process records metrics: switched off, requests pay nothing for them.
    if measured { router.layer(axum::middleware::from_fn(crate::telemetry::metrics::track)) } else { router }
}

async fn not_found() -> error::ApiError {
    error::ApiError::new(StatusCode::NOT_FOUND, "not_found", "Not found", "no such resource")
}
