//! Properties of sealing and blind indexing that the rest of the service relies on.

use uuid::Uuid;

use super::*;

fn crypto() -> Crypto {
    Crypto::new(KeyRing::generate())
}

#[test]
fn sealed_values_open_only_in_their_own_row_and_column() {
    let c = crypto();
    let row = Uuid::now_v7();
    let sealed = c.seal_str(columns::NAME, row, "Canary Person").unwrap();
    assert_eq!(c.open_str(columns::NAME, row, &sealed).unwrap(), "Canary Person");
    assert!(matches!(c.open_str(columns::NAME, Uuid::now_v7(), &sealed), Err(CryptoError::Integrity)), "other row");
    assert!(matches!(c.open_str(columns::ADDRESS, row, &sealed), Err(CryptoError::Integrity)), "other column");
    assert!(!sealed.windows(6).any(|w| w == b"Canary"));
}

#[test]
fn any_flipped_bit_is_detected_without_partial_plaintext() {
    let c = crypto();
    let row = Uuid::now_v7();
    let sealed = c.seal_str(columns::IDENTIFIER, row, "+447700900123").unwrap();
    for i in 0..sealed.len() {
        let mut tampered = sealed.clone();
        tampered[i] ^= 0x01;
        assert!(c.open(columns::IDENTIFIER, row, &tampered).is_err(), "byte {i}");
    }
    assert!(matches!(c.open(columns::IDENTIFIER, row, &sealed[..10]), Err(CryptoError::Malformed)));
}

#[test]
fn nonces_are_fresh_for_every_seal() {
    let c = crypto();
    let row = Uuid::now_v7();
    let mut nonces = std::collections::HashSet::new();
    for _ in 0..10_000 {
        let sealed = c.seal_str(columns::NAME, row, "same").unwrap();
        assert!(nonces.insert(sealed[5..17].to_vec()), "nonce repeated");
    }
}

#[test]
fn a_key_ring_without_the_sealing_key_cannot_open() {
    let row = Uuid::now_v7();
    let sealed = crypto().seal_str(columns::NAME, row, "x").unwrap();
    assert!(matches!(crypto().open(columns::NAME, row, &sealed), Err(CryptoError::Integrity)));
    let mut wrong_id = sealed.clone();
    wrong_id[4] = 9;
    assert!(matches!(crypto().open(columns::NAME, row, &wrong_id), Err(CryptoError::UnknownKey)));
}

#[test]
fn blind_indexes_are_stable_per_field_and_truncated() {
    let c = crypto();
    let a = c.blind_index(BlindField::Phone, BlindKind::Exact, "+447700900123").unwrap();
    assert_eq!(a, c.blind_index(BlindField::Phone, BlindKind::Exact, "+447700900123").unwrap());
    assert!((0..1 << 16).contains(&a));
    let names: std::collections::HashSet<i64> =
        (0..2000).map(|i| c.blind_index(BlindField::FullName, BlindKind::Exact, &format!("n{i}")).unwrap()).collect();
    assert!(names.iter().all(|d| (0..1 << 14).contains(d)));
    // Same value, different field: unrelated digests (equal only by 1-in-65536 chance).
    let email = c.blind_index(BlindField::Email, BlindKind::Exact, "+447700900123").unwrap();
    let other_ring = crypto().blind_index(BlindField::Phone, BlindKind::Exact, "+447700900123").unwrap();
    assert!(email != a || other_ring != a);
}

#[test]
fn key_rings_round_trip_through_a_private_file_and_debug_is_redacted() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("ring.json");
    let ring = KeyRing::generate();
    ring.save_new(&path).unwrap();
    assert!(ring.save_new(&path).is_err(), "never overwrites");
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        assert_eq!(std::fs::metadata(&path).unwrap().permissions().mode() & 0o777, 0o600);
    }
    let loaded = KeyRing::load(&path).unwrap();
    let row = Uuid::now_v7();
    let sealed = Crypto::new(ring).seal_str(columns::NOTIFICATION_DETAILS, row, "x").unwrap();
    let c = Crypto::new(loaded);
    assert_eq!(c.open_str(columns::NOTIFICATION_DETAILS, row, &sealed).unwrap(), "x");
    let text = std::fs::read_to_string(&path).unwrap();
    let debug = format!("{c:?}");
    assert!(debug.contains("redacted"));
    let key_b64: serde_json::Value = serde_json::from_str(&text).unwrap();
    assert!(!debug.contains(key_b64["encryption"][0]["key"].as_str().unwrap()));
}

#[test]
fn the_service_refuses_a_missing_or_world_readable_key_ring() {
    let dir = tempfile::tempdir().unwrap();
    assert!(matches!(KeyRing::load(&dir.path().join("absent.json")), Err(CryptoError::KeyRingMissing(_))));
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let path = dir.path().join("open.json");
        KeyRing::generate().save_new(&path).unwrap();
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o644)).unwrap();
        assert!(matches!(KeyRing::load(&path), Err(CryptoError::KeyRingPermissions(_))));
    }
}

/// C04: nonces come from the OS CSPRNG, never from the row id or the time, so sealing the same
/// value for the same row many times never repeats one; and every seal is counted per key.
#[test]
fn nonces_never_repeat_and_every_seal_is_counted() {
    let c = crypto();
    let row = Uuid::now_v7();
    let n = 200_000;
    let mut seen = std::collections::HashSet::with_capacity(n);
    for _ in 0..n {
        let sealed = c.seal(columns::NAME, row, b"same").unwrap();
        let nonce: [u8; 12] = sealed[5..17].try_into().unwrap();
        assert!(seen.insert(nonce), "a nonce repeated");
    }
    assert_eq!(c.usage.total(c.ring().active_encryption_id()), n as u64);
}

#[test]
fn audit_macs_are_keyed_per_purpose_and_survive_retiring_their_key() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("ring.json");
    let mut ring = KeyRing::generate();
    let row = Uuid::now_v7();
    let c = Crypto::new(KeyRing::generate());
    let sealed = Crypto::new(KeyRing::generate()).seal_str(columns::NOTIFICATION_DETAILS, row, "x").unwrap();
    assert!(c.open_str(columns::NOTIFICATION_DETAILS, row, &sealed).is_err());
    ring.save_new(&path).unwrap();
    let before = Crypto::new(KeyRing::load(&path).unwrap());
    let mac = before.audit_mac(1, AuditPurpose::Link, b"message").unwrap();
    assert!(before.audit_mac_matches(1, AuditPurpose::Link, b"message", &mac));
    assert!(!before.audit_mac_matches(1, AuditPurpose::Entry, b"message", &mac), "a MAC for one purpose is no MAC for another");
    assert!(!before.audit_mac_matches(1, AuditPurpose::Link, b"messagf", &mac));
    assert!(!c.audit_mac_matches(1, AuditPurpose::Link, b"message", &mac), "another ring's key 1 is another key");
    let signer = before.checkpoint_key(1).unwrap().verifying_key();
    let sealed = before.seal_str(columns::NOTIFICATION_DETAILS, row, "x").unwrap();

    // Key 1 retired after a rotation: nothing personal opens under it, the trail still verifies.
    ring.add_keys();
    ring.retire(Some(1), Some(1)).unwrap();
    ring.save_replacing(&path).unwrap();
    let after = Crypto::new(KeyRing::load(&path).unwrap());
    assert!(after.open_str(columns::NOTIFICATION_DETAILS, row, &sealed).is_err());
    assert!(after.audit_mac_matches(1, AuditPurpose::Link, b"message", &mac));
    assert_eq!(after.checkpoint_key(1).unwrap().verifying_key(), signer);
    assert_eq!(after.active_audit_key_id(), 2);
}
