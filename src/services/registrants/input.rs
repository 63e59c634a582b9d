//! Request bodies for registrants and their validation into domain values. Unknown fields are
//! rejected; every problem is reported with the JSON path of its field.

use chrono::NaiveDate;
use serde::Deserialize;
use utoipa::ToSchema;

use domain::commands::registrants::{NewAddress, NewDescriptor, NewIdentifier, NewName};
use domain::errors::{FieldErrors, field_error};
use domain::identifiers::Identifier;
use domain::person::{self, Address, PersonName};
use domain::text;
use domain::vocab::{AddressKind, DescriptorKind, IdentifierKind, NameKind, RegistrantStatus, RiskLevel};

#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RiskInput {
    pub level: RiskLevel,
    /// Assessment tool, e.g. `SRP`, `S-DASH`, `OASys`.
    pub tool: Option<String>,
    pub next_review_on: Option<NaiveDate>,
}

#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct MappaInput {
    /// MAPPA category 1–4.
    pub category: i16,
    /// MAPPA management level 1–3.
    pub level: i16,
    /// When the MAPPA meeting must next review the case.
    pub next_review_on: Option<NaiveDate>,
}

#[derive(Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(examples(json!({"kind": "alias", "given": "Janet", "family": "Sample", "valid_from": "2026-01-05"})))]
pub struct NameInput {
    pub kind: NameKind,
    #[serde(default)]
    pub given: String,
    pub family: String,
    pub valid_from: Option<NaiveDate>,
    pub valid_to: Option<NaiveDate>,
}

#[derive(Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct DescriptorInput {
    pub kind: DescriptorKind,
    pub value: String,
}

#[derive(Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(examples(json!({"kind": "home", "lines": ["Flat 2", "1 Example Street"], "town": "Exampleton", "postcode": "SW1A 1AA", "valid_from": "2026-02-02"})))]
pub struct AddressInput {
    pub kind: AddressKind,
    pub lines: Vec<String>,
    pub town: Option<String>,
    pub postcode: Option<String>,
    pub valid_from: Option<NaiveDate>,
    pub valid_to: Option<NaiveDate>,
}

#[derive(Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(examples(json!({"kind": "phone", "value": "07700 900456", "valid_from": "2026-01-05"})))]
pub struct IdentifierInput {
    pub kind: IdentifierKind,
    /// Required for online handles, e.g. `instagram`.
    pub platform: Option<String>,
    /// Issuing country (ISO 3166-1 alpha-2, such as `FR`): required for `national_id`, refused
    /// for every other kind.
    #[serde(default)]
    pub country: Option<String>,
    pub value: String,
    pub valid_from: Option<NaiveDate>,
    pub valid_to: Option<NaiveDate>,
}

#[derive(Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(examples(json!({
    "supervising_org": "probation-london",
    "status": "active",
    "risk": {"level": "high", "tool": "SRP", "next_review_on": "2027-01-29"},
    "mappa": {"category": 2, "level": 1},
    "names": [{"kind": "primary", "given": "Jane", "family": "Example"}, {"kind": "alias", "given": "Janet", "family": "Sample"}],
    "birth_dates": ["1984-02-29"],
    "descriptors": [{"kind": "height", "value": "170 cm"}],
    "addresses": [{"kind": "home", "lines": ["1 Example Street"], "town": "Exampleton", "postcode": "SW1A 1AA", "valid_from": "2025-01-06"}],
    "identifiers": [
        {"kind": "phone", "value": "07700 900123"},
        {"kind": "email", "value": "jane.example@example.org"},
        {"kind": "online_handle", "platform": "instagram", "value": "@jane_example_invented"}
    ],
    "notes": "Synthetic example record."
})))]
pub struct NewRegistrantInput {
    /// Defaults to the caller's organisation; public protection officers may only create
    /// registrants their own organisation manages.
    pub managing_org: Option<String>,
    pub managing_officer: Option<String>,
    /// The probation organisation that supervises the registrant, if any.
    pub supervising_org: Option<String>,
    pub status: Option<RegistrantStatus>,
    pub risk: Option<RiskInput>,
    pub mappa: Option<MappaInput>,
    pub names: Vec<NameInput>,
    #[serde(default)]
    pub birth_dates: Vec<NaiveDate>,
    #[serde(default)]
    pub descriptors: Vec<DescriptorInput>,
    #[serde(default)]
    pub addresses: Vec<AddressInput>,
    #[serde(default)]
    pub identifiers: Vec<IdentifierInput>,
    pub notes: Option<String>,
}

#[derive(Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(examples(json!({"version": 1, "status": "active", "risk": {"level": "medium", "tool": "SRP", "next_review_on": "2027-06-30"}, "descriptors": [{"kind": "height", "value": "171 cm"}], "notes": "Risk reviewed (synthetic example)."})))]
pub struct UpdateRegistrantInput {
    /// The version you read; a stale version is refused with 409.
    pub version: i32,
    pub status: Option<RegistrantStatus>,
    pub managing_officer: Option<String>,
    pub supervising_org: Option<String>,
    pub risk: Option<RiskInput>,
    pub mappa: Option<MappaInput>,
    /// Replaces the dates of birth when present.
    pub birth_dates: Option<Vec<NaiveDate>>,
    /// Replaces the descriptors when present.
    pub descriptors: Option<Vec<DescriptorInput>>,
    pub notes: Option<String>,
}

pub fn org_code(errors: &mut FieldErrors, field: &str, value: Option<&str>) -> Option<String> {
    let value = value?;
    let valid = !value.is_empty() && value.len() <= 64 && value.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_');
    if !valid {
        errors.push(field, "invalid_organisation", "must be 1 to 64 letters, digits, '-' or '_'");
        return None;
    }
    Some(value.to_owned())
}

pub fn short_text(errors: &mut FieldErrors, field: &str, value: Option<&str>, max: usize) -> Option<String> {
    errors.take(text::clean(field, value?, max)).filter(|v| !v.is_empty())
}

pub fn risk(errors: &mut FieldErrors, field: &str, risk: &Option<RiskInput>) -> Option<(RiskLevel, Option<String>, Option<NaiveDate>)> {
    let risk = risk.as_ref()?;
    let tool = short_text(errors, &format!("{field}.tool"), risk.tool.as_deref(), 40);
    Some((risk.level, tool, risk.next_review_on))
}

pub fn mappa(errors: &mut FieldErrors, field: &str, mappa: &Option<MappaInput>) -> Option<(i16, i16, Option<NaiveDate>)> {
    let m = mappa.as_ref()?;
    if !(1..=4).contains(&m.category) {
        errors.push(format!("{field}.category"), "out_of_range", "must be 1 to 4");
    }
    if !(1..=3).contains(&m.level) {
        errors.push(format!("{field}.level"), "out_of_range", "must be 1 to 3");
    }
    Some((m.category, m.level, m.next_review_on))
}

pub fn name(errors: &mut FieldErrors, field: &str, input: &NameInput) -> Option<NewName> {
    errors.take(person::validity(field, input.valid_from, input.valid_to));
    // Some people have one name only: a registrant needs a given name, a family name or both,
    // and never an invented surname (which would then be compared as if it were theirs).
    match PersonName::parse_partial(field, &input.given, &input.family) {
        Ok(name) => Some(NewName { kind: input.kind, name, valid_from: input.valid_from, valid_to: input.valid_to }),
        Err(list) => {
            errors.0.extend(list);
            None
        }
    }
}

pub fn address(errors: &mut FieldErrors, field: &str, input: &AddressInput) -> Option<NewAddress> {
    errors.take(person::validity(field, input.valid_from, input.valid_to));
    match Address::parse(field, &input.lines, input.town.as_deref(), input.postcode.as_deref()) {
        Ok(address) => Some(NewAddress { kind: input.kind, address, valid_from: input.valid_from, valid_to: input.valid_to }),
        Err(list) => {
            errors.0.extend(list);
            None
        }
    }
}

pub fn identifier(errors: &mut FieldErrors, field: &str, input: &IdentifierInput) -> Option<NewIdentifier> {
    errors.take(person::validity(field, input.valid_from, input.valid_to));
    let identifier = errors.take(Identifier::parse_with_country(
        field,
        input.kind,
        input.platform.as_deref(),
        input.country.as_deref(),
        &input.value,
    ))?;
    Some(NewIdentifier { identifier, valid_from: input.valid_from, valid_to: input.valid_to })
}

pub fn descriptor(errors: &mut FieldErrors, field: &str, input: &DescriptorInput) -> Option<NewDescriptor> {
    let value = errors.take(text::required(&format!("{field}.value"), &input.value, 200))?;
    Some(NewDescriptor { kind: input.kind, value })
}

pub fn birth_dates(errors: &mut FieldErrors, field: &str, dates: &[NaiveDate], today: NaiveDate) -> Vec<NaiveDate> {
    dates.iter().enumerate().filter_map(|(i, d)| errors.take(person::birth_date(&format!("{field}[{i}]"), *d, today))).collect()
}

pub fn descriptors(errors: &mut FieldErrors, inputs: &[DescriptorInput]) -> Vec<NewDescriptor> {
    inputs.iter().enumerate().filter_map(|(i, d)| descriptor(errors, &format!("descriptors[{i}]"), d)).collect()
}

pub fn require_one_primary(errors: &mut FieldErrors, names: &[NameInput]) {
    if names.iter().filter(|n| n.kind == NameKind::Primary).count() != 1 {
        errors.0.push(field_error("names", "one_primary_name", "exactly one name must be of kind primary"));
    }
}
