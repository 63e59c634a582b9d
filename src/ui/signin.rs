//! Signing in and out. `serve` signs people in through the identity provider (`/auth/login`);
//! `demo` alone adds this development sign-in, where the person picks one of the demo roles and
//! gets the same kind of server-side session. It never exists in `serve`: the router only
//! mounts it when the app was built with `App::with_dev_signin`, and sessions it makes are
//! refused by any app without it.

use askama::Template;
use askama_web::WebTemplate;
use axum::Form;
use axum::extract::{Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use axum_extra::extract::cookie::CookieJar;
use serde::Deserialize;

use super::pages::{self, Chrome, role_label};
use super::session::{self, Visitor};
use crate::auth::login::LoggedIn;
use crate::auth::{Caller, Justification, Role, dev};
use crate::http::AppState;
use crate::http::login::{cookie, record, removal, safe_return};
use crate::services::sessions::{self, EndReason, SESSION_COOKIE};

/// The demo's people: (role, organisation). The organisations match the demo register.
pub const DEMO_ACCOUNTS: &[(Role, &str)] = &[
    (Role::Ppo, "met"),
    (Role::Supervisor, "met"),
    (Role::Probation, "probation-london"),
    (Role::Intake, "met"),
    (Role::Auditor, "met"),
    (Role::Admin, "met"),
    (Role::Ppo, "gmp"),
];

pub struct Account {
    pub value: usize,
    pub label: String,
    pub hint: &'static str,
}

#[derive(Template, WebTemplate)]
#[template(path = "signin.html")]
pub struct SignInPage {
    pub chrome: Chrome,
    pub accounts: Vec<Account>,
    pub return_to: String,
    pub error: bool,
}

#[derive(Deserialize)]
pub struct ReturnTo {
    return_to: Option<String>,
}

fn hint(role: Role) -> &'static str {
    match role {
        Role::Ppo => "Manage registrants, orders and duties; act on breaches",
        Role::Supervisor => "As a public protection officer, and approve four-eyes decisions",
        Role::Probation => "Record attendance for the people your region supervises",
        Role::Intake => "Record crime reports and check them against the register",
        Role::Auditor => "Search the audit trail",
        Role::Admin => "Job runs and sessions",
    }
}

fn page(return_to: String, error: bool) -> SignInPage {
    let accounts = DEMO_ACCOUNTS
        .iter()
        .enumerate()
        .map(|(i, (role, org))| Account { value: i, label: format!("{}, {org}", role_label(*role)), hint: hint(*role) })
        .collect();
    SignInPage { chrome: Chrome::anonymous(), accounts, return_to, error }
}

pub async fn form(Query(q): Query<ReturnTo>) -> SignInPage {
    page(safe_return(q.return_to), false)
}

#[derive(Deserialize)]
pub struct SignIn {
    account: Option<usize>,
    return_to: Option<String>,
}

pub async fn sign_in(State(state): State<AppState>, headers: HeaderMap, jar: CookieJar, Form(form): Form<SignIn>) -> Response {
    let return_to = safe_return(form.return_to);
    if !session::same_origin(&headers) {
        return pages::error_page(None, StatusCode::FORBIDDEN, "This form has expired", "Go back, reload the page and try again.");
    }
    let Some((role, org)) = form.account.and_then(|i| DEMO_ACCOUNTS.get(i)) else {
        return (StatusCode::UNPROCESSABLE_ENTITY, page(return_to, true)).into_response();
    };
    let now = crate::clock::now();
    let login = LoggedIn {
        subject: format!("demo-{}-{org}", role.as_str()),
        roles: vec![*role],
        org: (*org).to_owned(),
        auth_time: now,
        id_token: zeroize::Zeroizing::new(String::new()),
        sid: None,
        refresh_token: None,
    };
    let previous = jar.get(SESSION_COOKIE).map(|c| c.value().to_owned());
    let limits = session::limits(&state);
    let token = match sessions::start(&state.ctx.writer, &state.ctx.crypto, dev::ISSUER, &login, previous.as_deref(), &limits, now).await {
        Ok(token) => token,
        Err(e) => return pages::service_error(None, e),
    };
    let caller = Caller {
        issuer: dev::ISSUER.into(),
        subject: login.subject.clone(),
        roles: login.roles.clone(),
        org: login.org.clone(),
        request_id: headers.get("x-request-id").and_then(|v| v.to_str().ok()).unwrap_or_default().to_owned(),
        justification: Justification::default(),
        auth_time: Some(now),
    };
    if let Err(e) = record(&state, &caller, "auth.login", now).await {
        return e.into_response();
    }
    let jar = jar.add(cookie(SESSION_COOKIE, token, limits.absolute.num_seconds()));
    (jar, Redirect::to(&return_to)).into_response()
}

#[derive(Deserialize)]
pub struct Csrf {
    csrf: String,
}

pub async fn sign_out(
    State(state): State<AppState>,
    headers: HeaderMap,
    jar: CookieJar,
    visitor: Visitor,
    Form(form): Form<Csrf>,
) -> Response {
    if let Some(refused) = visitor.refuse_form(session::same_origin(&headers), &form.csrf) {
        return refused;
    }
    let now = crate::clock::now();
    let mut at_provider = None;
    if let Some(token) = jar.get(SESSION_COOKIE).map(|c| c.value().to_owned()) {
        match sessions::end(&state.ctx.writer, &token, EndReason::Logout, now).await {
            Ok(Some((id, sealed))) => {
                // Signing out is in the audit trail, as signing in is (and as the API's logout).
                if let Err(e) = record(&state, &visitor.caller, "session.logout", now).await {
                    return e.into_response();
                }
                at_provider = provider_logout(&state, &visitor, id, &sealed).await;
            }
            Ok(None) => {}
            Err(e) => return pages::service_error(None, e),
        }
    }
    let jar = jar.add(removal(SESSION_COOKIE));
    (jar, Redirect::to(at_provider.as_deref().unwrap_or("/signed-out"))).into_response()
}

/// With an identity provider, signing out ends the person's session there too (RP-initiated
/// logout): otherwise "Sign in again", or the next person at this browser, would be signed
/// straight back in as them without a password. The provider then sends the browser to
/// `oidc.post_logout_redirect_url` (the signed-out page). None for the development sign-in, or
/// when the provider has no end-session endpoint.
async fn provider_logout(state: &AppState, visitor: &Visitor, id: uuid::Uuid, sealed: &[u8]) -> Option<String> {
    let login = state.login.as_ref().filter(|_| visitor.caller.issuer != dev::ISSUER)?;
    let id_token = sessions::open_id_token(&state.ctx.crypto, id, sealed).ok()?;
    login.logout_url(&id_token).await
}

#[derive(Template, WebTemplate)]
#[template(path = "signed_out.html")]
pub struct SignedOutPage {
    pub chrome: Chrome,
    pub sign_in: String,
    /// Signed out by the timeout warning's countdown.
    pub timed_out: bool,
}

#[derive(Deserialize)]
pub struct SignedOutQuery {
    timeout: Option<String>,
}

pub async fn signed_out(State(state): State<AppState>, Query(q): Query<SignedOutQuery>) -> SignedOutPage {
    SignedOutPage { chrome: Chrome::anonymous(), sign_in: session::sign_in_url(&state, "/"), timed_out: q.timeout.is_some() }
}

#[derive(Deserialize)]
pub struct KeepAliveForm {
    #[serde(default)]
    csrf: String,
}

/// "Stay signed in": resuming the session (the extractor) has already refreshed its idle clock.
pub async fn keep_alive(headers: HeaderMap, visitor: Visitor, Form(form): Form<KeepAliveForm>) -> Response {
    if let Some(refused) = visitor.refuse_form(session::same_origin(&headers), &form.csrf) {
        return refused;
    }
    StatusCode::NO_CONTENT.into_response()
}
