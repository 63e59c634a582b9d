//! What a check scores with that is learnt from the register itself, unsupervised (as Splink's
//! `estimate_u_using_random_sampling` and its λ):
//!
//! - **u** of every agreement level: how often two registrants who are *not* the same person
//!   agree at that level. Two registrants drawn at random are almost never the same person, so
//!   the share of random pairs at each level estimates `u` directly. A town shared by a tenth of
//!   the register, or dates of birth crowded into a few decades, weigh what they are really
//!   worth here, not what a hand-set figure assumed.
//! - **The prior**: a report is about one person, so the prior odds that a given registrant is
//!   that person fall with the register's size (`1 / N`; an even chance that the suspect is
//!   registered at all). A fixed prior lets coincidences cross the review threshold more often
//!   the larger the register grows.
//!
//! The `m` values (how often the same person is recorded at each level) stay set by hand from
//! the kinds and rates of recording errors: a register holds each person once, so it has no
//! matched pairs to learn them from.
//!
//! Estimates are shrunk towards the hand-set `u` by [`PSEUDO_PAIRS`], so a small sample moves
//! little and a level never seen among random pairs keeps its hand-set value.

use std::collections::HashMap;

use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};

use super::Profile;
use super::score;

/// Below this many registrants the prior is that of this many: the hand-set prior, tuned for
/// small registers (`score::PRIOR`, about 1 in 1,000).
pub const MIN_PRIOR_REGISTER: f64 = 1_000.0;
/// Hand-set `u` counts as this many random pairs of evidence.
pub const PSEUDO_PAIRS: f64 = 10_000.0;

/// The levels two full registrant records can reach, whose `u` random pairs of registrants
/// estimate. Identifiers are not among them: random pairs never share one, so the sample says
/// nothing a hand-set `u` does not.
const ESTIMATED: &[(&str, &[&str])] = &[
    ("name", &["exact", "nickname", "phonetic", "swapped", "similar", "surname_only", "given_only", "disagree"]),
    ("date_of_birth", &["exact", "transposed", "one_digit", "day_and_month", "year_and_month", "year_only", "disagree"]),
    ("address", &["postcode", "street_and_town", "district", "town", "disagree"]),
];

/// Random pairs compared on one field (both sides had it), and how many of them reached each
/// of its estimated levels (every estimated level is present, seen or not).
#[derive(Clone, Debug, Default)]
struct FieldCounts {
    compared: u64,
    levels: HashMap<&'static str, u64>,
}

/// Level counts among random pairs of registrants, and the register size the prior is for.
/// Holds no value of any person: only how many pairs agreed at each level.
#[derive(Clone, Debug, Default)]
pub struct Model {
    /// Registrants in the register (0: unknown, the hand-set prior).
    pub register: u64,
    /// Registrants sampled and random pairs compared (0: nothing estimated).
    pub sampled: usize,
    pub pairs: u64,
    /// Counts of the fields that were compared and have estimated levels; looked up on every
    /// comparison a check makes, so keyed to need no allocation.
    fields: HashMap<&'static str, FieldCounts>,
}

impl Model {
    /// The hand-set `u` values with the prior of a register of `register` people.
    pub fn hand_set(register: u64) -> Self {
        Self { register, ..Default::default() }
    }

    /// The same estimates with the prior of a register of `register` people.
    pub fn with_register(&self, register: u64) -> Self {
        Self { register, ..self.clone() }
    }

    /// Prior log-odds that one given registrant is the person a report is about.
    pub fn prior(&self) -> f64 {
        score::PRIOR - (self.register as f64 / MIN_PRIOR_REGISTER).max(1.0).ln()
    }

    /// `u` of `field` at `level`: the register's estimate, shrunk towards the hand-set `u0`.
    /// Levels that only a report can reach (an initial, an estimated age, a year alone) are
    /// never seen between two registrants, so they keep `u0` rather than look impossibly rare.
    pub fn u(&self, field: &str, level: &str, u0: f64) -> f64 {
        let Some(counts) = self.fields.get(field) else { return u0 };
        let Some(&seen) = counts.levels.get(level) else { return u0 };
        (seen as f64 + u0 * PSEUDO_PAIRS) / (counts.compared as f64 + PSEUDO_PAIRS)
    }

    /// Estimates `u` from `pairs` random pairs of `sample` (registrants drawn at random from a
    /// register of `register`), each compared with the hand-set weights. Deterministic for a
    /// given sample and seed.
    pub fn estimate(sample: &[Profile], pairs: u64, register: u64, seed: u64) -> Self {
        let mut model = Self { register, sampled: sample.len(), ..Default::default() };
        if sample.len() < 2 {
            return model;
        }
        let hand_set = Self::hand_set(register);
        let mut rng = StdRng::seed_from_u64(seed);
        for _ in 0..pairs {
            let i = rng.gen_range(0..sample.len());
            let mut j = rng.gen_range(0..sample.len() - 1);
            if j >= i {
                j += 1;
            }
            let score = score::score_with(&sample[i], &sample[j], &Default::default(), &hand_set);
            for f in score.fields {
                let Some((field, levels)) = ESTIMATED.iter().find(|(name, _)| *name == f.field) else { continue };
                let counts = model
                    .fields
                    .entry(field)
                    .or_insert_with(|| FieldCounts { compared: 0, levels: levels.iter().map(|level| (*level, 0)).collect() });
                counts.compared += 1;
                if let Some(seen) = counts.levels.get_mut(f.level.as_str()) {
                    *seen += 1;
                }
            }
            model.pairs += 1;
        }
        model
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::linkage::NameForm;
    use chrono::NaiveDate;

    fn person(n: usize, town: &str) -> Profile {
        Profile {
            names: vec![NameForm { given: format!("given{}", n % 50), family: format!("family{n}") }],
            birth_dates: NaiveDate::from_ymd_opt(1960 + (n % 40) as i32, 1 + (n % 12) as u32, 1 + (n % 28) as u32).into_iter().collect(),
            towns: vec![town.to_owned()],
            ..Default::default()
        }
    }

    #[test]
    fn a_town_everyone_shares_weighs_nothing_and_unseen_levels_keep_their_hand_set_u() {
        let sample: Vec<Profile> = (0..400).map(|n| person(n, "leeds")).collect();
        let model = Model::estimate(&sample, 50_000, 400_000, 7);
        assert_eq!(model.pairs, 50_000);
        let town = model.u("address", "town", 0.01);
        assert!(town > 0.8, "every pair shares the town: {town}");
        assert!((model.u("ni_number", "agree", 0.000_01) - 0.000_01).abs() < 1e-12, "never compared: hand-set");
        assert!((model.u("date_of_birth", "age_range", 0.25) - 0.25).abs() < 1e-12, "a report's level: hand-set");
        let exact_name = model.u("name", "exact", 0.0005);
        assert!(exact_name < 0.0005 / 4.0, "no two sampled names are the same: {exact_name}");
        assert!(format!("{model:?}").len() < 2_000, "counts only");
    }

    #[test]
    fn the_prior_falls_with_the_register_and_small_registers_keep_the_hand_set_one() {
        assert!((Model::hand_set(10).prior() - score::PRIOR).abs() < 0.01);
        assert!((Model::hand_set(1_000).prior() - score::PRIOR).abs() < 0.01);
        let (a, b) = (Model::hand_set(100_000).prior(), Model::hand_set(1_000_000).prior());
        assert!((a - (-11.51)).abs() < 0.02 && (b - a + 10f64.ln()).abs() < 1e-9, "{a} {b}");
    }
}
