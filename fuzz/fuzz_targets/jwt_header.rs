//! The JWT header is read before any signature is checked, from whoever sends a request: it
//! must never panic on any input.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|input: &str| {
    if let Ok(header) = jsonwebtoken::decode_header(input) {
        let _ = vigil::auth::token::ALLOWED_ALGORITHMS.contains(&header.alg);
    }
});
