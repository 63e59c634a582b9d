//! Administrators' view of live browser sessions (catalogue A19): list them, end one, or end
//! every session of a person (or of everyone, after a compromise). Sessions hold no register
//! content, but who is logged in is still personal data, so each read and each revocation is
//! audited. Tokens never leave the database (only their hashes are there).

use chrono::{DateTime, Utc};
use entities::web_session;
use sea_orm::{ColumnTrait, Condition, EntityTrait, QueryFilter, QueryOrder, QuerySelect};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;

use super::audit::{self, Action, Entry, Outcome};
use super::sessions::{self, EndReason};
use super::{Ctx, ServiceError, ServiceResult, tx};
use crate::auth::{Caller, Permission};
use domain::errors::FieldErrors;

#[derive(Debug, Default, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct SessionQuery {
    /// Sessions of this person (the provider's subject).
    pub subject: Option<String>,
    /// 1 to 500, default 100.
    pub limit: Option<u64>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct SessionView {
    pub id: Uuid,
    pub issuer: String,
    pub subject: String,
    pub roles: Vec<String>,
    pub organisation: String,
    pub auth_time: DateTime<Utc>,
    pub created_at: DateTime<Utc>,
    pub last_seen_at: DateTime<Utc>,
    pub expires_at: DateTime<Utc>,
    pub revalidated_at: Option<DateTime<Utc>>,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(examples(json!({"subject": "officer-example-1"})))]
pub struct RevocationInput {
    /// End every live session of this person.
    pub subject: Option<String>,
    /// End every live session of everyone (for instance after a compromise). Exactly one of
    /// `subject` and `everyone` must be given.
    #[serde(default)]
    pub everyone: bool,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct RevocationResult {
    pub sessions_ended: u64,
}

fn live() -> Condition {
    Condition::all().add(web_session::Column::EndedAt.is_null())
}

async fn audited(
    txn: &impl sea_orm::ConnectionTrait,
    ctx: &Ctx,
    caller: &Caller,
    now: DateTime<Utc>,
    action: Action,
    op: &'static str,
    ids: &[Uuid],
) -> ServiceResult<()> {
    let entry = Entry {
        action,
        operation: op,
        permission: Permission::SessionManage,
        record_type: "web_session",
        record_ids: ids,
        outcome: Outcome::Success,
    };
    audit::record(txn, &ctx.crypto, caller, now, entry).await
}

pub async fn list(ctx: &Ctx, caller: &Caller, query: SessionQuery, limit: u64, now: DateTime<Utc>) -> ServiceResult<Vec<SessionView>> {
    caller.require(Permission::SessionManage)?;
    let mut which = live().add(web_session::Column::ExpiresAt.gt(now));
    if let Some(subject) = query.subject {
        which = which.add(web_session::Column::Subject.eq(subject));
    }
    let txn = tx::begin_write(&ctx.writer).await?;
    let rows = web_session::Entity::find().filter(which).order_by_desc(web_session::Column::LastSeenAt).limit(limit).all(&txn).await?;
    let ids: Vec<Uuid> = rows.iter().map(|r| r.id).collect();
    audited(&txn, ctx, caller, now, Action::Consultation, "session.list", &ids).await?;
    txn.commit().await?;
    Ok(rows
        .into_iter()
        .map(|r| SessionView {
            id: r.id,
            issuer: r.issuer,
            subject: r.subject,
            roles: r.roles.split_whitespace().map(str::to_owned).collect(),
            organisation: r.org,
            auth_time: r.auth_time,
            created_at: r.created_at,
            last_seen_at: r.last_seen_at,
            expires_at: r.expires_at,
            revalidated_at: r.revalidated_at,
        })
        .collect())
}

/// Ends one session; 404 if there is no live session with that id.
pub async fn end(ctx: &Ctx, caller: &Caller, id: Uuid, now: DateTime<Utc>) -> ServiceResult<()> {
    caller.require(Permission::SessionManage)?;
    let txn = tx::begin_write(&ctx.writer).await?;
    if !sessions::end_by_id(&txn, id, EndReason::Revoked, now).await? {
        return Err(ServiceError::NotFound("session"));
    }
    audited(&txn, ctx, caller, now, Action::Alteration, "session.revoke", &[id]).await?;
    txn.commit().await?;
    Ok(())
}

/// Ends every live session of a person, or of everyone.
pub async fn revoke(ctx: &Ctx, caller: &Caller, input: RevocationInput, now: DateTime<Utc>) -> ServiceResult<RevocationResult> {
    caller.require(Permission::SessionManage)?;
    let which = match (input.subject, input.everyone) {
        (Some(subject), false) if !subject.is_empty() && subject.len() <= 255 => live().add(web_session::Column::Subject.eq(subject)),
        (None, true) => live(),
        (Some(_), true) => return Err(FieldErrors::single("everyone", "conflicting", "give either subject or everyone, not both").into()),
        (Some(_), false) => return Err(FieldErrors::single("subject", "invalid_length", "must be 1 to 255 characters").into()),
        (None, false) => return Err(FieldErrors::single("subject", "required", "give subject, or everyone: true").into()),
    };
    let txn = tx::begin_write(&ctx.writer).await?;
    let ids: Vec<Uuid> =
        web_session::Entity::find().select_only().column(web_session::Column::Id).filter(which.clone()).into_tuple().all(&txn).await?;
    let ended = sessions::end_where(&txn, which, EndReason::Revoked, now).await?;
    audited(&txn, ctx, caller, now, Action::Alteration, "session.revoke", &ids).await?;
    txn.commit().await?;
    Ok(RevocationResult { sessions_ended: ended })
}
