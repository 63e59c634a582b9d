//! The only place that reads the system clock. Everything else takes `now` as a parameter, so
//! tests can fix time and no rule depends on when it happens to run.

use chrono::{DateTime, Utc};

#[allow(clippy::disallowed_methods)]
pub fn now() -> DateTime<Utc> {
    Utc::now()
}
