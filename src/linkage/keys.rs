//! Blocking keys: the normalised strings that are blind-indexed for every stored person and
//! looked up for a query, so that candidates come from indexed lookups and never from a scan.
//!
//! Per person: each identifier exactly; the full name exactly; the full name with each date of
//! birth; the surname's phonetic code with each year of birth (catches forename variants and
//! day/month errors); the phonetic codes of surname and first forename (catches spelling
//! variants and year errors); the nickname-resolved forename with the surname (Bob/Robert); the
//! nickname-resolved forename with each date of birth (catches misspelt surnames). A
//! query adds the same keys with forename and surname swapped, and every year of an estimated
//! age range.

use chrono::NaiveDate;

use super::names::{canonical, phonetic};
use super::{NameForm, Profile};
use crate::crypto::{BlindField, BlindKind};

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

/// Every key a stored record is indexed under.
pub fn record_keys(profile: &Profile) -> Vec<BlockKey> {
    let years = profile.years();
    let mut out = Vec::new();
    for name in &profile.names {
        identity_keys(name, profile, &years, &mut out);
    }
    for (kind, value) in &profile.identifiers {
        out.push(key(BlindField::for_identifier(*kind), BlindKind::Exact, value.clone()));
    }
    dedup(out)
}

/// Every key a query looks up: the record keys, the same with names swapped, and each year of
/// an estimated age range.
pub fn query_keys(profile: &Profile) -> Vec<BlockKey> {
    let mut years = profile.years();
    if let Some((from, to)) = profile.birth_year_range
        && to >= from
        && to - from <= MAX_RANGE_YEARS
    {
        years.extend(from..=to);
    }
    years.sort_unstable();
    years.dedup();
    let mut out = record_keys(profile);
    for name in &profile.names {
        out.extend(name_keys(name, &years, &profile.birth_dates));
        if let Some(swapped) = name.swapped() {
            identity_keys(&swapped, profile, &years, &mut out);
        }
    }
    dedup(out)
}

fn dedup(keys: Vec<BlockKey>) -> Vec<BlockKey> {
    let mut out: Vec<BlockKey> = Vec::with_capacity(keys.len());
    for k in keys {
        if !out.contains(&k) {
            out.push(k);
        }
    }
    out
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
    fn debug_hides_key_values() {
        let k = key(BlindField::FullName, BlindKind::Exact, "secret name".into());
        assert!(!format!("{k:?}").contains("secret"));
    }
}
