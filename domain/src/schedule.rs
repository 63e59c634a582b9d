//! Recurring schedules of positive requirements (e.g. attend a programme session every Tuesday
//! at 10:00 for 26 weeks). A schedule is plain data stored with the obligation; expanding it
//! into due instants is pure and deterministic, so the API and the materialising job agree.

use chrono::{DateTime, Datelike, Days, NaiveDate, NaiveTime, Utc, Weekday};
use serde::{Deserialize, Serialize};

use crate::calendar;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Schedule {
    pub frequency: Frequency,
    /// Local (Europe/London) time of day the session or appointment starts.
    pub time: NaiveTime,
    pub starts_on: NaiveDate,
    pub ends_on: Option<NaiveDate>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "every", rename_all = "snake_case", deny_unknown_fields)]
pub enum Frequency {
    Week { weekday: Weekday },
    Fortnight { weekday: Weekday },
    Day,
}

impl Schedule {
    /// Due instants of sessions whose local date falls in `from..=to`, in order.
    pub fn due_between(&self, from: NaiveDate, to: NaiveDate) -> Vec<DateTime<Utc>> {
        let first = from.max(self.starts_on);
        let last = match self.ends_on {
            Some(end) => to.min(end),
            None => to,
        };
        let mut out = Vec::new();
        let mut day = first;
        while day <= last {
            if self.falls_on(day) {
                out.push(calendar::local_instant(day, self.time));
            }
            match day.checked_add_days(Days::new(1)) {
                Some(next) => day = next,
                None => break,
            }
        }
        out
    }

    fn falls_on(&self, day: NaiveDate) -> bool {
        match self.frequency {
            Frequency::Day => true,
            Frequency::Week { weekday } => day.weekday() == weekday,
            Frequency::Fortnight { weekday } => {
                // Fortnights count from the first matching day on or after the start date.
                let offset =
                    (i64::from(weekday.num_days_from_monday()) - i64::from(self.starts_on.weekday().num_days_from_monday())).rem_euclid(7);
                let anchor = self.starts_on + chrono::Duration::days(offset);
                day.weekday() == weekday && (day - anchor).num_days().rem_euclid(14) == 0
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn weekly_sessions_keep_local_time_across_the_clock_change() {
        let schedule = Schedule {
            frequency: Frequency::Week { weekday: Weekday::Tue },
            time: NaiveTime::from_hms_opt(10, 0, 0).unwrap(),
            starts_on: NaiveDate::from_ymd_opt(2026, 3, 20).unwrap(),
            ends_on: None,
        };
        let due = schedule.due_between(NaiveDate::from_ymd_opt(2026, 3, 20).unwrap(), NaiveDate::from_ymd_opt(2026, 4, 1).unwrap());
        let text: Vec<String> = due.iter().map(|t| t.to_rfc3339()).collect();
        assert_eq!(text, ["2026-03-24T10:00:00+00:00", "2026-03-31T09:00:00+00:00"]);
    }

    #[test]
    fn fortnightly_sessions_skip_alternate_weeks_and_stop_at_the_end_date() {
        let schedule = Schedule {
            frequency: Frequency::Fortnight { weekday: Weekday::Mon },
            time: NaiveTime::from_hms_opt(9, 0, 0).unwrap(),
            starts_on: NaiveDate::from_ymd_opt(2026, 1, 1).unwrap(),
            ends_on: Some(NaiveDate::from_ymd_opt(2026, 2, 1).unwrap()),
        };
        let due = schedule.due_between(NaiveDate::from_ymd_opt(2026, 1, 1).unwrap(), NaiveDate::from_ymd_opt(2026, 3, 1).unwrap());
        let days: Vec<u32> = due.iter().map(|t| t.day()).collect();
        assert_eq!(days, [5, 19]);
    }
}
