//! The bare stack that issue 18 measures Vigil's audited read against (`bench/bare.sh`): axum
//! and sqlx doing an audited read's database and cryptography work and nothing else. No
//! sign-in, permissions, justification, domain model or audit chain (Vigil's sealer chains its
//! audit entries later, off the request path, so this leaves the chain out too).
//!
//! `GET /people/{id}` reads one row in one statement, opens its 8 sealed fields with
//! AES-256-GCM (each bound to its row and column, as Vigil binds them), commits one audit row
//! and answers JSON. On SQLite the audit insert goes through one writing connection of its own
//! and reads through a pool, as in Vigil; on PostgreSQL both use one pool.
//!
//! At start it drops and recreates its two tables (`bare_people`, `bare_audit`), fills
//! `bare_people` with `--rows` synthetic people under a fresh random key, and writes their ids to
//! `--ids`, one per line, for `bench/read.lua`.

use std::sync::Arc;
use std::time::Duration;

use aes_gcm::aead::{Aead, KeyInit, Payload};
use aes_gcm::{Aes256Gcm, Nonce};
use anyhow::Context;
use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::routing::get;
use clap::Parser;
use rand::RngCore;
use sea_orm::sqlx::postgres::{PgPool, PgPoolOptions};
use sea_orm::sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePool, SqlitePoolOptions, SqliteSynchronous};
use sea_orm::sqlx::{self, Row};
use uuid::Uuid;

/// The sealed columns of a person, as a registrant read opens about as many.
const FIELDS: [&str; 8] = ["given", "family", "date_of_birth", "address", "town", "postcode", "identifier", "descriptor"];

#[derive(Parser)]
struct Args {
    /// `sqlite://FILE?mode=rwc` or `postgres://…/DATABASE`.
    #[arg(long)]
    url: String,
    #[arg(long, default_value_t = 20_000)]
    rows: usize,
    #[arg(long, default_value = "127.0.0.1:18095")]
    bind: String,
    /// Where the people's ids are written, one per line.
    #[arg(long)]
    ids: std::path::PathBuf,
    /// Connections in the reading pool (Vigil's demo and serve default: 16).
    #[arg(long, default_value_t = 16)]
    pool: u32,
}

enum Db {
    Sqlite { read: SqlitePool, write: SqlitePool },
    Postgres(PgPool),
}

struct Bare {
    db: Db,
    cipher: Aes256Gcm,
}

/// The bytes a field's seal is bound to: its row and its column.
fn bound_to(id: Uuid, field: &str) -> Vec<u8> {
    let mut aad = id.as_bytes().to_vec();
    aad.extend_from_slice(field.as_bytes());
    aad
}

fn seal(cipher: &Aes256Gcm, id: Uuid, field: &str, plain: &str) -> anyhow::Result<Vec<u8>> {
    let mut nonce = [0u8; 12];
    rand::thread_rng().fill_bytes(&mut nonce);
    let aad = bound_to(id, field);
    let sealed = cipher
        .encrypt(Nonce::from_slice(&nonce), Payload { msg: plain.as_bytes(), aad: &aad })
        .map_err(|_| anyhow::anyhow!("sealing failed"))?;
    Ok([nonce.as_slice(), &sealed].concat())
}

fn open(cipher: &Aes256Gcm, id: Uuid, field: &str, sealed: &[u8]) -> Option<String> {
    let (nonce, body) = sealed.split_at_checked(12)?;
    let plain = cipher.decrypt(Nonce::from_slice(nonce), Payload { msg: body, aad: &bound_to(id, field) }).ok()?;
    String::from_utf8(plain).ok()
}

/// Synthetic values of about the sizes a registrant's have.
fn person(i: usize) -> [String; 8] {
    [
        format!("Given{i}"),
        format!("Family{}", i * 7919 % 100_003),
        format!("19{:02}-{:02}-{:02}", 40 + i % 60, 1 + i % 12, 1 + i % 28),
        format!("{} Example Street", 1 + i % 300),
        "Exampleton".to_owned(),
        format!("EX{} {}AB", 1 + i % 99, i % 10),
        format!("QQ{:06}C", i % 1_000_000),
        "Tattoo of a swallow on the left hand".to_owned(),
    ]
}

impl Db {
    async fn connect(url: &str, pool: u32) -> anyhow::Result<Self> {
        if url.starts_with("sqlite:") {
            let options = |mmap: u64| -> anyhow::Result<SqliteConnectOptions> {
                Ok(url
                    .parse::<SqliteConnectOptions>()?
                    .journal_mode(SqliteJournalMode::Wal)
                    .synchronous(SqliteSynchronous::Normal)
                    .busy_timeout(Duration::from_secs(10))
                    .pragma("mmap_size", mmap.to_string()))
            };
            // The pragmas Vigil's reading pool and writing connection use (`src/db.rs`).
            let read = SqlitePoolOptions::new().max_connections(pool).min_connections(1).connect_with(options(8 << 30)?).await?;
            let write = SqlitePoolOptions::new().max_connections(1).connect_with(options(0)?).await?;
            Ok(Self::Sqlite { read, write })
        } else {
            Ok(Self::Postgres(PgPoolOptions::new().max_connections(pool).min_connections(1).connect(url).await?))
        }
    }

    async fn create(&self) -> anyhow::Result<()> {
        let statements: [&'static str; 4] = match self {
            Self::Sqlite { .. } => [
                "DROP TABLE IF EXISTS bare_people",
                "DROP TABLE IF EXISTS bare_audit",
                "CREATE TABLE bare_people (id BLOB PRIMARY KEY, given BLOB NOT NULL, family BLOB NOT NULL, date_of_birth BLOB NOT NULL, \
                 address BLOB NOT NULL, town BLOB NOT NULL, postcode BLOB NOT NULL, identifier BLOB NOT NULL, descriptor BLOB NOT NULL)",
                "CREATE TABLE bare_audit (id INTEGER PRIMARY KEY AUTOINCREMENT, at TEXT NOT NULL, person BLOB NOT NULL, subject TEXT NOT NULL, hash BLOB)",
            ],
            Self::Postgres(_) => [
                "DROP TABLE IF EXISTS bare_people",
                "DROP TABLE IF EXISTS bare_audit",
                "CREATE TABLE bare_people (id UUID PRIMARY KEY, given BYTEA NOT NULL, family BYTEA NOT NULL, date_of_birth BYTEA NOT NULL, \
                 address BYTEA NOT NULL, town BYTEA NOT NULL, postcode BYTEA NOT NULL, identifier BYTEA NOT NULL, descriptor BYTEA NOT NULL)",
                "CREATE TABLE bare_audit (id BIGSERIAL PRIMARY KEY, at TIMESTAMPTZ NOT NULL, person UUID NOT NULL, subject TEXT NOT NULL, hash BYTEA)",
            ],
        };
        for statement in statements {
            match self {
                Self::Sqlite { write, .. } => {
                    sqlx::query(statement).execute(write).await?;
                }
                Self::Postgres(pool) => {
                    sqlx::query(statement).execute(pool).await?;
                }
            }
        }
        Ok(())
    }

    async fn fill(&self, cipher: &Aes256Gcm, rows: usize) -> anyhow::Result<Vec<Uuid>> {
        const SQLITE: &str = "INSERT INTO bare_people (id, given, family, date_of_birth, address, town, postcode, identifier, descriptor) \
                              VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)";
        const POSTGRES: &str = "INSERT INTO bare_people (id, given, family, date_of_birth, address, town, postcode, identifier, descriptor) \
                                VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)";
        let mut ids = Vec::with_capacity(rows);
        for start in (0..rows).step_by(1000) {
            let mut people = Vec::with_capacity(1000);
            for i in start..(start + 1000).min(rows) {
                let id = Uuid::now_v7();
                let values = person(i);
                let sealed: Vec<Vec<u8>> = FIELDS.iter().zip(&values).map(|(f, v)| seal(cipher, id, f, v)).collect::<Result<_, _>>()?;
                people.push((id, sealed));
                ids.push(id);
            }
            match self {
                Self::Sqlite { write, .. } => {
                    let mut tx = write.begin().await?;
                    for (id, sealed) in &people {
                        sealed.iter().fold(sqlx::query(SQLITE).bind(*id), |q, s| q.bind(s.as_slice())).execute(&mut *tx).await?;
                    }
                    tx.commit().await?;
                }
                Self::Postgres(pool) => {
                    let mut tx = pool.begin().await?;
                    for (id, sealed) in &people {
                        sealed.iter().fold(sqlx::query(POSTGRES).bind(*id), |q, s| q.bind(s.as_slice())).execute(&mut *tx).await?;
                    }
                    tx.commit().await?;
                }
            }
        }
        Ok(ids)
    }

    /// The person's sealed fields, in one statement (its own snapshot).
    async fn sealed(&self, id: Uuid) -> Result<Option<Vec<Vec<u8>>>, sqlx::Error> {
        let row = match self {
            Self::Sqlite { read, .. } => sqlx::query(
                "SELECT given, family, date_of_birth, address, town, postcode, identifier, descriptor FROM bare_people WHERE id = ?",
            )
            .bind(id)
            .fetch_optional(read)
            .await?
            .map(|row| (0..FIELDS.len()).map(|i| row.try_get::<Vec<u8>, _>(i)).collect::<Result<Vec<_>, _>>()),
            Self::Postgres(pool) => sqlx::query(
                "SELECT given, family, date_of_birth, address, town, postcode, identifier, descriptor FROM bare_people WHERE id = $1",
            )
            .bind(id)
            .fetch_optional(pool)
            .await?
            .map(|row| (0..FIELDS.len()).map(|i| row.try_get::<Vec<u8>, _>(i)).collect::<Result<Vec<_>, _>>()),
        };
        row.transpose()
    }

    /// One audit row, committed before the answer goes out.
    async fn audit(&self, id: Uuid) -> Result<(), sqlx::Error> {
        // A bench binary outside Vigil: no `vigil::clock` to read the time through.
        #[allow(clippy::disallowed_methods)]
        let now = chrono::Utc::now();
        match self {
            Self::Sqlite { write, .. } => {
                sqlx::query("INSERT INTO bare_audit (at, person, subject) VALUES (?, ?, ?)")
                    .bind(now.to_rfc3339())
                    .bind(id)
                    .bind("bench")
                    .execute(write)
                    .await?;
            }
            Self::Postgres(pool) => {
                sqlx::query("INSERT INTO bare_audit (at, person, subject) VALUES ($1, $2, $3)")
                    .bind(now)
                    .bind(id)
                    .bind("bench")
                    .execute(pool)
                    .await?;
            }
        }
        Ok(())
    }
}

async fn read(State(bare): State<Arc<Bare>>, Path(id): Path<Uuid>) -> Result<Json<serde_json::Value>, StatusCode> {
    let sealed = bare.db.sealed(id).await.map_err(|_| StatusCode::INTERNAL_SERVER_ERROR)?.ok_or(StatusCode::NOT_FOUND)?;
    let mut person = serde_json::Map::with_capacity(FIELDS.len() + 1);
    person.insert("id".into(), id.to_string().into());
    for (field, value) in FIELDS.iter().zip(&sealed) {
        let plain = open(&bare.cipher, id, field, value).ok_or(StatusCode::INTERNAL_SERVER_ERROR)?;
        person.insert((*field).into(), plain.into());
    }
    bare.db.audit(id).await.map_err(|_| StatusCode::INTERNAL_SERVER_ERROR)?;
    Ok(Json(person.into()))
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let args = Args::parse();
    let db = Db::connect(&args.url, args.pool).await.context("connecting")?;
    let mut key = [0u8; 32];
    rand::thread_rng().fill_bytes(&mut key);
    let cipher = Aes256Gcm::new_from_slice(&key).map_err(|_| anyhow::anyhow!("key length"))?;
    db.create().await.context("creating the tables")?;
    let ids = db.fill(&cipher, args.rows).await.context("filling bare_people")?;
    let lines: String = ids.iter().map(|id| format!("{id}\n")).collect();
    std::fs::write(&args.ids, lines).context("writing the ids")?;
    let app = axum::Router::new()
        .route("/people/{id}", get(read))
        .route("/health/ready", get(|| async { "ready" }))
        .with_state(Arc::new(Bare { db, cipher }));
    let listener = tokio::net::TcpListener::bind(&args.bind).await.context("binding")?;
    println!("bare stack: {} people, serving on http://{}", ids.len(), args.bind);
    axum::serve(listener, app).await?;
    Ok(())
}
