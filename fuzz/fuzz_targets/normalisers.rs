//! Every normaliser that turns user input into what is indexed and compared: it must never
//! panic, and what it returns must normalise to itself (a stored key is what a lookup computes).
#![no_main]

use libfuzzer_sys::fuzz_target;
use vigil::domain::identifiers::Identifier;
use vigil::domain::person::{PersonName, uk_postcode};
use vigil::domain::text;
use vigil::domain::vocab::IdentifierKind;
use vigil::linkage::{NameForm, Profile, keys, names};

fuzz_target!(|input: &str| {
    let folded = text::fold(input);
    assert_eq!(text::fold(&folded), folded, "fold is idempotent");

    for kind in IdentifierKind::ALL {
        let platform = (*kind == IdentifierKind::OnlineHandle).then_some("instagram");
        if let Ok(first) = Identifier::parse("identifiers[0]", *kind, platform, input) {
            let again = Identifier::parse("identifiers[0]", *kind, platform, &first.value).expect("a canonical value parses");
            assert_eq!(again.value, first.value, "{kind:?} is idempotent");
            let _ = first.index_key();
        }
    }
    if let Ok(postcode) = uk_postcode("postcode", input) {
        assert_eq!(uk_postcode("postcode", &postcode).expect("a canonical postcode parses"), postcode);
    }

    // Names: split the input into given and family names as a form would.
    let (given, family) = input.split_once('|').unwrap_or(("", input));
    let _ = names::phonetic(given);
    let _ = names::canonical(given);
    if let Ok(name) = PersonName::parse("name", given, family) {
        let form = NameForm::from_name(&name);
        let profile = Profile { names: vec![form], ..Default::default() };
        let stored = keys::record_keys(&profile);
        let query = keys::query_keys(&profile);
        assert!(stored.iter().all(|k| query.contains(k)), "a record is found by its own query keys");
        let _ = vigil::linkage::score::score(&profile, &profile);
    }
});
