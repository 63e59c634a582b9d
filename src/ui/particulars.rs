//! A person's particulars as typed into the pages (names, dates of birth, addresses,
//! identifiers): read from a form's add-another rows, checked with the registrant service's own
//! validators (so a page refuses exactly what the service would, with the same rules), and the
//! service's field errors turned into GOV.UK messages on the inputs they belong to. Shared by
//! "Add a registrant" and the personal details tab's add pages.

use chrono::NaiveDate;
use domain::errors::{FieldError, FieldErrors};
use domain::vocab::{AddressKind, IdentifierKind, NameKind};
use serde::{Deserialize, Serialize};

use super::form::{self, DateBoxes, Fields, RowErrors, error};
use super::pages::{date, words};
use crate::services::registrants::input::{self, AddressInput, IdentifierInput, NameInput};

#[derive(Serialize, Deserialize, Default, Clone)]
pub struct NameRow {
    pub kind: String,
    pub given: String,
    pub family: String,
}

#[derive(Serialize, Deserialize, Default, Clone)]
pub struct AddressRow {
    pub kind: String,
    pub line1: String,
    pub line2: String,
    pub town: String,
    pub postcode: String,
    pub from: DateBoxes,
}

#[derive(Serialize, Deserialize, Default, Clone)]
pub struct IdentifierRow {
    pub kind: String,
    pub platform: String,
    pub value: String,
}

/// Add-another rows as the template shows them: their number, what was typed, their errors.
pub struct Row<T> {
    pub i: usize,
    pub row: T,
    pub errs: RowErrors,
}

impl<T> Row<T> {
    /// The id of this row's `field`: `names-1-family`.
    pub fn id(&self, list: &str, field: &str) -> String {
        format!("{list}-{}-{field}", self.i)
    }

    /// The id this row's inputs start with: `dates-1`.
    pub fn base(&self, list: &str) -> String {
        format!("{list}-{}", self.i)
    }
}

pub fn rows<T: Clone>(list: &str, items: &[T], errors: &[FieldError]) -> Vec<Row<T>> {
    items.iter().enumerate().map(|(i, row)| Row { i, row: row.clone(), errs: RowErrors::of(errors, list, i) }).collect()
}

impl NameRow {
    pub fn read(f: &Fields, i: usize) -> Self {
        Self {
            kind: f.row("names", i, "kind").into(),
            given: f.row("names", i, "given").into(),
            family: f.row("names", i, "family").into(),
        }
    }

    pub fn is_blank(&self) -> bool {
        self.given.trim().is_empty() && self.family.trim().is_empty()
    }

    /// "Ann Example (alias)".
    pub fn describe(given: &str, family: &str, kind: NameKind) -> String {
        let name = format!("{given} {family}");
        match kind {
            NameKind::Primary => name.trim().to_owned(),
            other => format!("{} ({})", name.trim(), words(other.as_str()).to_lowercase()),
        }
    }
}

impl AddressRow {
    pub fn read(f: &Fields, i: usize) -> Self {
        let get = |field| f.row("addresses", i, field).to_owned();
        Self {
            kind: get("kind"),
            line1: get("line1"),
            line2: get("line2"),
            town: get("town"),
            postcode: get("postcode"),
            from: f.date(&format!("addresses-{i}-from")),
        }
    }

    pub fn is_blank(&self) -> bool {
        [&self.line1, &self.line2, &self.town, &self.postcode].iter().all(|s| s.trim().is_empty()) && self.from.is_blank()
    }

    /// "Home: 1 High Street, Leeds, LS1 1AA (from 3 March 2026)".
    pub fn describe(kind: AddressKind, lines: &[String], town: Option<&str>, postcode: Option<&str>, from: Option<NaiveDate>) -> String {
        let mut parts = lines.to_vec();
        parts.extend(town.map(str::to_owned));
        parts.extend(postcode.map(str::to_owned));
        let since = from.map(|d| format!(" (from {})", date(d))).unwrap_or_default();
        format!("{}: {}{since}", address_kind_label(kind), parts.join(", "))
    }
}

impl IdentifierRow {
    pub fn read(f: &Fields, i: usize) -> Self {
        Self {
            kind: f.row("identifiers", i, "kind").into(),
            platform: f.row("identifiers", i, "platform").into(),
            value: f.row("identifiers", i, "value").into(),
        }
    }

    pub fn is_blank(&self) -> bool {
        self.platform.trim().is_empty() && self.value.trim().is_empty()
    }

    /// "Online handle: @someone on instagram", "…: 1234567890 (issued by FR)".
    pub fn describe(kind: IdentifierKind, platform: Option<&str>, country: Option<&str>, value: &str) -> String {
        identifier_words(identifier_kind_label(kind), platform, country, value)
    }
}

/// "Phone number: 07700 900123", "Online handle: @x on instagram", "…: 123456 (issued by FR)".
pub fn identifier_words(kind: &str, platform: Option<&str>, country: Option<&str>, value: &str) -> String {
    match (platform, country) {
        (Some(p), _) => format!("{kind}: {value} on {p}"),
        (None, Some(c)) => format!("{kind}: {value} (issued by {c})"),
        (None, None) => format!("{kind}: {value}"),
    }
}

pub fn address_kind_label(kind: AddressKind) -> &'static str {
    match kind {
        AddressKind::Home => "Home address",
        AddressKind::RegularlyFound => "Where they can regularly be found (no fixed abode)",
        AddressKind::QualifyingStay => "Somewhere they are staying",
    }
}

pub fn identifier_kind_label(kind: IdentifierKind) -> &'static str {
    match kind {
        IdentifierKind::Phone => "Phone number",
        IdentifierKind::Email => "Email address",
        IdentifierKind::OnlineHandle => "Online handle",
        IdentifierKind::Imei => "IMEI (device number)",
        IdentifierKind::VehicleRegistration => "Vehicle registration",
        IdentifierKind::PncId => "PNC ID",
        IdentifierKind::NiNumber => "National Insurance number",
        IdentifierKind::Passport => "Passport number",
        IdentifierKind::NationalId => "Another country's national identifier",
    }
}

/// Options for a select or radios: (code, words).
pub type Options = Vec<(String, String)>;

pub fn address_kinds() -> Options {
    AddressKind::ALL.iter().map(|k| (k.as_str().to_owned(), address_kind_label(*k).to_owned())).collect()
}

pub fn identifier_kinds() -> Options {
    IdentifierKind::ALL.iter().map(|k| (k.as_str().to_owned(), identifier_kind_label(*k).to_owned())).collect()
}

/// The kinds of name that can be added to the one a person uses now.
pub fn other_name_kinds() -> Options {
    [NameKind::Alias, NameKind::DeedPoll].iter().map(|k| (k.as_str().to_owned(), words(k.as_str()))).collect()
}

fn label(field: &str) -> &'static str {
    match field {
        "given" => "The given names",
        "family" => "The family name",
        "kind" => "The kind",
        "line1" => "The first line of the address",
        "line2" => "The second line of the address",
        "town" => "The town or city",
        "postcode" => "The postcode",
        "day" => "The date they started living there",
        "platform" => "The platform or country",
        "value" => "The identifier",
        _ => "This answer",
    }
}

/// The service's errors for one row as page errors. Address lines and the start date are
/// renamed to the inputs that hold them.
fn page_errors(errors: FieldErrors) -> Vec<FieldError> {
    let renamed = errors
        .0
        .into_iter()
        .map(|mut e| {
            for (from, to) in [
                (".lines[0]", ".line1"),
                (".lines[1]", ".line2"),
                (".lines", ".line1"),
                (".valid_from", ".from.day"),
                (".country", ".platform"),
            ] {
                if let Some(head) = e.field.strip_suffix(from) {
                    e.field = format!("{head}{to}");
                    break;
                }
            }
            e
        })
        .collect();
    form::from_service(renamed, label)
}

/// A name row checked as the service checks it. `kind`: the kind it must be (the name a new
/// registrant uses now is their primary name), or `None` to read the kind chosen on the page.
pub fn check_name(row: &NameRow, i: usize, kind: Option<NameKind>) -> Result<NameInput, Vec<FieldError>> {
    let mut page = Vec::new();
    let kind = kind.or_else(|| NameKind::parse(&row.kind).filter(|k| *k != NameKind::Primary));
    if kind.is_none() {
        page.push(error(format!("names-{i}-kind"), "required", "Choose what kind of name this is"));
    }
    let candidate = NameInput {
        kind: kind.unwrap_or(NameKind::Alias),
        given: row.given.clone(),
        family: row.family.clone(),
        valid_from: None,
        valid_to: None,
    };
    let mut errors = FieldErrors::default();
    input::name(&mut errors, &format!("names[{i}]"), &candidate);
    page.extend(page_errors(errors));
    if page.is_empty() { Ok(candidate) } else { Err(page) }
}

pub fn check_address(row: &AddressRow, i: usize) -> Result<AddressInput, Vec<FieldError>> {
    let mut page = Vec::new();
    let kind = AddressKind::parse(&row.kind);
    if kind.is_none() {
        page.push(error(format!("addresses-{i}-kind"), "required", "Choose what kind of address this is"));
    }
    let from = match row.from.date() {
        Ok(d) => d,
        Err(()) => {
            page.push(error(format!("addresses-{i}-from-day"), "invalid_date", "The date they started living there must be a real date"));
            None
        }
    };
    let present = |s: &str| Some(s.trim().to_owned()).filter(|s| !s.is_empty());
    let candidate = AddressInput {
        kind: kind.unwrap_or(AddressKind::Home),
        lines: [&row.line1, &row.line2].into_iter().filter_map(|l| present(l)).collect(),
        town: present(&row.town),
        postcode: present(&row.postcode),
        valid_from: from,
        valid_to: None,
    };
    let mut errors = FieldErrors::default();
    input::address(&mut errors, &format!("addresses[{i}]"), &candidate);
    page.extend(page_errors(errors));
    if page.is_empty() { Ok(candidate) } else { Err(page) }
}

pub fn check_identifier(row: &IdentifierRow, i: usize) -> Result<IdentifierInput, Vec<FieldError>> {
    let mut page = Vec::new();
    let kind = IdentifierKind::parse(&row.kind);
    if kind.is_none() {
        page.push(error(format!("identifiers-{i}-kind"), "required", "Choose what kind of identifier this is"));
    }
    // One box holds a handle's platform or a national identifier's issuing country; what is
    // typed there for any other kind is dropped.
    let qualifier = Some(row.platform.trim().to_owned())
        .filter(|p| !p.is_empty() && matches!(kind, Some(IdentifierKind::OnlineHandle | IdentifierKind::NationalId)));
    let (platform, country) = domain::identifiers::qualifiers(kind.unwrap_or(IdentifierKind::Phone), qualifier);
    let candidate = IdentifierInput {
        kind: kind.unwrap_or(IdentifierKind::Phone),
        platform,
        country,
        value: row.value.clone(),
        valid_from: None,
        valid_to: None,
    };
    if kind.is_some() {
        let mut errors = FieldErrors::default();
        input::identifier(&mut errors, &format!("identifiers[{i}]"), &candidate);
        page.extend(page_errors(errors));
    }
    if page.is_empty() { Ok(candidate) } else { Err(page) }
}

/// A date of birth row: `Ok(None)` when left blank.
pub fn check_birth_date(boxes: &DateBoxes, i: usize, today: NaiveDate) -> Result<Option<NaiveDate>, FieldError> {
    let id = format!("dates-{i}-day");
    match boxes.date() {
        Err(()) => Err(error(id, "invalid_date", "Date of birth must be a real date")),
        Ok(None) => Ok(None),
        Ok(Some(d)) => {
            domain::person::birth_date(&id, d, today).map(Some).map_err(|e| error(id, e.code, form::message("Date of birth", &e)))
        }
    }
}
