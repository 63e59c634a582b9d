//! Rows that hang off a registrant (names, dates of birth, descriptors, addresses, identifiers):
//! sealing them, indexing the searchable ones, and adding to their history.

use chrono::{DateTime, Datelike, Days, NaiveDate, Utc};
use domain::ids::RecordId;
use domain::ids::RegistrantId;
use entities::{blind_index, registrant_address, registrant_birth_date, registrant_descriptor, registrant_identifier, registrant_name};
use sea_orm::{ActiveValue::Set, ColumnTrait, Condition, ConnectionTrait, EntityTrait, QueryFilter, sea_query::Expr};
use uuid::Uuid;

use crate::crypto::{BlindField, BlindKind, Crypto, columns};
use crate::linkage::{NameForm, Profile, keys};
use crate::services::blind::{self, IndexTerm, OWNER_REGISTRANT};
use crate::services::{ServiceResult, match_profiles};
use domain::commands::registrants::{NewAddress, NewDescriptor, NewIdentifier, NewName};
use domain::person::{Address, PersonName};
use domain::vocab::{AddressKind, IdentifierKind};

pub fn identifier_field(kind: IdentifierKind) -> BlindField {
    BlindField::for_identifier(kind)
}

pub async fn insert_name(
    conn: &impl ConnectionTrait,
    crypto: &Crypto,
    registrant_id: RegistrantId,
    name: &NewName,
    now: DateTime<Utc>,
) -> ServiceResult<Uuid> {
    let (id, model) = name_row(crypto, registrant_id, name, now)?;
    registrant_name::Entity::insert(model).exec_without_returning(conn).await?;
    let folded = name.name.folded();
    let term = IndexTerm {
        source_table: "registrant_names",
        source_id: id,
        field: BlindField::FullName,
        kind: BlindKind::Exact,
        normalised: &folded,
    };
    blind::write(conn, crypto, OWNER_REGISTRANT, registrant_id.uuid(), &[term]).await?;
    Ok(id)
}

pub async fn insert_birth_date(
    conn: &impl ConnectionTrait,
    crypto: &Crypto,
    registrant_id: RegistrantId,
    date: NaiveDate,
    now: DateTime<Utc>,
) -> ServiceResult<Uuid> {
    let (id, model) = birth_date_row(crypto, registrant_id, date, now)?;
    registrant_birth_date::Entity::insert(model).exec_without_returning(conn).await?;
    Ok(id)
}

pub async fn insert_descriptor(
    conn: &impl ConnectionTrait,
    crypto: &Crypto,
    registrant_id: RegistrantId,
    d: &NewDescriptor,
    now: DateTime<Utc>,
) -> ServiceResult<Uuid> {
    let (id, model) = descriptor_row(crypto, registrant_id, d, now)?;
    registrant_descriptor::Entity::insert(model).exec_without_returning(conn).await?;
    Ok(id)
}

/// Adds an address. A new home address from a known date ends the previous open home address
/// the day before, so the history stays a sequence rather than overlapping.
pub async fn insert_address(
    conn: &impl ConnectionTrait,
    crypto: &Crypto,
    registrant_id: RegistrantId,
    a: &NewAddress,
    now: DateTime<Utc>,
) -> ServiceResult<Uuid> {
    if let (AddressKind::Home, Some(from)) = (a.kind, a.valid_from)
        && let Some(day_before) = from.checked_sub_days(Days::new(1))
    {
        registrant_address::Entity::update_many()
            .col_expr(registrant_address::Column::ValidTo, Expr::value(day_before))
            .filter(registrant_address::Column::RegistrantId.eq(registrant_id))
            .filter(registrant_address::Column::Kind.eq(AddressKind::Home))
            .filter(registrant_address::Column::ValidTo.is_null())
            .filter(
                Condition::any()
                    .add(registrant_address::Column::ValidFrom.is_null())
                    .add(registrant_address::Column::ValidFrom.lte(day_before)),
            )
            .exec(conn)
            .await?;
    }
    let (id, model) = address_row(crypto, registrant_id, a, now)?;
    registrant_address::Entity::insert(model).exec_without_returning(conn).await?;
    Ok(id)
}

pub async fn insert_identifier(
    conn: &impl ConnectionTrait,
    crypto: &Crypto,
    registrant_id: RegistrantId,
    i: &NewIdentifier,
    now: DateTime<Utc>,
) -> ServiceResult<Uuid> {
    let (id, model) = identifier_row(crypto, registrant_id, i, now)?;
    registrant_identifier::Entity::insert(model).exec_without_returning(conn).await?;
    let key = i.identifier.index_key();
    let term = IndexTerm {
        source_table: "registrant_identifiers",
        source_id: id,
        field: identifier_field(i.identifier.kind),
        kind: BlindKind::Exact,
        normalised: &key,
    };
    blind::write(conn, crypto, OWNER_REGISTRANT, registrant_id.uuid(), &[term]).await?;
    Ok(id)
}

// Row builders: a new row of each kind, sealed under a fresh id. Shared by the single inserts
// above and by `bulk`, which writes many at once.

pub fn name_row(
    crypto: &Crypto,
    registrant_id: RegistrantId,
    n: &NewName,
    now: DateTime<Utc>,
) -> ServiceResult<(Uuid, registrant_name::ActiveModel)> {
    let id = Uuid::now_v7();
    Ok((
        id,
        registrant_name::ActiveModel {
            id: Set(id),
            registrant_id: Set(registrant_id),
            kind: Set(n.kind),
            name_sealed: Set(crypto.seal_json(columns::NAME, id, &n.name)?),
            valid_from: Set(n.valid_from),
            valid_to: Set(n.valid_to),
            created_at: Set(now),
        },
    ))
}

pub fn birth_date_row(
    crypto: &Crypto,
    registrant_id: RegistrantId,
    date: NaiveDate,
    now: DateTime<Utc>,
) -> ServiceResult<(Uuid, registrant_birth_date::ActiveModel)> {
    let id = Uuid::now_v7();
    let sealed = crypto.seal_str(columns::BIRTH_DATE, id, &date.to_string())?;
    Ok((
        id,
        registrant_birth_date::ActiveModel {
            id: Set(id),
            registrant_id: Set(registrant_id),
            birth_date_sealed: Set(sealed),
            created_at: Set(now),
        },
    ))
}

pub fn descriptor_row(
    crypto: &Crypto,
    registrant_id: RegistrantId,
    d: &NewDescriptor,
    now: DateTime<Utc>,
) -> ServiceResult<(Uuid, registrant_descriptor::ActiveModel)> {
    let id = Uuid::now_v7();
    let sealed = crypto.seal_str(columns::DESCRIPTOR, id, &d.value)?;
    Ok((
        id,
        registrant_descriptor::ActiveModel {
            id: Set(id),
            registrant_id: Set(registrant_id),
            kind: Set(d.kind),
            value_sealed: Set(sealed),
            created_at: Set(now),
        },
    ))
}

pub fn address_row(
    crypto: &Crypto,
    registrant_id: RegistrantId,
    a: &NewAddress,
    now: DateTime<Utc>,
) -> ServiceResult<(Uuid, registrant_address::ActiveModel)> {
    let id = Uuid::now_v7();
    Ok((
        id,
        registrant_address::ActiveModel {
            id: Set(id),
            registrant_id: Set(registrant_id),
            kind: Set(a.kind),
            address_sealed: Set(crypto.seal_json(columns::ADDRESS, id, &a.address)?),
            valid_from: Set(a.valid_from),
            valid_to: Set(a.valid_to),
            created_at: Set(now),
            corrected_by: Set(None),
            corrected_at: Set(None),
            correction_reason_sealed: Set(None),
        },
    ))
}

pub fn identifier_row(
    crypto: &Crypto,
    registrant_id: RegistrantId,
    i: &NewIdentifier,
    now: DateTime<Utc>,
) -> ServiceResult<(Uuid, registrant_identifier::ActiveModel)> {
    let id = Uuid::now_v7();
    Ok((
        id,
        registrant_identifier::ActiveModel {
            id: Set(id),
            registrant_id: Set(registrant_id),
            kind: Set(i.identifier.kind),
            platform_sealed: Set(crypto.seal_opt(columns::IDENTIFIER_PLATFORM, id, i.identifier.platform.as_deref())?),
            value_sealed: Set(crypto.seal_str(columns::IDENTIFIER, id, &i.identifier.value)?),
            valid_from: Set(i.valid_from),
            valid_to: Set(i.valid_to),
            created_at: Set(now),
        },
    ))
}

/// Rebuilds everything the register check finds and compares a registrant by, from its current
/// rows: the compound (name, date of birth) index and the name blocking keys (every name paired
/// with every date of birth), the person-wide blocking keys and the sealed match profile.
/// Called after any change to names, dates of birth, addresses or identifiers.
pub async fn relink(conn: &impl ConnectionTrait, crypto: &Crypto, registrant_id: RegistrantId) -> ServiceResult<()> {
    let rebuilt = [BlindField::NameBirthDate, BlindField::SurnameBirthYear, BlindField::NamePair, BlindField::ForenameBirthDate];
    blind_index::Entity::delete_many()
        .filter(blind_index::Column::OwnerId.eq(registrant_id))
        .filter(blind_index::Column::Field.is_in(rebuilt.iter().map(|f| f.as_str())))
        .exec(conn)
        .await?;
    let names = registrant_name::Entity::find().filter(registrant_name::Column::RegistrantId.eq(registrant_id)).all(conn).await?;
    let dates =
        registrant_birth_date::Entity::find().filter(registrant_birth_date::Column::RegistrantId.eq(registrant_id)).all(conn).await?;
    let mut parsed = Vec::with_capacity(dates.len());
    for date in &dates {
        let text = crypto.open_str(columns::BIRTH_DATE, date.id, &date.birth_date_sealed)?;
        parsed.push(super::read::stored(text.parse::<NaiveDate>().ok())?);
    }
    let mut people = Vec::with_capacity(names.len());
    for name in &names {
        people.push((name.id, crypto.open_json::<PersonName>(columns::NAME, name.id, &name.name_sealed)?));
    }
    let keys = name_date_keys(&people, &parsed);
    let terms: Vec<IndexTerm> = keys
        .iter()
        .map(|(source_id, field, kind, key)| IndexTerm {
            source_table: "registrant_names",
            source_id: *source_id,
            field: *field,
            kind: *kind,
            normalised: key,
        })
        .collect();
    blind::write(conn, crypto, OWNER_REGISTRANT, registrant_id.uuid(), &terms).await?;

    let addresses = registrant_address::Entity::find().filter(registrant_address::Column::RegistrantId.eq(registrant_id)).all(conn).await?;
    let mut opened = Vec::with_capacity(addresses.len());
    for a in &addresses {
        opened.push(crypto.open_json::<Address>(columns::ADDRESS, a.id, &a.address_sealed)?);
    }
    let mut profile = Profile::of_rows(people.iter().map(|(_, n)| n), parsed.iter().copied(), opened.iter(), []);
    let identifiers =
        registrant_identifier::Entity::find().filter(registrant_identifier::Column::RegistrantId.eq(registrant_id)).all(conn).await?;
    for i in &identifiers {
        profile.identifiers.push((i.kind, identifier_key(crypto, i)?));
    }
    match_profiles::rebuild(conn, crypto, OWNER_REGISTRANT, "registrants", registrant_id.uuid(), &profile).await
}

/// An identifier row's index key, as `Identifier::index_key`: handles are qualified by their
/// platform.
fn identifier_key(crypto: &Crypto, i: &registrant_identifier::Model) -> ServiceResult<String> {
    let value = crypto.open_str(columns::IDENTIFIER, i.id, &i.value_sealed)?;
    Ok(match crypto.open_opt(columns::IDENTIFIER_PLATFORM, i.id, i.platform_sealed.as_deref())? {
        Some(platform) => format!("{platform}:{value}"),
        None => value,
    })
}

/// Rebuilds every blind index of a registrant from its decrypted rows, under the active key:
/// full names, identifiers, and the name-and-date keys. Key rotation uses it.
pub async fn reindex_all(conn: &impl ConnectionTrait, crypto: &Crypto, registrant_id: RegistrantId) -> ServiceResult<()> {
    blind::delete_owner(conn, OWNER_REGISTRANT, registrant_id.uuid()).await?;
    let names = registrant_name::Entity::find().filter(registrant_name::Column::RegistrantId.eq(registrant_id)).all(conn).await?;
    let identifiers =
        registrant_identifier::Entity::find().filter(registrant_identifier::Column::RegistrantId.eq(registrant_id)).all(conn).await?;
    let mut keys: Vec<(&'static str, Uuid, BlindField, String)> = Vec::new();
    for name in &names {
        let person: PersonName = crypto.open_json(columns::NAME, name.id, &name.name_sealed)?;
        keys.push(("registrant_names", name.id, BlindField::FullName, person.folded()));
    }
    for i in &identifiers {
        keys.push(("registrant_identifiers", i.id, identifier_field(i.kind), identifier_key(crypto, i)?));
    }
    let terms: Vec<IndexTerm> = keys
        .iter()
        .map(|(table, id, field, key)| IndexTerm {
            source_table: table,
            source_id: *id,
            field: *field,
            kind: BlindKind::Exact,
            normalised: key,
        })
        .collect();
    blind::write(conn, crypto, OWNER_REGISTRANT, registrant_id.uuid(), &terms).await?;
    relink(conn, crypto, registrant_id).await
}

/// The compound (name, date of birth) keys and the linkage blocking keys of a person's names
/// (each with the id of its `registrant_names` row) and dates of birth: every name with every date.
pub fn name_date_keys(names: &[(Uuid, PersonName)], dates: &[NaiveDate]) -> Vec<(Uuid, BlindField, BlindKind, String)> {
    // Years of birth for the linkage blocking keys (see `linkage::keys`).
    let years: Vec<i32> = dates.iter().map(|d| d.year()).collect();
    let mut keys = Vec::new();
    for (id, person) in names {
        for dob in dates {
            keys.push((*id, BlindField::NameBirthDate, BlindKind::Exact, format!("{}|{dob}", person.folded())));
        }
        for k in keys::name_keys(&NameForm::from_name(person), &years, dates) {
            keys.push((*id, k.field, k.kind, k.value));
        }
    }
    keys
}
