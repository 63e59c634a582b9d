//! Why someone is looking at a person's record (DPA 2018 s.62: consultation must be logged with
//! its justification). Every read of a registrant's content carries one of these codes in the
//! `Vigil-Reason-Code` header; codes tied to a crime or a case also need its reference in
//! `Vigil-Crime-Reference`. The audit trail stores both, so an auditor can ask "who read this
//! record, and for what?" and get a closed answer rather than free text.
//!
//! The list is published (`GET /api/v1/reasons`) so clients and the web interface offer exactly
//! these; an unknown code is refused.

use crate::errors::FieldErrors;

pub const REASON_HEADER: &str = "Vigil-Reason-Code";
pub const REFERENCE_HEADER: &str = "Vigil-Crime-Reference";

#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Reason {
    pub code: &'static str,
    pub title: &'static str,
    /// Whether a crime or case reference must accompany it.
    pub needs_reference: bool,
}

const fn reason(code: &'static str, title: &'static str, needs_reference: bool) -> Reason {
    Reason { code, title, needs_reference }
}

pub const REASONS: &[Reason] = &[
    reason("INVESTIGATION", "Investigating a crime or incident", true),
    reason("OFFENDER_MANAGEMENT", "Managing this registrant (case management, MAPPA)", false),
    reason("RISK_ASSESSMENT", "Assessing or reviewing risk", false),
    reason("COMPLIANCE", "Checking or recording compliance with an order or obligation", false),
    reason("BREACH_ENFORCEMENT", "Acting on a breach", true),
    reason("SAFEGUARDING", "Protecting a victim or a person at risk", true),
    reason("INTELLIGENCE", "Developing intelligence", true),
    reason("DISCLOSURE", "Answering a disclosure request (subject access, court, another agency)", true),
    reason("DATA_QUALITY", "Correcting or quality-assuring the record", false),
    reason("AUDIT", "Auditing use of the register", false),
];

pub fn find(code: &str) -> Option<&'static Reason> {
    REASONS.iter().find(|r| r.code == code)
}

/// Checks a justification as given: the code must be known and, where it needs one, come with a
/// reference. `required`: whether this operation needs a justification at all.
pub fn check(code: Option<&str>, reference: Option<&str>, required: bool) -> Result<(), FieldErrors> {
    let mut errors = FieldErrors::default();
    match code {
        None if required => {
            errors.push(REASON_HEADER, "justification_required", "reading this record needs a reason code (GET /api/v1/reasons)")
        }
        None => {}
        Some(code) => match find(code) {
            None => errors.push(REASON_HEADER, "unknown_reason_code", "not a reason code (GET /api/v1/reasons lists them)"),
            Some(r) if r.needs_reference && reference.is_none() => {
                errors.push(REFERENCE_HEADER, "reference_required", "this reason code needs a crime or case reference")
            }
            Some(_) => {}
        },
    }
    errors.finish()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_are_unique_and_plain() {
        for (i, r) in REASONS.iter().enumerate() {
            assert!(r.code.bytes().all(|b| b.is_ascii_uppercase() || b == b'_'), "{}", r.code);
            assert!(REASONS[i + 1..].iter().all(|o| o.code != r.code), "{} twice", r.code);
        }
    }

    #[test]
    fn a_justification_is_a_known_code_with_its_reference_where_needed() {
        assert!(check(Some("OFFENDER_MANAGEMENT"), None, true).is_ok());
        assert!(check(Some("INVESTIGATION"), Some("01/123/26"), true).is_ok());
        assert!(check(None, None, false).is_ok(), "not every operation needs one");
        let code = |r: Result<(), FieldErrors>| r.unwrap_err().0.into_iter().map(|e| (e.field, e.code)).collect::<Vec<_>>();
        assert_eq!(code(check(None, None, true)), [(REASON_HEADER.to_owned(), "justification_required")]);
        assert_eq!(code(check(Some("BECAUSE"), None, false)), [(REASON_HEADER.to_owned(), "unknown_reason_code")]);
        assert_eq!(code(check(Some("INVESTIGATION"), None, true)), [(REFERENCE_HEADER.to_owned(), "reference_required")]);
    }
}
