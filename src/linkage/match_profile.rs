//! The match profile: what the register check needs of one person, in one small value that is
//! sealed as a whole and opened in microseconds.
//!
//! Blind-index digests are truncated on purpose (so the database alone never proves that two
//! people share a value), which means every lookup also returns people who merely share a
//! digest. Opening each of them row by row is too slow to do for hundreds of hits, so a check
//! used to keep only the best-ranked few before opening any, and the true person was often cut
//! with the coincidences. Instead each person has one sealed profile holding their comparison
//! form ([`Profile`]) and a short hash of every blocking key they hold. A check opens the
//! profiles of all hits at once, keeps only those that truly share a key with the query, and
//! only those compete for scoring.
//!
//! The key hashes are unkeyed, which is safe only because they live inside the sealed value:
//! nothing of them is visible in the database. They are 32 bits: a false agreement between two
//! hashes (about one in 10^7 per candidate) costs one coincidence scored, never a missed person.

use sha2::{Digest, Sha256};

use super::Profile;
use super::keys::{self, BlockKey};

/// Layout version, first byte of the encoded form, so that a profile sealed by an older
/// release is recognised and rebuilt rather than misread.
const FORMAT: u8 = 1;

/// A 32-bit hash of a blocking key (field, kind and value).
pub fn key_hash(key: &BlockKey) -> u32 {
    let mut h = Sha256::new();
    h.update(key.field.as_str().as_bytes());
    h.update([0]);
    h.update(key.kind.as_str().as_bytes());
    h.update([0]);
    h.update(key.value.as_bytes());
    let out = h.finalize();
    u32::from_be_bytes([out[0], out[1], out[2], out[3]])
}

/// Sorted, distinct hashes of `keys`.
pub fn key_hashes(keys: &[BlockKey]) -> Vec<u32> {
    let mut out: Vec<u32> = keys.iter().map(key_hash).collect();
    out.sort_unstable();
    out.dedup();
    out
}

/// The encoded (not yet sealed) match profile of `profile`: format byte, key hashes, profile.
pub fn encode(profile: &Profile) -> Result<Vec<u8>, postcard::Error> {
    let hashes = key_hashes(&keys::record_keys(profile));
    let mut out = vec![FORMAT];
    out.extend(postcard::to_allocvec(&hashes)?);
    out.extend(postcard::to_allocvec(profile)?);
    Ok(out)
}

/// An opened match profile whose comparison form is decoded only when asked for: most hits
/// are coincidences, and for those the key hashes are all that is read.
pub struct Opened<'a> {
    pub keys: Vec<u32>,
    rest: &'a [u8],
}

impl<'a> Opened<'a> {
    pub fn read(bytes: &'a [u8]) -> Option<Self> {
        let (format, body) = bytes.split_first()?;
        if *format != FORMAT {
            return None;
        }
        let (keys, rest) = postcard::take_from_bytes::<Vec<u32>>(body).ok()?;
        Some(Self { keys, rest })
    }

    /// The hashes this profile shares with `query` (sorted, distinct).
    pub fn shared(&self, query: &[u32]) -> Vec<u32> {
        let (mut i, mut j, mut out) = (0, 0, Vec::new());
        while i < self.keys.len() && j < query.len() {
            match self.keys[i].cmp(&query[j]) {
                std::cmp::Ordering::Less => i += 1,
                std::cmp::Ordering::Greater => j += 1,
                std::cmp::Ordering::Equal => {
                    out.push(self.keys[i]);
                    i += 1;
                    j += 1;
                }
            }
        }
        out
    }

    pub fn profile(&self) -> Option<Profile> {
        postcard::from_bytes(self.rest).ok()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::linkage::NameForm;
    use chrono::NaiveDate;

    #[test]
    fn round_trip_and_agreement() {
        let stored = Profile {
            names: vec![NameForm { given: "robert".into(), family: "hartley".into() }],
            birth_dates: NaiveDate::from_ymd_opt(1980, 3, 4).into_iter().collect(),
            towns: vec!["leeds".into()],
            ..Default::default()
        };
        let bytes = encode(&stored).unwrap();
        let opened = Opened::read(&bytes).unwrap();
        assert_eq!(opened.profile().unwrap().towns, vec!["leeds".to_owned()]);
        let query = Profile { names: vec![NameForm { given: "bob".into(), family: "hartley".into() }], ..Default::default() };
        assert!(!opened.shared(&key_hashes(&keys::query_keys(&query))).is_empty(), "nickname and surname");
        let stranger = Profile { names: vec![NameForm { given: "alice".into(), family: "zephyr".into() }], ..Default::default() };
        assert!(opened.shared(&key_hashes(&keys::query_keys(&stranger))).is_empty());
        assert!(Opened::read(&[9, 0]).is_none(), "an unknown format is not misread");
    }
}
