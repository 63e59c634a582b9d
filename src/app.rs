//! Assembling and running the service: state, router and background work, served until a
//! shutdown signal.

use std::sync::Arc;
use std::time::Duration;

use jobs::outbox::Sink;
use jobs::scheduler::JobsConfig;
use sea_orm::DatabaseConnection;
use tokio::net::TcpListener;

use crate::auth::token::TokenValidator;
use crate::background;
use crate::crypto::Crypto;
use crate::http::{self, AppState, HttpLimits};
use crate::services::Ctx;

pub struct App {
    pub state: AppState,
    pub limits: HttpLimits,
    jobs: Option<(JobsConfig, Sink)>,
    checkpoints: Option<(std::path::PathBuf, Duration)>,
    metrics: Option<TcpListener>,
}

impl App {
    pub fn new(db: DatabaseConnection, crypto: Crypto, validator: TokenValidator, limits: HttpLimits) -> Self {
        let state = AppState {
            ctx: Ctx::new(db, Arc::new(crypto)),
            validator: Arc::new(validator),
            login: None,
            dev_signin: false,
            badges: Default::default(),
        };
        Self { state, limits, jobs: None, checkpoints: None, metrics: None }
    }

    /// Writes through `writer` (`db::writer`) rather than the reading pool, and commits the
    /// audit entries of reads in groups (`services::audit::batch`). Call within the runtime.
    pub fn with_writer(mut self, writer: DatabaseConnection) -> Self {
        self.state.ctx.audit_batch = Some(crate::services::audit::batch::Batcher::start(writer.clone()));
        self.state.ctx.writer = writer;
        self
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

    /// Adds the development sign-in page (`demo` only: its sessions need no identity provider).
    pub fn with_dev_signin(mut self) -> Self {
        self.state.dev_signin = true;
        self
    }

    /// Writes a signed audit checkpoint into `dir` every `every` while the chain grows.
    pub fn with_checkpoints(mut self, dir: std::path::PathBuf, every: Duration) -> Self {
        self.checkpoints = Some((dir, every));
        self
    }

    /// Runs the scheduled jobs in this process too.
    pub fn with_jobs(mut self, config: JobsConfig, sink: Sink) -> Self {
        self.state.ctx.job_schedules = Arc::new(config.schedules.clone());
        self.jobs = Some((config, sink));
        self
    }

    /// The schedules the jobs run on (from the configuration), when another process runs them.
    pub fn with_job_schedules(mut self, schedules: Vec<(&'static str, String)>) -> Self {
        self.state.ctx.job_schedules = Arc::new(schedules);
        self
    }

    /// Serves `GET /metrics` on `listener` (`telemetry::exporter`), installing the recorder.
    pub fn with_metrics(mut self, listener: TcpListener) -> Self {
        self.metrics = Some(listener);
        self
    }

    /// Serves on an already bound listener until `shutdown` resolves, with the background work
    /// (`crate::background`) beside it.
    pub async fn serve(
        self,
        listener: TcpListener,
        shutdown: impl std::future::Future<Output = ()> + Send + 'static,
    ) -> std::io::Result<()> {
        let exporter = match self.metrics {
            Some(metrics) => {
                let handle = crate::telemetry::metrics::install()
                    .ok_or_else(|| std::io::Error::other("the metrics recorder could not be installed"))?;
                let exporter = crate::telemetry::exporter::Exporter { handle, ctx: self.state.ctx.clone() };
                Some(tokio::spawn(crate::telemetry::exporter::serve(metrics, exporter)))
            }
            None => None,
        };
        let plan = background::Plan { jobs: self.jobs, checkpoints: self.checkpoints };
        let background = background::start(self.state.ctx.clone(), plan).await.map_err(|e| std::io::Error::other(e.to_string()))?;
        let router = http::router(self.state, self.limits);
        let result = http::server::serve(listener, router, shutdown).await;
        background.stop().await;
        if let Some(exporter) = exporter {
            exporter.abort();
        }
        result
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
