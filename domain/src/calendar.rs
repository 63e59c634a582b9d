//! The legal calendar: how statutory periods map to instants.
//!
//! Statutes count in whole local days: "within the period of 3 days beginning with the day on
//! which the order is served" includes the day of service, so an order served on Monday must be
//! notified by the end of Wednesday. Days are England and Wales local days (Europe/London), and
//! the end of a period is stored as the UTC instant at which the next local day starts. Local
//! midnight always exists in Europe/London (clocks change at 01:00 UTC), so every day boundary
//! is unambiguous; times of day inside a DST gap are moved forward past the gap, and times in
//! the repeated hour take the earlier instant.
//!
//! Nothing here reads the system clock: every function takes the dates and instants it needs.

use chrono::{DateTime, Datelike, Days, LocalResult, Months, NaiveDate, NaiveDateTime, NaiveTime, TimeZone, Utc};
use chrono_tz::Tz;

pub const LEGAL_TZ: Tz = chrono_tz::Europe::London;

/// The local (Europe/London) date of an instant.
pub fn local_date(instant: DateTime<Utc>) -> NaiveDate {
    instant.with_timezone(&LEGAL_TZ).date_naive()
}

/// The instant a local time happens, resolving the DST gap forwards and the repeated hour to
/// its first occurrence.
pub fn local_instant(date: NaiveDate, time: NaiveTime) -> DateTime<Utc> {
    let naive = NaiveDateTime::new(date, time);
    match LEGAL_TZ.from_local_datetime(&naive) {
        LocalResult::Single(t) => t.with_timezone(&Utc),
        LocalResult::Ambiguous(first, _) => first.with_timezone(&Utc),
        // In the spring-forward gap (01:00–02:00 local): the same wall-clock reading one hour
        // later exists, and is the first instant at or after the intended one.
        LocalResult::None => {
            let later = naive + chrono::Duration::hours(1);
            match LEGAL_TZ.from_local_datetime(&later) {
                LocalResult::Single(t) | LocalResult::Ambiguous(t, _) => t.with_timezone(&Utc),
                LocalResult::None => Utc.from_utc_datetime(&naive),
            }
        }
    }
}

/// The instant the local day `date` begins.
pub fn start_of_day(date: NaiveDate) -> DateTime<Utc> {
    local_instant(date, NaiveTime::MIN)
}

/// The end (exclusive) of a period of `days` days beginning with `first_day`.
pub fn end_of_days_beginning_with(first_day: NaiveDate, days: u32) -> DateTime<Utc> {
    start_of_day(first_day.checked_add_days(Days::new(u64::from(days))).unwrap_or(NaiveDate::MAX))
}

/// The last day of a period of `months` months beginning with `first_day` (so including it): the
/// day before the corresponding date `months` later. Where that month has no corresponding date
/// (31 January plus one month, 29 February plus a year) the period runs to the end of the
/// month's last day, as with [`anniversary`].
pub fn last_day_of_months_beginning_with(first_day: NaiveDate, months: u32) -> NaiveDate {
    let first_of_target = first_day.with_day(1).and_then(|d| d.checked_add_months(Months::new(months)));
    let corresponding = first_of_target.map(|t| t.with_day(first_day.day()).or_else(|| t.checked_add_months(Months::new(1))));
    corresponding.flatten().and_then(|d| d.pred_opt()).unwrap_or(NaiveDate::MAX)
}

/// The anniversary of `day` one year on. A period beginning with 29 February runs to the end of
/// 28 February, so its anniversary is 1 March.
pub fn anniversary(day: NaiveDate) -> NaiveDate {
    if day.month() == 2 && day.day() == 29 {
        return NaiveDate::from_ymd_opt(day.year() + 1, 3, 1).unwrap_or(NaiveDate::MAX);
    }
    day.checked_add_months(Months::new(12)).unwrap_or(NaiveDate::MAX)
}

/// The end (exclusive) of the period of one year beginning with `first_day`.
pub fn end_of_year_beginning_with(first_day: NaiveDate) -> DateTime<Utc> {
    start_of_day(anniversary(first_day))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).unwrap()
    }

    fn utc(text: &str) -> DateTime<Utc> {
        text.parse().unwrap()
    }

    #[test]
    fn a_period_of_months_beginning_with_a_day_includes_it() {
        assert_eq!(last_day_of_months_beginning_with(d(2026, 1, 12), 12), d(2027, 1, 11));
        assert_eq!(last_day_of_months_beginning_with(d(2028, 2, 29), 12), d(2029, 2, 28));
        assert_eq!(last_day_of_months_beginning_with(d(2026, 1, 31), 1), d(2026, 2, 28));
        assert_eq!(last_day_of_months_beginning_with(d(2026, 3, 1), 12), d(2027, 2, 28));
    }

    #[test]
    fn served_monday_is_due_by_the_end_of_wednesday() {
        // Monday 12 January 2026 (GMT): due at the start of Thursday 15th, 00:00 UTC.
        assert_eq!(end_of_days_beginning_with(d(2026, 1, 12), 3), utc("2026-01-15T00:00:00Z"));
    }

    #[test]
    fn summer_deadlines_end_at_local_midnight_which_is_2300_utc() {
        assert_eq!(end_of_days_beginning_with(d(2026, 7, 6), 3), utc("2026-07-08T23:00:00Z"));
    }

    #[test]
    fn a_period_spanning_spring_forward_ends_at_bst_midnight() {
        // Clocks go forward on Sunday 29 March 2026. Served Saturday 28th: due end of Monday 30th.
        assert_eq!(end_of_days_beginning_with(d(2026, 3, 28), 3), utc("2026-03-30T23:00:00Z"));
    }

    #[test]
    fn a_period_spanning_fall_back_ends_at_gmt_midnight() {
        // Clocks go back on Sunday 25 October 2026. Served Saturday 24th: due end of Monday 26th.
        assert_eq!(end_of_days_beginning_with(d(2026, 10, 24), 3), utc("2026-10-27T00:00:00Z"));
    }

    #[test]
    fn periods_cross_year_end_and_leap_days() {
        assert_eq!(end_of_days_beginning_with(d(2026, 12, 30), 3), utc("2027-01-02T00:00:00Z"));
        assert_eq!(end_of_days_beginning_with(d(2028, 2, 28), 3), utc("2028-03-02T00:00:00Z"));
    }

    #[test]
    fn a_year_beginning_with_a_leap_day_runs_to_the_end_of_28_february() {
        assert_eq!(anniversary(d(2028, 2, 29)), d(2029, 3, 1));
        assert_eq!(end_of_year_beginning_with(d(2026, 11, 22)), utc("2027-11-22T00:00:00Z"));
    }

    #[test]
    fn times_in_the_spring_gap_move_forward_and_repeated_hours_take_the_first() {
        assert_eq!(local_instant(d(2026, 3, 29), NaiveTime::from_hms_opt(1, 30, 0).unwrap()), utc("2026-03-29T01:30:00Z"));
        assert_eq!(local_instant(d(2026, 10, 25), NaiveTime::from_hms_opt(1, 30, 0).unwrap()), utc("2026-10-25T00:30:00Z"));
    }

    #[test]
    fn local_dates_follow_the_offset() {
        assert_eq!(local_date(utc("2026-07-08T23:30:00Z")), d(2026, 7, 9));
        assert_eq!(local_date(utc("2026-01-08T23:30:00Z")), d(2026, 1, 8));
    }
}
