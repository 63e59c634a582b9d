//! Writing and searching blind indexes. A lookup returns candidate owners whose digest matches;
//! because digests are truncated (see `crypto::blind_index`), callers must decrypt candidates
//! and compare plaintext before treating any of them as a match.

use sea_orm::ExprTrait;

use entities::blind_index;
use sea_orm::{ActiveValue::Set, ColumnTrait, ConnectionTrait, DbBackend, EntityTrait, QueryFilter, QuerySelect, Statement};
use uuid::Uuid;

use super::ServiceResult;
use crate::crypto::{BlindField, BlindKind, Crypto};

pub const OWNER_REGISTRANT: &str = "registrant";
pub const OWNER_REPORT: &str = "report";

/// One value to index: which row it came from and its normalised form.
pub struct IndexTerm<'a> {
    pub source_table: &'static str,
    pub source_id: Uuid,
    pub field: BlindField,
    pub kind: BlindKind,
    pub normalised: &'a str,
}

pub async fn write(
    conn: &impl ConnectionTrait,
    crypto: &Crypto,
    owner_kind: &'static str,
    owner_id: Uuid,
    terms: &[IndexTerm<'_>],
) -> ServiceResult<()> {
    let rows = rows(crypto, owner_kind, owner_id, terms)?;
    if !rows.is_empty() {
        blind_index::Entity::insert_many(rows).exec_without_returning(conn).await?;
    }
    Ok(())
}

/// Removes every index row of one owner, under every key (erasure, and rebuilding an owner's
/// indexes under a new key).
pub async fn delete_owner(conn: &impl ConnectionTrait, owner_kind: &str, owner_id: Uuid) -> ServiceResult<()> {
    blind_index::Entity::delete_many()
        .filter(blind_index::Column::OwnerKind.eq(owner_kind))
        .filter(blind_index::Column::OwnerId.eq(owner_id))
        .exec(conn)
        .await?;
    Ok(())
}

/// The index rows for `terms`, not yet written (bulk writers insert many owners' rows at once).
pub fn rows(
    crypto: &Crypto,
    owner_kind: &'static str,
    owner_id: Uuid,
    terms: &[IndexTerm<'_>],
) -> ServiceResult<Vec<blind_index::ActiveModel>> {
    let key_id = crypto.active_blind_key_id() as i32;
    let mut rows = Vec::with_capacity(terms.len());
    // Two different values of one source can share a truncated digest; one row says it all.
    let mut seen: Vec<(Uuid, BlindField, BlindKind, i64)> = Vec::with_capacity(terms.len());
    for term in terms {
        let digest = crypto.blind_index(term.field, term.kind, term.normalised)?;
        let key = (term.source_id, term.field, term.kind, digest);
        if seen.contains(&key) {
            continue;
        }
        seen.push(key);
        rows.push(blind_index::ActiveModel {
            owner_kind: Set(owner_kind.to_owned()),
            owner_id: Set(owner_id),
            source_table: Set(term.source_table.to_owned()),
            source_id: Set(term.source_id),
            field: Set(term.field.as_str().to_owned()),
            kind: Set(term.kind.as_str().to_owned()),
            digest: Set(digest),
            key_id: Set(key_id),
            ..Default::default()
        });
    }
    Ok(rows)
}

/// Rows (owner id, source id) whose digest matches the normalised value, under any key in the
/// ring (during a key rotation some rows are still indexed under the old key).
pub async fn candidates(
    conn: &impl ConnectionTrait,
    crypto: &Crypto,
    owner_kind: &str,
    field: BlindField,
    kind: BlindKind,
    normalised: &str,
) -> ServiceResult<Vec<(Uuid, Uuid)>> {
    let mut any = sea_orm::Condition::any();
    for (key_id, digest) in crypto.blind_indexes(field, kind, normalised)? {
        any = any.add(blind_index::Column::Digest.eq(digest).and(blind_index::Column::KeyId.eq(key_id as i32)));
    }
    let rows = blind_index::Entity::find()
        .select_only()
        .column(blind_index::Column::OwnerId)
        .column(blind_index::Column::SourceId)
        .filter(blind_index::Column::Field.eq(field.as_str()))
        .filter(blind_index::Column::Kind.eq(kind.as_str()))
        .filter(any)
        .filter(blind_index::Column::OwnerKind.eq(owner_kind))
        .into_tuple::<(Uuid, Uuid)>()
        .all(conn)
        .await?;
    Ok(rows)
}

/// For each of several normalised keys, the owners (kind, id) indexed under it, in one indexed
/// query. Used by the register check's blocking step, which weighs keys by how many owners each
/// returns (`linkage::blocking`).
///
/// The keys go in as a `VALUES` list joined to the covering index, and the owners come back
/// aggregated, one row per key and owner kind with the ids as concatenated hex: a common key
/// holds thousands of owners, and handing each over as a row of its own (on SQLite, a hop
/// between threads per row) was most of a check's time.
pub async fn candidates_any(
    conn: &impl ConnectionTrait,
    crypto: &Crypto,
    owner_kinds: &[&str],
    keys: &[(BlindField, BlindKind, &str)],
) -> ServiceResult<Vec<Vec<(String, Uuid)>>> {
    let mut hits = vec![Vec::new(); keys.len()];
    if keys.is_empty() || owner_kinds.is_empty() {
        return Ok(hits);
    }
    let backend = conn.get_database_backend();
    let mut values: Vec<sea_orm::Value> = Vec::with_capacity(keys.len() * 5 + owner_kinds.len());
    let mut rows = Vec::with_capacity(keys.len());
    let mut param = |value: sea_orm::Value, cast: &str| {
        values.push(value);
        match backend {
            DbBackend::Postgres => format!("${}{cast}", values.len()),
            _ => "?".to_owned(),
        }
    };
    for (i, (field, kind, normalised)) in keys.iter().enumerate() {
        // Every key in the ring: while keys rotate, some rows are still under the old one. Two
        // keys of one field and kind can share a truncated digest; a row then counts for both.
        for (key_id, digest) in crypto.blind_indexes(*field, *kind, normalised)? {
            let row = [
                param((i as i32).into(), "::int4"),
                param(field.as_str().into(), "::text"),
                param(kind.as_str().into(), "::text"),
                param(digest.into(), "::int8"),
                param((key_id as i32).into(), "::int4"),
            ];
            rows.push(format!("({})", row.join(", ")));
        }
    }
    let kinds: Vec<String> = owner_kinds.iter().map(|k| param((*k).into(), "::text")).collect();
    let ids = match backend {
        DbBackend::Postgres => "string_agg(replace(b.owner_id::text, '-', ''), '')",
        _ => "group_concat(hex(b.owner_id), '')",
    };
    let sql = format!(
        "WITH k(i, field, kind, digest, key_id) AS (VALUES {}) \
         SELECT k.i, b.owner_kind, {ids} FROM k JOIN blind_indexes b \
         ON b.field = k.field AND b.kind = k.kind AND b.digest = k.digest AND b.key_id = k.key_id \
         WHERE b.owner_kind IN ({}) GROUP BY k.i, b.owner_kind",
        rows.join(", "),
        kinds.join(", ")
    );
    for row in conn.query_all_raw(Statement::from_sql_and_values(backend, sql, values)).await? {
        let i: i32 = row.try_get_by_index(0)?;
        let owner_kind: String = row.try_get_by_index(1)?;
        let owners: String = row.try_get_by_index(2)?;
        let Some(slot) = usize::try_from(i).ok().and_then(|i| hits.get_mut(i)) else { continue };
        for hex in owners.as_bytes().chunks(32) {
            let id = std::str::from_utf8(hex).ok().and_then(|h| Uuid::try_parse(h).ok());
            slot.push((owner_kind.clone(), id.ok_or_else(|| sea_orm::DbErr::Type("a blind index owner id is malformed".into()))?));
        }
    }
    Ok(hits)
}
