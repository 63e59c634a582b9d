//! Browser sessions for the backend-for-frontend login (DESIGN §5). The browser holds only an
//! opaque random token in a cookie; the database holds its SHA-256, never the token, so a copy
//! of this table cannot be replayed as a cookie. The provider's ID token is kept sealed for the
//! logout call (`id_token_hint`). Sessions live in the database, not in one process, so every
//! replica honours them and logout on one ends them on all.
//!
//! `login_attempts` holds each authorization request between redirect and callback: the hash of
//! its `state`, the hash of the browser-binding cookie, the sealed nonce and PKCE verifier. A
//! callback consumes its row by deleting it, so a state is used at most once.

use sea_orm_migration::prelude::*;
use sea_orm_migration::schema::*;

use crate::support::{created_at, drop_tables, id, index};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table("web_sessions")
                    .col(id())
                    .col(string_uniq("token_hash"))
                    .col(string("issuer"))
                    .col(string("subject"))
                    .col(string("roles"))
                    .col(string("org"))
                    .col(timestamp_with_time_zone("auth_time"))
                    .col(blob("id_token_sealed"))
                    .col(created_at())
                    .col(timestamp_with_time_zone("last_seen_at"))
                    .col(timestamp_with_time_zone("expires_at"))
                    .col(timestamp_with_time_zone_null("ended_at"))
                    .to_owned(),
            )
            .await?;
        index(manager, "web_sessions", &["issuer", "subject"]).await?;
        index(manager, "web_sessions", &["expires_at"]).await?;

        manager
            .create_table(
                Table::create()
                    .table("login_attempts")
                    .col(id())
                    .col(string_uniq("state_hash"))
                    .col(string("binding_hash"))
                    .col(blob("secrets_sealed"))
                    .col(string("return_to"))
                    .col(created_at())
                    .col(timestamp_with_time_zone("expires_at"))
                    .to_owned(),
            )
            .await?;
        index(manager, "login_attempts", &["expires_at"]).await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        drop_tables(manager, &["login_attempts", "web_sessions"]).await
    }
}
