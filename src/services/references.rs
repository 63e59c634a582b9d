//! Human references for registrants: `VGL-<year>-<6 digits>`, one counter per year, allocated
//! inside the creating transaction so a rolled-back create leaves no gap in use.

use sea_orm::{ConnectionTrait, DbBackend, Statement};

use super::ServiceResult;

pub async fn next_registrant_reference(conn: &impl ConnectionTrait, year: i32) -> ServiceResult<String> {
    let backend = conn.get_database_backend();
    let (insert, update) = match backend {
        DbBackend::Postgres => (
            "INSERT INTO reference_counters (year, last) VALUES ($1, 0) ON CONFLICT (year) DO NOTHING",
            "UPDATE reference_counters SET last = last + 1 WHERE year = $1 RETURNING last",
        ),
        _ => (
            "INSERT INTO reference_counters (year, last) VALUES (?, 0) ON CONFLICT (year) DO NOTHING",
            "UPDATE reference_counters SET last = last + 1 WHERE year = ? RETURNING last",
        ),
    };
    conn.execute_raw(Statement::from_sql_and_values(backend, insert, [year.into()])).await?;
    let row = conn
        .query_one_raw(Statement::from_sql_and_values(backend, update, [year.into()]))
        .await?
        .ok_or_else(|| sea_orm::DbErr::RecordNotFound("reference counter".into()))?;
    let last: i64 = row.try_get_by_index(0)?;
    Ok(format!("VGL-{year}-{last:06}"))
}
