//! The counts beside the navigation's queues (MoJ notification badges): open alerts, overdue
//! duties, links to review. They are an organisation's counts, not a person's, so everyone of
//! the same organisation and roles shares them; they are kept for [`TTL`], so the navigation
//! costs no query on most pages. "My work" counts live and refreshes them.

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use crate::auth::Caller;
use crate::services::Ctx;
use crate::services::queues::{self, WorkCounts};

/// How long a count may be behind the queue it describes.
pub const TTL: Duration = Duration::from_secs(30);

/// Organisation-and-roles pairs kept; past it the cache starts again (there are few of them).
const MAX_ENTRIES: usize = 1_000;

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Badges {
    pub alerts: Option<u64>,
    pub overdue: Option<u64>,
    pub links: Option<u64>,
}

impl From<&WorkCounts> for Badges {
    fn from(c: &WorkCounts) -> Self {
        Self { alerts: c.open_alerts, overdue: c.overdue, links: c.links_to_review }
    }
}

#[derive(Default)]
pub struct BadgeCache {
    entries: Mutex<HashMap<String, (Instant, Badges)>>,
}

fn key(caller: &Caller) -> String {
    let mut roles: Vec<&str> = caller.roles.iter().map(|r| r.as_str()).collect();
    roles.sort_unstable();
    format!("{}|{}", caller.org, roles.join(","))
}

impl BadgeCache {
    /// The caller's badges, counted again when older than [`TTL`]. A failure to count shows no
    /// badges rather than failing the page.
    pub async fn get(&self, ctx: &Ctx, caller: &Caller) -> Badges {
        let key = key(caller);
        if let Some((at, badges)) = self.entries.lock().unwrap_or_else(|e| e.into_inner()).get(&key)
            && at.elapsed() < TTL
        {
            return *badges;
        }
        match queues::counts(ctx, caller, crate::clock::now()).await {
            Ok(counts) => self.put(caller, &counts),
            Err(e) => {
                tracing::warn!(error = %e, "navigation counts unavailable");
                Badges::default()
            }
        }
    }

    /// Keeps counts just read (by "My work") for the caller's organisation and roles.
    pub fn put(&self, caller: &Caller, counts: &WorkCounts) -> Badges {
        let badges = Badges::from(counts);
        let mut entries = self.entries.lock().unwrap_or_else(|e| e.into_inner());
        if entries.len() >= MAX_ENTRIES {
            entries.clear();
        }
        entries.insert(key(caller), (Instant::now(), badges));
        badges
    }
}
