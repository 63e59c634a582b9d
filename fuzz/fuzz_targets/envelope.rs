//! The envelope decoder reads whatever is in a sealed column: a damaged or forged value must be
//! refused, never panic, and never open.
#![no_main]

use std::sync::OnceLock;

use libfuzzer_sys::fuzz_target;
use uuid::Uuid;
use vigil::crypto::{Crypto, KeyRing, columns, envelope};

fn crypto() -> &'static Crypto {
    static CRYPTO: OnceLock<Crypto> = OnceLock::new();
    CRYPTO.get_or_init(|| Crypto::new(KeyRing::generate()))
}

fuzz_target!(|input: (u128, &[u8])| {
    let (row, bytes) = input;
    let row = Uuid::from_u128(row);
    let _ = envelope::key_id(bytes);
    assert!(crypto().open(columns::ADDRESS, row, bytes).is_err(), "garbage never opens");
    // A real envelope with one byte changed by the fuzzer's data must not open either.
    let sealed = crypto().seal(columns::NAME, row, b"synthetic").expect("seal");
    if let Some((&first, _)) = bytes.split_first() {
        let mut damaged = sealed.clone();
        let at = usize::from(first) % damaged.len();
        damaged[at] ^= bytes.get(1).copied().unwrap_or(1).max(1);
        assert!(crypto().open(columns::NAME, row, &damaged).is_err(), "a changed byte is detected");
    }
});
