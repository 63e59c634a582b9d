//! Names, addresses and dates of birth: parsed into stored form (NFC, cleaned) with
//! field-named errors, plus the folded forms that blind indexes use. `Debug` is redacted on
//! every type here, because every value is personal data.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use super::errors::{FieldError, field_error};
use super::text;

macro_rules! redacted_debug {
    ($($t:ty),+) => {$(
        impl std::fmt::Debug for $t {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(concat!(stringify!($t), "(<redacted>)"))
            }
        }
    )+};
}

#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PersonName {
    pub given: String,
    pub family: String,
}

#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Address {
    pub lines: Vec<String>,
    pub town: Option<String>,
    pub postcode: Option<String>,
}

redacted_debug!(PersonName, Address);

impl PersonName {
    pub fn parse(field: &str, given: &str, family: &str) -> Result<Self, Vec<FieldError>> {
        let given = text::clean(&format!("{field}.given"), given, 100);
        let family = text::required(&format!("{field}.family"), family, 100);
        match (given, family) {
            (Ok(given), Ok(family)) => Ok(Self { given, family }),
            (g, f) => Err([g.err(), f.err()].into_iter().flatten().collect()),
        }
    }

    /// A name as a witness may know it: a given name or a family name, at least one of them
    /// (a victim often knows only a first name). Registrants' names use [`PersonName::parse`].
    pub fn parse_partial(field: &str, given: &str, family: &str) -> Result<Self, Vec<FieldError>> {
        let given = text::clean(&format!("{field}.given"), given, 100);
        let family = text::clean(&format!("{field}.family"), family, 100);
        match (given, family) {
            (Ok(given), Ok(family)) if given.is_empty() && family.is_empty() => {
                Err(vec![field_error(format!("{field}.given"), "required", "give a given name, a family name or both")])
            }
            (Ok(given), Ok(family)) => Ok(Self { given, family }),
            (g, f) => Err([g.err(), f.err()].into_iter().flatten().collect()),
        }
    }

    /// `given family`, folded, for indexing and comparison.
    pub fn folded(&self) -> String {
        text::fold(&format!("{} {}", self.given, self.family))
    }
}

impl Address {
    pub fn parse(field: &str, lines: &[String], town: Option<&str>, postcode: Option<&str>) -> Result<Self, Vec<FieldError>> {
        let mut errors = Vec::new();
        if lines.is_empty() || lines.len() > 5 {
            errors.push(field_error(format!("{field}.lines"), "invalid_lines", "must have 1 to 5 lines"));
        }
        let mut cleaned = Vec::with_capacity(lines.len());
        for (i, line) in lines.iter().enumerate() {
            match text::required(&format!("{field}.lines[{i}]"), line, 120) {
                Ok(line) => cleaned.push(line),
                Err(e) => errors.push(e),
            }
        }
        let town = match town.map(|t| text::clean(&format!("{field}.town"), t, 80)) {
            Some(Ok(t)) if !t.is_empty() => Some(t),
            Some(Err(e)) => {
                errors.push(e);
                None
            }
            _ => None,
        };
        let postcode = match postcode.map(|p| uk_postcode(&format!("{field}.postcode"), p)) {
            Some(Ok(p)) => Some(p),
            Some(Err(e)) => {
                errors.push(e);
                None
            }
            None => None,
        };
        if errors.is_empty() { Ok(Self { lines: cleaned, town, postcode }) } else { Err(errors) }
    }
}

/// A UK postcode in canonical form: upper case, one space before the three-character inward code.
pub fn uk_postcode(field: &str, raw: &str) -> Result<String, FieldError> {
    let compact: String = raw.chars().filter(|c| !c.is_whitespace()).flat_map(char::to_uppercase).collect();
    let b = compact.as_bytes();
    let inward_ok = b.len() >= 5 && {
        let inward = &b[b.len() - 3..];
        inward[0].is_ascii_digit() && inward[1].is_ascii_uppercase() && inward[2].is_ascii_uppercase()
    };
    let outward_ok = (5..=7).contains(&b.len()) && b[0].is_ascii_uppercase() && b[..b.len() - 3].iter().all(u8::is_ascii_alphanumeric);
    if !inward_ok || !outward_ok {
        return Err(field_error(field, "invalid_postcode", "is not a valid UK postcode"));
    }
    let (outward, inward) = compact.split_at(compact.len() - 3);
    Ok(format!("{outward} {inward}"))
}

/// A date of birth must be in the past and plausible.
pub fn birth_date(field: &str, date: NaiveDate, today: NaiveDate) -> Result<NaiveDate, FieldError> {
    let earliest = NaiveDate::from_ymd_opt(1900, 1, 1).unwrap_or(NaiveDate::MIN);
    if date > today {
        return Err(field_error(field, "in_future", "must not be in the future"));
    }
    if date < earliest {
        return Err(field_error(field, "implausible", "must be on or after 1900-01-01"));
    }
    Ok(date)
}

/// A validity period: `valid_to`, when present, must not precede `valid_from`.
pub fn validity(field: &str, from: Option<NaiveDate>, to: Option<NaiveDate>) -> Result<(), FieldError> {
    match (from, to) {
        (Some(f), Some(t)) if t < f => Err(field_error(format!("{field}.valid_to"), "before_start", "must not be before valid_from")),
        _ => Ok(()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn postcodes_are_canonical() {
        assert_eq!(uk_postcode("p", "sw1a1aa").unwrap(), "SW1A 1AA");
        assert_eq!(uk_postcode("p", " M1 1AE ").unwrap(), "M1 1AE");
        assert!(uk_postcode("p", "12345").is_err());
    }

    #[test]
    fn names_need_a_family_name_and_name_the_field() {
        let errors = PersonName::parse("names[1]", "Ann", "  ").unwrap_err();
        assert_eq!(errors[0].field, "names[1].family");
    }

    #[test]
    fn debug_is_redacted() {
        let name = PersonName::parse("n", "Canary", "Person").unwrap();
        assert!(!format!("{name:?}").contains("Canary"));
    }
}
