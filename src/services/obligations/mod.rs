//! Obligations and what happens to them: the duties that orders and regimes create
//! ([`duties`]), reading a registrant's obligations, recording notifications
//! ([`notifications`]), compliance outcomes and excusals ([`compliance`]), and corrections of
//! outcomes recorded wrongly ([`correction`]).

pub mod compliance;
pub mod correction;
pub mod duties;
pub mod input;
pub mod notifications;
pub mod read;
pub mod regimes;
pub mod travel;
pub mod views;

use chrono::{DateTime, Utc};
use domain::ids::{RecordId, RegistrantId};

use self::views::ObligationList;
use super::audit::{self, Action, Entry, Outcome};
use super::registrants::read as registrants;
use super::{Ctx, ServiceError, ServiceResult, tx};
use crate::auth::{Caller, Permission};

const RECORD: &str = "obligation";

/// A registrant's obligations with their occurrences and compliance records. Probation sees
/// only registrants its organisation supervises; any other is "not found".
#[tracing::instrument(skip_all, fields(request_id = %caller.request_id))]
pub async fn list_for_registrant(
    ctx: &Ctx,
    caller: &Caller,
    registrant_id: RegistrantId,
    now: DateTime<Utc>,
) -> ServiceResult<ObligationList> {
    caller.require(Permission::ObligationRead)?;
    let txn = tx::begin_write(&ctx.writer).await?;
    let owner = registrants::find(&txn, registrant_id).await?;
    if !caller.may_read_registrant(owner.supervising_org.as_deref()) {
        txn.rollback().await?;
        audit::record_denied(ctx, caller, now, "obligation.list", Permission::ObligationRead, RECORD, &[registrant_id.uuid()]).await?;
        return Err(ServiceError::NotFound("registrant"));
    }
    let items = read::obligations(&txn, &ctx.crypto, registrant_id.uuid(), now).await?;
    let mut ids = vec![registrant_id.uuid()];
    ids.extend(items.iter().map(|o| o.id.uuid()));
    let entry = Entry {
        action: Action::Consultation,
        operation: "obligation.list",
        permission: Permission::ObligationRead,
        record_type: RECORD,
        record_ids: &ids,
        outcome: Outcome::Success,
    };
    audit::record(&txn, &ctx.crypto, caller, now, entry).await?;
    txn.commit().await?;
    Ok(ObligationList { registrant_id, items })
}
