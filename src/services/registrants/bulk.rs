//! Writing new registrants: every row (registrant, names, dates of birth, descriptors, addresses,
//! identifiers, blind indexes) is built and sealed in memory first, then each table gets one
//! multi-row INSERT per chunk. A single create and a 500-row import batch take the same path,
//! so the import is not a second implementation; it just amortises the round trips (about ten
//! statements per batch instead of about twenty per registrant).

use chrono::{DateTime, Datelike, Utc};
use domain::ids::RecordId;
use domain::ids::RegistrantId;
use entities::{
    blind_index, match_profile, registrant, registrant_address, registrant_birth_date, registrant_descriptor, registrant_identifier,
    registrant_name,
};
use sea_orm::{ActiveModelTrait, ActiveValue::Set, ConnectionTrait, EntityTrait};
use uuid::Uuid;

use super::details::{address_row, birth_date_row, descriptor_row, identifier_field, identifier_row, name_date_keys, name_row};
use crate::crypto::{BlindField, BlindKind, Crypto, columns};
use crate::linkage::Profile;
use crate::services::blind::{self, IndexTerm, OWNER_REGISTRANT};
use crate::services::{ServiceResult, match_profiles, references};
use domain::calendar;
use domain::commands::registrants::NewRegistrant;
use domain::vocab::AddressKind;

/// Bind parameters per statement, under SQLite's 32,766 and PostgreSQL's 65,535.
const MAX_PARAMETERS: usize = 30_000;

#[derive(Default)]
pub struct NewRows {
    pub ids: Vec<RegistrantId>,
    registrants: Vec<registrant::ActiveModel>,
    names: Vec<registrant_name::ActiveModel>,
    dates: Vec<registrant_birth_date::ActiveModel>,
    descriptors: Vec<registrant_descriptor::ActiveModel>,
    addresses: Vec<registrant_address::ActiveModel>,
    identifiers: Vec<registrant_identifier::ActiveModel>,
    index: Vec<blind_index::ActiveModel>,
    profiles: Vec<match_profile::ActiveModel>,
}

impl NewRows {
    /// Seals and indexes `batch` under fresh ids. Pure computation, done before the write
    /// transaction so that it does not hold SQLite's write lock.
    pub fn seal(crypto: &Crypto, created_by: &str, batch: &[NewRegistrant], now: DateTime<Utc>) -> ServiceResult<Self> {
        let mut rows = Self::default();
        for valid in batch {
            rows.add(crypto, created_by, valid, now)?;
        }
        Ok(rows)
    }

    fn add(&mut self, crypto: &Crypto, created_by: &str, valid: &NewRegistrant, now: DateTime<Utc>) -> ServiceResult<()> {
        let id = RegistrantId::generate();
        self.ids.push(id);
        self.registrants.push(registrant::ActiveModel {
            id: Set(id),
            // Reserved when written (`write`).
            reference: sea_orm::ActiveValue::NotSet,
            status: Set(valid.status),
            managing_org: Set(valid.managing_org.clone()),
            managing_officer_sealed: Set(crypto.seal_opt(columns::REGISTRANT_OFFICER, id, valid.officer.as_deref())?),
            supervising_org: Set(valid.supervising_org.clone()),
            risk_level: Set(valid.risk.as_ref().map(|r| r.0)),
            risk_tool_sealed: Set(crypto.seal_opt(columns::RISK_TOOL, id, valid.risk.as_ref().and_then(|r| r.1.as_deref()))?),
            risk_next_review_on: Set(valid.risk.as_ref().and_then(|r| r.2)),
            mappa_category: Set(valid.mappa.map(|m| m.0)),
            mappa_level: Set(valid.mappa.map(|m| m.1)),
            mappa_next_review_on: Set(valid.mappa.and_then(|m| m.2)),
            notes_sealed: Set(valid.notes.as_ref().map(|n| crypto.seal_str(columns::REGISTRANT_NOTES, id, n)).transpose()?),
            version: Set(1),
            created_by: Set(created_by.to_owned()),
            created_at: Set(now),
            updated_at: Set(now),
            merged_into: Set(None),
        });
        let mut terms: Vec<(&'static str, Uuid, BlindField, BlindKind, String)> = Vec::new();
        let mut people = Vec::with_capacity(valid.names.len());
        for n in &valid.names {
            let (row, model) = name_row(crypto, id, n, now)?;
            self.names.push(model);
            terms.push(("registrant_names", row, BlindField::FullName, BlindKind::Exact, n.name.folded()));
            people.push((row, n.name.clone()));
        }
        for (row, field, kind, key) in name_date_keys(&people, &valid.dates) {
            terms.push(("registrant_names", row, field, kind, key));
        }
        for d in &valid.dates {
            self.dates.push(birth_date_row(crypto, id, *d, now)?.1);
        }
        for d in &valid.descriptors {
            self.descriptors.push(descriptor_row(crypto, id, d, now)?.1);
        }
        let first_address = self.addresses.len();
        for a in &valid.addresses {
            // As `details::insert_address`: a home address from a known date ends the earlier
            // open home addresses that began before it, the day before.
            if let (AddressKind::Home, Some(day_before)) = (a.kind, a.valid_from.and_then(|f| f.pred_opt())) {
                for earlier in &mut self.addresses[first_address..] {
                    let open_home = *earlier.kind.as_ref() == AddressKind::Home && earlier.valid_to.as_ref().is_none();
                    let began_before = earlier.valid_from.as_ref().is_none_or(|from| from <= day_before);
                    if open_home && began_before {
                        earlier.valid_to = Set(Some(day_before));
                    }
                }
            }
            self.addresses.push(address_row(crypto, id, a, now)?.1);
        }
        for i in &valid.identifiers {
            let (row, model) = identifier_row(crypto, id, i, now)?;
            self.identifiers.push(model);
            let field = identifier_field(i.identifier.kind);
            terms.push(("registrant_identifiers", row, field, BlindKind::Exact, i.identifier.index_key()));
        }
        let terms: Vec<IndexTerm> = terms
            .iter()
            .map(|(table, row, field, kind, key)| IndexTerm {
                source_table: table,
                source_id: *row,
                field: *field,
                kind: *kind,
                normalised: key,
            })
            .collect();
        self.index.extend(blind::rows(crypto, OWNER_REGISTRANT, id.uuid(), &terms)?);
        let profile = Profile::of_registrant(valid);
        self.index.extend(match_profiles::extra_index_rows(crypto, OWNER_REGISTRANT, "registrants", id.uuid(), &profile)?);
        self.profiles.push(match_profiles::row(crypto, OWNER_REGISTRANT, id.uuid(), &profile)?);
        Ok(())
    }

    /// Reserves references and inserts everything in `conn`'s transaction, parents first.
    pub async fn write(mut self, conn: &impl ConnectionTrait, now: DateTime<Utc>) -> ServiceResult<Vec<RegistrantId>> {
        let year = calendar::local_date(now).year();
        let references = references::next_registrant_references(conn, year, self.registrants.len()).await?;
        for (model, reference) in self.registrants.iter_mut().zip(references) {
            model.reference = Set(reference);
        }
        insert_chunked(conn, self.registrants, 17).await?;
        insert_chunked(conn, self.names, 7).await?;
        insert_chunked(conn, self.dates, 4).await?;
        insert_chunked(conn, self.descriptors, 5).await?;
        insert_chunked(conn, self.addresses, 7).await?;
        insert_chunked(conn, self.identifiers, 8).await?;
        insert_chunked(conn, self.index, 9).await?;
        insert_chunked(conn, self.profiles, 3).await?;
        Ok(self.ids)
    }
}

/// One multi-row INSERT per chunk of rows that fits the bind-parameter limit.
async fn insert_chunked<A>(conn: &impl ConnectionTrait, rows: Vec<A>, columns: usize) -> ServiceResult<()>
where
    A: ActiveModelTrait + Send,
{
    let per_statement = (MAX_PARAMETERS / columns).max(1);
    let mut rows = rows.into_iter().peekable();
    while rows.peek().is_some() {
        let chunk: Vec<A> = rows.by_ref().take(per_statement).collect();
        <A::Entity as EntityTrait>::insert_many(chunk).exec_without_returning(conn).await?;
    }
    Ok(())
}
