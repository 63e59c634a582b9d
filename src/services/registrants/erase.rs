//! Erasing a registrant (DPA 2018 s.47: e.g. a conviction quashed on appeal). Only ever run as
//! the second half of a four-eyes approval (`services::approvals`), inside its transaction.
//!
//! The registrant row goes, and with it (foreign keys, ON DELETE CASCADE) every name, date of
//! birth, address, identifier, descriptor, order with its conditions and protected persons,
//! obligation, occurrence, notification, breach and suspension. Rows that point at the
//! registrant without a foreign key go explicitly: blind indexes, the match profile, review links, scored
//! candidates, alerts. The audit trail keeps its entries, which name records by id only: the
//! fact that processing happened, and this erasure, remain provable; the person does not.

use domain::ids::RecordId;
use domain::ids::RegistrantId;
use entities::{alert, link, match_candidate, registrant};
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter};

use crate::services::blind::{self, OWNER_REGISTRANT};
use crate::services::{ServiceError, ServiceResult, match_profiles};

pub async fn erase(txn: &impl ConnectionTrait, registrant_id: RegistrantId) -> ServiceResult<()> {
    blind::delete_owner(txn, OWNER_REGISTRANT, registrant_id.uuid()).await?;
    match_profiles::delete(txn, registrant_id.uuid()).await?;
    link::Entity::delete_many()
        .filter(link::Column::TargetKind.eq(OWNER_REGISTRANT))
        .filter(link::Column::TargetId.eq(registrant_id))
        .exec(txn)
        .await?;
    match_candidate::Entity::delete_many()
        .filter(match_candidate::Column::TargetKind.eq(OWNER_REGISTRANT))
        .filter(match_candidate::Column::TargetId.eq(registrant_id))
        .exec(txn)
        .await?;
    alert::Entity::delete_many().filter(alert::Column::RegistrantId.eq(registrant_id)).exec(txn).await?;
    let deleted = registrant::Entity::delete_by_id(registrant_id).exec(txn).await?;
    if deleted.rows_affected != 1 {
        return Err(ServiceError::NotFound("registrant"));
    }
    Ok(())
}
