//! The sealed-value envelope: `version ‖ key id ‖ nonce ‖ ciphertext ‖ tag`.
//!
//! | bytes | meaning |
//! |---|---|
//! | 1 | format version (1) |
//! | 4 | key id, big endian |
//! | 12 | random 96-bit nonce from the OS CSPRNG |
//! | n + 16 | AES-256-GCM ciphertext and tag |
//!
//! The associated data binds the format version, table, column, row id and key id, so an
//! envelope opens only where it was sealed. Each column gets its own AES key, derived from the
//! master key with HKDF-SHA256, so one column's key opens nothing else.

use aes_gcm::aead::{Aead, KeyInit, OsRng, Payload};
use aes_gcm::{AeadCore, Aes256Gcm, Nonce};
use hkdf::Hkdf;
use sha2::Sha256;
use uuid::Uuid;
use zeroize::Zeroizing;

use super::{Column, CryptoError};

pub const VERSION: u8 = 1;
const HEADER: usize = 1 + 4 + 12;
const TAG: usize = 16;

pub(super) fn column_cipher(master: &[u8; 32], column: Column) -> Aes256Gcm {
    let hk = Hkdf::<Sha256>::new(Some(b"vigil/seal/v1"), master);
    let mut okm = Zeroizing::new([0u8; 32]);
    let info = [column.table.as_bytes(), b"\0", column.column.as_bytes()].concat();
    // 32 bytes is far below HKDF-SHA256's 8160-byte limit, so expand cannot fail.
    hk.expand(&info, okm.as_mut()).unwrap_or_default();
    Aes256Gcm::new(okm.as_ref().into())
}

fn aad(column: Column, row: Uuid, key_id: u32) -> Vec<u8> {
    let mut aad = Vec::with_capacity(64);
    aad.push(VERSION);
    for part in [column.table.as_bytes(), column.column.as_bytes()] {
        aad.extend_from_slice(&(part.len() as u16).to_be_bytes());
        aad.extend_from_slice(part);
    }
    aad.extend_from_slice(row.as_bytes());
    aad.extend_from_slice(&key_id.to_be_bytes());
    aad
}

pub(super) fn seal(cipher: &Aes256Gcm, key_id: u32, column: Column, row: Uuid, plaintext: &[u8]) -> Result<Vec<u8>, CryptoError> {
    let nonce = Aes256Gcm::generate_nonce(&mut OsRng);
    let ciphertext =
        cipher.encrypt(&nonce, Payload { msg: plaintext, aad: &aad(column, row, key_id) }).map_err(|_| CryptoError::Integrity)?;
    let mut out = Vec::with_capacity(HEADER + ciphertext.len());
    out.push(VERSION);
    out.extend_from_slice(&key_id.to_be_bytes());
    out.extend_from_slice(&nonce);
    out.extend_from_slice(&ciphertext);
    Ok(out)
}

/// Reads the key id without trusting anything else in the envelope.
pub fn key_id(sealed: &[u8]) -> Result<u32, CryptoError> {
    if sealed.len() < HEADER + TAG || sealed[0] != VERSION {
        return Err(CryptoError::Malformed);
    }
    Ok(u32::from_be_bytes([sealed[1], sealed[2], sealed[3], sealed[4]]))
}

pub(super) fn open(cipher: &Aes256Gcm, column: Column, row: Uuid, sealed: &[u8]) -> Result<Zeroizing<Vec<u8>>, CryptoError> {
    let key_id = key_id(sealed)?;
    let nonce = Nonce::from_slice(&sealed[5..HEADER]);
    cipher
        .decrypt(nonce, Payload { msg: &sealed[HEADER..], aad: &aad(column, row, key_id) })
        .map(Zeroizing::new)
        .map_err(|_| CryptoError::Integrity)
}
