//! Test harness: every test gets its own database (a SQLite file in a temporary folder by
//! default, or a uniquely named PostgreSQL database when `TEST_DATABASE_URL` is set), runs the
//! real migrations, and talks to the real application over HTTP on a port chosen by the OS.

pub mod browser;
pub mod db;
pub mod oidc;
pub mod pages;

use std::time::Duration;

use reqwest::{Client, Method, Response};
use sea_orm::DatabaseConnection;
use serde_json::Value;
use tokio::sync::oneshot;
use vigil::app::App;
use vigil::auth::Role;
use vigil::auth::dev::DevIssuer;
use vigil::auth::login::LoginSettings;
use vigil::auth::token::TokenValidator;
use vigil::crypto::{Crypto, KeyRing};
use vigil::http::HttpLimits;

pub use db::TestDb;

pub struct TestApp {
    pub base: String,
    pub client: Client,
    pub issuer: DevIssuer,
    pub db: DatabaseConnection,
    /// The running app's services context (same database and keys), for driving use cases
    /// that have no HTTP route, such as the bulk import.
    pub ctx: vigil::services::Ctx,
    /// The running app's bearer-token validator (its cache of verified tokens).
    pub validator: std::sync::Arc<TokenValidator>,
    pub test_db: TestDb,
    shutdown: Option<oneshot::Sender<()>>,
    stopped: Option<oneshot::Receiver<()>>,
}

impl TestApp {
    pub async fn spawn() -> Self {
        Self::spawn_with(HttpLimits { body_limit_bytes: 64 * 1024, request_timeout: Duration::from_secs(30) }).await
    }

    pub async fn spawn_with(limits: HttpLimits) -> Self {
        Self::spawn_configured(limits, vigil::services::checks::limiter::DEFAULT_PER_HOUR).await
    }

    /// An app that allows each user `checks_per_hour` register checks.
    pub async fn spawn_with_check_limit(checks_per_hour: u32) -> Self {
        Self::spawn_configured(HttpLimits { body_limit_bytes: 64 * 1024, request_timeout: Duration::from_secs(30) }, checks_per_hour).await
    }

    async fn spawn_configured(limits: HttpLimits, checks_per_hour: u32) -> Self {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("bind");
        Self::spawn_on(listener, limits, checks_per_hour, None, Crypto::new(KeyRing::generate()), false, None).await
    }

    /// An app as `demo` runs it: with the development sign-in page.
    pub async fn spawn_demo() -> Self {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("bind");
        let limits = HttpLimits { body_limit_bytes: 64 * 1024, request_timeout: Duration::from_secs(30) };
        Self::spawn_on(
            listener,
            limits,
            vigil::services::checks::limiter::DEFAULT_PER_HOUR,
            None,
            Crypto::new(KeyRing::generate()),
            true,
            None,
        )
        .await
    }

    /// An app with these keys (key rotation tests).
    pub async fn spawn_with_crypto(crypto: Crypto) -> Self {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("bind");
        let limits = HttpLimits { body_limit_bytes: 64 * 1024, request_timeout: Duration::from_secs(30) };
        Self::spawn_on(listener, limits, vigil::services::checks::limiter::DEFAULT_PER_HOUR, None, crypto, false, None).await
    }

    /// Another replica of the service on the same database, with its own keys (as after a
    /// restart with a new key ring); it trusts the same token issuer. Returns its base URL and
    /// a handle that stops it when dropped.
    pub async fn replica(&self, crypto: Crypto) -> (String, oneshot::Sender<()>) {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("bind");
        let base = format!("http://{}", listener.local_addr().expect("addr"));
        let limits = HttpLimits { body_limit_bytes: 64 * 1024, request_timeout: Duration::from_secs(30) };
        let app = App::new(self.db.clone(), crypto, validator(&self.issuer), limits);
        let (tx, rx) = oneshot::channel::<()>();
        tokio::spawn(async move {
            let _ = app
                .serve(listener, async move {
                    let _ = rx.await;
                })
                .await;
        });
        (base, tx)
    }

    /// An app on an already bound listener with browser login through `login`'s provider (the
    /// provider must know the app's callback address before the app starts).
    pub async fn spawn_with_login(listener: tokio::net::TcpListener, login: LoginSettings) -> Self {
        let limits = HttpLimits { body_limit_bytes: 64 * 1024, request_timeout: Duration::from_secs(30) };
        Self::spawn_on(
            listener,
            limits,
            vigil::services::checks::limiter::DEFAULT_PER_HOUR,
            Some(login),
            Crypto::new(KeyRing::generate()),
            false,
            None,
        )
        .await
    }

    /// An app serving Prometheus metrics on a listener of its own; gives the metrics URL.
    pub async fn spawn_with_metrics() -> (Self, String) {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("bind");
        let metrics = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("bind");
        let url = format!("http://{}/metrics", metrics.local_addr().expect("addr"));
        let limits = HttpLimits { body_limit_bytes: 64 * 1024, request_timeout: Duration::from_secs(30) };
        let crypto = Crypto::new(KeyRing::generate());
        let app =
            Self::spawn_on(listener, limits, vigil::services::checks::limiter::DEFAULT_PER_HOUR, None, crypto, false, Some(metrics)).await;
        (app, url)
    }

    async fn spawn_on(
        listener: tokio::net::TcpListener,
        limits: HttpLimits,
        checks_per_hour: u32,
        login: Option<LoginSettings>,
        crypto: Crypto,
        dev_signin: bool,
        metrics: Option<tokio::net::TcpListener>,
    ) -> Self {
        let test_db = TestDb::create().await;
        let db = test_db.connect().await;
        vigil::db::migrate(&db).await.expect("migrations apply");
        let issuer = DevIssuer::generate();
        let validator = validator(&issuer);
        let base = format!("http://{}", listener.local_addr().expect("addr"));
        let (tx, rx) = oneshot::channel::<()>();
        let writer = vigil::db::writer(test_db.url(), &db).await.expect("the writing connection");
        let mut app = App::new(db.clone(), crypto, validator, limits).with_writer(writer).with_check_limit(checks_per_hour);
        if let Some(settings) = login {
            app = app.with_login(vigil::auth::login::Login::new(settings).expect("login client"));
        }
        if dev_signin {
            app = app.with_dev_signin();
        }
        if let Some(metrics) = metrics {
            app = app.with_metrics(metrics);
        }
        let ctx = app.state.ctx.clone();
        let app_validator = app.state.validator.clone();
        let (done, stopped) = oneshot::channel::<()>();
        tokio::spawn(async move {
            let _ = app
                .serve(listener, async move {
                    let _ = rx.await;
                })
                .await;
            let _ = done.send(());
        });
        let client = Client::builder().redirect(reqwest::redirect::Policy::none()).build().expect("client");
        Self { base, client, issuer, db, ctx, validator: app_validator, test_db, shutdown: Some(tx), stopped: Some(stopped) }
    }

    /// Stops the server and waits for its background work to finish (the last seal included),
    /// so a test can then work on the database alone.
    pub async fn stop(&mut self) {
        if let Some(tx) = self.shutdown.take() {
            let _ = tx.send(());
        }
        if let Some(stopped) = self.stopped.take() {
            let _ = stopped.await;
        }
    }

    pub fn token(&self, role: Role, org: &str) -> String {
        self.token_for("test-user", role, org)
    }

    pub fn token_for(&self, subject: &str, role: Role, org: &str) -> String {
        self.issuer.mint(subject, &[role], org, vigil::clock::now(), 600).expect("mint")
    }

    /// A request as an officer managing the case makes it: with the reason code every read of
    /// a person's content needs (`justification.rs` tests requests without one).
    pub async fn request(&self, method: Method, path: &str, token: Option<&str>, body: Option<&Value>) -> Response {
        self.send(
            self.client.request(method, format!("{}{path}", self.base)).header("vigil-reason-code", "OFFENDER_MANAGEMENT"),
            token,
            body,
        )
        .await
    }

    /// As [`TestApp::request`], without any justification header.
    pub async fn unjustified(&self, method: Method, path: &str, token: &str, body: Option<&Value>) -> (u16, Value) {
        into_parts(self.send(self.client.request(method, format!("{}{path}", self.base)), Some(token), body).await).await
    }

    async fn send(&self, mut req: reqwest::RequestBuilder, token: Option<&str>, body: Option<&Value>) -> Response {
        if let Some(t) = token {
            req = req.bearer_auth(t);
        }
        if let Some(b) = body {
            req = req.json(b);
        }
        req.send().await.expect("request sent")
    }

    pub async fn get(&self, path: &str, token: &str) -> (u16, Value) {
        into_parts(self.request(Method::GET, path, Some(token), None).await).await
    }

    pub async fn post(&self, path: &str, token: &str, body: &Value) -> (u16, Value) {
        into_parts(self.request(Method::POST, path, Some(token), Some(body)).await).await
    }

    pub async fn patch(&self, path: &str, token: &str, body: &Value) -> (u16, Value) {
        into_parts(self.request(Method::PATCH, path, Some(token), Some(body)).await).await
    }

    /// Rows in a table, read directly from the database.
    pub async fn count(&self, table: &str) -> i64 {
        use sea_orm::{ConnectionTrait, Statement};
        let backend = self.db.get_database_backend();
        let row = self
            .db
            .query_one_raw(Statement::from_string(backend, format!("SELECT COUNT(*) FROM {table}")))
            .await
            .expect("count query")
            .expect("count row");
        row.try_get_by_index::<i64>(0).expect("count value")
    }

    /// Time passes for scheduled sessions: every pending occurrence of a requirement moves a year
    /// back, so that what happened at it can be recorded (attendance is never recorded before a
    /// session starts). The service reads the real clock, so tests move the sessions instead.
    pub async fn sessions_held(&self) {
        use entities::{obligation, occurrence};
        use sea_orm::{ActiveValue::Set, ColumnTrait, EntityTrait, QueryFilter};
        let requirements: Vec<_> = obligation::Entity::find()
            .filter(obligation::Column::ConditionId.is_not_null())
            .all(&self.db)
            .await
            .expect("obligations")
            .into_iter()
            .map(|o| o.id)
            .collect();
        let pending = occurrence::Entity::find()
            .filter(occurrence::Column::ObligationId.is_in(requirements))
            .filter(occurrence::Column::Status.eq(domain::vocab::OccurrenceStatus::Pending))
            .all(&self.db)
            .await
            .expect("occurrences");
        let year = chrono::Duration::days(365);
        for o in pending {
            let moved = occurrence::ActiveModel {
                id: Set(o.id),
                due_at: Set(o.due_at - year),
                window_opens_at: Set(o.window_opens_at.map(|w| w - year)),
                basis_on: Set(o.basis_on.map(|d| d - chrono::Days::new(365))),
                ..Default::default()
            };
            occurrence::Entity::update(moved).exec(&self.db).await.expect("moving a session back");
        }
    }

    /// Creates a registrant managed by `org` through the API and returns its JSON.
    pub async fn registrant(&self, org: &str, body: Value) -> Value {
        let token = self.token(Role::Ppo, org);
        let (status, json) = self.post("/api/v1/registrants", &token, &body).await;
        assert_eq!(status, 201, "creating a registrant: {json}");
        json
    }
}

fn validator(issuer: &DevIssuer) -> TokenValidator {
    issuer.validator()
}

impl Drop for TestApp {
    fn drop(&mut self) {
        if let Some(tx) = self.shutdown.take() {
            let _ = tx.send(());
        }
    }
}

pub async fn into_parts(response: Response) -> (u16, Value) {
    let status = response.status().as_u16();
    let text = response.text().await.unwrap_or_default();
    (status, serde_json::from_str(&text).unwrap_or(Value::String(text)))
}

/// A complete synthetic registrant body.
pub fn registrant_body(family: &str) -> Value {
    serde_json::json!({
        "supervising_org": "probation-london",
        "risk": { "level": "high", "tool": "SRP", "next_review_on": "2027-01-31" },
        "mappa": { "category": 2, "level": 1 },
        "names": [
            { "kind": "primary", "given": "Testy", "family": family },
            { "kind": "alias", "given": "Tess", "family": family }
        ],
        "birth_dates": ["1984-02-29"],
        "descriptors": [{ "kind": "height", "value": "180 cm" }],
        "addresses": [{ "kind": "home", "lines": ["1 Fiction Road"], "town": "Exampleton", "postcode": "ex11aa", "valid_from": "2025-01-01" }],
        "identifiers": [
            { "kind": "phone", "value": "07700 900123" },
            { "kind": "email", "value": "Someone@Example.org" },
            { "kind": "online_handle", "platform": "Instagram", "value": "@Some_Handle" }
        ],
        "notes": "synthetic"
    })
}

/// The largest registrant the API accepts: every list at its limit (`domain::limits`), every
/// entry distinct, so that each is normalised, sealed and blind-indexed.
pub fn largest_registrant_body(tag: &str) -> Value {
    use domain::limits;
    let names: Vec<Value> = (0..limits::NAMES)
        .map(|i| serde_json::json!({ "kind": if i == 0 { "primary" } else { "alias" }, "given": format!("Given{i}x"), "family": format!("Large{tag}n{i}") }))
        .collect();
    let birth_dates: Vec<String> = (0..limits::BIRTH_DATES).map(|i| format!("198{i}-0{}-1{i}", i + 1)).collect();
    let descriptors: Vec<Value> = (0..limits::DESCRIPTORS)
        .map(|i| serde_json::json!({ "kind": "scar_mark_tattoo", "value": format!("Synthetic mark {i} on the left arm") }))
        .collect();
    let addresses: Vec<Value> = (0..limits::ADDRESSES)
        .map(|i| serde_json::json!({ "kind": "home", "lines": [format!("{i} Fiction Road"), "Flat 2"], "town": "Exampleton", "postcode": format!("EX{} {}AA", i % 9 + 1, i % 9 + 1) }))
        .collect();
    let identifiers: Vec<Value> = (0..limits::IDENTIFIERS)
        .map(|i| match i % 3 {
            0 => serde_json::json!({ "kind": "phone", "value": format!("07700 900{:03}", i) }),
            1 => serde_json::json!({ "kind": "email", "value": format!("large{tag}.{i}@example.org") }),
            _ => serde_json::json!({ "kind": "online_handle", "platform": "Instagram", "value": format!("@large_{tag}_{i}") }),
        })
        .collect();
    serde_json::json!({
        "names": names, "birth_dates": birth_dates, "descriptors": descriptors, "addresses": addresses,
        "identifiers": identifiers, "notes": "synthetic ".repeat(400)
    })
}

/// An audit entry as a read of a registrant writes it, naming no record (audit tests).
pub fn a_consultation() -> vigil::services::audit::Entry<'static> {
    use vigil::services::audit;
    audit::Entry {
        action: audit::Action::Consultation,
        operation: "registrant.read",
        permission: vigil::auth::Permission::RegistrantReadNational,
        record_type: "registrant",
        record_ids: &[],
        outcome: audit::Outcome::Success,
    }
}
