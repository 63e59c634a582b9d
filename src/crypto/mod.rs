//! Field-level encryption and blind indexes.
//!
//! Every value that identifies a person is sealed here before it reaches the database, and every
//! exact-match search goes through a blind index computed here. Keys come only from the key ring
//! file (see [`keyring`]); nothing in this module ever touches the database, and no type here
//! prints key material or plaintext in `Debug`.

pub mod blind_index;
pub mod columns;
pub mod envelope;
pub mod keyring;
#[cfg(test)]
mod tests;
pub mod usage;

use std::collections::HashMap;
use std::sync::{Arc, RwLock};

use aes_gcm::Aes256Gcm;
use uuid::Uuid;
use zeroize::Zeroizing;

pub use blind_index::{BlindField, BlindKind};
pub use columns::Column;
pub use keyring::KeyRing;

/// Why a sealing operation failed. Deliberately carries no data, key material or key ids that
/// could help an attacker: callers map every variant to a generic 5xx.
#[derive(Debug, thiserror::Error)]
pub enum CryptoError {
    #[error("key ring file not found at {0}")]
    KeyRingMissing(String),
    #[error("key ring is invalid: {0}")]
    KeyRingInvalid(String),
    #[error("key ring file {0} is readable by other users; restrict it to mode 0600")]
    KeyRingPermissions(String),
    #[error("sealed value names a key that is not in the key ring")]
    UnknownKey,
    #[error("sealed value is malformed")]
    Malformed,
    #[error("sealed value failed its integrity check")]
    Integrity,
    #[error("sealed value is not valid for its type")]
    Encoding,
    #[error("the active encryption key has reached its usage ceiling; add a key and rotate")]
    KeyExhausted,
}

/// The service's cryptographic state: the key ring plus caches of derived per-column keys.
type SealerCache = RwLock<HashMap<(u32, &'static str, &'static str), Arc<Aes256Gcm>>>;
type BlinderCache = RwLock<HashMap<(u32, BlindField, BlindKind), Arc<Zeroizing<[u8; 32]>>>>;

pub struct Crypto {
    ring: KeyRing,
    // Per (key id, table, column) AES keys derived with HKDF. Deriving is cheap but not free,
    // and the set of columns is small and fixed, so the cache never grows past a few dozen.
    sealers: SealerCache,
    blinders: BlinderCache,
    /// Encryptions per key (see [`usage`]).
    pub usage: usage::Usage,
}

impl std::fmt::Debug for Crypto {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Crypto").field("ring", &self.ring).finish_non_exhaustive()
    }
}

impl Crypto {
    pub fn new(ring: KeyRing) -> Self {
        Self { ring, sealers: RwLock::default(), blinders: RwLock::default(), usage: usage::Usage::default() }
    }

    pub fn ring(&self) -> &KeyRing {
        &self.ring
    }

    /// Seals `plaintext` for one column of one row under the active encryption key.
    pub fn seal(&self, column: Column, row: impl Into<Uuid>, plaintext: &[u8]) -> Result<Vec<u8>, CryptoError> {
        let row = row.into();
        let key_id = self.ring.active_encryption_id();
        let cipher = self.sealer(key_id, column)?;
        self.usage.record(key_id)?;
        envelope::seal(&cipher, key_id, column, row, plaintext)
    }

    /// Opens an envelope sealed for exactly this column of exactly this row.
    pub fn open(&self, column: Column, row: impl Into<Uuid>, sealed: &[u8]) -> Result<Zeroizing<Vec<u8>>, CryptoError> {
        let row = row.into();
        let key_id = envelope::key_id(sealed)?;
        let cipher = self.sealer(key_id, column)?;
        envelope::open(&cipher, column, row, sealed)
    }

    pub fn seal_str(&self, column: Column, row: impl Into<Uuid>, value: &str) -> Result<Vec<u8>, CryptoError> {
        self.seal(column, row, value.as_bytes())
    }

    pub fn open_str(&self, column: Column, row: impl Into<Uuid>, sealed: &[u8]) -> Result<String, CryptoError> {
        let bytes = self.open(column, row, sealed)?;
        String::from_utf8(bytes.to_vec()).map_err(|_| CryptoError::Encoding)
    }

    /// Seals an optional text: nothing stays nothing.
    pub fn seal_opt(&self, column: Column, row: impl Into<Uuid>, value: Option<&str>) -> Result<Option<Vec<u8>>, CryptoError> {
        let row = row.into();
        value.map(|v| self.seal_str(column, row, v)).transpose()
    }

    /// Opens an optional sealed text.
    pub fn open_opt(&self, column: Column, row: impl Into<Uuid>, sealed: Option<&[u8]>) -> Result<Option<String>, CryptoError> {
        let row = row.into();
        sealed.map(|s| self.open_str(column, row, s)).transpose()
    }

    pub fn seal_json<T: serde::Serialize>(&self, column: Column, row: impl Into<Uuid>, value: &T) -> Result<Vec<u8>, CryptoError> {
        let bytes = Zeroizing::new(serde_json::to_vec(value).map_err(|_| CryptoError::Encoding)?);
        self.seal(column, row, &bytes)
    }

    pub fn open_json<T: serde::de::DeserializeOwned>(&self, column: Column, row: impl Into<Uuid>, sealed: &[u8]) -> Result<T, CryptoError> {
        let bytes = self.open(column, row, sealed)?;
        serde_json::from_slice(&bytes).map_err(|_| CryptoError::Encoding)
    }

    /// The blind index of an already normalised value, under the active blind-index key.
    pub fn blind_index(&self, field: BlindField, kind: BlindKind, normalised: &str) -> Result<i64, CryptoError> {
        let key_id = self.ring.active_blind_index_id();
        let key = self.blinder(key_id, field, kind)?;
        Ok(blind_index::digest(&key, field, normalised))
    }

    pub fn active_blind_key_id(&self) -> u32 {
        self.ring.active_blind_index_id()
    }

    /// The blind index of a value under every blind-index key in the ring, with the key's id.
    /// While keys rotate, rows indexed under the old key must still be found.
    pub fn blind_indexes(&self, field: BlindField, kind: BlindKind, normalised: &str) -> Result<Vec<(u32, i64)>, CryptoError> {
        self.ring
            .blind_index_key_ids()
            .into_iter()
            .map(|id| {
                let key = self.blinder(id, field, kind)?;
                Ok((id, blind_index::digest(&key, field, normalised)))
            })
            .collect()
    }

    /// The Ed25519 key that signs audit checkpoints, derived (HKDF) from the audit root of
    /// encryption key `key_id`, so that no further secret has to be kept; its public half can
    /// be handed to anyone who checks checkpoints.
    pub fn checkpoint_key(&self, key_id: u32) -> Result<ed25519_dalek::SigningKey, CryptoError> {
        let seed = self.audit_key(key_id, b"checkpoint-ed25519")?;
        Ok(ed25519_dalek::SigningKey::from_bytes(&seed))
    }

    /// HMAC-SHA256 of `message` under the audit key for `purpose` of encryption key `key_id`,
    /// in hex. Someone who can write the database but does not hold the key ring cannot make a
    /// MAC that verifies: that is what makes the audit chain and its entries unforgeable.
    pub fn audit_mac(&self, key_id: u32, purpose: AuditPurpose, message: &[u8]) -> Result<String, CryptoError> {
        use hmac::Mac;
        let key = self.audit_key(key_id, purpose.label())?;
        let mut mac = <hmac::Hmac<sha2::Sha256> as Mac>::new_from_slice(key.as_ref()).map_err(|_| CryptoError::UnknownKey)?;
        mac.update(message);
        Ok(hex::encode(mac.finalize().into_bytes()))
    }

    /// Checks a MAC made by [`Crypto::audit_mac`] in constant time.
    pub fn audit_mac_matches(&self, key_id: u32, purpose: AuditPurpose, message: &[u8], expected_hex: &str) -> bool {
        use hmac::Mac;
        let (Ok(key), Ok(expected)) = (self.audit_key(key_id, purpose.label()), hex::decode(expected_hex)) else { return false };
        let Ok(mut mac) = <hmac::Hmac<sha2::Sha256> as Mac>::new_from_slice(key.as_ref()) else { return false };
        mac.update(message);
        mac.verify_slice(&expected).is_ok()
    }

    /// The key the audit trail uses now: the one derived from the active encryption key.
    pub fn active_audit_key_id(&self) -> u32 {
        self.ring.active_encryption_id()
    }

    fn audit_key(&self, key_id: u32, label: &[u8]) -> Result<Zeroizing<[u8; 32]>, CryptoError> {
        let root = self.ring.audit_root(key_id).ok_or(CryptoError::UnknownKey)?;
        let hk = hkdf::Hkdf::<sha2::Sha256>::from_prk(root.as_ref()).map_err(|_| CryptoError::UnknownKey)?;
        let mut key = Zeroizing::new([0u8; 32]);
        hk.expand(label, key.as_mut()).map_err(|_| CryptoError::UnknownKey)?;
        Ok(key)
    }

    fn sealer(&self, key_id: u32, column: Column) -> Result<Arc<Aes256Gcm>, CryptoError> {
        let cache_key = (key_id, column.table, column.column);
        if let Some(found) = self.sealers.read().map_err(|_| CryptoError::UnknownKey)?.get(&cache_key) {
            return Ok(found.clone());
        }
        let master = self.ring.encryption_key(key_id).ok_or(CryptoError::UnknownKey)?;
        let cipher = Arc::new(envelope::column_cipher(master, column));
        self.sealers.write().map_err(|_| CryptoError::UnknownKey)?.insert(cache_key, cipher.clone());
        Ok(cipher)
    }

    fn blinder(&self, key_id: u32, field: BlindField, kind: BlindKind) -> Result<Arc<Zeroizing<[u8; 32]>>, CryptoError> {
        let cache_key = (key_id, field, kind);
        if let Some(found) = self.blinders.read().map_err(|_| CryptoError::UnknownKey)?.get(&cache_key) {
            return Ok(found.clone());
        }
        let root = self.ring.blind_index_key(key_id).ok_or(CryptoError::UnknownKey)?;
        let key = Arc::new(blind_index::field_key(root, field, kind));
        self.blinders.write().map_err(|_| CryptoError::UnknownKey)?.insert(cache_key, key.clone());
        Ok(key)
    }
}

/// What an audit MAC protects; each purpose has its own key, so a MAC made for one can never
/// pass for another.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AuditPurpose {
    /// One audit entry, as written by the service (forged insertions lack it).
    Entry,
    /// One link of the chain.
    Link,
    /// The sealer's high-water mark.
    Mark,
}

impl AuditPurpose {
    fn label(self) -> &'static [u8] {
        match self {
            Self::Entry => b"audit-entry-hmac",
            Self::Link => b"audit-link-hmac",
            Self::Mark => b"audit-mark-hmac",
        }
    }
}
