//! How orders end. An order's status can be changed by a job, not only by a person in a role: at
//! its expiry an order becomes `expired` by itself (`jobs::expiry`). Such a change has no role,
//! so `order_status_changes.changed_role` may be empty; `changed_by` names the job. PostgreSQL
//! drops the constraint in place; SQLite cannot change a column, so the table is rebuilt with its
//! rows. And a discharge takes effect from the day the court discharged the order, however late
//! it is recorded: the four-eyes request keeps that day (`approvals.effective_on`).

use sea_orm_migration::prelude::*;
use sea_orm_migration::schema::*;
use sea_orm_migration::sea_orm::{DbBackend, Statement};

#[derive(DeriveMigrationName)]
pub struct Migration;

/// The rest of SQLite's rebuild, after the new table is created from the old one's own
/// definition (so its types, keys and cascade stay exactly as they were).
const REBUILD: [&str; 4] = [
    "INSERT INTO order_status_changes_new SELECT * FROM order_status_changes",
    "DROP TABLE order_status_changes",
    "ALTER TABLE order_status_changes_new RENAME TO order_status_changes",
    "CREATE INDEX ix_order_status_changes_order_id ON order_status_changes (order_id)",
];

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager.alter_table(Table::alter().table("approvals").add_column(date_null("effective_on")).to_owned()).await?;
        let db = manager.get_connection();
        match manager.get_database_backend() {
            DbBackend::Sqlite => {
                let found = db
                    .query_one_raw(Statement::from_string(
                        DbBackend::Sqlite,
                        "SELECT sql FROM sqlite_master WHERE type = 'table' AND name = 'order_status_changes'",
                    ))
                    .await?
                    .ok_or_else(|| DbErr::Migration("order_status_changes is missing".into()))?;
                let old: String = found.try_get_by_index(0)?;
                let new = old
                    .replacen("order_status_changes", "order_status_changes_new", 1)
                    .replace("\"changed_role\" varchar NOT NULL", "\"changed_role\" varchar NULL");
                if new.contains("\"changed_role\" varchar NOT NULL") || !new.contains("\"changed_role\" varchar NULL") {
                    return Err(DbErr::Migration("order_status_changes.changed_role is not as created".into()));
                }
                // One batch, on one connection: the pool's other connections would each have to
                // notice the changed schema between steps.
                db.execute_unprepared(&format!("{new};\n{}", REBUILD.join(";\n"))).await.map(|_| ())
            }
            _ => db.execute_unprepared("ALTER TABLE order_status_changes ALTER COLUMN changed_role DROP NOT NULL").await.map(|_| ()),
        }
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager.alter_table(Table::alter().table("approvals").drop_column("effective_on").to_owned()).await?;
        // Changes made by a job are kept; the old schema needs a role, and only an administrator
        // could have made such a change by hand.
        let db = manager.get_connection();
        db.execute_unprepared("UPDATE order_status_changes SET changed_role = 'admin' WHERE changed_role IS NULL").await?;
        if manager.get_database_backend() == DbBackend::Postgres {
            db.execute_unprepared("ALTER TABLE order_status_changes ALTER COLUMN changed_role SET NOT NULL").await?;
        }
        Ok(())
    }
}
