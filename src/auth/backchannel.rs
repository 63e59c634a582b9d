//! OpenID Connect Back-Channel Logout 1.0, relying-party side: the provider POSTs a signed
//! logout token when a person's session there ends (logout, account disabled by an
//! administrator), and Vigil ends the sessions it started from that provider session.
//!
//! Anyone can POST to the endpoint, so the token is checked as strictly as an ID token, and
//! more: header without key material of its own, an allowed algorithm, the provider's key
//! (refetched at most once per cooldown for an unknown `kid`), exact issuer, our client as
//! audience, `iat`/`exp` within the skew, the back-channel logout event, no `nonce` (which
//! would make it an ID token), `sub` or `sid`, and a `jti` never seen before.

use chrono::{DateTime, Utc};
use jsonwebtoken::{DecodingKey, decode};
use serde_json::{Map, Value};

use super::login::Login;
use super::token::{TokenError, checked_header, validation};

pub const EVENT: &str = "http://schemas.openid.net/event/backchannel-logout";
/// A logout token older than this is refused whatever its `exp` says; it also bounds how long
/// a `jti` must be remembered.
pub const MAX_AGE: chrono::Duration = chrono::Duration::minutes(10);

/// Which sessions a valid logout token ends.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LogoutClaims {
    pub subject: Option<String>,
    pub sid: Option<String>,
    pub jti: String,
    /// Until when the `jti` must be remembered.
    pub remember_until: DateTime<Utc>,
}

#[derive(Debug, thiserror::Error)]
pub enum LogoutTokenError {
    #[error("malformed logout token")]
    Malformed,
    #[error("forbidden header in logout token")]
    ForbiddenHeader,
    #[error("signing key unknown or provider unavailable")]
    Key,
    #[error("logout token failed validation: {0}")]
    Invalid(String),
}

fn invalid(reason: &str) -> LogoutTokenError {
    LogoutTokenError::Invalid(reason.to_owned())
}

pub async fn verify(login: &Login, token: &str, now: DateTime<Utc>) -> Result<LogoutClaims, LogoutTokenError> {
    let header = checked_header(token).map_err(|e| match e {
        TokenError::Malformed => LogoutTokenError::Malformed,
        _ => LogoutTokenError::ForbiddenHeader,
    })?;
    // Explicitly typed tokens must be logout tokens; untyped ones are still allowed by the spec.
    if let Some(typ) = header.typ.as_deref().map(str::to_ascii_lowercase)
        && !matches!(typ.as_str(), "logout+jwt" | "application/logout+jwt" | "jwt")
    {
        return Err(LogoutTokenError::ForbiddenHeader);
    }
    let kid = header.kid.as_deref().ok_or(LogoutTokenError::Key)?;
    let jwk = login.signing_key(kid).await.map_err(|_| LogoutTokenError::Key)?;
    if jwk.common.key_algorithm.is_some_and(|a| a.to_string().parse::<jsonwebtoken::Algorithm>().ok() != Some(header.alg)) {
        return Err(LogoutTokenError::ForbiddenHeader);
    }
    let key = DecodingKey::from_jwk(&jwk).map_err(|_| LogoutTokenError::Key)?;
    let settings = &login.settings;
    let validation = validation(header.alg, settings.skew_seconds, &settings.issuer, &settings.client_id, &["iss", "aud", "iat", "exp"]);
    let claims = decode::<Map<String, Value>>(token, &key, &validation).map_err(|e| invalid(&format!("{:?}", e.kind())))?.claims;

    let skew = chrono::Duration::seconds(settings.skew_seconds as i64);
    let iat = claims.get("iat").and_then(Value::as_i64).and_then(|t| DateTime::from_timestamp(t, 0)).ok_or_else(|| invalid("iat"))?;
    if iat > now + skew || iat < now - MAX_AGE {
        return Err(invalid("issued in the future or too long ago"));
    }
    if !claims.get("events").and_then(|e| e.get(EVENT)).is_some_and(Value::is_object) {
        return Err(invalid("not a back-channel logout event"));
    }
    if claims.contains_key("nonce") {
        return Err(invalid("a logout token never carries a nonce"));
    }
    let text = |name: &str| claims.get(name).and_then(Value::as_str).filter(|s| !s.is_empty() && s.len() <= 255).map(str::to_owned);
    let (subject, sid) = (text("sub"), text("sid"));
    if subject.is_none() && sid.is_none() {
        return Err(invalid("names neither sub nor sid"));
    }
    let jti = text("jti").ok_or_else(|| invalid("jti"))?;
    let exp = claims.get("exp").and_then(Value::as_i64).and_then(|t| DateTime::from_timestamp(t, 0)).unwrap_or(now);
    let remember_until = exp.max(iat + MAX_AGE) + skew;
    Ok(LogoutClaims { subject, sid, jti, remember_until })
}
