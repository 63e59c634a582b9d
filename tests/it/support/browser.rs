//! A service with browser login against a real OpenID Provider (see `oidc`), and the small
//! helpers the login and session tests share.

use std::time::Duration;

use reqwest::StatusCode;
use sea_orm::{ConnectionTrait, Statement};
use serde_json::Value;
use vigil::auth::login::LoginSettings;

use super::TestApp;
use super::oidc::{Browser, CLIENT_ID, CLIENT_SECRET, Provider};

pub const SESSION: &str = "__Host-vigil_session";

pub struct World {
    pub app: TestApp,
    pub provider: Provider,
}

/// The default settings: 30 min idle, 12 h absolute, revalidation every 60 s.
pub async fn world() -> World {
    world_with(|_| {}).await
}

/// The provider sends back-channel logouts to the service, and `adjust` may change the
/// service's login settings.
pub async fn world_with(adjust: impl FnOnce(&mut LoginSettings)) -> World {
    world_shaped("vigil", adjust).await
}

/// As [`world_with`], with a provider whose role and organisation claims are shaped like
/// `shape`'s (`keycloak`, `entra`; see tests/oidc-provider/README.md).
pub async fn world_shaped(shape: &str, adjust: impl FnOnce(&mut LoginSettings)) -> World {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let base = format!("http://{}", listener.local_addr().expect("addr"));
    let backchannel = format!("{base}/auth/backchannel-logout");
    let provider = Provider::start(&format!("{base}/auth/callback"), &format!("{base}/"), Some(&backchannel), shape).await;
    let mut settings = LoginSettings {
        issuer: provider.issuer.clone(),
        client_id: CLIENT_ID.into(),
        client_secret: zeroize::Zeroizing::new(CLIENT_SECRET.into()),
        redirect_url: format!("{base}/auth/callback"),
        post_logout_redirect_url: Some(format!("{base}/")),
        roles_claim: "vigil_roles".into(),
        org_claim: "vigil_org".into(),
        role_map: Default::default(),
        scopes: vec!["vigil".into()],
        skew_seconds: 30,
        refresh_cooldown: Duration::ZERO,
        session_idle: chrono::Duration::minutes(30),
        session_absolute: chrono::Duration::hours(12),
        revalidate_every: chrono::Duration::seconds(60),
        assurance: Default::default(),
    };
    adjust(&mut settings);
    World { app: TestApp::spawn_with_login(listener, settings).await, provider }
}

pub async fn me(browser: &mut Browser, base: &str) -> (StatusCode, Value) {
    let url = format!("{base}/api/v1/me");
    let hop = browser.get(&url).await;
    (hop.status, serde_json::from_str(&hop.body).unwrap_or(Value::Null))
}

pub async fn csrf(browser: &mut Browser, base: &str) -> String {
    let hop = browser.get(&format!("{base}/auth/session")).await;
    assert_eq!(hop.status, StatusCode::OK, "{}", hop.body);
    let session: Value = serde_json::from_str(&hop.body).expect("json");
    session["csrf_token"].as_str().expect("csrf token").to_owned()
}

pub async fn sql(app: &TestApp, statement: &str) {
    let backend = app.db.get_database_backend();
    app.db.execute_raw(Statement::from_string(backend, statement.to_owned())).await.expect("sql");
}

/// Makes every live session's revalidation due now, as if the interval had passed.
pub async fn revalidation_due(app: &TestApp) {
    let statement = match app.db.get_database_backend() {
        sea_orm::DbBackend::Postgres => "UPDATE web_sessions SET revalidate_after = now() - interval '1 second' WHERE ended_at IS NULL",
        _ => "UPDATE web_sessions SET revalidate_after = strftime('%Y-%m-%dT%H:%M:%fZ', 'now', '-1 second') WHERE ended_at IS NULL",
    };
    sql(app, statement).await;
}

/// How the most recently ended session ended (`web_sessions.ended_reason`).
pub async fn last_end_reason(app: &TestApp) -> Option<String> {
    let backend = app.db.get_database_backend();
    let row = app
        .db
        .query_one_raw(Statement::from_string(
            backend,
            "SELECT ended_reason FROM web_sessions WHERE ended_at IS NOT NULL ORDER BY ended_at DESC LIMIT 1".to_owned(),
        ))
        .await
        .expect("query")?;
    row.try_get::<Option<String>>("", "ended_reason").expect("ended_reason")
}
