//! Per-key encryption counters. AES-GCM with random 96-bit nonces is safe for about 2^32
//! encryptions under one key (NIST SP 800-38D §8.3); past that, nonce collisions become
//! plausible and a collision reveals plaintext relationships. Every seal is counted per key;
//! the counts are added to the `key_usage` table (shared by replicas) every few seconds; sealing
//! refuses (fails closed) once a key reaches [`CEILING`], half the limit, and the log warns from
//! [`WARN_AT`], which is the signal to run `vigil keys add` and `vigil keys rotate`.

use std::collections::HashMap;
use std::sync::Mutex;

use super::CryptoError;

pub const CEILING: u64 = 1 << 31;
pub const WARN_AT: u64 = 1 << 30;

#[derive(Default)]
struct Count {
    /// As last read back from the database (every replica's flushed seals).
    persisted: u64,
    /// Seals by this process not yet added to the database.
    unflushed: u64,
}

#[derive(Default)]
pub struct Usage {
    counts: Mutex<HashMap<u32, Count>>,
}

impl Usage {
    /// Counts one encryption under `key_id`, refusing at the ceiling.
    pub fn record(&self, key_id: u32) -> Result<(), CryptoError> {
        let mut counts = self.counts.lock().map_err(|_| CryptoError::UnknownKey)?;
        let count = counts.entry(key_id).or_default();
        if count.persisted + count.unflushed >= CEILING {
            return Err(CryptoError::KeyExhausted);
        }
        count.unflushed += 1;
        Ok(())
    }

    /// Takes the counts not yet written, to add them to the database.
    pub fn take_unflushed(&self) -> Vec<(u32, u64)> {
        let Ok(mut counts) = self.counts.lock() else { return Vec::new() };
        counts.iter_mut().filter(|(_, c)| c.unflushed > 0).map(|(id, c)| (*id, std::mem::take(&mut c.unflushed))).collect()
    }

    /// Puts counts back after a failed write, so none is lost.
    pub fn restore(&self, key_id: u32, unflushed: u64) {
        if let Ok(mut counts) = self.counts.lock() {
            counts.entry(key_id).or_default().unflushed += unflushed;
        }
    }

    /// The database's total for a key (all replicas).
    pub fn set_persisted(&self, key_id: u32, total: u64) {
        if let Ok(mut counts) = self.counts.lock() {
            counts.entry(key_id).or_default().persisted = total;
        }
        if total >= WARN_AT {
            tracing::warn!(
                key_id,
                encryptions = total,
                ceiling = CEILING,
                "encryption key is nearing its usage ceiling: add a key and rotate"
            );
        }
    }

    /// This process's view: persisted plus unflushed.
    pub fn total(&self, key_id: u32) -> u64 {
        self.counts.lock().ok().and_then(|c| c.get(&key_id).map(|c| c.persisted + c.unflushed)).unwrap_or(0)
    }

    /// Every key's total as [`Usage::total`], ordered by key id (for the metrics).
    pub fn totals(&self) -> Vec<(u32, u64)> {
        let Ok(counts) = self.counts.lock() else { return Vec::new() };
        let mut all: Vec<(u32, u64)> = counts.iter().map(|(id, c)| (*id, c.persisted + c.unflushed)).collect();
        all.sort_unstable();
        all
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sealing_stops_at_the_ceiling_and_nothing_is_lost_on_a_failed_flush() {
        let usage = Usage::default();
        usage.set_persisted(1, CEILING - 2);
        usage.record(1).unwrap();
        usage.record(1).unwrap();
        assert!(matches!(usage.record(1), Err(CryptoError::KeyExhausted)));
        assert!(usage.record(2).is_ok(), "another key is unaffected");
        let taken = usage.take_unflushed();
        assert_eq!(taken.iter().find(|(k, _)| *k == 1).map(|t| t.1), Some(2));
        usage.restore(1, 2);
        assert_eq!(usage.total(1), CEILING);
    }
}
