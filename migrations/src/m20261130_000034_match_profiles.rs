//! Match profiles for the register check (`vigil::linkage::match_profile`): one sealed value per
//! registrant or crime report suspect, holding their comparison form and the hashes of every
//! blocking key they hold, so that a check can tell a blind-index coincidence from a true key
//! agreement without opening rows. `id` is the owner's id (registrants and reports share the
//! UUID space); rows are rebuilt whenever the owner's particulars change. Existing owners get
//! theirs from the background backfill after this migration (a migration holds no keys).

use sea_orm_migration::prelude::*;
use sea_orm_migration::schema::*;

use crate::support::{drop_tables, id};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create().table("match_profiles").col(id()).col(string("owner_kind")).col(blob("profile_sealed")).to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        drop_tables(manager, &["match_profiles"]).await
    }
}
