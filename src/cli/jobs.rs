//! `vigil jobs run NAME | --all` and `vigil jobs status`.

use std::path::Path;
use std::process::ExitCode;

use anyhow::Context;
use clap::Subcommand;
use entities::job_run;
use sea_orm::{EntityTrait, QueryOrder, QuerySelect};

use crate::config::RawConfig;

#[derive(Subcommand)]
pub enum JobsCommand {
    /// Run one job (or every job, in dependency order) now and print what it did.
    Run {
        /// materialise_occurrences, detect_missed, order_hygiene, reviews_due or deliver_outbox.
        name: Option<String>,
        #[arg(long, conflicts_with = "name")]
        all: bool,
    },
    /// List recent runs, newest first, then each job's health: exits 3 when a job's last run
    /// failed or a tick of its schedule passed without a run (for a monitoring check).
    Status {
        #[arg(long, default_value_t = 20)]
        limit: u64,
    },
}

pub async fn run(config: Option<&Path>, data_dir: Option<&Path>, command: JobsCommand) -> anyhow::Result<ExitCode> {
    let raw = RawConfig::load_with_data_dir(config, data_dir)?;
    let url =
        raw.database.url.clone().context("configuration: database.url is missing (set it in the config file or VIGIL__DATABASE__URL)")?;
    let settings = raw.jobs.validate()?;
    let db = crate::db::connect(&url, 4).await.context("connecting to database.url")?;
    crate::db::migrate(&db).await?;
    match command {
        JobsCommand::Run { name, all } => {
            let names: Vec<String> = match (name, all) {
                (Some(n), false) => vec![n],
                (None, true) => jobs::scheduler::ALL.iter().map(|s| s.to_string()).collect(),
                _ => anyhow::bail!("name a job ({}) or pass --all", jobs::scheduler::ALL.join(", ")),
            };
            let sink = super::serve::sink(&settings)?;
            // Delivery names each officer and expiry seals its reasons: both need the key ring.
            let keys: Box<dyn jobs::Keys> = match &raw.keys.file {
                Some(file) => Box::new(crate::crypto::Crypto::new(crate::crypto::KeyRing::load(file)?)),
                None => Box::new(jobs::NoKeys),
            };
            let mut failed = false;
            for name in names {
                match jobs::scheduler::run_named(&db, &name, crate::clock::now(), &settings.config, &sink, keys.as_ref()).await {
                    Ok(r) => println!(
                        "{:<24} examined {:>8}  created {:>8}{}",
                        r.job,
                        r.examined,
                        r.created,
                        if r.skipped { "  (skipped: running elsewhere)" } else { "" }
                    ),
                    Err(e) => {
                        failed = true;
                        println!("{name:<24} failed: {e}");
                    }
                }
            }
            Ok(if failed { ExitCode::FAILURE } else { ExitCode::SUCCESS })
        }
        JobsCommand::Status { limit } => {
            let runs = job_run::Entity::find().order_by_desc(job_run::Column::StartedAt).limit(limit).all(&db).await?;
            println!("{:<24} {:<10} {:<27} {:>9} {:>9}  holder", "job", "outcome", "started (UTC)", "examined", "created");
            for r in runs {
                println!(
                    "{:<24} {:<10} {:<27} {:>9} {:>9}  {}",
                    r.job,
                    r.outcome,
                    r.started_at.format("%Y-%m-%d %H:%M:%S%.3f"),
                    r.examined,
                    r.created,
                    r.holder
                );
            }
            let health = jobs::health::check(&db, &settings.config.schedules, crate::clock::now()).await?;
            println!("\n{:<24} {:<8} {:<20} {:<27} advice", "job", "health", "schedule", "last started (UTC)");
            for h in &health {
                let started = h.last_started.map_or_else(|| "never".to_owned(), |t| t.format("%Y-%m-%d %H:%M:%S").to_string());
                let state = format!("{:?}", h.state).to_lowercase();
                println!("{:<24} {:<8} {:<20} {:<27} {}", h.job, state, h.schedule, started, h.advice.as_deref().unwrap_or("-"));
            }
            Ok(if health.iter().all(jobs::health::JobHealth::healthy) { ExitCode::SUCCESS } else { ExitCode::from(3) })
        }
    }
}
