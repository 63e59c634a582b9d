//! Configuration: a TOML file (`--config FILE`), then `VIGIL__SECTION__KEY` environment
//! variables, parsed once at start-up into typed values. A missing or invalid setting stops the
//! service with a message that names it.

use std::net::SocketAddr;
use std::path::PathBuf;

use figment::Figment;
use figment::providers::{Env, Format, Toml};
use serde::Deserialize;

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawConfig {
    #[serde(default)]
    pub database: RawDatabase,
    #[serde(default)]
    pub http: RawHttp,
    #[serde(default)]
    pub keys: RawKeys,
    #[serde(default)]
    pub oidc: RawOidc,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawDatabase {
    pub url: Option<String>,
    pub max_connections: Option<u32>,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawHttp {
    pub bind: Option<String>,
    pub body_limit_bytes: Option<usize>,
    pub request_timeout_seconds: Option<u64>,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawKeys {
    pub file: Option<PathBuf>,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawOidc {
    pub issuer: Option<String>,
    pub audience: Option<String>,
    pub jwks_url: Option<String>,
    pub roles_claim: Option<String>,
    pub org_claim: Option<String>,
    pub skew_seconds: Option<u64>,
    pub jwks_refresh_cooldown_seconds: Option<u64>,
    pub require_at_jwt_type: Option<bool>,
}

/// Validated settings.
#[derive(Debug, Clone)]
pub struct Config {
    pub database_url: String,
    pub max_connections: u32,
    pub bind: SocketAddr,
    pub body_limit_bytes: usize,
    pub request_timeout_seconds: u64,
    pub key_file: PathBuf,
    pub oidc: OidcConfig,
}

#[derive(Debug, Clone)]
pub struct OidcConfig {
    pub issuer: String,
    pub audience: String,
    /// Where to fetch the signing keys; discovered from the issuer when absent.
    pub jwks_url: Option<String>,
    pub roles_claim: String,
    pub org_claim: String,
    pub skew_seconds: u64,
    pub jwks_refresh_cooldown_seconds: u64,
    pub require_at_jwt_type: bool,
}

#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    #[error("configuration: {setting} is missing (set it in the config file or {env})")]
    Missing { setting: &'static str, env: &'static str },
    #[error("configuration: {setting} is invalid: {reason}")]
    Invalid { setting: &'static str, reason: String },
    #[error("configuration: {0}")]
    Unreadable(String),
}

impl RawConfig {
    /// Reads the optional file, then the environment on top.
    pub fn load(file: Option<&std::path::Path>) -> Result<Self, ConfigError> {
        let mut figment = Figment::new();
        if let Some(path) = file {
            if !path.exists() {
                return Err(ConfigError::Unreadable(format!("config file {} not found", path.display())));
            }
            figment = figment.merge(Toml::file(path));
        }
        figment.merge(Env::prefixed("VIGIL__").split("__")).extract().map_err(|e| ConfigError::Unreadable(e.to_string()))
    }

    pub fn validate(self) -> Result<Config, ConfigError> {
        let database_url = self.database.url.ok_or(ConfigError::Missing { setting: "database.url", env: "VIGIL__DATABASE__URL" })?;
        if !(database_url.starts_with("sqlite:") || database_url.starts_with("postgres://") || database_url.starts_with("postgresql://")) {
            return Err(ConfigError::Invalid {
                setting: "database.url",
                reason: "must start with sqlite:, postgres:// or postgresql://".into(),
            });
        }
        let bind_text = self.http.bind.unwrap_or_else(|| "127.0.0.1:8080".into());
        let bind = bind_text
            .parse()
            .map_err(|_| ConfigError::Invalid { setting: "http.bind", reason: "must be an address such as 127.0.0.1:8080".into() })?;
        let key_file = self.keys.file.ok_or(ConfigError::Missing { setting: "keys.file", env: "VIGIL__KEYS__FILE" })?;
        let issuer = self.oidc.issuer.ok_or(ConfigError::Missing { setting: "oidc.issuer", env: "VIGIL__OIDC__ISSUER" })?;
        let audience = self.oidc.audience.ok_or(ConfigError::Missing { setting: "oidc.audience", env: "VIGIL__OIDC__AUDIENCE" })?;
        let skew_seconds = self.oidc.skew_seconds.unwrap_or(30);
        if skew_seconds > 60 {
            return Err(ConfigError::Invalid { setting: "oidc.skew_seconds", reason: "must be at most 60".into() });
        }
        let max_connections = self.database.max_connections.unwrap_or(16);
        if max_connections == 0 {
            return Err(ConfigError::Invalid { setting: "database.max_connections", reason: "must be at least 1".into() });
        }
        Ok(Config {
            database_url,
            max_connections,
            bind,
            body_limit_bytes: self.http.body_limit_bytes.unwrap_or(64 * 1024),
            request_timeout_seconds: self.http.request_timeout_seconds.unwrap_or(30),
            key_file,
            oidc: OidcConfig {
                issuer,
                audience,
                jwks_url: self.oidc.jwks_url,
                roles_claim: self.oidc.roles_claim.unwrap_or_else(|| "vigil_roles".into()),
                org_claim: self.oidc.org_claim.unwrap_or_else(|| "vigil_org".into()),
                skew_seconds,
                jwks_refresh_cooldown_seconds: self.oidc.jwks_refresh_cooldown_seconds.unwrap_or(300),
                require_at_jwt_type: self.oidc.require_at_jwt_type.unwrap_or(true),
            },
        })
    }
}
