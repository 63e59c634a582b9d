//! `vigil keys add | rotate | status | retire`: rotating the encryption and blind-index keys
//! while the service keeps serving (see `services::rotation`).
//!
//! 1. `keys add` writes a new active key of each kind into the ring file (old keys stay).
//! 2. Restart the replicas one by one: they seal under the new key and read under both.
//! 3. `keys rotate` moves everything to the new keys; rerun it after a crash to continue.
//! 4. `keys retire` removes the old keys once nothing remains under them; restart again. A
//!    retired encryption key leaves its audit root in the ring, so the audit trail still verifies.

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::Context;
use clap::Subcommand;

use crate::config::RawConfig;
use crate::crypto::{Crypto, KeyRing, usage};
use crate::services::{key_usage, rotation};

#[derive(Subcommand)]
pub enum KeysCommand {
    /// Create a new key ring file (mode 0600) with fresh encryption and blind-index keys.
    Generate {
        /// Where to write the key ring; it must not exist yet.
        #[arg(long)]
        out: PathBuf,
    },
    /// Add a new encryption key and blind-index key to the ring and make them active.
    Add,
    /// Re-encrypt every sealed value and rebuild every blind index under the active keys.
    Rotate {
        /// Rows per transaction.
        #[arg(long, default_value_t = 500)]
        batch: u64,
        /// Milliseconds to pause after each transaction, letting the service's writers in (on
        /// SQLite they share one write lock with the rotation).
        #[arg(long, default_value_t = 0)]
        pause_ms: u64,
    },
    /// Keys in the ring, their usage against the ceiling, and what is still under old keys.
    Status,
    /// Remove old keys from the ring once nothing is sealed or indexed under them.
    Retire {
        #[arg(long)]
        encryption_id: Option<u32>,
        #[arg(long)]
        blind_id: Option<u32>,
    },
}

pub async fn run(config: Option<&Path>, data_dir: Option<&Path>, command: KeysCommand) -> anyhow::Result<ExitCode> {
    if let KeysCommand::Generate { out } = &command {
        return super::tools::generate_keys(out);
    }
    let raw = RawConfig::load_with_data_dir(config, data_dir)?;
    let key_file = raw.keys.file.clone().context("configuration: keys.file is missing (set it in the config file or VIGIL__KEYS__FILE)")?;
    let mut ring = KeyRing::load(&key_file)?;
    if let KeysCommand::Add = command {
        let (encryption, blind) = ring.add_keys();
        ring.save_replacing(&key_file)?;
        println!("added encryption key {encryption} and blind-index key {blind}, now active, in {}", key_file.display());
        println!("next: restart each replica (they read both old and new), then run `vigil keys rotate`");
        return Ok(ExitCode::SUCCESS);
    }
    let url = raw.database.url.context("configuration: database.url is missing (set it in the config file or VIGIL__DATABASE__URL)")?;
    let db = crate::db::connect(&url, 4).await.context("connecting to database.url")?;
    match command {
        KeysCommand::Rotate { batch, pause_ms } => {
            if !(1..=10_000).contains(&batch) {
                anyhow::bail!("--batch must be 1 to 10000");
            }
            let crypto = Crypto::new(ring);
            key_usage::load(&db, &crypto).await?;
            if pause_ms > 10_000 {
                anyhow::bail!("--pause-ms must be at most 10000");
            }
            let pace = rotation::Pace { batch, pause: std::time::Duration::from_millis(pause_ms) };
            let report = rotation::rotate(&db, &crypto, pace, &|p| eprintln!("rotate: {}: {} moved", p.stage, p.moved)).await;
            // Whatever happened, the encryptions done count against the key.
            key_usage::flush(&db, &crypto, crate::clock::now()).await?;
            let report = report?;
            let left = rotation::remaining(&db, &crypto, batch).await?;
            println!("{}", serde_json::to_string_pretty(&serde_json::json!({ "moved": report, "remaining": left }))?);
            Ok(if left == rotation::Remaining::default() { ExitCode::SUCCESS } else { ExitCode::from(3) })
        }
        KeysCommand::Status => {
            let totals = key_usage::totals(&db).await?;
            let used = |id: u32| totals.iter().find(|(k, _)| *k == id).map_or(0, |t| t.1);
            let encryption: Vec<_> = ring
                .encryption_key_ids()
                .into_iter()
                .map(|id| {
                    serde_json::json!({ "id": id, "active": id == ring.active_encryption_id(), "encryptions": used(id),
                        "ceiling": usage::CEILING, "percent_of_ceiling": 100.0 * used(id) as f64 / usage::CEILING as f64 })
                })
                .collect();
            let blind: Vec<_> = ring
                .blind_index_key_ids()
                .into_iter()
                .map(|id| serde_json::json!({ "id": id, "active": id == ring.active_blind_index_id() }))
                .collect();
            let crypto = Crypto::new(ring);
            let left = rotation::remaining(&db, &crypto, 1000).await?;
            println!(
                "{}",
                serde_json::to_string_pretty(
                    &serde_json::json!({ "encryption_keys": encryption, "blind_index_keys": blind, "remaining_under_old_keys": left })
                )?
            );
            Ok(ExitCode::SUCCESS)
        }
        KeysCommand::Retire { encryption_id, blind_id } => {
            let crypto = Crypto::new(KeyRing::load(&key_file)?);
            let left = rotation::remaining(&db, &crypto, 1000).await?;
            if left != rotation::Remaining::default() {
                anyhow::bail!(
                    "not retiring: {} sealed values and {} owners' indexes are still under old keys; run `vigil keys rotate`",
                    left.sealed_values,
                    left.indexed_owners
                );
            }
            ring.retire(encryption_id, blind_id)?;
            ring.save_replacing(&key_file)?;
            println!("retired; restart each replica so it forgets the old keys");
            Ok(ExitCode::SUCCESS)
        }
        KeysCommand::Generate { .. } | KeysCommand::Add => unreachable!("handled above"),
    }
}
