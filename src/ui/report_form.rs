//! The "Record a crime report" form as data: every field the API's `POST /api/v1/reports`
//! takes, each with its input id, label and error, and the lists (suspect names, addresses,
//! identifiers, descriptors, included classifications) as a number of rows that "Add another"
//! raises by one, so the form works without JavaScript.
//!
//! Input ids follow the API's field paths (`suspect.identifiers[0].value` is
//! `suspect-identifiers-0-value`), so a service's field error lands on its input by rule, not
//! by a table that could drift.

use chrono::NaiveDate;
use domain::limits;
use domain::vocab::{Classification, ContactChannel, DescriptorKind, IdentifierKind};

use super::pages::sentence;
use crate::services::registrants::input::DescriptorInput;
use crate::services::registrants::search::IdentifierQuery;
use crate::services::reports::input::{AgeRangeInput, NewReportInput, SuspectAddressInput, SuspectInput, SuspectNameInput, VictimInput};

/// One input: its id (also its name), its label, what an error message calls it, its value
/// as typed, and its error.
#[derive(Default, Clone)]
pub struct Field {
    pub id: String,
    pub label: String,
    pub what: String,
    pub value: String,
    pub error: Option<String>,
}

/// A GOV.UK date input: the day box's id is the field's; month and year add `-month`, `-year`.
#[derive(Default, Clone)]
pub struct DateField {
    pub field: Field,
    pub month: String,
    pub year: String,
}

pub struct NameRow {
    pub number: usize,
    pub given: Field,
    pub family: Field,
}

pub struct AddressRow {
    pub number: usize,
    pub line: Field,
    pub town: Field,
    pub postcode: Field,
}

pub struct IdentifierRow {
    pub number: usize,
    pub kind: Field,
    pub platform: Field,
    pub value: Field,
}

pub struct DescriptorRow {
    pub number: usize,
    pub kind: Field,
    pub value: Field,
}

/// The form as typed. Empty rows are left out of the report.
pub struct ReportForm {
    pub crime_reference: Field,
    pub principal: Field,
    pub included: Vec<Field>,
    pub occurred_from: DateField,
    pub occurred_to: DateField,
    pub channels: Vec<String>,
    pub channels_error: Option<String>,
    pub summary: Field,
    pub victim_reference: Field,
    pub victim_given: Field,
    pub victim_family: Field,
    pub victim_dob: DateField,
    pub names: Vec<NameRow>,
    pub suspect_dob: DateField,
    pub birth_year: Field,
    pub age_min: Field,
    pub age_max: Field,
    pub addresses: Vec<AddressRow>,
    pub identifiers: Vec<IdentifierRow>,
    pub descriptors: Vec<DescriptorRow>,
    pub reason: Field,
}

/// The lists that grow with "Add another", their hidden row-count field, the rows a new form
/// starts with, and the most the API takes.
pub const LISTS: &[(&str, usize, usize)] = &[
    ("included", 1, limits::CLASSIFICATIONS),
    ("names", 1, limits::SUSPECT_ITEMS),
    ("addresses", 1, limits::SUSPECT_ITEMS),
    ("identifiers", 2, limits::SUSPECT_ITEMS),
    ("descriptors", 1, limits::SUSPECT_ITEMS),
];

/// The submitted pairs, looked up by name (the last value wins, as for a single input).
pub struct Submitted<'a>(pub &'a [(String, String)]);

impl Submitted<'_> {
    pub fn get(&self, name: &str) -> String {
        self.0.iter().rev().find(|(k, _)| k == name).map(|(_, v)| v.clone()).unwrap_or_default()
    }

    fn all(&self, name: &str) -> Vec<String> {
        self.0.iter().filter(|(k, _)| k == name).map(|(_, v)| v.clone()).collect()
    }

    /// How many rows `list` has: as submitted (within its bounds), else as a new form starts.
    pub fn rows(&self, list: &str) -> usize {
        let (_, start, max) = LISTS.iter().find(|l| l.0 == list).copied().unwrap_or((list, 1, 1));
        self.get(&format!("rows-{list}")).parse::<usize>().map(|n| n.clamp(1, max)).unwrap_or(start)
    }
}

fn field(s: &Submitted, id: &str, label: &str, what: &str) -> Field {
    Field { id: id.to_owned(), label: label.to_owned(), what: what.to_owned(), value: s.get(id), error: None }
}

fn date(s: &Submitted, id: &str, label: &str) -> DateField {
    DateField { field: field(s, id, label, label), month: s.get(&format!("{id}-month")), year: s.get(&format!("{id}-year")) }
}

impl ReportForm {
    /// The form from what was submitted (an empty submission is a new form), with `extra` rows
    /// added to the list an "Add another" button named.
    pub fn read(s: &Submitted, extra: Option<&str>) -> Self {
        let rows = |list: &str| {
            let n = s.rows(list);
            let max = LISTS.iter().find(|l| l.0 == list).map(|l| l.2).unwrap_or(1);
            if extra == Some(list) { (n + 1).min(max) } else { n }
        };
        let included = (0..rows("included"))
            .map(|i| {
                let n = i + 1;
                field(
                    s,
                    &format!("included_classifications-{i}"),
                    &format!("Other classification {n}"),
                    &format!("Other classification {n}"),
                )
            })
            .collect();
        let names = (0..rows("names"))
            .map(|i| {
                let n = i + 1;
                NameRow {
                    number: n,
                    given: field(s, &format!("suspect-names-{i}-given"), "Given names", &format!("The given names of suspect name {n}")),
                    family: field(s, &format!("suspect-names-{i}-family"), "Family name", &format!("The family name of suspect name {n}")),
                }
            })
            .collect();
        let addresses = (0..rows("addresses"))
            .map(|i| {
                let n = i + 1;
                AddressRow {
                    number: n,
                    line: field(s, &format!("suspect-addresses-{i}-lines-0"), "Address line (optional)", &format!("Address {n}")),
                    town: field(s, &format!("suspect-addresses-{i}-town"), "Town or city (optional)", &format!("The town of address {n}")),
                    postcode: field(
                        s,
                        &format!("suspect-addresses-{i}-postcode"),
                        "Postcode (optional)",
                        &format!("The postcode of address {n}"),
                    ),
                }
            })
            .collect();
        let identifiers = (0..rows("identifiers"))
            .map(|i| {
                let n = i + 1;
                IdentifierRow {
                    number: n,
                    kind: field(s, &format!("suspect-identifiers-{i}-kind"), "Kind", &format!("The kind of identifier {n}")),
                    platform: field(
                        s,
                        &format!("suspect-identifiers-{i}-platform"),
                        "Platform of an online handle, or issuing country of a national identifier (for example FR)",
                        &format!("The platform of identifier {n}"),
                    ),
                    value: field(s, &format!("suspect-identifiers-{i}-value"), "Identifier", &format!("Identifier {n}")),
                }
            })
            .collect();
        let descriptors = (0..rows("descriptors"))
            .map(|i| {
                let n = i + 1;
                DescriptorRow {
                    number: n,
                    kind: field(s, &format!("suspect-descriptors-{i}-kind"), "Kind", &format!("The kind of description {n}")),
                    value: field(s, &format!("suspect-descriptors-{i}-value"), "Description", &format!("Description {n}")),
                }
            })
            .collect();
        Self {
            crime_reference: field(s, "crime_reference", "Crime reference", "The crime reference"),
            principal: field(s, "principal_classification", "Main classification", "The main classification"),
            included,
            occurred_from: date(s, "occurred_from", "The date the conduct began"),
            occurred_to: date(s, "occurred_to", "The date the conduct ended"),
            channels: s.all("channels"),
            channels_error: None,
            summary: field(s, "summary", "Summary (optional)", "The summary"),
            victim_reference: field(s, "victim-reference", "Victim reference", "The victim reference"),
            victim_given: field(s, "victim-given", "Given names (optional)", "The victim's given names"),
            victim_family: field(s, "victim-family", "Family name (optional)", "The victim's family name"),
            victim_dob: date(s, "victim-date_of_birth", "The victim's date of birth"),
            names,
            suspect_dob: date(s, "suspect-date_of_birth", "The suspect's date of birth"),
            birth_year: field(s, "suspect-birth_year", "Year of birth, if only that is known", "The suspect's year of birth"),
            age_min: field(s, "suspect-age_range-min", "From", "The estimated age"),
            age_max: field(s, "suspect-age_range-max", "To", "The estimated age"),
            addresses,
            identifiers,
            descriptors,
            reason: field(s, "reason", "Why are you checking this report against the register?", "The reason"),
        }
    }

    /// A new, empty form.
    pub fn empty() -> Self {
        Self::read(&Submitted(&[]), None)
    }

    fn fields_mut(&mut self) -> Vec<&mut Field> {
        let mut out = vec![&mut self.crime_reference, &mut self.principal];
        out.extend(self.included.iter_mut());
        out.extend([&mut self.occurred_from.field, &mut self.occurred_to.field, &mut self.summary]);
        out.extend([&mut self.victim_reference, &mut self.victim_given, &mut self.victim_family, &mut self.victim_dob.field]);
        for r in &mut self.names {
            out.extend([&mut r.given, &mut r.family]);
        }
        out.extend([&mut self.suspect_dob.field, &mut self.birth_year, &mut self.age_min, &mut self.age_max]);
        for r in &mut self.addresses {
            out.extend([&mut r.line, &mut r.town, &mut r.postcode]);
        }
        for r in &mut self.identifiers {
            out.extend([&mut r.kind, &mut r.platform, &mut r.value]);
        }
        for r in &mut self.descriptors {
            out.extend([&mut r.kind, &mut r.value]);
        }
        out.push(&mut self.reason);
        out
    }

    /// Puts a service's field error (an API path such as `suspect.identifiers[0].value`) on its
    /// input and returns `(input id, message)` for the error summary, the same words in both.
    pub fn service_error(&mut self, path: &str, code: &str, detail: &str) -> (String, String) {
        let id = path.replace('[', "-").replace(']', "").replace('.', "-");
        // One box holds a handle's platform or a national identifier's issuing country.
        let id = match id.strip_suffix("-country") {
            Some(head) => format!("{head}-platform"),
            None => id,
        };
        if id == "channels" {
            let message = sentence(detail);
            self.channels_error = Some(message.clone());
            return (first_channel_id(), message);
        }
        let fields = self.fields_mut();
        // The input itself, else the first of its row or group (`suspect.addresses[0]`), else
        // the first input of the form.
        let at =
            fields.iter().position(|f| f.id == id).or_else(|| fields.iter().position(|f| f.id.starts_with(&format!("{id}-")))).unwrap_or(0);
        let Some(f) = fields.into_iter().nth(at) else { return (id, sentence(detail)) };
        let empty = f.value.trim().is_empty();
        let message = match code {
            "no_particulars" => "Give at least one name or identifier for the suspect".to_owned(),
            "invalid_reference" | "required" if empty => format!("Enter {}", lower_first(&f.what)),
            "invalid_range" => "The lowest estimated age must not be more than the highest, which must be at most 120".to_owned(),
            _ if detail.starts_with("must") => format!("{} {detail}", f.what),
            _ => sentence(detail),
        };
        f.error.get_or_insert(message.clone());
        (f.id.clone(), message)
    }

    /// Where the input with `id` is on the form, so the error summary follows the page's order.
    pub fn position(&mut self, id: &str) -> usize {
        if id == "channels" {
            // The checkboxes come after the dates of the conduct.
            return self.fields_mut().iter().position(|f| f.id == "summary").unwrap_or(0);
        }
        self.fields_mut().iter().position(|f| f.id == id).unwrap_or(usize::MAX)
    }

    /// Puts this page's own error on the input with `id`.
    pub fn page_error(&mut self, id: &str, message: &str) -> (String, String) {
        if let Some(f) = self.fields_mut().into_iter().find(|f| f.id == id) {
            f.error.get_or_insert(message.to_owned());
        }
        (id.to_owned(), message.to_owned())
    }

    /// The API body this form describes, with this page's own errors (what the API's types
    /// would have refused: a missing choice, a date that is not one, a number that is not one).
    pub fn to_input(&self) -> (NewReportInput, Vec<(String, String)>) {
        let mut errors: Vec<(String, String)> = Vec::new();
        let mut err = |id: &str, message: String| errors.push((id.to_owned(), message));
        let principal = match Classification::parse(&self.principal.value) {
            Some(c) => c,
            None => {
                err(&self.principal.id, "Choose the main classification".into());
                Classification::Stalking
            }
        };
        let mut included = Vec::new();
        for f in self.included.iter().filter(|f| !f.value.is_empty()) {
            match Classification::parse(&f.value) {
                Some(c) => included.push(c),
                None => err(&f.id, format!("{} must be one from the list", f.what)),
            }
        }
        let mut channels = Vec::new();
        for c in &self.channels {
            match ContactChannel::parse(c) {
                Some(c) => channels.push(c),
                None => err(&first_channel_id(), "Choose how contact was made from the list".into()),
            }
        }
        let mut when = |d: &DateField| match date_of(d) {
            Ok(v) => v,
            Err(()) => {
                err(&d.field.id, format!("{} must be a real date", d.field.what));
                None
            }
        };
        let (occurred_from, occurred_to) = (when(&self.occurred_from), when(&self.occurred_to));
        let (victim_dob, suspect_dob) = (when(&self.victim_dob), when(&self.suspect_dob));
        let victim_family = Some(self.victim_family.value.trim().to_owned()).filter(|f| !f.is_empty());
        if victim_family.is_none() && !self.victim_given.value.trim().is_empty() {
            err(&self.victim_family.id, "Enter the victim's family name, or leave both names empty".into());
        }
        let birth_year = match self.birth_year.value.trim() {
            "" => None,
            y => y.parse::<i32>().ok().or_else(|| {
                err(&self.birth_year.id, "The suspect's year of birth must be a year, like 1984".into());
                None
            }),
        };
        let age_range = match (self.age_min.value.trim(), self.age_max.value.trim()) {
            ("", "") => None,
            (min, max) => match (min.parse::<u8>(), max.parse::<u8>()) {
                (Ok(min), Ok(max)) => Some(AgeRangeInput { min, max }),
                _ => {
                    err(&self.age_min.id, "Enter the estimated age as two whole numbers, like 30 to 40".into());
                    None
                }
            },
        };
        let names = self
            .names
            .iter()
            .filter(|r| !(r.given.value.trim().is_empty() && r.family.value.trim().is_empty()))
            .map(|r| SuspectNameInput { given: r.given.value.clone(), family: r.family.value.clone() })
            .collect();
        let addresses = self
            .addresses
            .iter()
            .filter(|r| [&r.line, &r.town, &r.postcode].iter().any(|f| !f.value.trim().is_empty()))
            .map(|r| SuspectAddressInput {
                lines: Some(r.line.value.clone()).filter(|l| !l.trim().is_empty()).into_iter().collect(),
                town: Some(r.town.value.clone()).filter(|t| !t.trim().is_empty()),
                postcode: Some(r.postcode.value.clone()).filter(|p| !p.trim().is_empty()),
            })
            .collect();
        let mut identifiers = Vec::new();
        for r in self.identifiers.iter().filter(|r| [&r.kind, &r.platform, &r.value].iter().any(|f| !f.value.trim().is_empty())) {
            match IdentifierKind::parse(&r.kind.value) {
                Some(kind) => {
                    // One box holds a handle's platform or a national identifier's country.
                    let qualifier = Some(r.platform.value.clone()).filter(|p| !p.trim().is_empty());
                    let (platform, country) = domain::identifiers::qualifiers(kind, qualifier);
                    identifiers.push(IdentifierQuery { kind, platform, country, value: r.value.value.clone() })
                }
                None => err(&r.kind.id, format!("Choose the kind of identifier {}", r.number)),
            }
        }
        let mut descriptors = Vec::new();
        for r in self.descriptors.iter().filter(|r| !(r.kind.value.is_empty() && r.value.value.trim().is_empty())) {
            match DescriptorKind::parse(&r.kind.value) {
                Some(kind) => descriptors.push(DescriptorInput { kind, value: r.value.value.clone() }),
                None => err(&r.kind.id, format!("Choose the kind of description {}", r.number)),
            }
        }
        let input = NewReportInput {
            force: None,
            crime_reference: self.crime_reference.value.clone(),
            principal_classification: principal,
            included_classifications: included,
            occurred_from,
            occurred_to,
            victim: VictimInput {
                reference: self.victim_reference.value.clone(),
                given: self.victim_given.value.clone(),
                family: victim_family,
                date_of_birth: victim_dob,
            },
            suspect: SuspectInput {
                names,
                date_of_birth: suspect_dob,
                date_of_birth_as_given: None,
                birth_year,
                age_range,
                addresses,
                identifiers,
                descriptors,
            },
            channels,
            summary: Some(self.summary.value.clone()).filter(|s| !s.trim().is_empty()),
        };
        (input, errors)
    }
}

/// "The crime reference" reads "the crime reference" inside a sentence.
fn lower_first(text: &str) -> String {
    let mut chars = text.chars();
    match chars.next() {
        Some(first) => first.to_lowercase().chain(chars).collect(),
        None => String::new(),
    }
}

pub fn first_channel_id() -> String {
    "channels".to_owned()
}

/// A date from the three boxes of a GOV.UK date input: `Ok(None)` when all are empty.
fn date_of(d: &DateField) -> Result<Option<NaiveDate>, ()> {
    match (d.field.value.trim(), d.month.trim(), d.year.trim()) {
        ("", "", "") => Ok(None),
        (day, month, year) => {
            let (Ok(day), Ok(month), Ok(year)) = (day.parse(), month.parse(), year.parse::<i32>()) else { return Err(()) };
            if year < 1900 {
                return Err(());
            }
            NaiveDate::from_ymd_opt(year, month, day).map(Some).ok_or(())
        }
    }
}
