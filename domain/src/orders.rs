//! Rules about orders that need no database: which dates and statuses an order may have, which
//! conditions are well formed, and which kind of obligation a requirement becomes.

use crate::schedule::Schedule;
use chrono::{Months, NaiveDate};

use super::errors::{FieldError, field_error};
use super::vocab::{ConditionCategory, ConditionKind, ObligationKind, OrderKind, OrderStatus};

/// SPA 2019 s.2: a stalking protection order has effect for a fixed period of not less than two
/// years, or until a further order. `expires_on` is the day the order ceases to have effect, so
/// it may not fall before the second anniversary of the day the order was made.
pub const SPO_MINIMUM_MONTHS: u32 = 24;

/// DAA 2021 s.38: an electronic monitoring requirement may not have effect for more than 12
/// months. A period of months "beginning with" a day includes that day, so a requirement that
/// starts on 12 January 2026 may run to the end of 11 January 2027, and one that starts on
/// 29 February to the end of the next 28 February (`calendar::anniversary`).
pub const ELECTRONIC_MONITORING_MAXIMUM_MONTHS: u32 = 12;

/// The dates that make up an order's life.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct OrderDates {
    pub made_on: NaiveDate,
    pub served_on: Option<NaiveDate>,
    pub effective_on: Option<NaiveDate>,
    pub expires_on: Option<NaiveDate>,
    pub until_further_order: bool,
}

/// Every problem with an order's dates, each naming its field.
pub fn check_dates(kind: OrderKind, d: &OrderDates, today: NaiveDate) -> Vec<FieldError> {
    let mut errors = Vec::new();
    if d.made_on > today {
        errors.push(field_error("made_on", "in_future", "must not be in the future"));
    }
    if let Some(served) = d.served_on {
        errors.extend(check_service(d.made_on, served, today).err());
    }
    if d.effective_on.is_some_and(|e| e < d.made_on) {
        errors.push(field_error("effective_on", "before_made", "must not be before made_on"));
    }
    match (d.expires_on, d.until_further_order) {
        (Some(_), true) | (None, false) => errors.push(field_error(
            "expires_on",
            "expiry_or_until_further_order",
            "give either expires_on or until_further_order: true, exactly one of them",
        )),
        (Some(expires), false) if expires < d.made_on => {
            errors.push(field_error("expires_on", "before_made", "must not be before made_on"));
        }
        (Some(expires), false) if kind == OrderKind::Spo && expires < add_months(d.made_on, SPO_MINIMUM_MONTHS) => {
            errors.push(field_error(
                "expires_on",
                "too_short",
                "a stalking protection order lasts at least 2 years or until further order",
            ));
        }
        _ => {}
    }
    errors
}

/// Service happens on or after the day the order is made, and not in the future.
pub fn check_service(made_on: NaiveDate, served_on: NaiveDate, today: NaiveDate) -> Result<(), FieldError> {
    if served_on < made_on {
        return Err(field_error("served_on", "before_made", "must not be before made_on"));
    }
    if served_on > today {
        return Err(field_error("served_on", "in_future", "must not be in the future"));
    }
    Ok(())
}

/// The day a court's discharge took effect, which may be recorded later: not before the order
/// was made, not in the future, and not after the order had already expired.
pub fn check_discharge(
    made_on: NaiveDate,
    expires_on: Option<NaiveDate>,
    effective_on: NaiveDate,
    today: NaiveDate,
) -> Result<(), FieldError> {
    if effective_on < made_on {
        return Err(field_error("effective_on", "before_made", "must not be before the order was made"));
    }
    if effective_on > today {
        return Err(field_error("effective_on", "in_future", "must not be in the future"));
    }
    if expires_on.is_some_and(|e| effective_on >= e) {
        return Err(field_error("effective_on", "after_expiry", "must be before the day the order expires"));
    }
    Ok(())
}

/// A new order is in force; only an interim order starts as `interim`. Orders end through a
/// status change, so that who ended them and why is recorded.
pub fn check_new_status(kind: OrderKind, status: OrderStatus) -> Result<(), FieldError> {
    if !status.is_in_force() {
        return Err(field_error("status", "not_in_force", "a new order must be in force; record its end as a status change"));
    }
    if (status == OrderStatus::Interim) != (kind == OrderKind::InterimSpo) {
        return Err(field_error("status", "interim_mismatch", "only an interim order has status interim, and it must"));
    }
    Ok(())
}

/// The kind of order a new order of `kind` replaces, if any. SPA 2019 s.5(6): an interim SPO has
/// effect until the main application is decided, when the full SPO made on it replaces it.
pub fn replaced_kind(kind: OrderKind) -> Option<OrderKind> {
    match kind {
        OrderKind::Spo => Some(OrderKind::InterimSpo),
        _ => None,
    }
}

/// What a replacement needs to know of the order it replaces.
pub struct Replaced {
    pub kind: OrderKind,
    pub status: OrderStatus,
    pub same_registrant: bool,
    pub made_on: NaiveDate,
    pub expires_on: Option<NaiveDate>,
}

/// A new order of `kind`, in effect from `effective_on`, may replace `replaced` only if that is an
/// order of the kind it replaces, of the same registrant, still in force, and made no later. A
/// replacement is recorded once it has effect, so that the replaced order ends on a known day.
pub fn check_replacement(kind: OrderKind, effective_on: NaiveDate, replaced: &Replaced, today: NaiveDate) -> Result<(), FieldError> {
    const FIELD: &str = "replaces_order_id";
    if !replaced.same_registrant {
        return Err(field_error(FIELD, "other_registrant", "names an order of another registrant"));
    }
    if replaced_kind(kind) != Some(replaced.kind) {
        return Err(field_error(FIELD, "not_replaceable", format!("a {kind} order cannot replace a {} order", replaced.kind)));
    }
    if !replaced.status.is_in_force() || replaced.expires_on.is_some_and(|e| e <= today) {
        return Err(field_error(FIELD, "not_in_force", "the order it replaces is no longer in force"));
    }
    if effective_on < replaced.made_on {
        return Err(field_error("effective_on", "before_replaced", "must not be before the replaced order was made"));
    }
    if effective_on > today {
        return Err(field_error("effective_on", "in_future", "record a replacing order once it has effect"));
    }
    Ok(())
}

/// Which conditions are prohibitions and which are requirements; `other` may be either.
pub fn category_fits(kind: ConditionKind, category: ConditionCategory) -> bool {
    use ConditionCategory::*;
    match category {
        Other => true,
        NoContact | ExclusionZone | BannedChannel => kind == ConditionKind::Prohibition,
        AttendProgramme | AttendAppointments | Notify | SurrenderPassport | ElectronicMonitoring => kind == ConditionKind::Requirement,
    }
}

/// What a scheduled requirement becomes.
pub fn obligation_kind(category: ConditionCategory) -> ObligationKind {
    match category {
        ConditionCategory::AttendProgramme => ObligationKind::AttendProgramme,
        ConditionCategory::AttendAppointments => ObligationKind::AttendAppointment,
        _ => ObligationKind::OtherRequirement,
    }
}

/// The shape of a condition, without its sealed text.
pub struct ConditionShape<'a> {
    pub kind: ConditionKind,
    pub category: ConditionCategory,
    pub responsible_person: Option<&'a str>,
    pub schedule: Option<&'a Schedule>,
    pub starts_on: Option<NaiveDate>,
    pub ends_on: Option<NaiveDate>,
}

/// Every problem with one condition; `field` is its JSON path, e.g. `conditions[1]`.
pub fn check_condition(field: &str, order_kind: OrderKind, made_on: NaiveDate, c: &ConditionShape<'_>) -> Vec<FieldError> {
    let mut errors = Vec::new();
    if !category_fits(c.kind, c.category) {
        errors.push(field_error(format!("{field}.category"), "wrong_kind", format!("is not a category of {}", c.kind)));
    }
    if c.starts_on.zip(c.ends_on).is_some_and(|(s, e)| e < s) {
        errors.push(field_error(format!("{field}.ends_on"), "before_start", "must not be before starts_on"));
    }
    if let Some(schedule) = c.schedule {
        if c.kind != ConditionKind::Requirement {
            errors.push(field_error(format!("{field}.schedule"), "not_allowed", "only requirements have a schedule"));
        }
        if schedule.ends_on.is_some_and(|e| e < schedule.starts_on) {
            errors.push(field_error(format!("{field}.schedule.ends_on"), "before_start", "must not be before starts_on"));
        }
        if schedule.except.len() > crate::schedule::MAX_EXCEPTIONS {
            errors.push(field_error(
                format!("{field}.schedule.except"),
                "too_many",
                format!("must list at most {} days", crate::schedule::MAX_EXCEPTIONS),
            ));
        }
    }
    // DAA 2021: a positive requirement names the person responsible for supervising compliance.
    if order_kind == OrderKind::Dapo && c.kind == ConditionKind::Requirement && c.responsible_person.is_none() {
        errors.push(field_error(
            format!("{field}.responsible_person"),
            "required",
            "a DAPO requirement must name who supervises compliance",
        ));
    }
    if order_kind == OrderKind::Dapo && c.category == ConditionCategory::ElectronicMonitoring {
        let start = c.starts_on.unwrap_or(made_on);
        match c.ends_on {
            None => errors.push(field_error(format!("{field}.ends_on"), "required", "electronic monitoring needs an end date")),
            Some(end) if end > crate::calendar::last_day_of_months_beginning_with(start, ELECTRONIC_MONITORING_MAXIMUM_MONTHS) => {
                errors.push(field_error(format!("{field}.ends_on"), "too_long", "electronic monitoring may last at most 12 months"));
            }
            Some(_) => {}
        }
    }
    errors
}

/// How far ahead scheduled sessions are materialised as occurrences; the materialising job keeps
/// topping this up, so it only needs to cover the gap between its runs with room to spare.
pub const MATERIALISE_DAYS: u64 = 56;

/// The schedule an obligation keeps: the court's schedule narrowed to the condition's own dates
/// and to the order's life (`expires_on` is the first day the order no longer has effect).
pub fn effective_schedule(
    schedule: &Schedule,
    starts_on: Option<NaiveDate>,
    ends_on: Option<NaiveDate>,
    expires_on: Option<NaiveDate>,
) -> Schedule {
    let last_in_force = expires_on.and_then(|e| e.pred_opt());
    let ends = [schedule.ends_on, ends_on, last_in_force].into_iter().flatten().min();
    Schedule { starts_on: starts_on.map_or(schedule.starts_on, |s| s.max(schedule.starts_on)), ends_on: ends, ..schedule.clone() }
}

/// The local dates whose sessions should exist now: from today (or the start, if later) for
/// [`MATERIALISE_DAYS`] days. Sessions already past are not created after the fact.
pub fn materialise_range(schedule: &Schedule, today: NaiveDate) -> (NaiveDate, NaiveDate) {
    let from = today.max(schedule.starts_on);
    let to = from.checked_add_days(chrono::Days::new(MATERIALISE_DAYS - 1)).unwrap_or(NaiveDate::MAX);
    (from, to)
}

fn add_months(date: NaiveDate, months: u32) -> NaiveDate {
    date.checked_add_months(Months::new(months)).unwrap_or(NaiveDate::MAX)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::schedule::Frequency;
    use chrono::NaiveTime;

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).unwrap()
    }

    fn dates(expires_on: Option<NaiveDate>, until_further_order: bool) -> OrderDates {
        OrderDates { made_on: d(2026, 1, 12), served_on: Some(d(2026, 1, 12)), effective_on: None, expires_on, until_further_order }
    }

    fn fields(errors: &[FieldError]) -> Vec<(&str, &str)> {
        errors.iter().map(|e| (e.field.as_str(), e.code)).collect()
    }

    #[test]
    fn an_order_has_an_expiry_or_lasts_until_further_order_but_not_both() {
        let today = d(2026, 11, 22);
        assert_eq!(fields(&check_dates(OrderKind::Dapo, &dates(None, false), today)), [("expires_on", "expiry_or_until_further_order")]);
        assert_eq!(
            fields(&check_dates(OrderKind::Dapo, &dates(Some(d(2027, 1, 1)), true), today)),
            [("expires_on", "expiry_or_until_further_order")]
        );
        assert!(check_dates(OrderKind::Dapo, &dates(None, true), today).is_empty());
    }

    #[test]
    fn a_full_spo_lasts_at_least_two_years_but_an_interim_one_need_not() {
        let today = d(2026, 11, 22);
        let short = dates(Some(d(2028, 1, 11)), false);
        assert_eq!(fields(&check_dates(OrderKind::Spo, &short, today)), [("expires_on", "too_short")]);
        assert!(check_dates(OrderKind::Spo, &dates(Some(d(2028, 1, 12)), false), today).is_empty());
        assert!(check_dates(OrderKind::InterimSpo, &short, today).is_empty());
    }

    #[test]
    fn service_and_expiry_cannot_precede_the_making_of_the_order() {
        let mut bad = dates(Some(d(2025, 1, 1)), false);
        bad.served_on = Some(d(2026, 1, 11));
        bad.effective_on = Some(d(2026, 1, 1));
        let errors = check_dates(OrderKind::Dapo, &bad, d(2026, 11, 22));
        assert_eq!(fields(&errors), [("served_on", "before_made"), ("effective_on", "before_made"), ("expires_on", "before_made")]);
        assert_eq!(check_service(d(2026, 1, 12), d(2026, 12, 1), d(2026, 11, 22)).unwrap_err().code, "in_future");
    }

    #[test]
    fn only_interim_orders_start_interim_and_new_orders_are_in_force() {
        assert!(check_new_status(OrderKind::InterimSpo, OrderStatus::Interim).is_ok());
        assert!(check_new_status(OrderKind::Spo, OrderStatus::Interim).is_err());
        assert!(check_new_status(OrderKind::InterimSpo, OrderStatus::Active).is_err());
        assert_eq!(check_new_status(OrderKind::Spo, OrderStatus::Discharged).unwrap_err().code, "not_in_force");
    }

    #[test]
    fn a_full_spo_replaces_only_an_in_force_interim_spo_of_the_same_registrant() {
        let today = d(2026, 3, 1);
        let interim = || Replaced {
            kind: OrderKind::InterimSpo,
            status: OrderStatus::Interim,
            same_registrant: true,
            made_on: d(2026, 1, 5),
            expires_on: None,
        };
        assert!(check_replacement(OrderKind::Spo, d(2026, 2, 20), &interim(), today).is_ok());
        let code = |r: &Replaced, kind, on| check_replacement(kind, on, r, today).unwrap_err().code;
        assert_eq!(code(&interim(), OrderKind::Dapo, d(2026, 2, 20)), "not_replaceable");
        assert_eq!(code(&Replaced { same_registrant: false, ..interim() }, OrderKind::Spo, d(2026, 2, 20)), "other_registrant");
        assert_eq!(code(&Replaced { kind: OrderKind::Spo, ..interim() }, OrderKind::Spo, d(2026, 2, 20)), "not_replaceable");
        assert_eq!(code(&Replaced { status: OrderStatus::Superseded, ..interim() }, OrderKind::Spo, d(2026, 2, 20)), "not_in_force");
        assert_eq!(code(&Replaced { expires_on: Some(today), ..interim() }, OrderKind::Spo, d(2026, 2, 20)), "not_in_force");
        assert_eq!(code(&interim(), OrderKind::Spo, d(2026, 1, 4)), "before_replaced");
        assert_eq!(code(&interim(), OrderKind::Spo, d(2026, 3, 2)), "in_future");
    }

    #[test]
    fn dapo_requirements_name_a_supervisor_and_monitoring_is_capped_at_a_year() {
        let schedule = Schedule::new(
            Frequency::Week { weekday: chrono::Weekday::Tue },
            NaiveTime::from_hms_opt(10, 0, 0).unwrap(),
            d(2026, 2, 1),
            None,
        );
        let programme = ConditionShape {
            kind: ConditionKind::Requirement,
            category: ConditionCategory::AttendProgramme,
            responsible_person: None,
            schedule: Some(&schedule),
            starts_on: None,
            ends_on: None,
        };
        assert_eq!(
            fields(&check_condition("conditions[0]", OrderKind::Dapo, d(2026, 1, 12), &programme)),
            [("conditions[0].responsible_person", "required")]
        );
        assert!(check_condition("conditions[0]", OrderKind::Spo, d(2026, 1, 12), &programme).is_empty());
        let monitoring = ConditionShape {
            kind: ConditionKind::Requirement,
            category: ConditionCategory::ElectronicMonitoring,
            responsible_person: Some("EM supervisor"),
            schedule: None,
            starts_on: Some(d(2026, 1, 12)),
            ends_on: Some(d(2027, 1, 13)),
        };
        assert_eq!(fields(&check_condition("c", OrderKind::Dapo, d(2026, 1, 12), &monitoring)), [("c.ends_on", "too_long")]);
        // Twelve months including the start day: the day before the anniversary is the last.
        let one_day_over = ConditionShape { ends_on: Some(d(2027, 1, 12)), ..monitoring };
        assert_eq!(fields(&check_condition("c", OrderKind::Dapo, d(2026, 1, 12), &one_day_over)), [("c.ends_on", "too_long")]);
        let exactly = ConditionShape { ends_on: Some(d(2027, 1, 11)), ..monitoring };
        assert!(check_condition("c", OrderKind::Dapo, d(2026, 1, 12), &exactly).is_empty());
        let leap = ConditionShape { starts_on: Some(d(2028, 2, 29)), ends_on: Some(d(2029, 2, 28)), ..monitoring };
        assert!(check_condition("c", OrderKind::Dapo, d(2028, 2, 29), &leap).is_empty());
        let leap_over = ConditionShape { ends_on: Some(d(2029, 3, 1)), ..leap };
        assert_eq!(fields(&check_condition("c", OrderKind::Dapo, d(2028, 2, 29), &leap_over)), [("c.ends_on", "too_long")]);
    }

    #[test]
    fn schedules_are_narrowed_to_the_condition_and_the_life_of_the_order() {
        let schedule = Schedule::new(
            Frequency::Week { weekday: chrono::Weekday::Tue },
            NaiveTime::from_hms_opt(10, 0, 0).unwrap(),
            d(2026, 2, 1),
            Some(d(2026, 12, 31)),
        );
        let narrowed = effective_schedule(&schedule, Some(d(2026, 3, 1)), None, Some(d(2026, 6, 1)));
        assert_eq!((narrowed.starts_on, narrowed.ends_on), (d(2026, 3, 1), Some(d(2026, 5, 31))));
        assert_eq!(materialise_range(&narrowed, d(2026, 1, 1)), (d(2026, 3, 1), d(2026, 4, 25)));
        assert_eq!(materialise_range(&narrowed, d(2026, 4, 1)).0, d(2026, 4, 1));
        // Eight weekly sessions in the window.
        let (from, to) = materialise_range(&schedule, d(2026, 2, 1));
        assert_eq!(schedule.due_between(from, to).len(), 8);
    }

    #[test]
    fn prohibitions_have_no_schedule_and_categories_match_their_kind() {
        let schedule = Schedule::new(Frequency::Day, NaiveTime::MIN, d(2026, 1, 1), None);
        let shape = ConditionShape {
            kind: ConditionKind::Prohibition,
            category: ConditionCategory::AttendProgramme,
            responsible_person: None,
            schedule: Some(&schedule),
            starts_on: None,
            ends_on: None,
        };
        assert_eq!(
            fields(&check_condition("c", OrderKind::Spo, d(2026, 1, 1), &shape)),
            [("c.category", "wrong_kind"), ("c.schedule", "not_allowed")]
        );
        assert_eq!(obligation_kind(ConditionCategory::AttendAppointments), ObligationKind::AttendAppointment);
        assert_eq!(obligation_kind(ConditionCategory::SurrenderPassport), ObligationKind::OtherRequirement);
    }
}
