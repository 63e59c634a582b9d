//! Human references for registrants: `VGL-<year>-<6+ digits>`. On PostgreSQL the number comes
//! from a sequence, so concurrent creates never wait for each other (a rolled-back create may
//! leave a gap); on SQLite, which has one writer, from a counter row updated in the creating
//! transaction.

use sea_orm::{ConnectionTrait, DbBackend, Statement};

use super::ServiceResult;

/// `count` consecutive references (a single create reserves one, an import batch reserves its size).
pub async fn next_registrant_references(conn: &impl ConnectionTrait, year: i32, count: usize) -> ServiceResult<Vec<String>> {
    if count == 0 {
        return Ok(Vec::new());
    }
    let backend = conn.get_database_backend();
    let numbers: Vec<i64> = match backend {
        DbBackend::Postgres => {
            let rows = conn
                .query_all_raw(Statement::from_sql_and_values(
                    backend,
                    "SELECT nextval('registrant_reference_seq') FROM generate_series(1, $1)",
                    [(count as i64).into()],
                ))
                .await?;
            let mut numbers = Vec::with_capacity(rows.len());
            for row in rows {
                numbers.push(row.try_get_by_index(0)?);
            }
            numbers.sort_unstable();
            numbers
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
                    "UPDATE reference_counters SET last = last + ? WHERE year = ? RETURNING last",
                    [(count as i64).into(), year.into()],
                ))
                .await?
                .ok_or_else(|| sea_orm::DbErr::RecordNotFound("reference counter".into()))?;
            let last: i64 = row.try_get_by_index(0)?;
            (last - count as i64 + 1..=last).collect()
        }
    };
    Ok(numbers.into_iter().map(|n| format!("VGL-{year}-{n:06}")).collect())
}
