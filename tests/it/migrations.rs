//! The migrations run up, down and up again on the backend under test.

use migrations::{Migrator, MigratorTrait};
use sea_orm::ConnectionTrait;

use crate::support::TestDb;

#[tokio::test]
async fn migrations_go_up_down_and_up_again() {
    let test_db = TestDb::create().await;
    let db = test_db.connect().await;
    Migrator::up(&db, None).await.expect("up");
    let applied = Migrator::get_applied_migrations(&db).await.expect("applied").len();
    assert_eq!(applied, Migrator::migrations().len());
    Migrator::down(&db, None).await.expect("down");
    assert!(Migrator::get_applied_migrations(&db).await.expect("applied").is_empty());
    // Every table is gone, so a query against one fails.
    assert!(db.execute_unprepared("SELECT COUNT(*) FROM registrants").await.is_err());
    Migrator::up(&db, None).await.expect("up again");
    db.execute_unprepared("SELECT COUNT(*) FROM audit_chain").await.expect("tables exist again");
    let regimes = db
        .query_one_raw(sea_orm::Statement::from_string(db.get_database_backend(), "SELECT COUNT(*) FROM regimes"))
        .await
        .unwrap()
        .unwrap();
    assert_eq!(regimes.try_get_by_index::<i64>(0).unwrap(), 5, "regimes are seeded again");
}
