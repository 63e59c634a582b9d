//! The key ring: a JSON file kept outside the database, created by `vigil keys generate`.
//!
//! ```json
//! { "format": 1,
//!   "encryption":  [{ "id": 1, "key": "<base64, 32 bytes>", "active": true }],
//!   "blind_index": [{ "id": 1, "key": "<base64, 32 bytes>", "active": true }] }
//! ```
//!
//! Encryption and blind-index keys are separate roots: knowing one reveals nothing about the
//! other. Exactly one key of each kind is active; older keys stay so that rows sealed under them
//! still open until they are re-encrypted. The service refuses to start without a valid ring.

use std::path::Path;

use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use rand::RngCore;
use serde::{Deserialize, Serialize};
use zeroize::Zeroizing;

use super::CryptoError;

struct Key {
    id: u32,
    material: Zeroizing<[u8; 32]>,
}

pub struct KeyRing {
    encryption: Vec<Key>,
    active_encryption: u32,
    blind_index: Vec<Key>,
    active_blind_index: u32,
    /// The audit roots of retired encryption keys (see [`KeyRing::audit_root`]): the audit
    /// chain and checkpoints made under a retired key must still verify, but nothing personal
    /// must still open.
    retired_audit: Vec<Key>,
}

impl std::fmt::Debug for KeyRing {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("KeyRing")
            .field("encryption_keys", &self.encryption.len())
            .field("blind_index_keys", &self.blind_index.len())
            .field("material", &"<redacted>")
            .finish()
    }
}

#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct KeyFile {
    format: u32,
    encryption: Vec<KeyEntry>,
    blind_index: Vec<KeyEntry>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    retired_audit: Vec<KeyEntry>,
}

#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct KeyEntry {
    id: u32,
    key: Zeroizing<String>,
    active: bool,
}

impl KeyRing {
    /// A fresh ring with one random key of each kind.
    pub fn generate() -> Self {
        Self {
            encryption: vec![Key { id: 1, material: random_key() }],
            active_encryption: 1,
            blind_index: vec![Key { id: 1, material: random_key() }],
            active_blind_index: 1,
            retired_audit: Vec::new(),
        }
    }

    pub fn load(path: &Path) -> Result<Self, CryptoError> {
        let shown = path.display().to_string();
        if !path.exists() {
            return Err(CryptoError::KeyRingMissing(shown));
        }
        check_permissions(path)?;
        let text = Zeroizing::new(std::fs::read_to_string(path).map_err(|e| CryptoError::KeyRingInvalid(format!("{shown}: {e}")))?);
        let file: KeyFile = serde_json::from_str(&text).map_err(|e| CryptoError::KeyRingInvalid(format!("{shown}: {e}")))?;
        Self::from_file(file)
    }

    /// Writes the ring with mode 0600, refusing to overwrite an existing file.
    pub fn save_new(&self, path: &Path) -> Result<(), CryptoError> {
        use std::io::Write;
        let shown = path.display().to_string();
        let file = KeyFile {
            format: 1,
            encryption: self.encryption.iter().map(|k| entry(k, self.active_encryption)).collect(),
            blind_index: self.blind_index.iter().map(|k| entry(k, self.active_blind_index)).collect(),
            retired_audit: self.retired_audit.iter().map(|k| entry(k, 0)).collect(),
        };
        let text = Zeroizing::new(serde_json::to_string_pretty(&file).map_err(|e| CryptoError::KeyRingInvalid(e.to_string()))?);
        if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
            std::fs::create_dir_all(dir).map_err(|e| CryptoError::KeyRingInvalid(format!("{shown}: {e}")))?;
        }
        let mut options = std::fs::OpenOptions::new();
        options.write(true).create_new(true);
        #[cfg(unix)]
        {
            use std::os::unix::fs::OpenOptionsExt;
            options.mode(0o600);
        }
        let mut out = options.open(path).map_err(|e| CryptoError::KeyRingInvalid(format!("{shown}: {e}")))?;
        out.write_all(text.as_bytes()).map_err(|e| CryptoError::KeyRingInvalid(format!("{shown}: {e}")))
    }

    fn from_file(file: KeyFile) -> Result<Self, CryptoError> {
        if file.format != 1 {
            return Err(CryptoError::KeyRingInvalid(format!("unsupported format {}", file.format)));
        }
        let (encryption, active_encryption) = parse_keys("encryption", file.encryption)?;
        let (blind_index, active_blind_index) = parse_keys("blind_index", file.blind_index)?;
        let retired_audit = parse_retired(file.retired_audit)?;
        Ok(Self { encryption, active_encryption, blind_index, active_blind_index, retired_audit })
    }

    pub fn active_encryption_id(&self) -> u32 {
        self.active_encryption
    }

    pub fn active_blind_index_id(&self) -> u32 {
        self.active_blind_index
    }

    pub fn encryption_key_ids(&self) -> Vec<u32> {
        self.encryption.iter().map(|k| k.id).collect()
    }

    pub fn blind_index_key_ids(&self) -> Vec<u32> {
        self.blind_index.iter().map(|k| k.id).collect()
    }

    /// Adds a fresh encryption key and a fresh blind-index key and makes them the active ones.
    /// The old keys stay, so everything sealed or indexed under them still opens and is still
    /// found until `vigil keys rotate` has moved it and `vigil keys retire` removes them.
    pub fn add_keys(&mut self) -> (u32, u32) {
        let encryption = self.encryption.iter().map(|k| k.id).max().unwrap_or(0) + 1;
        let blind = self.blind_index.iter().map(|k| k.id).max().unwrap_or(0) + 1;
        self.encryption.push(Key { id: encryption, material: random_key() });
        self.blind_index.push(Key { id: blind, material: random_key() });
        self.active_encryption = encryption;
        self.active_blind_index = blind;
        (encryption, blind)
    }

    /// Removes a retired encryption key and blind-index key with these ids (never an active one).
    pub fn retire(&mut self, encryption: Option<u32>, blind: Option<u32>) -> Result<(), CryptoError> {
        if encryption == Some(self.active_encryption) || blind == Some(self.active_blind_index) {
            return Err(CryptoError::KeyRingInvalid("an active key cannot be retired".into()));
        }
        if let Some(id) = encryption
            && let Some(root) = self.audit_root(id)
            && !self.retired_audit.iter().any(|k| k.id == id)
        {
            self.retired_audit.push(Key { id, material: root });
        }
        self.encryption.retain(|k| Some(k.id) != encryption);
        self.blind_index.retain(|k| Some(k.id) != blind);
        Ok(())
    }

    /// Replaces the ring file: written whole (mode 0600) beside it, then renamed over it, so a
    /// crash leaves either the old ring or the new one, never half of one.
    pub fn save_replacing(&self, path: &Path) -> Result<(), CryptoError> {
        let partial = path.with_extension("json.partial");
        let _ = std::fs::remove_file(&partial);
        self.save_new(&partial)?;
        std::fs::rename(&partial, path).map_err(|e| CryptoError::KeyRingInvalid(format!("{}: {e}", path.display())))
    }

    pub(super) fn encryption_key(&self, id: u32) -> Option<&[u8; 32]> {
        self.encryption.iter().find(|k| k.id == id).map(|k| &*k.material)
    }

    /// The root of the audit trail's keys (chain MACs, entry MACs, checkpoint signatures) for
    /// encryption key `id`: derived from it (HKDF) while it is in the ring, and kept on its own
    /// once it is retired, so old links still verify without the key that opened personal data.
    pub(super) fn audit_root(&self, id: u32) -> Option<Zeroizing<[u8; 32]>> {
        if let Some(master) = self.encryption_key(id) {
            let hk = hkdf::Hkdf::<sha2::Sha256>::new(Some(b"vigil/audit-root/v1"), master);
            let mut root = Zeroizing::new([0u8; 32]);
            // 32 bytes is far below HKDF-SHA256's limit, so expand cannot fail.
            hk.expand(b"audit", root.as_mut()).ok()?;
            return Some(root);
        }
        self.retired_audit.iter().find(|k| k.id == id).map(|k| k.material.clone())
    }

    pub(super) fn blind_index_key(&self, id: u32) -> Option<&[u8; 32]> {
        self.blind_index.iter().find(|k| k.id == id).map(|k| &*k.material)
    }
}

fn random_key() -> Zeroizing<[u8; 32]> {
    let mut key = Zeroizing::new([0u8; 32]);
    rand::rngs::OsRng.fill_bytes(key.as_mut());
    key
}

fn entry(key: &Key, active: u32) -> KeyEntry {
    KeyEntry { id: key.id, key: Zeroizing::new(STANDARD.encode(key.material.as_ref())), active: key.id == active }
}

fn parse_keys(kind: &str, entries: Vec<KeyEntry>) -> Result<(Vec<Key>, u32), CryptoError> {
    let mut keys = Vec::with_capacity(entries.len());
    let mut active = None;
    for entry in entries {
        let bytes = Zeroizing::new(
            STANDARD
                .decode(entry.key.as_bytes())
                .map_err(|_| CryptoError::KeyRingInvalid(format!("{kind} key {} is not base64", entry.id)))?,
        );
        let material: [u8; 32] =
            bytes.as_slice().try_into().map_err(|_| CryptoError::KeyRingInvalid(format!("{kind} key {} must be 32 bytes", entry.id)))?;
        if keys.iter().any(|k: &Key| k.id == entry.id) {
            return Err(CryptoError::KeyRingInvalid(format!("{kind} key id {} appears twice", entry.id)));
        }
        if entry.active {
            if active.is_some() {
                return Err(CryptoError::KeyRingInvalid(format!("more than one active {kind} key")));
            }
            active = Some(entry.id);
        }
        keys.push(Key { id: entry.id, material: Zeroizing::new(material) });
    }
    let active = active.ok_or_else(|| CryptoError::KeyRingInvalid(format!("no active {kind} key")))?;
    Ok((keys, active))
}

fn parse_retired(entries: Vec<KeyEntry>) -> Result<Vec<Key>, CryptoError> {
    let mut keys = Vec::with_capacity(entries.len());
    for entry in entries {
        let bytes = Zeroizing::new(
            STANDARD
                .decode(entry.key.as_bytes())
                .map_err(|_| CryptoError::KeyRingInvalid(format!("retired audit key {} is not base64", entry.id)))?,
        );
        let material: [u8; 32] = bytes
            .as_slice()
            .try_into()
            .map_err(|_| CryptoError::KeyRingInvalid(format!("retired audit key {} must be 32 bytes", entry.id)))?;
        keys.push(Key { id: entry.id, material: Zeroizing::new(material) });
    }
    Ok(keys)
}

#[cfg(unix)]
fn check_permissions(path: &Path) -> Result<(), CryptoError> {
    use std::os::unix::fs::PermissionsExt;
    let mode = std::fs::metadata(path).map_err(|e| CryptoError::KeyRingInvalid(e.to_string()))?.permissions().mode();
    if mode & 0o077 != 0 {
        return Err(CryptoError::KeyRingPermissions(path.display().to_string()));
    }
    Ok(())
}

#[cfg(not(unix))]
fn check_permissions(_path: &Path) -> Result<(), CryptoError> {
    Ok(())
}
