//! Identifiers: each kind has one canonical form, produced on the way in, so that the blind
//! index of a phone number typed as `07700 900123` equals that of `+447700900123`.

use super::errors::{FieldError, field_error};
use super::text;
use super::vocab::IdentifierKind;

/// A validated identifier in canonical form. `Debug` is redacted: identifiers are personal data.
#[derive(Clone, PartialEq, Eq)]
pub struct Identifier {
    pub kind: IdentifierKind,
    /// What the value is unique within: the lower-case platform of an online handle, or the
    /// issuing country (ISO 3166-1 alpha-2, upper case) of a national identifier.
    pub platform: Option<String>,
    pub value: String,
}

impl std::fmt::Debug for Identifier {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Identifier").field("kind", &self.kind).field("value", &"<redacted>").finish()
    }
}

impl Identifier {
    pub fn parse(field: &str, kind: IdentifierKind, platform: Option<&str>, raw: &str) -> Result<Self, FieldError> {
        Self::parse_with_country(field, kind, platform, None, raw)
    }

    /// As [`Identifier::parse`], with the issuing country a national identifier needs (another
    /// country's identity card or tax number: unique only within its country).
    pub fn parse_with_country(
        field: &str,
        kind: IdentifierKind,
        platform: Option<&str>,
        country: Option<&str>,
        raw: &str,
    ) -> Result<Self, FieldError> {
        let country = match (kind, country.map(str::trim).filter(|c| !c.is_empty())) {
            (IdentifierKind::NationalId, Some(c)) => Some(issuing_country(&format!("{field}.country"), c)?),
            (IdentifierKind::NationalId, None) => {
                return Err(field_error(format!("{field}.country"), "required", "a national identifier needs its issuing country"));
            }
            (_, Some(_)) => return Err(field_error(format!("{field}.country"), "not_allowed", "only national identifiers have a country")),
            (_, None) => None,
        };
        let value_field = format!("{field}.value");
        let raw = text::clean(&value_field, raw, 320)?;
        if raw.is_empty() {
            return Err(field_error(value_field, "required", "must not be empty"));
        }
        let platform = match (kind, platform) {
            (IdentifierKind::OnlineHandle, Some(p)) => {
                let p = text::fold(&text::required(&format!("{field}.platform"), p, 60)?);
                Some(p.replace(' ', ""))
            }
            (IdentifierKind::OnlineHandle, None) => {
                return Err(field_error(format!("{field}.platform"), "required", "an online handle needs its platform"));
            }
            (_, Some(_)) => return Err(field_error(format!("{field}.platform"), "not_allowed", "only online handles have a platform")),
            (_, None) => country,
        };
        let value = match kind {
            IdentifierKind::Phone => phone(&raw),
            IdentifierKind::Email => email(&raw),
            IdentifierKind::OnlineHandle => handle(&raw),
            IdentifierKind::Imei => imei(&raw),
            IdentifierKind::VehicleRegistration => vehicle_registration(&raw),
            IdentifierKind::PncId => pnc_id(&raw),
            IdentifierKind::NiNumber => ni_number(&raw),
            IdentifierKind::Passport => passport(&raw),
            IdentifierKind::NationalId => national_id(&raw),
        }
        .map_err(|(code, detail)| field_error(value_field, code, detail))?;
        Ok(Self { kind, platform, value })
    }

    /// (platform, issuing country), as the API shows them apart.
    pub fn qualifiers(&self) -> (Option<String>, Option<String>) {
        qualifiers(self.kind, self.platform.clone())
    }

    /// The string that is blind-indexed: the canonical value, qualified by platform for handles
    /// (the same handle on two platforms is two different people as often as one).
    pub fn index_key(&self) -> String {
        match &self.platform {
            Some(platform) => format!("{platform}:{}", self.value),
            None => self.value.clone(),
        }
    }
}

/// A stored qualifier shown as (platform, issuing country): a national identifier's is its country.
pub fn qualifiers(kind: IdentifierKind, qualifier: Option<String>) -> (Option<String>, Option<String>) {
    if kind == IdentifierKind::NationalId { (None, qualifier) } else { (qualifier, None) }
}

type Invalid = (&'static str, &'static str);

/// E.164. Numbers without a country code are read as UK numbers.
pub fn phone(raw: &str) -> Result<String, Invalid> {
    let parsed =
        phonenumber::parse(Some(phonenumber::country::Id::GB), raw).map_err(|_| ("invalid_phone", "is not a recognisable phone number"))?;
    let e164 = parsed.format().mode(phonenumber::Mode::E164).to_string();
    // Ofcom reserves 07700 900000–900999 for drama; libphonenumber calls them invalid, but they
    // are exactly what synthetic demo and test data must use, so they are accepted.
    let is_drama = e164.len() == 13 && e164.starts_with("+447700900");
    if !phonenumber::is_valid(&parsed) && !is_drama {
        return Err(("invalid_phone", "is not a valid phone number"));
    }
    Ok(e164)
}

pub fn email(raw: &str) -> Result<String, Invalid> {
    let folded = text::fold(raw);
    let (local, domain) = folded.split_once('@').ok_or(("invalid_email", "must contain @"))?;
    let valid_domain = domain.contains('.') && !domain.starts_with('.') && !domain.ends_with('.') && !domain.contains("..");
    if local.is_empty() || !valid_domain || folded.contains(char::is_whitespace) || domain.contains('@') {
        return Err(("invalid_email", "is not a valid email address"));
    }
    Ok(folded)
}

pub fn handle(raw: &str) -> Result<String, Invalid> {
    let folded = text::fold(raw);
    let trimmed = folded.trim_start_matches('@').replace(' ', "");
    if trimmed.is_empty() || trimmed.chars().count() > 100 {
        return Err(("invalid_handle", "must be 1 to 100 characters after any leading @"));
    }
    Ok(trimmed)
}

/// 15 digits whose last digit is the Luhn check digit of the first 14.
pub fn imei(raw: &str) -> Result<String, Invalid> {
    let digits: String = raw.chars().filter(|c| !matches!(c, ' ' | '-' | '/')).collect();
    if digits.len() != 15 || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return Err(("invalid_imei", "must be 15 digits"));
    }
    let sum: u32 = digits
        .bytes()
        .rev()
        .enumerate()
        .map(|(i, b)| {
            let d = u32::from(b - b'0');
            if i % 2 == 1 { if d * 2 > 9 { d * 2 - 9 } else { d * 2 } } else { d }
        })
        .sum();
    if !sum.is_multiple_of(10) {
        return Err(("invalid_imei", "check digit does not match"));
    }
    Ok(digits)
}

fn compact_upper(raw: &str) -> String {
    raw.chars().filter(|c| !c.is_whitespace() && *c != '-').flat_map(char::to_uppercase).collect()
}

pub fn vehicle_registration(raw: &str) -> Result<String, Invalid> {
    let compact = compact_upper(raw);
    if !(2..=8).contains(&compact.len()) || !compact.bytes().all(|b| b.is_ascii_alphanumeric()) {
        return Err(("invalid_vehicle_registration", "must be 2 to 8 letters and digits"));
    }
    Ok(compact)
}

/// PNC ID: year / serial number + check letter, e.g. `12/345678Z`. Canonical form has a
/// four-digit year and a seven-digit zero-padded serial. The check letter is the PNC's
/// modulus-23 character over the two-digit year and the serial.
pub fn pnc_id(raw: &str) -> Result<String, Invalid> {
    const CHECK: &[u8; 23] = b"ZABCDEFGHJKLMNPQRTUVWXY";
    let compact = compact_upper(raw);
    let (year, rest) = compact.split_once('/').ok_or(("invalid_pnc_id", "must look like YYYY/NNNNNNNX"))?;
    // The last character, not the last byte: a multi-byte character there must be refused,
    // not split (found by the property tests: `/` and U+1EE54 panicked).
    let (serial, check) = rest.split_at(rest.char_indices().last().map_or(0, |(i, _)| i));
    let year_ok = (year.len() == 2 || year.len() == 4) && year.bytes().all(|b| b.is_ascii_digit());
    let serial_ok = (1..=7).contains(&serial.len()) && serial.bytes().all(|b| b.is_ascii_digit());
    if !year_ok || !serial_ok || check.len() != 1 {
        return Err(("invalid_pnc_id", "must look like YYYY/NNNNNNNX"));
    }
    let year_number: u64 = year.parse().map_err(|_| ("invalid_pnc_id", "year is not a number"))?;
    let full_year = if year.len() == 4 {
        year_number
    } else if year_number > 50 {
        1900 + year_number
    } else {
        2000 + year_number
    };
    let serial_number: u64 = serial.parse().map_err(|_| ("invalid_pnc_id", "serial is not a number"))?;
    let expected = CHECK[(((full_year % 100) * 10_000_000 + serial_number) % 23) as usize] as char;
    if !check.starts_with(expected) {
        return Err(("invalid_pnc_id", "check letter does not match"));
    }
    Ok(format!("{full_year:04}/{serial_number:07}{expected}"))
}

/// National Insurance number: two prefix letters, six digits, suffix A–D.
pub fn ni_number(raw: &str) -> Result<String, Invalid> {
    let c = compact_upper(raw);
    let b = c.as_bytes();
    let shape = b.len() == 9
        && b[0].is_ascii_uppercase()
        && b[1].is_ascii_uppercase()
        && b[2..8].iter().all(u8::is_ascii_digit)
        && matches!(b[8], b'A'..=b'D');
    let bad_first = matches!(b.first(), Some(b'D' | b'F' | b'I' | b'Q' | b'U' | b'V'));
    let bad_second = matches!(b.get(1), Some(b'D' | b'F' | b'I' | b'O' | b'Q' | b'U' | b'V'));
    let bad_prefix = ["BG", "GB", "NK", "KN", "TN", "NT", "ZZ"].iter().any(|p| c.starts_with(p));
    if !shape || bad_first || bad_second || bad_prefix {
        return Err(("invalid_ni_number", "must be a valid National Insurance number such as AB 12 34 56 C"));
    }
    Ok(c)
}

pub fn passport(raw: &str) -> Result<String, Invalid> {
    let c = compact_upper(raw);
    if !(5..=20).contains(&c.len()) || !c.bytes().all(|b| b.is_ascii_alphanumeric()) {
        return Err(("invalid_passport", "must be 5 to 20 letters and digits"));
    }
    Ok(c)
}

/// An ISO 3166-1 alpha-2 country code, upper case (the regions libphonenumber knows, which are
/// the ISO 3166-1 codes in use).
pub fn issuing_country(field: &str, raw: &str) -> Result<String, FieldError> {
    let code = raw.trim().to_ascii_uppercase();
    let known = code.len() == 2 && code.parse::<phonenumber::country::Id>().is_ok();
    if known { Ok(code) } else { Err(field_error(field, "invalid_country", "must be an ISO 3166-1 two-letter country code, such as FR")) }
}

/// Another country's national identifier (identity card, tax or social security number): its
/// letters and digits, upper case, whatever the separators.
pub fn national_id(raw: &str) -> Result<String, Invalid> {
    let c = compact_upper(raw);
    let c: String = c.chars().filter(|ch| !matches!(ch, '-' | '.' | '/')).collect();
    if !(4..=30).contains(&c.len()) || !c.bytes().all(|b| b.is_ascii_alphanumeric()) {
        return Err(("invalid_national_id", "must be 4 to 30 letters and digits"));
    }
    Ok(c)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn national_identifiers_need_a_known_issuing_country_and_are_keyed_by_it() {
        let id = Identifier::parse_with_country("i", IdentifierKind::NationalId, None, Some(" fr "), "12-345.678/90").unwrap();
        assert_eq!((id.platform.as_deref(), id.value.as_str()), (Some("FR"), "1234567890"));
        assert_eq!(id.index_key(), "FR:1234567890");
        let missing = Identifier::parse_with_country("i", IdentifierKind::NationalId, None, None, "1234567890").unwrap_err();
        assert_eq!((missing.field.as_str(), missing.code), ("i.country", "required"));
        let unknown = Identifier::parse_with_country("i", IdentifierKind::NationalId, None, Some("XX"), "1234567890").unwrap_err();
        assert_eq!(unknown.code, "invalid_country");
        let elsewhere = Identifier::parse_with_country("i", IdentifierKind::Phone, None, Some("FR"), "07700 900123").unwrap_err();
        assert_eq!((elsewhere.field.as_str(), elsewhere.code), ("i.country", "not_allowed"));
    }

    #[test]
    fn phones_become_e164() {
        assert_eq!(phone("07700 900123").unwrap(), "+447700900123");
        assert_eq!(phone("+44 (0)7700-900123").unwrap(), "+447700900123");
        assert!(phone("12345").is_err());
    }

    #[test]
    fn a_pnc_id_ending_in_a_multibyte_character_is_refused_not_a_panic() {
        assert!(pnc_id("/\u{1EE54}").is_err());
        assert!(pnc_id("12/345678\u{e9}").is_err());
    }

    #[test]
    fn imei_check_digit_is_enforced() {
        assert_eq!(imei("49-015420-323751-8").unwrap(), "490154203237518");
        assert!(imei("490154203237519").is_err());
    }

    #[test]
    fn pnc_ids_are_canonical_and_checked() {
        // 2012, serial 345678: (12*10^7 + 345678) mod 23 picks the check letter.
        let check = b"ZABCDEFGHJKLMNPQRTUVWXY"[((12u64 * 10_000_000 + 345_678) % 23) as usize] as char;
        assert_eq!(pnc_id(&format!("12/345678{check}")).unwrap(), format!("2012/0345678{check}"));
        assert!(pnc_id("12/345678I").is_err() || check == 'I');
    }

    #[test]
    fn ni_numbers_follow_the_prefix_rules() {
        assert_eq!(ni_number("ab 12 34 56 c").unwrap(), "AB123456C");
        assert!(ni_number("GB123456A").is_err());
        assert!(ni_number("QQ123456E").is_err());
    }

    #[test]
    fn handles_and_emails_fold() {
        assert_eq!(handle("@Some_User").unwrap(), "some_user");
        assert_eq!(email("Some.One@Example.ORG").unwrap(), "some.one@example.org");
        assert!(email("no-at-sign").is_err());
    }

    #[test]
    fn debug_never_shows_the_value() {
        let id = Identifier::parse("x", IdentifierKind::Phone, None, "07700 900123").unwrap();
        assert!(!format!("{id:?}").contains("7700"));
    }
}
