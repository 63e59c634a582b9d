//! What the oversight pages (approvals, audit, job runs, sessions) share.

use chrono::{DateTime, Utc};

/// "30 November 2026 at 3:04pm", Europe/London.
pub fn when(instant: DateTime<Utc>) -> String {
    let local = instant.with_timezone(&domain::calendar::LEGAL_TZ);
    format!("{} at {}", local.format("%-d %B %Y"), local.format("%-I:%M%P"))
}

#[cfg(test)]
mod tests {
    use super::when;
    use chrono::TimeZone;

    #[test]
    fn times_read_as_gov_uk_style_in_london() {
        // 14:04 UTC in summer is 3:04pm in London.
        let instant = chrono::Utc.with_ymd_and_hms(2026, 7, 30, 14, 4, 0).single().unwrap_or_default();
        assert_eq!(when(instant), "30 July 2026 at 3:04pm");
        let midnight = chrono::Utc.with_ymd_and_hms(2026, 11, 30, 0, 0, 0).single().unwrap_or_default();
        assert_eq!(when(midnight), "30 November 2026 at 12:00am");
    }
}
