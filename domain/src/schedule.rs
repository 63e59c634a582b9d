//! Recurring schedules of positive requirements (e.g. attend a programme session every Tuesday
//! at 10:00 for 26 weeks). A schedule is plain data stored with the obligation; expanding it
//! into due instants is pure and deterministic, so the API and the materialising job agree. The
//! recurrence is an RFC 5545 rule (`rrule`) over local dates, less its exception dates (RFC 5545
//! EXDATE): the days the court or the provider said there is no session, and bank holidays in
//! England and Wales ([`crate::holidays`]) unless the schedule says they are held.

use chrono::{DateTime, Datelike, NaiveDate, NaiveTime, TimeZone, Utc, Weekday};
use rrule::{NWeekday, RRule};
use serde::{Deserialize, Serialize};

use crate::{calendar, holidays};

/// At most this many exception dates per schedule: a year of them.
pub const MAX_EXCEPTIONS: usize = 366;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Schedule {
    pub frequency: Frequency,
    /// Local (Europe/London) time of day the session or appointment starts.
    pub time: NaiveTime,
    pub starts_on: NaiveDate,
    pub ends_on: Option<NaiveDate>,
    /// Days with no session (RFC 5545 EXDATE): the court's or the provider's exceptions.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub except: Vec<NaiveDate>,
    /// Whether sessions falling on a bank holiday in England and Wales are held; by default
    /// they are not.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub held_on_bank_holidays: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "every", rename_all = "snake_case", deny_unknown_fields)]
pub enum Frequency {
    Week { weekday: Weekday },
    Fortnight { weekday: Weekday },
    Day,
}

impl Schedule {
    /// A schedule with no exceptions but bank holidays.
    pub fn new(frequency: Frequency, time: NaiveTime, starts_on: NaiveDate, ends_on: Option<NaiveDate>) -> Self {
        Self { frequency, time, starts_on, ends_on, except: Vec::new(), held_on_bank_holidays: false }
    }

    /// Due instants of sessions whose local date falls in `from..=to`, in order.
    pub fn due_between(&self, from: NaiveDate, to: NaiveDate) -> Vec<DateTime<Utc>> {
        self.dates_between(from, to).into_iter().map(|day| calendar::local_instant(day, self.time)).collect()
    }

    /// The local dates of sessions in `from..=to`. The rule runs on dates alone (midnight UTC
    /// stands for a local date), so a clock change never moves a session to another day; the
    /// time of day is applied afterwards in Europe/London.
    pub fn dates_between(&self, from: NaiveDate, to: NaiveDate) -> Vec<NaiveDate> {
        let first = from.max(self.starts_on);
        let last = self.ends_on.map_or(to, |end| to.min(end));
        if first > last {
            return Vec::new();
        }
        let at = |day: NaiveDate| rrule::Tz::UTC.from_utc_datetime(&day.and_time(NaiveTime::MIN));
        let rule = match self.frequency {
            Frequency::Day => RRule::new(rrule::Frequency::Daily),
            Frequency::Week { weekday } => RRule::new(rrule::Frequency::Weekly).by_weekday(vec![NWeekday::Every(weekday)]),
            Frequency::Fortnight { weekday } => RRule::new(rrule::Frequency::Weekly).interval(2).by_weekday(vec![NWeekday::Every(weekday)]),
        };
        // Fortnights count from the first matching day on or after the start date: the rule
        // starts there, so that its first week is the week of that day.
        let Ok(set) = rule.week_start(Weekday::Mon).build(at(self.anchor())) else { return Vec::new() };
        let mut set = set.after(at(first)).before(at(last));
        let holidays = if self.held_on_bank_holidays { Vec::new() } else { holidays::between(first, last) };
        for day in self.except.iter().chain(&holidays).filter(|d| (first..=last).contains(*d)) {
            set = set.exdate(at(*day));
        }
        set.all(u16::MAX).dates.into_iter().map(|t| t.date_naive()).collect()
    }

    /// The first day on or after the start that the frequency names.
    fn anchor(&self) -> NaiveDate {
        match self.frequency {
            Frequency::Day => self.starts_on,
            Frequency::Week { weekday } | Frequency::Fortnight { weekday } => {
                let offset =
                    (i64::from(weekday.num_days_from_monday()) - i64::from(self.starts_on.weekday().num_days_from_monday())).rem_euclid(7);
                self.starts_on + chrono::Duration::days(offset)
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn weekly_sessions_keep_local_time_across_the_clock_change() {
        let schedule = Schedule::new(
            Frequency::Week { weekday: Weekday::Tue },
            NaiveTime::from_hms_opt(10, 0, 0).unwrap(),
            NaiveDate::from_ymd_opt(2026, 3, 20).unwrap(),
            None,
        );
        let due = schedule.due_between(NaiveDate::from_ymd_opt(2026, 3, 20).unwrap(), NaiveDate::from_ymd_opt(2026, 4, 1).unwrap());
        let text: Vec<String> = due.iter().map(|t| t.to_rfc3339()).collect();
        assert_eq!(text, ["2026-03-24T10:00:00+00:00", "2026-03-31T09:00:00+00:00"]);
    }

    #[test]
    fn fortnightly_sessions_skip_alternate_weeks_and_stop_at_the_end_date() {
        let schedule = Schedule::new(
            Frequency::Fortnight { weekday: Weekday::Mon },
            NaiveTime::from_hms_opt(9, 0, 0).unwrap(),
            NaiveDate::from_ymd_opt(2026, 1, 1).unwrap(),
            Some(NaiveDate::from_ymd_opt(2026, 2, 1).unwrap()),
        );
        let due = schedule.due_between(NaiveDate::from_ymd_opt(2026, 1, 1).unwrap(), NaiveDate::from_ymd_opt(2026, 3, 1).unwrap());
        let days: Vec<u32> = due.iter().map(|t| t.day()).collect();
        assert_eq!(days, [5, 19]);
    }

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).unwrap()
    }

    #[test]
    fn no_session_on_a_bank_holiday_or_an_exception_day_unless_held() {
        let daily = Schedule::new(Frequency::Day, NaiveTime::from_hms_opt(18, 0, 0).unwrap(), d(2026, 12, 20), None);
        let days = daily.dates_between(d(2026, 12, 23), d(2026, 12, 29));
        // Christmas Day, Boxing Day (a Saturday) and its substitute Monday have no session.
        assert_eq!(days, [d(2026, 12, 23), d(2026, 12, 24), d(2026, 12, 27), d(2026, 12, 29)]);
        let excepted = Schedule { except: vec![d(2026, 12, 24)], ..daily.clone() };
        assert!(!excepted.dates_between(d(2026, 12, 23), d(2026, 12, 29)).contains(&d(2026, 12, 24)));
        let held = Schedule { held_on_bank_holidays: true, ..daily };
        assert_eq!(held.dates_between(d(2026, 12, 23), d(2026, 12, 29)).len(), 7);
        // Easter Monday 2027 is a Monday: a Monday programme skips it and carries on.
        let mondays = Schedule::new(Frequency::Week { weekday: Weekday::Mon }, NaiveTime::MIN, d(2027, 3, 1), None);
        assert_eq!(mondays.dates_between(d(2027, 3, 22), d(2027, 4, 5)), [d(2027, 3, 22), d(2027, 4, 5)]);
    }

    #[test]
    fn stored_schedules_without_the_new_fields_still_read_and_skip_holidays() {
        let stored = r#"{"frequency":{"every":"day"},"time":"09:00:00","starts_on":"2026-12-24","ends_on":null}"#;
        let schedule: Schedule = serde_json::from_str(stored).unwrap();
        assert_eq!(schedule.dates_between(d(2026, 12, 24), d(2026, 12, 26)), [d(2026, 12, 24)]);
        assert_eq!(serde_json::to_string(&schedule).unwrap(), stored, "nothing new is written for the defaults");
    }
}
