//! Browser login against the real OpenID Provider issuing claims shaped like Keycloak's and
//! Microsoft Entra ID's (tests/oidc-provider, `OP_CLAIM_SHAPE`), configured as
//! docs/identity-providers.md says: nested roles read through a JSON Pointer, provider role
//! values mapped to Vigil's, and values nobody mapped granting nothing, at login and at
//! revalidation. Keycloak and Entra themselves are not run here.

use reqwest::StatusCode;
use serde_json::json;
use vigil::auth::claims::RoleMap;

use crate::support::browser::{last_end_reason, me, revalidation_due, world_shaped};
use crate::support::oidc::{Browser, CLIENT_ID};

/// A role map as the configuration writes it: Vigil role to provider values.
pub fn role_map(pairs: &[(&str, &[&str])]) -> RoleMap {
    let by_role = pairs.iter().map(|(role, values)| ((*role).to_owned(), values.iter().map(|v| (*v).to_owned()).collect())).collect();
    RoleMap::from_config(&by_role).expect("a valid role map")
}

/// The realm roles `vigil-<role>` of the Keycloak recipe.
fn keycloak_realm_map() -> RoleMap {
    role_map(&[
        ("ppo", &["vigil-ppo"]),
        ("probation", &["vigil-probation"]),
        ("intake", &["vigil-intake"]),
        ("supervisor", &["vigil-supervisor"]),
        ("auditor", &["vigil-auditor"]),
        ("admin", &["vigil-admin"]),
    ])
}

/// The app role values of the Entra recipe.
fn entra_map() -> RoleMap {
    role_map(&[
        ("ppo", &["Vigil.PPO"]),
        ("probation", &["Vigil.Probation"]),
        ("intake", &["Vigil.Intake"]),
        ("supervisor", &["Vigil.Supervisor"]),
        ("auditor", &["Vigil.Auditor"]),
        ("admin", &["Vigil.Admin"]),
    ])
}

/// A login that must fail: the callback refuses and no session is made.
async fn refused(w: &crate::support::browser::World, account: &str) {
    let mut browser = Browser::new();
    let callback = browser.log_in(&w.app.base, account).await;
    assert_eq!(callback.status, StatusCode::UNAUTHORIZED, "{account}: {}", callback.body);
    assert!(callback.body.contains("login_failed"), "{}", callback.body);
    assert_eq!(me(&mut browser, &w.app.base).await.0, StatusCode::UNAUTHORIZED);
}

#[tokio::test]
async fn keycloak_client_roles_are_read_strictly_through_a_pointer() {
    let w = world_shaped("keycloak", |s| s.roles_claim = format!("/resource_access/{CLIENT_ID}/roles")).await;
    let base = w.app.base.clone();
    let mut browser = Browser::new();
    assert_eq!(browser.log_in(&base, "supervisor").await.status, StatusCode::SEE_OTHER);
    let (status, who) = me(&mut browser, &base).await;
    assert_eq!(status, StatusCode::OK, "{who}");
    assert_eq!(who["roles"], json!(["supervisor"]), "the client's roles only, not the realm's `admin`");
    assert_eq!(who["organisation"], "met-ppu");

    // Strict reading: a client role Vigil does not know refuses the login outright.
    w.provider.control("accounts/ppo/role/viewer").await;
    refused(&w, "ppo").await;
    assert_eq!(w.app.count("web_sessions").await, 1, "only the supervisor's");
}

#[tokio::test]
async fn keycloak_realm_roles_are_refused_when_read_strictly() {
    // `offline_access`, `uma_authorization` and `default-roles-…` are not Vigil's roles.
    let w = world_shaped("keycloak", |s| s.roles_claim = "/realm_access/roles".into()).await;
    refused(&w, "ppo").await;
    assert_eq!(w.app.count("web_sessions").await, 0);
}

#[tokio::test]
async fn keycloak_realm_roles_grant_only_what_the_map_lists() {
    let w = world_shaped("keycloak", |s| {
        s.roles_claim = "/realm_access/roles".into();
        s.role_map = keycloak_realm_map();
    })
    .await;
    let base = w.app.base.clone();
    let mut browser = Browser::new();
    assert_eq!(browser.log_in(&base, "ppo").await.status, StatusCode::SEE_OTHER);
    let (status, who) = me(&mut browser, &base).await;
    assert_eq!(status, StatusCode::OK, "{who}");
    // The realm also says `admin` (a role of its own): unmapped, it grants nothing.
    assert_eq!(who["roles"], json!(["ppo"]));
    assert_eq!(who["organisation"], "met-ppu");

    // An account whose only realm roles are unmapped gets no session.
    w.provider.control("accounts/probation/role/viewer").await;
    refused(&w, "probation").await;

    // A live session whose mapped role is taken away at the provider ends at revalidation.
    w.provider.control("accounts/ppo/role/viewer").await;
    revalidation_due(&w.app).await;
    assert_eq!(me(&mut browser, &base).await.0, StatusCode::UNAUTHORIZED);
    assert_eq!(last_end_reason(&w.app).await.as_deref(), Some("revalidation_refused"));
}

#[tokio::test]
async fn entra_app_roles_are_mapped_and_the_organisation_comes_from_an_extension_claim() {
    let w = world_shaped("entra", |s| {
        s.roles_claim = "roles".into();
        s.org_claim = "extn.orgCode".into();
        s.role_map = entra_map();
        s.scopes = vec!["profile".into(), "offline_access".into()];
    })
    .await;
    let base = w.app.base.clone();
    let mut browser = Browser::new();
    // The configured scopes are asked for, and no `vigil` scope Entra would not know.
    let hop = browser.get(&format!("{base}/auth/login")).await;
    let authorize = reqwest::Url::parse(&hop.location.expect("to the provider")).expect("url");
    let scope = authorize.query_pairs().find(|(k, _)| k == "scope").map(|(_, v)| v.into_owned());
    assert_eq!(scope.as_deref(), Some("openid profile offline_access"));

    let mut browser = Browser::new();
    assert_eq!(browser.log_in(&base, "ppo-b").await.status, StatusCode::SEE_OTHER);
    let (status, who) = me(&mut browser, &base).await;
    assert_eq!(status, StatusCode::OK, "{who}");
    // `Vigil.Reports.Read` is an app role of the registration that the map leaves out.
    assert_eq!(who["roles"], json!(["ppo"]));
    assert_eq!(who["organisation"], "gmp-ppu", "from extn.orgCode, not the tenant id");

    // Revalidation reads the refreshed ID token the same way: a changed app role follows.
    w.provider.control("accounts/ppo-b/role/auditor").await;
    revalidation_due(&w.app).await;
    let (status, who) = me(&mut browser, &base).await;
    assert_eq!(status, StatusCode::OK, "{who}");
    assert_eq!(who["roles"], json!(["auditor"]));

    // An app role value nobody mapped (or one cased differently) grants nothing.
    w.provider.control("accounts/intake/role/reader").await;
    refused(&w, "intake").await;
}

#[tokio::test]
async fn entra_tokens_without_the_organisation_claim_get_no_session() {
    // Configured for a claim the provider does not send (the optional claim was not added).
    let w = world_shaped("entra", |s| {
        s.roles_claim = "roles".into();
        s.org_claim = "extn.force".into();
        s.role_map = entra_map();
        s.scopes = vec!["offline_access".into()];
    })
    .await;
    refused(&w, "ppo").await;
    assert_eq!(w.app.count("web_sessions").await, 0);
}
