//! Text hygiene shared by every normaliser: what is stored (NFC, trimmed, no control or bidi
//! override characters) and what is indexed (NFKC, case folded, diacritics and zero-width
//! characters removed, white space collapsed).

use unicode_normalization::UnicodeNormalization;
use unicode_normalization::char::is_combining_mark;

use super::errors::{FieldError, field_error};

fn is_zero_width(c: char) -> bool {
    matches!(c, '\u{200B}'..='\u{200D}' | '\u{2060}' | '\u{FEFF}' | '\u{00AD}')
}

fn is_bidi_control(c: char) -> bool {
    matches!(c, '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}' | '\u{200E}' | '\u{200F}' | '\u{061C}')
}

/// Clean free text for storage: NFC, zero-width characters dropped, trimmed; rejects control
/// and bidirectional override characters (used to disguise text) and over-long values.
pub fn clean(field: &str, value: &str, max_chars: usize) -> Result<String, FieldError> {
    let cleaned: String = value.nfc().filter(|c| !is_zero_width(*c)).collect();
    let cleaned = cleaned.trim();
    if cleaned.chars().any(|c| is_bidi_control(c) || (c.is_control() && c != '\n' && c != '\t')) {
        return Err(field_error(field, "invalid_characters", "contains control or bidirectional override characters"));
    }
    if cleaned.chars().count() > max_chars {
        return Err(field_error(field, "too_long", format!("must be at most {max_chars} characters")));
    }
    Ok(cleaned.to_owned())
}

/// Like [`clean`], but the result must not be empty.
pub fn required(field: &str, value: &str, max_chars: usize) -> Result<String, FieldError> {
    let cleaned = clean(field, value, max_chars)?;
    if cleaned.is_empty() {
        return Err(field_error(field, "required", "must not be empty"));
    }
    Ok(cleaned)
}

/// The comparison form used for blind indexes and matching.
pub fn fold(value: &str) -> String {
    let decomposed: String = value.nfkc().collect::<String>().nfkd().filter(|c| !is_combining_mark(*c) && !is_zero_width(*c)).collect();
    let lowered = decomposed.to_lowercase().replace('ß', "ss");
    lowered.split_whitespace().collect::<Vec<_>>().join(" ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn folding_ignores_case_accents_width_and_zero_width_characters() {
        assert_eq!(fold("  José\u{200B}  ÁLVAREZ "), "jose alvarez");
        assert_eq!(fold("ＳＭＩＴＨ"), "smith");
        assert_eq!(fold("Strauß"), "strauss");
    }

    #[test]
    fn folding_is_idempotent() {
        for s in ["Zoë O'Neill", "ＡＢＣ", "e\u{301}", "Straße"] {
            assert_eq!(fold(&fold(s)), fold(s));
        }
    }

    #[test]
    fn bidi_overrides_are_rejected() {
        assert!(clean("name", "abc\u{202E}def", 10).is_err());
    }
}
