//! Assembling and running the service: connect, migrate, load keys, build the router, serve
//! until a shutdown signal, and keep sealing the audit chain in the background.

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use jobs::outbox::Sink;
use jobs::scheduler::JobsConfig;
use sea_orm::DatabaseConnection;
use tokio::net::TcpListener;

use crate::auth::token::TokenValidator;
use crate::crypto::Crypto;
use crate::http::{self, AppState, HttpLimits};
use crate::services::{Ctx, audit};

pub struct App {
    pub state: AppState,
    pub limits: HttpLimits,
    jobs: Option<(JobsConfig, Sink)>,
    checkpoints: Option<(std::path::PathBuf, Duration)>,
}

impl App {
    pub fn new(db: DatabaseConnection, crypto: Crypto, validator: TokenValidator, limits: HttpLimits) -> Self {
        let state = AppState { ctx: Ctx::new(db, Arc::new(crypto)), validator: Arc::new(validator), login: None };
        Self { state, limits, jobs: None, checkpoints: None }
    }

    /// Allows each user this many register checks an hour (default 60).
    pub fn with_check_limit(mut self, per_hour: u32) -> Self {
        self.state.ctx.checks = Arc::new(crate::services::checks::limiter::CheckLimiter::per_hour(per_hour));
        self
    }

    /// Lets browsers log in through the OpenID Provider (backend-for-frontend).
    pub fn with_login(mut self, login: crate::auth::login::Login) -> Self {
        self.state.login = Some(Arc::new(login));
        self
    }

    /// Writes a signed audit checkpoint into `dir` every `every` while the chain grows.
    pub fn with_checkpoints(mut self, dir: std::path::PathBuf, every: Duration) -> Self {
        self.checkpoints = Some((dir, every));
        self
    }

    /// Runs the scheduled jobs in this process too.
    pub fn with_jobs(mut self, config: JobsConfig, sink: Sink) -> Self {
        self.jobs = Some((config, sink));
        self
    }

    /// Serves on an already bound listener until `shutdown` resolves.
    pub async fn serve(
        self,
        listener: TcpListener,
        shutdown: impl std::future::Future<Output = ()> + Send + 'static,
    ) -> std::io::Result<()> {
        crate::services::key_usage::load(&self.state.ctx.db, &self.state.ctx.crypto)
            .await
            .map_err(|e| std::io::Error::other(e.to_string()))?;
        let usage = tokio::spawn(flush_key_usage(self.state.ctx.clone()));
        let sealer = tokio::spawn(seal_audit_chain(self.state.ctx.db.clone()));
        let checkpointer = self.checkpoints.map(|(dir, every)| tokio::spawn(checkpoint_audit_chain(self.state.ctx.clone(), dir, every)));
        let mut scheduler = match self.jobs {
            Some((config, sink)) => Some(
                jobs::scheduler::start(self.state.ctx.db.clone(), config, Arc::new(sink), crate::clock::now)
                    .await
                    .map_err(|e| std::io::Error::other(e.to_string()))?,
            ),
            None => None,
        };
        let ctx = self.state.ctx.clone();
        let router = http::router(self.state, self.limits);
        let result =
            axum::serve(listener, router.into_make_service_with_connect_info::<SocketAddr>()).with_graceful_shutdown(shutdown).await;
        sealer.abort();
        usage.abort();
        if let Err(err) = crate::services::key_usage::flush(&ctx.db, &ctx.crypto, crate::clock::now()).await {
            tracing::error!(error = %err, "recording key usage at shutdown failed");
        }
        if let Some(task) = checkpointer {
            task.abort();
        }
        if let Some(s) = scheduler.as_mut() {
            let _ = s.shutdown().await;
        }
        result
    }
}

/// Chains new audit entries every half second. Losing this task loses nothing: entries are
/// already committed, and the next sealer (this process or another replica) chains them. Only
/// every tenth pass looks back for entries that committed late below the chain's tip: that scan
/// grows with the trail, and at two a second it was what PostgreSQL was busiest with under load.
async fn seal_audit_chain(db: DatabaseConnection) {
    let mut tick = tokio::time::interval(Duration::from_millis(500));
    for pass in 0u64.. {
        tick.tick().await;
        let sealed = if pass.is_multiple_of(10) {
            audit::seal_pending(&db, crate::clock::now()).await
        } else {
            audit::seal_recent(&db, crate::clock::now()).await
        };
        if let Err(err) = sealed {
            tracing::warn!(error = %err, "audit chain sealing failed; will retry");
        }
    }
}

/// Adds this process's encryption counts to the shared per-key totals every ten seconds.
async fn flush_key_usage(ctx: crate::services::Ctx) {
    let mut tick = tokio::time::interval(Duration::from_secs(10));
    loop {
        tick.tick().await;
        if let Err(err) = crate::services::key_usage::flush(&ctx.db, &ctx.crypto, crate::clock::now()).await {
            tracing::warn!(error = %err, "recording key usage failed; will retry");
        }
    }
}

/// Exports a signed checkpoint of the chain's tip now and then (see `audit::checkpoints`). Two
/// replicas may both write one for the same tip; the file name is the position, so the second
/// finds it there and writes nothing.
async fn checkpoint_audit_chain(ctx: crate::services::Ctx, dir: std::path::PathBuf, every: Duration) {
    let mut tick = tokio::time::interval(every);
    loop {
        tick.tick().await;
        if let Err(err) = audit::checkpoints::write(&ctx.db, &ctx.crypto, &dir, crate::clock::now()).await {
            tracing::error!(error = %err, "writing the audit checkpoint failed; will retry");
        }
    }
}

pub async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let terminate = async {
        if let Ok(mut s) = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            s.recv().await;
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! { _ = ctrl_c => {}, _ = terminate => {} }
}
