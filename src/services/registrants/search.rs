//! Exact-match search of the register through blind indexes: an identifier, a full name, or a
//! full name with a date of birth. Digests are truncated, so every candidate is decrypted and
//! compared before it counts as a match; the database never sees the searched value.

use chrono::{DateTime, NaiveDate, Utc};
use domain::ids::RecordId;
use entities::{registrant, registrant_birth_date, registrant_identifier, registrant_name};
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, QueryOrder};
use serde::Deserialize;
use utoipa::ToSchema;
use uuid::Uuid;

use super::views::RegistrantSummary;
use super::{details, read};
use crate::auth::{Caller, Permission};
use crate::crypto::{BlindField, BlindKind, columns};
use crate::services::audit::{self, Action, Entry, Outcome};
use crate::services::blind::{self, OWNER_REGISTRANT};
use crate::services::{Ctx, ServiceError, ServiceResult, tx};
use domain::errors::{FieldErrors, field_error};
use domain::identifiers::Identifier;
use domain::person::PersonName;
use domain::vocab::IdentifierKind;

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct IdentifierQuery {
    pub kind: IdentifierKind,
    pub platform: Option<String>,
    /// Issuing country (ISO 3166-1 alpha-2, such as `FR`): required for `national_id`, refused
    /// for every other kind.
    #[serde(default)]
    pub country: Option<String>,
    pub value: String,
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NameQuery {
    #[serde(default)]
    pub given: String,
    /// Empty or absent for someone known by one name only.
    #[serde(default)]
    pub family: String,
}

/// Either an identifier, or a name with an optional date of birth. Sent in a POST body so that
/// searched values never appear in URLs or access logs.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(examples(json!({"name": {"given": "Jane", "family": "Example"}, "date_of_birth": "1984-02-29"})))]
pub struct SearchInput {
    pub identifier: Option<IdentifierQuery>,
    pub name: Option<NameQuery>,
    pub date_of_birth: Option<NaiveDate>,
}

enum Query {
    Identifier(Identifier),
    Name(PersonName, Option<NaiveDate>),
}

fn parse(input: &SearchInput) -> Result<Query, FieldErrors> {
    match (&input.identifier, &input.name) {
        (Some(i), None) if input.date_of_birth.is_none() => {
            Identifier::parse_with_country("identifier", i.kind, i.platform.as_deref(), i.country.as_deref(), &i.value)
                .map(Query::Identifier)
                .map_err(|e| FieldErrors(vec![e]))
        }
        (None, Some(n)) => {
            PersonName::parse_partial("name", &n.given, &n.family).map(|p| Query::Name(p, input.date_of_birth)).map_err(FieldErrors)
        }
        (Some(_), _) => Err(FieldErrors(vec![field_error(
            "identifier",
            "one_criterion",
            "search by an identifier, or by a name with an optional date of birth, not both",
        )])),
        (None, None) => Err(FieldErrors(vec![field_error("identifier", "required", "give an identifier or a name")])),
    }
}

#[tracing::instrument(skip_all, fields(request_id = %caller.request_id))]
pub async fn search(ctx: &Ctx, caller: &Caller, input: SearchInput, now: DateTime<Utc>) -> ServiceResult<Vec<RegistrantSummary>> {
    caller.require(Permission::RegistrantReadNational)?;
    if caller.justification.reason_code.is_none() {
        return Err(ServiceError::Invalid(FieldErrors::single(
            "Vigil-Reason-Code",
            "justification_required",
            "a register search needs a reason code header",
        )));
    }
    let query = parse(&input)?;
    let txn = tx::begin_read(&ctx.db).await?;
    let mut matched: Vec<Uuid> = Vec::new();
    match &query {
        Query::Identifier(identifier) => {
            let key = identifier.index_key();
            let field = details::identifier_field(identifier.kind);
            let candidates = blind::candidates(&txn, &ctx.crypto, OWNER_REGISTRANT, field, BlindKind::Exact, &key).await?;
            let rows = registrant_identifier::Entity::find()
                .filter(registrant_identifier::Column::Id.is_in(candidates.iter().map(|c| c.1)))
                .all(&txn)
                .await?;
            for row in rows {
                let value = ctx.crypto.open_str(columns::IDENTIFIER, row.id, &row.value_sealed)?;
                let platform = ctx.crypto.open_opt(columns::IDENTIFIER_PLATFORM, row.id, row.platform_sealed.as_deref())?;
                if value == identifier.value && platform == identifier.platform {
                    matched.push(row.registrant_id.uuid());
                }
            }
        }
        Query::Name(name, dob) => {
            let folded = name.folded();
            let (field, key) = match dob {
                Some(d) => (BlindField::NameBirthDate, format!("{folded}|{d}")),
                None => (BlindField::FullName, folded.clone()),
            };
            let candidates = blind::candidates(&txn, &ctx.crypto, OWNER_REGISTRANT, field, BlindKind::Exact, &key).await?;
            let rows =
                registrant_name::Entity::find().filter(registrant_name::Column::Id.is_in(candidates.iter().map(|c| c.1))).all(&txn).await?;
            for row in rows {
                let stored: PersonName = ctx.crypto.open_json(columns::NAME, row.id, &row.name_sealed)?;
                if stored.folded() != folded {
                    continue;
                }
                if let Some(d) = dob {
                    let dates = registrant_birth_date::Entity::find()
                        .filter(registrant_birth_date::Column::RegistrantId.eq(row.registrant_id))
                        .all(&txn)
                        .await?;
                    let mut same = false;
                    for date in dates {
                        same |= ctx.crypto.open_str(columns::BIRTH_DATE, date.id, &date.birth_date_sealed)? == d.to_string();
                    }
                    if !same {
                        continue;
                    }
                }
                matched.push(row.registrant_id.uuid());
            }
        }
    }
    matched.sort();
    matched.dedup();
    let rows = registrant::Entity::find()
        .filter(registrant::Column::Id.is_in(matched.clone()))
        .order_by_asc(registrant::Column::Id)
        .all(&txn)
        .await?;
    let out = read::summaries(&txn, &ctx.crypto, rows).await?;
    // Searched values are not recorded: the entry says a search happened, why, and what it found.
    let entry = Entry {
        action: Action::Consultation,
        operation: "registrant.search",
        permission: Permission::RegistrantReadNational,
        record_type: "registrant",
        record_ids: &matched,
        outcome: Outcome::Success,
    };
    txn.commit().await?;
    audit::commit(ctx, caller, now, entry).await?;
    Ok(out)
}
