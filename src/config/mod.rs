//! Configuration: a TOML file (`--config FILE`), then `VIGIL__SECTION__KEY` environment
//! variables, parsed once at start-up into typed values. A missing or invalid setting stops the
//! service with a message that names it.

use std::net::SocketAddr;
use std::path::PathBuf;

mod metrics;
mod oidc;
mod urls;

pub use metrics::{MetricsSettings, RawMetrics};
pub use oidc::{OidcConfig, RawOidc};

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
    #[serde(default)]
    pub jobs: RawJobs,
    #[serde(default)]
    pub linkage: RawLinkage,
    #[serde(default)]
    pub audit: RawAudit,
    #[serde(default)]
    pub metrics: RawMetrics,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawAudit {
    /// Where signed checkpoints of the audit chain go: somewhere the database role cannot
    /// write (another volume, a WORM bucket mount). `serve` refuses to start without it unless
    /// `accept_unanchored_trail` is true.
    pub checkpoint_dir: Option<PathBuf>,
    /// How often `serve` writes one when the chain has grown (default 10).
    pub checkpoint_minutes: Option<u64>,
    /// `true`: the operator accepts an audit trail that is not anchored outside the database,
    /// whose newest entries can then be cut off undetected by anyone who can write the database.
    pub accept_unanchored_trail: Option<bool>,
    /// How soon after it is written an entry must be chained, for `vigil audit verify` (default
    /// 300 seconds; longer than any transaction and any restart).
    pub sealing_delay_seconds: Option<u64>,
}

/// Default for `audit.sealing_delay_seconds`.
pub const SEALING_DELAY_SECONDS: u64 = 300;

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawLinkage {
    /// Register checks each user may run per hour (default 60).
    pub checks_per_hour: Option<u32>,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawJobs {
    /// Run the scheduler in this process (default true). Turn off on replicas that only serve.
    pub enabled: Option<bool>,
    pub grace_minutes: Option<u64>,
    pub renewal_window_days: Option<u32>,
    pub horizon_days: Option<u32>,
    /// A newer copy of https://www.gov.uk/bank-holidays.json (GOV.UK's format) than the list
    /// built in, when later years are announced: no session is due on a bank holiday.
    pub bank_holidays_file: Option<PathBuf>,
    pub materialise_cron: Option<String>,
    pub detect_cron: Option<String>,
    pub expiry_cron: Option<String>,
    pub hygiene_cron: Option<String>,
    pub reviews_cron: Option<String>,
    pub outbox_cron: Option<String>,
    /// Deliver notifications by signed webhook POST; without it they go to the log.
    pub webhook_url: Option<String>,
    pub webhook_secret: Option<String>,
    pub webhook_secret_file: Option<PathBuf>,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawDatabase {
    pub url: Option<String>,
    pub max_connections: Option<u32>,
    /// Apply migrations when `serve` starts (default true). Turn off when the service's
    /// database role may not change the schema (deploy/postgres/app-role.sql).
    pub migrate_on_start: Option<bool>,
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

/// Validated settings.
#[derive(Debug, Clone)]
pub struct Config {
    pub database_url: String,
    pub max_connections: u32,
    pub migrate_on_start: bool,
    pub bind: SocketAddr,
    pub body_limit_bytes: usize,
    pub request_timeout_seconds: u64,
    pub key_file: PathBuf,
    pub oidc: OidcConfig,
    pub jobs: JobSettings,
    /// Register checks each user may run per hour.
    pub checks_per_hour: u32,
    pub login: Option<crate::auth::login::LoginSettings>,
    /// Folder and interval for signed audit checkpoints.
    pub checkpoints: Option<(PathBuf, std::time::Duration)>,
    pub metrics: MetricsSettings,
}

#[derive(Clone)]
pub struct JobSettings {
    pub enabled: bool,
    pub config: jobs::scheduler::JobsConfig,
    pub webhook: Option<(String, zeroize::Zeroizing<Vec<u8>>)>,
}

impl std::fmt::Debug for JobSettings {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("JobSettings")
            .field("enabled", &self.enabled)
            .field("webhook", &self.webhook.as_ref().map(|_| "<configured>"))
            .finish()
    }
}

impl RawJobs {
    pub fn validate(self) -> Result<JobSettings, ConfigError> {
        use jobs::{detect_missed, expiry, hygiene, materialise, outbox, reviews};
        let mut config = jobs::scheduler::JobsConfig::default();
        if let Some(path) = &self.bank_holidays_file {
            let invalid = |reason: String| ConfigError::Invalid { setting: "jobs.bank_holidays_file", reason };
            let text = std::fs::read_to_string(path).map_err(|e| invalid(e.to_string()))?;
            let days = domain::holidays::parse(&text).map_err(invalid)?;
            // Installed once, before any schedule is expanded in this process.
            domain::holidays::install(days);
        }
        if let Some(minutes) = self.grace_minutes {
            config.grace = std::time::Duration::from_secs(minutes * 60);
        }
        if let Some(days) = self.renewal_window_days {
            config.renewal_window_days = days;
        }
        if let Some(days) = self.horizon_days {
            if days == 0 || days > 366 {
                return Err(ConfigError::Invalid { setting: "jobs.horizon_days", reason: "must be 1 to 366".into() });
            }
            config.horizon_days = days;
        }
        for (name, custom, setting) in [
            (materialise::NAME, self.materialise_cron, "jobs.materialise_cron"),
            (detect_missed::NAME, self.detect_cron, "jobs.detect_cron"),
            (expiry::NAME, self.expiry_cron, "jobs.expiry_cron"),
            (hygiene::NAME, self.hygiene_cron, "jobs.hygiene_cron"),
            (reviews::NAME, self.reviews_cron, "jobs.reviews_cron"),
            (outbox::NAME, self.outbox_cron, "jobs.outbox_cron"),
        ] {
            if let Some(cron) = custom {
                if cron.split_whitespace().count() != 6 {
                    return Err(ConfigError::Invalid {
                        setting,
                        reason: "must be a six-field cron expression (seconds first), in UTC".into(),
                    });
                }
                if let Some(entry) = config.schedules.iter_mut().find(|(n, _)| *n == name) {
                    entry.1 = cron;
                }
            }
        }
        let secret = match (self.webhook_secret, self.webhook_secret_file) {
            (Some(s), _) => Some(zeroize::Zeroizing::new(s.into_bytes())),
            (None, Some(path)) => Some(zeroize::Zeroizing::new(
                std::fs::read_to_string(&path)
                    .map_err(|e| ConfigError::Invalid { setting: "jobs.webhook_secret_file", reason: e.to_string() })?
                    .trim()
                    .as_bytes()
                    .to_vec(),
            )),
            (None, None) => None,
        };
        let webhook = match (self.webhook_url, secret) {
            (Some(url), Some(secret)) if secret.len() >= 32 => Some((url, secret)),
            (Some(_), Some(_)) => {
                return Err(ConfigError::Invalid { setting: "jobs.webhook_secret", reason: "must be at least 32 bytes".into() });
            }
            (Some(_), None) => return Err(ConfigError::Missing { setting: "jobs.webhook_secret", env: "VIGIL__JOBS__WEBHOOK_SECRET" }),
            (None, _) => None,
        };
        Ok(JobSettings { enabled: self.enabled.unwrap_or(true), config, webhook })
    }
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
    /// As [`RawConfig::load`], pointed at a `vigil demo` data folder when `data_dir` is given: its
    /// SQLite database, key ring and audit checkpoint folder, whatever the file or environment
    /// say (the way `dev-token --data-dir` finds the demo).
    pub fn load_with_data_dir(file: Option<&std::path::Path>, data_dir: Option<&std::path::Path>) -> Result<Self, ConfigError> {
        let mut raw = Self::load(file)?;
        if let Some(dir) = data_dir {
            let database = dir.join("vigil.db");
            if !database.exists() {
                return Err(ConfigError::Unreadable(format!(
                    "{} holds no vigil.db: start `vigil demo --data-dir {}` once first",
                    dir.display(),
                    dir.display()
                )));
            }
            raw.database.url = Some(format!("sqlite://{}", database.display()));
            raw.keys.file = Some(dir.join("keyring.json"));
            raw.audit.checkpoint_dir = Some(dir.join("audit-checkpoints"));
        }
        Ok(raw)
    }

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
        let login = self.oidc.login(self.oidc.issuer.as_deref().unwrap_or_default(), self.oidc.skew_seconds.unwrap_or(30).min(60))?;
        let assurance = self.oidc.assurance();
        let (roles_claim, org_claim, role_map) = self.oidc.claim_rules()?;
        let issuer = self.oidc.issuer.ok_or(ConfigError::Missing { setting: "oidc.issuer", env: "VIGIL__OIDC__ISSUER" })?;
        let allow_http_loopback = self.oidc.development_allow_http_loopback.unwrap_or(false);
        urls::check_provider_url("oidc.issuer", &issuer, allow_http_loopback)?;
        if let Some(jwks) = &self.oidc.jwks_url {
            urls::check_provider_url("oidc.jwks_url", jwks, allow_http_loopback)?;
        }
        let audience = self.oidc.audience.ok_or(ConfigError::Missing { setting: "oidc.audience", env: "VIGIL__OIDC__AUDIENCE" })?;
        let skew_seconds = self.oidc.skew_seconds.unwrap_or(30);
        if skew_seconds > 60 {
            return Err(ConfigError::Invalid { setting: "oidc.skew_seconds", reason: "must be at most 60".into() });
        }
        let max_token_lifetime_seconds = self.oidc.max_token_lifetime_seconds.unwrap_or(3600);
        if !(60..=86_400).contains(&max_token_lifetime_seconds) {
            return Err(ConfigError::Invalid { setting: "oidc.max_token_lifetime_seconds", reason: "must be 60 to 86400".into() });
        }
        let max_connections = self.database.max_connections.unwrap_or(16);
        if max_connections == 0 {
            return Err(ConfigError::Invalid { setting: "database.max_connections", reason: "must be at least 1".into() });
        }
        let jobs = self.jobs.validate()?;
        let metrics = self.metrics.validate()?;
        let checks_per_hour = self.linkage.checks_per_hour.unwrap_or(crate::services::checks::limiter::DEFAULT_PER_HOUR);
        if checks_per_hour == 0 {
            return Err(ConfigError::Invalid { setting: "linkage.checks_per_hour", reason: "must be at least 1".into() });
        }
        let minutes = self.audit.checkpoint_minutes.unwrap_or(10);
        if minutes == 0 {
            return Err(ConfigError::Invalid { setting: "audit.checkpoint_minutes", reason: "must be at least 1".into() });
        }
        let checkpoints = self.audit.checkpoint_dir.map(|dir| (dir, std::time::Duration::from_secs(minutes * 60)));
        if checkpoints.is_none() && self.audit.accept_unanchored_trail != Some(true) {
            return Err(ConfigError::Invalid {
                setting: "audit.checkpoint_dir",
                reason: "is required: signed checkpoints anchor the audit trail outside the database. Set it to a folder the \
                         database role cannot write, or set audit.accept_unanchored_trail = true to accept a trail whose newest \
                         entries can be cut off undetected"
                    .into(),
            });
        }
        Ok(Config {
            migrate_on_start: self.database.migrate_on_start.unwrap_or(true),
            checkpoints,
            login,
            checks_per_hour,
            jobs,
            metrics,
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
                roles_claim,
                org_claim,
                role_map,
                skew_seconds,
                max_token_lifetime_seconds,
                jwks_refresh_cooldown_seconds: self.oidc.jwks_refresh_cooldown_seconds.unwrap_or(300),
                require_at_jwt_type: self.oidc.require_at_jwt_type.unwrap_or(true),
                allowed_clients: self.oidc.allowed_clients.clone().unwrap_or_default(),
                assurance,
            },
        })
    }
}
