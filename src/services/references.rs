//! Human references for registrants: `VGL-<year>-<6+ digits>`. On PostgreSQL the number comes
//! from a sequence, so concurrent creates never wait for each other (a rolled-back create may
//! leave a gap); on SQLite, which has one writer, from a counter row updated in the creating
//! transaction.

use sea_orm::{ConnectionTrait, DbBackend, Statement};

use super::ServiceResult;

pub async fn next_registrant_reference(conn: &impl ConnectionTrait, year: i32) -> ServiceResult<String> {
    let backend = conn.get_database_backend();
    let number: i64 = match backend {
        DbBackend::Postgres => {
            let row = conn
                .query_one_raw(Statement::from_string(backend, "SELECT nextval('registrant_reference_seq')"))
                .await?
                .ok_or_else(|| sea_orm::DbErr::RecordNotFound("reference sequence".into()))?;
            row.try_get_by_index(0)?
        }
        _ => {
            conn.execute_raw(Statement::from_sql_and_values(
                backend,
                "INSERT INTO reference_counters (year, last) VALUES (?, 0) ON CONFLICT (year) DO NOTHING",
                [year.into()],
            ))
            .await?;
            let row = conn
                .query_one_raw(Statement::from_sql_and_values(
                    backend,
                    "UPDATE reference_counters SET last = last + 1 WHERE year = ? RETURNING last",
                    [year.into()],
                ))
                .await?
                .ok_or_else(|| sea_orm::DbErr::RecordNotFound("reference counter".into()))?;
            row.try_get_by_index(0)?
        }
    };
    Ok(format!("VGL-{year}-{number:06}"))
}
