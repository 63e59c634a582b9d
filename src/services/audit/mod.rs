//! The audit trail (DPA 2018 s.62): one entry per operation. Changes write it in their own
//! transaction; consultations commit it before returning what they read. Either way an
//! operation that cannot be audited does not happen (fail-closed).
//!
//! Entries are linked into a hash chain by [`seal_pending`], shortly after they commit and in
//! batches: `entry_hash = SHA-256(prev_hash | canonical entry)`. Chaining inside each request
//! would serialise every audited request behind one lock and one disk flush (DESIGN §7).
//! Chain rows are insert-only with unique positions and event numbers, so two sealers racing
//! (several replicas) cannot fork the chain: the loser's transaction fails and it retries.
//! [`verify`] walks the chain and reports the first link that does not hold.

pub mod checkpoints;
pub mod search;

use chrono::{DateTime, SubsecRound, Utc};
use entities::{audit_chain, audit_event};
use sea_orm::{
    ActiveValue::Set, ColumnTrait, ConnectionTrait, DatabaseConnection, DbErr, EntityTrait, PaginatorTrait, QueryFilter, QueryOrder,
    QuerySelect,
};
use sha2::{Digest, Sha256};
use uuid::Uuid;

use super::ServiceResult;
use crate::auth::{Caller, Permission};
pub use domain::vocab::{AuditAction as Action, AuditOutcome as Outcome};

/// What is being recorded. Never carries personal data: records are named by id only.
pub struct Entry<'a> {
    pub action: Action,
    pub operation: &'static str,
    pub permission: Permission,
    pub record_type: &'static str,
    pub record_ids: &'a [Uuid],
    pub outcome: Outcome,
}

/// Appends one entry in `conn`'s transaction.
pub async fn record(conn: &impl ConnectionTrait, caller: &Caller, now: DateTime<Utc>, entry: Entry<'_>) -> ServiceResult<()> {
    let ids: Vec<String> = entry.record_ids.iter().map(Uuid::to_string).collect();
    let model = audit_event::ActiveModel {
        id: Set(Uuid::now_v7()),
        // Microseconds: what PostgreSQL keeps, so the hashed form is the same on both backends.
        occurred_at: Set(now.trunc_subsecs(6)),
        actor_issuer: Set(caller.issuer.clone()),
        actor_subject: Set(caller.subject.clone()),
        actor_role: Set(caller.role_for(entry.permission).as_str().to_owned()),
        actor_org: Set(caller.org.clone()),
        action: Set(entry.action),
        operation: Set(entry.operation.to_owned()),
        outcome: Set(entry.outcome),
        record_type: Set(Some(entry.record_type.to_owned())),
        record_ids: Set(serde_json::to_string(&ids).unwrap_or_else(|_| "[]".into())),
        reason_code: Set(caller.justification.reason_code.clone()),
        crime_reference: Set(caller.justification.crime_reference.clone()),
        request_id: Set(Some(caller.request_id.clone())),
        ..Default::default()
    };
    audit_event::Entity::insert(model).exec_without_returning(conn).await?;
    Ok(())
}

pub const GENESIS: &str = "0000000000000000000000000000000000000000000000000000000000000000";
const BATCH: u64 = 500;
/// How far below the newest chained event the sealer looks for late commits (PostgreSQL hands
/// out sequence numbers at insert, not at commit, so a slow transaction can commit a lower
/// number after a higher one was chained). Anything older still unsealed is reported by verify.
const LOOKBACK: i64 = 10_000;

/// The canonical form that is hashed. Field order is fixed by the struct.
fn canonical(e: &audit_event::Model) -> String {
    let value = serde_json::json!([
        e.seq,
        e.id.to_string(),
        e.occurred_at.to_rfc3339_opts(chrono::SecondsFormat::Micros, true),
        e.actor_issuer,
        e.actor_subject,
        e.actor_role,
        e.actor_org,
        e.action,
        e.operation,
        e.outcome,
        e.record_type,
        e.record_ids,
        e.reason_code,
        e.crime_reference,
        e.request_id,
    ]);
    value.to_string()
}

pub fn link_hash(prev_hash: &str, event: &audit_event::Model) -> String {
    let mut hasher = Sha256::new();
    hasher.update(prev_hash.as_bytes());
    hasher.update(b"|");
    hasher.update(canonical(event).as_bytes());
    hex::encode(hasher.finalize())
}

/// Chains every committed, unchained entry. Returns how many were chained.
pub async fn seal_pending(db: &DatabaseConnection, now: DateTime<Utc>) -> Result<u64, DbErr> {
    seal(db, now, LOOKBACK).await
}

/// As [`seal_pending`], but only entries numbered above the newest chained one: cheap enough to
/// run every half second whatever the size of the trail. Late commits below it are left to the
/// next [`seal_pending`] (the serving loop runs one every few seconds).
pub async fn seal_recent(db: &DatabaseConnection, now: DateTime<Utc>) -> Result<u64, DbErr> {
    seal(db, now, 0).await
}

async fn seal(db: &DatabaseConnection, now: DateTime<Utc>, lookback: i64) -> Result<u64, DbErr> {
    let mut total = 0;
    loop {
        match seal_batch(db, now, lookback).await {
            Ok(0) => return Ok(total),
            Ok(n) => total += n,
            // Another sealer won the race for these positions; start again from its tip.
            Err(e) if matches!(e.sql_err(), Some(sea_orm::SqlErr::UniqueConstraintViolation(_))) => continue,
            Err(e) => return Err(e),
        }
    }
}

async fn seal_batch(db: &DatabaseConnection, now: DateTime<Utc>, lookback: i64) -> Result<u64, DbErr> {
    // What to seal is worked out in a snapshot, outside the write lock: on SQLite that lock is
    // the whole database's, and scanning the recent chain for late commits is the slow part. The
    // unique positions and event numbers make the insert below fail, and the batch start again,
    // if another sealer chained anything in between.
    let snapshot = crate::services::tx::begin_read(db).await?;
    let tip = audit_chain::Entity::find().order_by_desc(audit_chain::Column::Pos).one(&snapshot).await?;
    let (mut pos, mut prev) = tip.as_ref().map(|t| (t.pos, t.entry_hash.clone())).unwrap_or((0, GENESIS.to_owned()));
    let newest = audit_chain::Entity::find()
        .select_only()
        .column_as(audit_chain::Column::EventSeq.max(), "m")
        .into_tuple::<Option<i64>>()
        .one(&snapshot)
        .await?
        .flatten()
        .unwrap_or(0);
    let candidates = audit_event::Entity::find()
        .filter(audit_event::Column::Seq.gt(newest - lookback))
        .filter(
            audit_event::Column::Seq.not_in_subquery(
                sea_orm::sea_query::Query::select()
                    .column(audit_chain::Column::EventSeq)
                    .from(audit_chain::Entity)
                    .and_where(audit_chain::Column::EventSeq.gt(newest - lookback))
                    .to_owned(),
            ),
        )
        .order_by_asc(audit_event::Column::Seq)
        .limit(BATCH)
        .all(&snapshot)
        .await?;
    snapshot.commit().await?;
    if candidates.is_empty() {
        return Ok(0);
    }
    let mut links = Vec::with_capacity(candidates.len());
    for event in &candidates {
        pos += 1;
        let hash = link_hash(&prev, event);
        links.push(audit_chain::ActiveModel {
            pos: Set(pos),
            event_seq: Set(event.seq),
            prev_hash: Set(prev.clone()),
            entry_hash: Set(hash.clone()),
            sealed_at: Set(now.trunc_subsecs(6)),
        });
        prev = hash;
    }
    let count = links.len() as u64;
    let txn = crate::services::tx::begin_write(db).await?;
    audit_chain::Entity::insert_many(links).exec_without_returning(&txn).await?;
    txn.commit().await?;
    Ok(count)
}

#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct VerifyReport {
    pub links_checked: u64,
    pub first_broken: Option<BrokenLink>,
    pub unsealed_events: u64,
}

#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct BrokenLink {
    pub position: i64,
    pub reason: &'static str,
}

/// Walks the whole chain in order and reports the first link that fails.
pub async fn verify(db: &DatabaseConnection) -> Result<VerifyReport, DbErr> {
    let mut checked = 0u64;
    let mut expected_pos = 1i64;
    let mut prev = GENESIS.to_owned();
    loop {
        let links = audit_chain::Entity::find()
            .filter(audit_chain::Column::Pos.gte(expected_pos))
            .order_by_asc(audit_chain::Column::Pos)
            .limit(1000)
            .all(db)
            .await?;
        if links.is_empty() {
            break;
        }
        let seqs: Vec<i64> = links.iter().map(|l| l.event_seq).collect();
        let events = audit_event::Entity::find().filter(audit_event::Column::Seq.is_in(seqs)).all(db).await?;
        for link in links {
            let broken = |reason| {
                Ok(VerifyReport {
                    links_checked: checked,
                    first_broken: Some(BrokenLink { position: link.pos, reason }),
                    unsealed_events: 0,
                })
            };
            if link.pos != expected_pos {
                return broken("a link is missing before this position");
            }
            if link.prev_hash != prev {
                return broken("the link does not follow its predecessor");
            }
            let Some(event) = events.iter().find(|e| e.seq == link.event_seq) else {
                return broken("the entry this link seals was deleted");
            };
            if link_hash(&prev, event) != link.entry_hash {
                return broken("the entry was altered after it was sealed");
            }
            prev = link.entry_hash;
            expected_pos += 1;
            checked += 1;
        }
    }
    let total = audit_event::Entity::find().count(db).await?;
    Ok(VerifyReport { links_checked: checked, first_broken: None, unsealed_events: total.saturating_sub(checked) })
}

/// Records a refused attempt on its own, outside any business transaction (which is rolled back).
pub async fn record_denied(
    db: &DatabaseConnection,
    caller: &Caller,
    now: DateTime<Utc>,
    operation: &'static str,
    permission: Permission,
    record_type: &'static str,
    ids: &[Uuid],
) -> ServiceResult<()> {
    record(
        db,
        caller,
        now,
        Entry { action: Action::Consultation, operation, permission, record_type, record_ids: ids, outcome: Outcome::Denied },
    )
    .await
}
