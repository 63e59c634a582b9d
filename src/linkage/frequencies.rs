//! How common a query's names are in the register (term frequencies), for the name weights of
//! [`super::score`].

use super::names::canonical;
use super::{NameForm, Profile};

/// Registrants' worth of prior belief in the average frequency: a register smaller than this
/// says little about how common a name is, a larger one says more (term frequencies shrunk
/// towards the average, so a small register scores as before).
const PRIOR_REGISTRANTS: f64 = 100_000.0;
/// A name counts as at most this much rarer than average: a unique name in a large register is
/// strong evidence, but never on its own above the strong threshold.
pub const MAX_RARITY: f64 = 4.0;

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

    /// `u` of an exact agreement on `name`, whose average over the register is `u0`.
    pub fn exact_u(&self, name: &NameForm, u0: f64) -> f64 {
        self.u(self.full.get(&name.full()).copied(), u0)
    }

    /// `u` of a nickname-level agreement on `name`, whose average over the register is `u0`.
    pub fn nickname_u(&self, name: &NameForm, u0: f64) -> f64 {
        self.u(self.pair.get(&pair_key(name)).copied(), u0)
    }
}
