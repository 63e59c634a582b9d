//! Opening candidates into comparison form. Only the candidates a blocking lookup returned are
//! read and decrypted, in a handful of batched queries, and only those that survive the
//! plaintext key check are read in full.

use std::collections::{HashMap, HashSet};

use entities::{crime_report, registrant, registrant_address, registrant_birth_date, registrant_identifier, registrant_name};
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter};
use uuid::Uuid;

use crate::crypto::{Crypto, columns};
use crate::domain::person::{Address, PersonName};
use crate::domain::vocab::IdentifierKind;
use crate::linkage::{NameForm, Profile};
use crate::services::registrants::read::stored;
use crate::services::{ServiceResult, reports};

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
    names(conn, crypto, ids, &mut profiles).await?;
    birth_dates(conn, crypto, ids, &mut profiles).await?;
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
            let profile = profiles.remove(&r.id).unwrap_or_default();
            (r, profile)
        })
        .collect())
}

async fn names(conn: &impl ConnectionTrait, crypto: &Crypto, ids: &[Uuid], profiles: &mut HashMap<Uuid, Profile>) -> ServiceResult<()> {
    let rows = registrant_name::Entity::find().filter(registrant_name::Column::RegistrantId.is_in(ids.iter().copied())).all(conn).await?;
    for n in rows {
        let person: PersonName = crypto.open_json(columns::NAME, n.id, &n.name_sealed)?;
        if let Some(p) = profiles.get_mut(&n.registrant_id) {
            p.names.push(NameForm::from_name(&person));
        }
    }
    Ok(())
}

async fn birth_dates(
    conn: &impl ConnectionTrait,
    crypto: &Crypto,
    ids: &[Uuid],
    profiles: &mut HashMap<Uuid, Profile>,
) -> ServiceResult<()> {
    let rows = registrant_birth_date::Entity::find()
        .filter(registrant_birth_date::Column::RegistrantId.is_in(ids.iter().copied()))
        .all(conn)
        .await?;
    for d in rows {
        let text = crypto.open_str(columns::BIRTH_DATE, d.id, &d.birth_date_sealed)?;
        if let Some(p) = profiles.get_mut(&d.registrant_id) {
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
        let kind = stored(IdentifierKind::parse(&i.kind))?;
        let key = match &i.platform {
            Some(platform) => format!("{platform}:{value}"),
            None => value,
        };
        if let Some(p) = profiles.get_mut(&i.registrant_id) {
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
        if let (Some(p), Some(postcode)) = (profiles.get_mut(&a.registrant_id), address.postcode) {
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
        let profile = reports::suspect(crypto, &r)?.profile(reports::reference_date(&r));
        out.push((r, profile));
    }
    Ok(out)
}
