//! Writes to occurrences that the service and the jobs both make, so that both make them the
//! same way: the conflict target every insert uses, and excusing a pending occurrence.

use chrono::{DateTime, Utc};
use domain::ids::RecordId;
use domain::vocab::OccurrenceStatus;
use entities::occurrence;
use sea_orm::sea_query::{Expr, OnConflict};
use sea_orm::{ColumnTrait, ConnectionTrait, DbErr, EntityTrait, QueryFilter};

use crate::Keys;

/// Occurrences are unique per obligation, instant and subject (the event that started the
/// clock); every writer inserts with DO NOTHING on that, so running it twice creates nothing.
pub fn on_conflict() -> OnConflict {
    OnConflict::columns([occurrence::Column::ObligationId, occurrence::Column::DueAt, occurrence::Column::Subject]).do_nothing().to_owned()
}

/// Excuses each of `pending` with `reason` (sealed), unless it was resolved meanwhile; returns
/// how many were excused.
pub async fn excuse(
    conn: &impl ConnectionTrait,
    pending: &[occurrence::Model],
    reason: &str,
    by: &str,
    now: DateTime<Utc>,
    keys: &dyn Keys,
) -> Result<u64, DbErr> {
    let mut excused = 0;
    for occ in pending {
        let done = occurrence::Entity::update_many()
            .col_expr(occurrence::Column::Status, Expr::value(OccurrenceStatus::Excused.as_str()))
            .col_expr(occurrence::Column::ReasonSealed, Expr::value(keys.seal_occurrence_reason(occ.id.uuid(), reason)))
            .col_expr(occurrence::Column::ResolvedAt, Expr::value(now))
            .col_expr(occurrence::Column::ResolvedBy, Expr::value(by))
            .col_expr(occurrence::Column::Version, Expr::value(occ.version + 1))
            .filter(occurrence::Column::Id.eq(occ.id))
            .filter(occurrence::Column::Status.is_in(OccurrenceStatus::open_strs()))
            .exec(conn)
            .await?;
        excused += done.rows_affected;
    }
    Ok(excused)
}
