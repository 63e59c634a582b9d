//! The register's size and the scoring parameters learnt from it (`linkage::model::Model`),
//! shared by every check.
//!
//! - The size (for name frequencies and the prior) is counted again when older than
//!   [`REFRESH`]: counting a million rows costs milliseconds, and one more registrant moves
//!   nothing.
//! - `u` is estimated from [`SAMPLE`] registrants drawn at random ([`PAIRS`] random pairs of
//!   them) once the register holds [`MIN_ESTIMATE`], and again when it has grown or shrunk by a
//!   tenth or the estimate is a day old. At a million registrants that takes about a second,
//!   paid by one check a day; a smaller register keeps the hand-set values.
//!
//! Every replica estimates from its own random sample, so two replicas' weights can differ in
//! the second decimal; each candidate's stored explanation keeps the weights it was scored with.

use std::sync::Arc;
use std::time::{Duration, Instant};

use entities::{match_profile, registrant};
use sea_orm::sea_query::Expr;
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, Order, PaginatorTrait, QueryFilter, QueryOrder, QuerySelect};
use uuid::Uuid;

use crate::crypto::Crypto;
use crate::linkage::match_profile::Opened;
use crate::linkage::model::Model;
use crate::services::blind::OWNER_REGISTRANT;
use crate::services::{ServiceError, ServiceResult, match_profiles};

pub const REFRESH: Duration = Duration::from_secs(300);
/// An estimate is taken again after this long even if the register has not changed in size.
pub const MAX_AGE: Duration = Duration::from_secs(24 * 3600);
/// Registrants below which `u` keeps its hand-set values: too few pairs to say more.
pub const MIN_ESTIMATE: u64 = 2_000;
/// Registrants drawn at random for an estimate.
pub const SAMPLE: u64 = 2_000;
/// Random pairs of them compared.
pub const PAIRS: u64 = 300_000;

struct Cached {
    counted: Instant,
    estimated: Instant,
    model: Arc<Model>,
}

#[derive(Default)]
pub struct RegisterModel {
    // A tokio mutex: the check that estimates holds it while others wait for the result rather
    // than estimate again.
    state: tokio::sync::Mutex<Option<Cached>>,
}

impl RegisterModel {
    /// The current model, counted and estimated in `conn`'s snapshot when due.
    pub async fn get(&self, conn: &impl ConnectionTrait, crypto: &Crypto) -> ServiceResult<Arc<Model>> {
        let mut state = self.state.lock().await;
        if let Some(c) = state.as_ref()
            && c.counted.elapsed() < REFRESH
        {
            return Ok(c.model.clone());
        }
        let register = registrant::Entity::find().count(conn).await?;
        let current = state.as_ref().filter(|c| {
            c.estimated.elapsed() <= MAX_AGE
                && !moved_a_tenth(c.model.register, register)
                && (c.model.sampled == 0) == (register < MIN_ESTIMATE)
        });
        let (model, estimated) = match current {
            Some(c) => (Arc::new(c.model.with_register(register)), c.estimated),
            None => (Arc::new(estimate(conn, crypto, register).await?), Instant::now()),
        };
        *state = Some(Cached { counted: Instant::now(), estimated, model: model.clone() });
        Ok(model)
    }
}

fn moved_a_tenth(then: u64, now: u64) -> bool {
    then.abs_diff(now) * 10 > then.max(1)
}

/// Estimates `u` from a random sample of registrants' match profiles (see `linkage::model`).
async fn estimate(conn: &impl ConnectionTrait, crypto: &Crypto, register: u64) -> ServiceResult<Model> {
    if register < MIN_ESTIMATE {
        return Ok(Model::hand_set(register));
    }
    let started = Instant::now();
    let rows: Vec<(Uuid, Vec<u8>)> = match_profile::Entity::find()
        .select_only()
        .column(match_profile::Column::Id)
        .column(match_profile::Column::ProfileSealed)
        .filter(match_profile::Column::OwnerKind.eq(OWNER_REGISTRANT))
        .order_by(Expr::cust("random()"), Order::Asc)
        .limit(SAMPLE)
        .into_tuple()
        .all(conn)
        .await?;
    let mut sample = Vec::with_capacity(rows.len());
    for (id, sealed) in rows {
        let plain = match_profiles::open(crypto, id, &sealed)?;
        if let Some(profile) = Opened::read(&plain).and_then(|o| o.profile()) {
            sample.push(profile);
        }
    }
    // Comparing the pairs is a second of CPU at most: off the runtime's threads.
    let model = tokio::task::spawn_blocking(move || Model::estimate(&sample, PAIRS, register, register))
        .await
        .map_err(|_| ServiceError::Internal("the register model could not be estimated"))?;
    tracing::info!(
        register,
        sampled = model.sampled,
        pairs = model.pairs,
        prior = model.prior(),
        elapsed_ms = started.elapsed().as_millis() as u64,
        "register check: u estimated from random pairs of registrants"
    );
    Ok(model)
}

#[cfg(test)]
mod tests {
    use super::moved_a_tenth;

    #[test]
    fn a_tenth_either_way_is_a_move() {
        assert!(!moved_a_tenth(100_000, 109_000));
        assert!(moved_a_tenth(100_000, 111_000));
        assert!(moved_a_tenth(100_000, 89_000));
        assert!(moved_a_tenth(0, 5));
    }
}
