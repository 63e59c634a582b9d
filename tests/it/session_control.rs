//! Catalogue A19, Z07 and A20 end to end against the real OpenID Provider: a live browser
//! session follows what happens at the provider (logout there, account disabled, role
//! removed), administrators can end sessions, and multi-factor and step-up logins are enforced.

use reqwest::{Method, StatusCode};
use serde_json::{Value, json};
use vigil::auth::Role;
use vigil::auth::assurance::Assurance;
use vigil::auth::backchannel::LogoutClaims;
use vigil::auth::token::Identity;
use vigil::auth::token_cache::{Key as TokenKey, TokenCache};
use vigil::services::sessions;

use crate::support::browser::{SESSION, last_end_reason, me, revalidation_due, sql, world, world_with};
use crate::support::oidc::Browser;

/// Remembers `token` as a bearer token the provider issued to `subject` and the API verified:
/// the app's API validator trusts the test's own issuer, so the provider's access tokens are
/// put in its cache as a verification would leave them.
fn verified_at_provider(w: &crate::support::browser::World, token: &str, subject: &str) -> TokenKey {
    let key = TokenCache::key(token);
    let identity = Identity {
        issuer: w.provider.issuer.clone(),
        subject: subject.into(),
        roles: vec![Role::Ppo],
        org: "met-ppu".into(),
        auth_time: None,
    };
    let exp = (vigil::clock::now() + chrono::Duration::minutes(5)).timestamp();
    w.app.validator.cache.insert(key, identity, "k1", exp);
    key
}

fn remembered(w: &crate::support::browser::World, key: &TokenKey) -> bool {
    w.app.validator.cache.get(key, vigil::clock::now()).is_some()
}

async fn registrants(browser: &mut Browser, base: &str) -> StatusCode {
    browser.get(&format!("{base}/api/v1/breaches")).await.status
}

#[tokio::test]
async fn a_logout_at_the_provider_ends_the_session_here_through_the_back_channel() {
    let w = world().await;
    let base = w.app.base.clone();
    let mut browser = Browser::new();
    browser.log_in(&base, "ppo").await;
    assert_eq!(me(&mut browser, &base).await.0, StatusCode::OK);
    let theirs = verified_at_provider(&w, "their-api-token", "ppo");
    let someone_elses = verified_at_provider(&w, "another-officers-api-token", "intake");

    // The person ends their single sign-on session at the provider, not here.
    let confirmed = browser.log_out_at_provider(&w.provider.issuer).await;
    assert!(confirmed.status.is_redirection() || confirmed.status.is_success(), "{}", confirmed.status);
    assert_eq!(me(&mut browser, &base).await.0, StatusCode::UNAUTHORIZED, "the provider's logout token ended our session");
    assert_eq!(last_end_reason(&w.app).await.as_deref(), Some("provider_logout"));
    assert!(!remembered(&w, &theirs), "their verified bearer tokens are forgotten: checked afresh from now on");
    assert!(remembered(&w, &someone_elses), "other people's stay");
}

#[tokio::test]
async fn forged_and_replayed_logout_tokens_end_nothing() {
    let w = world().await;
    let base = w.app.base.clone();
    let mut browser = Browser::new();
    browser.log_in(&base, "ppo").await;
    let url = format!("{base}/auth/backchannel-logout");
    let client = reqwest::Client::new();
    // Not a JWT; unsigned (alg none); signed by a key the provider never published; no form.
    let none =
        "eyJhbGciOiJub25lIn0.eyJzdWIiOiJwcG8iLCJldmVudHMiOnsiaHR0cDovL3NjaGVtYXMub3BlbmlkLm5ldC9ldmVudC9iYWNrY2hhbm5lbC1sb2dvdXQiOnt9fX0.";
    let stranger = vigil::auth::dev::DevIssuer::generate().mint("ppo", &[Role::Ppo], "met-ppu", vigil::clock::now(), 60).unwrap();
    for token in ["garbage", none, stranger.as_str()] {
        let response = client.post(&url).form(&[("logout_token", token)]).send().await.unwrap();
        assert_eq!(response.status(), StatusCode::BAD_REQUEST, "{token}");
        let body: Value = response.json().await.unwrap();
        assert_eq!(body["field"], "logout_token");
    }
    let response = client.post(&url).body("nothing=here").header("content-type", "application/x-www-form-urlencoded").send().await.unwrap();
    assert_eq!(response.status(), StatusCode::BAD_REQUEST);
    assert_eq!(me(&mut browser, &base).await.0, StatusCode::OK, "no forged token ended the session");

    // A token's jti is accepted once: the same token again ends nothing.
    let claims = LogoutClaims {
        subject: Some("ppo".into()),
        sid: Some("not-this-session".into()),
        jti: "jti-1".into(),
        remember_until: vigil::clock::now() + chrono::Duration::minutes(10),
    };
    let now = vigil::clock::now();
    assert_eq!(sessions::provider_logout(&w.app.db, &w.provider.issuer, &claims, now).await.unwrap(), Some(0), "another provider session");
    assert_eq!(sessions::provider_logout(&w.app.db, &w.provider.issuer, &claims, now).await.unwrap(), None, "replayed");
    assert_eq!(me(&mut browser, &base).await.0, StatusCode::OK);
}

#[tokio::test]
async fn a_disabled_account_loses_its_session_at_the_next_revalidation() {
    let w = world().await;
    let base = w.app.base.clone();
    let mut browser = Browser::new();
    browser.log_in(&base, "ppo").await;
    assert_eq!(me(&mut browser, &base).await.0, StatusCode::OK);
    w.provider.control("accounts/ppo/disable").await;
    // Within the interval the session stands (the bound is oidc.session_revalidate_seconds)...
    assert_eq!(me(&mut browser, &base).await.0, StatusCode::OK);
    // ...and the first request after it asks the provider, which refuses.
    let theirs = verified_at_provider(&w, "their-api-token", "ppo");
    revalidation_due(&w.app).await;
    assert_eq!(me(&mut browser, &base).await.0, StatusCode::UNAUTHORIZED);
    assert_eq!(last_end_reason(&w.app).await.as_deref(), Some("revalidation_refused"));
    assert!(!remembered(&w, &theirs), "the refusal forgets their verified bearer tokens");
    assert_eq!(me(&mut browser, &base).await.0, StatusCode::UNAUTHORIZED, "ended for good");
}

#[tokio::test]
async fn a_removed_role_stops_working_at_the_next_revalidation_and_rotated_refresh_tokens_keep_working() {
    let w = world().await;
    let base = w.app.base.clone();
    let mut browser = Browser::new();
    browser.log_in(&base, "ppo").await;
    assert_eq!(registrants(&mut browser, &base).await, StatusCode::OK);

    // Revalidation with the role unchanged keeps the session (and the refresh token rotates).
    revalidation_due(&w.app).await;
    assert_eq!(registrants(&mut browser, &base).await, StatusCode::OK);

    let theirs = verified_at_provider(&w, "their-api-token", "ppo");
    revalidation_due(&w.app).await;
    assert_eq!(registrants(&mut browser, &base).await, StatusCode::OK);
    assert!(remembered(&w, &theirs), "a revalidation that changes nothing keeps their verified tokens");

    w.provider.control("accounts/ppo/role/intake").await;
    revalidation_due(&w.app).await;
    assert_eq!(registrants(&mut browser, &base).await, StatusCode::FORBIDDEN, "the public protection role is gone");
    assert!(!remembered(&w, &theirs), "a changed role forgets their verified bearer tokens");
    let (status, who) = me(&mut browser, &base).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(who["roles"], json!(["intake"]));
}

#[tokio::test]
async fn administrators_list_and_end_one_or_all_of_a_persons_sessions() {
    let w = world().await;
    let base = w.app.base.clone();
    let (mut first, mut second) = (Browser::new(), Browser::new());
    first.log_in(&base, "ppo").await;
    second.log_in(&base, "ppo").await;
    let admin = w.app.token(Role::Admin, "met-ppu");
    let ppo = w.app.token(Role::Ppo, "met-ppu");

    assert_eq!(w.app.get("/api/v1/sessions", &ppo).await.0, 403, "only administrators");
    let (status, listed) = w.app.get("/api/v1/sessions?subject=ppo", &admin).await;
    assert_eq!(status, 200, "{listed}");
    let listed = listed.as_array().expect("list").clone();
    assert_eq!(listed.len(), 2);
    assert!(listed.iter().all(|s| s.get("token_hash").is_none() && s["subject"] == "ppo"));

    // Bad requests name the field and end nothing.
    for (body, field) in
        [(json!({}), "subject"), (json!({"subject": "ppo", "everyone": true}), "everyone"), (json!({"subject": ""}), "subject")]
    {
        let (status, problem) = w.app.post("/api/v1/sessions/revocations", &admin, &body).await;
        assert_eq!(status, 422, "{body}");
        assert!(problem.to_string().contains(field), "{problem}");
    }
    assert_eq!(me(&mut first, &base).await.0, StatusCode::OK);
    assert_eq!(me(&mut second, &base).await.0, StatusCode::OK);

    // End one: the other goes on.
    let one = listed[0]["id"].as_str().unwrap();
    let response = w.app.request(Method::DELETE, &format!("/api/v1/sessions/{one}"), Some(&admin), None).await;
    assert_eq!(response.status(), StatusCode::NO_CONTENT);
    let response = w.app.request(Method::DELETE, &format!("/api/v1/sessions/{one}"), Some(&admin), None).await;
    assert_eq!(response.status(), StatusCode::NOT_FOUND, "already ended");
    let alive = [me(&mut first, &base).await.0, me(&mut second, &base).await.0];
    assert_eq!(alive.iter().filter(|s| **s == StatusCode::OK).count(), 1);

    // End all of the person's sessions; their bearer tokens are then checked afresh.
    let bearer = w.app.token_for("ppo", Role::Ppo, "met-ppu");
    assert_eq!(w.app.get("/api/v1/me", &bearer).await.0, 200);
    let cached = |app: &crate::support::TestApp| {
        app.validator.cache.get(&vigil::auth::token_cache::TokenCache::key(&bearer), vigil::clock::now()).is_some()
    };
    assert!(cached(&w.app), "a verified bearer token is remembered");
    let (status, result) = w.app.post("/api/v1/sessions/revocations", &admin, &json!({"subject": "ppo"})).await;
    assert_eq!(status, 200, "{result}");
    assert!(!cached(&w.app), "revoking a person's sessions forgets their verified tokens");
    assert!(
        w.app.validator.cache.get(&vigil::auth::token_cache::TokenCache::key(&admin), vigil::clock::now()).is_some(),
        "other people's stay"
    );
    assert_eq!(result["sessions_ended"], 1);
    assert_eq!(me(&mut first, &base).await.0, StatusCode::UNAUTHORIZED);
    assert_eq!(me(&mut second, &base).await.0, StatusCode::UNAUTHORIZED);
    assert_eq!(last_end_reason(&w.app).await.as_deref(), Some("revoked"));
    let (_, trail) = w.app.get("/api/v1/audit/events?limit=500", &w.app.token(Role::Auditor, "met-ppu")).await;
    let revocations = trail["items"].as_array().unwrap().iter().filter(|e| e["operation"] == "session.revoke").count();
    assert_eq!(revocations, 2, "each revocation is audited");
}

#[tokio::test]
async fn a_login_without_the_required_second_factor_gets_no_session() {
    let mfa = Assurance { acr_any: vec!["urn:vigil:test:mfa".into()], amr_any: vec!["otp".into()] };
    let w = world_with(|s| s.assurance = mfa).await;
    let base = w.app.base.clone();
    let mut browser = Browser::new();
    let start = browser.get(&format!("{base}/auth/login")).await;
    let authorize = reqwest::Url::parse(start.location.as_deref().expect("redirect")).unwrap();
    assert!(authorize.query_pairs().any(|(k, v)| k == "acr_values" && v == "urn:vigil:test:mfa"), "the provider is asked for MFA");
    assert!(authorize.query_pairs().any(|(k, v)| k == "claims" && v.contains("amr")), "and to say which methods were used");

    let refused = browser.log_in(&base, "ppo").await;
    assert_eq!(refused.status, StatusCode::FORBIDDEN, "{}", refused.body);
    assert!(refused.body.contains("insufficient_authentication_strength"));
    assert_eq!(browser.cookie(&base, SESSION), None);
    assert_eq!(w.app.count("web_sessions").await, 0);

    w.provider.control("accounts/ppo/mfa").await;
    let mut browser = Browser::new();
    let hop = browser.log_in(&base, "ppo").await;
    assert!(hop.status.is_redirection(), "{} {}", hop.status, hop.body);
    assert_eq!(me(&mut browser, &base).await.0, StatusCode::OK);
}

#[tokio::test]
async fn a_step_up_login_makes_the_provider_authenticate_again() {
    let w = world().await;
    let base = w.app.base.clone();
    let mut browser = Browser::new();
    browser.log_in(&base, "supervisor").await;
    let hour_ago = match w.app.db.get_database_backend() {
        sea_orm::DbBackend::Postgres => "UPDATE web_sessions SET auth_time = now() - interval '1 hour'",
        _ => "UPDATE web_sessions SET auth_time = strftime('%Y-%m-%dT%H:%M:%fZ', 'now', '-1 hour')",
    };
    sql(&w.app, hour_ago).await;

    let start = browser.get(&format!("{base}/auth/login?step_up=true&return_to=/api/v1/me")).await;
    let authorize = reqwest::Url::parse(start.location.as_deref().expect("redirect")).unwrap();
    let params: std::collections::HashMap<_, _> = authorize.query_pairs().into_owned().collect();
    assert_eq!(params.get("prompt").map(String::as_str), Some("login"));
    assert_eq!(params.get("max_age").map(String::as_str), Some("0"));
    // The provider still has a session, yet shows its login page again.
    browser.log_in_from(&base, "/auth/login?step_up=true&return_to=/api/v1/me", "supervisor").await;
    let session: Value = serde_json::from_str(&browser.get(&format!("{base}/auth/session")).await.body).unwrap();
    let auth_time = chrono::DateTime::parse_from_rfc3339(session["auth_time"].as_str().unwrap()).unwrap();
    assert!(vigil::clock::now() - auth_time.with_timezone(&chrono::Utc) < chrono::Duration::minutes(2), "a fresh authentication");
}
