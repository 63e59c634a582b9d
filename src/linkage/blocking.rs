//! Choosing which blocked candidates to open. Every blocking key a query looks up returns the
//! people indexed under it; a key shared by thousands (a common surname's phonetic code with a
//! birth year) says little about any one of them, a key held by one person says a lot. Each
//! candidate is ranked by the inverse frequency of the keys it was found by, summed.
//!
//! A check opens up to [`MAX_OPENED`] hits by their sealed match profiles (microseconds each),
//! which tells true key agreements from digest coincidences; the [`MAX_SCORED`] true agreements
//! that share the rarest keys are scored, and the [`MAX_CANDIDATES`] most probable of them are
//! kept. The cap on opening is wide enough that it binds only on queries made of common keys
//! alone.

use std::collections::HashMap;
use std::hash::Hash;

/// Candidates kept (and stored) per check: the most probable of those scored.
pub const MAX_CANDIDATES: usize = 64;

/// True agreements scored per check. Scoring an opened profile costs microseconds, so the
/// candidates kept are chosen by their scores, not by how rare their shared keys are.
pub const MAX_SCORED: usize = 512;

/// Hits opened by their match profiles per check.
pub const MAX_OPENED: usize = 2_000;

/// A key's owner count at which its weight has halved from the weight of a unique key, roughly:
/// keys held by fewer people than this are strong evidence, keys held by far more are weak.
const SCALE: f64 = 1000.0;

/// The weight of finding someone through a key that `owners` people hold.
pub fn key_weight(owners: usize) -> f64 {
    (1.0 + SCALE / owners.max(1) as f64).ln()
}

/// The `cap` most promising candidates from `hits` (for each key looked up, the owners it
/// returned), best first: the highest sum of key weights, ties broken by the candidate's own
/// order so the choice is deterministic. A candidate returned twice by one key counts once.
pub fn select<T: Clone + Eq + Hash + Ord>(hits: &[Vec<T>], cap: usize) -> Vec<T> {
    let mut priority: HashMap<T, f64> = HashMap::new();
    for owners in hits {
        let mut distinct: Vec<T> = owners.clone();
        distinct.sort_unstable();
        distinct.dedup();
        let weight = key_weight(distinct.len());
        for owner in distinct {
            *priority.entry(owner).or_default() += weight;
        }
    }
    let mut ranked: Vec<(T, f64)> = priority.into_iter().collect();
    ranked.sort_by(|a, b| b.1.total_cmp(&a.1).then(a.0.cmp(&b.0)));
    ranked.truncate(cap);
    ranked.into_iter().map(|(owner, _)| owner).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_rare_key_outranks_a_common_one() {
        // Owner 7 is found only by a key it holds alone; owners 100.. share a common key.
        let common: Vec<u32> = (100..3100).collect();
        let hits = vec![common, vec![7]];
        assert_eq!(select(&hits, 1), vec![7]);
    }

    #[test]
    fn several_keys_add_up_and_the_cap_holds() {
        let mut hits = vec![(0..500u32).collect::<Vec<_>>(), (0..500).collect(), vec![3, 3, 3]];
        hits.push((250..750).collect());
        let chosen = select(&hits, 10);
        assert_eq!(chosen.len(), 10);
        assert_eq!(chosen[0], 3, "found by three keys, one of them rare");
        assert!(chosen[1..].iter().all(|c| (250..500).contains(c)), "then those found by all three common keys");
    }

    #[test]
    fn weights_fall_as_keys_get_commoner() {
        assert!(key_weight(1) > key_weight(10));
        assert!(key_weight(10) > key_weight(1000));
        assert!(key_weight(1000) > 0.0);
        assert_eq!(key_weight(0), key_weight(1));
    }
}
