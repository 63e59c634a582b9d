//! Rules for recording what a court did to an order's terms: a variation (conditions, protected
//! persons, the order's end) or a renewal (a new end), SPA 2019 s.7 and DAA 2021 s.44–45. The
//! order keeps its identity; each hearing is a new version of its terms.

use chrono::{Months, NaiveDate};

use super::errors::{FieldError, field_error};
use super::orders::SPO_MINIMUM_MONTHS;
use super::vocab::{OrderKind, OrderStatus, VariationKind};

/// The order as it stands before the hearing is recorded.
pub struct Current {
    pub kind: OrderKind,
    pub status: OrderStatus,
    pub made_on: NaiveDate,
    /// The day the latest terms took effect (the last variation's, or the order's own).
    pub terms_from: NaiveDate,
    pub expires_on: Option<NaiveDate>,
    pub until_further_order: bool,
}

/// What the hearing changed, without its sealed text.
pub struct Change {
    pub kind: VariationKind,
    pub heard_on: NaiveDate,
    pub effective_on: NaiveDate,
    /// The order's new end, if the court changed it.
    pub expires_on: Option<NaiveDate>,
    pub until_further_order: bool,
    /// Conditions or protected persons added or removed.
    pub terms_changed: bool,
}

impl Change {
    pub fn changes_end(&self) -> bool {
        self.expires_on.is_some() || self.until_further_order
    }
}

/// The status an order has after `kind`: an interim order stays interim (it ends when the full
/// order replaces it); any other in-force order is `varied` or `renewed`.
pub fn status_after(current: OrderStatus, kind: VariationKind) -> OrderStatus {
    match (current, kind) {
        (OrderStatus::Interim, _) => OrderStatus::Interim,
        (_, VariationKind::Variation) => OrderStatus::Varied,
        (_, VariationKind::Renewal) => OrderStatus::Renewed,
    }
}

/// Every problem with `change` to `current`, each naming its field. An order no longer in force
/// cannot be varied or renewed (a court makes a new order); the caller answers that as a conflict.
pub fn check(current: &Current, change: &Change, today: NaiveDate) -> Vec<FieldError> {
    let mut errors = Vec::new();
    if change.heard_on < current.made_on {
        errors.push(field_error("hearing.heard_on", "before_made", "must not be before the order was made"));
    }
    if change.heard_on > today {
        errors.push(field_error("hearing.heard_on", "in_future", "must not be in the future: record a hearing once it has happened"));
    }
    if change.effective_on < change.heard_on {
        errors.push(field_error("effective_on", "before_hearing", "must not be before the hearing"));
    } else if change.effective_on < current.terms_from {
        errors.push(field_error("effective_on", "before_previous_terms", "must not be before the order's current terms took effect"));
    }
    match (change.expires_on, change.until_further_order) {
        (Some(_), true) => errors.push(field_error(
            "expires_on",
            "expiry_or_until_further_order",
            "give either expires_on or until_further_order: true, not both",
        )),
        (Some(end), false) if end <= change.effective_on => {
            errors.push(field_error("expires_on", "before_effective", "must be after the day the change takes effect"));
        }
        (Some(end), false) if current.kind == OrderKind::Spo && end < add_months(current.made_on, SPO_MINIMUM_MONTHS) => {
            errors.push(field_error(
                "expires_on",
                "too_short",
                "a stalking protection order lasts at least 2 years or until further order",
            ));
        }
        _ => {}
    }
    match change.kind {
        VariationKind::Renewal if current.status == OrderStatus::Interim => {
            errors.push(field_error("kind", "not_renewable", "an interim order is not renewed: it ends when the full order is made"));
        }
        VariationKind::Renewal if !change.changes_end() => {
            errors.push(field_error("expires_on", "required", "a renewal gives the order's new end: expires_on or until_further_order"));
        }
        VariationKind::Renewal if !extends(current, change) => {
            errors.push(field_error("expires_on", "not_later", "a renewal must end the order later than it ends now"));
        }
        VariationKind::Variation if !change.changes_end() && !change.terms_changed => errors.push(field_error(
            "add_conditions",
            "no_change",
            "a variation changes something: the end, a condition or a protected person",
        )),
        _ => {}
    }
    errors
}

/// Whether the new end is later than the current one.
fn extends(current: &Current, change: &Change) -> bool {
    match (current.until_further_order, current.expires_on, change.until_further_order, change.expires_on) {
        (true, _, _, _) => false,
        (false, _, true, _) => true,
        (false, Some(now), false, Some(new)) => new > now,
        _ => false,
    }
}

fn add_months(date: NaiveDate, months: u32) -> NaiveDate {
    date.checked_add_months(Months::new(months)).unwrap_or(NaiveDate::MAX)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> NaiveDate {
        s.parse().unwrap()
    }

    fn spo() -> Current {
        Current {
            kind: OrderKind::Spo,
            status: OrderStatus::Active,
            made_on: d("2026-01-12"),
            terms_from: d("2026-01-12"),
            expires_on: Some(d("2028-01-12")),
            until_further_order: false,
        }
    }

    fn change(kind: VariationKind, expires_on: Option<&str>) -> Change {
        Change {
            kind,
            heard_on: d("2026-06-01"),
            effective_on: d("2026-06-01"),
            expires_on: expires_on.map(d),
            until_further_order: false,
            terms_changed: false,
        }
    }

    fn codes(errors: Vec<FieldError>) -> Vec<(String, &'static str)> {
        errors.into_iter().map(|e| (e.field, e.code)).collect()
    }

    #[test]
    fn a_renewal_must_end_the_order_later() {
        let today = d("2026-06-02");
        assert!(check(&spo(), &change(VariationKind::Renewal, Some("2030-01-12")), today).is_empty());
        assert_eq!(codes(check(&spo(), &change(VariationKind::Renewal, Some("2028-01-12")), today)), [("expires_on".into(), "not_later")]);
        assert_eq!(codes(check(&spo(), &change(VariationKind::Renewal, None), today)), [("expires_on".into(), "required")]);
        let ufo = Change { until_further_order: true, ..change(VariationKind::Renewal, None) };
        assert!(check(&spo(), &ufo, today).is_empty());
    }

    #[test]
    fn a_variation_changes_something_and_keeps_an_spo_to_two_years() {
        let today = d("2026-06-02");
        assert_eq!(codes(check(&spo(), &change(VariationKind::Variation, None), today)), [("add_conditions".into(), "no_change")]);
        let shorter = change(VariationKind::Variation, Some("2027-06-01"));
        assert_eq!(codes(check(&spo(), &shorter, today)), [("expires_on".into(), "too_short")]);
        let terms = Change { terms_changed: true, ..change(VariationKind::Variation, None) };
        assert!(check(&spo(), &terms, today).is_empty());
    }

    #[test]
    fn dates_follow_the_hearing_and_the_current_terms() {
        let today = d("2026-06-02");
        let future =
            Change { heard_on: d("2026-06-03"), effective_on: d("2026-06-03"), ..change(VariationKind::Renewal, Some("2030-01-01")) };
        assert_eq!(codes(check(&spo(), &future, today)), [("hearing.heard_on".into(), "in_future")]);
        let early = Change { effective_on: d("2026-05-31"), ..change(VariationKind::Renewal, Some("2030-01-01")) };
        assert_eq!(codes(check(&spo(), &early, today)), [("effective_on".into(), "before_hearing")]);
        let current = Current { terms_from: d("2026-06-02"), ..spo() };
        assert_eq!(
            codes(check(&current, &change(VariationKind::Renewal, Some("2030-01-01")), today)),
            [("effective_on".into(), "before_previous_terms")]
        );
        let interim = Current { kind: OrderKind::InterimSpo, status: OrderStatus::Interim, ..spo() };
        assert_eq!(codes(check(&interim, &change(VariationKind::Renewal, Some("2030-01-01")), today)), [("kind".into(), "not_renewable")]);
    }

    #[test]
    fn status_follows_what_the_court_did() {
        assert_eq!(status_after(OrderStatus::Active, VariationKind::Renewal), OrderStatus::Renewed);
        assert_eq!(status_after(OrderStatus::Renewed, VariationKind::Variation), OrderStatus::Varied);
        assert_eq!(status_after(OrderStatus::Interim, VariationKind::Variation), OrderStatus::Interim);
    }
}
