//! A crime report to record, and the suspect and victim particulars sealed with it.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use crate::person::{Address, PersonName};
use crate::vocab::{Classification, ContactChannel, DescriptorKind, IdentifierKind};

/// A crime report as intake recorded it: the suspect's particulars normalised, the victim by
/// pseudonymous reference (and sealed details). `Debug` stays off: it holds personal data.
pub struct NewReport {
    pub force: String,
    pub crime_reference: String,
    pub principal: Classification,
    pub included: Vec<Classification>,
    pub occurred_from: Option<NaiveDate>,
    pub occurred_to: Option<NaiveDate>,
    pub victim_reference: String,
    pub victim: Option<VictimDetails>,
    pub suspect: SuspectDetails,
    pub channels: Vec<ContactChannel>,
    pub summary: Option<String>,
}

#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct StoredIdentifier {
    pub kind: IdentifierKind,
    pub platform: Option<String>,
    /// The issuing country of a national identifier (ISO 3166-1 alpha-2).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub country: Option<String>,
    pub value: String,
}

impl From<crate::identifiers::Identifier> for StoredIdentifier {
    fn from(id: crate::identifiers::Identifier) -> Self {
        let (platform, country) = id.qualifiers();
        Self { kind: id.kind, platform, country, value: id.value }
    }
}

impl StoredIdentifier {
    /// The string that is blind-indexed, as [`crate::identifiers::Identifier::index_key`].
    pub fn index_key(&self) -> String {
        match self.platform.as_ref().or(self.country.as_ref()) {
            Some(qualifier) => format!("{qualifier}:{}", self.value),
            None => self.value.clone(),
        }
    }
}

#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct StoredDescriptor {
    pub kind: DescriptorKind,
    pub value: String,
}

/// The suspect as sealed in `crime_reports.suspect_sealed`.
#[derive(Clone, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct SuspectDetails {
    pub names: Vec<PersonName>,
    pub date_of_birth: Option<NaiveDate>,
    /// A date of birth as given when it is not a real date (`1980-03-00`, `1980-13-05`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub date_of_birth_as_given: Option<String>,
    pub birth_year: Option<i32>,
    /// `[min, max]` estimated age.
    #[cfg_attr(feature = "openapi", schema(value_type = Option<Vec<u8>>))]
    pub age_range: Option<(u8, u8)>,
    pub addresses: Vec<Address>,
    pub identifiers: Vec<StoredIdentifier>,
    pub descriptors: Vec<StoredDescriptor>,
}

/// The victim as sealed in `crime_reports.victim_sealed`.
#[derive(Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct VictimDetails {
    pub given: String,
    pub family: String,
    pub date_of_birth: Option<NaiveDate>,
}

impl std::fmt::Debug for SuspectDetails {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("SuspectDetails(<redacted>)")
    }
}

impl std::fmt::Debug for VictimDetails {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("VictimDetails(<redacted>)")
    }
}

impl SuspectDetails {
    /// Platforms of the suspect's online handles.
    pub fn platforms(&self) -> Vec<String> {
        self.identifiers.iter().filter_map(|i| i.platform.clone()).collect()
    }
}
