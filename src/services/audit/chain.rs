//! Sealing: linking committed audit entries into a keyed chain, shortly after they commit and in
//! batches. `entry_hash = HMAC(link key, prev_hash | canonical entry)`; the link key comes from
//! the key ring, so write access to the database alone cannot rebuild a consistent chain.
//!
//! Chaining inside each request would serialise every audited request behind one lock and one
//! disk flush (DESIGN §7). Chain rows are insert-only with unique positions and entry numbers,
//! so two sealers racing (several replicas) cannot fork the chain: the loser retries.
//!
//! Two things make the sealer keep up and never lose an entry:
//! - Each pass chains at most [`MAX_BATCHES`] batches and hands back, so the look-back runs on
//!   its own schedule whatever the load.
//! - The look-back starts at the low-water mark (every entry at or below it is chained or was
//!   never committed), not a fixed window behind the tip. Entry numbers are handed out at insert
//!   and commit out of order, so the mark only moves past a number once the newest entry seen at
//!   least [`MAX_TRANSACTION`] ago is above it: anything still missing below that belongs to a
//!   transaction open longer than any of Vigil's, and verification reports it if it ever lands.
//!
//! The sealer refuses to extend a chain that is shorter than, or differs from, its own
//! high-water mark (kept MAC'd in `audit_seal_marks`, and in memory): someone cut the chain back
//! to re-seal it without an entry. That is logged as a security event and left for `vigil audit
//! verify` to report; the entries stay unsealed.

use std::collections::VecDeque;
use std::sync::Arc;

use chrono::{DateTime, SubsecRound, Utc};
use entities::{audit_chain, audit_event, audit_seal_mark};
use sea_orm::sea_query::{Expr, ExprTrait, OnConflict, Query};
use sea_orm::{
    ActiveValue::Set, ColumnTrait, ConnectionTrait, DatabaseConnection, DbErr, EntityTrait, QueryFilter, QueryOrder, QuerySelect,
};

use crate::crypto::{AuditPurpose, Crypto, CryptoError};

pub const GENESIS: &str = "0000000000000000000000000000000000000000000000000000000000000000";
const BATCH: u64 = 500;
/// Batches one pass chains at most before handing back (10,000 entries).
pub const MAX_BATCHES: u32 = 20;
/// Longest a transaction that writes an audit entry is expected to stay open.
pub const MAX_TRANSACTION: chrono::TimeDelta = chrono::TimeDelta::seconds(120);
/// The one row of `audit_seal_marks`.
const MARK_ID: i32 = 1;

/// An entry's content, in the fixed order every canonical form uses.
pub(super) fn content(e: &audit_event::Model) -> Vec<serde_json::Value> {
    use serde_json::json;
    vec![
        json!(e.id.to_string()),
        json!(e.occurred_at.to_rfc3339_opts(chrono::SecondsFormat::Micros, true)),
        json!(e.actor_issuer),
        json!(e.actor_subject),
        json!(e.actor_role),
        json!(e.actor_org),
        json!(e.action),
        json!(e.operation),
        json!(e.outcome),
        json!(e.record_type),
        json!(e.record_ids),
        json!(e.reason_code),
        json!(e.crime_reference),
        json!(e.request_id),
    ]
}

/// The canonical form of an entry's content, without its number: what the service MACs as it
/// writes the entry (the number is only known after the insert).
pub fn entry_message(e: &audit_event::Model) -> String {
    let mut fields = vec![serde_json::json!("vigil-audit-entry/v1")];
    fields.extend(content(e));
    serde_json::Value::Array(fields).to_string()
}

/// What a link's HMAC covers: the previous link, the entry's number and its content.
fn link_message(prev_hash: &str, e: &audit_event::Model) -> String {
    format!("vigil-audit-link/v1|{prev_hash}|{}|{}", e.seq, entry_message(e))
}

pub fn link_hash(crypto: &Crypto, key_id: u32, prev_hash: &str, e: &audit_event::Model) -> Result<String, CryptoError> {
    crypto.audit_mac(key_id, AuditPurpose::Link, link_message(prev_hash, e).as_bytes())
}

pub fn link_holds(crypto: &Crypto, key_id: u32, prev_hash: &str, e: &audit_event::Model, entry_hash: &str) -> bool {
    crypto.audit_mac_matches(key_id, AuditPurpose::Link, link_message(prev_hash, e).as_bytes(), entry_hash)
}

/// Whether the entry carries the MAC the service gives every entry it writes.
pub fn entry_is_ours(crypto: &Crypto, e: &audit_event::Model) -> bool {
    match (e.mac_key.and_then(|k| u32::try_from(k).ok()), e.mac.as_deref()) {
        (Some(key), Some(mac)) => crypto.audit_mac_matches(key, AuditPurpose::Entry, entry_message(e).as_bytes(), mac),
        _ => false,
    }
}

fn mark_message(pos: i64, entry_hash: &str) -> String {
    format!("vigil-audit-mark/v1|{pos}|{entry_hash}")
}

pub fn mark_holds(crypto: &Crypto, mark: &audit_seal_mark::Model) -> bool {
    u32::try_from(mark.key_id)
        .is_ok_and(|k| crypto.audit_mac_matches(k, AuditPurpose::Mark, mark_message(mark.pos, &mark.entry_hash).as_bytes(), &mark.mac))
}

#[derive(Debug, thiserror::Error)]
pub enum SealError {
    #[error("database: {0}")]
    Database(#[from] DbErr),
    #[error("audit key: {0}")]
    Key(#[from] CryptoError),
    /// The chain was cut back or rewritten below what this sealer (or another) already sealed.
    #[error("refusing to seal: {0}")]
    Tampered(&'static str),
}

/// Which unchained entries a pass looks at.
#[derive(Clone, Copy)]
enum Window {
    /// Numbered above the newest chained entry: cheap, run every half second.
    AboveTip,
    /// Numbered above the low-water mark: reaches every late commit.
    FromLowWater,
}

/// One process's sealer and what it remembers between passes.
pub struct Sealer {
    /// Reads: the candidates, the tip.
    db: DatabaseConnection,
    /// Writes: the links and the mark (the service's writing connection, `db::writer`).
    writer: DatabaseConnection,
    crypto: Arc<Crypto>,
    /// The last tip this process sealed or saw: the chain must never be shorter or differ.
    last_tip: Option<(i64, String)>,
    low_water: i64,
    /// (when, newest chained entry number) at each look-back, oldest first.
    seen: VecDeque<(DateTime<Utc>, i64)>,
}

impl Sealer {
    pub fn new(db: DatabaseConnection, crypto: Arc<Crypto>) -> Self {
        Self { writer: db.clone(), db, crypto, last_tip: None, low_water: 0, seen: VecDeque::new() }
    }

    /// Writes through `writer` and reads through the pool given to [`Sealer::new`], so that
    /// reading the candidates never holds up the service's single writing connection.
    pub fn writing_through(mut self, writer: DatabaseConnection) -> Self {
        self.writer = writer;
        self
    }

    /// Chains entries numbered above the newest chained one (at most [`MAX_BATCHES`]).
    pub async fn seal_recent(&mut self, now: DateTime<Utc>) -> Result<u64, SealError> {
        self.pass(now, Window::AboveTip, MAX_BATCHES).await.map(|(n, _)| n)
    }

    /// Chains unchained entries from the low-water mark up (at most [`MAX_BATCHES`]), then moves
    /// the mark if the pass left nothing behind.
    pub async fn look_back(&mut self, now: DateTime<Utc>) -> Result<u64, SealError> {
        let (sealed, finished) = self.pass(now, Window::FromLowWater, MAX_BATCHES).await?;
        if finished {
            self.advance_low_water(now).await?;
        }
        Ok(sealed)
    }

    /// Chains everything that is waiting, however long it takes (shutdown, tests).
    pub async fn seal_all(&mut self, now: DateTime<Utc>) -> Result<u64, SealError> {
        self.pass(now, Window::FromLowWater, u32::MAX).await.map(|(n, _)| n)
    }

    /// Returns how many entries were chained and whether the window was emptied.
    async fn pass(&mut self, now: DateTime<Utc>, window: Window, max_batches: u32) -> Result<(u64, bool), SealError> {
        let mut total = 0;
        for _ in 0..max_batches {
            match self.seal_batch(now, window).await {
                Ok(0) => return Ok((total, true)),
                Ok(n) => total += n,
                // Another sealer won the race for these positions; start again from its tip.
                Err(SealError::Database(e)) if matches!(e.sql_err(), Some(sea_orm::SqlErr::UniqueConstraintViolation(_))) => continue,
                Err(e) => return Err(e),
            }
        }
        Ok((total, false))
    }

    async fn seal_batch(&mut self, now: DateTime<Utc>, window: Window) -> Result<u64, SealError> {
        // What to seal is worked out in a snapshot, outside the write lock: on SQLite that lock
        // is the whole database's. The unique positions and entry numbers make the insert below
        // fail, and the batch start again, if another sealer chained anything in between.
        let snapshot = crate::services::tx::begin_read(&self.db).await?;
        // The mark first: it moves in the same transaction as the chain grows, so a tip read
        // after it is never below it, even where each statement sees a newer snapshot.
        let mark = audit_seal_mark::Entity::find_by_id(MARK_ID).one(&snapshot).await?;
        let tip = audit_chain::Entity::find().order_by_desc(audit_chain::Column::Pos).one(&snapshot).await?;
        self.check_not_cut_back(&snapshot, tip.as_ref(), mark.as_ref()).await?;
        if let Some(mark) = &mark {
            self.low_water = std::cmp::max(self.low_water, mark.low_water);
        }
        let candidates = match window {
            Window::AboveTip => {
                let newest = newest_chained(&snapshot).await?;
                audit_event::Entity::find().filter(audit_event::Column::Seq.gt(newest))
            }
            Window::FromLowWater => audit_event::Entity::find().filter(audit_event::Column::Seq.gt(self.low_water)).filter(unchained()),
        }
        .order_by_asc(audit_event::Column::Seq)
        .limit(BATCH)
        .all(&snapshot)
        .await?;
        snapshot.commit().await?;
        if candidates.is_empty() {
            return Ok(0);
        }
        let key_id = self.crypto.active_audit_key_id();
        let (mut pos, mut prev) = tip.as_ref().map(|t| (t.pos, t.entry_hash.clone())).unwrap_or((0, GENESIS.to_owned()));
        let mut links = Vec::with_capacity(candidates.len());
        for event in &candidates {
            pos += 1;
            let hash = link_hash(&self.crypto, key_id, &prev, event)?;
            links.push(audit_chain::ActiveModel {
                pos: Set(pos),
                event_seq: Set(event.seq),
                prev_hash: Set(prev.clone()),
                entry_hash: Set(hash.clone()),
                sealed_at: Set(now.trunc_subsecs(6)),
                key_id: Set(Some(key_id as i32)),
            });
            prev = hash;
        }
        let count = links.len() as u64;
        let mark_mac = self.crypto.audit_mac(key_id, AuditPurpose::Mark, mark_message(pos, &prev).as_bytes())?;
        let txn = crate::services::tx::begin_write(&self.writer).await?;
        audit_chain::Entity::insert_many(links).exec_without_returning(&txn).await?;
        // The low-water mark is only set by the first insert: another sealer may have moved it.
        audit_seal_mark::Entity::insert(audit_seal_mark::ActiveModel {
            id: Set(MARK_ID),
            pos: Set(pos),
            entry_hash: Set(prev.clone()),
            low_water: Set(self.low_water),
            updated_at: Set(now.trunc_subsecs(6)),
            key_id: Set(key_id as i32),
            mac: Set(mark_mac),
        })
        .on_conflict(
            OnConflict::column(audit_seal_mark::Column::Id)
                .update_columns([
                    audit_seal_mark::Column::Pos,
                    audit_seal_mark::Column::EntryHash,
                    audit_seal_mark::Column::UpdatedAt,
                    audit_seal_mark::Column::KeyId,
                    audit_seal_mark::Column::Mac,
                ])
                .to_owned(),
        )
        .exec_without_returning(&txn)
        .await?;
        txn.commit().await?;
        self.last_tip = Some((pos, prev));
        Ok(count)
    }

    /// Refuses to go on if the chain is shorter than, or differs from, what was sealed before.
    async fn check_not_cut_back(
        &mut self,
        conn: &impl ConnectionTrait,
        tip: Option<&audit_chain::Model>,
        mark: Option<&audit_seal_mark::Model>,
    ) -> Result<(), SealError> {
        let tip_pos = tip.map_or(0, |t| t.pos);
        let refuse = |why| {
            tracing::error!(target: "vigil::security", reason = why, "audit chain tampering detected; sealing stopped");
            Err(SealError::Tampered(why))
        };
        match mark {
            Some(mark) if !mark_holds(&self.crypto, mark) => return refuse("the sealer's high-water mark was altered"),
            Some(mark) => {
                if mark.pos > tip_pos {
                    return refuse("the chain is shorter than the sealer's high-water mark");
                }
                if hash_at(conn, mark.pos).await?.as_deref() != Some(mark.entry_hash.as_str()) {
                    return refuse("the chain differs from the sealer's high-water mark");
                }
            }
            // Every keyed seal writes the mark: a keyed chain without one has lost it.
            None if tip.is_some_and(|t| t.key_id.is_some()) => return refuse("the sealer's high-water mark is missing"),
            None => {}
        }
        if let Some((pos, hash)) = self.last_tip.clone() {
            if pos > tip_pos {
                return refuse("the chain is shorter than this sealer left it");
            }
            if hash_at(conn, pos).await?.as_deref() != Some(hash.as_str()) {
                return refuse("the chain differs from what this sealer sealed");
            }
        }
        if let Some(t) = tip {
            self.last_tip = Some((t.pos, t.entry_hash.clone()));
        }
        Ok(())
    }

    /// Moves the low-water mark up to the newest entry number seen at least [`MAX_TRANSACTION`]
    /// ago: the look-back that just finished found nothing unchained above the old mark, so
    /// below that number every entry is chained or belongs to a transaction that never ends.
    async fn advance_low_water(&mut self, now: DateTime<Utc>) -> Result<(), SealError> {
        let newest = newest_chained(&self.db).await?;
        self.seen.push_back((now, newest));
        let settled = now - MAX_TRANSACTION;
        let mut safe = None;
        while let Some(&(at, seq)) = self.seen.front() {
            if at > settled {
                break;
            }
            safe = Some(seq);
            self.seen.pop_front();
        }
        let Some(safe) = safe.filter(|s| *s > self.low_water) else { return Ok(()) };
        // Keep the newest settled observation: it stays the answer until a newer one settles.
        self.seen.push_front((settled, safe));
        self.low_water = safe;
        audit_seal_mark::Entity::update_many()
            .col_expr(audit_seal_mark::Column::LowWater, Expr::value(safe))
            .filter(audit_seal_mark::Column::Id.eq(MARK_ID))
            .filter(audit_seal_mark::Column::LowWater.lt(safe))
            .exec(&self.writer)
            .await?;
        Ok(())
    }
}

/// Chains everything waiting, with a sealer of its own (the CLI's checkpoint, tests).
pub async fn seal_all(db: &DatabaseConnection, crypto: Arc<Crypto>, now: DateTime<Utc>) -> Result<u64, SealError> {
    Sealer::new(db.clone(), crypto).seal_all(now).await
}

async fn newest_chained(conn: &impl ConnectionTrait) -> Result<i64, DbErr> {
    Ok(audit_chain::Entity::find()
        .select_only()
        .column_as(audit_chain::Column::EventSeq.max(), "m")
        .into_tuple::<Option<i64>>()
        .one(conn)
        .await?
        .flatten()
        .unwrap_or(0))
}

async fn hash_at(conn: &impl ConnectionTrait, pos: i64) -> Result<Option<String>, DbErr> {
    Ok(audit_chain::Entity::find_by_id(pos).one(conn).await?.map(|l| l.entry_hash))
}

/// `NOT EXISTS (a link for this entry)`: an anti-join on the unique `event_seq` index.
pub(super) fn unchained() -> sea_orm::sea_query::SimpleExpr {
    Expr::exists(
        Query::select()
            .expr(Expr::val(1))
            .from(audit_chain::Entity)
            .and_where(
                Expr::col((audit_chain::Entity, audit_chain::Column::EventSeq)).equals((audit_event::Entity, audit_event::Column::Seq)),
            )
            .to_owned(),
    )
    .not()
}

/// Entries the sealer has not chained yet, and when the oldest of them was written: the
/// sealer's lag, for the metrics. Looks only at the entries numbered above the newest chained
/// one less [`LAG_WINDOW`] (entries commit slightly out of order), so it stays a short range
/// scan however long the trail; anything older left unchained is `vigil audit verify`'s to report.
pub async fn lag(conn: &impl ConnectionTrait) -> Result<(u64, Option<DateTime<Utc>>), DbErr> {
    let from = newest_chained(conn).await?.saturating_sub(LAG_WINDOW);
    let row = audit_event::Entity::find()
        .select_only()
        .column_as(audit_event::Column::Seq.count(), "n")
        .column_as(audit_event::Column::OccurredAt.min(), "oldest")
        .filter(audit_event::Column::Seq.gt(from))
        .filter(unchained())
        .into_tuple::<(i64, Option<DateTime<Utc>>)>()
        .one(conn)
        .await?;
    Ok(row.map_or((0, None), |(n, oldest)| (n.unsigned_abs(), oldest)))
}

/// How far below the newest chained entry [`lag`] looks for stragglers.
const LAG_WINDOW: i64 = 10_000;
