//! Verified bearer tokens, remembered so that a client's next request with the same token skips
//! the signature check (an Ed25519, ECDSA or RSA verification and a JSON parse on every request
//! otherwise; issue 18 measured 3–7 % of the server's CPU on audited reads).
//!
//! Never more permissive than checking again:
//! - keyed by SHA-256 of the token, so a hit is the very same token; the token itself is not
//!   kept;
//! - used only before the token's `exp` (without the skew a fresh check would allow);
//! - used only while the key that signed it is still in the issuer's key set, so a key the
//!   provider withdraws ends its tokens here as it would on a fresh check;
//! - forgotten for a subject when their sessions end by back-channel logout or an
//!   administrator's revocation, or when a session revalidation ends their session or changes
//!   their roles or organisation ([`TokenCache::forget_subject`]), and entirely when the
//!   validator is told to ([`TokenCache::clear`]). `tests/it/session_control.rs` shows each.
//!
//! Bounded (S3-FIFO eviction, `quick_cache`); an entry crowded out is checked afresh next time.

use std::sync::Arc;

use chrono::{DateTime, Utc};
use quick_cache::sync::Cache;
use sha2::{Digest, Sha256};

use super::token::Identity;

/// Tokens remembered at most; enough for every active client of a force several times over.
const CAPACITY: usize = 20_000;

#[derive(Clone)]
struct Entry {
    identity: Arc<Identity>,
    kid: Arc<str>,
    exp: i64,
}

pub struct TokenCache {
    entries: Cache<[u8; 32], Entry>,
}

impl Default for TokenCache {
    fn default() -> Self {
        Self { entries: Cache::new(CAPACITY) }
    }
}

pub type Key = [u8; 32];

impl TokenCache {
    pub fn key(token: &str) -> Key {
        Sha256::digest(token.as_bytes()).into()
    }

    /// The identity of a token verified before, if it has not expired; with the key id it was
    /// signed with, which the caller must find still trusted before using it.
    pub fn get(&self, key: &Key, now: DateTime<Utc>) -> Option<(Arc<Identity>, Arc<str>)> {
        let entry = self.entries.get(key)?;
        if now.timestamp() >= entry.exp {
            self.entries.remove(key);
            return None;
        }
        Some((entry.identity, entry.kid))
    }

    pub fn insert(&self, key: Key, identity: Identity, kid: &str, exp: i64) {
        self.entries.insert(key, Entry { identity: Arc::new(identity), kid: kid.into(), exp });
    }

    pub fn remove(&self, key: &Key) {
        self.entries.remove(key);
    }

    /// Forgets every token of `subject` from `issuer`.
    pub fn forget_subject(&self, issuer: &str, subject: &str) {
        self.entries.retain(|_, e| !(e.identity.issuer == issuer && e.identity.subject == subject));
    }

    pub fn clear(&self) {
        self.entries.clear();
    }

    pub fn len(&self) -> usize {
        self.entries.len()
    }

    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }
}
