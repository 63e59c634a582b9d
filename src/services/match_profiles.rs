//! Storing match profiles (`crate::linkage::match_profile`) and the blocking keys derived from a
//! person as a whole (`linkage::keys::EXTRA_FIELDS`). Both are rebuilt together, from the
//! owner's current particulars, whenever those change: a profile that disagreed with the index
//! would make the register check drop a true hit as a coincidence.

use entities::{blind_index, match_profile};
use sea_orm::{ActiveValue::Set, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QuerySelect};
use uuid::Uuid;

use super::blind::{self, IndexTerm};
use super::{ServiceError, ServiceResult};
use crate::crypto::{Crypto, columns};
use crate::linkage::{Profile, keys, match_profile as codec};

/// The sealed profile row of one owner, not yet written (bulk writers insert many at once).
pub fn row(crypto: &Crypto, owner_kind: &'static str, owner_id: Uuid, profile: &Profile) -> ServiceResult<match_profile::ActiveModel> {
    let encoded = codec::encode(profile).map_err(|_| ServiceError::Internal("a match profile could not be encoded"))?;
    Ok(match_profile::ActiveModel {
        id: Set(owner_id),
        owner_kind: Set(owner_kind.to_owned()),
        profile_sealed: Set(crypto.seal(columns::MATCH_PROFILE, owner_id, &encoded)?),
    })
}

/// The index rows of the person-wide blocking keys, sourced on the owner's own row.
pub fn extra_index_rows(
    crypto: &Crypto,
    owner_kind: &'static str,
    source_table: &'static str,
    owner_id: Uuid,
    profile: &Profile,
) -> ServiceResult<Vec<blind_index::ActiveModel>> {
    let extra: Vec<keys::BlockKey> = keys::record_keys(profile).into_iter().filter(|k| keys::EXTRA_FIELDS.contains(&k.field)).collect();
    let terms: Vec<IndexTerm> =
        extra.iter().map(|k| IndexTerm { source_table, source_id: owner_id, field: k.field, kind: k.kind, normalised: &k.value }).collect();
    blind::rows(crypto, owner_kind, owner_id, &terms)
}

/// Replaces an owner's match profile and person-wide index rows with those of `profile`.
pub async fn rebuild(
    conn: &impl ConnectionTrait,
    crypto: &Crypto,
    owner_kind: &'static str,
    source_table: &'static str,
    owner_id: Uuid,
    profile: &Profile,
) -> ServiceResult<()> {
    blind_index::Entity::delete_many()
        .filter(blind_index::Column::OwnerKind.eq(owner_kind))
        .filter(blind_index::Column::OwnerId.eq(owner_id))
        .filter(blind_index::Column::Field.is_in(keys::EXTRA_FIELDS.iter().map(|f| f.as_str())))
        .exec(conn)
        .await?;
    let rows = extra_index_rows(crypto, owner_kind, source_table, owner_id, profile)?;
    if !rows.is_empty() {
        blind_index::Entity::insert_many(rows).exec_without_returning(conn).await?;
    }
    delete(conn, owner_id).await?;
    match_profile::Entity::insert(row(crypto, owner_kind, owner_id, profile)?).exec_without_returning(conn).await?;
    Ok(())
}

pub async fn delete(conn: &impl ConnectionTrait, owner_id: Uuid) -> ServiceResult<()> {
    match_profile::Entity::delete_by_id(owner_id).exec(conn).await?;
    Ok(())
}

/// The sealed profiles of `ids` that exist, as (owner id, sealed value).
pub async fn load(conn: &impl ConnectionTrait, ids: &[Uuid]) -> ServiceResult<Vec<(Uuid, Vec<u8>)>> {
    let mut out = Vec::with_capacity(ids.len());
    // Well under both engines' bind-parameter limits per statement.
    for chunk in ids.chunks(5_000) {
        let rows: Vec<(Uuid, Vec<u8>)> = match_profile::Entity::find()
            .select_only()
            .column(match_profile::Column::Id)
            .column(match_profile::Column::ProfileSealed)
            .filter(match_profile::Column::Id.is_in(chunk.iter().copied()))
            .into_tuple()
            .all(conn)
            .await?;
        out.extend(rows);
    }
    Ok(out)
}

/// Opens a sealed profile; `None` if it cannot be read as the current format (rebuilt later).
pub fn open(crypto: &Crypto, owner_id: Uuid, sealed: &[u8]) -> ServiceResult<zeroize::Zeroizing<Vec<u8>>> {
    Ok(crypto.open(columns::MATCH_PROFILE, owner_id, sealed)?)
}

/// Builds the match profiles of up to `batch` registrants and reports that have none (written
/// before match profiles existed), one transaction each; returns how many were built. Checks
/// fall back to reading rows for those until then (`checks::legacy`).
pub async fn backfill(db: &sea_orm::DatabaseConnection, crypto: &Crypto, batch: u64) -> ServiceResult<u64> {
    use domain::ids::{RegistrantId, ReportId};
    let backend = db.get_database_backend();
    let mut built = 0;
    for (table, registrant) in [("registrants", true), ("crime_reports", false)] {
        let sql = format!(
            "SELECT o.id FROM {table} o WHERE NOT EXISTS (SELECT 1 FROM match_profiles m WHERE m.id = o.id) ORDER BY o.id LIMIT {batch}"
        );
        let rows = db.query_all_raw(sea_orm::Statement::from_string(backend, sql)).await?;
        for row in rows {
            let id: Uuid = row.try_get_by_index(0)?;
            let txn = super::tx::begin_write(db).await?;
            if registrant {
                super::registrants::details::relink(&txn, crypto, RegistrantId::from(id)).await?;
            } else {
                super::reports::reindex(&txn, crypto, ReportId::from(id)).await?;
            }
            txn.commit().await?;
            built += 1;
        }
    }
    Ok(built)
}
