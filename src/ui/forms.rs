//! What the pages' forms share: GOV.UK date inputs (day, month, year) and times ("3:04pm",
//! "15:04") read into dates and Europe/London instants, each problem named by the field's id so
//! the error summary links to it; and the words for a form's errors beside their fields.

use chrono::{DateTime, NaiveDate, NaiveTime, Utc};
use domain::errors::{FieldError, FieldErrors};

/// The three boxes of a GOV.UK date input. An empty date is `None` with no error; a part
/// missing or a date that does not exist is an error on `field` (the day box's id is
/// `{field}-day`, which the summary links to).
pub fn date(errors: &mut FieldErrors, field: &str, label: &str, day: &str, month: &str, year: &str) -> Option<NaiveDate> {
    let (day, month, year) = (day.trim(), month.trim(), year.trim());
    if day.is_empty() && month.is_empty() && year.is_empty() {
        return None;
    }
    let part = |text: &str| text.parse::<u32>().ok();
    let parsed = match (part(day), part(month), year.parse::<i32>().ok()) {
        (Some(d), Some(m), Some(y)) if year.len() == 4 => NaiveDate::from_ymd_opt(y, m, d),
        _ => None,
    };
    if parsed.is_none() {
        errors.push(format!("{field}-day"), "invalid", format!("{label} must be a real date, like 27 3 2026"));
    }
    parsed
}

/// A date that must be given.
pub fn required_date(errors: &mut FieldErrors, field: &str, label: &str, parts: (&str, &str, &str)) -> Option<NaiveDate> {
    let (day, month, year) = parts;
    let found = date(errors, field, label, day, month, year);
    if found.is_none() && day.trim().is_empty() && month.trim().is_empty() && year.trim().is_empty() {
        errors.push(format!("{field}-day"), "required", format!("Enter {}", label.to_lowercase()));
    }
    found
}

/// A time of day as people write it: "15:04", "3:04pm", "3pm", "9.30am".
pub fn time(errors: &mut FieldErrors, field: &str, label: &str, text: &str) -> Option<NaiveTime> {
    let raw = text.trim().to_lowercase().replace('.', ":").replace(' ', "");
    if raw.is_empty() {
        errors.push(field, "required", format!("Enter {}", label.to_lowercase()));
        return None;
    }
    let (clock, offset) = match (raw.strip_suffix("am"), raw.strip_suffix("pm")) {
        (Some(c), _) => (c.to_owned(), Some(0)),
        (_, Some(c)) => (c.to_owned(), Some(12)),
        _ => (raw.clone(), None),
    };
    let (h, m) = clock.split_once(':').unwrap_or((clock.as_str(), "0"));
    let parsed = match (h.parse::<u32>().ok(), m.parse::<u32>().ok(), offset) {
        (Some(h), Some(m), Some(add)) if (1..=12).contains(&h) => NaiveTime::from_hms_opt(h % 12 + add, m, 0),
        (Some(h), Some(m), None) => NaiveTime::from_hms_opt(h, m, 0),
        _ => None,
    };
    if parsed.is_none() {
        errors.push(field, "invalid", format!("{label} must be a real time, like 3:30pm or 15:30"));
    }
    parsed
}

/// The instant of a local (Europe/London) date and time.
pub fn instant(date: NaiveDate, time: NaiveTime) -> DateTime<Utc> {
    domain::calendar::local_instant(date, time)
}

/// "3:04pm" in Europe/London.
pub fn clock_time(at: DateTime<Utc>) -> String {
    let local = at.with_timezone(&chrono_tz::Europe::London);
    local.format("%-I:%M%P").to_string()
}

/// "30 November 2026 at 3:04pm" in Europe/London.
pub fn date_time(at: DateTime<Utc>) -> String {
    format!("{} at {}", super::pages::date(domain::calendar::local_date(at)), clock_time(at))
}

/// A form's errors with the message for each field, for inline messages beside the inputs.
pub struct Problems(pub Vec<FieldError>);

impl Problems {
    pub fn none() -> Self {
        Self(Vec::new())
    }

    pub fn of(&self, field: &str) -> Option<&str> {
        self.0.iter().find(|e| e.field == field || e.field.strip_suffix("-day") == Some(field)).map(|e| e.detail.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn times_are_read_as_people_write_them() {
        let mut errors = FieldErrors::default();
        let t = |s: &str, e: &mut FieldErrors| time(e, "t", "Time", s);
        assert_eq!(t("3:04pm", &mut errors), NaiveTime::from_hms_opt(15, 4, 0));
        assert_eq!(t("12pm", &mut errors), NaiveTime::from_hms_opt(12, 0, 0));
        assert_eq!(t("12:30am", &mut errors), NaiveTime::from_hms_opt(0, 30, 0));
        assert_eq!(t("9.30 AM", &mut errors), NaiveTime::from_hms_opt(9, 30, 0));
        assert_eq!(t("15:04", &mut errors), NaiveTime::from_hms_opt(15, 4, 0));
        assert!(errors.is_empty());
        assert_eq!(t("25:00", &mut errors), None);
        assert_eq!(t("13pm", &mut errors), None);
        assert_eq!(errors.0.len(), 2);
    }

    #[test]
    fn a_date_needs_all_three_parts_and_to_exist() {
        let mut errors = FieldErrors::default();
        assert_eq!(date(&mut errors, "d", "Date", "", "", ""), None);
        assert!(errors.is_empty());
        assert_eq!(date(&mut errors, "d", "Date", "29", "2", "2026"), None);
        assert_eq!(date(&mut errors, "d", "Date", "28", "2", "26"), None);
        assert_eq!(errors.0[0].field, "d-day");
        assert_eq!(date(&mut errors, "d", "Date", "28", "02", "2026"), NaiveDate::from_ymd_opt(2026, 2, 28));
    }
}
