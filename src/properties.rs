//! Property tests (proptest) over the pure parts that everything else trusts: sealing, blind
//! indexes, normalisers, the envelope decoder, the token header reader and the linkage keys.
//! They stand in for fuzzing: cargo-fuzz needs a nightly toolchain, which this project's
//! machines cannot install, so the "never panics on any input" properties run here, on every
//! test run, with proptest's shrinking to a minimal failing input.

use proptest::prelude::*;
use uuid::Uuid;

use crate::crypto::{BlindField, BlindKind, Crypto, KeyRing, columns, envelope};
use crate::linkage::{NameForm, Profile, keys, names};
use domain::identifiers::{self, Identifier};
use domain::text;
use domain::vocab::IdentifierKind;

fn crypto() -> &'static Crypto {
    static CRYPTO: std::sync::OnceLock<Crypto> = std::sync::OnceLock::new();
    CRYPTO.get_or_init(|| Crypto::new(KeyRing::generate()))
}

fn any_uuid() -> impl Strategy<Value = Uuid> {
    any::<u128>().prop_map(Uuid::from_u128)
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 256, ..ProptestConfig::default() })]

    #[test]
    fn open_of_seal_is_the_identity(plaintext in proptest::collection::vec(any::<u8>(), 0..512), row in any_uuid()) {
        let sealed = crypto().seal(columns::NAME, row, &plaintext).unwrap();
        let opened = crypto().open(columns::NAME, row, &sealed).unwrap();
        prop_assert_eq!(opened.as_slice(), plaintext.as_slice());
    }

    #[test]
    fn the_envelope_decoder_never_panics_and_never_opens_garbage(bytes in proptest::collection::vec(any::<u8>(), 0..256), row in any_uuid()) {
        let _ = envelope::key_id(&bytes);
        prop_assert!(crypto().open(columns::ADDRESS, row, &bytes).is_err());
    }

    #[test]
    fn a_blind_index_is_stable_and_separates_fields(values in proptest::collection::vec("\\PC{1,40}", 8)) {
        let index = |field, value: &str| crypto().blind_index(field, BlindKind::Exact, value).unwrap();
        for value in &values {
            prop_assert_eq!(index(BlindField::FullName, value), index(BlindField::FullName, value));
        }
        // Different fields use different keys. Digests are truncated on purpose (14–20 bits), so
        // one value can share a digest under two fields by chance; eight values all doing so
        // would mean the fields share a key.
        let same = values.iter().filter(|v| index(BlindField::FullName, v) == index(BlindField::Email, v)).count();
        prop_assert!(same < values.len());
    }

    #[test]
    fn folding_is_idempotent(value in "\\PC{0,60}") {
        let once = text::fold(&value);
        prop_assert_eq!(text::fold(&once), once.clone());
        prop_assert_eq!(once.trim(), once.as_str());
    }

    #[test]
    fn identifier_normalisers_never_panic_and_are_idempotent(raw in "\\PC{0,40}", kind in 0usize..IdentifierKind::ALL.len()) {
        let kind = IdentifierKind::ALL[kind];
        let platform = (kind == IdentifierKind::OnlineHandle).then_some("instagram");
        if let Ok(first) = Identifier::parse("identifiers[0]", kind, platform, &raw) {
            // A canonical value parses to itself: what was indexed is what a lookup computes.
            let again = Identifier::parse("identifiers[0]", kind, platform, &first.value).unwrap();
            prop_assert_eq!(again.value, first.value);
        }
    }

    #[test]
    fn uk_phone_numbers_in_any_layout_reach_one_canonical_form(digits in "[1-9][0-9]{8}") {
        let national = format!("07{}", &digits[..9]);
        if let Ok(canonical) = identifiers::phone(&national) {
            let spaced = format!("{} {}", &national[..5], &national[5..]);
            let international = format!("+44 {}", &national[1..]);
            prop_assert_eq!(identifiers::phone(&spaced).unwrap(), canonical.clone());
            prop_assert_eq!(identifiers::phone(&international).unwrap(), canonical);
        }
    }

    #[test]
    fn the_token_header_reader_never_panics(token in "[A-Za-z0-9_.=-]{0,200}") {
        let _ = jsonwebtoken::decode_header(&token);
    }

    #[test]
    fn blocking_keys_are_deterministic_and_a_record_finds_itself(given in "[a-z]{1,12}", family in "[a-z]{2,14}") {
        let profile = Profile { names: vec![NameForm { given: given.clone(), family: family.clone() }], ..Default::default() };
        let stored = keys::record_keys(&profile);
        prop_assert_eq!(&stored, &keys::record_keys(&profile));
        let query = keys::query_keys(&profile);
        prop_assert!(stored.iter().all(|k| query.contains(k)), "a query looks up every key its own record has");
        let _ = names::phonetic(&given);
    }
}
