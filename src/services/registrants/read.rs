//! Loading registrants and opening their sealed rows into views.

use domain::ids::RegistrantId;
use entities::{registrant, registrant_address, registrant_birth_date, registrant_descriptor, registrant_identifier, registrant_name};
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder};

use super::one_read::{AddressRow, DateRow, DescriptorRow, IdentifierRow, NameRow, Particulars};
use super::views::*;
use crate::crypto::{Crypto, columns};
use crate::services::{ServiceError, ServiceResult};
use domain::person::{Address, PersonName};
use domain::vocab::NameKind;

/// A stored value that no longer parses (a date, a schedule, a number out of range) is corrupt
/// data, not user error and not a crypto failure.
pub fn stored<T>(value: Option<T>) -> Result<T, ServiceError> {
    value.ok_or_else(|| ServiceError::CorruptData("a stored value does not parse as its column's type".into()))
}

pub async fn find(conn: &impl ConnectionTrait, id: RegistrantId) -> ServiceResult<registrant::Model> {
    registrant::Entity::find_by_id(id).one(conn).await?.ok_or(ServiceError::NotFound("registrant"))
}

/// A registrant the caller may change: managed by the caller's organisation, and not merged
/// away (a merged record's particulars and duties are on the record it was merged into).
pub async fn writable(conn: &impl ConnectionTrait, caller: &crate::auth::Caller, id: RegistrantId) -> ServiceResult<registrant::Model> {
    let found = find(conn, id).await?;
    caller.require_managing(&found.managing_org)?;
    if found.merged_into.is_some() {
        let detail = "this record was merged into another record of the same person; make changes there".into();
        return Err(ServiceError::Conflict { code: "merged", detail });
    }
    Ok(found)
}

/// The view of `r`, its particulars read by one query each (inside a write transaction, after
/// a change). A plain read takes them in the same statement as the registrant: `one_read`.
pub async fn view(conn: &impl ConnectionTrait, crypto: &Crypto, r: registrant::Model) -> ServiceResult<RegistrantView> {
    let names = registrant_name::Entity::find()
        .filter(registrant_name::Column::RegistrantId.eq(r.id))
        .order_by_asc(registrant_name::Column::Id)
        .all(conn)
        .await?;
    let dates = registrant_birth_date::Entity::find()
        .filter(registrant_birth_date::Column::RegistrantId.eq(r.id))
        .order_by_asc(registrant_birth_date::Column::Id)
        .all(conn)
        .await?;
    let descriptors = registrant_descriptor::Entity::find()
        .filter(registrant_descriptor::Column::RegistrantId.eq(r.id))
        .order_by_asc(registrant_descriptor::Column::Id)
        .all(conn)
        .await?;
    let addresses = registrant_address::Entity::find()
        .filter(registrant_address::Column::RegistrantId.eq(r.id))
        .order_by_asc(registrant_address::Column::Id)
        .all(conn)
        .await?;
    let identifiers = registrant_identifier::Entity::find()
        .filter(registrant_identifier::Column::RegistrantId.eq(r.id))
        .order_by_asc(registrant_identifier::Column::Id)
        .all(conn)
        .await?;
    let particulars = Particulars {
        names: names
            .into_iter()
            .map(|n| NameRow { id: n.id, kind: n.kind, sealed: n.name_sealed, valid_from: n.valid_from, valid_to: n.valid_to })
            .collect(),
        dates: dates.into_iter().map(|d| DateRow { id: d.id, sealed: d.birth_date_sealed }).collect(),
        descriptors: descriptors.into_iter().map(|d| DescriptorRow { id: d.id, kind: d.kind, sealed: d.value_sealed }).collect(),
        addresses: addresses
            .into_iter()
            .map(|a| AddressRow {
                id: a.id,
                kind: a.kind,
                sealed: a.address_sealed,
                valid_from: a.valid_from,
                valid_to: a.valid_to,
                corrected_by: a.corrected_by,
                corrected_at: a.corrected_at,
                correction_sealed: a.correction_reason_sealed,
            })
            .collect(),
        identifiers: identifiers
            .into_iter()
            .map(|i| IdentifierRow {
                id: i.id,
                kind: i.kind,
                platform_sealed: i.platform_sealed,
                sealed: i.value_sealed,
                valid_from: i.valid_from,
                valid_to: i.valid_to,
            })
            .collect(),
    };
    view_of(crypto, r, particulars)
}

/// Opens the sealed values of `r` and its particulars into the view.
pub fn view_of(crypto: &Crypto, r: registrant::Model, p: Particulars) -> ServiceResult<RegistrantView> {
    let Particulars { names, dates, descriptors, addresses, identifiers } = p;
    let mut name_views = Vec::with_capacity(names.len());
    for n in names {
        let person: PersonName = crypto.open_json(columns::NAME, n.id, &n.sealed)?;
        name_views.push(NameView {
            id: n.id,
            kind: n.kind,
            given: person.given,
            family: person.family,
            valid_from: n.valid_from,
            valid_to: n.valid_to,
        });
    }
    let mut date_views = Vec::with_capacity(dates.len());
    for d in dates {
        let text = crypto.open_str(columns::BIRTH_DATE, d.id, &d.sealed)?;
        date_views.push(BirthDateView { id: d.id, date: stored(text.parse().ok())? });
    }
    let mut descriptor_views = Vec::with_capacity(descriptors.len());
    for d in descriptors {
        descriptor_views.push(DescriptorView { id: d.id, kind: d.kind, value: crypto.open_str(columns::DESCRIPTOR, d.id, &d.sealed)? });
    }
    let mut address_views = Vec::with_capacity(addresses.len());
    for a in addresses {
        let address: Address = crypto.open_json(columns::ADDRESS, a.id, &a.sealed)?;
        address_views.push(AddressView {
            id: a.id,
            kind: a.kind,
            lines: address.lines,
            town: address.town,
            postcode: address.postcode,
            valid_from: a.valid_from,
            valid_to: a.valid_to,
            corrected: match (&a.corrected_by, a.corrected_at, &a.correction_sealed) {
                (Some(by), Some(at), Some(sealed)) => {
                    Some(CorrectionView { by: by.clone(), at, reason: crypto.open_str(columns::ADDRESS_CORRECTION_REASON, a.id, sealed)? })
                }
                _ => None,
            },
        });
    }
    let mut identifier_views = Vec::with_capacity(identifiers.len());
    for i in identifiers {
        let qualifier = crypto.open_opt(columns::IDENTIFIER_PLATFORM, i.id, i.platform_sealed.as_deref())?;
        let (platform, country) = domain::identifiers::qualifiers(i.kind, qualifier);
        identifier_views.push(IdentifierView {
            id: i.id,
            kind: i.kind,
            platform,
            country,
            value: crypto.open_str(columns::IDENTIFIER, i.id, &i.sealed)?,
            valid_from: i.valid_from,
            valid_to: i.valid_to,
        });
    }
    let notes = match &r.notes_sealed {
        Some(sealed) => Some(crypto.open_str(columns::REGISTRANT_NOTES, r.id, sealed)?),
        None => None,
    };
    Ok(RegistrantView {
        id: r.id,
        reference: r.reference,
        status: r.status,
        managing_org: r.managing_org,
        managing_officer: crypto.open_opt(columns::REGISTRANT_OFFICER, r.id, r.managing_officer_sealed.as_deref())?,
        supervising_org: r.supervising_org,
        risk: match r.risk_level {
            Some(level) => Some(RiskView {
                level,
                tool: crypto.open_opt(columns::RISK_TOOL, r.id, r.risk_tool_sealed.as_deref())?,
                next_review_on: r.risk_next_review_on,
            }),
            None => None,
        },
        mappa: r.mappa_category.zip(r.mappa_level).map(|(category, level)| MappaView {
            category,
            level,
            next_review_on: r.mappa_next_review_on,
        }),
        names: name_views,
        birth_dates: date_views,
        descriptors: descriptor_views,
        addresses: address_views,
        identifiers: identifier_views,
        notes,
        version: r.version,
        created_at: r.created_at,
        updated_at: r.updated_at,
        merged_into: r.merged_into.map(RegistrantId::from),
    })
}

/// Current primary names ("given family") of several registrants, for listings.
pub async fn primary_names(
    conn: &impl ConnectionTrait,
    crypto: &Crypto,
    ids: &[RegistrantId],
) -> ServiceResult<Vec<(RegistrantId, String)>> {
    let rows = registrant_name::Entity::find()
        .filter(registrant_name::Column::RegistrantId.is_in(ids.iter().copied()))
        .filter(registrant_name::Column::Kind.eq(NameKind::Primary))
        .filter(registrant_name::Column::ValidTo.is_null())
        .all(conn)
        .await?;
    let mut out = Vec::with_capacity(rows.len());
    for row in rows {
        let person: PersonName = crypto.open_json(columns::NAME, row.id, &row.name_sealed)?;
        out.push((row.registrant_id, format!("{} {}", person.given, person.family).trim().to_owned()));
    }
    Ok(out)
}

/// Listing lines for registrant rows, with their current primary names decrypted.
pub async fn summaries(
    conn: &impl ConnectionTrait,
    crypto: &Crypto,
    rows: Vec<registrant::Model>,
) -> ServiceResult<Vec<RegistrantSummary>> {
    let ids: Vec<RegistrantId> = rows.iter().map(|r| r.id).collect();
    let names = primary_names(conn, crypto, &ids).await?;
    let mut out = Vec::with_capacity(rows.len());
    for r in rows {
        out.push(RegistrantSummary {
            primary_name: names.iter().find(|(owner, _)| *owner == r.id).map(|(_, n)| n.clone()),
            id: r.id,
            reference: r.reference,
            status: r.status,
            managing_org: r.managing_org,
            supervising_org: r.supervising_org,
            risk_level: r.risk_level,
            version: r.version,
        });
    }
    Ok(out)
}
