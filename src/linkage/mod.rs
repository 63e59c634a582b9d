//! Record linkage for the register check (DESIGN §6): a person's particulars in comparison form
//! ([`Profile`]), the blocking keys candidates are found by ([`keys`]), which of them are opened
//! ([`blocking`]), Fellegi–Sunter scoring with a field-by-field explanation ([`score`]), and
//! what a check does with each candidate and whom intake is told to contact ([`decide`]).
//! Pure: no database, no keys, no clock.
//! The services layer turns blocking keys into blind-index lookups and decrypts only the
//! candidates those lookups return.

pub mod blocking;
pub mod decide;
pub mod frequencies;
pub mod keys;
pub mod match_profile;
pub mod model;
pub mod name_levels;
pub mod names;
pub mod score;

use chrono::{Datelike, NaiveDate};

use domain::commands::registrants::NewRegistrant;
use domain::commands::reports::SuspectDetails;
use domain::given_date::GivenDate;
use domain::identifiers::Identifier;
use domain::person::{Address, PersonName};
use domain::text;
use domain::vocab::IdentifierKind;

/// Recorded with every run, so a score can always be traced to the rules that produced it.
pub const ALGORITHM_VERSION: &str = "fs-2026.12-2";

/// A name in comparison form: folded given names and family name.
#[derive(Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct NameForm {
    pub given: String,
    pub family: String,
}

impl NameForm {
    pub fn from_name(name: &PersonName) -> Self {
        Self { given: text::fold(&name.given), family: text::fold(&name.family) }
    }

    /// The first given name, which nicknames and phonetic codes are computed from.
    pub fn first_given(&self) -> &str {
        self.given.split_whitespace().next().unwrap_or("")
    }

    /// `given family`, as the exact full-name index folds it.
    pub fn full(&self) -> String {
        if self.given.is_empty() { self.family.clone() } else { format!("{} {}", self.given, self.family) }
    }

    /// Forename and surname the other way round (a common recording error).
    pub fn swapped(&self) -> Option<Self> {
        if self.given.is_empty() { None } else { Some(Self { given: self.family.clone(), family: self.given.clone() }) }
    }
}

/// Everything that is compared about one person. `Debug` is redacted: it is all personal data.
/// Serialised (inside a sealed match profile) in this field order: add fields at the end.
#[derive(Clone, Default, serde::Serialize, serde::Deserialize)]
pub struct Profile {
    pub names: Vec<NameForm>,
    pub birth_dates: Vec<NaiveDate>,
    /// Years of birth known without a full date.
    pub birth_years: Vec<i32>,
    /// Inclusive range of possible birth years, from an estimated age.
    pub birth_year_range: Option<(i32, i32)>,
    /// (kind, canonical index key) of each identifier.
    pub identifiers: Vec<(IdentifierKind, String)>,
    /// Canonical UK postcodes of known addresses.
    pub postcodes: Vec<String>,
    /// Folded towns of known addresses.
    pub towns: Vec<String>,
    /// Folded first lines of known addresses ("12 acacia avenue").
    pub streets: Vec<String>,
    /// Year and month of birth known without the day (a date of birth given as `1980-03-00`).
    /// Never stored in a sealed match profile (`skip`, so that profiles written before it still
    /// decode): a stored report keeps the year of such a date in `birth_years`.
    #[serde(skip)]
    pub birth_months: Vec<(i32, u32)>,
}

impl std::fmt::Debug for Profile {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Profile(<redacted>)")
    }
}

impl Profile {
    pub fn add_identifier(&mut self, identifier: &Identifier) {
        self.identifiers.push((identifier.kind, identifier.index_key()));
    }

    /// Postcode, town and first line of an address, each where known.
    pub fn add_address(&mut self, address: &Address) {
        if let Some(postcode) = &address.postcode {
            self.postcodes.push(postcode.clone());
        }
        if let Some(town) = address.town.as_deref().map(text::fold).filter(|t| !t.is_empty()) {
            self.towns.push(town);
        }
        if let Some(street) = address.lines.first().map(|l| text::fold(l)).filter(|l| !l.is_empty()) {
            self.streets.push(street);
        }
    }

    /// Every year of birth this profile is known or estimated to have.
    pub fn years(&self) -> Vec<i32> {
        let mut years: Vec<i32> = self.birth_dates.iter().map(|d| d.year()).chain(self.birth_years.iter().copied()).collect();
        years.sort_unstable();
        years.dedup();
        years
    }

    /// A new registrant in comparison form (as [`Profile::of_rows`] would read it back).
    pub fn of_registrant(valid: &NewRegistrant) -> Self {
        Self::of_rows(
            valid.names.iter().map(|n| &n.name),
            valid.dates.iter().copied(),
            valid.addresses.iter().map(|a| &a.address),
            valid.identifiers.iter().map(|i| &i.identifier),
        )
    }

    /// A registrant's stored particulars in comparison form.
    pub fn of_rows<'a>(
        names: impl IntoIterator<Item = &'a PersonName>,
        dates: impl IntoIterator<Item = NaiveDate>,
        addresses: impl IntoIterator<Item = &'a Address>,
        identifiers: impl IntoIterator<Item = &'a Identifier>,
    ) -> Self {
        let mut p = Self { names: names.into_iter().map(NameForm::from_name).collect(), ..Default::default() };
        p.birth_dates.extend(dates);
        for a in addresses {
            p.add_address(a);
        }
        for i in identifiers {
            p.add_identifier(i);
        }
        p
    }

    /// A crime report's suspect in comparison form. An estimated age is turned into birth years
    /// as of `on` (the day the conduct began, or the day it was reported).
    pub fn of_suspect(suspect: &SuspectDetails, on: NaiveDate) -> Self {
        let mut p = Self {
            names: suspect.names.iter().map(NameForm::from_name).collect(),
            birth_dates: suspect.date_of_birth.into_iter().collect(),
            birth_years: suspect.birth_year.into_iter().collect(),
            birth_year_range: suspect.age_range.map(|(min, max)| (on.year() - i32::from(max) - 1, on.year() - i32::from(min))),
            ..Default::default()
        };
        let given = suspect.date_of_birth_as_given.as_deref().and_then(|raw| GivenDate::parse("", raw, NaiveDate::MAX).ok());
        if let Some(given) = given {
            p.birth_years.push(given.year);
            p.birth_dates.extend(given.swapped());
            p.birth_months.extend(given.year_month());
        }
        for address in &suspect.addresses {
            p.add_address(address);
        }
        for i in &suspect.identifiers {
            p.identifiers.push((i.kind, i.index_key()));
        }
        p
    }
}
