//! Crime report bodies and their validation. Unknown fields are rejected; every problem names
//! its JSON path and never echoes the value. What is sealed is kept in the `*Details` types,
//! whose `Debug` is redacted.

use chrono::{Datelike, NaiveDate};
use serde::Deserialize;
use utoipa::ToSchema;

use crate::services::registrants::input::{DescriptorInput, descriptor, org_code, short_text};
use crate::services::registrants::search::IdentifierQuery;
use domain::commands::reports::{NewReport, StoredDescriptor, StoredIdentifier, SuspectDetails, VictimDetails};
use domain::errors::FieldErrors;
use domain::given_date::GivenDate;
use domain::identifiers::Identifier;
use domain::limits;
use domain::person::{self, Address, PersonName};
use domain::vocab::{Classification, ContactChannel};

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(examples(json!({
    "crime_reference": "MET/2026/000123",
    "principal_classification": "harassment",
    "included_classifications": ["stalking", "malicious_communications"],
    "occurred_from": "2026-10-01",
    "occurred_to": "2026-10-14",
    "victim": {"reference": "VIC-EXAMPLE-001", "given": "Vera", "family": "Victim"},
    "suspect": {
        "names": [{"given": "Jane", "family": "Example"}],
        "date_of_birth": "1984-02-29",
        "addresses": [{"lines": ["1 Example Street"], "town": "Exampleton", "postcode": "SW1A 1AA"}],
        "identifiers": [{"kind": "phone", "value": "07700 900123"}],
        "descriptors": [{"kind": "height", "value": "170 cm"}]
    },
    "channels": ["sms", "social_media"],
    "summary": "Repeated unwanted messages after being asked to stop (synthetic example)."
})))]
pub struct NewReportInput {
    /// The recording force's code: the caller's own organisation (the default); any other is
    /// refused with 403.
    pub force: Option<String>,
    /// The force's crime reference, e.g. `MET/2026/123456`.
    pub crime_reference: String,
    pub principal_classification: Classification,
    /// Other classifications the conduct falls under; all are searched.
    #[serde(default)]
    pub included_classifications: Vec<Classification>,
    pub occurred_from: Option<NaiveDate>,
    pub occurred_to: Option<NaiveDate>,
    pub victim: VictimInput,
    pub suspect: SuspectInput,
    /// How the suspect made contact (compared with channels an order prohibits).
    #[serde(default)]
    pub channels: Vec<ContactChannel>,
    /// Free-text summary. Sealed.
    pub summary: Option<String>,
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct VictimInput {
    /// The force's pseudonymous victim reference; distinct references are distinct victims.
    pub reference: String,
    #[serde(default)]
    pub given: String,
    pub family: Option<String>,
    pub date_of_birth: Option<NaiveDate>,
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SuspectNameInput {
    #[serde(default)]
    pub given: String,
    /// May be left out when only a given name is known (one of the two is needed).
    #[serde(default)]
    pub family: String,
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AgeRangeInput {
    pub min: u8,
    pub max: u8,
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SuspectAddressInput {
    #[serde(default)]
    pub lines: Vec<String>,
    pub town: Option<String>,
    pub postcode: Option<String>,
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SuspectInput {
    /// Names and aliases.
    #[serde(default)]
    pub names: Vec<SuspectNameInput>,
    pub date_of_birth: Option<NaiveDate>,
    /// A date of birth as it was given when it is not a real date: `YYYY-MM-DD` with `00` for an
    /// unknown month or day (`1980-03-00`), or day and month that cannot both be right
    /// (`1980-13-05`). Kept as given and compared for what it can mean; a real date given here
    /// is taken as `date_of_birth`. Not with `date_of_birth`.
    pub date_of_birth_as_given: Option<String>,
    /// When only the year of birth is known.
    pub birth_year: Option<i32>,
    /// When only an estimated age is known (at the time of the offence).
    pub age_range: Option<AgeRangeInput>,
    #[serde(default)]
    pub addresses: Vec<SuspectAddressInput>,
    /// Phones, e-mails, online handles (with platform), IMEIs, vehicles, national identifiers.
    #[serde(default)]
    pub identifiers: Vec<IdentifierQuery>,
    #[serde(default)]
    pub descriptors: Vec<DescriptorInput>,
}

/// A force reference: 1 to 64 letters, digits or `- _ / .` (the same shape as the
/// `Vigil-Crime-Reference` header, so the two can be compared).
pub fn reference(errors: &mut FieldErrors, field: &str, value: &str) -> Option<String> {
    let value = value.trim();
    let ok = !value.is_empty() && value.len() <= 64 && value.bytes().all(|b| b.is_ascii_alphanumeric() || b"-_/.".contains(&b));
    if !ok {
        errors.push(field, "invalid_reference", "must be 1 to 64 letters, digits or - _ / .");
        return None;
    }
    Some(value.to_owned())
}

pub fn validate(errors: &mut FieldErrors, input: NewReportInput, caller_org: &str, today: NaiveDate) -> Option<NewReport> {
    // Lists over their limits are refused before any entry is normalised or indexed.
    let lists = [
        ("included_classifications", input.included_classifications.len(), limits::CLASSIFICATIONS),
        ("channels", input.channels.len(), limits::CHANNELS),
        ("suspect.names", input.suspect.names.len(), limits::SUSPECT_ITEMS),
        ("suspect.addresses", input.suspect.addresses.len(), limits::SUSPECT_ITEMS),
        ("suspect.identifiers", input.suspect.identifiers.len(), limits::SUSPECT_ITEMS),
        ("suspect.descriptors", input.suspect.descriptors.len(), limits::SUSPECT_ITEMS),
    ];
    let before = errors.0.len();
    errors.0.extend(lists.into_iter().filter_map(|(field, len, max)| limits::too_many(field, len, max)));
    if errors.0.len() > before {
        return None;
    }
    let force = org_code(errors, "force", input.force.as_deref()).unwrap_or_else(|| caller_org.to_owned());
    let crime_reference = reference(errors, "crime_reference", &input.crime_reference);
    errors.take(person::validity("occurred", input.occurred_from, input.occurred_to).map_err(|mut e| {
        e.field = "occurred_to".into();
        e
    }));
    if input.occurred_from.is_some_and(|d| d > today) {
        errors.push("occurred_from", "in_future", "must not be in the future");
    }
    let mut included: Vec<Classification> =
        input.included_classifications.into_iter().filter(|c| *c != input.principal_classification).collect();
    included.sort_by_key(|c| c.as_str());
    included.dedup();
    let victim_reference = reference(errors, "victim.reference", &input.victim.reference);
    let victim = match input.victim.family.as_deref() {
        Some(family) => match PersonName::parse("victim", &input.victim.given, family) {
            Ok(name) => Some(VictimDetails { given: name.given, family: name.family, date_of_birth: input.victim.date_of_birth }),
            Err(list) => {
                errors.0.extend(list);
                None
            }
        },
        None => None,
    };
    if let Some(d) = input.victim.date_of_birth {
        errors.take(person::birth_date("victim.date_of_birth", d, today));
    }
    let suspect = suspect(errors, input.suspect, today);
    let summary = short_text(errors, "summary", input.summary.as_deref(), 4000);
    let mut channels = input.channels;
    channels.sort_by_key(|c| c.as_str());
    channels.dedup();
    Some(NewReport {
        force,
        crime_reference: crime_reference?,
        principal: input.principal_classification,
        included,
        occurred_from: input.occurred_from,
        occurred_to: input.occurred_to,
        victim_reference: victim_reference?,
        victim,
        suspect,
        channels,
        summary,
    })
}

fn suspect(errors: &mut FieldErrors, input: SuspectInput, today: NaiveDate) -> SuspectDetails {
    let mut out = SuspectDetails::default();
    if input.names.is_empty() && input.identifiers.is_empty() {
        errors.push("suspect", "no_particulars", "give at least one name or identifier for the suspect");
    }
    for (i, n) in input.names.iter().enumerate() {
        match PersonName::parse_partial(&format!("suspect.names[{i}]"), &n.given, &n.family) {
            Ok(name) => out.names.push(name),
            Err(list) => errors.0.extend(list),
        }
    }
    if let Some(d) = input.date_of_birth {
        out.date_of_birth = errors.take(person::birth_date("suspect.date_of_birth", d, today));
    }
    if let Some(raw) = &input.date_of_birth_as_given {
        let field = "suspect.date_of_birth_as_given";
        if input.date_of_birth.is_some() {
            errors.push(field, "not_allowed", "give either date_of_birth or date_of_birth_as_given, not both");
        } else if let Some(given) = errors.take(GivenDate::parse(field, raw, today)) {
            match given.real() {
                Some(real) => out.date_of_birth = errors.take(person::birth_date(field, real, today)),
                None => out.date_of_birth_as_given = Some(given.to_string()),
            }
        }
    }
    if let Some(year) = input.birth_year {
        if (1900..=today.year()).contains(&year) {
            out.birth_year = Some(year);
        } else {
            errors.push("suspect.birth_year", "implausible", "must be between 1900 and this year");
        }
    }
    if let Some(range) = &input.age_range {
        if range.min > range.max || range.max > 120 {
            errors.push("suspect.age_range", "invalid_range", "min must not exceed max, and max must be at most 120");
        } else {
            out.age_range = Some((range.min, range.max));
        }
    }
    for (i, a) in input.addresses.iter().enumerate() {
        let field = format!("suspect.addresses[{i}]");
        if a.lines.is_empty() {
            // Often only a postcode or a town is known about a suspect.
            let postcode = a.postcode.as_deref().map(|p| person::uk_postcode(&format!("{field}.postcode"), p));
            let town = short_text(errors, &format!("{field}.town"), a.town.as_deref(), 80);
            match postcode {
                Some(Ok(p)) => out.addresses.push(Address { lines: Vec::new(), town, postcode: Some(p) }),
                Some(Err(e)) => errors.0.push(e),
                None if town.is_some() => out.addresses.push(Address { lines: Vec::new(), town, postcode: None }),
                None => errors.push(field, "empty_address", "give address lines, a town or a postcode"),
            }
        } else {
            match Address::parse(&field, &a.lines, a.town.as_deref(), a.postcode.as_deref()) {
                Ok(address) => out.addresses.push(address),
                Err(list) => errors.0.extend(list),
            }
        }
    }
    for (i, x) in input.identifiers.iter().enumerate() {
        let parsed = Identifier::parse_with_country(
            &format!("suspect.identifiers[{i}]"),
            x.kind,
            x.platform.as_deref(),
            x.country.as_deref(),
            &x.value,
        );
        if let Some(id) = errors.take(parsed) {
            out.identifiers.push(StoredIdentifier::from(id));
        }
    }
    for (i, d) in input.descriptors.iter().enumerate() {
        if let Some(v) = descriptor(errors, &format!("suspect.descriptors[{i}]"), d) {
            out.descriptors.push(StoredDescriptor { kind: v.kind, value: v.value });
        }
    }
    out
}
