//! "Why is this due?": every occurrence of a duty records the event that started its clock and
//! the day of that event ([`DueEvent`]); [`explain`] turns that, the duty's kind and its regime
//! into the rule and the event in words, so an officer never has to work a deadline out again.

use chrono::NaiveDate;
use serde::Serialize;

use super::regimes::{ChangeEvent, NFA_WEEKLY_DAYS, Regime, Trigger};
use super::vocab::{ObligationKind, vocabulary};

vocabulary!(
    /// The event that started an occurrence's clock (`occurrences.basis_event`).
    DueEvent {
        OrderMade => "order_made", OrderServed => "order_served", NameChanged => "name_changed",
        AddressChanged => "address_changed", NoHomeAddress => "no_home_address", QualifyingStay => "qualifying_stay",
        OnlineIdentifier => "online_identifier", Device => "device", Vehicle => "vehicle",
        LastNotification => "last_notification", Session => "session", Rescheduled => "rescheduled",
        DisplacingOrderEnded => "displacing_order_ended", Travel => "travel",
    }
);

impl From<ChangeEvent> for DueEvent {
    fn from(event: ChangeEvent) -> Self {
        match event {
            ChangeEvent::Name => Self::NameChanged,
            ChangeEvent::Address => Self::AddressChanged,
            ChangeEvent::NoHomeAddress => Self::NoHomeAddress,
            ChangeEvent::QualifyingStay => Self::QualifyingStay,
            ChangeEvent::OnlineIdentifier => Self::OnlineIdentifier,
            ChangeEvent::Device => Self::Device,
            ChangeEvent::Vehicle => Self::Vehicle,
        }
    }
}

impl From<Trigger> for Option<DueEvent> {
    fn from(trigger: Trigger) -> Self {
        match trigger {
            Trigger::Made => Some(DueEvent::OrderMade),
            Trigger::Service => Some(DueEvent::OrderServed),
            Trigger::None => None,
        }
    }
}

/// The event behind an occurrence, as stored.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Basis {
    pub event: DueEvent,
    pub on: NaiveDate,
}

/// Why an occurrence is due, in words.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct WhyDue {
    /// The regime's title ("Stalking Protection Act 2019 s.9"), for notification duties.
    pub regime: Option<String>,
    /// The rule that sets the deadline.
    pub rule: String,
    /// The event that started the clock and its day; absent for occurrences recorded before
    /// Vigil kept it.
    pub event: Option<String>,
}

fn day(d: NaiveDate) -> String {
    d.format("%-d %B %Y").to_string()
}

fn days(n: u32) -> String {
    if n == 1 { "1 day".into() } else { format!("{n} days") }
}

/// The rule and event of an occurrence of a `kind` duty under `regime` (titled `regime_title`).
pub fn explain(kind: ObligationKind, regime: Option<&Regime>, regime_title: Option<&str>, basis: Option<Basis>) -> WhyDue {
    let rule = match (kind, regime) {
        (ObligationKind::InitialNotification, Some(r)) => {
            let from = match r.initial_trigger {
                Trigger::Made => "the day the order was made",
                Trigger::Service => "the day the order was served",
                Trigger::None => "the day the duty began",
            };
            let how = if r.in_person { "Notify the police in person" } else { "Notify the police" };
            format!("{how} within {} beginning with {from}.", days(r.initial_days.unwrap_or(0)))
        }
        (ObligationKind::ChangeNotification, Some(r)) => match (basis.map(|b| b.event), r.qualifying_stay_days) {
            (Some(DueEvent::QualifyingStay), Some(stay)) => format!(
                "Notify a stay of {} at an address not notified within {} beginning with the day it reaches {}.",
                days(stay),
                days(r.change_days.unwrap_or(0)),
                days(stay)
            ),
            (Some(DueEvent::Travel), _) => format!(
                "Notify travel abroad at least {} before departure, or, where the details were not known by then, at least {} hours before.",
                days(r.travel_notice_days.unwrap_or(0)),
                super::regimes::TRAVEL_LATE_NOTICE_HOURS
            ),
            _ => format!("Notify each change within {} beginning with the day of the change.", days(r.change_days.unwrap_or(0))),
        },
        (ObligationKind::AnnualNotification, _) => "Notify again within one year beginning with the day of the last notification.".into(),
        (ObligationKind::WeeklyNotification, _) => format!(
            "While of no fixed abode, notify again within {} beginning with the day of the last notification.",
            days(NFA_WEEKLY_DAYS)
        ),
        (ObligationKind::InitialNotification | ObligationKind::ChangeNotification, None) => "A notification the order requires.".into(),
        (ObligationKind::AttendProgramme | ObligationKind::AttendAppointment | ObligationKind::OtherRequirement, _) => {
            "A positive requirement of the order: each session on its schedule.".into()
        }
    };
    let event = basis.map(|b| {
        let on = day(b.on);
        match b.event {
            DueEvent::OrderMade => format!("The order was made on {on}."),
            DueEvent::OrderServed => format!("The order was served on {on}."),
            DueEvent::NameChanged => format!("A change of name from {on}."),
            DueEvent::AddressChanged => format!("A change of home address from {on}."),
            DueEvent::NoHomeAddress => format!("No home address from {on}."),
            DueEvent::QualifyingStay => match regime.and_then(|r| r.qualifying_stay_days) {
                Some(stay) => {
                    format!("A stay at another address from {on}, qualifying on {}.", day(super::regimes::qualifying_day(b.on, stay)))
                }
                None => format!("A stay at another address from {on}."),
            },
            DueEvent::OnlineIdentifier => format!("A new online identifier from {on}."),
            DueEvent::Device => format!("A new phone or device from {on}."),
            DueEvent::Vehicle => format!("A new vehicle from {on}."),
            DueEvent::LastNotification => format!("The last notification was on {on}."),
            DueEvent::Session => format!("A session scheduled for {on}."),
            DueEvent::Rescheduled => format!("Rescheduled on {on}."),
            DueEvent::Travel => format!("Travel abroad departing on {on}."),
            DueEvent::DisplacingOrderEnded => {
                format!("Until {on} the notification requirements of another order applied instead; they ended that day.")
            }
        }
    });
    let regime = if kind.is_notification() { regime_title.map(str::to_owned) } else { None };
    WhyDue { regime, rule, event }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn spo() -> Regime {
        Regime {
            code: "spa2019_s9".into(),
            initial_trigger: Trigger::Service,
            initial_days: Some(3),
            change_days: Some(3),
            change_events: Regime::parse_events("name,address").unwrap(),
            annual: false,
            nfa_weekly: false,
            in_person: true,
            acknowledgement_required: true,
            qualifying_stay_days: None,
            travel_notice_days: None,
            displaced_by: Vec::new(),
        }
    }

    #[test]
    fn an_initial_notification_names_the_regime_the_rule_and_the_service() {
        let served = Basis { event: DueEvent::OrderServed, on: NaiveDate::from_ymd_opt(2026, 11, 3).unwrap() };
        let why = explain(ObligationKind::InitialNotification, Some(&spo()), Some("Stalking Protection Act 2019 s.9"), Some(served));
        assert_eq!(why.regime.as_deref(), Some("Stalking Protection Act 2019 s.9"));
        assert_eq!(why.rule, "Notify the police in person within 3 days beginning with the day the order was served.");
        assert_eq!(why.event.as_deref(), Some("The order was served on 3 November 2026."));
    }

    #[test]
    fn a_change_and_a_session_say_what_happened_and_a_requirement_names_no_regime() {
        let moved = Basis { event: ChangeEvent::Address.into(), on: NaiveDate::from_ymd_opt(2026, 7, 6).unwrap() };
        let why = explain(ObligationKind::ChangeNotification, Some(&spo()), Some("SPA"), Some(moved));
        assert_eq!(why.rule, "Notify each change within 3 days beginning with the day of the change.");
        assert_eq!(why.event.as_deref(), Some("A change of home address from 6 July 2026."));
        let session = Basis { event: DueEvent::Session, on: NaiveDate::from_ymd_opt(2026, 12, 1).unwrap() };
        let why = explain(ObligationKind::AttendProgramme, None, Some("SPA"), Some(session));
        assert_eq!((why.regime, why.event.as_deref()), (None, Some("A session scheduled for 1 December 2026.")));
    }

    #[test]
    fn an_occurrence_from_before_the_basis_was_kept_still_has_its_rule() {
        let why = explain(ObligationKind::AnnualNotification, None, None, None);
        assert!(why.rule.starts_with("Notify again within one year"));
        assert_eq!(why.event, None);
    }
}
