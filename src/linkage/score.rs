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
use strsim::damerau_levenshtein;
use utoipa::ToSchema;

pub use super::frequencies::NameFrequencies;
use super::model::Model;
use super::name_levels;
use super::names::canonical;
use super::{NameForm, Profile};
use domain::vocab::IdentifierKind;

/// Prior log-odds that a pair is a match in a small register (about 1 in 1,000); a larger one
/// lowers it ([`Model::prior`]).
pub const PRIOR: f64 = -6.9;
/// At or above this probability a candidate goes to the review queue.
pub const REVIEW_THRESHOLD: f64 = 0.5;
/// At or above this probability a link counts towards clusters and serial patterns before an
/// officer has reviewed it (as a shared strong identifier does).
pub const STRONG_THRESHOLD: f64 = 0.95;

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
    /// The prior log-odds the probability was computed with ([`Model::prior`]).
    pub prior: f64,
}

fn w(m: f64, u: f64) -> f64 {
    (m / u).ln()
}

/// `u` of an exact full-name agreement for a name of average frequency (before the register's
/// own estimate, [`Model`]).
pub(super) const EXACT_NAME_U: f64 = 0.0005;
/// `u` of a nickname-level agreement (same surname, same canonical forename) on average.
pub(super) const NICKNAME_U: f64 = 0.001;

fn field(name: &str, level: &str, weight: f64) -> FieldScore {
    FieldScore { field: name.to_owned(), level: level.to_owned(), weight: (weight * 100.0).round() / 100.0 }
}

/// Name agreement levels, best first; `a` is the query's name, whose frequency in the register
/// sets the weight of an exact or nickname-level agreement.
fn name_level(a: &NameForm, b: &NameForm, tf: &NameFrequencies, model: &Model) -> (&'static str, f64) {
    let at = |level: &'static str, m: f64, u0: f64| (level, w(m, model.u("name", level, u0)));
    if a.family.is_empty() || b.family.is_empty() {
        if a == b {
            return ("exact", w(0.65, tf.exact_u(a, model.u("name", "exact", EXACT_NAME_U))));
        }
        // Only a given name known on one side (a first name a victim knew): it can agree, but
        // says nothing about the surname.
        let (ag, bg) = (a.first_given(), b.first_given());
        let agree = !ag.is_empty() && canonical(ag) == canonical(bg);
        return if agree { at("forename_only", 0.6, 0.02) } else { at("disagree", 0.02, 0.94) };
    }
    let direct = match name_levels::level(a, b) {
        "exact" => ("exact", w(0.65, tf.exact_u(a, model.u("name", "exact", EXACT_NAME_U)))),
        "nickname" => ("nickname", w(0.08, tf.nickname_u(a, model.u("name", "nickname", NICKNAME_U)))),
        "phonetic" => at("phonetic", 0.07, 0.003),
        "initial" => at("initial", 0.03, 0.000_3),
        "similar" => at("similar", 0.04, 0.005),
        "initial_similar" => at("initial_similar", 0.01, 0.001),
        "surname_only" => at("surname_only", 0.03, 0.03),
        "given_only" => at("given_only", 0.03, 0.015),
        _ => at("disagree", 0.02, 0.94),
    };
    match name_levels::swapped_level(a, b) {
        Some(level) => {
            let swapped = at(level, 0.03, 0.000_5);
            if swapped.1 > direct.1 { swapped } else { direct }
        }
        None => direct,
    }
}

fn compare_names(a: &Profile, b: &Profile, tf: &NameFrequencies, model: &Model) -> Option<FieldScore> {
    let mut best: Option<(&str, f64)> = None;
    for x in &a.names {
        for y in &b.names {
            let level = name_level(x, y, tf, model);
            if best.is_none_or(|(_, weight)| level.1 > weight) {
                best = Some(level);
            }
        }
    }
    best.map(|(level, weight)| field("name", level, weight))
}

/// Two full dates: exact; day and month transposed; one digit different; same year only.
fn date_level(a: NaiveDate, b: NaiveDate, model: &Model) -> (&'static str, f64) {
    let at = |level: &'static str, m: f64, u0: f64| (level, w(m, model.u("date_of_birth", level, u0)));
    if a == b {
        return at("exact", 0.85, 0.0003);
    }
    if a.year() == b.year() && a.day() == b.month() && a.month() == b.day() {
        return at("transposed", 0.03, 0.0003);
    }
    let (sa, sb) = (a.format("%Y%m%d").to_string(), b.format("%Y%m%d").to_string());
    if sa.chars().zip(sb.chars()).filter(|(x, y)| x != y).count() == 1 {
        return at("one_digit", 0.05, 0.003);
    }
    if a.month() == b.month() && a.day() == b.day() {
        // A wrong year (a typed digit, an age misheard): about 1 in 365 strangers agree.
        return at("day_and_month", 0.05, 0.0028);
    }
    if a.year() == b.year() && a.month() == b.month() {
        return at("year_and_month", 0.03, 0.0017);
    }
    if a.year() == b.year() {
        return at("year_only", 0.03, 0.03);
    }
    at("disagree", 0.04, 0.97)
}

fn compare_birth(a: &Profile, b: &Profile, model: &Model) -> Option<FieldScore> {
    let at = |level: &'static str, m: f64, u0: f64| (level, w(m, model.u("date_of_birth", level, u0)));
    let mut best: Option<(&'static str, f64)> = None;
    fn consider(best: &mut Option<(&'static str, f64)>, level: (&'static str, f64)) {
        if best.is_none_or(|(_, weight)| level.1 > weight) {
            *best = Some(level);
        }
    }
    for x in &a.birth_dates {
        for y in &b.birth_dates {
            consider(&mut best, date_level(*x, *y, model));
        }
    }
    if best.is_none() && (!a.birth_months.is_empty() || !b.birth_months.is_empty()) {
        // A year and month without the day on one side: as good as that side can agree.
        let months = |p: &Profile| -> Vec<(i32, u32)> {
            p.birth_dates.iter().map(|d| (d.year(), d.month())).chain(p.birth_months.iter().copied()).collect()
        };
        let (ma, mb) = (months(a), months(b));
        if !ma.is_empty() && !mb.is_empty() {
            let level = if ma.iter().any(|m| mb.contains(m)) {
                at("year_and_month_given", 0.9, 0.0017)
            } else if ma.iter().any(|(y, _)| mb.iter().any(|(z, _)| y == z)) {
                at("year_only", 0.03, 0.03)
            } else {
                at("disagree", 0.04, 0.97)
            };
            consider(&mut best, level);
        }
    }
    if best.is_none() {
        // Only years on at least one side: agreement on the year is weak evidence.
        let (ya, yb) = (a.years(), b.years());
        if !ya.is_empty() && !yb.is_empty() {
            consider(&mut best, if ya.iter().any(|y| yb.contains(y)) { at("year", 0.95, 0.05) } else { at("disagree", 0.04, 0.97) });
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
                consider(&mut best, if inside { at("age_range", 0.95, 0.25) } else { at("outside_age_range", 0.05, 0.75) });
            }
        }
    }
    best.map(|(level, weight)| field("date_of_birth", level, weight))
}

/// (agreement weight, disagreement weight) of an identifier kind. Changing numbers and
/// handles is common, so disagreement costs little; national identifiers do not change.
/// Each is `(m, u)` before the register's own estimate of `u`.
fn identifier_mu(kind: IdentifierKind) -> ((f64, f64), (f64, f64)) {
    match kind {
        IdentifierKind::PncId | IdentifierKind::NiNumber | IdentifierKind::Passport | IdentifierKind::NationalId => {
            ((0.95, 0.000_01), (0.05, 0.99))
        }
        IdentifierKind::Imei => ((0.6, 0.000_01), (0.4, 0.99)),
        IdentifierKind::Phone | IdentifierKind::Email => ((0.6, 0.000_006), (0.4, 0.99)),
        IdentifierKind::OnlineHandle => ((0.5, 0.000_006), (0.5, 0.99)),
        IdentifierKind::VehicleRegistration => ((0.4, 0.000_1), (0.6, 0.99)),
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
fn compare_addresses(a: &Profile, b: &Profile, model: &Model) -> Option<FieldScore> {
    let at = |level: &'static str, m: f64, u0: f64| (level, w(m, model.u("address", level, u0)));
    let any = |xs: &[String], ys: &[String]| xs.iter().any(|x| ys.contains(x));
    let (has_a, has_b) = (!a.postcodes.is_empty() || !a.towns.is_empty(), !b.postcodes.is_empty() || !b.towns.is_empty());
    if !has_a || !has_b {
        return None;
    }
    let level = if any(&a.postcodes, &b.postcodes) {
        at("postcode", 0.4, 0.000_5)
    } else if any(&a.streets, &b.streets) && any(&a.towns, &b.towns) {
        at("street_and_town", 0.3, 0.000_5)
    } else if a.postcodes.iter().any(|x| b.postcodes.iter().any(|y| outward(x) == outward(y))) {
        at("district", 0.1, 0.003)
    } else if any(&a.towns, &b.towns) {
        at("town", 0.1, 0.01)
    } else {
        at("disagree", 0.5, 0.99)
    };
    Some(field("address", level.0, level.1))
}

/// Scores `candidate` against `query`, field by field, every name of average frequency, with
/// the hand-set `u` values and prior.
pub fn score(query: &Profile, candidate: &Profile) -> Score {
    score_with(query, candidate, &NameFrequencies::default(), &Model::default())
}

/// Scores `candidate` against `query`, field by field, names weighed by how common the query's
/// names are in the register, with the `u` values and prior of `model`.
pub fn score_with(query: &Profile, candidate: &Profile, tf: &NameFrequencies, model: &Model) -> Score {
    let mut fields: Vec<FieldScore> = Vec::new();
    fields.extend(compare_names(query, candidate, tf, model));
    fields.extend(compare_birth(query, candidate, model));
    let mut strong = false;
    for kind in IdentifierKind::ALL {
        let mine: Vec<&String> = query.identifiers.iter().filter(|(k, _)| k == kind).map(|(_, v)| v).collect();
        let theirs: Vec<&String> = candidate.identifiers.iter().filter(|(k, _)| k == kind).map(|(_, v)| v).collect();
        if mine.is_empty() || theirs.is_empty() {
            continue;
        }
        let name = kind.as_str();
        let at = |level: &'static str, (m, u0): (f64, f64)| field(name, level, w(m, model.u(name, level, u0)));
        let (agree, disagree) = identifier_mu(*kind);
        if mine.iter().any(|v| theirs.contains(v)) {
            strong |= *kind != IdentifierKind::VehicleRegistration;
            fields.push(at("agree", agree));
        } else if mine.iter().any(|a| theirs.iter().any(|b| one_edit_apart(a, b))) {
            // A digit misread or two transposed: strangers' numbers are rarely one edit apart.
            fields.push(at("one_character", (0.04, 0.000_2)));
        } else {
            fields.push(at("disagree", disagree));
        }
    }
    fields.extend(compare_addresses(query, candidate, model));
    let weight: f64 = fields.iter().map(|f| f.weight).sum();
    let prior = model.prior();
    let probability = 1.0 / (1.0 + (-(prior + weight)).exp());
    Score { weight, probability, fields, strong_identifier: strong, prior }
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
    let total: f64 = scores.iter().map(|s| (s.prior + s.weight).exp()).sum();
    for s in &mut scores {
        let odds = (s.prior + s.weight).exp();
        let probability = odds / (1.0 + total);
        let adjusted = (probability / (1.0 - probability)).ln() - s.prior;
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
        assert!((score_with(&query, &same, &small, &Model::default()).weight - average).abs() < 0.05, "50 registrants say little");
        let common = NameFrequencies::count(&query, 1_000_000, &holders(2_000));
        let rare = NameFrequencies::count(&query, 1_000_000, &holders(1));
        let (common, rare) =
            (score_with(&query, &same, &common, &Model::default()).weight, score_with(&query, &same, &rare, &Model::default()).weight);
        assert!(common < average - 1.0, "{common} vs {average}");
        assert!(
            rare > average && rare <= average + crate::linkage::frequencies::MAX_RARITY.ln() + 0.01,
            "{rare} vs {average} (weights are rounded)"
        );
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
            let total = s.prior + s.fields.iter().map(|f| f.weight).sum::<f64>();
            assert!((1.0 / (1.0 + (-total).exp()) - s.probability).abs() < 0.01, "explanation adds up");
        }
        let mut strong = vec![score(&person("john", "hartley", Some((1980, 3, 4))), &person("john", "hartley", Some((1980, 3, 4))))];
        strong.push(score(&query, &person("john", "hartley", None)));
        compete(strong.iter_mut());
        assert!(strong[0].probability > 0.95, "{}", strong[0].probability);
    }
}
