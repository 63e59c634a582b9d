//! Per-user rate limit on register checks (DESIGN §5: a register check is an equality oracle).
//!
//! A sliding window per (issuer, subject) held in this process's memory. That is exact for one
//! replica. With several replicas each keeps its own window, so a user could make up to
//! `limit × replicas` checks an hour; the `register_checks` table records every run with its
//! actor and time (indexed), which is where a shared limit would count if that ever matters.

use std::collections::{HashMap, VecDeque};
use std::sync::Mutex;

use chrono::{DateTime, Duration, Utc};

pub const DEFAULT_PER_HOUR: u32 = 60;
/// Users whose windows are all empty are forgotten once the map grows past this.
const PRUNE_ABOVE: usize = 10_000;

/// Recent check instants per (issuer, subject), oldest first.
type Windows = HashMap<(String, String), VecDeque<DateTime<Utc>>>;

pub struct CheckLimiter {
    limit: u32,
    window: Duration,
    seen: Mutex<Windows>,
}

impl std::fmt::Debug for CheckLimiter {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("CheckLimiter").field("limit", &self.limit).finish_non_exhaustive()
    }
}

impl Default for CheckLimiter {
    fn default() -> Self {
        Self::per_hour(DEFAULT_PER_HOUR)
    }
}

impl CheckLimiter {
    pub fn per_hour(limit: u32) -> Self {
        Self { limit, window: Duration::hours(1), seen: Mutex::new(HashMap::new()) }
    }

    pub fn limit(&self) -> u32 {
        self.limit
    }

    /// Counts one check for the user at `now`, or says how many seconds until one is allowed.
    pub fn admit(&self, issuer: &str, subject: &str, now: DateTime<Utc>) -> Result<(), u64> {
        // A poisoned lock only means another request panicked mid-update; the counts are still
        // usable, and refusing every check would be worse.
        let mut seen = self.seen.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        let start = now - self.window;
        if seen.len() > PRUNE_ABOVE {
            seen.retain(|_, times| times.back().is_some_and(|t| *t > start));
        }
        let times = seen.entry((issuer.to_owned(), subject.to_owned())).or_default();
        while times.front().is_some_and(|t| *t <= start) {
            times.pop_front();
        }
        if times.len() >= self.limit as usize {
            let oldest = times.front().copied().unwrap_or(now);
            let wait = (oldest + self.window - now).num_seconds().max(1);
            return Err(wait as u64);
        }
        times.push_back(now);
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_window_slides() {
        let limiter = CheckLimiter::per_hour(2);
        let t0 = DateTime::<Utc>::from_timestamp(1_800_000_000, 0).unwrap();
        assert!(limiter.admit("i", "a", t0).is_ok());
        assert!(limiter.admit("i", "a", t0 + Duration::minutes(10)).is_ok());
        assert_eq!(limiter.admit("i", "a", t0 + Duration::minutes(20)), Err(40 * 60));
        assert!(limiter.admit("i", "b", t0 + Duration::minutes(20)).is_ok(), "per user");
        assert!(limiter.admit("i", "a", t0 + Duration::minutes(61)).is_ok());
    }
}
