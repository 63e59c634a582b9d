//! `vigil audit verify`: reads the trail and reports every way it does not hold, by position
//! and time. It never writes: sealing is the service's job, and a verifier that sealed would
//! bless whatever it found unsealed.
//!
//! What it can show, with the key ring: an entry edited, deleted, moved or not written by Vigil;
//! a link missing, rewritten, moved or unkeyed; the chain cut back below the sealer's
//! high-water mark or a signed checkpoint; an entry left unsealed, or sealed late, beyond the
//! sealing delay. What it cannot show: entries removed before they were ever chained or
//! checkpointed and then re-sealed on time, by someone holding the key ring as well as the
//! database (the README's audit section says how to keep those apart).

use std::path::Path;

use chrono::{DateTime, TimeDelta, Utc};
use entities::{audit_chain, audit_event, audit_seal_mark};
use sea_orm::{ColumnTrait, DatabaseConnection, EntityTrait, PaginatorTrait, QueryFilter, QueryOrder, QuerySelect};
use serde::Serialize;

use super::chain::{self, GENESIS};
use super::checkpoints;
use crate::crypto::Crypto;

/// Findings listed in full; any more are counted.
const SHOWN: usize = 100;
const PAGE: u64 = 1000;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum FindingKind {
    /// The chain ends before a checkpoint or the sealer's high-water mark.
    MissingTail,
    /// Positions are missing in the middle of the chain.
    Gap,
    /// A genuine link or entry is not where it was sealed.
    Reorder,
    /// An entry's content changed after it was sealed.
    Edit,
    /// A link remains but its entry is gone.
    Deleted,
    /// An entry the service did not write (no valid entry MAC).
    Forged,
    /// A link whose MAC does not hold in any position.
    BrokenLink,
    /// A link from before keyed chaining: only as strong as an unkeyed hash.
    Unkeyed,
    /// An entry still unsealed after the sealing delay.
    NeverSealed,
    /// An entry sealed later than the sealing delay after it was written.
    LateSeal,
    /// A checkpoint, or the sealer's mark, does not match the chain or was not made by us.
    CheckpointMismatch,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Finding {
    pub kind: FindingKind,
    /// Chain position.
    pub position: Option<i64>,
    /// Entry number (`audit_events.seq`).
    pub entry: Option<i64>,
    /// When the entry says it happened.
    pub occurred_at: Option<DateTime<Utc>>,
    pub detail: String,
}

impl Finding {
    pub fn new(kind: FindingKind, position: Option<i64>, detail: impl Into<String>) -> Self {
        Self { kind, position, entry: None, occurred_at: None, detail: detail.into() }
    }

    fn about(mut self, event: &audit_event::Model) -> Self {
        self.entry = Some(event.seq);
        self.occurred_at = Some(event.occurred_at);
        self
    }
}

#[derive(Debug, Clone, Serialize)]
pub struct VerifyReport {
    pub links_checked: u64,
    pub entries: u64,
    /// Entries not yet chained but younger than the sealing delay (not a finding).
    pub awaiting_seal: u64,
    pub chain_length: i64,
    pub high_water_mark: Option<i64>,
    pub checkpoints_checked: usize,
    pub findings: Vec<Finding>,
    pub findings_not_shown: u64,
}

impl VerifyReport {
    pub fn holds(&self) -> bool {
        self.findings.is_empty()
    }

    fn add(&mut self, finding: Finding) {
        if self.findings.len() < SHOWN {
            self.findings.push(finding);
        } else {
            self.findings_not_shown += 1;
        }
    }
}

pub struct VerifyOptions<'a> {
    pub now: DateTime<Utc>,
    /// How soon after it is written an entry must be sealed.
    pub sealing_delay: TimeDelta,
    pub checkpoints: Option<&'a Path>,
}

#[derive(Debug, thiserror::Error)]
pub enum VerifyError {
    #[error("database: {0}")]
    Database(#[from] sea_orm::DbErr),
    #[error("checkpoints: {0}")]
    Checkpoints(#[from] checkpoints::CheckpointError),
}

/// Walks the whole chain in order, then the unsealed entries, the sealer's mark and the
/// checkpoints, and reports everything that does not hold.
pub async fn verify(db: &DatabaseConnection, crypto: &Crypto, options: VerifyOptions<'_>) -> Result<VerifyReport, VerifyError> {
    let mut report = VerifyReport {
        links_checked: 0,
        entries: audit_event::Entity::find().count(db).await?,
        awaiting_seal: 0,
        chain_length: 0,
        high_water_mark: None,
        checkpoints_checked: 0,
        findings: Vec::new(),
        findings_not_shown: 0,
    };
    walk_chain(db, crypto, &options, &mut report).await?;
    find_unsealed(db, &options, &mut report).await?;
    check_mark(db, crypto, &mut report).await?;
    if let Some(dir) = options.checkpoints {
        let (checked, problems) = checkpoints::check(db, crypto, dir).await?;
        report.checkpoints_checked = checked;
        for problem in problems {
            report.add(problem);
        }
    }
    Ok(report)
}

async fn walk_chain(
    db: &DatabaseConnection,
    crypto: &Crypto,
    options: &VerifyOptions<'_>,
    report: &mut VerifyReport,
) -> Result<(), VerifyError> {
    let mut expected_pos = 1i64;
    let mut prev = GENESIS.to_owned();
    let mut unkeyed = 0u64;
    let mut previous_held = true;
    loop {
        let links = audit_chain::Entity::find()
            .filter(audit_chain::Column::Pos.gte(expected_pos))
            .order_by_asc(audit_chain::Column::Pos)
            .limit(PAGE)
            .all(db)
            .await?;
        let Some(last) = links.last() else { break };
        report.chain_length = last.pos;
        let seqs: Vec<i64> = links.iter().map(|l| l.event_seq).collect();
        let events = audit_event::Entity::find().filter(audit_event::Column::Seq.is_in(seqs)).all(db).await?;
        for link in links {
            if link.pos != expected_pos {
                let detail = format!("positions {expected_pos} to {} are missing", link.pos - 1);
                report.add(Finding::new(FindingKind::Gap, Some(expected_pos), detail));
                // Go on from the link's own claim, so what follows the gap is still checked.
                prev = link.prev_hash.clone();
            }
            report.links_checked += 1;
            let Some(event) = events.iter().find(|e| e.seq == link.event_seq) else {
                let detail = format!("the entry numbered {} that this link seals was deleted", link.event_seq);
                report.add(Finding { entry: Some(link.event_seq), ..Finding::new(FindingKind::Deleted, Some(link.pos), detail) });
                previous_held = false;
                prev = link.entry_hash;
                expected_pos = link.pos + 1;
                continue;
            };
            let finding = match link.key_id.and_then(|k| u32::try_from(k).ok()) {
                None => {
                    unkeyed += 1;
                    check_unkeyed(&prev, &link, event)
                }
                Some(key) => check_link(crypto, key, &prev, previous_held, &link, event, &events),
            };
            previous_held = finding.is_none();
            if let Some(finding) = finding {
                report.add(finding.about(event));
            }
            if link.sealed_at - event.occurred_at > options.sealing_delay {
                let detail =
                    format!("sealed at {} ({} s after it was written)", link.sealed_at, (link.sealed_at - event.occurred_at).num_seconds());
                report.add(Finding::new(FindingKind::LateSeal, Some(link.pos), detail).about(event));
            }
            prev = link.entry_hash;
            expected_pos = link.pos + 1;
        }
    }
    if unkeyed > 0 {
        let detail = format!("{unkeyed} links were made before keyed chaining; anyone with database access could have rebuilt them");
        report.add(Finding::new(FindingKind::Unkeyed, None, detail));
    }
    Ok(())
}

/// Classifies what is wrong with a keyed link, if anything. `page` holds the entries of the
/// links around it, to recognise an entry that now sits under another number.
fn check_link(
    crypto: &Crypto,
    key: u32,
    prev: &str,
    previous_held: bool,
    link: &audit_chain::Model,
    event: &audit_event::Model,
    page: &[audit_event::Model],
) -> Option<Finding> {
    let at = Some(link.pos);
    let ours = chain::entry_is_ours(crypto, event);
    let holds = chain::link_holds(crypto, key, &link.prev_hash, event, &link.entry_hash);
    if holds && link.prev_hash != prev {
        // A genuine link whose predecessor is not the one it was sealed after. If that
        // predecessor was itself found wrong, it has been reported already.
        return previous_held.then(|| Finding::new(FindingKind::Reorder, at, "a genuine link is not in the place it was sealed"));
    }
    if holds {
        return (!ours)
            .then(|| Finding::new(FindingKind::Forged, at, "the entry was not written by Vigil (its entry MAC is missing or wrong)"));
    }
    if !ours {
        return Some(Finding::new(FindingKind::Edit, at, "the entry was altered after it was sealed"));
    }
    // A genuine entry under a link that does not hold: either the link was altered, or the
    // entry this link sealed now carries another number.
    let moved = page.iter().filter(|e| e.seq != link.event_seq).find(|e| {
        let mut renumbered = (*e).clone();
        renumbered.seq = link.event_seq;
        chain::link_holds(crypto, key, &link.prev_hash, &renumbered, &link.entry_hash)
    });
    Some(match moved {
        Some(e) => Finding::new(
            FindingKind::Reorder,
            at,
            format!("the entry sealed here as number {} now carries number {}", link.event_seq, e.seq),
        ),
        None => Finding::new(FindingKind::BrokenLink, at, "the link was altered: its MAC does not hold"),
    })
}

fn check_unkeyed(prev: &str, link: &audit_chain::Model, event: &audit_event::Model) -> Option<Finding> {
    use sha2::{Digest, Sha256};
    let mut hasher = Sha256::new();
    hasher.update(prev.as_bytes());
    hasher.update(b"|");
    hasher.update(legacy_canonical(event).as_bytes());
    let holds = link.prev_hash == prev && hex::encode(hasher.finalize()) == link.entry_hash;
    (!holds).then(|| Finding::new(FindingKind::BrokenLink, Some(link.pos), "an unkeyed link does not hold"))
}

/// The form the unkeyed chain hashed, before keyed chaining: the number, then the content.
fn legacy_canonical(e: &audit_event::Model) -> String {
    let mut fields = vec![serde_json::json!(e.seq)];
    fields.extend(chain::content(e));
    serde_json::Value::Array(fields).to_string()
}

async fn find_unsealed(db: &DatabaseConnection, options: &VerifyOptions<'_>, report: &mut VerifyReport) -> Result<(), VerifyError> {
    let due = options.now - options.sealing_delay;
    let unsealed = audit_event::Entity::find().filter(chain::unchained());
    report.awaiting_seal = unsealed.clone().filter(audit_event::Column::OccurredAt.gt(due)).count(db).await?;
    let overdue = unsealed.filter(audit_event::Column::OccurredAt.lte(due));
    let count = overdue.clone().count(db).await?;
    for event in overdue.order_by_asc(audit_event::Column::Seq).limit(SHOWN as u64).all(db).await? {
        report.add(Finding::new(FindingKind::NeverSealed, None, "the entry was never sealed within the sealing delay").about(&event));
    }
    report.findings_not_shown += count.saturating_sub(SHOWN as u64);
    Ok(())
}

async fn check_mark(db: &DatabaseConnection, crypto: &Crypto, report: &mut VerifyReport) -> Result<(), VerifyError> {
    let Some(mark) = audit_seal_mark::Entity::find().one(db).await? else {
        let keyed = audit_chain::Entity::find().filter(audit_chain::Column::KeyId.is_not_null()).count(db).await?;
        if keyed > 0 {
            report.add(Finding::new(FindingKind::MissingTail, None, "the sealer's high-water mark is missing from a keyed chain"));
        }
        return Ok(());
    };
    report.high_water_mark = Some(mark.pos);
    if !chain::mark_holds(crypto, &mark) {
        report.add(Finding::new(FindingKind::CheckpointMismatch, Some(mark.pos), "the sealer's high-water mark was altered"));
    } else if mark.pos > report.chain_length {
        let detail =
            format!("the chain ends at {} but the sealer had sealed up to {} (at {})", report.chain_length, mark.pos, mark.updated_at);
        report.add(Finding::new(FindingKind::MissingTail, Some(report.chain_length + 1), detail));
    } else {
        let link = audit_chain::Entity::find_by_id(mark.pos).one(db).await?;
        if link.is_none_or(|l| l.entry_hash != mark.entry_hash) {
            report.add(Finding::new(
                FindingKind::CheckpointMismatch,
                Some(mark.pos),
                "the chain differs from the sealer's high-water mark",
            ));
        }
    }
    Ok(())
}
