//! `vigil demo`: everything a new user needs on a fresh machine, with nothing configured. It
//! creates a SQLite database, a key ring and a development signing key in a local data folder,
//! migrates, loads a synthetic register once, and serves on 127.0.0.1 only.

use domain::ids::RecordId;
use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Duration;

use anyhow::Context;
use clap::Args;
use sea_orm::{EntityTrait, PaginatorTrait};

use crate::app::{App, shutdown_signal};
use crate::auth::Caller;
use crate::auth::dev::DevIssuer;
use crate::crypto::{Crypto, KeyRing};
use crate::http::HttpLimits;
use crate::services::Ctx;
use crate::{clock, db, services};

#[derive(Args)]
pub struct DemoArgs {
    /// Folder for the demo database and keys (created if missing).
    #[arg(long, default_value = "vigil-data")]
    data_dir: PathBuf,
    /// Port on 127.0.0.1.
    #[arg(long, default_value_t = 8080)]
    port: u16,
    /// How many synthetic registrants to load into an empty register.
    #[arg(long, default_value_t = 40)]
    registrants: usize,
    /// Use this database instead of SQLite in the data folder (e.g. a PostgreSQL URL, to try
    /// the production store or benchmark it). Still loopback-only, still development sign-in.
    #[arg(long)]
    database_url: Option<String>,
    /// Register checks each user may run an hour (raise it for load tests).
    #[arg(long, default_value_t = crate::services::checks::limiter::DEFAULT_PER_HOUR)]
    checks_per_hour: u32,
    /// Run the jobs every few seconds with a one-minute grace, so that breaches and the order
    /// hygiene alerts (nightly in production) show within a minute.
    #[arg(long)]
    quick_jobs: bool,
    /// Serve Prometheus metrics at http://127.0.0.1:PORT/metrics.
    #[arg(long)]
    metrics_port: Option<u16>,
}

/// The jobs' settings for `--quick-jobs`: every job within half a minute, a minute's grace.
fn quick_jobs() -> jobs::scheduler::JobsConfig {
    let mut config = jobs::scheduler::JobsConfig { grace: Duration::from_secs(60), ..Default::default() };
    for (job, cron) in &mut config.schedules {
        *cron = if *job == jobs::outbox::NAME { "*/10 * * * * *".into() } else { "*/20 * * * * *".into() };
    }
    config
}

pub async fn run(args: DemoArgs) -> anyhow::Result<ExitCode> {
    // The port first: a taken one is said at once, before minutes of loading.
    // Loopback only: the development issuer's key sits in a local file, so this server must
    // never be reachable from another machine.
    let listener = bind(args.port).await?;
    let metrics = match args.metrics_port {
        Some(port) => Some(bind(port).await.context("the metrics port")?),
        None => None,
    };
    std::fs::create_dir_all(&args.data_dir).with_context(|| format!("creating {}", args.data_dir.display()))?;
    let key_file = args.data_dir.join("keyring.json");
    if !key_file.exists() {
        KeyRing::generate().save_new(&key_file)?;
    }
    let crypto = Crypto::new(KeyRing::load(&key_file)?);
    let issuer = DevIssuer::load_or_create(&args.data_dir)?;
    let url = args.database_url.clone().unwrap_or_else(|| format!("sqlite://{}?mode=rwc", args.data_dir.join("vigil.db").display()));
    let db = db::connect(&url, 16).await.context("opening the demo database")?;
    db::migrate(&db).await.context("applying migrations")?;

    let ctx = Ctx::new(db.clone(), std::sync::Arc::new(crypto));
    let existing = entities::registrant::Entity::find().count(&db).await?;
    if existing == 0 && args.registrants > 0 {
        load(&ctx, args.registrants).await?;
        println!("loaded {} synthetic registrants (and a second record of one of them)", args.registrants);
    }

    let validator = issuer.validator();
    let base = format!("http://{}", listener.local_addr()?);
    print_welcome(&base, &args.data_dir);
    if let Some(metrics) = &metrics {
        println!("Metrics (Prometheus): http://{}/metrics", metrics.local_addr()?);
    }
    if args.quick_jobs {
        println!("Quick jobs: every job runs every 20 seconds with a minute's grace; breaches and hygiene alerts show within a minute.");
    }
    let jobs_config = if args.quick_jobs { quick_jobs() } else { jobs::scheduler::JobsConfig::default() };
    // Missed sessions are found now rather than at the schedule's first tick, up to five minutes
    // in: the demo opens with its breaches, and nobody recording an outcome in those first
    // minutes has the session turn missed under them.
    jobs::scheduler::run_named(&db, jobs::detect_missed::NAME, clock::now(), &jobs_config, &jobs::outbox::Sink::Log, &jobs::NoKeys)
        .await
        .context("finding missed sessions")?;
    let crypto = std::sync::Arc::try_unwrap(ctx.crypto).map_err(|_| anyhow::anyhow!("crypto still shared"))?;
    let limits = HttpLimits { body_limit_bytes: 64 * 1024, request_timeout: Duration::from_secs(30) };
    // The demo runs the scheduled jobs too, delivering notifications to the log.
    let writer = db::writer(&url, &db).await.context("opening the demo database")?;
    let mut app = App::new(db, crypto, validator, limits)
        .with_writer(writer)
        .with_check_limit(args.checks_per_hour.max(1))
        .with_dev_signin()
        // Anchored outside the database in the demo too, beside it in the data folder.
        .with_checkpoints(checkpoint_dir(&args.data_dir), Duration::from_secs(60))
        .with_jobs(jobs_config, jobs::outbox::Sink::Log);
    if let Some(metrics) = metrics {
        app = app.with_metrics(metrics);
    }
    app.serve(listener, shutdown_signal()).await?;
    Ok(ExitCode::SUCCESS)
}

/// Binds 127.0.0.1:`port`; a port in use says which and what to try instead.
async fn bind(port: u16) -> anyhow::Result<tokio::net::TcpListener> {
    match tokio::net::TcpListener::bind(("127.0.0.1", port)).await {
        Ok(listener) => Ok(listener),
        Err(e) if e.kind() == std::io::ErrorKind::AddrInUse => {
            let next = port.checked_add(1).unwrap_or(8081);
            anyhow::bail!("127.0.0.1:{port} is already in use (another vigil demo?): try --port {next}")
        }
        Err(e) => Err(e).with_context(|| format!("binding 127.0.0.1:{port}")),
    }
}

async fn load(ctx: &Ctx, count: usize) -> anyhow::Result<()> {
    use super::demo_data::FORCES;
    let mut created = Vec::with_capacity(count);
    for (i, input) in super::demo_data::registrants(count).into_iter().enumerate() {
        let caller = Caller::system(FORCES[i % FORCES.len()]);
        let view = services::registrants::create(ctx, &caller, input, clock::now()).await.map_err(|e| match e {
            services::ServiceError::Invalid(errors) => anyhow::anyhow!("demo registrant {i} is invalid: {:?}", errors.0),
            other => anyhow::anyhow!("loading demo registrant {i}: {other}"),
        })?;
        created.push(super::demo_orders::Created { id: view.id.uuid(), managing_org: view.managing_org });
    }
    let loaded = super::demo_orders::load(ctx, &created, clock::now()).await?;
    println!("loaded {} synthetic orders ({} initial notifications outstanding)", loaded.orders, loaded.overdue_notifications);
    let asked = super::demo_approvals::load(ctx, clock::now()).await?;
    println!("loaded {asked} four-eyes requests for the supervisor");
    // After the requests, so that no demo request is about this record.
    let twin = services::registrants::create(ctx, &Caller::system(FORCES[0]), super::demo_data::twin(), clock::now()).await;
    let twin = twin.map_err(|e| anyhow::anyhow!("loading the demo's second record of one person: {e}"))?;
    if super::demo_approvals::confirm_twin(ctx, twin.id, clock::now()).await? {
        println!("loaded one person recorded twice, confirmed as a duplicate and ready to merge");
    }
    let reports = super::demo_reports::load(ctx, count, &created, clock::now()).await?;
    println!("loaded {} synthetic crime reports, checked against the register ({} review alerts raised)", reports.reports, reports.alerts);
    Ok(())
}

/// Where the demo writes its signed audit checkpoints.
pub fn checkpoint_dir(data_dir: &std::path::Path) -> PathBuf {
    data_dir.join("audit-checkpoints")
}

fn print_welcome(base: &str, data_dir: &std::path::Path) {
    let dir = data_dir.display();
    println!("\nVigil demo running at {base}");
    println!("  Open {base} and choose a role.");
    println!("  API docs:  {base}/api/docs");
    println!("  Health:    {base}/health/ready\n");
    println!("Get a token for a role (in another terminal, from this folder):");
    for (role, org) in crate::ui::signin_accounts() {
        println!("  cargo run -q -- dev-token --role {role} --org {org} --data-dir {dir}");
    }
    println!("\nCheck the audit trail (signed checkpoints every minute in {dir}/audit-checkpoints):");
    println!("  cargo run -q -- audit verify --data-dir {dir}");
    println!("\nThen, for example:");
    println!(
        "  curl -s -H \"Authorization: Bearer $(cargo run -q -- dev-token --role ppo --org met --data-dir {dir})\" -H \"Vigil-Reason-Code: OFFENDER_MANAGEMENT\" {base}/api/v1/registrants?limit=5\n"
    );
}
