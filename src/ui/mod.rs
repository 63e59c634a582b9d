//! The web interface: GOV.UK Frontend and MoJ Frontend pages rendered with askama, one module
//! per area with its templates beside it. Pages call the same services as the API (same
//! permission checks, same audit), never the API over loopback, and work without JavaScript.
//!
//! Every page is in `auth::policy::UI_ROUTES` (deny by default) and gets a strict CSP (no
//! `'unsafe-inline'`), the security headers and `Cache-Control: no-store`; forms carry the
//! session's CSRF token and are refused from another origin.

mod address_change;
mod alerts;
mod approvals;
mod assets;
mod audit;
pub mod badges;
mod breach;
mod breaches;
mod caseload;
mod correct;
mod details;
mod discharge;
mod duplicates;
mod duties;
mod exports;
mod find;
mod form;
mod forms;
mod home;
mod info;
mod intake;
mod links;
mod merges;
mod notify;
mod operations;
mod order;
mod order_new;
mod order_terms;
mod order_vary;
mod orders;
mod outcome;
mod overdue;
mod oversight;
pub mod pages;
mod particulars;
mod patterns;
mod pause;
mod record;
mod register;
mod report_form;
mod reports;
pub mod session;
mod signin;
mod travel;

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
        .route("/session/keep-alive", post(signin::keep_alive))
        .route("/accessibility", get(info::accessibility))
        .route("/cookies", get(info::cookies))
        .route("/assets/{*path}", get(assets::serve))
        .route("/caseload", get(caseload::caseload))
        .route("/caseload.csv", get(exports::caseload))
        .route("/find", get(find::form).post(find::find))
        .route("/registrants/{id}", get(record::record))
        .route("/registrants/{id}/orders", get(orders::orders))
        .route("/registrants/{id}/why", get(record::why).post(record::give_reason))
        .route("/registrants/{id}/obligations", get(duties::duties))
        .route("/registrants/{id}/occurrences/{occurrence}/outcome", get(outcome::outcome_form).post(outcome::outcome))
        .route("/registrants/{id}/occurrences/{occurrence}/excuse", get(outcome::excuse_form).post(outcome::excuse))
        .route("/registrants/{id}/occurrences/{occurrence}/correct", get(correct::form).post(correct::correct))
        .route("/registrants/{id}/notifications/new", get(notify::form).post(notify::record))
        .route("/registrants/{id}/travel/new", get(travel::form).post(travel::record))
        .route("/registrants/{id}/suspensions/new", get(pause::form).post(pause::create))
        .route("/registrants/{id}/suspensions/{suspension}/end", get(pause::end_form).post(pause::end))
        .route("/breaches", get(breaches::list))
        .route("/breaches.csv", get(exports::breaches))
        .route("/breaches/{id}", get(breaches::by_id))
        .route("/registrants/{id}/breaches", get(breaches::tab))
        .route("/registrants/{id}/breaches/{breach}", get(breach::show))
        .route("/registrants/{id}/breaches/{breach}/decision", post(breach::decide))
        .route("/registrants/{id}/breaches/{breach}/acknowledgement", post(breach::acknowledge))
        .route("/registrants/{id}/details", get(details::details))
        .route("/registrants/{id}/details/{what}/new", get(details::add_form).post(details::add))
        .route("/registrants/{id}/details/addresses/{address}/{what}", get(address_change::form_page).post(address_change::change))
        .route("/registrants/{id}/orders/new", get(order_new::form_page).post(order_new::create))
        .route("/registrants/{id}/orders/{order}", get(order::order))
        .route("/registrants/{id}/orders/{order}/service", get(order::service_form).post(order::record_service))
        .route("/registrants/{id}/orders/{order}/vary", get(order_vary::form_page).post(order_vary::record))
        .route("/registrants/{id}/orders/{order}/discharge", get(discharge::form_page).post(discharge::request))
        .route("/registrants/new", get(register::start_page).post(register::start))
        .route("/registrants/new/{draft}", get(register::tasks))
        .route("/registrants/new/{draft}/{step}", get(register::step_form).post(register::step_save))
        .route("/reports", get(reports::list))
        .route("/reports/new", get(intake::form).post(intake::record))
        .route("/reports/{id}", get(reports::report))
        .route("/reports/{id}/why", get(reports::why).post(reports::give_reason))
        .route("/reports/{id}/checks", post(reports::check_again))
        .route("/reports/{id}/checks/{check}", get(reports::result))
        .route("/patterns/{id}", get(patterns::pattern))
        .route("/patterns/{id}/why", get(patterns::why).post(patterns::give_reason))
        .route("/approvals", get(approvals::list))
        .route("/approvals/{id}", get(approvals::show).post(approvals::decide))
        .route("/audit", get(audit::trail))
        .route("/audit/events/{seq}", get(audit::event))
        .route("/job-runs", get(operations::job_runs))
        .route("/sessions", get(operations::sessions))
        .route("/sessions/{id}/end", get(operations::confirm_end).post(operations::end))
        .route("/sessions/person", get(operations::confirm_person).post(operations::end_person))
        .route("/alerts", get(alerts::queue).post(alerts::acknowledge))
        .route("/overdue", get(overdue::queue))
        .route("/overdue.csv", get(exports::overdue))
        .route("/links", get(links::queue))
        .route("/links/{id}", get(links::review).post(links::decide))
        .route("/links/{id}/why", get(links::why).post(links::give_reason))
        .route("/duplicates", get(duplicates::queue))
        .route("/duplicates/{id}", get(duplicates::pair).post(duplicates::decide))
        .route("/duplicates/{id}/merge", post(merges::merge))
        .route("/duplicates/{id}/unmerge", post(merges::unmerge));
    if state.dev_signin {
        router = router.route("/sign-in", get(signin::form).post(signin::sign_in));
    }
    router
        .route_layer(axum::middleware::from_fn_with_state(state.clone(), enforce))
        .layer(axum::middleware::from_fn_with_state(content_security_policy(state), page_headers))
}

/// The pages' CSP. Forms post only to this service; with an identity provider, the sign-out
/// form's redirect to its end-session page must be allowed too (`form-action` covers redirects).
fn content_security_policy(state: &AppState) -> HeaderValue {
    const CSP: &str = "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; font-src 'self'; \
                       form-action 'self'; frame-ancestors 'none'; base-uri 'none'; object-src 'none'";
    state
        .login
        .as_ref()
        .and_then(|login| url::Url::parse(&login.settings.issuer).ok())
        .map(|issuer| issuer.origin().ascii_serialization())
        .filter(|origin| origin != "null" && !origin.contains([';', ',', '\'', ' ']))
        .and_then(|origin| HeaderValue::from_str(&CSP.replace("form-action 'self'", &format!("form-action 'self' {origin}"))).ok())
        .unwrap_or(HeaderValue::from_static(CSP))
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
    tracing::Span::current().record("subject", visitor.caller.subject.as_str());
    parts.extensions.insert(visitor);
    next.run(Request::from_parts(parts, body)).await
}

/// The pages' own CSP and caching (the API's `http::security::headers` adds the rest and keeps
/// these). Assets set their own caching.
async fn page_headers(State(csp): State<HeaderValue>, request: Request, next: Next) -> Response {
    let is_asset = request.uri().path().starts_with("/assets/");
    let mut response = next.run(request).await;
    let h = response.headers_mut();
    h.insert(header::CONTENT_SECURITY_POLICY, csp);
    if !is_asset {
        h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    }
    response
}

/// The development sign-in's accounts (role, organisation), in the order the page lists them.
pub fn signin_accounts() -> &'static [(crate::auth::Role, &'static str)] {
    signin::DEMO_ACCOUNTS
}
