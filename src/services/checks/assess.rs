//! The read half of a register check: blocking, decrypting candidates, verifying them in
//! plaintext, scoring. Nothing here writes.
//!
//! Blind-index digests are truncated, so a lookup returns people who merely share a digest
//! (at a million registrants, tens per key). Each hit's sealed match profile holds the hashes of
//! its true blocking keys; one that shares none with the query was a digest coincidence and is
//! dropped before any cap and before scoring, so it is neither scored nor stored as a candidate.

use domain::ids::RecordId;
use std::collections::HashMap;

use entities::{crime_report, registrant};
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter};
use uuid::Uuid;

use super::legacy;
use super::views::TargetKind;
use crate::crypto::Crypto;
use crate::linkage::keys;
use crate::linkage::model::Model;
use crate::linkage::{Profile, blocking, match_profile, score};
use crate::services::blind::{self, OWNER_REGISTRANT, OWNER_REPORT};
use crate::services::{ServiceResult, match_profiles, reports};

/// What one assessment looked at and where its time went, for the check's timing log.
#[derive(Debug, Default, Clone, Copy)]
pub struct Stats {
    pub keys: usize,
    pub hits: usize,
    pub opened: usize,
    pub agreeing: usize,
    pub scored: usize,
    pub lookup: std::time::Duration,
    pub open: std::time::Duration,
    /// Of `open`: reading the hits' sealed match profiles, then opening and sifting them.
    pub load: std::time::Duration,
    pub sift: std::time::Duration,
    /// Of `open`: name frequencies, scoring and competition.
    pub score: std::time::Duration,
}

pub struct Scored {
    pub kind: TargetKind,
    pub id: Uuid,
    pub reference: String,
    pub org: String,
    pub score: score::Score,
}

/// A hit whose match profile truly shares at least one blocking key with the query.
struct Agreeing {
    owner: (String, Uuid),
    shared: Vec<u32>,
    profile: Profile,
}

/// What [`agreements`] found for a query.
pub struct Found {
    /// The kept agreements, most probable first, at most [`blocking::MAX_CANDIDATES`].
    pub scored: Vec<(score::Score, (String, Uuid))>,
    /// Owners written before match profiles existed, not yet backfilled.
    pub without_profile: Vec<(String, Uuid)>,
    pub block: Vec<keys::BlockKey>,
}

/// Steps 1 to 4 of [`candidates`] for any query: the owners of `owner_kinds` (but `exclude`)
/// that truly share a blocking key with `query`, scored. Also used to find possible duplicates
/// of a new registrant (`services::duplicates`).
pub async fn agreements(
    conn: &impl ConnectionTrait,
    crypto: &Crypto,
    query: &Profile,
    owner_kinds: &[&str],
    exclude: &(String, Uuid),
    model: &Model,
    stats: &mut Stats,
) -> ServiceResult<Found> {
    let started = std::time::Instant::now();
    let block = keys::query_keys(query);
    let query_hashes = match_profile::key_hashes(&block);
    let lookups: Vec<_> = block.iter().map(|k| (k.field, k.kind, k.value.as_str())).collect();
    let mut hits = blind::candidates_any(conn, crypto, owner_kinds, &lookups).await?;
    for owners in &mut hits {
        owners.retain(|owner| owner != exclude);
    }
    let opened = blocking::select(&hits, blocking::MAX_OPENED);
    stats.keys = block.len();
    stats.hits = hits.iter().map(Vec::len).sum();
    stats.opened = opened.len();
    stats.lookup = started.elapsed();

    let ids: Vec<Uuid> = opened.iter().map(|o| o.1).collect();
    let mut sealed: HashMap<Uuid, Vec<u8>> = match_profiles::load(conn, &ids).await?.into_iter().collect();
    stats.load = started.elapsed() - stats.lookup;
    let mut agreeing = Vec::new();
    let mut without_profile = Vec::new();
    for owner in opened {
        let readable = match sealed.remove(&owner.1) {
            Some(s) => {
                let plain = match_profiles::open(crypto, owner.1, &s)?;
                match_profile::Opened::read(&plain).map(|o| {
                    let shared = o.shared(&query_hashes);
                    (!shared.is_empty()).then(|| o.profile().map(|profile| (shared, profile))).flatten()
                })
            }
            None => None,
        };
        match readable {
            Some(Some((shared, profile))) => agreeing.push(Agreeing { owner, shared, profile }),
            Some(None) => {} // a coincidence
            None => without_profile.push(owner),
        }
    }
    stats.agreeing = agreeing.len();
    stats.sift = started.elapsed() - stats.lookup - stats.load;
    // Every registrant holding a query name shares its name keys, so all of them are among the
    // true agreements (up to the opening cap, which only a name held by thousands reaches).
    let registrants = agreeing.iter().filter(|a| a.owner.0 == OWNER_REGISTRANT).map(|a| &a.profile);
    let frequencies = score::NameFrequencies::count(query, model.register, registrants);
    let for_reports = model.with_register(0);
    let mut agreeing: Vec<(score::Score, Agreeing)> = strongest(agreeing, blocking::MAX_SCORED)
        .into_iter()
        .map(|a| {
            let model = if a.owner.0 == OWNER_REGISTRANT { model } else { &for_reports };
            (score::score_with(query, &a.profile, &frequencies, model), a)
        })
        .collect();
    // Registrants compete for the report among all those scored, before any are dropped.
    score::compete(agreeing.iter_mut().filter(|(_, a)| a.owner.0 == OWNER_REGISTRANT).map(|(s, _)| s));
    agreeing.sort_by(|x, y| y.0.probability.total_cmp(&x.0.probability).then(x.1.owner.cmp(&y.1.owner)));
    agreeing.truncate(blocking::MAX_CANDIDATES);
    let scored = agreeing.into_iter().map(|(score, a)| (score, a.owner)).collect();
    stats.open = started.elapsed() - stats.lookup;
    stats.score = stats.open - stats.load - stats.sift;
    Ok(Found { scored, without_profile, block })
}

/// Scored candidates for `report`, most probable first.
///
/// 1. Every blocking key is looked up; the hits (true owners and digest coincidences alike) are
///    ranked by key rarity and at most [`blocking::MAX_OPENED`] are opened, by their sealed match
///    profiles only.
/// 2. A hit whose profile shares no key with the query is a coincidence and is dropped here,
///    before any cap, so coincidences never crowd out the true person.
/// 3. The true agreements are ranked again by the keys they really share, the best
///    [`blocking::MAX_SCORED`] are scored, and the [`blocking::MAX_CANDIDATES`] most probable
///    are kept.
/// 4. Names are weighed by how common the query's names are among the registrants found
///    ([`score::NameFrequencies`]); `u` and the prior come from `model`, learnt from the
///    register ([`crate::linkage::model`]). Earlier reports are scored with the hand-set prior:
///    their number is not what a registrant's prior depends on.
pub async fn candidates(
    conn: &impl ConnectionTrait,
    crypto: &Crypto,
    report: &crime_report::Model,
    model: &Model,
    stats: &mut Stats,
) -> ServiceResult<Vec<Scored>> {
    let started = std::time::Instant::now();
    let query = Profile::of_suspect(&reports::suspect(crypto, report)?, reports::reference_date(report));
    let own = (OWNER_REPORT.to_owned(), report.id.uuid());
    let Found { scored: agreeing, mut without_profile, block } =
        agreements(conn, crypto, &query, &[OWNER_REGISTRANT, OWNER_REPORT], &own, model, stats).await?;

    let mut scored = Vec::with_capacity(agreeing.len());
    let registrant_ids: Vec<Uuid> = agreeing.iter().filter(|(_, o)| o.0 == OWNER_REGISTRANT).map(|(_, o)| o.1).collect();
    let rows: HashMap<Uuid, registrant::Model> = registrant::Entity::find()
        .filter(registrant::Column::Id.is_in(registrant_ids))
        .all(conn)
        .await?
        .into_iter()
        .map(|r| (r.id.uuid(), r))
        .collect();
    let report_ids: Vec<Uuid> = agreeing.iter().filter(|(_, o)| o.0 == OWNER_REPORT).map(|(_, o)| o.1).collect();
    let report_rows: HashMap<Uuid, crime_report::Model> = crime_report::Entity::find()
        .filter(crime_report::Column::Id.is_in(report_ids))
        .all(conn)
        .await?
        .into_iter()
        .map(|r| (r.id.uuid(), r))
        .collect();
    for (score, owner) in agreeing {
        if let Some(r) = rows.get(&owner.1) {
            scored.push(Scored {
                kind: TargetKind::Registrant,
                id: owner.1,
                reference: r.reference.clone(),
                org: r.managing_org.clone(),
                score,
            });
        } else if let Some(r) = report_rows.get(&owner.1) {
            scored.push(Scored { kind: TargetKind::Report, id: owner.1, reference: reports::label(r), org: r.intake_org.clone(), score });
        }
    }
    // Owners written before match profiles existed (until the backfill reaches them) are
    // opened from their rows, as before, and checked against the query's keys in plaintext;
    // scored with the hand-set model, they do not take part in the competition above.
    without_profile.truncate(blocking::MAX_CANDIDATES);
    scored.extend(legacy::score(conn, crypto, &query, &block, &without_profile).await?);

    stats.scored = scored.len();
    stats.open = started.elapsed() - stats.lookup;
    scored.sort_by(|a, b| b.score.probability.total_cmp(&a.score.probability).then(a.id.cmp(&b.id)));
    Ok(scored)
}

/// The `cap` agreements that share the rarest keys: each shared key weighs by how many of the
/// agreeing owners hold it (true owners now, not digest coincidences).
fn strongest(agreeing: Vec<Agreeing>, cap: usize) -> Vec<Agreeing> {
    if agreeing.len() <= cap {
        return agreeing;
    }
    let mut holders: HashMap<u32, usize> = HashMap::new();
    for a in &agreeing {
        for h in &a.shared {
            *holders.entry(*h).or_default() += 1;
        }
    }
    let mut ranked: Vec<(f64, Agreeing)> = agreeing
        .into_iter()
        .map(|a| (a.shared.iter().map(|h| blocking::key_weight(holders.get(h).copied().unwrap_or(1))).sum(), a))
        .collect();
    ranked.sort_by(|x, y| y.0.total_cmp(&x.0).then(x.1.owner.cmp(&y.1.owner)));
    ranked.truncate(cap);
    ranked.into_iter().map(|(_, a)| a).collect()
}
