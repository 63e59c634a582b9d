//! Drafts of the web interface's multi-page forms: what has been entered so far on the way to a
//! write (adding a registrant). A draft is personal data, so it is sealed; it belongs to one
//! browser session (another session cannot open it, and it goes when its session is deleted)
//! and lives for [`KEPT`] after its last change. Nothing is written to the register until the
//! form's last page submits it to the service that does the write.

use chrono::{DateTime, Utc};
use entities::web_draft;
use sea_orm::sea_query::Expr;
use sea_orm::{ActiveValue::Set, ColumnTrait, EntityTrait, QueryFilter};
use serde::Serialize;
use serde::de::DeserializeOwned;
use uuid::Uuid;

use super::{Ctx, ServiceResult};
use crate::crypto::columns;

/// How long a draft is kept after its last change.
pub const KEPT: chrono::Duration = chrono::Duration::hours(2);

/// Starts a draft for `session`; its id goes into the form's addresses.
pub async fn create<T: Serialize>(ctx: &Ctx, session: Uuid, draft: &T, now: DateTime<Utc>) -> ServiceResult<Uuid> {
    let id = Uuid::now_v7();
    let sealed = ctx.crypto.seal_json(columns::WEB_DRAFT, id, draft)?;
    web_draft::Entity::delete_many().filter(web_draft::Column::ExpiresAt.lt(now)).exec(&ctx.writer).await?;
    web_draft::Entity::insert(web_draft::ActiveModel {
        id: Set(id),
        session_id: Set(session),
        draft_sealed: Set(sealed),
        expires_at: Set(now + KEPT),
    })
    .exec_without_returning(&ctx.writer)
    .await?;
    Ok(id)
}

/// The draft, if it is this session's, still kept, and of this type.
pub async fn load<T: DeserializeOwned>(ctx: &Ctx, session: Uuid, id: Uuid, now: DateTime<Utc>) -> ServiceResult<Option<T>> {
    let row = web_draft::Entity::find_by_id(id)
        .filter(web_draft::Column::SessionId.eq(session))
        .filter(web_draft::Column::ExpiresAt.gt(now))
        .one(&ctx.db)
        .await?;
    // A draft of another type does not open as this one: treated as no draft.
    Ok(row.and_then(|r| ctx.crypto.open_json(columns::WEB_DRAFT, r.id, &r.draft_sealed).ok()))
}

/// Replaces the draft and keeps it for another [`KEPT`]. False if it is gone (expired or not
/// this session's).
pub async fn save<T: Serialize>(ctx: &Ctx, session: Uuid, id: Uuid, draft: &T, now: DateTime<Utc>) -> ServiceResult<bool> {
    let sealed = ctx.crypto.seal_json(columns::WEB_DRAFT, id, draft)?;
    let updated = web_draft::Entity::update_many()
        .col_expr(web_draft::Column::DraftSealed, Expr::value(sealed))
        .col_expr(web_draft::Column::ExpiresAt, Expr::value(now + KEPT))
        .filter(web_draft::Column::Id.eq(id))
        .filter(web_draft::Column::SessionId.eq(session))
        .filter(web_draft::Column::ExpiresAt.gt(now))
        .exec(&ctx.writer)
        .await?;
    Ok(updated.rows_affected == 1)
}
