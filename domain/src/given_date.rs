//! A date of birth as it was given when it is not a real date: a victim who knows the month but
//! not the day, a record with `00` for what is unknown, or day and month that cannot both be
//! right (`1980-13-05`, most likely the 13th of May). Refusing it loses what it does say, and
//! inventing a day says what nobody said; it is kept as written and compared for what it can
//! mean (see `linkage::score` in the service).

use chrono::{Datelike, NaiveDate};

use super::errors::{FieldError, field_error};

/// A validated `YYYY-MM-DD` whose month or day may be `00` or impossible. `Debug` is redacted.
#[derive(Clone, Copy, PartialEq, Eq)]
pub struct GivenDate {
    pub year: i32,
    pub month: u32,
    pub day: u32,
}

impl std::fmt::Debug for GivenDate {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("GivenDate(<redacted>)")
    }
}

impl std::fmt::Display for GivenDate {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{:04}-{:02}-{:02}", self.year, self.month, self.day)
    }
}

impl GivenDate {
    /// `YYYY-MM-DD`, digits only, the year from 1900 to this year.
    pub fn parse(field: &str, raw: &str, today: NaiveDate) -> Result<Self, FieldError> {
        let raw = raw.trim();
        let parts: Vec<&str> = raw.split('-').collect();
        let well_formed = raw.len() == 10
            && parts.len() == 3
            && [4, 2, 2].iter().zip(&parts).all(|(n, p)| p.len() == *n && p.bytes().all(|b| b.is_ascii_digit()));
        if !well_formed {
            return Err(field_error(field, "invalid_format", "must be written YYYY-MM-DD, with 00 for an unknown month or day"));
        }
        let number = |p: &str| p.parse::<u32>().unwrap_or(0);
        let date = Self { year: number(parts[0]) as i32, month: number(parts[1]), day: number(parts[2]) };
        if !(1900..=today.year()).contains(&date.year) {
            return Err(field_error(field, "implausible", "must have a year between 1900 and this year"));
        }
        Ok(date)
    }

    /// The date itself when it is a real one.
    pub fn real(&self) -> Option<NaiveDate> {
        NaiveDate::from_ymd_opt(self.year, self.month, self.day)
    }

    /// The real date it can only be when it is not one as written: day and month the other way
    /// round (`1980-13-05` is 13 May 1980).
    pub fn swapped(&self) -> Option<NaiveDate> {
        if self.real().is_some() || self.month <= 12 {
            return None;
        }
        NaiveDate::from_ymd_opt(self.year, self.day, self.month)
    }

    /// Year and month, when the month is known and the day is not (`00`, or past the month's end).
    pub fn year_month(&self) -> Option<(i32, u32)> {
        ((1..=12).contains(&self.month) && self.real().is_none()).then_some((self.year, self.month))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn today() -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, 12, 1).unwrap()
    }

    #[test]
    fn each_kind_of_partial_date_says_what_it_can() {
        let given = |raw: &str| GivenDate::parse("d", raw, today()).unwrap();
        let may_13 = given("1980-13-05");
        assert_eq!((may_13.swapped(), may_13.year_month()), (NaiveDate::from_ymd_opt(1980, 5, 13), None));
        assert_eq!(given("1980-03-00").year_month(), Some((1980, 3)));
        assert_eq!(given("1980-02-30").year_month(), Some((1980, 2)), "past the month's end");
        let year_only = given("1980-00-00");
        assert_eq!((year_only.swapped(), year_only.year_month(), year_only.year), (None, None, 1980));
        assert_eq!(given("1980-03-04").real(), NaiveDate::from_ymd_opt(1980, 3, 4));
        assert_eq!(given("1980-03-04").to_string(), "1980-03-04");
    }

    #[test]
    fn malformed_or_implausible_dates_name_the_field() {
        for (raw, code) in [
            ("1980-3-4", "invalid_format"),
            ("80-03-04", "invalid_format"),
            ("1980/03/04", "invalid_format"),
            ("1880-03-00", "implausible"),
            ("2999-00-00", "implausible"),
        ] {
            let e = GivenDate::parse("suspect.date_of_birth_as_given", raw, today()).unwrap_err();
            assert_eq!((e.field.as_str(), e.code), ("suspect.date_of_birth_as_given", code), "{raw}");
        }
        assert!(!format!("{:?}", GivenDate::parse("d", "1980-13-05", today()).unwrap()).contains("1980"));
    }
}
