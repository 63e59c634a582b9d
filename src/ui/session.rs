//! Who is at the browser. Pages use the same server-side session as the API's browser calls
//! (`__Host-vigil_session`, only its hash stored), resumed here into the same [`Caller`] the
//! services check. With an identity provider configured the session is revalidated with it as
//! for the API; the development sign-in's sessions are accepted only by `demo`.

use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use axum::response::{IntoResponse, Redirect, Response};
use axum_extra::extract::cookie::CookieJar;
use uuid::Uuid;

use super::pages;
use crate::auth::{Caller, Justification, revalidation};
use crate::http::AppState;
use crate::services::sessions::{self, SESSION_COOKIE};

/// A signed-in person at the browser.
#[derive(Clone)]
pub struct Visitor {
    pub caller: Caller,
    pub session_id: Uuid,
    /// The hidden field every form of theirs carries.
    pub csrf: String,
    /// The page being opened (path and query), when it is a GET: where to come back to after
    /// the "Why are you accessing this?" page.
    pub here: Option<String>,
    /// How long the session lasts without use: the timeout warning counts down from it.
    pub idle_seconds: i64,
    /// The navigation's queue counts (pages only; a form's POST has none).
    pub badges: super::badges::Badges,
    token: String,
}

impl Visitor {
    /// The refusal of a submitted form, if it is one: a wrong CSRF token, or a browser that
    /// says it came from another site (ASVS 3.5.2).
    pub fn refuse_form(&self, same_origin: bool, presented: &str) -> Option<Response> {
        if same_origin && sessions::csrf_matches(&self.token, presented) {
            return None;
        }
        tracing::warn!(target: "vigil::security", outcome = "failure", subject = %self.caller.subject, "form refused: CSRF token or origin");
        Some(pages::error_page(None, axum::http::StatusCode::FORBIDDEN, "This form has expired", "Go back, reload the page and try again."))
    }
}

/// Whether a state-changing request came from this service's own pages. Browsers say so in
/// `Sec-Fetch-Site` (`same-origin`); without it, an `Origin`, if sent, must name the host the
/// request was sent to. (With `Referrer-Policy: no-referrer` a browser's form posts carry
/// `Origin: null`, so the fetch metadata is what tells.)
pub fn same_origin(headers: &axum::http::HeaderMap) -> bool {
    let header = |name: &str| headers.get(name).and_then(|v| v.to_str().ok());
    if let Some(site) = header("sec-fetch-site") {
        return site.eq_ignore_ascii_case("same-origin");
    }
    match (header("origin"), header("host")) {
        (Some(origin), Some(host)) => origin.split_once("://").is_some_and(|(_, authority)| authority.eq_ignore_ascii_case(host)),
        (Some(_), None) => false,
        (None, _) => true,
    }
}

pub fn limits(state: &AppState) -> sessions::Limits {
    match &state.login {
        Some(login) => crate::http::login::session_limits(login),
        None => sessions::Limits {
            idle: chrono::Duration::minutes(30),
            absolute: chrono::Duration::hours(12),
            revalidate: chrono::Duration::hours(12),
        },
    }
}

/// Where someone who is not signed in is sent.
pub fn sign_in_url(state: &AppState, return_to: &str) -> String {
    let encoded: String = url::form_urlencoded::byte_serialize(return_to.as_bytes()).collect();
    if state.dev_signin { format!("/sign-in?return_to={encoded}") } else { format!("/auth/login?return_to={encoded}") }
}

impl FromRequestParts<AppState> for Visitor {
    type Rejection = Response;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Response> {
        // Already resumed by the route policy (`ui::enforce`) for this request.
        if let Some(visitor) = parts.extensions.get::<Visitor>() {
            return Ok(visitor.clone());
        }
        let here = parts.uri.path_and_query().map(|p| p.as_str().to_owned()).unwrap_or_else(|| "/".into());
        let sign_in = || Redirect::to(&sign_in_url(state, &here)).into_response();
        let jar = CookieJar::from_headers(&parts.headers);
        let Some(token) = jar.get(SESSION_COOKIE).map(|c| c.value().to_owned()) else { return Err(sign_in()) };
        let now = crate::clock::now();
        let db = &state.ctx.writer;
        let resumed = sessions::resume(db, &token, &limits(state), now).await;
        let live = match resumed {
            Ok(Some(s)) if s.issuer == crate::auth::dev::ISSUER => state.dev_signin.then_some(s),
            Ok(Some(s)) => match &state.login {
                Some(login) => revalidation::current(db, &state.ctx.crypto, login, &state.validator.cache, s, now)
                    .await
                    .map_err(|e| pages::service_error(None, e))?,
                None => None,
            },
            Ok(None) => None,
            Err(e) => return Err(pages::service_error(None, e)),
        };
        let Some(s) = live else { return Err(sign_in()) };
        let request_id = parts.headers.get("x-request-id").and_then(|v| v.to_str().ok()).unwrap_or_default().to_owned();
        let caller = Caller {
            issuer: s.issuer,
            subject: s.subject,
            roles: s.roles,
            org: s.org,
            request_id,
            justification: Justification::default(),
            auth_time: Some(s.auth_time),
        };
        let here = (parts.method == axum::http::Method::GET).then(|| here.clone());
        let idle_seconds = limits(state).idle.num_seconds();
        let badges = if here.is_some() { state.badges.get(&state.ctx, &caller).await } else { Default::default() };
        Ok(Self { caller, session_id: s.id, csrf: sessions::csrf_token(&token), here, idle_seconds, badges, token })
    }
}
