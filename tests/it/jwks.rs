//! The bearer validator against a real HTTP JWKS endpoint: keys rotated at the issuer are
//! picked up without a restart, and unknown key ids cannot make it refetch more than once per
//! cooldown.

use std::sync::{Arc, RwLock};
use std::time::Duration;

use axum::Router;
use axum::routing::get;
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use ed25519_dalek::SigningKey;
use ed25519_dalek::pkcs8::EncodePrivateKey;
use jsonwebtoken::{Algorithm, EncodingKey, Header};
use serde_json::{Value, json};
use vigil::auth::jwks::KeySource;
use vigil::auth::token::{TokenError, TokenValidator};

const ISSUER: &str = "https://idp.test.invalid/realm";

struct TestKey {
    kid: String,
    key: SigningKey,
}

impl TestKey {
    fn new(kid: &str) -> Self {
        Self { kid: kid.into(), key: SigningKey::generate(&mut rand::rngs::OsRng) }
    }

    fn jwk(&self) -> Value {
        json!({ "kty": "OKP", "crv": "Ed25519", "alg": "EdDSA", "kid": self.kid, "x": URL_SAFE_NO_PAD.encode(self.key.verifying_key().as_bytes()) })
    }

    fn mint(&self, kid: &str) -> String {
        let mut header = Header::new(Algorithm::EdDSA);
        header.typ = Some("at+jwt".into());
        header.kid = Some(kid.into());
        let now = vigil::clock::now().timestamp();
        let claims = json!({ "iss": ISSUER, "aud": "vigil-api", "sub": "u1", "iat": now, "exp": now + 300, "vigil_roles": ["ppo"], "vigil_org": "met" });
        let der = self.key.to_pkcs8_der().unwrap();
        jsonwebtoken::encode(&header, &claims, &EncodingKey::from_ed_der(der.as_bytes())).unwrap()
    }
}

async fn jwks_server(keys: Arc<RwLock<Vec<Value>>>) -> String {
    let app = Router::new().route(
        "/jwks",
        get(move || {
            let keys = keys.clone();
            async move { axum::Json(json!({ "keys": *keys.read().unwrap() })) }
        }),
    );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}/jwks", listener.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    url
}

fn validator(url: String, cooldown: Duration) -> TokenValidator {
    TokenValidator {
        issuer: ISSUER.into(),
        audience: "vigil-api".into(),
        keys: KeySource::remote(ISSUER, Some(url), cooldown).unwrap(),
        roles_claim: "vigil_roles".into(),
        org_claim: "vigil_org".into(),
        role_map: Default::default(),
        skew_seconds: 30,
        require_at_jwt_type: true,
        allowed_clients: Vec::new(),
        max_lifetime_seconds: 3600,
        assurance: Default::default(),
        cache: Default::default(),
    }
}

#[tokio::test]
async fn rotated_keys_are_accepted_without_restart() {
    let old = TestKey::new("k1");
    let published = Arc::new(RwLock::new(vec![old.jwk()]));
    let v = validator(jwks_server(published.clone()).await, Duration::from_millis(200));
    let now = vigil::clock::now();
    assert_eq!(v.validate(&old.mint("k1"), now).await.unwrap().subject, "u1");
    assert_eq!(v.keys.fetch_count().await, 1);

    let new = TestKey::new("k2");
    *published.write().unwrap() = vec![new.jwk()];
    tokio::time::sleep(Duration::from_millis(250)).await;
    assert_eq!(v.validate(&new.mint("k2"), now).await.unwrap().subject, "u1");
    assert_eq!(v.keys.fetch_count().await, 2);
}

#[tokio::test]
async fn unknown_key_ids_refetch_at_most_once_per_cooldown() {
    let key = TestKey::new("k1");
    let v = validator(jwks_server(Arc::new(RwLock::new(vec![key.jwk()]))).await, Duration::from_secs(300));
    let now = vigil::clock::now();
    assert!(v.validate(&key.mint("k1"), now).await.is_ok());
    for i in 0..200 {
        let err = v.validate(&key.mint(&format!("random-{i}")), now).await.unwrap_err();
        assert!(matches!(err, TokenError::UnknownKey));
    }
    assert_eq!(v.keys.fetch_count().await, 1, "the first fetch happened at the first token; random kids are inside the cooldown");
}

#[tokio::test]
async fn a_token_naming_its_own_key_is_refused() {
    let key = TestKey::new("k1");
    let v = validator(jwks_server(Arc::new(RwLock::new(vec![key.jwk()]))).await, Duration::from_secs(300));
    let mut header = Header::new(Algorithm::EdDSA);
    header.typ = Some("at+jwt".into());
    header.kid = Some("k1".into());
    header.jku = Some("https://attacker.invalid/jwks".into());
    let now = vigil::clock::now().timestamp();
    let claims = json!({ "iss": ISSUER, "aud": "vigil-api", "sub": "u1", "exp": now + 300, "vigil_org": "met" });
    let der = key.key.to_pkcs8_der().unwrap();
    let token = jsonwebtoken::encode(&header, &claims, &EncodingKey::from_ed_der(der.as_bytes())).unwrap();
    assert!(matches!(v.validate(&token, vigil::clock::now()).await, Err(TokenError::ForbiddenHeader)));
    assert_eq!(v.keys.fetch_count().await, 0, "never fetched anything for it");
}

#[tokio::test]
async fn a_verified_token_is_remembered_until_it_expires_or_its_key_is_withdrawn() {
    let old = TestKey::new("k1");
    let published = Arc::new(RwLock::new(vec![old.jwk()]));
    let v = validator(jwks_server(published.clone()).await, Duration::from_millis(200));
    let now = vigil::clock::now();
    let token = old.mint("k1");
    assert!(v.validate(&token, now).await.is_ok());
    assert_eq!(v.cache.len(), 1, "remembered");
    assert!(v.validate(&token, now).await.is_ok());
    assert_eq!(v.cache.len(), 1, "the same token is one entry");

    // Minted for 300 s: used until then, never at or after its exp.
    let key = vigil::auth::token_cache::TokenCache::key(&token);
    assert!(v.cache.get(&key, now + chrono::Duration::seconds(299)).is_some());
    assert!(v.cache.get(&key, now + chrono::Duration::seconds(300)).is_none(), "never from the cache at or after exp");
    assert!(v.validate(&token, now).await.is_ok(), "checked afresh, and remembered again");

    // The provider withdraws k1 and signs with k2: once the key set is refetched, a remembered
    // k1 token is refused as a fresh check would refuse it.
    let new = TestKey::new("k2");
    *published.write().unwrap() = vec![new.jwk()];
    tokio::time::sleep(Duration::from_millis(250)).await;
    assert!(v.validate(&new.mint("k2"), now).await.is_ok());
    tokio::time::sleep(Duration::from_millis(250)).await;
    assert!(matches!(v.validate(&token, now).await, Err(TokenError::UnknownKey)), "the withdrawn key's token is refused");

    // Forgetting a subject drops their tokens.
    v.cache.forget_subject(ISSUER, "u1");
    assert!(v.cache.is_empty());
}
