//! The audit trail (DPA 2018 s.62): one entry per operation. Changes write it in their own
//! transaction; consultations commit it before returning what they read. Either way an
//! operation that cannot be audited does not happen (fail-closed).
//!
//! Each entry carries an HMAC made as it is written, with a key from the key ring: a row put
//! into the table by anyone else is told apart. Entries are then linked into a keyed chain by
//! the sealer ([`chain`]), anchored outside the database by signed [`checkpoints`], and checked
//! by [`verify`], which never writes.

pub mod batch;
pub mod chain;
pub mod checkpoints;
pub mod search;
pub mod verify;

use chrono::{DateTime, SubsecRound, Utc};
use entities::audit_event;
use sea_orm::{ActiveValue::NotSet, ConnectionTrait, DbErr, EntityTrait};
use uuid::Uuid;

use super::{Ctx, ServiceError, ServiceResult};
use crate::auth::{Caller, Permission};
use crate::crypto::{AuditPurpose, Crypto};
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
///
/// Callers pass their operation's time, as every service does; the entry itself is stamped
/// with the wall clock, because the trail says when an access happened. (The demo loader acts
/// "as of" past days; an entry stamped then would read as sealed late, and would be untrue.)
pub async fn record(
    conn: &impl ConnectionTrait,
    crypto: &Crypto,
    caller: &Caller,
    _as_of: DateTime<Utc>,
    entry: Entry<'_>,
) -> ServiceResult<()> {
    audit_event::Entity::insert(row(crypto, caller, entry)?).exec_without_returning(conn).await?;
    Ok(())
}

/// Commits the entry of an operation that wrote nothing else (a consultation), grouped with
/// the other requests' entries waiting at that moment ([`batch`]), and returns once it is on
/// the record.
pub async fn commit(ctx: &Ctx, caller: &Caller, as_of: DateTime<Utc>, entry: Entry<'_>) -> ServiceResult<()> {
    match &ctx.audit_batch {
        Some(batcher) => batcher.commit(row(&ctx.crypto, caller, entry)?).await.map_err(|e| ServiceError::Database(DbErr::Custom(e))),
        None => record(&ctx.writer, &ctx.crypto, caller, as_of, entry).await,
    }
}

/// The entry as a row, with its MAC.
fn row(crypto: &Crypto, caller: &Caller, entry: Entry<'_>) -> ServiceResult<audit_event::ActiveModel> {
    let now = crate::clock::now();
    let ids: Vec<String> = entry.record_ids.iter().map(Uuid::to_string).collect();
    let mut model = audit_event::Model {
        seq: 0,
        id: Uuid::now_v7(),
        // Microseconds: what PostgreSQL keeps, so the MAC'd form is the same on both backends.
        occurred_at: now.trunc_subsecs(6),
        actor_issuer: caller.issuer.clone(),
        actor_subject: caller.subject.clone(),
        actor_role: caller.role_for(entry.permission).as_str().to_owned(),
        actor_org: caller.org.clone(),
        action: entry.action,
        operation: entry.operation.to_owned(),
        outcome: entry.outcome,
        record_type: Some(entry.record_type.to_owned()),
        record_ids: serde_json::to_string(&ids).unwrap_or_else(|_| "[]".into()),
        reason_code: caller.justification.reason_code.clone(),
        crime_reference: caller.justification.crime_reference.clone(),
        request_id: Some(caller.request_id.clone()),
        mac_key: None,
        mac: None,
    };
    let key = crypto.active_audit_key_id();
    model.mac = Some(crypto.audit_mac(key, AuditPurpose::Entry, chain::entry_message(&model).as_bytes())?);
    model.mac_key = Some(key as i32);
    let mut active: audit_event::ActiveModel = model.into();
    active.seq = NotSet;
    Ok(active)
}

/// Records a refused attempt on its own, outside any business transaction (which is rolled back).
pub async fn record_denied(
    ctx: &Ctx,
    caller: &Caller,
    now: DateTime<Utc>,
    operation: &'static str,
    permission: Permission,
    record_type: &'static str,
    ids: &[Uuid],
) -> ServiceResult<()> {
    commit(
        ctx,
        caller,
        now,
        Entry { action: Action::Consultation, operation, permission, record_type, record_ids: ids, outcome: Outcome::Denied },
    )
    .await
}
