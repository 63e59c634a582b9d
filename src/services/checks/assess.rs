//! The read half of a register check: blocking, decrypting candidates, verifying them in
//! plaintext, scoring. Nothing here writes.
//!
//! Blind-index digests are truncated, so a lookup returns people who merely share a digest
//! (at a million registrants, tens per key). Each candidate's blocking keys are recomputed from
//! its decrypted rows; one that shares none with the query was a digest coincidence and is
//! dropped before scoring, so it is neither scored nor stored as a candidate.

use domain::ids::RecordId;
use std::collections::HashSet;

use entities::crime_report;
use sea_orm::ConnectionTrait;
use uuid::Uuid;

use super::profiles;
use super::views::TargetKind;
use crate::crypto::{BlindField, Crypto};
use crate::linkage::keys::{self, BlockKey};
use crate::linkage::{Profile, blocking, score};
use crate::services::blind::{self, OWNER_REGISTRANT, OWNER_REPORT};
use crate::services::{ServiceResult, reports};
use domain::vocab::IdentifierKind;

/// What one assessment looked at and where its time went, for the check's timing log.
#[derive(Debug, Default, Clone, Copy)]
pub struct Stats {
    pub keys: usize,
    pub hits: usize,
    pub opened: usize,
    pub scored: usize,
    pub lookup: std::time::Duration,
    pub open: std::time::Duration,
}

pub struct Scored {
    pub kind: TargetKind,
    pub id: Uuid,
    pub reference: String,
    pub org: String,
    pub score: score::Score,
}

/// Scored candidates for `report`, most probable first.
pub async fn candidates(
    conn: &impl ConnectionTrait,
    crypto: &Crypto,
    report: &crime_report::Model,
    stats: &mut Stats,
) -> ServiceResult<Vec<Scored>> {
    let started = std::time::Instant::now();
    let query = Profile::of_suspect(&reports::suspect(crypto, report)?, reports::reference_date(report));
    let block = keys::query_keys(&query);
    let lookups: Vec<_> = block.iter().map(|k| (k.field, k.kind, k.value.as_str())).collect();
    let mut hits = blind::candidates_any(conn, crypto, &[OWNER_REGISTRANT, OWNER_REPORT], &lookups).await?;
    let own = (OWNER_REPORT.to_owned(), report.id.uuid());
    for owners in &mut hits {
        owners.retain(|owner| *owner != own);
    }
    let chosen = blocking::select(&hits, blocking::MAX_CANDIDATES);
    stats.keys = block.len();
    stats.hits = hits.iter().map(Vec::len).sum();
    stats.opened = chosen.len();
    stats.lookup = started.elapsed();
    // Candidates an identifier lookup found: their identifiers are needed to verify them.
    let identifier_fields: HashSet<BlindField> = IdentifierKind::ALL.iter().map(|k| BlindField::for_identifier(*k)).collect();
    let found_by_identifier: HashSet<Uuid> = block
        .iter()
        .zip(&hits)
        .filter(|(k, _)| identifier_fields.contains(&k.field))
        .flat_map(|(_, owners)| owners.iter().map(|o| o.1))
        .collect();
    let registrant_ids: Vec<Uuid> = chosen.iter().filter(|h| h.0 == OWNER_REGISTRANT).map(|h| h.1).collect();
    let report_ids: Vec<Uuid> = chosen.iter().filter(|h| h.0 == OWNER_REPORT).map(|h| h.1).collect();
    let wanted: HashSet<&BlockKey> = block.iter().collect();
    let shares_a_key = |profile: &Profile| keys::record_keys(profile).iter().any(|k| wanted.contains(k));

    let mut scored = Vec::with_capacity(hits.len());
    for (r, profile) in profiles::registrants(conn, crypto, &registrant_ids, &found_by_identifier, &shares_a_key).await? {
        let score = score::score(&query, &profile);
        scored.push(Scored { kind: TargetKind::Registrant, id: r.id.uuid(), reference: r.reference, org: r.managing_org, score });
    }
    for (r, profile) in profiles::reports(conn, crypto, &report_ids).await? {
        if shares_a_key(&profile) {
            let score = score::score(&query, &profile);
            scored.push(Scored {
                kind: TargetKind::Report,
                id: r.id.uuid(),
                reference: reports::label(&r),
                org: r.intake_org.clone(),
                score,
            });
        }
    }
    stats.scored = scored.len();
    stats.open = started.elapsed() - stats.lookup;
    score::compete(scored.iter_mut().filter(|s| s.kind == TargetKind::Registrant).map(|s| &mut s.score));
    scored.sort_by(|a, b| b.score.probability.total_cmp(&a.score.probability).then(a.id.cmp(&b.id)));
    Ok(scored)
}
