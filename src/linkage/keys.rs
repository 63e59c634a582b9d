//! Blocking keys: the normalised strings that are blind-indexed for every stored person and
//! looked up for a query, so that candidates come from indexed lookups and never from a scan.
//!
//! Per person: each identifier exactly; the full name exactly; the full name with each date of
//! birth; the surname's phonetic code with each year of birth (catches forename variants and
//! day/month errors); the phonetic codes of surname and first forename (catches spelling
//! variants and year errors); the nickname-resolved forename with the surname (Bob/Robert); the
//! nickname-resolved forename with each date of birth (catches misspelt surnames).
//!
//! Keys that survive damage to every name, or to the name and the year together (the
//! [`EXTRA_FIELDS`], rebuilt per person as a whole): the date of birth alone; forename and
//! surname code each with the day and month of birth; forename with the year and month of birth;
//! forename initial with surname code; each
//! postcode; and for identifiers people misread or mistype, the identifier with each character
//! left out in turn (a substitution, a transposition, a missing or an extra character all leave
//! one such variant in common).
//!
//! A query adds the same keys with forename and surname swapped, day and month of birth swapped,
//! and every year of an estimated age range.

use chrono::NaiveDate;

use chrono::Datelike;
use domain::vocab::IdentifierKind;

use super::names::{canonical, phonetic};
use super::{NameForm, Profile};
use crate::crypto::{BlindField, BlindKind};

/// The fields whose keys are derived from a person as a whole (not from one stored row), and so
/// are rebuilt together whenever any of the person's particulars change.
pub const EXTRA_FIELDS: [BlindField; 5] =
    [BlindField::BirthDate, BlindField::BirthDay, BlindField::Postcode, BlindField::InitialSurname, BlindField::IdentifierVariant];

/// The widest age range expanded into year keys; wider estimates block on names only.
const MAX_RANGE_YEARS: i32 = 15;

#[derive(Clone, PartialEq, Eq, Hash)]
pub struct BlockKey {
    pub field: BlindField,
    pub kind: BlindKind,
    pub value: String,
}

impl std::fmt::Debug for BlockKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("BlockKey").field("field", &self.field).field("kind", &self.kind).finish_non_exhaustive()
    }
}

fn key(field: BlindField, kind: BlindKind, value: String) -> BlockKey {
    BlockKey { field, kind, value }
}

/// `folded name|YYYY-MM-DD`, as the exact name-and-date index has always been written.
pub fn name_birth_date(name: &NameForm, date: NaiveDate) -> String {
    format!("{}|{date}", name.full())
}

/// The phonetic and canonical blocking keys of one name, given the person's years and dates of
/// birth.
pub fn name_keys(name: &NameForm, years: &[i32], dates: &[NaiveDate]) -> Vec<BlockKey> {
    let mut out = Vec::new();
    let surname = phonetic(&name.family);
    if !surname.is_empty() {
        for year in years {
            out.push(key(BlindField::SurnameBirthYear, BlindKind::Phonetic, format!("{surname}|{year}")));
        }
    }
    let first = name.first_given();
    if !first.is_empty() {
        let forename = phonetic(first);
        if !surname.is_empty() && !forename.is_empty() {
            out.push(key(BlindField::NamePair, BlindKind::Phonetic, format!("{surname}|{forename}")));
        }
        out.push(key(BlindField::NamePair, BlindKind::Canonical, format!("{}|{}", canonical(first), name.family)));
        for date in dates {
            out.push(key(BlindField::ForenameBirthDate, BlindKind::Canonical, format!("{}|{date}", canonical(first))));
        }
    }
    out
}

fn identity_keys(name: &NameForm, profile: &Profile, years: &[i32], out: &mut Vec<BlockKey>) {
    out.push(key(BlindField::FullName, BlindKind::Exact, name.full()));
    for date in &profile.birth_dates {
        out.push(key(BlindField::NameBirthDate, BlindKind::Exact, name_birth_date(name, *date)));
    }
    out.extend(name_keys(name, years, &profile.birth_dates));
}

/// `MM-DD` of a date: the day of the year, whatever the year.
fn day_of_year(date: NaiveDate) -> String {
    format!("{:02}-{:02}", date.month(), date.day())
}

/// The keys of one name that survive a wrong year or a wholly misspelt other half.
fn name_extra_keys(name: &NameForm, dates: &[NaiveDate], out: &mut Vec<BlockKey>) {
    let surname = phonetic(&name.family);
    let first = name.first_given();
    for date in dates {
        if !first.is_empty() {
            out.push(key(BlindField::BirthDay, BlindKind::Canonical, format!("{}|{}", canonical(first), day_of_year(*date))));
            // Another surname (an alias, a marriage) with a wrong day of birth.
            out.push(key(BlindField::BirthDay, BlindKind::Canonical, format!("{}|{}", canonical(first), date.format("%Y-%m"))));
        }
        if !surname.is_empty() {
            out.push(key(BlindField::BirthDay, BlindKind::Phonetic, format!("{surname}|{}", day_of_year(*date))));
        }
    }
    if let (Some(initial), false) = (first.chars().next(), surname.is_empty()) {
        out.push(key(BlindField::InitialSurname, BlindKind::Phonetic, format!("{initial}|{surname}")));
    }
}

/// The characters of an identifier that people misread or mistype (digits and letters of
/// numbers, national ids, registrations), upper-cased, after what stays whole (a national
/// identifier's issuing country, `FR:`); `None` for kinds whose typos are not single characters
/// (e-mail, handles) or values too short for a variant to be selective.
fn variant_base(kind: IdentifierKind, value: &str) -> Option<(String, String)> {
    use IdentifierKind as K;
    if !matches!(kind, K::Phone | K::NiNumber | K::Passport | K::PncId | K::Imei | K::VehicleRegistration | K::NationalId) {
        return None;
    }
    let (prefix, number) = match (kind, value.split_once(':')) {
        (K::NationalId, Some((country, number))) => (format!("{country}:"), number),
        _ => (String::new(), value),
    };
    let base: String = number.chars().filter(char::is_ascii_alphanumeric).map(|c| c.to_ascii_uppercase()).collect();
    (6..=20).contains(&base.len()).then_some((prefix, base))
}

/// The identifier whole and with each character left out in turn, under its kind.
fn identifier_variants(kind: IdentifierKind, value: &str, out: &mut Vec<BlockKey>) {
    let Some((prefix, base)) = variant_base(kind, value) else { return };
    let chars: Vec<char> = base.chars().collect();
    out.push(key(BlindField::IdentifierVariant, BlindKind::Exact, format!("{}|{prefix}{base}", kind.as_str())));
    for skip in 0..chars.len() {
        let variant: String = chars.iter().enumerate().filter(|(i, _)| *i != skip).map(|(_, c)| *c).collect();
        out.push(key(BlindField::IdentifierVariant, BlindKind::Exact, format!("{}|{prefix}{variant}", kind.as_str())));
    }
}

/// Every key a stored record is indexed under.
pub fn record_keys(profile: &Profile) -> Vec<BlockKey> {
    let years = profile.years();
    let mut out = Vec::new();
    for name in &profile.names {
        identity_keys(name, profile, &years, &mut out);
        name_extra_keys(name, &profile.birth_dates, &mut out);
    }
    for date in &profile.birth_dates {
        out.push(key(BlindField::BirthDate, BlindKind::Exact, date.to_string()));
    }
    for postcode in &profile.postcodes {
        out.push(key(BlindField::Postcode, BlindKind::Exact, postcode.clone()));
    }
    for (kind, value) in &profile.identifiers {
        out.push(key(BlindField::for_identifier(*kind), BlindKind::Exact, value.clone()));
        identifier_variants(*kind, value, &mut out);
    }
    dedup(out)
}

/// Day and month the other way round, where that is a different valid date.
fn transposed(date: NaiveDate) -> Option<NaiveDate> {
    (date.day() != date.month()).then(|| NaiveDate::from_ymd_opt(date.year(), date.day(), date.month())).flatten()
}

/// Every key a query looks up: the record keys of the query widened by day and month swapped
/// and each year of an estimated age range, and the same with forename and surname swapped.
pub fn query_keys(profile: &Profile) -> Vec<BlockKey> {
    let mut wide = profile.clone();
    wide.birth_dates.extend(profile.birth_dates.iter().filter_map(|d| transposed(*d)));
    if let Some((from, to)) = profile.birth_year_range
        && to >= from
        && to - from <= MAX_RANGE_YEARS
    {
        wide.birth_years.extend(from..=to);
    }
    let years = wide.years();
    let mut out = record_keys(&wide);
    for name in wide.names.iter().filter(|n| !n.first_given().is_empty()) {
        // A year and month of birth without the day: the forename with them.
        for (year, month) in &wide.birth_months {
            out.push(key(BlindField::BirthDay, BlindKind::Canonical, format!("{}|{year:04}-{month:02}", canonical(name.first_given()))));
        }
    }
    for name in &wide.names {
        if let Some(swapped) = name.swapped() {
            identity_keys(&swapped, &wide, &years, &mut out);
            name_extra_keys(&swapped, &wide.birth_dates, &mut out);
        }
    }
    dedup(out)
}

fn dedup(keys: Vec<BlockKey>) -> Vec<BlockKey> {
    let mut seen = std::collections::HashSet::with_capacity(keys.len());
    keys.into_iter().filter(|k| seen.insert(k.clone())).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn profile(given: &str, family: &str, dob: Option<NaiveDate>) -> Profile {
        Profile {
            names: vec![NameForm { given: given.into(), family: family.into() }],
            birth_dates: dob.into_iter().collect(),
            ..Default::default()
        }
    }

    fn shares_key(a: &Profile, b: &Profile) -> bool {
        let stored = record_keys(b);
        query_keys(a).iter().any(|k| stored.contains(k))
    }

    #[test]
    fn nicknames_swaps_and_typos_still_block_together() {
        let dob = NaiveDate::from_ymd_opt(1980, 3, 4);
        let stored = profile("robert", "hartley", dob);
        assert!(shares_key(&profile("bob", "hartley", None), &stored));
        assert!(shares_key(&profile("hartley", "robert", None), &stored));
        assert!(shares_key(&profile("rupert", "hartly", NaiveDate::from_ymd_opt(1980, 4, 3)), &stored));
        assert!(shares_key(&profile("bob", "xartlei", dob), &stored), "misspelt surname, same forename and date");
        assert!(!shares_key(&profile("alice", "zephyr", NaiveDate::from_ymd_opt(1990, 1, 1)), &stored));
    }

    #[test]
    fn a_misread_identifier_still_blocks() {
        let mut stored = profile("robert", "hartley", None);
        stored.identifiers.push((IdentifierKind::NiNumber, "QQ123456C".into()));
        let with = |value: &str| {
            let mut p = profile("zed", "xu", None);
            p.identifiers.push((IdentifierKind::NiNumber, value.into()));
            p
        };
        assert!(shares_key(&with("QQ123465C"), &stored), "transposed digits");
        assert!(shares_key(&with("QQ123457C"), &stored), "one digit wrong");
        assert!(shares_key(&with("QQ12456C"), &stored), "one digit missing");
        assert!(shares_key(&with("QQ1234567C"), &stored), "one digit extra");
        assert!(!shares_key(&with("QQ654321C"), &stored));
        let national = |given: &str, country: &str, value: &str| {
            let mut p = profile(given, given, None);
            p.identifiers.push((IdentifierKind::NationalId, format!("{country}:{value}")));
            p
        };
        assert!(shares_key(&national("ann", "FR", "1234567809"), &national("bo", "FR", "1234567890")), "a misread foreign number");
        assert!(!shares_key(&national("ann", "DE", "1234567890"), &national("bo", "FR", "1234567890")), "another country's number");
        let mut email = profile("zed", "xu", None);
        email.identifiers.push((IdentifierKind::Email, "a@example.org".into()));
        assert!(record_keys(&email).iter().all(|k| k.field != BlindField::IdentifierVariant), "e-mail typos are not single characters");
    }

    #[test]
    fn every_name_damaged_still_blocks_on_birth_date_or_postcode() {
        let dob = NaiveDate::from_ymd_opt(1980, 3, 4);
        let mut stored = profile("robert", "hartley", dob);
        stored.postcodes.push("SW1A 1AA".into());
        assert!(shares_key(&profile("zebedee", "quux", dob), &stored), "date of birth alone");
        assert!(shares_key(&profile("zebedee", "quux", NaiveDate::from_ymd_opt(1980, 4, 3)), &stored), "day and month swapped");
        assert!(shares_key(&profile("robert", "quux", NaiveDate::from_ymd_opt(1981, 3, 4)), &stored), "wrong year, misspelt surname");
        let mut moved_name = profile("zebedee", "quux", None);
        moved_name.postcodes.push("SW1A 1AA".into());
        assert!(shares_key(&moved_name, &stored), "postcode");
        assert!(shares_key(&profile("rupert", "hartlee", None), &stored), "initial and surname sound");
        assert!(shares_key(&profile("bob", "quux", NaiveDate::from_ymd_opt(1980, 3, 19)), &stored), "another surname, wrong day");
    }

    #[test]
    fn debug_hides_key_values() {
        let k = key(BlindField::FullName, BlindKind::Exact, "secret name".into());
        assert!(!format!("{k:?}").contains("secret"));
    }
}
