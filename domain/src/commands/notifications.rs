//! A notification the registrant made in person, as the officer recorded it.

use chrono::{DateTime, Utc};

use crate::vocab::{NotificationKind, NotificationMethod};

/// What was notified, where and when. At a station, the station is always named. `Debug`
/// stays off: the details are personal data.
pub struct RecordNotification {
    pub kind: NotificationKind,
    pub method: NotificationMethod,
    pub station: Option<String>,
    /// Whether the officer gave the registrant a written acknowledgement (SPA 2019 s.10).
    pub acknowledgement_given: bool,
    pub notified_at: DateTime<Utc>,
    pub details: Option<String>,
}
