//! How two names agree, for [`super::score`]. The given name and the family name are compared
//! separately and the pair of results is one agreement level, so that every partial agreement a
//! report can carry counts for what it is worth: an initial with the right surname, a nickname
//! with a misspelt surname, the right forename with a different surname (an alias or a
//! marriage), the names the other way round with a typo.

use strsim::jaro_winkler;

use super::NameForm;
use super::names::{canonical, phonetic};

/// Jaro–Winkler similarity above which two name parts are "similar" (a typo).
const SIMILAR_PART: f64 = 0.9;
/// Jaro–Winkler similarity of full names above which names are "similar".
const SIMILAR_NAMES: f64 = 0.92;

/// How two given names agree, weakest first.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
enum Given {
    Disagree,
    /// One side is an initial, and it is the other's first letter.
    Initial,
    /// Same sound or a typo apart.
    Similar,
    /// One a nickname of the other.
    Canonical,
    Exact,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Family {
    Disagree,
    Similar,
    Exact,
}

fn sound_alike(a: &str, b: &str) -> bool {
    let (pa, pb) = (phonetic(a), phonetic(b));
    (!pa.is_empty() && pa == pb) || jaro_winkler(a, b) >= SIMILAR_PART
}

fn given(a: &str, b: &str) -> Option<Given> {
    if a.is_empty() || b.is_empty() {
        return None;
    }
    Some(if a == b {
        Given::Exact
    } else if canonical(a) == canonical(b) {
        Given::Canonical
    } else if a.chars().count() == 1 || b.chars().count() == 1 {
        if a.chars().next() == b.chars().next() { Given::Initial } else { Given::Disagree }
    } else if sound_alike(a, b) {
        Given::Similar
    } else {
        Given::Disagree
    })
}

fn family(a: &str, b: &str) -> Option<Family> {
    if a.is_empty() || b.is_empty() {
        return None;
    }
    Some(if a == b {
        Family::Exact
    } else if sound_alike(a, b) {
        Family::Similar
    } else {
        Family::Disagree
    })
}

/// The agreement level of two names with family names on both sides, as read in this
/// orientation (`a`'s given name against `b`'s). `exact` is whole-name equality, middle names
/// included.
pub fn level(a: &NameForm, b: &NameForm) -> &'static str {
    if a == b {
        return "exact";
    }
    let g = given(a.first_given(), b.first_given());
    let f = family(&a.family, &b.family);
    match (g, f) {
        (Some(Given::Exact | Given::Canonical), Some(Family::Exact)) => "nickname",
        (Some(Given::Similar), Some(Family::Exact)) | (Some(Given::Exact | Given::Canonical | Given::Similar), Some(Family::Similar)) => {
            "phonetic"
        }
        (Some(Given::Initial), Some(Family::Exact)) => "initial",
        _ if jaro_winkler(&a.full(), &b.full()) >= SIMILAR_NAMES => "similar",
        (Some(Given::Initial), Some(Family::Similar)) => "initial_similar",
        (None | Some(Given::Disagree), Some(Family::Exact | Family::Similar)) => "surname_only",
        (Some(Given::Exact | Given::Canonical), Some(Family::Disagree)) => "given_only",
        _ => "disagree",
    }
}

/// The level of `a` read the other way round against `b`, when that agrees well enough to be a
/// recording error (given and family names swapped) rather than chance.
pub fn swapped_level(a: &NameForm, b: &NameForm) -> Option<&'static str> {
    let swapped = a.swapped()?;
    matches!(level(&swapped, b), "exact" | "nickname" | "phonetic").then_some("swapped")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn name(given: &str, family: &str) -> NameForm {
        NameForm { given: given.into(), family: family.into() }
    }

    #[test]
    fn every_partial_agreement_has_its_level() {
        let truth = name("robert", "hartley");
        let cases = [
            (name("robert", "hartley"), "exact"),
            (name("bob", "hartley"), "nickname"),
            (name("robret", "hartley"), "phonetic"),
            (name("bob", "hartly"), "phonetic"),
            (name("r", "hartley"), "initial"),
            (name("r", "hartlee"), "initial_similar"),
            (name("peter", "hartley"), "surname_only"),
            (name("robert", "jones"), "given_only"),
            (name("peter", "jones"), "disagree"),
        ];
        for (query, expected) in cases {
            assert_eq!(level(&query, &truth), expected, "{} {}", query.given, query.family);
        }
        assert_eq!(level(&name("s", "hartley"), &truth), "surname_only", "a different initial");
    }

    #[test]
    fn names_the_other_way_round_are_swapped_even_with_a_typo_or_a_nickname() {
        let truth = name("robert", "hartley");
        assert_eq!(swapped_level(&name("hartley", "robert"), &truth), Some("swapped"));
        assert_eq!(swapped_level(&name("hartly", "bob"), &truth), Some("swapped"));
        assert_eq!(swapped_level(&name("jones", "robert"), &truth), None);
        assert_eq!(swapped_level(&name("", "robert"), &truth), None);
    }
}
