//! Notification regimes as data (DESIGN §2). A [`Regime`] is a row of the `regimes` table in
//! domain form; the functions here turn its numbers into due instants using the legal calendar.
//! Which regime applies, and when, is decided by the rows, never by a `match` on the order kind.

use chrono::{DateTime, NaiveDate, Utc};

use super::calendar;
use super::due::DueEvent;
use super::vocab::{AddressKind, IdentifierKind, NotificationKind, ObligationKind, vocabulary};

vocabulary!(
    /// The event that starts the initial notification period.
    Trigger { None => "none", Made => "made", Service => "service" }
);

vocabulary!(
    /// Changes a regime may require the registrant to notify (the `change_events` column).
    ChangeEvent {
        Name => "name", Address => "address", NoHomeAddress => "no_home_address", QualifyingStay => "qualifying_stay",
        OnlineIdentifier => "online_identifier", Device => "device", Vehicle => "vehicle",
    }
);

impl ChangeEvent {
    /// Adding an address of this kind is a change of home address, of having none, or a stay.
    pub fn for_address(kind: AddressKind) -> Self {
        match kind {
            AddressKind::Home => Self::Address,
            AddressKind::RegularlyFound => Self::NoHomeAddress,
            AddressKind::QualifyingStay => Self::QualifyingStay,
        }
    }

    /// Identifiers that the serial stalker register asks to be notified; national identifiers
    /// are not changes the registrant notifies.
    pub fn for_identifier(kind: IdentifierKind) -> Option<Self> {
        match kind {
            IdentifierKind::Email | IdentifierKind::OnlineHandle => Some(Self::OnlineIdentifier),
            IdentifierKind::Phone | IdentifierKind::Imei => Some(Self::Device),
            IdentifierKind::VehicleRegistration => Some(Self::Vehicle),
            IdentifierKind::PncId | IdentifierKind::NiNumber | IdentifierKind::Passport | IdentifierKind::NationalId => None,
        }
    }
}

/// Serialised as it is for clients' reference data (`GET /api/v1/reference`).
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Regime {
    pub code: String,
    pub initial_trigger: Trigger,
    pub initial_days: Option<u32>,
    pub change_days: Option<u32>,
    pub change_events: Vec<ChangeEvent>,
    /// Re-notify within a year of the last notification (SOA 2003 model).
    pub annual: bool,
    /// Re-notify weekly while of no fixed abode.
    pub nfa_weekly: bool,
    pub in_person: bool,
    /// The officer must give a written acknowledgement (SPA 2019 s.10).
    pub acknowledgement_required: bool,
    /// A stay at an address not notified becomes notifiable once it has lasted this many days
    /// (SOA 2003 s.84(1)(c), s.84(6): 7 days).
    pub qualifying_stay_days: Option<u32>,
    /// Foreign travel must be notified this many days before departure (SOA 2003 s.86).
    pub travel_notice_days: Option<u32>,
    /// Regimes whose notification requirements, while the person is subject to them, mean this
    /// one's do not apply (SPA 2019 s.9(5)-(7), DAA 2021 s.41(8)-(9)).
    pub displaced_by: Vec<String>,
}

/// An order as far as overlapping regimes are concerned.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Subject<'a> {
    pub regime: &'a str,
    pub made_on: NaiveDate,
    /// Orders made the same day are ordered by when they were recorded (time-ordered ids).
    pub recorded: uuid::Uuid,
}

/// Whether being subject to `other` means `this` order's notification requirements (under
/// `regime`) do not apply. Under the same regime only the earlier order applies (a second DAPO
/// does not add a second set of duties); a different regime listed in `displaced_by` displaces
/// whichever came first.
pub fn displaces(regime: &Regime, this: Subject<'_>, other: Subject<'_>) -> bool {
    if other.recorded == this.recorded || !regime.displaced_by.iter().any(|c| c == other.regime) {
        return false;
    }
    other.regime != this.regime || (other.made_on, other.recorded) < (this.made_on, this.recorded)
}

/// Days after which the weekly duty of a registrant of no fixed abode falls due.
pub const NFA_WEEKLY_DAYS: u32 = 7;

impl Regime {
    /// Parses the stored `change_events` list; unknown names are a data error.
    pub fn parse_events(text: &str) -> Option<Vec<ChangeEvent>> {
        text.split(',').map(str::trim).filter(|s| !s.is_empty()).map(ChangeEvent::parse).collect()
    }

    /// The day the initial period begins with, if `trigger` is the event that starts it.
    pub fn initial_period_start(&self, trigger: Trigger, made_on: NaiveDate, served_on: Option<NaiveDate>) -> Option<NaiveDate> {
        if self.initial_trigger != trigger || self.initial_days.is_none() {
            return None;
        }
        match trigger {
            Trigger::Made => Some(made_on),
            Trigger::Service => served_on,
            Trigger::None => None,
        }
    }

    /// When the initial notification is due, counting the trigger day as day one.
    pub fn initial_due(&self, first_day: NaiveDate) -> Option<DateTime<Utc>> {
        self.initial_days.map(|days| calendar::end_of_days_beginning_with(first_day, days))
    }

    /// When a change must be notified, if this regime requires it at all. A stay counts from
    /// the day it becomes qualifying (its `qualifying_stay_days`th day), not its first day.
    pub fn change_due(&self, event: ChangeEvent, changed_on: NaiveDate) -> Option<DateTime<Utc>> {
        let days = self.change_days?;
        if !self.change_events.contains(&event) {
            return None;
        }
        let counts_from = match (event, self.qualifying_stay_days) {
            (ChangeEvent::QualifyingStay, Some(stay)) => self::qualifying_day(changed_on, stay),
            _ => changed_on,
        };
        Some(calendar::end_of_days_beginning_with(counts_from, days))
    }

    /// The next annual notification: within one year beginning with the day of the last one.
    pub fn annual_due(&self, last_notified_on: NaiveDate) -> Option<DateTime<Utc>> {
        self.annual.then(|| calendar::end_of_year_beginning_with(last_notified_on))
    }

    /// When travel abroad departing at `departs_at` must be notified, if this regime requires it
    /// (SOA 2003 s.86 and its regulations): `travel_notice_days` before departure; where the
    /// details were not known by then (`known_on` is later), at least 12 hours before.
    pub fn travel_due(&self, departs_at: DateTime<Utc>, known_on: NaiveDate) -> Option<DateTime<Utc>> {
        let days = self.travel_notice_days?;
        let ahead = departs_at - chrono::Duration::days(i64::from(days));
        if calendar::start_of_day(known_on) <= ahead {
            Some(ahead)
        } else {
            Some(departs_at - chrono::Duration::hours(TRAVEL_LATE_NOTICE_HOURS))
        }
    }

    /// The next weekly notification of a registrant of no fixed abode.
    pub fn weekly_due(&self, last_notified_on: NaiveDate) -> Option<DateTime<Utc>> {
        self.nfa_weekly.then(|| calendar::end_of_days_beginning_with(last_notified_on, NFA_WEEKLY_DAYS))
    }
}

/// Travel whose details were not known `travel_notice_days` ahead is notified at least this many
/// hours before departure.
pub const TRAVEL_LATE_NOTICE_HOURS: i64 = 12;

/// The day a stay that began on `first_day` becomes qualifying: its `stay_days`th day.
pub fn qualifying_day(first_day: NaiveDate, stay_days: u32) -> NaiveDate {
    first_day.checked_add_days(chrono::Days::new(u64::from(stay_days.saturating_sub(1)))).unwrap_or(NaiveDate::MAX)
}

/// The notification obligations a notification of this kind discharges. Annual and weekly
/// duties are reset by any notification and are handled apart.
pub fn discharges(kind: NotificationKind) -> &'static [ObligationKind] {
    match kind {
        NotificationKind::Initial => &[ObligationKind::InitialNotification],
        NotificationKind::ChangeOfName | NotificationKind::ChangeOfAddress | NotificationKind::NoHomeAddress | NotificationKind::Travel => {
            &[ObligationKind::ChangeNotification]
        }
        NotificationKind::Periodic => &[],
    }
}

/// The events whose change duties a notification of `kind` meets; `None` when it meets its
/// duties whatever started them. A change of name does not notify a new address, nor the other
/// way round: each change is its own duty. Identifiers, devices and vehicles have no
/// notification kind of their own, so any change notification can carry them.
pub fn covered_events(kind: NotificationKind) -> Option<&'static [DueEvent]> {
    use DueEvent::{AddressChanged, Device, NameChanged, OnlineIdentifier, QualifyingStay, Vehicle};
    match kind {
        NotificationKind::ChangeOfName => Some(&[NameChanged, OnlineIdentifier, Device, Vehicle]),
        NotificationKind::ChangeOfAddress => Some(&[AddressChanged, QualifyingStay, OnlineIdentifier, Device, Vehicle]),
        NotificationKind::NoHomeAddress => Some(&[DueEvent::NoHomeAddress, OnlineIdentifier, Device, Vehicle]),
        // Travel is notified on its own (SOA 2003 s.86): it meets no other change.
        NotificationKind::Travel => Some(&[DueEvent::Travel]),
        NotificationKind::Initial | NotificationKind::Periodic => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).unwrap()
    }

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
            displaced_by: vec!["soa2003_part2".into()],
        }
    }

    #[test]
    fn soa_displaces_spa_and_only_the_earlier_of_two_dapos_applies() {
        let spa = spo();
        let id = |n: u128| uuid::Uuid::from_u128(n);
        let spo_order = Subject { regime: "spa2019_s9", made_on: d(2026, 1, 12), recorded: id(2) };
        let soa = Subject { regime: "soa2003_part2", made_on: d(2026, 3, 1), recorded: id(3) };
        assert!(displaces(&spa, spo_order, soa), "SOA Part 2 displaces s.9 whenever it began");
        assert!(!displaces(&spa, spo_order, spo_order));
        let mut daa = spo();
        daa.code = "daa2021_s41".into();
        daa.displaced_by = vec!["daa2021_s41".into(), "soa2003_part2".into(), "spa2019_s9".into()];
        let first = Subject { regime: "daa2021_s41", made_on: d(2026, 1, 5), recorded: id(5) };
        let second = Subject { regime: "daa2021_s41", made_on: d(2026, 2, 5), recorded: id(4) };
        assert!(displaces(&daa, second, first) && !displaces(&daa, first, second));
        assert!(displaces(&daa, first, spo_order));
        assert!(!displaces(&spa, spo_order, first), "a DAPO does not displace s.9");
    }

    #[test]
    fn a_stay_is_due_three_days_beginning_with_the_day_it_becomes_qualifying() {
        let mut regime = spo();
        regime.change_events = Regime::parse_events("name,address,qualifying_stay").unwrap();
        regime.qualifying_stay_days = Some(7);
        // A stay from Monday 12 January 2026 is qualifying on Sunday the 18th (its 7th day):
        // due by the end of Tuesday the 20th, not of Wednesday the 14th.
        assert_eq!(regime.change_due(ChangeEvent::QualifyingStay, d(2026, 1, 12)).unwrap().to_rfc3339(), "2026-01-21T00:00:00+00:00");
        assert_eq!(regime.change_due(ChangeEvent::Address, d(2026, 1, 12)).unwrap().to_rfc3339(), "2026-01-15T00:00:00+00:00");
    }

    #[test]
    fn spo_notification_runs_from_service_not_from_the_making_of_the_order() {
        let regime = spo();
        assert_eq!(regime.initial_period_start(Trigger::Made, d(2026, 1, 5), Some(d(2026, 1, 12))), None);
        let start = regime.initial_period_start(Trigger::Service, d(2026, 1, 5), Some(d(2026, 1, 12))).unwrap();
        assert_eq!(regime.initial_due(start).unwrap().to_rfc3339(), "2026-01-15T00:00:00+00:00");
        assert_eq!(regime.initial_period_start(Trigger::Service, d(2026, 1, 5), None), None);
    }

    #[test]
    fn changes_are_due_only_for_the_events_the_regime_lists() {
        let regime = spo();
        assert_eq!(regime.change_due(ChangeEvent::Address, d(2026, 7, 6)).unwrap().to_rfc3339(), "2026-07-08T23:00:00+00:00");
        assert_eq!(regime.change_due(ChangeEvent::NoHomeAddress, d(2026, 7, 6)), None);
        assert_eq!(regime.annual_due(d(2026, 7, 6)), None);
    }

    #[test]
    fn annual_and_weekly_duties_follow_the_last_notification() {
        let mut regime = spo();
        regime.annual = true;
        regime.nfa_weekly = true;
        assert_eq!(regime.annual_due(d(2026, 11, 22)).unwrap().to_rfc3339(), "2027-11-22T00:00:00+00:00");
        assert_eq!(regime.weekly_due(d(2026, 11, 22)).unwrap().to_rfc3339(), "2026-11-29T00:00:00+00:00");
    }

    #[test]
    fn unknown_stored_events_are_refused_and_empty_lists_are_empty() {
        assert_eq!(Regime::parse_events("name,teleport"), None);
        assert_eq!(Regime::parse_events(""), Some(vec![]));
    }

    #[test]
    fn change_notifications_discharge_change_duties_only() {
        assert_eq!(discharges(NotificationKind::ChangeOfAddress), [ObligationKind::ChangeNotification]);
        assert_eq!(discharges(NotificationKind::Initial), [ObligationKind::InitialNotification]);
        assert_eq!(ChangeEvent::for_address(AddressKind::RegularlyFound), ChangeEvent::NoHomeAddress);
        assert_eq!(ChangeEvent::for_identifier(IdentifierKind::Passport), None);
    }

    #[test]
    fn travel_is_due_seven_days_before_departure_or_twelve_hours_when_known_later() {
        let regime = Regime { travel_notice_days: Some(7), ..spo() };
        let departs = calendar::local_instant(d(2026, 7, 20), chrono::NaiveTime::from_hms_opt(6, 0, 0).unwrap());
        assert_eq!(regime.travel_due(departs, d(2026, 7, 1)), Some(departs - chrono::Duration::days(7)));
        assert_eq!(regime.travel_due(departs, d(2026, 7, 18)), Some(departs - chrono::Duration::hours(12)));
        assert_eq!(spo().travel_due(departs, d(2026, 7, 1)), None, "SPA 2019 s.9 has no travel duty");
    }
}
