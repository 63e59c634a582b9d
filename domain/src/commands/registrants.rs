//! A person to register, and the particulars added to a registrant later: names, addresses,
//! identifiers and descriptors, each already normalised and checked. Built at the edge from the
//! request (every problem named by its JSON path); services take nothing else. `Debug` stays
//! off: they hold personal data.

use chrono::NaiveDate;

use crate::identifiers::Identifier;
use crate::person::{Address, PersonName};
use crate::vocab::{AddressKind, DescriptorKind, NameKind, RegistrantStatus, RiskLevel};

/// A person to register, as the managing organisation recorded them.
pub struct NewRegistrant {
    pub managing_org: String,
    pub supervising_org: Option<String>,
    pub officer: Option<String>,
    pub status: RegistrantStatus,
    pub risk: Option<(RiskLevel, Option<String>, Option<NaiveDate>)>,
    pub mappa: Option<(i16, i16, Option<NaiveDate>)>,
    pub names: Vec<NewName>,
    pub dates: Vec<NaiveDate>,
    pub descriptors: Vec<NewDescriptor>,
    pub addresses: Vec<NewAddress>,
    pub identifiers: Vec<NewIdentifier>,
    pub notes: Option<String>,
}

/// A name with its kind and the period it was used.
pub struct NewName {
    pub kind: NameKind,
    pub name: PersonName,
    pub valid_from: Option<NaiveDate>,
    pub valid_to: Option<NaiveDate>,
}

/// An address with its kind and the period it applied.
pub struct NewAddress {
    pub kind: AddressKind,
    pub address: Address,
    pub valid_from: Option<NaiveDate>,
    pub valid_to: Option<NaiveDate>,
}

/// A normalised identifier and the period it was used.
pub struct NewIdentifier {
    pub identifier: Identifier,
    pub valid_from: Option<NaiveDate>,
    pub valid_to: Option<NaiveDate>,
}

/// A physical descriptor (height, build, a scar…).
pub struct NewDescriptor {
    pub kind: DescriptorKind,
    pub value: String,
}
