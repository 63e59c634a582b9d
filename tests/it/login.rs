//! Browser login end to end against a real OpenID Provider (node `oidc-provider`, started by the
//! harness): authorization code with PKCE, the session cookie, CSRF, limits, logout and key
//! rotation at the provider. Runs on SQLite and PostgreSQL like every other test.

use reqwest::StatusCode;
use sea_orm::{ConnectionTrait, Statement};
use serde_json::Value;

use crate::support::browser::{SESSION, csrf, last_end_reason, me, sql, world};
use crate::support::oidc::Browser;
use crate::support::registrant_body;

#[tokio::test]
async fn a_browser_logs_in_with_pkce_and_reaches_the_api_as_that_user() {
    let w = world().await;
    let base = w.app.base.clone();
    let mut browser = Browser::new();

    let callback = browser.log_in(&base, "ppo").await;
    assert_eq!(callback.status, StatusCode::SEE_OTHER, "{}", callback.body);
    assert_eq!(callback.location.as_deref(), Some(format!("{base}/api/v1/me").as_str()), "back where the login started");
    let cookie = callback.set_cookies.iter().find(|c| c.starts_with(&format!("{SESSION}="))).expect("a session cookie");
    for attribute in ["HttpOnly", "SameSite=Lax", "Secure", "Path=/"] {
        assert!(cookie.contains(attribute), "session cookie lacks {attribute}: only the name matters here");
    }
    assert!(!cookie.to_ascii_lowercase().contains("domain="), "a __Host- cookie has no Domain");

    let (status, who) = me(&mut browser, &base).await;
    assert_eq!(status, StatusCode::OK, "{who}");
    assert_eq!(who["subject"], "ppo");
    assert_eq!(who["organisation"], "met-ppu");
    assert_eq!(who["roles"], serde_json::json!(["ppo"]));
    assert_eq!(who["issuer"], w.provider.issuer.as_str());

    // A state change with the cookie needs the session's CSRF token.
    let url = format!("{base}/api/v1/registrants");
    let request = browser.client.post(&url).json(&registrant_body("Csrfless"));
    let refused = browser.send(request, &url).await;
    assert_eq!(refused.status, StatusCode::FORBIDDEN, "{}", refused.body);
    assert!(refused.body.contains("csrf_token_invalid"));
    let request = browser.client.post(&url).header("x-csrf-token", "not-the-token").json(&registrant_body("Csrfless"));
    assert_eq!(browser.send(request, &url).await.status, StatusCode::FORBIDDEN);
    assert_eq!(w.app.count("registrants").await, 0, "nothing written without the CSRF token");
    let token = csrf(&mut browser, &base).await;
    // Even with the token: a request the browser marks cross-site, or from another origin.
    let request =
        browser.client.post(&url).header("x-csrf-token", &token).header("sec-fetch-site", "cross-site").json(&registrant_body("X"));
    assert_eq!(browser.send(request, &url).await.status, StatusCode::FORBIDDEN);
    let request =
        browser.client.post(&url).header("x-csrf-token", &token).header("origin", "https://evil.example").json(&registrant_body("X"));
    assert_eq!(browser.send(request, &url).await.status, StatusCode::FORBIDDEN);
    assert_eq!(w.app.count("registrants").await, 0);
    let request =
        browser.client.post(&url).header("x-csrf-token", &token).header("origin", base.as_str()).json(&registrant_body("Browser"));
    let created = browser.send(request, &url).await;
    assert_eq!(created.status, StatusCode::CREATED, "{}", created.body);

    // The database holds a hash of the cookie, never the cookie.
    let value = browser.cookie(&base, SESSION).expect("cookie kept");
    let backend = w.app.db.get_database_backend();
    let row = w.app.db.query_one_raw(Statement::from_string(backend, "SELECT token_hash FROM web_sessions".to_owned())).await;
    let stored: String = row.expect("query").expect("row").try_get_by_index(0).expect("hash");
    assert_ne!(stored, value);
    assert_eq!(stored.len(), 64);
}

#[tokio::test]
async fn logout_ends_the_session_here_and_points_to_the_provider() {
    let w = world().await;
    let base = w.app.base.clone();
    let mut browser = Browser::new();
    browser.log_in(&base, "probation").await;
    let old_cookie = browser.cookie(&base, SESSION).expect("session");
    let token = csrf(&mut browser, &base).await;

    let url = format!("{base}/auth/logout");
    let without = browser.client.post(&url);
    assert_eq!(browser.send(without, &url).await.status, StatusCode::FORBIDDEN, "logout needs the CSRF token too");
    let request = browser.client.post(&url).header("x-csrf-token", &token);
    let hop = browser.send(request, &url).await;
    assert_eq!(hop.status, StatusCode::OK, "{}", hop.body);
    let body: Value = serde_json::from_str(&hop.body).expect("json");
    let end = reqwest::Url::parse(body["end_session_url"].as_str().expect("end-session url")).expect("url");
    assert!(end.as_str().starts_with(&w.provider.issuer));
    let params: std::collections::HashMap<_, _> = end.query_pairs().into_owned().collect();
    assert!(params.contains_key("id_token_hint"));
    assert_eq!(params.get("post_logout_redirect_uri").map(String::as_str), Some(format!("{base}/").as_str()));
    assert!(hop.set_cookies.iter().any(|c| c.starts_with(&format!("{SESSION}=")) && c.contains("Max-Age=0")), "cookie cleared");
    assert!(hop.clear_site_data.as_deref().is_some_and(|v| v.contains("cookies")), "Clear-Site-Data on logout");

    // The provider accepts the logout request (its confirmation page answers).
    let provider_page = browser.get(end.as_str()).await;
    assert_eq!(provider_page.status, StatusCode::OK, "{}", provider_page.body);

    // The old cookie is dead even if the browser kept it.
    browser.set_cookie(&base, SESSION, &old_cookie);
    assert_eq!(me(&mut browser, &base).await.0, StatusCode::UNAUTHORIZED);
}

#[tokio::test]
async fn the_web_sign_out_ends_the_session_at_the_provider_too() {
    let w = world().await;
    let (base, issuer) = (w.app.base.clone(), w.provider.issuer.clone());
    let mut browser = Browser::new();
    browser.log_in_from(&base, "/", "ppo").await;
    let home = browser.get(&format!("{base}/")).await;
    assert_eq!(home.status, StatusCode::OK, "{}", home.body);
    // The pages' forms post here only, but the sign-out's redirect may go on to the provider.
    let page = reqwest::get(format!("{base}/accessibility")).await.expect("page");
    let csp = page.headers()["content-security-policy"].to_str().expect("ascii").to_owned();
    assert!(csp.contains(&format!("form-action 'self' {issuer};")), "{csp}");

    let csrf = home.body.split("name=\"csrf\" value=\"").nth(1).and_then(|rest| rest.split('"').next()).expect("csrf field");
    let url = format!("{base}/sign-out");
    let request = browser.client.post(&url).header("sec-fetch-site", "same-origin").form(&[("csrf", csrf)]);
    let hop = browser.send(request, &url).await;
    assert_eq!(hop.status, StatusCode::SEE_OTHER, "{}", hop.body);
    let end = hop.location.expect("on to the provider");
    assert!(end.starts_with(&format!("{issuer}/session/end?")) && end.contains("id_token_hint="), "{end}");
    assert_eq!(last_end_reason(&w.app).await.as_deref(), Some("logout"), "ended here first");

    // The person confirms at the provider and comes back to the service.
    let confirm = browser.get(&end).await;
    assert_eq!(confirm.status, StatusCode::OK, "{}", confirm.body);
    let xsrf = confirm.body.split("name=\"xsrf\" value=\"").nth(1).and_then(|rest| rest.split('"').next()).expect("xsrf field");
    let back = browser.post_form(&format!("{issuer}/session/end/confirm"), &[("xsrf", xsrf), ("logout", "yes")]).await;
    assert_eq!(back.location.as_deref(), Some(format!("{base}/").as_str()));

    // Signing in again asks for the password: no single sign-on back in as the same person.
    let mut hop = browser.get(&format!("{base}/caseload")).await;
    for _ in 0..4 {
        let Some(next) = hop.location.clone() else { break };
        hop = browser.get(&next).await;
    }
    assert_eq!(hop.status, StatusCode::OK, "{}", hop.body);
    assert!(hop.body.contains("name=\"login\"") && hop.body.contains("name=\"password\""), "the provider's login form: {}", hop.body);
}

#[tokio::test]
async fn state_is_single_use_and_bound_to_the_browser_that_started_the_login() {
    let w = world().await;
    let base = w.app.base.clone();
    let mut browser = Browser::new();
    let callback = browser.log_in(&base, "intake").await;
    assert_eq!(callback.status, StatusCode::SEE_OTHER);
    // Replaying the same callback URL (same code and state) fails: the state is gone.
    let hop = browser.get(&format!("{base}/auth/login")).await;
    let authorize = hop.location.expect("redirect to the provider");
    let state = reqwest::Url::parse(&authorize).expect("url").query_pairs().find(|(k, _)| k == "state").map(|(_, v)| v.into_owned());
    let state = state.expect("state");
    let params: std::collections::HashMap<_, _> = reqwest::Url::parse(&authorize).expect("url").query_pairs().into_owned().collect();
    assert_eq!(params.get("code_challenge_method").map(String::as_str), Some("S256"), "PKCE with S256");
    assert!(params.get("nonce").is_some_and(|n| n.len() >= 16));

    // Another browser (no binding cookie) presenting this state is refused, and that uses it up.
    let mut other = Browser::new();
    let forged = other.get(&format!("{base}/auth/callback?code=whatever&state={state}")).await;
    assert_eq!(forged.status, StatusCode::UNAUTHORIZED, "{}", forged.body);
    let again = browser.get(&format!("{base}/auth/callback?code=whatever&state={state}")).await;
    assert_eq!(again.status, StatusCode::UNAUTHORIZED, "a state works once at most");
    // An unknown state and a missing one.
    assert_eq!(browser.get(&format!("{base}/auth/callback?code=x&state=unknown")).await.status, StatusCode::UNAUTHORIZED);
    let missing = browser.get(&format!("{base}/auth/callback?code=x")).await;
    assert_eq!(missing.status, StatusCode::UNAUTHORIZED);
    assert!(missing.body.contains("\"field\":\"state\""), "{}", missing.body);
}

#[tokio::test]
async fn an_account_the_provider_refuses_gets_no_session() {
    let w = world().await;
    let base = w.app.base.clone();
    let mut browser = Browser::new();
    let callback = browser.log_in(&base, "nobody-registered").await;
    assert_eq!(callback.status, StatusCode::UNAUTHORIZED, "{}", callback.body);
    assert!(callback.body.contains("login_failed"));
    assert_eq!(w.app.count("web_sessions").await, 0);
    assert_eq!(me(&mut browser, &base).await.0, StatusCode::UNAUTHORIZED);
}

#[tokio::test]
async fn a_forged_code_is_refused_and_no_session_is_made() {
    let w = world().await;
    let base = w.app.base.clone();
    let mut browser = Browser::new();
    let hop = browser.get(&format!("{base}/auth/login")).await;
    let authorize = reqwest::Url::parse(&hop.location.expect("redirect")).expect("url");
    let state = authorize.query_pairs().find(|(k, _)| k == "state").map(|(_, v)| v.into_owned()).expect("state");
    let callback = browser.get(&format!("{base}/auth/callback?code=forged-code&state={state}")).await;
    assert_eq!(callback.status, StatusCode::UNAUTHORIZED, "{}", callback.body);
    assert!(callback.body.contains("login_failed"));
    assert!(!callback.body.contains("forged-code"), "nothing the caller sent is echoed");
    assert_eq!(w.app.count("web_sessions").await, 0);
}

#[tokio::test]
async fn sessions_end_when_idle_or_at_the_absolute_limit_and_a_login_renews_the_token() {
    let w = world().await;
    let base = w.app.base.clone();
    let mut browser = Browser::new();
    browser.log_in(&base, "supervisor").await;
    let first = browser.cookie(&base, SESSION).expect("session");
    // Logging in again in the same browser gets a new token and ends the old session.
    browser.log_in(&base, "supervisor").await;
    let second = browser.cookie(&base, SESSION).expect("session");
    assert_ne!(first, second, "a login always issues a fresh session token");
    let mut stale = Browser::new();
    stale.set_cookie(&base, SESSION, &first);
    assert_eq!(me(&mut stale, &base).await.0, StatusCode::UNAUTHORIZED);
    assert_eq!(me(&mut browser, &base).await.0, StatusCode::OK);

    // Idle: no request for longer than the idle limit.
    let idle_past = match w.app.db.get_database_backend() {
        sea_orm::DbBackend::Postgres => "UPDATE web_sessions SET last_seen_at = now() - interval '31 minutes' WHERE ended_at IS NULL",
        _ => "UPDATE web_sessions SET last_seen_at = strftime('%Y-%m-%dT%H:%M:%fZ', 'now', '-31 minutes') WHERE ended_at IS NULL",
    };
    sql(&w.app, idle_past).await;
    assert_eq!(me(&mut browser, &base).await.0, StatusCode::UNAUTHORIZED, "idle too long");

    // Absolute: even an active session ends at its limit.
    browser.log_in(&base, "supervisor").await;
    assert_eq!(me(&mut browser, &base).await.0, StatusCode::OK);
    let past = match w.app.db.get_database_backend() {
        sea_orm::DbBackend::Postgres => "UPDATE web_sessions SET expires_at = now() - interval '1 second' WHERE ended_at IS NULL",
        _ => "UPDATE web_sessions SET expires_at = strftime('%Y-%m-%dT%H:%M:%fZ', 'now', '-1 second') WHERE ended_at IS NULL",
    };
    sql(&w.app, past).await;
    assert_eq!(me(&mut browser, &base).await.0, StatusCode::UNAUTHORIZED, "past the absolute limit");
}

#[tokio::test]
async fn logins_keep_working_after_the_provider_rotates_its_keys() {
    let w = world().await;
    let base = w.app.base.clone();
    let mut browser = Browser::new();
    assert_eq!(browser.log_in(&base, "auditor").await.status, StatusCode::SEE_OTHER);
    w.provider.rotate_keys().await;
    let mut next = Browser::new();
    let hop = next.log_in(&base, "admin").await;
    assert_eq!(hop.status, StatusCode::SEE_OTHER, "the new key is fetched without a restart: {}", hop.body);
    let (status, who) = me(&mut next, &base).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(who["roles"], serde_json::json!(["admin"]));
}

#[tokio::test]
async fn another_organisations_officer_logs_in_with_their_own_scope() {
    let w = world().await;
    let base = w.app.base.clone();
    let mut browser = Browser::new();
    browser.log_in(&base, "ppo-b").await;
    let (status, who) = me(&mut browser, &base).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(who["organisation"], "gmp-ppu");
    // A bearer token still works beside sessions, and a bad one is not rescued by a cookie.
    let url = format!("{base}/api/v1/me");
    let request = browser.client.get(&url).bearer_auth("not-a-token");
    assert_eq!(browser.send(request, &url).await.status, StatusCode::UNAUTHORIZED);
}

/// No open redirect: a `return_to` that a browser would follow off the site (after stripping
/// TAB, CR and LF, or reading `\` as `/`) comes back to `/`, and a control character never
/// makes the login fail.
#[tokio::test]
async fn a_hostile_return_path_comes_back_to_the_home_page() {
    let w = world().await;
    let base = w.app.base.clone();
    for hostile in
        ["%2F%09%2Fevil.example", "%2F%5Cevil.example", "%2F%2Fevil.example", "https%3A%2F%2Fevil.example", "%2F%0D%0A%2Fevil.example"]
    {
        let mut browser = Browser::new();
        let callback = browser.log_in_from(&base, &format!("/auth/login?return_to={hostile}"), "ppo").await;
        assert_eq!(callback.status, StatusCode::SEE_OTHER, "{hostile}: {}", callback.body);
        assert_eq!(callback.location.as_deref(), Some(format!("{base}/").as_str()), "{hostile}");
    }
}
