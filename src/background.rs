//! Everything the service does that no request asked for, started and stopped in one place:
//!
//! - the scheduled jobs (`jobs` crate: missed obligations, materialising occurrences, order
//!   hygiene, reviews due, outbox delivery), on their cron schedules, when this process runs them;
//! - sealing the audit chain, every half second, with a look-back for late commits every five;
//! - adding this process's encryption counts to the shared per-key totals, every ten seconds;
//! - watching that every scheduled job runs on time and does not fail (`jobs::health`), every
//!   minute, whichever process runs them: a change for the worse is logged at WARN on
//!   `vigil::ops`, for the log pipeline to alert on, and the metrics carry it too;
//! - exporting signed audit checkpoints on a schedule and at shutdown, when a checkpoint folder
//!   is configured (`serve` refuses to start without one unless told otherwise).
//!
//! Each task is idempotent and safe on several replicas at once (unique keys, advisory locks,
//! positions as file names), so losing a task or a process loses nothing.

use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use jobs::outbox::Sink;
use jobs::scheduler::JobsConfig;
use tokio::task::JoinHandle;

use crate::services::{Ctx, audit, key_usage};

/// What to run besides the request handlers.
#[derive(Default)]
pub struct Plan {
    pub jobs: Option<(JobsConfig, Sink)>,
    pub checkpoints: Option<(PathBuf, Duration)>,
}

/// The key ring as the jobs use it (the jobs crate holds no keys): the managing officer for
/// notification delivery, and reasons sealed under the same columns the service uses.
impl jobs::Keys for crate::crypto::Crypto {
    fn officer(&self, registrant: domain::ids::RegistrantId, sealed: &[u8]) -> Option<String> {
        self.open_str(crate::crypto::columns::REGISTRANT_OFFICER, registrant, sealed).ok()
    }
    fn seal_occurrence_reason(&self, occurrence: uuid::Uuid, text: &str) -> Option<Vec<u8>> {
        self.seal_str(crate::crypto::columns::OCCURRENCE_REASON, occurrence, text).ok()
    }
    fn seal_status_reason(&self, change: uuid::Uuid, text: &str) -> Option<Vec<u8>> {
        self.seal_str(crate::crypto::columns::ORDER_STATUS_REASON, change, text).ok()
    }
}

/// The running background work; [`Background::stop`] ends it.
pub struct Background {
    ctx: Ctx,
    checkpoints: Option<PathBuf>,
    tasks: Vec<JoinHandle<()>>,
    scheduler: Option<jobs::scheduler::JobScheduler>,
}

/// Starts the background work for `ctx`, after loading the key-usage totals it adds to.
pub async fn start(ctx: Ctx, plan: Plan) -> anyhow::Result<Background> {
    key_usage::load(&ctx.db, &ctx.crypto).await?;
    crate::services::legacy::seal_plaintext(&ctx.db, &ctx.crypto).await?;
    let mut tasks = vec![
        tokio::spawn(seal_audit_chain(ctx.clone())),
        tokio::spawn(flush_key_usage(ctx.clone())),
        tokio::spawn(backfill_match_profiles(ctx.clone())),
        tokio::spawn(watch_jobs(ctx.clone())),
    ];
    if let Some((dir, every)) = plan.checkpoints.clone() {
        // The folder exists from the start, so verification finds it even before the first
        // checkpoint (the chain may still be empty).
        audit::checkpoints::check_writable(&dir)?;
        tasks.push(tokio::spawn(checkpoint_audit_chain(ctx.clone(), dir, every)));
    }
    let scheduler = match plan.jobs {
        Some((config, sink)) => {
            let keys: Arc<dyn jobs::Keys> = ctx.crypto.clone();
            Some(jobs::scheduler::start(ctx.db.clone(), config, Arc::new(sink), keys, crate::clock::now).await?)
        }
        None => None,
    };
    Ok(Background { ctx, checkpoints: plan.checkpoints.map(|(dir, _)| dir), tasks, scheduler })
}

impl Background {
    /// Stops every task, seals what is waiting, writes a last checkpoint and records this
    /// process's last key usage.
    pub async fn stop(mut self) {
        for task in &self.tasks {
            task.abort();
        }
        let now = crate::clock::now();
        match audit::chain::seal_all(&self.ctx.db, self.ctx.crypto.clone(), now).await {
            Ok(_) => {
                if let Some(dir) = &self.checkpoints
                    && let Err(err) = audit::checkpoints::write(&self.ctx.writer, &self.ctx.crypto, dir, now).await
                {
                    tracing::error!(error = %err, "writing the audit checkpoint at shutdown failed");
                }
            }
            Err(err) => tracing::error!(error = %err, "sealing the audit chain at shutdown failed"),
        }
        if let Err(err) = key_usage::flush(&self.ctx.writer, &self.ctx.crypto, crate::clock::now()).await {
            tracing::error!(error = %err, "recording key usage at shutdown failed");
        }
        if let Some(scheduler) = self.scheduler.as_mut() {
            let _ = scheduler.shutdown().await;
        }
    }
}

/// How often the sealer looks back below the chain's tip for entries that committed late.
const LOOK_BACK_EVERY: Duration = Duration::from_secs(5);

/// Chains new audit entries every half second and looks back for late commits every five
/// seconds. Each pass is bounded (`chain::MAX_BATCHES`), so the look-back keeps its schedule
/// under any load. Losing this task loses nothing: entries are already committed, and the next
/// sealer (this process or another replica) chains them.
async fn seal_audit_chain(ctx: Ctx) {
    let mut sealer = audit::chain::Sealer::new(ctx.db.clone(), ctx.crypto.clone()).writing_through(ctx.writer.clone());
    let mut tick = tokio::time::interval(Duration::from_millis(500));
    tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    let mut last_look_back: Option<tokio::time::Instant> = None;
    loop {
        tick.tick().await;
        let now = crate::clock::now();
        let sealed = if last_look_back.is_none_or(|at| at.elapsed() >= LOOK_BACK_EVERY) {
            last_look_back = Some(tokio::time::Instant::now());
            sealer.look_back(now).await
        } else {
            sealer.seal_recent(now).await
        };
        match sealed {
            // Already logged as a security event; nothing more is sealed until someone looks.
            Err(audit::chain::SealError::Tampered(_)) => {}
            Err(err) => tracing::warn!(error = %err, "audit chain sealing failed; will retry"),
            Ok(_) => {}
        }
    }
}

/// Builds the match profiles that registrants and reports written by an older release lack,
/// then ends. Replicas may race on one owner; the loser's transaction fails and it retries
/// later, which is harmless.
async fn backfill_match_profiles(ctx: Ctx) {
    loop {
        match crate::services::match_profiles::backfill(&ctx.db, &ctx.crypto, 200).await {
            Ok(0) => return,
            Ok(built) => tracing::info!(built, "match profiles built for older records"),
            Err(err) => {
                tracing::warn!(error = %err, "building match profiles failed; will retry");
                tokio::time::sleep(Duration::from_secs(30)).await;
            }
        }
    }
}

/// Adds this process's encryption counts to the shared per-key totals every ten seconds.
async fn flush_key_usage(ctx: Ctx) {
    let mut tick = tokio::time::interval(Duration::from_secs(10));
    loop {
        tick.tick().await;
        if let Err(err) = key_usage::flush(&ctx.writer, &ctx.crypto, crate::clock::now()).await {
            tracing::warn!(error = %err, "recording key usage failed; will retry");
        }
    }
}

/// How often the jobs' health is looked at.
const WATCH_JOBS_EVERY: Duration = Duration::from_secs(60);

/// Logs each job whose health turns bad (failing, or overdue on its schedule), once when it
/// turns and again when it recovers, on `vigil::ops`.
async fn watch_jobs(ctx: Ctx) {
    let mut known: std::collections::HashMap<&'static str, jobs::health::JobState> = Default::default();
    let mut tick = tokio::time::interval(WATCH_JOBS_EVERY);
    loop {
        tick.tick().await;
        let health = match jobs::health::check(&ctx.db, &ctx.job_schedules, crate::clock::now()).await {
            Ok(health) => health,
            Err(err) => {
                tracing::warn!(error = %err, "reading the jobs' health failed; will retry");
                continue;
            }
        };
        for h in health {
            let before = known.insert(h.job, h.state);
            if before == Some(h.state) || (before.is_none() && h.healthy()) {
                continue;
            }
            let advice = h.advice.as_deref().unwrap_or_default();
            if h.healthy() {
                tracing::info!(target: "vigil::ops", job = h.job, "scheduled job healthy again");
            } else {
                tracing::warn!(target: "vigil::ops", job = h.job, state = ?h.state, last_due = ?h.last_due, last_started = ?h.last_started, advice, "scheduled job needs attention");
            }
        }
    }
}

/// Exports a signed checkpoint of the chain's tip now and then (see `audit::checkpoints`). Two
/// replicas may both write one for the same tip; the file name is the position, so the second
/// finds it there and writes nothing.
async fn checkpoint_audit_chain(ctx: Ctx, dir: PathBuf, every: Duration) {
    let mut tick = tokio::time::interval(every);
    loop {
        tick.tick().await;
        if let Err(err) = audit::checkpoints::write(&ctx.writer, &ctx.crypto, &dir, crate::clock::now()).await {
            tracing::error!(error = %err, "writing the audit checkpoint failed; will retry");
        }
    }
}
