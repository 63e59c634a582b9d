//! Signing keys of the trusted issuer, cached by key id.
//!
//! An unknown `kid` triggers one refetch of the issuer's JWKS, at most once per cooldown, so a
//! key rotation at the provider is picked up without a restart while a flood of tokens with
//! random key ids cannot turn the service into a request amplifier. Keys named inside a token
//! (`jku`, `x5u`, `jwk`) are never fetched or used.

use std::collections::HashMap;
use std::time::{Duration, Instant};

use jsonwebtoken::jwk::JwkSet;
use jsonwebtoken::{Algorithm, DecodingKey};
use tokio::sync::RwLock;

#[derive(Clone)]
pub struct VerifyingKey {
    pub key: DecodingKey,
    /// The algorithm the key is published for, when the JWK says so.
    pub algorithm: Option<Algorithm>,
}

pub enum KeySource {
    /// Keys known at start-up (the development issuer, tests).
    Static(HashMap<String, VerifyingKey>),
    Remote(RemoteKeys),
}

pub struct RemoteKeys {
    issuer: String,
    jwks_url: Option<String>,
    client: reqwest::Client,
    cooldown: Duration,
    state: RwLock<CacheState>,
}

#[derive(Default)]
struct CacheState {
    keys: HashMap<String, VerifyingKey>,
    last_fetch: Option<Instant>,
    fetches: u64,
}

#[derive(Debug, thiserror::Error)]
pub enum KeyError {
    #[error("no signing key with that id")]
    UnknownKey,
    #[error("signing keys could not be fetched: {0}")]
    Unavailable(String),
}

impl KeySource {
    pub fn remote(issuer: &str, jwks_url: Option<String>, cooldown: Duration) -> Result<Self, reqwest::Error> {
        let client = reqwest::Client::builder().redirect(reqwest::redirect::Policy::none()).timeout(Duration::from_secs(5)).build()?;
        Ok(Self::Remote(RemoteKeys { issuer: issuer.to_owned(), jwks_url, client, cooldown, state: RwLock::default() }))
    }

    pub fn from_set(set: &JwkSet) -> Self {
        Self::Static(keys_of(set))
    }

    pub async fn key(&self, kid: &str) -> Result<VerifyingKey, KeyError> {
        match self {
            Self::Static(keys) => keys.get(kid).cloned().ok_or(KeyError::UnknownKey),
            Self::Remote(remote) => remote.key(kid).await,
        }
    }

    /// How many times the remote JWKS has been fetched (for tests and metrics).
    pub async fn fetch_count(&self) -> u64 {
        match self {
            Self::Static(_) => 0,
            Self::Remote(remote) => remote.state.read().await.fetches,
        }
    }
}

impl RemoteKeys {
    async fn key(&self, kid: &str) -> Result<VerifyingKey, KeyError> {
        if let Some(found) = self.state.read().await.keys.get(kid) {
            return Ok(found.clone());
        }
        let mut state = self.state.write().await;
        // Another request may have refreshed while we waited for the lock.
        if let Some(found) = state.keys.get(kid) {
            return Ok(found.clone());
        }
        if state.last_fetch.is_some_and(|at| at.elapsed() < self.cooldown) {
            return Err(KeyError::UnknownKey);
        }
        state.last_fetch = Some(Instant::now());
        state.fetches += 1;
        let set = self.fetch().await?;
        state.keys = keys_of(&set);
        state.keys.get(kid).cloned().ok_or(KeyError::UnknownKey)
    }

    async fn fetch(&self) -> Result<JwkSet, KeyError> {
        let url = match &self.jwks_url {
            Some(url) => url.clone(),
            None => self.discover().await?,
        };
        let response = self.client.get(&url).send().await.map_err(|e| KeyError::Unavailable(e.without_url().to_string()))?;
        if !response.status().is_success() {
            return Err(KeyError::Unavailable(format!("JWKS answered {}", response.status())));
        }
        response.json::<JwkSet>().await.map_err(|e| KeyError::Unavailable(e.without_url().to_string()))
    }

    /// OpenID Connect discovery; the document must name exactly our issuer.
    async fn discover(&self) -> Result<String, KeyError> {
        #[derive(serde::Deserialize)]
        struct Discovery {
            issuer: String,
            jwks_uri: String,
        }
        let url = format!("{}/.well-known/openid-configuration", self.issuer.trim_end_matches('/'));
        let response = self.client.get(&url).send().await.map_err(|e| KeyError::Unavailable(e.without_url().to_string()))?;
        if !response.status().is_success() {
            return Err(KeyError::Unavailable(format!("discovery answered {}", response.status())));
        }
        let doc: Discovery = response.json().await.map_err(|e| KeyError::Unavailable(e.without_url().to_string()))?;
        if doc.issuer != self.issuer {
            return Err(KeyError::Unavailable("discovery document names another issuer".into()));
        }
        Ok(doc.jwks_uri)
    }
}

fn keys_of(set: &JwkSet) -> HashMap<String, VerifyingKey> {
    set.keys
        .iter()
        .filter_map(|jwk| {
            let kid = jwk.common.key_id.clone()?;
            let key = DecodingKey::from_jwk(jwk).ok()?;
            let algorithm = jwk.common.key_algorithm.and_then(|a| a.to_string().parse().ok());
            Some((kid, VerifyingKey { key, algorithm }))
        })
        .collect()
}
