//! Bank holidays in England and Wales, on which no requirement session is held. The list is data
//! in GOV.UK's own format (`data/bank-holidays.json`, the `england-and-wales` division of
//! https://www.gov.uk/bank-holidays.json, from 2019), embedded in the binary; a newer copy of
//! that file can be installed at start-up (`[jobs] bank_holidays_file`) when later years are
//! announced. Christmas Day, Boxing Day and New Year's Day are never session days, even in a year
//! the list does not reach or when the holiday itself is moved to a substitute day.

use std::collections::BTreeSet;
use std::sync::OnceLock;

use chrono::{Datelike, NaiveDate};
use serde::Deserialize;

const EMBEDDED: &str = include_str!("../data/bank-holidays.json");

static INSTALLED: OnceLock<BTreeSet<NaiveDate>> = OnceLock::new();

#[derive(Deserialize)]
struct File {
    #[serde(rename = "england-and-wales")]
    england_and_wales: Division,
}

#[derive(Deserialize)]
struct Division {
    events: Vec<Event>,
}

#[derive(Deserialize)]
struct Event {
    date: NaiveDate,
}

/// The England and Wales bank holidays of a file in GOV.UK's format.
pub fn parse(json: &str) -> Result<BTreeSet<NaiveDate>, String> {
    let file: File = serde_json::from_str(json).map_err(|e| format!("not GOV.UK's bank holidays format: {e}"))?;
    if file.england_and_wales.events.is_empty() {
        return Err("the england-and-wales division lists no bank holidays".into());
    }
    Ok(file.england_and_wales.events.into_iter().map(|e| e.date).collect())
}

/// Installs the list read at start-up, before any schedule is expanded; `false` if a list is
/// already in use (the first one stays, so that every expansion in a process agrees).
pub fn install(days: BTreeSet<NaiveDate>) -> bool {
    INSTALLED.set(days).is_ok()
}

fn list() -> &'static BTreeSet<NaiveDate> {
    INSTALLED.get_or_init(|| parse(EMBEDDED).unwrap_or_default())
}

/// The last day the list covers: sessions after the end of its last year skip only the fixed
/// holidays until a newer list is installed.
pub fn known_until() -> Option<NaiveDate> {
    list().last().and_then(|d| NaiveDate::from_ymd_opt(d.year(), 12, 31))
}

pub fn is_bank_holiday(day: NaiveDate) -> bool {
    matches!((day.month(), day.day()), (12, 25) | (12, 26) | (1, 1)) || list().contains(&day)
}

/// The bank holidays in `first..=last`.
pub fn between(first: NaiveDate, last: NaiveDate) -> Vec<NaiveDate> {
    first.iter_days().take_while(|d| *d <= last).filter(|d| is_bank_holiday(*d)).collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::Weekday;

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).unwrap()
    }

    #[test]
    fn the_embedded_list_reads_and_its_days_fall_where_the_rules_put_them() {
        let days = parse(EMBEDDED).unwrap();
        assert!(days.len() >= 80, "2019 to 2028");
        for day in &days {
            assert!(!matches!(day.weekday(), Weekday::Sat | Weekday::Sun), "{day} is a weekend day");
        }
        assert!(is_bank_holiday(d(2026, 12, 28)), "Boxing Day 2026 falls on a Saturday: substitute Monday");
        assert!(is_bank_holiday(d(2027, 3, 26)) && is_bank_holiday(d(2027, 3, 29)), "Easter 2027");
        assert!(is_bank_holiday(d(2027, 12, 25)), "Christmas Day itself, though the holiday moves to the 27th");
        assert!(is_bank_holiday(d(2035, 1, 1)), "fixed days beyond the list");
        assert!(!is_bank_holiday(d(2026, 12, 29)));
        assert_eq!(known_until(), Some(d(2028, 12, 31)));
    }

    #[test]
    fn a_file_in_another_shape_is_refused() {
        assert!(parse("{}").is_err());
        assert!(parse(r#"{"england-and-wales": {"events": []}}"#).is_err());
    }
}
