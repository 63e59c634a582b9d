//! Merging two records of one person, and undoing a merge: each only ever run as the second half
//! of a four-eyes approval (`services::approvals`), inside its transaction, on a duplicate pair an
//! officer has confirmed (`services::duplicates`).
//!
//! The record already on the register survives; the record created or imported later is merged
//! into it. Nothing is deleted or rewritten: the rows that hung off the merged record (names,
//! dates of birth, addresses, identifiers, descriptors, trips, orders, duties, notifications,
//! breaches, suspensions, alerts, and review links to reports) are re-pointed at the survivor,
//! and the pair records exactly which rows moved. The merged record keeps its row, reference and
//! audit trail, with status `merged` and a pointer to the survivor. Its primary names become
//! aliases of the survivor, since a person has one primary name.
//!
//! An unmerge moves back exactly the rows that moved, and restores the names and the status;
//! anything recorded on the survivor since the merge stays there. Sealed values are bound to
//! their own row's id, never the registrant's, so no value is decrypted or re-sealed. The
//! register check's indexes follow the rows: index entries sourced on a moved row move with it,
//! and both records' person-wide keys and match profiles are rebuilt.

use chrono::{DateTime, Utc};
use domain::ids::{RecordId, RegistrantId};
use domain::vocab::{ApprovalAction, DuplicateStatus, NameKind, RegistrantStatus};
use entities::{blind_index, link, match_candidate, registrant, registrant_duplicate as dup, registrant_name};
use sea_orm::sea_query::{Alias, Expr, ExprTrait, Query};
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QuerySelect};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use uuid::Uuid;

use super::blind::{self, OWNER_REGISTRANT};
use super::registrants::{details, read};
use super::{ServiceError, ServiceResult, match_profiles};
use crate::auth::Caller;
use crate::crypto::Crypto;

/// Every table whose rows belong to one registrant through a `registrant_id` column.
const OWNED: &[&str] = &[
    "registrant_names",
    "registrant_birth_dates",
    "registrant_addresses",
    "registrant_identifiers",
    "registrant_descriptors",
    "registrant_trips",
    "orders",
    "obligations",
    "occurrences",
    "notification_events",
    "breaches",
    "suspensions",
    "alerts",
];

/// What a merge moved, kept on the pair while it stands. Ids only: nothing here describes a
/// person.
#[derive(Serialize, Deserialize, Default)]
struct Moves {
    previous_status: String,
    rows: BTreeMap<String, Vec<Uuid>>,
    links: Vec<Uuid>,
    candidates: Vec<Uuid>,
    demoted_names: Vec<Uuid>,
}

/// The two records of a pair, checked for a request to merge (or unmerge) them: the pair in
/// the state the action needs, the version the caller read, both records managed by the
/// caller's organisation. Returns that organisation.
pub async fn for_request(conn: &impl ConnectionTrait, caller: &Caller, pair_id: Uuid, version: i32, merge: bool) -> ServiceResult<String> {
    let pair = pair(conn, pair_id).await?;
    let survivor = read::find(conn, pair.existing_id).await?;
    let merged = read::find(conn, pair.registrant_id).await?;
    caller.require_managing(&survivor.managing_org)?;
    caller.require_managing(&merged.managing_org)?;
    if pair.version != version {
        return Err(ServiceError::stale());
    }
    check_state(&pair, &survivor, &merged, merge)?;
    Ok(survivor.managing_org)
}

fn check_state(pair: &dup::Model, survivor: &registrant::Model, merged: &registrant::Model, merge: bool) -> ServiceResult<()> {
    let conflict = |code, detail: &str| Err(ServiceError::Conflict { code, detail: detail.to_owned() });
    if merge && pair.status != DuplicateStatus::Confirmed {
        return conflict("not_confirmed", "only a pair confirmed as one person can be merged");
    }
    if merge && (survivor.merged_into.is_some() || merged.merged_into.is_some()) {
        return conflict("already_merged", "one of these records has already been merged into another");
    }
    if !merge && pair.status != DuplicateStatus::Merged {
        return conflict("not_merged", "this pair has not been merged");
    }
    if !merge && survivor.merged_into.is_some() {
        return conflict("merged_since", "the record this one was merged into has itself been merged since; undo that merge first");
    }
    Ok(())
}

async fn pair(conn: &impl ConnectionTrait, id: Uuid) -> ServiceResult<dup::Model> {
    dup::Entity::find_by_id(id).one(conn).await?.ok_or(ServiceError::NotFound("possible duplicate"))
}

pub fn is_merge(action: ApprovalAction) -> bool {
    matches!(action, ApprovalAction::RegistrantMerge | ApprovalAction::RegistrantUnmerge)
}

/// The record each pair's merge is about: the one already on the register, which survives.
pub async fn survivors(conn: &impl ConnectionTrait, pair_ids: &[Uuid]) -> ServiceResult<Vec<(Uuid, RegistrantId)>> {
    if pair_ids.is_empty() {
        return Ok(Vec::new());
    }
    let found = dup::Entity::find().select_only().column(dup::Column::Id).column(dup::Column::ExistingId);
    Ok(found.filter(dup::Column::Id.is_in(pair_ids.iter().copied())).into_tuple().all(conn).await?)
}

/// The pair, at the version the approval saw and in the state the action needs, with the
/// record that is (or was) merged away.
async fn checked(txn: &impl ConnectionTrait, pair_id: Uuid, version: i32, merge: bool) -> ServiceResult<(dup::Model, registrant::Model)> {
    let pair = pair(txn, pair_id).await?;
    let (survivor, merged) = (read::find(txn, pair.existing_id).await?, read::find(txn, pair.registrant_id).await?);
    if pair.version != version {
        return Err(ServiceError::stale());
    }
    check_state(&pair, &survivor, &merged, merge)?;
    Ok((pair, merged))
}

/// Merges the pair's later record into the earlier one. Returns the ids the audit entry names.
pub async fn merge(
    txn: &impl ConnectionTrait,
    crypto: &Crypto,
    pair_id: Uuid,
    version: i32,
    now: DateTime<Utc>,
) -> ServiceResult<Vec<Uuid>> {
    let (pair, merged) = checked(txn, pair_id, version, true).await?;
    let (to, from) = (pair.existing_id, pair.registrant_id);
    let mut moves = Moves { previous_status: merged.status.as_str().to_owned(), ..Moves::default() };
    moves.demoted_names = registrant_name::Entity::find()
        .select_only()
        .column(registrant_name::Column::Id)
        .filter(registrant_name::Column::RegistrantId.eq(from))
        .filter(registrant_name::Column::Kind.eq(NameKind::Primary))
        .into_tuple()
        .all(txn)
        .await?;
    set_name_kind(txn, &moves.demoted_names, NameKind::Alias).await?;
    for table in OWNED {
        let ids = owned_ids(txn, table, from).await?;
        repoint(txn, table, &ids, to).await?;
        moves.rows.insert((*table).to_owned(), ids);
    }
    // A report already linked to the survivor keeps that link; its link to the merged record
    // stays where it is, as the record of what was decided then.
    let survivor_reports = link::Entity::find()
        .select_only()
        .column(link::Column::ReportId)
        .filter(link::Column::TargetKind.eq(OWNER_REGISTRANT))
        .filter(link::Column::TargetId.eq(to.uuid()));
    moves.links = link::Entity::find()
        .select_only()
        .column(link::Column::Id)
        .filter(link::Column::TargetKind.eq(OWNER_REGISTRANT))
        .filter(link::Column::TargetId.eq(from.uuid()))
        .filter(link::Column::ReportId.not_in_subquery(sea_orm::QueryTrait::into_query(survivor_reports)))
        .into_tuple()
        .all(txn)
        .await?;
    moves.candidates = match_candidate::Entity::find()
        .select_only()
        .column(match_candidate::Column::Id)
        .filter(match_candidate::Column::TargetKind.eq(OWNER_REGISTRANT))
        .filter(match_candidate::Column::TargetId.eq(from.uuid()))
        .into_tuple()
        .all(txn)
        .await?;
    retarget(txn, &moves.links, &moves.candidates, to).await?;
    // Index entries sourced on a moved row follow it; the merged record's own person-wide
    // entries and match profile go, and the survivor's are rebuilt from everything it now holds.
    let moved: Vec<Uuid> = moves.rows.values().flatten().copied().collect();
    reown_index(txn, &moved, from, to).await?;
    blind::delete_owner(txn, OWNER_REGISTRANT, from.uuid()).await?;
    match_profiles::delete(txn, from.uuid()).await?;
    details::relink(txn, crypto, to).await?;

    set_merged(txn, from, RegistrantStatus::Merged, Some(to.uuid()), now).await?;
    bump(txn, to, now).await?;
    let encoded = serde_json::to_string(&moves).map_err(|_| ServiceError::Internal("the record of a merge"))?;
    close_pair(txn, &pair, DuplicateStatus::Merged, Some(encoded), now).await?;
    Ok(vec![to.uuid(), from.uuid(), pair_id])
}

/// Undoes a merge: exactly the rows that moved go back, with the names and the status.
pub async fn unmerge(
    txn: &impl ConnectionTrait,
    crypto: &Crypto,
    pair_id: Uuid,
    version: i32,
    now: DateTime<Utc>,
) -> ServiceResult<Vec<Uuid>> {
    let (pair, _) = checked(txn, pair_id, version, false).await?;
    let (to, from) = (pair.existing_id, pair.registrant_id);
    let moves: Moves = pair
        .merge_moves
        .as_deref()
        .and_then(|m| serde_json::from_str(m).ok())
        .ok_or_else(|| ServiceError::CorruptData("a merged pair without its record of what moved".into()))?;
    for (table, ids) in &moves.rows {
        let table =
            OWNED.iter().find(|t| **t == table).ok_or_else(|| ServiceError::CorruptData("a merge names an unknown table".into()))?;
        repoint(txn, table, ids, from).await?;
    }
    set_name_kind(txn, &moves.demoted_names, NameKind::Primary).await?;
    retarget(txn, &moves.links, &moves.candidates, from).await?;
    let moved: Vec<Uuid> = moves.rows.values().flatten().copied().collect();
    reown_index(txn, &moved, to, from).await?;
    details::relink(txn, crypto, to).await?;
    details::relink(txn, crypto, from).await?;
    let status = RegistrantStatus::parse(&moves.previous_status).unwrap_or(RegistrantStatus::Active);
    set_merged(txn, from, status, None, now).await?;
    bump(txn, to, now).await?;
    close_pair(txn, &pair, DuplicateStatus::Confirmed, None, now).await?;
    Ok(vec![to.uuid(), from.uuid(), pair_id])
}

async fn owned_ids(txn: &impl ConnectionTrait, table: &str, owner: RegistrantId) -> ServiceResult<Vec<Uuid>> {
    let select = Query::select()
        .column(Alias::new("id"))
        .from(Alias::new(table))
        .and_where(Expr::col(Alias::new("registrant_id")).eq(owner.uuid()))
        .to_owned();
    let rows = txn.query_all(&select).await?;
    rows.iter().map(|r| r.try_get::<Uuid>("", "id").map_err(ServiceError::from)).collect()
}

/// Points the rows `ids` of `table` at `owner`, a bounded number of ids per statement.
async fn repoint(txn: &impl ConnectionTrait, table: &str, ids: &[Uuid], owner: RegistrantId) -> ServiceResult<()> {
    for chunk in ids.chunks(500) {
        let update = Query::update()
            .table(Alias::new(table))
            .value(Alias::new("registrant_id"), owner.uuid())
            .and_where(Expr::col(Alias::new("id")).is_in(chunk.iter().copied()))
            .to_owned();
        txn.execute(&update).await?;
    }
    Ok(())
}

/// The merged record's status and pointer to its survivor (`None` once unmerged), as a new version.
async fn set_merged(
    txn: &impl ConnectionTrait,
    from: RegistrantId,
    status: RegistrantStatus,
    into: Option<Uuid>,
    now: DateTime<Utc>,
) -> ServiceResult<()> {
    registrant::Entity::update_many()
        .col_expr(registrant::Column::Status, Expr::value(status.as_str()))
        .col_expr(registrant::Column::MergedInto, Expr::value(into))
        .col_expr(registrant::Column::Version, Expr::col(registrant::Column::Version).add(1))
        .col_expr(registrant::Column::UpdatedAt, Expr::value(now))
        .filter(registrant::Column::Id.eq(from))
        .exec(txn)
        .await?;
    Ok(())
}

async fn set_name_kind(txn: &impl ConnectionTrait, ids: &[Uuid], kind: NameKind) -> ServiceResult<()> {
    if !ids.is_empty() {
        registrant_name::Entity::update_many()
            .col_expr(registrant_name::Column::Kind, Expr::value(kind.as_str()))
            .filter(registrant_name::Column::Id.is_in(ids.iter().copied()))
            .exec(txn)
            .await?;
    }
    Ok(())
}

async fn retarget(txn: &impl ConnectionTrait, links: &[Uuid], candidates: &[Uuid], to: RegistrantId) -> ServiceResult<()> {
    for chunk in links.chunks(500) {
        let update = link::Entity::update_many().col_expr(link::Column::TargetId, Expr::value(to.uuid()));
        update.filter(link::Column::Id.is_in(chunk.iter().copied())).exec(txn).await?;
    }
    for chunk in candidates.chunks(500) {
        let update = match_candidate::Entity::update_many().col_expr(match_candidate::Column::TargetId, Expr::value(to.uuid()));
        update.filter(match_candidate::Column::Id.is_in(chunk.iter().copied())).exec(txn).await?;
    }
    Ok(())
}

/// Index entries sourced on the rows `moved` change owner from `from` to `to`.
async fn reown_index(txn: &impl ConnectionTrait, moved: &[Uuid], from: RegistrantId, to: RegistrantId) -> ServiceResult<()> {
    for chunk in moved.chunks(500) {
        blind_index::Entity::update_many()
            .col_expr(blind_index::Column::OwnerId, Expr::value(to.uuid()))
            .filter(blind_index::Column::OwnerKind.eq(OWNER_REGISTRANT))
            .filter(blind_index::Column::OwnerId.eq(from.uuid()))
            .filter(blind_index::Column::SourceId.is_in(chunk.iter().copied()))
            .exec(txn)
            .await?;
    }
    Ok(())
}

async fn bump(txn: &impl ConnectionTrait, id: RegistrantId, now: DateTime<Utc>) -> ServiceResult<()> {
    registrant::Entity::update_many()
        .col_expr(registrant::Column::Version, Expr::col(registrant::Column::Version).add(1))
        .col_expr(registrant::Column::UpdatedAt, Expr::value(now))
        .filter(registrant::Column::Id.eq(id))
        .exec(txn)
        .await?;
    Ok(())
}

async fn close_pair(
    txn: &impl ConnectionTrait,
    pair: &dup::Model,
    status: DuplicateStatus,
    moves: Option<String>,
    now: DateTime<Utc>,
) -> ServiceResult<()> {
    let mut update = dup::Entity::update_many()
        .col_expr(dup::Column::Status, Expr::value(status.as_str()))
        .col_expr(dup::Column::MergeMoves, Expr::value(moves))
        .col_expr(dup::Column::Version, Expr::col(dup::Column::Version).add(1));
    update = if status == DuplicateStatus::Merged {
        update.col_expr(dup::Column::MergedAt, Expr::value(now))
    } else {
        update.col_expr(dup::Column::UnmergedAt, Expr::value(now))
    };
    let done = update.filter(dup::Column::Id.eq(pair.id)).filter(dup::Column::Version.eq(pair.version)).exec(txn).await?;
    if done.rows_affected != 1 {
        return Err(ServiceError::stale());
    }
    Ok(())
}
