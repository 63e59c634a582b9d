//! Bearer access-token validation (RFC 9068 JWTs): exact issuer, this API as audience, an
//! algorithm allow-list, `exp`/`nbf`/`iat` with one fixed skew, and keys only from the trusted
//! issuer's key set.

use std::collections::HashSet;

use chrono::{DateTime, Utc};
use jsonwebtoken::{Algorithm, Validation, decode, decode_header};
use serde_json::{Map, Value};

use super::Role;
use super::jwks::KeySource;

/// Asymmetric algorithms only: an HMAC algorithm would let anyone holding the public key forge
/// tokens, and `none` is never acceptable.
pub const ALLOWED_ALGORITHMS: [Algorithm; 4] = [Algorithm::RS256, Algorithm::PS256, Algorithm::ES256, Algorithm::EdDSA];

pub struct TokenValidator {
    pub issuer: String,
    pub audience: String,
    pub keys: KeySource,
    /// Where the roles and the organisation are: a top-level claim name or a JSON Pointer
    /// (`/resource_access/vigil/roles`), see [`super::claims`].
    pub roles_claim: String,
    pub org_claim: String,
    /// Which provider role values mean which role; empty reads role names strictly.
    pub role_map: super::claims::RoleMap,
    pub skew_seconds: u64,
    pub require_at_jwt_type: bool,
    /// When not empty, the token's `azp` (or RFC 9068 `client_id`) must be one of these: a
    /// token the identity provider minted for another client, even with our audience, is
    /// refused.
    pub allowed_clients: Vec<String>,
    /// Longest accepted `exp - iat` (or `exp - now` without `iat`), in seconds.
    pub max_lifetime_seconds: u64,
    /// Required `acr` / `amr` (multi-factor), when configured.
    pub assurance: super::assurance::Assurance,
    /// Tokens verified before ([`super::token_cache`]).
    pub cache: super::token_cache::TokenCache,
}

/// The identity a valid token carries.
#[derive(Debug, Clone)]
pub struct Identity {
    pub issuer: String,
    pub subject: String,
    pub roles: Vec<Role>,
    pub org: String,
    /// When the person last authenticated (`auth_time`), if the token says.
    pub auth_time: Option<chrono::DateTime<chrono::Utc>>,
}

/// Deliberately coarse: the reason goes to the log, never to the client.
#[derive(Debug, thiserror::Error)]
pub enum TokenError {
    #[error("token is malformed")]
    Malformed,
    #[error("token header names its own key or uses a forbidden algorithm")]
    ForbiddenHeader,
    #[error("token is not an access token")]
    WrongType,
    #[error("token signing key is unknown")]
    UnknownKey,
    #[error("signing keys unavailable")]
    KeysUnavailable,
    #[error("token failed validation: {0}")]
    Invalid(String),
    #[error("token was issued to a client this service does not accept")]
    OtherClient,
    #[error("token does not show the required authentication strength: {0}")]
    Assurance(super::assurance::AssuranceError),
    #[error("token lacks the {0} claim")]
    MissingClaim(&'static str),
}

/// The header of a JWT from outside, read before any signature check: refused when it names
/// its own key material (`jku`, `x5u`, `jwk`, `x5c`), carries `crit`, or uses an algorithm
/// outside [`ALLOWED_ALGORITHMS`]. Shared by bearer tokens and back-channel logout tokens.
pub fn checked_header(token: &str) -> Result<jsonwebtoken::Header, TokenError> {
    let header = decode_header(token).map_err(|_| TokenError::Malformed)?;
    if header.jku.is_some() || header.x5u.is_some() || header.jwk.is_some() || header.x5c.is_some() || header.crit.is_some() {
        return Err(TokenError::ForbiddenHeader);
    }
    if !ALLOWED_ALGORITHMS.contains(&header.alg) {
        return Err(TokenError::ForbiddenHeader);
    }
    Ok(header)
}

/// Signature and the registered claims: one algorithm (the header's, already allowed), the
/// skew, exact issuer and audience, `exp` and `nbf`, and the claims that must be present.
pub fn validation(alg: Algorithm, skew_seconds: u64, issuer: &str, audience: &str, required: &[&str]) -> Validation {
    let mut validation = Validation::new(alg);
    validation.algorithms = vec![alg];
    validation.leeway = skew_seconds;
    validation.validate_nbf = true;
    validation.validate_exp = true;
    validation.set_issuer(&[issuer]);
    validation.set_audience(&[audience]);
    validation.required_spec_claims = required.iter().map(|c| (*c).to_owned()).collect::<HashSet<_>>();
    validation
}

impl TokenValidator {
    /// The token's identity: from the cache when this very token was verified before and its
    /// signing key is still trusted, else by [`TokenValidator::verify`] (and then remembered).
    pub async fn validate(&self, token: &str, now: DateTime<Utc>) -> Result<Identity, TokenError> {
        let key = super::token_cache::TokenCache::key(token);
        if let Some((identity, kid)) = self.cache.get(&key, now) {
            if self.keys.key(&kid).await.is_ok() {
                return Ok(Identity::clone(&identity));
            }
            self.cache.remove(&key);
        }
        let (identity, kid, exp) = self.verify(token, now).await?;
        self.cache.insert(key, identity.clone(), &kid, exp);
        Ok(identity)
    }

    /// Every check, on the token itself: gives the identity, the signing key's id and `exp`.
    pub async fn verify(&self, token: &str, now: DateTime<Utc>) -> Result<(Identity, String, i64), TokenError> {
        let header = checked_header(token)?;
        if self.require_at_jwt_type {
            let typ = header.typ.as_deref().map(str::to_ascii_lowercase);
            if !matches!(typ.as_deref(), Some("at+jwt") | Some("application/at+jwt")) {
                return Err(TokenError::WrongType);
            }
        }
        let kid = header.kid.as_deref().ok_or(TokenError::UnknownKey)?;
        let key = self.keys.key(kid).await.map_err(|e| match e {
            super::jwks::KeyError::UnknownKey => TokenError::UnknownKey,
            super::jwks::KeyError::Unavailable(_) => TokenError::KeysUnavailable,
        })?;
        if key.algorithm.is_some_and(|a| a != header.alg) {
            return Err(TokenError::ForbiddenHeader);
        }
        let validation = validation(header.alg, self.skew_seconds, &self.issuer, &self.audience, &["exp", "iss", "aud", "sub"]);
        let data = decode::<Map<String, Value>>(token, &key.key, &validation).map_err(|e| TokenError::Invalid(e.kind_name()))?;
        let claims = data.claims;
        // jsonwebtoken compares `iss` when it is a string but lets other shapes through; an
        // issuer is one string, exactly ours.
        if claims.get("iss").and_then(Value::as_str) != Some(self.issuer.as_str()) {
            return Err(TokenError::Invalid("iss is not this service's issuer".into()));
        }

        // jsonwebtoken does not check `iat`; a token issued in the future is forged or from a
        // badly skewed issuer, and neither is acceptable.
        let iat = claims.get("iat").and_then(Value::as_i64);
        if iat.is_some_and(|iat| iat > now.timestamp() + self.skew_seconds as i64) {
            return Err(TokenError::Invalid("issued in the future".into()));
        }
        // Roles come from the token, so a long-lived token would outlast a role removed at the
        // provider (catalogue Z07).
        let exp = claims.get("exp").and_then(Value::as_i64).unwrap_or(i64::MAX);
        if exp.saturating_sub(iat.unwrap_or(now.timestamp())) > self.max_lifetime_seconds as i64 {
            return Err(TokenError::Invalid("valid for longer than oidc.max_token_lifetime_seconds".into()));
        }
        if !self.allowed_clients.is_empty() {
            let client = claims.get("azp").or_else(|| claims.get("client_id")).and_then(Value::as_str);
            if !client.is_some_and(|c| self.allowed_clients.iter().any(|a| a == c)) {
                return Err(TokenError::OtherClient);
            }
        }
        self.assurance.check_claims(&claims).map_err(TokenError::Assurance)?;
        let subject = claims.get("sub").and_then(Value::as_str).filter(|s| !s.is_empty()).ok_or(TokenError::MissingClaim("sub"))?;
        let org = super::claims::org(&claims, &self.org_claim).ok_or(TokenError::MissingClaim("organisation"))?;
        let roles = self.role_map.roles(super::claims::find(&claims, &self.roles_claim))?;
        let auth_time = claims.get("auth_time").and_then(Value::as_i64).and_then(|t| chrono::DateTime::from_timestamp(t, 0));
        let identity = Identity { issuer: self.issuer.clone(), subject: subject.to_owned(), roles, org, auth_time };
        Ok((identity, kid.to_owned(), exp))
    }
}

trait KindName {
    fn kind_name(&self) -> String;
}

impl KindName for jsonwebtoken::errors::Error {
    fn kind_name(&self) -> String {
        format!("{:?}", self.kind())
    }
}
