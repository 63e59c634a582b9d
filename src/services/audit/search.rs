//! Auditors' view of the trail: search by record (subject), user and date, and export. Reading
//! the audit trail is itself processing of who did what to whom, so each search is audited as
//! a consultation and each export as a disclosure, and an export needs a reason code.

use chrono::{DateTime, Utc};
use entities::{audit_chain, audit_event};
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, QueryOrder, QuerySelect};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;

use super::{Action, Entry, Outcome, commit};
use crate::auth::{Caller, Permission};
use crate::services::{Ctx, ServiceResult, tx};
use domain::errors::FieldErrors;

/// The most rows one export returns; narrow the dates for more.
pub const EXPORT_LIMIT: u64 = 50_000;
const PAGE: u64 = 1_000;

#[derive(Debug, Default, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct AuditQuery {
    /// Entries naming this record (a registrant, order, report, check...).
    pub record_id: Option<Uuid>,
    /// Entries by this user (the token's subject).
    pub actor: Option<String>,
    /// Entries of this kind (consultation, alteration...).
    pub action: Option<Action>,
    /// From this instant, inclusive (RFC 3339).
    pub from: Option<DateTime<Utc>>,
    /// Before this instant, exclusive.
    pub to: Option<DateTime<Utc>>,
    /// Entries after this sequence number (the previous page's `next_after`).
    pub after: Option<i64>,
    /// 1 to 500, default 100 (search only).
    pub limit: Option<u64>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct AuditEventView {
    pub seq: i64,
    pub id: Uuid,
    pub occurred_at: DateTime<Utc>,
    pub actor_issuer: String,
    pub actor_subject: String,
    pub actor_role: String,
    pub actor_org: String,
    pub action: Action,
    pub operation: String,
    pub outcome: Outcome,
    pub record_type: Option<String>,
    pub record_ids: Vec<Uuid>,
    pub reason_code: Option<String>,
    pub crime_reference: Option<String>,
    pub request_id: Option<String>,
    /// When the sealer linked the entry into the keyed chain; absent while it is not yet sealed
    /// (the sealer runs every half second; `vigil audit verify` checks the chain itself).
    pub sealed_at: Option<DateTime<Utc>>,
    /// The entry's position in the chain, once sealed.
    pub chain_position: Option<i64>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct AuditPage {
    pub items: Vec<AuditEventView>,
    /// Pass as `after` for the next page; absent on the last page.
    pub next_after: Option<i64>,
}

fn validate(q: &AuditQuery) -> Result<(), FieldErrors> {
    let mut errors = FieldErrors::default();
    if q.actor.as_ref().is_some_and(|a| a.trim().is_empty() || a.chars().count() > 255) {
        errors.push("actor", "invalid", "must be 1 to 255 characters");
    }
    if let (Some(from), Some(to)) = (q.from, q.to)
        && from >= to
    {
        errors.push("to", "before_from", "must be after from");
    }
    if let Err(detail) = domain::paging::page_size(q.limit) {
        errors.push("limit", "out_of_range", detail);
    }
    errors.finish()
}

fn filtered(q: &AuditQuery) -> sea_orm::Select<audit_event::Entity> {
    let mut find = audit_event::Entity::find();
    if let Some(id) = q.record_id {
        // The index table a trigger fills from each entry's `record_ids` (migration 000045).
        use sea_orm::sea_query::{Alias, Expr, ExprTrait, Query};
        let entries = Query::select()
            .column(Alias::new("event_seq"))
            .from(Alias::new("audit_event_records"))
            .and_where(Expr::col(Alias::new("record_id")).eq(id.to_string()))
            .to_owned();
        find = find.filter(audit_event::Column::Seq.in_subquery(entries));
    }
    if let Some(actor) = &q.actor {
        find = find.filter(audit_event::Column::ActorSubject.eq(actor.trim()));
    }
    if let Some(action) = q.action {
        find = find.filter(audit_event::Column::Action.eq(action));
    }
    if let Some(from) = q.from {
        find = find.filter(audit_event::Column::OccurredAt.gte(from));
    }
    if let Some(to) = q.to {
        find = find.filter(audit_event::Column::OccurredAt.lt(to));
    }
    if let Some(after) = q.after {
        find = find.filter(audit_event::Column::Seq.gt(after));
    }
    find.order_by_asc(audit_event::Column::Seq)
}

/// The chain links of these entries, read in the same snapshot.
async fn links(conn: &impl sea_orm::ConnectionTrait, rows: &[audit_event::Model]) -> ServiceResult<Vec<audit_chain::Model>> {
    if rows.is_empty() {
        return Ok(Vec::new());
    }
    let seqs: Vec<i64> = rows.iter().map(|r| r.seq).collect();
    Ok(audit_chain::Entity::find().filter(audit_chain::Column::EventSeq.is_in(seqs)).all(conn).await?)
}

fn views(rows: Vec<audit_event::Model>, links: &[audit_chain::Model]) -> Vec<AuditEventView> {
    rows.into_iter()
        .map(|e| {
            let link = links.iter().find(|l| l.event_seq == e.seq);
            view(e, link)
        })
        .collect()
}

fn view(e: audit_event::Model, link: Option<&audit_chain::Model>) -> AuditEventView {
    AuditEventView {
        sealed_at: link.map(|l| l.sealed_at),
        chain_position: link.map(|l| l.pos),
        seq: e.seq,
        id: e.id,
        occurred_at: e.occurred_at,
        record_ids: serde_json::from_str(&e.record_ids).unwrap_or_default(),
        actor_issuer: e.actor_issuer,
        actor_subject: e.actor_subject,
        actor_role: e.actor_role,
        actor_org: e.actor_org,
        action: e.action,
        operation: e.operation,
        outcome: e.outcome,
        record_type: e.record_type,
        reason_code: e.reason_code,
        crime_reference: e.crime_reference,
        request_id: e.request_id,
    }
}

fn entry(action: Action, operation: &'static str) -> Entry<'static> {
    Entry { action, operation, permission: Permission::AuditRead, record_type: "audit_event", record_ids: &[], outcome: Outcome::Success }
}

/// One page of matching entries, oldest first.
#[tracing::instrument(skip_all, fields(request_id = %caller.request_id))]
pub async fn search(ctx: &Ctx, caller: &Caller, q: AuditQuery, now: DateTime<Utc>) -> ServiceResult<AuditPage> {
    caller.require(Permission::AuditRead)?;
    validate(&q)?;
    let limit = domain::paging::page_size(q.limit).unwrap_or(domain::paging::DEFAULT_PAGE);
    let snapshot = tx::begin_read(&ctx.db).await?;
    let mut rows = filtered(&q).limit(limit + 1).all(&snapshot).await?;
    let more = rows.len() as u64 > limit;
    rows.truncate(limit as usize);
    let links = links(&snapshot, &rows).await?;
    snapshot.commit().await?;
    let next_after = if more { rows.last().map(|r| r.seq) } else { None };
    commit(ctx, caller, now, entry(Action::Consultation, "audit.search")).await?;
    Ok(AuditPage { items: views(rows, &links), next_after })
}

/// Every matching entry up to [`EXPORT_LIMIT`], oldest first. Needs a reason code.
#[tracing::instrument(skip_all, fields(request_id = %caller.request_id))]
pub async fn export(ctx: &Ctx, caller: &Caller, mut q: AuditQuery, now: DateTime<Utc>) -> ServiceResult<Vec<AuditEventView>> {
    caller.require(Permission::AuditRead)?;
    // A bulk disclosure of who did what to whom: only with a recent authentication.
    caller.require_recent_auth(now, crate::auth::STEP_UP)?;
    validate(&q)?;
    if caller.justification.reason_code.is_none() {
        return Err(FieldErrors::single("Vigil-Reason-Code", "justification_required", "an export needs a reason code header").into());
    }
    // The export is recorded before anything leaves: if it cannot be audited, it does not happen.
    commit(ctx, caller, now, entry(Action::Disclosure, "audit.export")).await?;
    let snapshot = tx::begin_read(&ctx.db).await?;
    let mut out = Vec::new();
    while (out.len() as u64) < EXPORT_LIMIT {
        let rows = filtered(&q).limit(PAGE.min(EXPORT_LIMIT - out.len() as u64)).all(&snapshot).await?;
        let Some(last) = rows.last().map(|r| r.seq) else { break };
        let full = rows.len() as u64 == PAGE;
        let links = links(&snapshot, &rows).await?;
        out.extend(views(rows, &links));
        q.after = Some(last);
        if !full {
            break;
        }
    }
    snapshot.commit().await?;
    Ok(out)
}
