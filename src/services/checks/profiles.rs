//! Opening candidates into comparison form. Only the candidates a blocking lookup returned are
//! read and decrypted, in a handful of batched queries, and only those that survive the
//! plaintext key check are read in full.

use domain::ids::RecordId;
use std::collections::{HashMap, HashSet};

use entities::{crime_report, registrant, registrant_address, registrant_birth_date, registrant_identifier, registrant_name};
use sea_orm::sea_query::{Expr, Query, UnionType};
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter};
use uuid::Uuid;

use crate::crypto::{Crypto, columns};
use crate::linkage::{NameForm, Profile};
use crate::services::registrants::read::stored;
use crate::services::{ServiceResult, reports};
use domain::person::{Address, PersonName};

/// Opens the candidate registrants `ids` and keeps those `keep` accepts, in two phases. First
/// names and dates of birth (and identifiers, only for candidates an identifier lookup found):
/// all that blocking keys are made of, so `keep` can tell a digest coincidence from a real
/// candidate. Only those kept then have their remaining rows read and decrypted. At a million
/// registrants most candidates are coincidences, so this halves the rows opened per check.
pub async fn registrants(
    conn: &impl ConnectionTrait,
    crypto: &Crypto,
    ids: &[Uuid],
    found_by_identifier: &HashSet<Uuid>,
    keep: impl Fn(&Profile) -> bool,
) -> ServiceResult<Vec<(registrant::Model, Profile)>> {
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    let mut profiles: HashMap<Uuid, Profile> = ids.iter().map(|id| (*id, Profile::default())).collect();
    names_and_birth_dates(conn, crypto, ids, &mut profiles).await?;
    let first: Vec<Uuid> = ids.iter().filter(|id| found_by_identifier.contains(id)).copied().collect();
    identifiers(conn, crypto, &first, &mut profiles).await?;
    profiles.retain(|_, profile| keep(profile));
    let kept: Vec<Uuid> = ids.iter().filter(|id| profiles.contains_key(id)).copied().collect();
    let rest: Vec<Uuid> = kept.iter().filter(|id| !found_by_identifier.contains(id)).copied().collect();
    identifiers(conn, crypto, &rest, &mut profiles).await?;
    postcodes(conn, crypto, &kept, &mut profiles).await?;
    if kept.is_empty() {
        return Ok(Vec::new());
    }
    let rows = registrant::Entity::find().filter(registrant::Column::Id.is_in(kept.iter().copied())).all(conn).await?;
    Ok(rows
        .into_iter()
        .map(|r| {
            let profile = profiles.remove(&r.id.uuid()).unwrap_or_default();
            (r, profile)
        })
        .collect())
}

/// Every candidate's names and dates of birth, in one statement of only the columns needed:
/// this runs for every candidate a check opens, most of whom turn out to be coincidences.
async fn names_and_birth_dates(
    conn: &impl ConnectionTrait,
    crypto: &Crypto,
    ids: &[Uuid],
    profiles: &mut HashMap<Uuid, Profile>,
) -> ServiceResult<()> {
    const NAME: i32 = 0;
    const BIRTH_DATE: i32 = 1;
    let mut query = Query::select();
    query
        .expr(Expr::val(NAME))
        .columns([registrant_name::Column::RegistrantId, registrant_name::Column::Id, registrant_name::Column::NameSealed])
        .from(registrant_name::Entity)
        .and_where(registrant_name::Column::RegistrantId.is_in(ids.iter().copied()));
    let mut dates = Query::select();
    dates
        .expr(Expr::val(BIRTH_DATE))
        .columns([
            registrant_birth_date::Column::RegistrantId,
            registrant_birth_date::Column::Id,
            registrant_birth_date::Column::BirthDateSealed,
        ])
        .from(registrant_birth_date::Entity)
        .and_where(registrant_birth_date::Column::RegistrantId.is_in(ids.iter().copied()));
    query.union(UnionType::All, dates);
    let backend = conn.get_database_backend();
    for row in conn.query_all_raw(backend.build(&query)).await? {
        let tag: i32 = row.try_get_by_index(0)?;
        let registrant_id: Uuid = row.try_get_by_index(1)?;
        let id: Uuid = row.try_get_by_index(2)?;
        let sealed: Vec<u8> = row.try_get_by_index(3)?;
        let Some(p) = profiles.get_mut(&registrant_id) else { continue };
        if tag == NAME {
            let person: PersonName = crypto.open_json(columns::NAME, id, &sealed)?;
            p.names.push(NameForm::from_name(&person));
        } else {
            let text = crypto.open_str(columns::BIRTH_DATE, id, &sealed)?;
            p.birth_dates.push(stored(text.parse().ok())?);
        }
    }
    Ok(())
}

async fn identifiers(
    conn: &impl ConnectionTrait,
    crypto: &Crypto,
    ids: &[Uuid],
    profiles: &mut HashMap<Uuid, Profile>,
) -> ServiceResult<()> {
    if ids.is_empty() {
        return Ok(());
    }
    let rows = registrant_identifier::Entity::find()
        .filter(registrant_identifier::Column::RegistrantId.is_in(ids.iter().copied()))
        .all(conn)
        .await?;
    for i in rows {
        let value = crypto.open_str(columns::IDENTIFIER, i.id, &i.value_sealed)?;
        let kind = i.kind;
        let key = match crypto.open_opt(columns::IDENTIFIER_PLATFORM, i.id, i.platform_sealed.as_deref())? {
            Some(platform) => format!("{platform}:{value}"),
            None => value,
        };
        if let Some(p) = profiles.get_mut(&i.registrant_id.uuid()) {
            p.identifiers.push((kind, key));
        }
    }
    Ok(())
}

async fn postcodes(conn: &impl ConnectionTrait, crypto: &Crypto, ids: &[Uuid], profiles: &mut HashMap<Uuid, Profile>) -> ServiceResult<()> {
    if ids.is_empty() {
        return Ok(());
    }
    let rows =
        registrant_address::Entity::find().filter(registrant_address::Column::RegistrantId.is_in(ids.iter().copied())).all(conn).await?;
    for a in rows {
        let address: Address = crypto.open_json(columns::ADDRESS, a.id, &a.address_sealed)?;
        if let (Some(p), Some(postcode)) = (profiles.get_mut(&a.registrant_id.uuid()), address.postcode) {
            p.postcodes.push(postcode);
        }
    }
    Ok(())
}

pub async fn reports(conn: &impl ConnectionTrait, crypto: &Crypto, ids: &[Uuid]) -> ServiceResult<Vec<(crime_report::Model, Profile)>> {
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    let rows = crime_report::Entity::find().filter(crime_report::Column::Id.is_in(ids.iter().copied())).all(conn).await?;
    let mut out = Vec::with_capacity(rows.len());
    for r in rows {
        let profile = Profile::of_suspect(&reports::suspect(crypto, &r)?, reports::reference_date(&r));
        out.push((r, profile));
    }
    Ok(out)
}
