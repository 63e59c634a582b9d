//! `POST /auth/backchannel-logout`: the identity provider tells Vigil that a person's session
//! there has ended (`auth::backchannel`). Answers 200 when the token is valid (whether or not a
//! session was still live) and 400 otherwise, as the specification asks, with no detail of why.

use axum::Form;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde::Deserialize;
use utoipa::ToSchema;

use super::AppState;
use super::error::{ApiError, Problem};
use crate::auth::backchannel;
use crate::clock;
use crate::services::sessions;

#[derive(Deserialize, ToSchema)]
#[schema(examples(json!({"logout_token": "eyJhbGciOiJFZERTQSJ9.c3ludGhldGljLWV4YW1wbGU.c2lnbmF0dXJl"})))]
pub struct LogoutForm {
    /// The provider's signed logout token (OpenID Connect Back-Channel Logout 1.0).
    logout_token: String,
}

fn refused() -> ApiError {
    ApiError::new(StatusCode::BAD_REQUEST, "invalid_request", "Logout token refused", "the logout token is not acceptable")
        .with_field("logout_token")
}

/// The identity provider's back-channel logout: ends the sessions the signed logout token
/// names. Called by the provider, not a browser; authenticated by the token itself.
#[utoipa::path(post, path = "/auth/backchannel-logout", tag = "login", security(()),
    request_body(content = LogoutForm, content_type = "application/x-www-form-urlencoded"),
    responses(
        (status = 200, description = "The token is valid; its sessions have ended", headers(("cache-control" = String, description = "`no-store`"))),
        (status = 400, description = "The logout token is missing, invalid or replayed", body = Problem),
        (status = 404, description = "Browser login is not configured", body = Problem),
    ))]
pub async fn receive(
    State(state): State<AppState>,
    form: Result<Form<LogoutForm>, axum::extract::rejection::FormRejection>,
) -> Result<Response, ApiError> {
    let Some(login) = state.login.clone() else {
        return Err(ApiError::new(StatusCode::NOT_FOUND, "login_not_configured", "Not found", "browser login is not configured"));
    };
    let Ok(Form(form)) = form else { return Err(refused()) };
    if form.logout_token.len() > 8192 {
        return Err(refused());
    }
    let now = clock::now();
    let claims = match backchannel::verify(&login, &form.logout_token, now).await {
        Ok(claims) => claims,
        Err(err) => {
            tracing::warn!(outcome = "failure", reason = %err, "back-channel logout token refused");
            return Err(refused());
        }
    };
    // The jti is remembered and the sessions ended together: a failure leaves the token usable
    // when the provider retries.
    let applied = sessions::provider_logout(&state.ctx.writer, &login.settings.issuer, &claims, now).await?;
    // Bearer tokens are checked afresh after a logout: the subject's, or everyone's when the
    // provider names only its session (`auth::token_cache`).
    match &claims.subject {
        Some(subject) => state.validator.cache.forget_subject(&login.settings.issuer, subject),
        None => state.validator.cache.clear(),
    }
    match applied {
        Some(ended) => {
            tracing::info!(outcome = "success", sessions_ended = ended, "back-channel logout");
            Ok((StatusCode::OK, [(axum::http::header::CACHE_CONTROL, "no-store")]).into_response())
        }
        None => {
            tracing::warn!(outcome = "failure", "back-channel logout token replayed");
            Err(refused())
        }
    }
}
