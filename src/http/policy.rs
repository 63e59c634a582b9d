//! Authentication and the route policy, applied to every `/api` route before its handler: the
//! bearer token or browser session is validated, the route must have an entry in `auth::policy::ROUTES` (deny by
//! default), and the caller must hold one of the permissions the entry names.

use axum::extract::{MatchedPath, Request, State};
use axum::http::header;
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

use super::AppState;
use super::error::ApiError;
use axum_extra::extract::CookieJar;

use crate::auth::revalidation;
use crate::auth::token::Identity;
use crate::auth::{Caller, Justification, policy};
use crate::clock;
use crate::services::sessions::{self, CSRF_HEADER, SESSION_COOKIE};

/// The longest bearer token looked at.
pub const MAX_TOKEN_BYTES: usize = 8 * 1024;

pub async fn enforce(State(state): State<AppState>, mut request: Request, next: Next) -> Response {
    let path = request.extensions().get::<MatchedPath>().map(|p| p.as_str().to_owned()).unwrap_or_default();
    let method = request.method().as_str().to_owned();
    let Some(rule) = policy::route(&method, &path) else {
        // The router matched the path, so the method is one the route does not serve, or the
        // route was added without a policy entry (refused: deny by default).
        if policy::ROUTES.iter().any(|r| r.path == path) {
            return ApiError::new(
                axum::http::StatusCode::METHOD_NOT_ALLOWED,
                "method_not_allowed",
                "Method not allowed",
                "this resource does not support the method",
            )
            .into_response();
        }
        tracing::error!(%method, %path, "route has no policy entry; refusing");
        return ApiError::forbidden().into_response();
    };
    let request_id = request.headers().get("x-request-id").and_then(|v| v.to_str().ok()).unwrap_or_default().to_owned();
    let token = request
        .headers()
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer ").or_else(|| v.strip_prefix("bearer ")))
        .map(str::trim)
        .map(str::to_owned);
    let identity = match token {
        // Real access tokens are a few kilobytes; a longer one is refused before it is decoded.
        Some(token) if token.len() > MAX_TOKEN_BYTES => {
            tracing::warn!(target: "vigil::security", outcome = "failure", %request_id, "bearer token longer than any real one");
            return ApiError::unauthenticated("the bearer token is not valid").into_response();
        }
        Some(token) => match state.validator.validate(&token, clock::now()).await {
            Ok(identity) => identity,
            Err(err) => {
                tracing::warn!(target: "vigil::security", outcome = "failure", %request_id, reason = %err, "bearer token rejected");
                return ApiError::unauthenticated("the bearer token is not valid").into_response();
            }
        },
        // A browser: the session cookie, and for any state change the CSRF token too.
        None => match browser_session(&state, browser_credentials(&request)).await {
            Ok(identity) => identity,
            Err(response) => return response,
        },
    };
    let justification = match justification(&request) {
        Ok(j) => j,
        Err(e) => return e.into_response(),
    };
    let caller = Caller {
        issuer: identity.issuer,
        subject: identity.subject,
        roles: identity.roles,
        org: identity.org,
        request_id,
        justification,
        auth_time: identity.auth_time,
    };
    if !rule.any_of.iter().any(|p| caller.can(*p)) {
        tracing::warn!(target: "vigil::security", outcome = "failure", request_id = %caller.request_id, subject = %caller.subject, %method, %path, "forbidden by policy");
        return ApiError::forbidden().into_response();
    }
    // After the role check, so a caller without access learns nothing from this one.
    let given = &caller.justification;
    if let Err(errors) = domain::reasons::check(given.reason_code.as_deref(), given.crime_reference.as_deref(), rule.needs_reason) {
        return ApiError::validation(errors).into_response();
    }
    // The access log line names who called (an identity provider's subject id, not a name).
    tracing::Span::current().record("subject", caller.subject.as_str());
    request.extensions_mut().insert(caller);
    next.run(request).await
}

/// What a browser request presents: its session cookie and CSRF header, read before any await
/// (a request body is not shareable across threads).
struct BrowserCredentials {
    session: Option<String>,
    csrf: String,
    changes_state: bool,
    /// The browser says the request came from another site (`Sec-Fetch-Site: cross-site`).
    cross_site: bool,
    origin: Option<String>,
}

fn browser_credentials(request: &Request) -> BrowserCredentials {
    let jar = CookieJar::from_headers(request.headers());
    let header = |name: &str| request.headers().get(name).and_then(|v| v.to_str().ok()).map(str::to_owned);
    BrowserCredentials {
        session: jar.get(SESSION_COOKIE).map(|c| c.value().to_owned()),
        csrf: header(CSRF_HEADER).unwrap_or_default(),
        changes_state: !request.method().is_safe(),
        cross_site: header("sec-fetch-site").is_some_and(|s| s.eq_ignore_ascii_case("cross-site")),
        origin: header("origin"),
    }
}

/// The origin (scheme, host, port) of a URL, as browsers send it in `Origin`.
fn origin_of(url: &str) -> Option<String> {
    let (scheme, rest) = url.split_once("://")?;
    let authority = rest.split(['/', '?', '#']).next()?;
    Some(format!("{scheme}://{authority}").to_ascii_lowercase())
}

async fn browser_session(state: &AppState, presented: BrowserCredentials) -> Result<Identity, Response> {
    let (Some(login), Some(token)) = (state.login.as_ref(), presented.session) else {
        return Err(ApiError::unauthenticated("a bearer token or a session is required").into_response());
    };
    if presented.changes_state {
        // Besides the token: a browser's own word that the request is cross-site, or an Origin
        // other than this service's, is refused outright (ASVS 3.5.2).
        let ours = origin_of(&login.settings.redirect_url);
        let foreign_origin = presented.origin.as_deref().is_some_and(|o| Some(o.to_ascii_lowercase()) != ours);
        if presented.cross_site || foreign_origin || !sessions::csrf_matches(&token, &presented.csrf) {
            return Err(super::login::csrf_refused().into_response());
        }
    }
    let now = clock::now();
    let live = match sessions::resume(&state.ctx.writer, &token, &super::login::session_limits(login), now).await {
        Ok(Some(s)) => revalidation::current(&state.ctx.writer, &state.ctx.crypto, login, &state.validator.cache, s, now).await,
        other => other,
    };
    match live {
        Ok(Some(s)) => Ok(Identity { issuer: s.issuer, subject: s.subject, roles: s.roles, org: s.org, auth_time: Some(s.auth_time) }),
        Ok(None) => Err(ApiError::unauthenticated("the session has ended; log in again").into_response()),
        Err(err) => Err(ApiError::from(err).into_response()),
    }
}

/// The `Vigil-Reason-Code` and `Vigil-Crime-Reference` headers: why the caller is doing this,
/// recorded in the audit trail. Short, plain codes only; whether the code is one of ours, and
/// whether the route needs one, is checked once the caller's role is known.
fn justification(request: &Request) -> Result<Justification, ApiError> {
    let read = |name: &'static str| -> Result<Option<String>, ApiError> {
        let Some(value) = request.headers().get(name) else { return Ok(None) };
        let text = value.to_str().unwrap_or_default().trim();
        let ok = !text.is_empty() && text.len() <= 64 && text.bytes().all(|b| b.is_ascii_alphanumeric() || b"-_/.".contains(&b));
        if !ok {
            return Err(ApiError::new(
                axum::http::StatusCode::BAD_REQUEST,
                "invalid_header",
                "Invalid header",
                "must be 1 to 64 letters, digits or - _ / .",
            )
            .with_field(name));
        }
        Ok(Some(text.to_owned()))
    };
    Ok(Justification { reason_code: read("vigil-reason-code")?, crime_reference: read("vigil-crime-reference")? })
}
