//! The web interface: GOV.UK Frontend and MoJ Frontend pages rendered with askama, one module
//! per area with its templates beside it. Pages call the same services as the API (same
//! permission checks, same audit), never the API over loopback, and work without JavaScript.
//!
//! Every page is in `auth::policy::UI_ROUTES` (deny by default) and gets a strict CSP (no
//! `'unsafe-inline'`), the security headers and `Cache-Control: no-store`; forms carry the
//! session's CSRF token and are refused from another origin.

mod alerts;
mod assets;
mod caseload;
mod find;
mod home;
mod info;
mod links;
mod orders;
mod overdue;
pub mod pages;
mod record;
pub mod session;
mod signin;

use axum::extract::{MatchedPath, Request, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::middleware::Next;
use axum::response::Response;
use axum::routing::{get, post};
use axum::{Router, extract::FromRequestParts};

use crate::http::AppState;
use session::Visitor;

pub fn routes(state: &AppState) -> Router<AppState> {
    let mut router = Router::new()
        .route("/", get(home::home))
        .route("/sign-out", post(signin::sign_out))
        .route("/signed-out", get(signin::signed_out))
        .route("/accessibility", get(info::accessibility))
        .route("/cookies", get(info::cookies))
        .route("/assets/{*path}", get(assets::serve))
        .route("/caseload", get(caseload::caseload))
        .route("/find", get(find::form).post(find::find))
        .route("/registrants/{id}", get(record::record))
        .route("/registrants/{id}/orders", get(orders::orders))
        .route("/registrants/{id}/why", get(record::why).post(record::give_reason))
        .route("/alerts", get(alerts::queue).post(alerts::acknowledge))
        .route("/overdue", get(overdue::queue))
        .route("/links", get(links::queue))
        .route("/links/{id}", get(links::review).post(links::decide))
        .route("/links/{id}/why", get(links::why).post(links::give_reason));
    if state.dev_signin {
        router = router.route("/sign-in", get(signin::form).post(signin::sign_in));
    }
    router.route_layer(axum::middleware::from_fn_with_state(state.clone(), enforce)).layer(axum::middleware::from_fn(page_headers))
}

/// Deny by default: a page missing from `UI_ROUTES` is refused; a page that needs a permission
/// resumes the session first and refuses, naming who may, a role without it.
async fn enforce(State(state): State<AppState>, request: Request, next: Next) -> Response {
    let method = request.method().as_str().to_owned();
    let path = request.extensions().get::<MatchedPath>().map(|p| p.as_str().to_owned()).unwrap_or_default();
    let Some(rule) = crate::auth::policy::ui_route(&method, &path) else {
        tracing::error!(%method, %path, "page has no policy entry; refusing");
        return pages::error_page(None, StatusCode::FORBIDDEN, "You do not have access to this page", "This page is not open to anyone.");
    };
    if rule.any_of.is_empty() || path == "/" {
        return next.run(request).await;
    }
    let (mut parts, body) = request.into_parts();
    let visitor = match Visitor::from_request_parts(&mut parts, &state).await {
        Ok(v) => v,
        Err(redirect) => return redirect,
    };
    if !rule.any_of.iter().any(|p| visitor.caller.can(*p)) {
        tracing::warn!(target: "vigil::security", outcome = "failure", subject = %visitor.caller.subject, %method, %path, "page forbidden by policy");
        let chrome = pages::Chrome::for_visitor(&visitor, "");
        return pages::error_page(
            Some(chrome),
            StatusCode::FORBIDDEN,
            "You do not have access to this page",
            "Your role does not allow this. Ask a supervisor or your administrator if you need it.",
        );
    }
    parts.extensions.insert(visitor);
    next.run(Request::from_parts(parts, body)).await
}

/// The pages' own CSP and caching (the API's `http::security::headers` adds the rest and keeps
/// these). Assets set their own caching.
async fn page_headers(request: Request, next: Next) -> Response {
    let is_asset = request.uri().path().starts_with("/assets/");
    let mut response = next.run(request).await;
    let h = response.headers_mut();
    h.insert(
        header::CONTENT_SECURITY_POLICY,
        HeaderValue::from_static(
            "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; font-src 'self'; form-action 'self'; \
             frame-ancestors 'none'; base-uri 'none'; object-src 'none'",
        ),
    );
    if !is_asset {
        h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    }
    response
}

/// The development sign-in's accounts (role, organisation), in the order the page lists them.
pub fn signin_accounts() -> &'static [(crate::auth::Role, &'static str)] {
    signin::DEMO_ACCOUNTS
}
