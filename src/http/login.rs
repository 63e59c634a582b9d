//! Browser login routes (backend-for-frontend): `/auth/login` sends the browser to the provider,
//! `/auth/callback` finishes the code flow and sets the session cookie, `/auth/session` tells
//! the page who is logged in and its CSRF token, `/auth/logout` ends the session here and hands
//! back the provider's end-session URL. With the session cookie, `/api` routes work as with a
//! bearer token (see `policy::enforce`).
//!
//! Failures in the flow answer with a problem+json that says what went wrong in general terms;
//! the provider's own error text is logged, never shown, and no detail of a token is echoed.

use std::sync::Arc;

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum_extra::extract::CookieJar;
use axum_extra::extract::cookie::{Cookie, SameSite};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::AppState;
use super::error::{ApiError, Problem};
use super::extract::Query;
use crate::auth::login::{Login, LoginError};
use crate::auth::revalidation;
use crate::auth::{Caller, Justification, Permission};
use crate::clock;
use crate::services::audit::{self, Action, Entry, Outcome};
use crate::services::sessions::{self, CSRF_HEADER, EndReason, LOGIN_COOKIE, SESSION_COOKIE};

/// Outside the `/api` policy layer: these routes are how a browser gets a session, so none of
/// them takes a bearer token.
pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(login))
        .routes(routes!(callback))
        .routes(routes!(session))
        .routes(routes!(logout))
        .routes(routes!(super::backchannel::receive))
}

fn configured(state: &AppState) -> Result<Arc<Login>, ApiError> {
    state
        .login
        .clone()
        .ok_or_else(|| ApiError::new(StatusCode::NOT_FOUND, "login_not_configured", "Not found", "browser login is not configured"))
}

/// `__Host-` cookies: Secure, Path=/, no Domain, so no other host or path can set or read them.
pub(crate) fn cookie(name: &'static str, value: String, max_age_seconds: i64) -> Cookie<'static> {
    Cookie::build((name, value))
        .path("/")
        .secure(true)
        .http_only(true)
        .same_site(SameSite::Lax)
        .max_age(time::Duration::seconds(max_age_seconds))
        .build()
}

pub(crate) fn removal(name: &'static str) -> Cookie<'static> {
    cookie(name, String::new(), 0)
}

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
struct LoginQuery {
    /// A path on this service to come back to after login; anything else falls back to `/`.
    #[param(example = "/registrants")]
    return_to: Option<String>,
    /// Authenticate again even if the provider still has a session (`prompt=login`,
    /// `max_age=0`): the answer to a 401 `insufficient_user_authentication`.
    #[serde(default)]
    step_up: bool,
}

/// Only a path on this service: never another origin (open redirect), never `//host`.
/// Where to send the browser after login: only a path on this service. Browsers strip TAB, CR
/// and LF anywhere in a URL and treat `\\` as `/`, so `/\t/evil.example` or `/\\evil.example`
/// would leave the site; anything but printable ASCII, any backslash and any `//` (after that
/// stripping) falls back to `/`. Only printable ASCII also means the `Location` header can
/// always be built, so no value makes the redirect fail.
pub(crate) fn safe_return(path: Option<String>) -> String {
    let Some(path) = path else { return "/".into() };
    let stripped: String = path.chars().filter(|c| !matches!(c, '\t' | '\r' | '\n')).collect();
    let printable = path.bytes().all(|b| (0x21..=0x7e).contains(&b));
    if printable && path.len() <= 512 && stripped.starts_with('/') && !stripped.contains("//") && !stripped.contains('\\') {
        path
    } else {
        "/".into()
    }
}

/// Starts a browser login: sends the browser to the identity provider with a short-lived login
/// cookie that binds the answer to this browser. Needs no token.
#[utoipa::path(get, path = "/auth/login", tag = "login", security(()), params(LoginQuery),
    responses(
        (status = 303, description = "To the identity provider's authorisation endpoint",
            headers(("location" = String, description = "The provider's authorisation URL"), ("set-cookie" = String, description = "The login cookie"))),
        (status = 400, description = "A query parameter is not acceptable", body = Problem),
        (status = 404, description = "Browser login is not configured", body = Problem),
        (status = 502, description = "The identity provider could not be reached", body = Problem),
    ))]
async fn login(State(state): State<AppState>, jar: CookieJar, Query(query): Query<LoginQuery>) -> Result<Response, ApiError> {
    let login = configured(&state)?;
    let (url, csrf_state, pending) = login.begin(query.step_up).await.map_err(provider_unavailable)?;
    let binding = sessions::random_token();
    let return_to = safe_return(query.return_to);
    sessions::remember_login(&state.ctx.writer, &state.ctx.crypto, &csrf_state, &binding, &pending, &return_to, clock::now()).await?;
    let jar = jar.add(cookie(LOGIN_COOKIE, binding, sessions::LOGIN_TTL_MINUTES * 60));
    Ok((jar, Redirect::to(&url)).into_response())
}

fn provider_unavailable(err: crate::auth::login::LoginError) -> ApiError {
    tracing::warn!(error = %err, "identity provider unavailable");
    ApiError::new(
        StatusCode::BAD_GATEWAY,
        "identity_provider_unavailable",
        "Login unavailable",
        "the identity provider could not be reached",
    )
}

fn login_failed(detail: &'static str) -> ApiError {
    ApiError::new(StatusCode::UNAUTHORIZED, "login_failed", "Login failed", detail)
}

/// What the identity provider sends back (OpenID Connect authorisation response).
#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
struct CallbackQuery {
    /// The authorisation code, when the provider logged the person in.
    code: Option<String>,
    /// The state this service sent with `/auth/login`; a login without it fails.
    state: Option<String>,
    /// The provider's error code, when it did not log the person in.
    error: Option<String>,
}

/// Finishes the code flow: checks the provider's answer against the login cookie, starts a
/// session and sends the browser back where it started. Needs no token.
#[utoipa::path(get, path = "/auth/callback", tag = "login", security(()), params(CallbackQuery),
    responses(
        (status = 303, description = "Logged in: back to the page the login started from",
            headers(("location" = String, description = "A path on this service"), ("set-cookie" = String, description = "The session cookie"))),
        (status = 400, description = "A query parameter is not acceptable", body = Problem),
        (status = 401, description = "The login failed, is unknown, expired or was started in another browser", body = Problem),
        (status = 403, description = "The authentication was not strong enough (multi-factor required)", body = Problem),
        (status = 404, description = "Browser login is not configured", body = Problem),
    ))]
async fn callback(State(state): State<AppState>, jar: CookieJar, Query(query): Query<CallbackQuery>) -> Result<Response, ApiError> {
    let login = configured(&state)?;
    let now = clock::now();
    let Some(csrf_state) = query.state.filter(|s| !s.is_empty() && s.len() <= 256) else {
        return Err(login_failed("the login response has no state").with_field("state"));
    };
    let binding = jar.get(LOGIN_COOKIE).map(|c| c.value().to_owned());
    let taken = sessions::take_login(&state.ctx.writer, &state.ctx.crypto, &csrf_state, binding.as_deref(), now).await?;
    let jar = jar.add(removal(LOGIN_COOKIE));
    let Some((pending, return_to)) = taken else {
        return Err(login_failed("this login is unknown, already used, expired or was started in another browser").with_field("state"));
    };
    if let Some(error) = query.error {
        tracing::info!(error = %error.chars().take(64).collect::<String>(), "identity provider refused the login");
        return Err(login_failed("the identity provider did not log you in"));
    }
    let Some(code) = query.code.filter(|c| !c.is_empty() && c.len() <= 2048) else {
        return Err(login_failed("the login response has no code").with_field("code"));
    };
    let logged_in = login.finish(&code, &pending, now).await.map_err(|err| match err {
        LoginError::Assurance(why) => {
            tracing::warn!(outcome = "failure", reason = %why, "login refused: authentication not strong enough");
            ApiError::new(
                StatusCode::FORBIDDEN,
                "insufficient_authentication_strength",
                "Multi-factor authentication required",
                "log in again with the multi-factor method your organisation requires",
            )
        }
        other => {
            tracing::warn!(outcome = "failure", error = %other, "login rejected");
            login_failed("the identity provider's answer could not be verified")
        }
    })?;
    let limits = session_limits(&login);
    let previous = jar.get(SESSION_COOKIE).map(|c| c.value().to_owned());
    let token =
        sessions::start(&state.ctx.writer, &state.ctx.crypto, &login.settings.issuer, &logged_in, previous.as_deref(), &limits, now)
            .await?;
    let caller = session_caller(&login.settings.issuer, &logged_in.subject, &logged_in.roles, &logged_in.org, logged_in.auth_time);
    record(&state, &caller, "session.login", now).await?;
    let jar = jar.add(cookie(SESSION_COOKIE, token, limits.absolute.num_seconds()));
    Ok((jar, Redirect::to(&return_to)).into_response())
}

/// The caller recorded in the audit trail for a login or logout (outside the `/api` policy
/// layer, so there is no request id or justification).
fn session_caller(issuer: &str, subject: &str, roles: &[crate::auth::Role], org: &str, auth_time: DateTime<Utc>) -> Caller {
    Caller {
        issuer: issuer.to_owned(),
        subject: subject.to_owned(),
        roles: roles.to_vec(),
        org: org.to_owned(),
        request_id: String::new(),
        justification: Justification::default(),
        auth_time: Some(auth_time),
    }
}

pub fn session_limits(login: &Login) -> sessions::Limits {
    sessions::Limits {
        idle: login.settings.session_idle,
        absolute: login.settings.session_absolute,
        revalidate: login.settings.revalidate_every,
    }
}

pub(crate) async fn record(state: &AppState, caller: &Caller, operation: &'static str, now: DateTime<Utc>) -> Result<(), ApiError> {
    let entry = Entry {
        action: Action::Consultation,
        operation,
        permission: Permission::SelfRead,
        record_type: "web_session",
        record_ids: &[],
        outcome: Outcome::Success,
    };
    audit::commit(&state.ctx, caller, now, entry).await?;
    Ok(())
}

#[derive(Serialize, ToSchema)]
#[schema(as = BrowserSession, examples(json!({
    "subject": "officer-example-1",
    "roles": ["ppo"],
    "organisation": "met",
    "auth_time": "2026-11-30T08:55:12Z",
    "expires_at": "2026-11-30T16:55:12Z",
    "idle_expires_at": "2026-11-30T09:25:12Z",
    "csrf_token": "c3ludGhldGljLWV4YW1wbGUtY3NyZi10b2tlbg"
})))]
struct SessionView {
    subject: String,
    roles: Vec<crate::auth::Role>,
    organisation: String,
    auth_time: DateTime<Utc>,
    expires_at: DateTime<Utc>,
    idle_expires_at: DateTime<Utc>,
    /// Send this as `X-CSRF-Token` on every state-changing request.
    csrf_token: String,
}

/// Who is logged in on this browser, when the session ends, and the CSRF token to send on
/// state-changing requests. Authenticated by the session cookie.
#[utoipa::path(get, path = "/auth/session", tag = "login", security(("session" = [])),
    responses(
        (status = 200, body = SessionView),
        (status = 401, description = "No session, or it has ended", body = Problem),
        (status = 404, description = "Browser login is not configured", body = Problem),
    ))]
async fn session(State(state): State<AppState>, jar: CookieJar) -> Result<Json<SessionView>, ApiError> {
    let login = configured(&state)?;
    let token = jar.get(SESSION_COOKIE).map(|c| c.value().to_owned()).ok_or_else(|| ApiError::unauthenticated("no session"))?;
    let now = clock::now();
    let live = match sessions::resume(&state.ctx.writer, &token, &session_limits(&login), now).await? {
        Some(s) => revalidation::current(&state.ctx.writer, &state.ctx.crypto, &login, &state.validator.cache, s, now).await?,
        None => None,
    };
    let s = live.ok_or_else(|| ApiError::unauthenticated("the session has ended"))?;
    Ok(Json(SessionView {
        subject: s.subject,
        roles: s.roles,
        organisation: s.org,
        auth_time: s.auth_time,
        expires_at: s.expires_at,
        idle_expires_at: s.idle_expires_at,
        csrf_token: sessions::csrf_token(&token),
    }))
}

#[derive(Serialize, ToSchema)]
#[schema(examples(json!({"end_session_url": "https://id.example.org/logout?id_token_hint=synthetic-example"})))]
struct LoggedOut {
    /// Send the browser here to end the provider's session too.
    end_session_url: Option<String>,
}

/// Ends this browser's session (and tells the browser to clear this site's data); the answer
/// names the provider's end-session URL to end the provider's session too. Authenticated by
/// the session cookie, with its CSRF token.
#[utoipa::path(post, path = "/auth/logout", tag = "login", security(("session" = [])),
    params(("x-csrf-token" = String, Header, description = "The session's CSRF token (from `GET /auth/session`)")),
    responses(
        (status = 200, body = LoggedOut, headers(("clear-site-data" = String, description = "`\"cookies\", \"storage\"`"))),
        (status = 401, description = "No session", body = Problem),
        (status = 403, description = "The CSRF token is missing or wrong", body = Problem),
        (status = 404, description = "Browser login is not configured", body = Problem),
    ))]
async fn logout(State(state): State<AppState>, jar: CookieJar, headers: axum::http::HeaderMap) -> Result<Response, ApiError> {
    let login = configured(&state)?;
    let now = clock::now();
    let token = jar.get(SESSION_COOKIE).map(|c| c.value().to_owned()).ok_or_else(|| ApiError::unauthenticated("no session"))?;
    let presented = headers.get(CSRF_HEADER).and_then(|v| v.to_str().ok()).unwrap_or_default();
    if !sessions::csrf_matches(&token, presented) {
        return Err(csrf_refused());
    }
    let live = sessions::resume(&state.ctx.writer, &token, &session_limits(&login), now).await?;
    let ended = sessions::end(&state.ctx.writer, &token, EndReason::Logout, now).await?;
    let mut end_session_url = None;
    if let (Some(s), Some((id, sealed))) = (live, ended) {
        let caller = session_caller(&s.issuer, &s.subject, &s.roles, &s.org, s.auth_time);
        record(&state, &caller, "session.logout", now).await?;
        let id_token = sessions::open_id_token(&state.ctx.crypto, id, &sealed)?;
        end_session_url = login.logout_url(&id_token).await;
    }
    let jar = jar.add(removal(SESSION_COOKIE));
    let mut response = (jar, Json(LoggedOut { end_session_url })).into_response();
    // Tells the browser to drop this origin's cookies and storage too (ASVS 14.3.1).
    response.headers_mut().insert("clear-site-data", axum::http::HeaderValue::from_static("\"cookies\", \"storage\""));
    Ok(response)
}

pub fn csrf_refused() -> ApiError {
    ApiError::new(StatusCode::FORBIDDEN, "csrf_token_invalid", "CSRF check failed", "send the session's X-CSRF-Token header")
        .with_field(CSRF_HEADER)
}

#[cfg(test)]
mod tests {
    use super::safe_return;

    #[test]
    fn a_return_path_stays_on_this_service() {
        assert_eq!(safe_return(Some("/api/v1/me".into())), "/api/v1/me");
        assert_eq!(safe_return(Some("/registrants?status=active".into())), "/registrants?status=active");
        for hostile in [
            "//evil.example",
            "/\\evil.example",
            "\\\\evil.example",
            "/\t/evil.example",
            "/\r\n/evil.example",
            "/\n/evil.example",
            "https://evil.example",
            "evil.example",
            "/ok//evil.example",
            "/caf\u{e9}",
            "/a\u{0}b",
            "",
        ] {
            assert_eq!(safe_return(Some(hostile.into())), "/", "{hostile:?}");
        }
        assert_eq!(safe_return(None), "/");
        assert_eq!(safe_return(Some(format!("/{}", "a".repeat(600)))), "/");
    }
}
