//! Signed checkpoints of the audit chain, kept outside the database. The hash chain shows an
//! entry edited, deleted, reordered or inserted, but not the newest entries cut off together
//! with their links: the shortened chain is still a valid chain. A checkpoint records the
//! chain's length and tip hash at a moment, signed (Ed25519, key derived from the key ring), in
//! a file the database cannot reach; verification then requires every checkpointed position to
//! be present with the same hash.
//!
//! File: `checkpoint-<position, 12 digits>.json` in the configured folder, never overwritten.

use std::path::{Path, PathBuf};

use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use chrono::{DateTime, SecondsFormat, SubsecRound, Utc};
use ed25519_dalek::{Signature, Signer, Verifier, VerifyingKey};
use entities::audit_chain;
use sea_orm::{ColumnTrait, DatabaseConnection, DbErr, EntityTrait, QueryFilter, QueryOrder};
use serde::{Deserialize, Serialize};

use super::verify::{Finding, FindingKind};
use crate::crypto::Crypto;

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
#[serde(deny_unknown_fields)]
pub struct Checkpoint {
    pub position: i64,
    pub entry_hash: String,
    pub created_at: DateTime<Utc>,
    /// Which encryption key the signing key was derived from.
    pub key_id: u32,
    /// The signer's public key (base64), so a checkpoint can be checked by someone without
    /// the key ring; verification here still uses the ring's own key.
    pub public_key: String,
    pub signature: String,
}

fn message(position: i64, entry_hash: &str, created_at: DateTime<Utc>, key_id: u32) -> String {
    format!("vigil-audit-checkpoint/v1|{position}|{entry_hash}|{}|{key_id}", created_at.to_rfc3339_opts(SecondsFormat::Micros, true))
}

#[derive(Debug, thiserror::Error)]
pub enum CheckpointError {
    #[error("database: {0}")]
    Database(#[from] DbErr),
    #[error("checkpoint folder: {0}")]
    Io(#[from] std::io::Error),
    #[error("signing key: {0}")]
    Key(#[from] crate::crypto::CryptoError),
}

/// Creates the folder if need be and proves a file can be written and removed in it.
pub fn check_writable(dir: &Path) -> std::io::Result<()> {
    std::fs::create_dir_all(dir)?;
    let probe = dir.join(".vigil-write-probe");
    std::fs::write(&probe, b"probe")?;
    std::fs::remove_file(&probe)
}

/// Writes a checkpoint of the current tip, unless the newest checkpoint already covers it.
pub async fn write(db: &DatabaseConnection, crypto: &Crypto, dir: &Path, now: DateTime<Utc>) -> Result<Option<PathBuf>, CheckpointError> {
    let Some(tip) = audit_chain::Entity::find().order_by_desc(audit_chain::Column::Pos).one(db).await? else {
        return Ok(None);
    };
    std::fs::create_dir_all(dir)?;
    let path = dir.join(format!("checkpoint-{:012}.json", tip.pos));
    if path.exists() {
        return Ok(None);
    }
    let key_id = crypto.ring().active_encryption_id();
    let key = crypto.checkpoint_key(key_id)?;
    let created_at = now.trunc_subsecs(6);
    let signature = key.sign(message(tip.pos, &tip.entry_hash, created_at, key_id).as_bytes());
    let checkpoint = Checkpoint {
        position: tip.pos,
        entry_hash: tip.entry_hash,
        created_at,
        key_id,
        public_key: STANDARD.encode(key.verifying_key().as_bytes()),
        signature: STANDARD.encode(signature.to_bytes()),
    };
    // Written whole under a temporary name, then renamed: a reader never sees half a file.
    let partial = dir.join(format!(".checkpoint-{:012}.partial", tip.pos));
    std::fs::write(&partial, serde_json::to_vec_pretty(&checkpoint).unwrap_or_default())?;
    std::fs::rename(&partial, &path)?;
    Ok(Some(path))
}

/// Checks every checkpoint in `dir` against the chain, oldest first. Returns how many held
/// and a finding for each that did not.
pub async fn check(db: &DatabaseConnection, crypto: &Crypto, dir: &Path) -> Result<(usize, Vec<Finding>), CheckpointError> {
    if !dir.is_dir() {
        return Ok((0, vec![Finding::new(FindingKind::CheckpointMismatch, None, "the checkpoint folder is missing")]));
    }
    let mut files: Vec<PathBuf> = std::fs::read_dir(dir)?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.file_name().and_then(|n| n.to_str()).is_some_and(|n| n.starts_with("checkpoint-") && n.ends_with(".json")))
        .collect();
    files.sort();
    let mut checked = 0;
    let mut findings = Vec::new();
    for file in files {
        let name = file.file_name().and_then(|n| n.to_str()).unwrap_or_default().to_owned();
        let mut problem = |kind, position, reason: &str| findings.push(Finding::new(kind, position, format!("{name}: {reason}")));
        let Ok(checkpoint) = serde_json::from_slice::<Checkpoint>(&std::fs::read(&file)?) else {
            problem(FindingKind::CheckpointMismatch, None, "the checkpoint file is unreadable");
            continue;
        };
        let at = Some(checkpoint.position);
        if !signed_by_us(crypto, &checkpoint) {
            problem(FindingKind::CheckpointMismatch, at, "the checkpoint's signature is not ours");
            continue;
        }
        match audit_chain::Entity::find().filter(audit_chain::Column::Pos.eq(checkpoint.position)).one(db).await? {
            None => problem(FindingKind::MissingTail, at, "the chain is shorter than this checkpoint: entries were removed from its end"),
            Some(link) if link.entry_hash != checkpoint.entry_hash => {
                problem(FindingKind::CheckpointMismatch, at, "the chain differs from this checkpoint: it was rewritten")
            }
            Some(_) => checked += 1,
        }
    }
    Ok((checked, findings))
}

fn signed_by_us(crypto: &Crypto, c: &Checkpoint) -> bool {
    let Ok(key) = crypto.checkpoint_key(c.key_id) else { return false };
    let public: VerifyingKey = key.verifying_key();
    let Ok(bytes) = STANDARD.decode(&c.signature) else { return false };
    let Ok(signature) = Signature::from_slice(&bytes) else { return false };
    public.verify(message(c.position, &c.entry_hash, c.created_at, c.key_id).as_bytes(), &signature).is_ok()
}
