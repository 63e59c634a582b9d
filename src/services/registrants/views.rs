//! What callers get back about registrants: decrypted, shaped for the API, never entities.

use chrono::{DateTime, NaiveDate, Utc};
use domain::ids::RegistrantId;
use serde::Serialize;
use utoipa::ToSchema;
use uuid::Uuid;

use domain::vocab::{AddressKind, DescriptorKind, IdentifierKind, NameKind, RegistrantStatus, RiskLevel};

#[derive(Serialize, ToSchema)]
pub struct RiskView {
    pub level: RiskLevel,
    pub tool: Option<String>,
    pub next_review_on: Option<NaiveDate>,
}

#[derive(Serialize, ToSchema)]
pub struct MappaView {
    pub category: i16,
    pub level: i16,
    pub next_review_on: Option<NaiveDate>,
}

#[derive(Serialize, ToSchema)]
pub struct NameView {
    pub id: Uuid,
    pub kind: NameKind,
    pub given: String,
    pub family: String,
    pub valid_from: Option<NaiveDate>,
    pub valid_to: Option<NaiveDate>,
}

#[derive(Serialize, ToSchema)]
pub struct BirthDateView {
    pub id: Uuid,
    pub date: NaiveDate,
}

#[derive(Serialize, ToSchema)]
pub struct DescriptorView {
    pub id: Uuid,
    pub kind: DescriptorKind,
    pub value: String,
}

#[derive(Serialize, ToSchema)]
pub struct AddressView {
    pub id: Uuid,
    pub kind: AddressKind,
    pub lines: Vec<String>,
    pub town: Option<String>,
    pub postcode: Option<String>,
    pub valid_from: Option<NaiveDate>,
    pub valid_to: Option<NaiveDate>,
    /// Set when the address was corrected (recorded wrongly), with who corrected it and why.
    pub corrected: Option<CorrectionView>,
}

#[derive(Serialize, ToSchema)]
pub struct CorrectionView {
    pub by: String,
    pub at: DateTime<Utc>,
    pub reason: String,
}

#[derive(Serialize, ToSchema)]
pub struct IdentifierView {
    pub id: Uuid,
    pub kind: IdentifierKind,
    pub platform: Option<String>,
    /// The issuing country of a national identifier (ISO 3166-1 alpha-2).
    pub country: Option<String>,
    pub value: String,
    pub valid_from: Option<NaiveDate>,
    pub valid_to: Option<NaiveDate>,
}

/// A registrant in full, for roles that may read the register.
#[derive(Serialize, ToSchema)]
pub struct RegistrantView {
    pub id: RegistrantId,
    pub reference: String,
    pub status: RegistrantStatus,
    pub managing_org: String,
    pub managing_officer: Option<String>,
    pub supervising_org: Option<String>,
    pub risk: Option<RiskView>,
    pub mappa: Option<MappaView>,
    pub names: Vec<NameView>,
    pub birth_dates: Vec<BirthDateView>,
    pub descriptors: Vec<DescriptorView>,
    pub addresses: Vec<AddressView>,
    pub identifiers: Vec<IdentifierView>,
    pub notes: Option<String>,
    pub version: i32,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    /// Set when this record was merged into another record of the same person (status
    /// `merged`): everything it held is there now.
    pub merged_into: Option<RegistrantId>,
}

/// One line of a register listing.
#[derive(Serialize, ToSchema)]
pub struct RegistrantSummary {
    pub id: RegistrantId,
    pub reference: String,
    pub status: RegistrantStatus,
    pub managing_org: String,
    pub supervising_org: Option<String>,
    pub risk_level: Option<RiskLevel>,
    /// The current primary name, "given family".
    pub primary_name: Option<String>,
    pub version: i32,
}

#[derive(Serialize, ToSchema)]
pub struct RegistrantPage {
    pub items: Vec<RegistrantSummary>,
    /// Pass as `after` to get the next page; absent on the last page.
    pub next_after: Option<Uuid>,
}
