//! Fellegi–Sunter scoring. Each field is compared at one of a few agreement levels; each level
//! carries a log-likelihood weight `ln(m / u)`, where `m` is how often the level is seen when
//! two records are the same person and `u` how often when they are not. The match probability
//! is the logistic of the summed weights plus the prior log-odds of a blocked pair being a
//! match. The m/u values below are set by hand from published UK linkage studies' orders of
//! magnitude and checked against the synthetic benchmark; change [`ALGORITHM_VERSION`] with them.
//!
//! [`ALGORITHM_VERSION`]: super::ALGORITHM_VERSION

use chrono::{Datelike, NaiveDate};
use serde::Serialize;
use strsim::{damerau_levenshtein, jaro_winkler};
use utoipa::ToSchema;

use super::names::{canonical, phonetic};
use super::{NameForm, Profile};
use domain::vocab::IdentifierKind;

/// Prior log-odds that a pair sharing a blocking key is a match (about 1 in 1,000).
pub const PRIOR: f64 = -6.9;
/// At or above this probability a candidate goes to the review queue.
pub const REVIEW_THRESHOLD: f64 = 0.5;
/// At or above this probability a link counts towards clusters and serial patterns before an
/// officer has reviewed it (as a shared strong identifier does).
pub const STRONG_THRESHOLD: f64 = 0.95;
/// Jaro–Winkler similarity of full names above which names are "similar".
const SIMILAR_NAMES: f64 = 0.92;

/// One field's contribution: its name, agreement level and weight. Never a value.
#[derive(Clone, Debug, PartialEq, Serialize, serde::Deserialize, ToSchema)]
pub struct FieldScore {
    pub field: String,
    pub level: String,
    pub weight: f64,
}

#[derive(Clone, Debug, Default)]
pub struct Score {
    pub weight: f64,
    pub probability: f64,
    pub fields: Vec<FieldScore>,
    /// A strong identifier (phone, e-mail, handle, IMEI, national id) agrees.
    pub strong_identifier: bool,
}

fn w(m: f64, u: f64) -> f64 {
    (m / u).ln()
}

/// `u` of an exact full-name agreement for a name of average frequency.
const EXACT_NAME_U: f64 = 0.0005;
/// `u` of a nickname-level agreement (same surname, same canonical forename) on average.
const NICKNAME_U: f64 = 0.001;
/// Registrants' worth of prior belief in the average frequency: a register smaller than this
/// says little about how common a name is, a larger one says more (term frequencies shrunk
/// towards the average, so a small register scores as before).
const PRIOR_REGISTRANTS: f64 = 100_000.0;
/// A name counts as at most this much rarer than average: a unique name in a large register is
/// strong evidence, but never on its own above the strong threshold.
const MAX_RARITY: f64 = 4.0;

/// How common a query's names are in the register (term frequencies, as Splink's
/// term-frequency adjustments), counted by the check itself among the registrants its blocking
/// keys truly found: the number of registrants holding exactly each query name (`full`), and
/// the same surname with the same canonical forename (`pair`). Without counts every name
/// weighs as an average one. `Debug` is redacted: the keys are names.
#[derive(Clone, Default)]
pub struct NameFrequencies {
    /// Registrants in the register when counted.
    pub register: u64,
    full: std::collections::HashMap<String, u64>,
    pair: std::collections::HashMap<String, u64>,
}

impl std::fmt::Debug for NameFrequencies {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "NameFrequencies(register: {}, <redacted>)", self.register)
    }
}

/// The key a name's pair frequency is counted under.
fn pair_key(name: &NameForm) -> String {
    format!("{}|{}", canonical(name.first_given()), name.family)
}

impl NameFrequencies {
    /// Counts, for each name of `query`, the `candidates` holding it exactly and as a pair.
    pub fn count<'a>(query: &Profile, register: u64, candidates: impl IntoIterator<Item = &'a Profile>) -> Self {
        let mut out = Self { register, ..Default::default() };
        let wanted: Vec<(String, String)> = query.names.iter().map(|n| (n.full(), pair_key(n))).collect();
        for (full, pair) in &wanted {
            out.full.insert(full.clone(), 0);
            out.pair.insert(pair.clone(), 0);
        }
        for candidate in candidates {
            let fulls: std::collections::HashSet<String> = candidate.names.iter().map(NameForm::full).collect();
            let pairs: std::collections::HashSet<String> = candidate.names.iter().map(pair_key).collect();
            for (full, pair) in &wanted {
                if fulls.contains(full) {
                    *out.full.entry(full.clone()).or_default() += 1;
                }
                if pairs.contains(pair) {
                    *out.pair.entry(pair.clone()).or_default() += 1;
                }
            }
        }
        out
    }

    /// `u` for a name held by `count` registrants: the register's frequency shrunk towards the
    /// average `u0`, no rarer than `u0 / MAX_RARITY` and no commoner than 1 in 20.
    fn u(&self, count: Option<u64>, u0: f64) -> f64 {
        let Some(count) = count else { return u0 };
        let n = self.register as f64;
        let share = (count as f64 + u0 * PRIOR_REGISTRANTS) / (n + PRIOR_REGISTRANTS);
        share.clamp(u0 / MAX_RARITY, 0.05)
    }

    fn exact_u(&self, name: &NameForm) -> f64 {
        self.u(self.full.get(&name.full()).copied(), EXACT_NAME_U)
    }

    fn nickname_u(&self, name: &NameForm) -> f64 {
        self.u(self.pair.get(&pair_key(name)).copied(), NICKNAME_U)
    }
}

fn field(name: &str, level: &str, weight: f64) -> FieldScore {
    FieldScore { field: name.to_owned(), level: level.to_owned(), weight: (weight * 100.0).round() / 100.0 }
}

/// Name agreement levels, best first; `a` is the query's name, whose frequency in the register
/// sets the weight of an exact or nickname-level agreement.
fn name_level(a: &NameForm, b: &NameForm, tf: &NameFrequencies) -> (&'static str, f64) {
    let (ag, bg) = (a.first_given(), b.first_given());
    if a == b {
        return ("exact", w(0.70, tf.exact_u(a)));
    }
    if a.family.is_empty() || b.family.is_empty() {
        // Only a given name known on one side (a first name a victim knew): it can agree, but
        // says nothing about the surname.
        let agree = !ag.is_empty() && canonical(ag) == canonical(bg);
        return if agree { ("forename_only", w(0.6, 0.02)) } else { ("disagree", w(0.03, 0.96)) };
    }
    if !ag.is_empty() && a.family == b.family && canonical(ag) == canonical(bg) {
        return ("nickname", w(0.10, tf.nickname_u(a)));
    }
    if let Some(swapped) = a.swapped()
        && swapped.family == b.family
        && !bg.is_empty()
        && canonical(swapped.first_given()) == canonical(bg)
    {
        return ("swapped", w(0.05, 0.0005));
    }
    let same_surname_sound = !a.family.is_empty() && phonetic(&a.family) == phonetic(&b.family) && !phonetic(&a.family).is_empty();
    if same_surname_sound && (ag.is_empty() == bg.is_empty()) && phonetic(ag) == phonetic(bg) {
        return ("phonetic", w(0.08, 0.003));
    }
    if jaro_winkler(&a.full(), &b.full()) >= SIMILAR_NAMES {
        return ("similar", w(0.05, 0.005));
    }
    if a.family == b.family || same_surname_sound {
        return ("surname_only", w(0.04, 0.03));
    }
    ("disagree", w(0.03, 0.96))
}

fn compare_names(a: &Profile, b: &Profile, tf: &NameFrequencies) -> Option<FieldScore> {
    let mut best: Option<(&str, f64)> = None;
    for x in &a.names {
        for y in &b.names {
            let level = name_level(x, y, tf);
            if best.is_none_or(|(_, weight)| level.1 > weight) {
                best = Some(level);
            }
        }
    }
    best.map(|(level, weight)| field("name", level, weight))
}

/// Two full dates: exact; day and month transposed; one digit different; same year only.
fn date_level(a: NaiveDate, b: NaiveDate) -> (&'static str, f64) {
    if a == b {
        return ("exact", w(0.85, 0.0003));
    }
    if a.year() == b.year() && a.day() == b.month() && a.month() == b.day() {
        return ("transposed", w(0.03, 0.0003));
    }
    let (sa, sb) = (a.format("%Y%m%d").to_string(), b.format("%Y%m%d").to_string());
    if sa.chars().zip(sb.chars()).filter(|(x, y)| x != y).count() == 1 {
        return ("one_digit", w(0.05, 0.003));
    }
    if a.month() == b.month() && a.day() == b.day() {
        // A wrong year (a typed digit, an age misheard): about 1 in 365 strangers agree.
        return ("day_and_month", w(0.05, 0.0028));
    }
    if a.year() == b.year() && a.month() == b.month() {
        return ("year_and_month", w(0.03, 0.0017));
    }
    if a.year() == b.year() {
        return ("year_only", w(0.03, 0.03));
    }
    ("disagree", w(0.04, 0.97))
}

fn compare_birth(a: &Profile, b: &Profile) -> Option<FieldScore> {
    let mut best: Option<(&'static str, f64)> = None;
    fn consider(best: &mut Option<(&'static str, f64)>, level: (&'static str, f64)) {
        if best.is_none_or(|(_, weight)| level.1 > weight) {
            *best = Some(level);
        }
    }
    for x in &a.birth_dates {
        for y in &b.birth_dates {
            consider(&mut best, date_level(*x, *y));
        }
    }
    if best.is_none() {
        // Only years on at least one side: agreement on the year is weak evidence.
        let (ya, yb) = (a.years(), b.years());
        if !ya.is_empty() && !yb.is_empty() {
            consider(&mut best, if ya.iter().any(|y| yb.contains(y)) { ("year", w(0.95, 0.05)) } else { ("disagree", w(0.04, 0.97)) });
        }
    }
    if best.is_none() {
        // An estimated age on one side against known years on the other.
        let ranged = [(a.birth_year_range, b.years()), (b.birth_year_range, a.years())];
        for (range, years) in ranged {
            if let Some((from, to)) = range
                && !years.is_empty()
            {
                let inside = years.iter().any(|y| (from..=to).contains(y));
                consider(&mut best, if inside { ("age_range", w(0.95, 0.25)) } else { ("outside_age_range", w(0.05, 0.75)) });
            }
        }
    }
    best.map(|(level, weight)| field("date_of_birth", level, weight))
}

/// (agreement weight, disagreement weight) of an identifier kind. Changing numbers and
/// handles is common, so disagreement costs little; national identifiers do not change.
fn identifier_weights(kind: IdentifierKind) -> (f64, f64) {
    match kind {
        IdentifierKind::PncId | IdentifierKind::NiNumber | IdentifierKind::Passport => (w(0.95, 0.000_01), w(0.05, 0.99)),
        IdentifierKind::Imei => (w(0.6, 0.000_01), w(0.4, 0.99)),
        IdentifierKind::Phone | IdentifierKind::Email => (w(0.6, 0.000_006), w(0.4, 0.99)),
        IdentifierKind::OnlineHandle => (w(0.5, 0.000_006), w(0.5, 0.99)),
        IdentifierKind::VehicleRegistration => (w(0.4, 0.000_1), w(0.6, 0.99)),
    }
}

/// Two identifiers of at least six characters that differ by one substitution, insertion,
/// deletion or transposition of neighbours.
fn one_edit_apart(a: &str, b: &str) -> bool {
    a.len() >= 6 && b.len() >= 6 && damerau_levenshtein(a, b) == 1
}

/// The first part of a UK postcode (`SW1A` of `SW1A 1AA`): a district.
fn outward(postcode: &str) -> &str {
    postcode.split_whitespace().next().unwrap_or(postcode)
}

/// Addresses, best level first: the same postcode; the same first line and town (a mistyped
/// postcode); the same postcode district; the same town. People move, so a disagreement
/// costs little.
fn compare_addresses(a: &Profile, b: &Profile) -> Option<FieldScore> {
    let any = |xs: &[String], ys: &[String]| xs.iter().any(|x| ys.contains(x));
    let (has_a, has_b) = (!a.postcodes.is_empty() || !a.towns.is_empty(), !b.postcodes.is_empty() || !b.towns.is_empty());
    if !has_a || !has_b {
        return None;
    }
    let level = if any(&a.postcodes, &b.postcodes) {
        ("postcode", w(0.4, 0.000_5))
    } else if any(&a.streets, &b.streets) && any(&a.towns, &b.towns) {
        ("street_and_town", w(0.3, 0.000_5))
    } else if a.postcodes.iter().any(|x| b.postcodes.iter().any(|y| outward(x) == outward(y))) {
        ("district", w(0.1, 0.003))
    } else if any(&a.towns, &b.towns) {
        ("town", w(0.1, 0.01))
    } else {
        ("disagree", w(0.5, 0.99))
    };
    Some(field("address", level.0, level.1))
}

/// Scores `candidate` against `query`, field by field, every name of average frequency.
pub fn score(query: &Profile, candidate: &Profile) -> Score {
    score_with(query, candidate, &NameFrequencies::default())
}

/// Scores `candidate` against `query`, field by field, names weighed by how common the query's
/// names are in the register.
pub fn score_with(query: &Profile, candidate: &Profile, tf: &NameFrequencies) -> Score {
    let mut fields: Vec<FieldScore> = Vec::new();
    fields.extend(compare_names(query, candidate, tf));
    fields.extend(compare_birth(query, candidate));
    let mut strong = false;
    for kind in IdentifierKind::ALL {
        let mine: Vec<&String> = query.identifiers.iter().filter(|(k, _)| k == kind).map(|(_, v)| v).collect();
        let theirs: Vec<&String> = candidate.identifiers.iter().filter(|(k, _)| k == kind).map(|(_, v)| v).collect();
        if mine.is_empty() || theirs.is_empty() {
            continue;
        }
        let (agree, disagree) = identifier_weights(*kind);
        if mine.iter().any(|v| theirs.contains(v)) {
            strong |= *kind != IdentifierKind::VehicleRegistration;
            fields.push(field(kind.as_str(), "agree", agree));
        } else if mine.iter().any(|a| theirs.iter().any(|b| one_edit_apart(a, b))) {
            // A digit misread or two transposed: strangers' numbers are rarely one edit apart.
            fields.push(field(kind.as_str(), "one_character", w(0.04, 0.000_2)));
        } else {
            fields.push(field(kind.as_str(), "disagree", disagree));
        }
    }
    fields.extend(compare_addresses(query, candidate));
    let weight: f64 = fields.iter().map(|f| f.weight).sum();
    let probability = 1.0 / (1.0 + (-(PRIOR + weight)).exp());
    Score { weight, probability, fields, strong_identifier: strong }
}

/// Shares belief among registrants that compete for the same report. A report is about one
/// person, and the register holds each person once, so the pairwise odds `o_i` of the candidates
/// are turned into `P(i) = o_i / (1 + Σ o_j)` (the `1` is "none of them"). A lone candidate keeps
/// its probability; four registrants who share only a common name and nothing else get about a
/// fifth each instead of a half each, which is what the synthetic benchmark observes. This is
/// the term-frequency adjustment for common names, taken from the register itself. The change
/// is shown in the explanation as `competing_candidates`, so the weights still add up.
pub fn compete<'a>(scores: impl IntoIterator<Item = &'a mut Score>) {
    let mut scores: Vec<&mut Score> = scores.into_iter().collect();
    let total: f64 = scores.iter().map(|s| (PRIOR + s.weight).exp()).sum();
    for s in &mut scores {
        let odds = (PRIOR + s.weight).exp();
        let probability = odds / (1.0 + total);
        let adjusted = (probability / (1.0 - probability)).ln() - PRIOR;
        let delta = adjusted - s.weight;
        if delta.is_finite() && delta < -0.005 {
            s.fields.push(field("competing_candidates", "shared", delta));
            s.weight = adjusted;
            s.probability = probability;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn person(given: &str, family: &str, dob: Option<(i32, u32, u32)>) -> Profile {
        Profile {
            names: vec![NameForm { given: given.into(), family: family.into() }],
            birth_dates: dob.and_then(|(y, m, d)| NaiveDate::from_ymd_opt(y, m, d)).into_iter().collect(),
            ..Default::default()
        }
    }

    #[test]
    fn nickname_and_transposed_date_is_a_likely_match() {
        let s = score(&person("bob", "hartley", Some((1980, 4, 3))), &person("robert", "hartley", Some((1980, 3, 4))));
        assert!(s.probability > 0.8, "{}", s.probability);
        let levels: Vec<&str> = s.fields.iter().map(|f| f.level.as_str()).collect();
        assert_eq!(levels, ["nickname", "transposed"]);
    }

    #[test]
    fn different_people_score_low_and_partial_dates_score_between() {
        let stranger = score(&person("alice", "hartley", Some((1991, 7, 9))), &person("robert", "hartley", Some((1980, 3, 4))));
        assert!(stranger.probability < 0.01, "{}", stranger.probability);
        let typo = score(&person("robert", "hartley", Some((1981, 3, 4))), &person("robert", "hartley", Some((1980, 3, 4))));
        assert!(typo.probability > REVIEW_THRESHOLD);
        let swapped = score(&person("hartley", "robert", None), &person("robert", "hartley", None));
        assert_eq!(swapped.fields[0].level, "swapped");
    }

    #[test]
    fn near_identifiers_wrong_years_and_addresses_count() {
        let mut a = person("john", "doe", Some((1981, 3, 4)));
        let mut b = person("john", "doe", Some((1979, 3, 4)));
        a.identifiers.push((IdentifierKind::NiNumber, "QQ123465C".into()));
        b.identifiers.push((IdentifierKind::NiNumber, "QQ123456C".into()));
        a.towns.push("leeds".into());
        b.towns.push("leeds".into());
        a.postcodes.push("LS1 4AB".into());
        b.postcodes.push("LS1 9ZZ".into());
        let s = score(&a, &b);
        let levels: Vec<(&str, &str)> = s.fields.iter().map(|f| (f.field.as_str(), f.level.as_str())).collect();
        assert_eq!(
            levels,
            [("name", "exact"), ("date_of_birth", "day_and_month"), ("ni_number", "one_character"), ("address", "district")]
        );
        assert!(s.probability > 0.95, "{}", s.probability);
    }

    #[test]
    fn a_shared_phone_outweighs_a_different_name() {
        let mut a = person("john", "doe", None);
        let mut b = person("peter", "roe", None);
        a.identifiers.push((IdentifierKind::Phone, "+447700900123".into()));
        b.identifiers.push((IdentifierKind::Phone, "+447700900123".into()));
        let s = score(&a, &b);
        assert!(s.strong_identifier && s.probability > REVIEW_THRESHOLD, "{}", s.probability);
    }

    #[test]
    fn a_common_name_weighs_less_and_a_rare_one_more_in_a_large_register_but_not_in_a_small_one() {
        let query = person("john", "smith", None);
        let same = person("john", "smith", None);
        let average = score(&query, &same).weight;
        let holders = |n: usize| vec![same.clone(); n];
        let small = NameFrequencies::count(&query, 50, &holders(2));
        assert!((score_with(&query, &same, &small).weight - average).abs() < 0.05, "50 registrants say little");
        let common = NameFrequencies::count(&query, 1_000_000, &holders(2_000));
        let rare = NameFrequencies::count(&query, 1_000_000, &holders(1));
        let (common, rare) = (score_with(&query, &same, &common).weight, score_with(&query, &same, &rare).weight);
        assert!(common < average - 1.0, "{common} vs {average}");
        assert!(rare > average && rare <= average + MAX_RARITY.ln() + 0.01, "{rare} vs {average} (weights are rounded)");
        assert!(1.0 / (1.0 + (-(PRIOR + rare)).exp()) < STRONG_THRESHOLD, "a name alone is never strong");
        let counted = NameFrequencies::count(&query, 1_000_000, &holders(3));
        assert!(!format!("{counted:?}").contains("smith"), "no names in Debug");
    }

    #[test]
    fn competing_candidates_share_the_probability_and_a_lone_one_keeps_it() {
        let query = person("john", "hartley", None);
        let mut alone = [score(&query, &person("john", "hartley", None))];
        let before = alone[0].probability;
        compete(alone.iter_mut());
        assert!((alone[0].probability - before).abs() < 1e-3, "{before} -> {}", alone[0].probability);
        let mut four: Vec<Score> = (0..4).map(|_| score(&query, &person("john", "hartley", None))).collect();
        compete(four.iter_mut());
        for s in &four {
            assert!(s.probability < REVIEW_THRESHOLD && s.probability > 0.1, "{}", s.probability);
            let total = PRIOR + s.fields.iter().map(|f| f.weight).sum::<f64>();
            assert!((1.0 / (1.0 + (-total).exp()) - s.probability).abs() < 0.01, "explanation adds up");
        }
        let mut strong = vec![score(&person("john", "hartley", Some((1980, 3, 4))), &person("john", "hartley", Some((1980, 3, 4))))];
        strong.push(score(&query, &person("john", "hartley", None)));
        compete(strong.iter_mut());
        assert!(strong[0].probability > 0.95, "{}", strong[0].probability);
    }
}
