//! `[oidc]`: the identity provider that bearer tokens and browser logins come from, how its
//! claims carry roles and organisation, and the browser session's limits.

use std::path::PathBuf;

use serde::Deserialize;

use super::ConfigError;

#[derive(Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawOidc {
    pub issuer: Option<String>,
    pub audience: Option<String>,
    pub jwks_url: Option<String>,
    /// A top-level claim name, or a JSON Pointer such as `/resource_access/vigil/roles`.
    pub roles_claim: Option<String>,
    pub org_claim: Option<String>,
    /// Vigil role name to the provider role values that grant it (`ppo = ["Vigil.PPO"]`); other
    /// values are then ignored. Without it, role values must be Vigil's role names.
    pub role_map: Option<std::collections::BTreeMap<String, Vec<String>>>,
    /// Scopes the browser login asks for besides `openid` (default `["vigil"]`).
    pub scopes: Option<Vec<String>>,
    pub skew_seconds: Option<u64>,
    pub jwks_refresh_cooldown_seconds: Option<u64>,
    /// Bearer tokens valid for longer than this (`exp - iat`) are refused: roles are read from
    /// the token, so this bounds how long a role removed at the provider keeps working.
    pub max_token_lifetime_seconds: Option<u64>,
    pub require_at_jwt_type: Option<bool>,
    /// Client ids whose access tokens are accepted (`azp` / `client_id`); empty accepts any
    /// client of the issuer that targets our audience.
    pub allowed_clients: Option<Vec<String>>,
    /// Browser login (backend-for-frontend): this service's client at the provider.
    pub client_id: Option<String>,
    pub client_secret: Option<String>,
    pub client_secret_file: Option<PathBuf>,
    /// This service's `/auth/callback` as the browser reaches it.
    pub redirect_url: Option<String>,
    pub post_logout_redirect_url: Option<String>,
    pub session_idle_minutes: Option<u32>,
    pub session_absolute_hours: Option<u32>,
    /// How often a live browser session is checked with the provider (refresh grant): a
    /// disabled account or a removed role takes effect within this many seconds.
    pub session_revalidate_seconds: Option<u32>,
    /// Required authentication strength (see `auth::assurance`), for logins and bearer tokens.
    pub required_acr: Option<Vec<String>>,
    pub required_amr: Option<Vec<String>>,
    /// Development only: accept an `http://` issuer or key-set URL on this machine (loopback).
    pub development_allow_http_loopback: Option<bool>,
}

/// By hand: the client secret must never reach a log.
impl std::fmt::Debug for RawOidc {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RawOidc").field("issuer", &self.issuer).field("client_id", &self.client_id).finish_non_exhaustive()
    }
}

impl RawOidc {
    /// Where roles and organisation are read, and the role map: for bearer tokens and logins.
    pub(super) fn claim_rules(&self) -> Result<(String, String, crate::auth::claims::RoleMap), ConfigError> {
        let roles = self.roles_claim.clone().unwrap_or_else(|| "vigil_roles".into());
        let org = self.org_claim.clone().unwrap_or_else(|| "vigil_org".into());
        crate::auth::claims::check_setting(&roles).map_err(|reason| ConfigError::Invalid { setting: "oidc.roles_claim", reason })?;
        crate::auth::claims::check_setting(&org).map_err(|reason| ConfigError::Invalid { setting: "oidc.org_claim", reason })?;
        let map = crate::auth::claims::RoleMap::from_config(&self.role_map.clone().unwrap_or_default())
            .map_err(|reason| ConfigError::Invalid { setting: "oidc.role_map", reason })?;
        Ok((roles, org, map))
    }

    /// Browser login settings, when a client id is configured.
    pub(super) fn login(&self, issuer: &str, skew_seconds: u64) -> Result<Option<crate::auth::login::LoginSettings>, ConfigError> {
        let Some(client_id) = self.client_id.clone() else { return Ok(None) };
        let secret = match (&self.client_secret, &self.client_secret_file) {
            (Some(s), _) => s.clone(),
            (None, Some(path)) => std::fs::read_to_string(path)
                .map_err(|e| ConfigError::Invalid { setting: "oidc.client_secret_file", reason: e.to_string() })?
                .trim()
                .to_owned(),
            (None, None) => return Err(ConfigError::Missing { setting: "oidc.client_secret", env: "VIGIL__OIDC__CLIENT_SECRET" }),
        };
        let redirect_url =
            self.redirect_url.clone().ok_or(ConfigError::Missing { setting: "oidc.redirect_url", env: "VIGIL__OIDC__REDIRECT_URL" })?;
        let idle = self.session_idle_minutes.unwrap_or(30);
        let absolute = self.session_absolute_hours.unwrap_or(12);
        if idle == 0 || u64::from(idle) > u64::from(absolute) * 60 {
            return Err(ConfigError::Invalid {
                setting: "oidc.session_idle_minutes",
                reason: "must be 1 or more and within the absolute limit".into(),
            });
        }
        if absolute == 0 || absolute > 24 {
            return Err(ConfigError::Invalid { setting: "oidc.session_absolute_hours", reason: "must be 1 to 24".into() });
        }
        let revalidate = self.session_revalidate_seconds.unwrap_or(60);
        if !(10..=3600).contains(&revalidate) || u64::from(revalidate) > u64::from(idle) * 60 {
            return Err(ConfigError::Invalid {
                setting: "oidc.session_revalidate_seconds",
                reason: "must be 10 to 3600 and within the idle limit".into(),
            });
        }
        let scopes: Vec<String> = self.scopes.clone().unwrap_or_else(|| vec!["vigil".into()]);
        if scopes.iter().any(|s| s.is_empty() || s.contains(char::is_whitespace)) {
            return Err(ConfigError::Invalid { setting: "oidc.scopes", reason: "each scope is one word without spaces".into() });
        }
        let (roles_claim, org_claim, role_map) = self.claim_rules()?;
        Ok(Some(crate::auth::login::LoginSettings {
            issuer: issuer.to_owned(),
            client_id,
            client_secret: zeroize::Zeroizing::new(secret),
            redirect_url,
            post_logout_redirect_url: self.post_logout_redirect_url.clone(),
            roles_claim,
            org_claim,
            role_map,
            // `openid` is always sent; naming it again would only repeat it.
            scopes: scopes.into_iter().filter(|s| s != "openid").collect(),
            skew_seconds,
            // ID tokens come straight from the provider's token endpoint, so a refetch cannot be
            // provoked by strangers the way a bearer token's unknown kid can: a short cooldown
            // lets logins resume quickly after the provider rotates.
            refresh_cooldown: std::time::Duration::from_secs(self.jwks_refresh_cooldown_seconds.unwrap_or(30).min(30)),
            session_idle: chrono::Duration::minutes(i64::from(idle)),
            session_absolute: chrono::Duration::hours(i64::from(absolute)),
            revalidate_every: chrono::Duration::seconds(i64::from(revalidate)),
            assurance: self.assurance(),
        }))
    }

    pub(super) fn assurance(&self) -> crate::auth::assurance::Assurance {
        crate::auth::assurance::Assurance {
            acr_any: self.required_acr.clone().unwrap_or_default(),
            amr_any: self.required_amr.clone().unwrap_or_default(),
        }
    }
}

#[derive(Debug, Clone)]
pub struct OidcConfig {
    pub issuer: String,
    pub audience: String,
    /// Where to fetch the signing keys; discovered from the issuer when absent.
    pub jwks_url: Option<String>,
    pub roles_claim: String,
    pub org_claim: String,
    pub role_map: crate::auth::claims::RoleMap,
    pub skew_seconds: u64,
    pub max_token_lifetime_seconds: u64,
    pub jwks_refresh_cooldown_seconds: u64,
    pub require_at_jwt_type: bool,
    pub allowed_clients: Vec<String>,
    pub assurance: crate::auth::assurance::Assurance,
}
