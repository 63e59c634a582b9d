//! `vigil serve` and `vigil migrate`.

use std::path::Path;
use std::process::ExitCode;
use std::time::Duration;

use anyhow::Context;

use crate::app::{App, shutdown_signal};
use crate::auth::jwks::KeySource;
use crate::auth::token::TokenValidator;
use crate::config::{Config, RawConfig};
use crate::crypto::{Crypto, KeyRing};
use crate::db;
use crate::http::HttpLimits;

pub fn load(config: Option<&Path>) -> anyhow::Result<Config> {
    Ok(RawConfig::load(config)?.validate()?)
}

pub async fn serve(config: Option<&Path>) -> anyhow::Result<ExitCode> {
    let config = load(config)?;
    // Keys first: without them nothing can be read or written, so fail before touching the DB.
    let ring = KeyRing::load(&config.key_file)?;
    let db = db::connect(&config.database_url, config.max_connections).await.context("connecting to database.url")?;
    if config.migrate_on_start {
        db::migrate(&db).await.context("applying migrations")?;
    }
    let oidc = &config.oidc;
    let keys = KeySource::remote(&oidc.issuer, oidc.jwks_url.clone(), Duration::from_secs(oidc.jwks_refresh_cooldown_seconds))?;
    let validator = TokenValidator {
        issuer: oidc.issuer.clone(),
        audience: oidc.audience.clone(),
        keys,
        roles_claim: oidc.roles_claim.clone(),
        org_claim: oidc.org_claim.clone(),
        role_map: oidc.role_map.clone(),
        skew_seconds: oidc.skew_seconds,
        require_at_jwt_type: oidc.require_at_jwt_type,
        allowed_clients: oidc.allowed_clients.clone(),
        max_lifetime_seconds: oidc.max_token_lifetime_seconds,
        assurance: oidc.assurance.clone(),
        cache: Default::default(),
    };
    let limits =
        HttpLimits { body_limit_bytes: config.body_limit_bytes, request_timeout: Duration::from_secs(config.request_timeout_seconds) };
    let listener = tokio::net::TcpListener::bind(config.bind).await.with_context(|| format!("binding http.bind {}", config.bind))?;
    tracing::info!(address = %config.bind, "vigil serving");
    let writer = db::writer(&config.database_url, &db).await.context("connecting to database.url")?;
    let mut app = App::new(db, Crypto::new(ring), validator, limits).with_writer(writer).with_check_limit(config.checks_per_hour);
    if let Some((dir, every)) = config.checkpoints.clone() {
        // Found out now, not at the first checkpoint ten minutes in.
        crate::services::audit::checkpoints::check_writable(&dir).with_context(|| format!("audit.checkpoint_dir {}", dir.display()))?;
        app = app.with_checkpoints(dir, every);
    } else {
        tracing::warn!(target: "vigil::security", "audit.accept_unanchored_trail: the audit trail is not anchored outside the database");
    }
    if let Some(settings) = config.login.clone() {
        app = app.with_login(crate::auth::login::Login::new(settings)?);
    }
    if config.jobs.enabled {
        app = app.with_jobs(config.jobs.config.clone(), sink(&config.jobs)?);
    } else {
        app = app.with_job_schedules(config.jobs.config.schedules.clone());
    }
    if config.metrics.enabled {
        crate::telemetry::metrics::install();
    }
    if let Some(address) = config.metrics.listen {
        let metrics = tokio::net::TcpListener::bind(address).await.with_context(|| format!("binding metrics.listen {address}"))?;
        tracing::info!(address = %address, "metrics served at /metrics");
        app = app.with_metrics(metrics);
    }
    app.serve(listener, shutdown_signal()).await?;
    Ok(ExitCode::SUCCESS)
}

pub async fn migrate(config: Option<&Path>) -> anyhow::Result<ExitCode> {
    let raw = RawConfig::load(config)?;
    let url = raw.database.url.context("configuration: database.url is missing (set it in the config file or VIGIL__DATABASE__URL)")?;
    let db = db::connect(&url, 2).await.context("connecting to database.url")?;
    db::migrate(&db).await.context("applying migrations")?;
    println!("migrations applied");
    Ok(ExitCode::SUCCESS)
}

/// Where notifications go: the signed webhook when configured, else the log.
pub fn sink(settings: &crate::config::JobSettings) -> anyhow::Result<jobs::outbox::Sink> {
    Ok(match &settings.webhook {
        Some((url, secret)) => jobs::outbox::Sink::webhook(url.clone(), secret.to_vec())?,
        None => jobs::outbox::Sink::Log,
    })
}
