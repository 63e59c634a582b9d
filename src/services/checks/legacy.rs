//! Hits that have no match profile yet: owners written before match profiles existed, until
//! the background backfill (`services::match_profiles::backfill`) reaches them. They are opened
//! from their rows and checked against the query's keys in plaintext, as checks did before.

use domain::ids::RecordId;
use std::collections::HashSet;

use sea_orm::ConnectionTrait;
use uuid::Uuid;

use super::assess::Scored;
use super::profiles;
use super::views::TargetKind;
use crate::crypto::Crypto;
use crate::linkage::keys::{self, BlockKey};
use crate::linkage::{Profile, score};
use crate::services::blind::{OWNER_REGISTRANT, OWNER_REPORT};
use crate::services::{ServiceResult, reports};

pub async fn score(
    conn: &impl ConnectionTrait,
    crypto: &Crypto,
    query: &Profile,
    block: &[BlockKey],
    owners: &[(String, Uuid)],
) -> ServiceResult<Vec<Scored>> {
    if owners.is_empty() {
        return Ok(Vec::new());
    }
    let wanted: HashSet<&BlockKey> = block.iter().collect();
    let shares_a_key = |profile: &Profile| keys::record_keys(profile).iter().any(|k| wanted.contains(k));
    let registrant_ids: Vec<Uuid> = owners.iter().filter(|o| o.0 == OWNER_REGISTRANT).map(|o| o.1).collect();
    let report_ids: Vec<Uuid> = owners.iter().filter(|o| o.0 == OWNER_REPORT).map(|o| o.1).collect();
    let all: HashSet<Uuid> = registrant_ids.iter().copied().collect();
    let mut scored = Vec::new();
    for (r, profile) in profiles::registrants(conn, crypto, &registrant_ids, &all, &shares_a_key).await? {
        let score = score::score(query, &profile);
        scored.push(Scored { kind: TargetKind::Registrant, id: r.id.uuid(), reference: r.reference, org: r.managing_org, score });
    }
    for (r, profile) in profiles::reports(conn, crypto, &report_ids).await? {
        if shares_a_key(&profile) {
            let score = score::score(query, &profile);
            scored.push(Scored {
                kind: TargetKind::Report,
                id: r.id.uuid(),
                reference: reports::label(&r),
                org: r.intake_org.clone(),
                score,
            });
        }
    }
    Ok(scored)
}
