//! Opening candidates into comparison form. Only the candidates a blocking lookup returned are
//! read and decrypted, in a handful of batched queries.

use std::collections::HashMap;

use entities::{crime_report, registrant, registrant_address, registrant_birth_date, registrant_identifier, registrant_name};
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter};
use uuid::Uuid;

use crate::crypto::{Crypto, columns};
use crate::domain::person::{Address, PersonName};
use crate::domain::vocab::IdentifierKind;
use crate::linkage::{NameForm, Profile};
use crate::services::registrants::read::stored;
use crate::services::{ServiceResult, reports};

pub async fn registrants(conn: &impl ConnectionTrait, crypto: &Crypto, ids: &[Uuid]) -> ServiceResult<Vec<(registrant::Model, Profile)>> {
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    let rows = registrant::Entity::find().filter(registrant::Column::Id.is_in(ids.iter().copied())).all(conn).await?;
    let mut profiles: HashMap<Uuid, Profile> = rows.iter().map(|r| (r.id, Profile::default())).collect();
    let names = registrant_name::Entity::find().filter(registrant_name::Column::RegistrantId.is_in(ids.iter().copied())).all(conn).await?;
    for n in names {
        let person: PersonName = crypto.open_json(columns::NAME, n.id, &n.name_sealed)?;
        if let Some(p) = profiles.get_mut(&n.registrant_id) {
            p.names.push(NameForm::from_name(&person));
        }
    }
    let dates = registrant_birth_date::Entity::find()
        .filter(registrant_birth_date::Column::RegistrantId.is_in(ids.iter().copied()))
        .all(conn)
        .await?;
    for d in dates {
        let text = crypto.open_str(columns::BIRTH_DATE, d.id, &d.birth_date_sealed)?;
        if let Some(p) = profiles.get_mut(&d.registrant_id) {
            p.birth_dates.push(stored(text.parse().ok())?);
        }
    }
    let identifiers = registrant_identifier::Entity::find()
        .filter(registrant_identifier::Column::RegistrantId.is_in(ids.iter().copied()))
        .all(conn)
        .await?;
    for i in identifiers {
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
    let addresses =
        registrant_address::Entity::find().filter(registrant_address::Column::RegistrantId.is_in(ids.iter().copied())).all(conn).await?;
    for a in addresses {
        let address: Address = crypto.open_json(columns::ADDRESS, a.id, &a.address_sealed)?;
        if let (Some(p), Some(postcode)) = (profiles.get_mut(&a.registrant_id), address.postcode) {
            p.postcodes.push(postcode);
        }
    }
    Ok(rows
        .into_iter()
        .map(|r| {
            let profile = profiles.remove(&r.id).unwrap_or_default();
            (r, profile)
        })
        .collect())
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
