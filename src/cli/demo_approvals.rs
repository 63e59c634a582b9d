//! Four-eyes requests for the demo, so a supervisor has something to decide on first sign-in:
//! a colleague's requests to discharge some of the organisation's stalking protection orders
//! (which the demo supervisor may approve or reject), and the demo supervisor's own request to
//! erase a registrant (which the page shows but does not let them decide). Only supervisors may
//! ask (`auth::policy`), so the colleague is a second supervisor of the same force.

use chrono::{DateTime, Utc};
use domain::ids::RecordId;
use domain::ids::RegistrantId;
use domain::vocab::{OrderKind, OrderStatus};
use entities::{order, registrant, registrant_duplicate};
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, QueryOrder};

use crate::auth::{Caller, Justification, Role, dev};
use crate::services::Ctx;
use crate::services::approvals::{self, ApprovalAction, ApprovalRequestInput};
use crate::services::duplicates::{self, DuplicateDecision, DuplicateDecisionInput};

/// The colleague who asks for the discharge.
pub const COLLEAGUE: &str = "demo-supervisor2-met";

fn supervisor(subject: &str, now: DateTime<Utc>) -> Caller {
    Caller {
        issuer: dev::ISSUER.into(),
        subject: subject.into(),
        roles: vec![Role::Supervisor],
        org: "met".into(),
        request_id: uuid::Uuid::now_v7().to_string(),
        justification: Justification::default(),
        auth_time: Some(now),
    }
}

/// Returns how many requests it made (none if the register has nothing to ask about).
pub async fn load(ctx: &Ctx, now: DateTime<Utc>) -> anyhow::Result<usize> {
    let mut made = 0;
    // Served orders, which no other demo flow changes, so approving one is never stale; three of
    // them, so the browser suite can decide one in each of its runs.
    let orders = order::Entity::find()
        .filter(order::Column::ManagingOrg.eq("met"))
        .filter(order::Column::Kind.is_in([OrderKind::Spo, OrderKind::InterimSpo]))
        .filter(order::Column::ServedOn.is_not_null())
        .order_by_asc(order::Column::CreatedAt)
        .all(&ctx.db)
        .await?;
    let dischargeable: Vec<&order::Model> = orders.iter().filter(|o| o.status.can_become(OrderStatus::Discharged)).take(3).collect();
    // The first was discharged at yesterday's hearing and is recorded today.
    let yesterday = domain::calendar::local_date(now).pred_opt();
    for (i, o) in dischargeable.iter().enumerate() {
        let effective_on = yesterday.filter(|d| i == 0 && *d >= o.made_on && o.expires_on.is_none_or(|e| *d < e));
        let input = ApprovalRequestInput {
            action: ApprovalAction::OrderDischarge,
            target_id: o.id.uuid(),
            version: o.version,
            reason: "The court discharged the order on the victim's application (demo).".into(),
            effective_on,
        };
        approvals::request(ctx, &supervisor(COLLEAGUE, now), input, now).await.map_err(|e| anyhow::anyhow!("demo approval: {e}"))?;
        made += 1;
    }
    let ordered: Vec<_> = dischargeable.iter().map(|o| o.registrant_id).collect();
    let others =
        registrant::Entity::find().filter(registrant::Column::ManagingOrg.eq("met")).filter(registrant::Column::Id.is_not_in(ordered));
    let other = others.order_by_desc(registrant::Column::CreatedAt).one(&ctx.db).await?;
    if let Some(r) = other {
        let input = ApprovalRequestInput {
            action: ApprovalAction::RegistrantErasure,
            target_id: r.id.uuid(),
            version: r.version,
            reason: "Entered on the register by mistake (demo).".into(),
            effective_on: None,
        };
        let me = format!("demo-{}-met", Role::Supervisor.as_str());
        approvals::request(ctx, &supervisor(&me, now), input, now).await.map_err(|e| anyhow::anyhow!("demo approval: {e}"))?;
        made += 1;
    }
    Ok(made)
}

/// Confirms the pair that the demo's second record of one person (`demo_data::twin`) was
/// proposed in, as the colleague, so a supervisor finds it under "Confirmed duplicates" and can
/// ask for the merge. Says whether there was such a pair.
pub async fn confirm_twin(ctx: &Ctx, twin: RegistrantId, now: DateTime<Utc>) -> anyhow::Result<bool> {
    let pair = registrant_duplicate::Entity::find().filter(registrant_duplicate::Column::RegistrantId.eq(twin)).one(&ctx.db).await?;
    let Some(pair) = pair else { return Ok(false) };
    let input = DuplicateDecisionInput {
        decision: DuplicateDecision::Confirm,
        reason: "Same date of birth, names and address: one person recorded twice (demo).".into(),
        version: pair.version,
    };
    duplicates::decide(ctx, &supervisor(COLLEAGUE, now), pair.id, input, now).await.map_err(|e| anyhow::anyhow!("demo duplicate: {e}"))?;
    Ok(true)
}
