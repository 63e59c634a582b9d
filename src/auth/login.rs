//! Browser login as a backend-for-frontend (DESIGN §5): OpenID Connect authorization code flow
//! with PKCE (S256), through the `openidconnect` crate. The browser never sees a token: the
//! provider's answer is exchanged and verified here, and the browser gets only an opaque session
//! cookie ([`super::sessions`]).
//!
//! The provider's metadata and signing keys are discovered on first use and kept. When an ID
//! token is signed by a key we do not hold (the provider rotated its keys), the metadata is
//! fetched again, at most once per cooldown, and the token verified once more: rotation needs
//! no restart, and a flood of forged key ids cannot make us hammer the provider.

use std::sync::Arc;
use std::time::{Duration, Instant};

use chrono::{DateTime, Utc};
use openidconnect::core::{
    CoreAuthPrompt, CoreAuthenticationFlow, CoreGenderClaim, CoreJweContentEncryptionAlgorithm, CoreJwsSigningAlgorithm,
};
use openidconnect::{
    AdditionalClaims, AuthenticationContextClass, AuthorizationCode, ClaimsVerificationError, ClientId, ClientSecret, CsrfToken,
    EndSessionUrl, EndpointMaybeSet, EndpointNotSet, EndpointSet, IdToken, IssuerUrl, LogoutRequest, Nonce, NonceVerifier,
    OAuth2TokenResponse, PkceCodeChallenge, PkceCodeVerifier, PostLogoutRedirectUrl, ProviderMetadataWithLogout, RedirectUrl, RefreshToken,
    RequestTokenError, Scope,
};
use serde::{Deserialize, Serialize};
use tokio::sync::RwLock;

use super::Role;

/// Settings for browser login (`[oidc]` client settings).
#[derive(Clone)]
pub struct LoginSettings {
    pub issuer: String,
    pub client_id: String,
    pub client_secret: zeroize::Zeroizing<String>,
    /// Where the provider sends the browser back: this service's `/auth/callback`.
    pub redirect_url: String,
    /// Where the provider sends the browser after logout.
    pub post_logout_redirect_url: Option<String>,
    /// Where the ID token carries roles and organisation, and what its role values mean (as
    /// for bearer tokens, see [`super::claims`]).
    pub roles_claim: String,
    pub org_claim: String,
    pub role_map: super::claims::RoleMap,
    /// Scopes asked for besides `openid`: the provider's name for the role and organisation
    /// claims (`vigil`), and `offline_access` where refresh tokens need it (Entra ID).
    pub scopes: Vec<String>,
    pub skew_seconds: u64,
    pub refresh_cooldown: Duration,
    pub session_idle: chrono::Duration,
    pub session_absolute: chrono::Duration,
    /// How often a live session is checked with the provider (see `auth::revalidation`).
    pub revalidate_every: chrono::Duration,
    /// Required `acr` / `amr` in the ID token.
    pub assurance: super::assurance::Assurance,
}

impl std::fmt::Debug for LoginSettings {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("LoginSettings").field("issuer", &self.issuer).field("client_id", &self.client_id).finish_non_exhaustive()
    }
}

/// Vigil's own claims in the ID token: roles and organisation (claim names are configurable,
/// so they are read from the flattened rest of the claims).
#[derive(Clone, Debug, Deserialize, Serialize)]
pub struct VigilClaims {
    #[serde(flatten)]
    rest: serde_json::Map<String, serde_json::Value>,
}
impl AdditionalClaims for VigilClaims {}

type VigilIdToken = IdToken<VigilClaims, CoreGenderClaim, CoreJweContentEncryptionAlgorithm, CoreJwsSigningAlgorithm>;
type Client =
    openidconnect::core::CoreClient<EndpointSet, EndpointNotSet, EndpointNotSet, EndpointNotSet, EndpointMaybeSet, EndpointMaybeSet>;

struct Provider {
    client: Client,
    end_session: Option<EndSessionUrl>,
    /// The same signing keys, for tokens `openidconnect` does not model (logout tokens).
    keys: jsonwebtoken::jwk::JwkSet,
    fetched: Instant,
}

/// The parts of a verified ID token that Vigil uses.
struct Verified {
    subject: String,
    auth_time: Option<DateTime<Utc>>,
    acr: Option<String>,
    amr: Vec<String>,
    extra: VigilClaims,
}

/// What an authorization request must remember until its callback.
#[derive(Serialize, Deserialize)]
pub struct PendingLogin {
    pub nonce: String,
    pub pkce_verifier: String,
}

/// A verified login.
pub struct LoggedIn {
    pub subject: String,
    pub roles: Vec<Role>,
    pub org: String,
    pub auth_time: DateTime<Utc>,
    /// Kept (sealed) for the logout call's `id_token_hint`.
    pub id_token: zeroize::Zeroizing<String>,
    /// The provider's session id, which a back-channel logout names.
    pub sid: Option<String>,
    /// Kept (sealed) to revalidate the session with the provider.
    pub refresh_token: Option<zeroize::Zeroizing<String>>,
}

/// What the provider says about a live session when asked again.
pub struct Revalidated {
    pub roles: Vec<Role>,
    pub org: String,
    /// A rotated refresh token replaces the old one.
    pub refresh_token: Option<zeroize::Zeroizing<String>>,
}

#[derive(Debug, thiserror::Error)]
pub enum LoginError {
    #[error("the identity provider could not be reached or described itself wrongly")]
    Provider(String),
    #[error("the identity provider refused the code exchange")]
    Exchange(String),
    #[error("the ID token is not acceptable: {0}")]
    IdToken(String),
    #[error("the ID token lacks the {0} claim")]
    MissingClaim(&'static str),
    #[error("the login is not strong enough: {0}")]
    Assurance(super::assurance::AssuranceError),
    /// The provider answered, and said no (a refresh grant refused: account disabled, session
    /// ended, consent withdrawn).
    #[error("the identity provider refused: {0}")]
    Refused(String),
}

pub struct Login {
    pub settings: LoginSettings,
    http: reqwest::Client,
    provider: RwLock<Option<Arc<Provider>>>,
}

impl Login {
    pub fn new(settings: LoginSettings) -> anyhow::Result<Self> {
        // Following redirects from the provider's endpoints would open us to SSRF.
        let http = reqwest::Client::builder().redirect(reqwest::redirect::Policy::none()).timeout(Duration::from_secs(10)).build()?;
        Ok(Self { settings, http, provider: RwLock::new(None) })
    }

    async fn provider(&self) -> Result<Arc<Provider>, LoginError> {
        if let Some(p) = self.provider.read().await.as_ref() {
            return Ok(p.clone());
        }
        self.refresh(None).await
    }

    /// Discovers the provider again, unless someone else did since `seen` or within the cooldown.
    async fn refresh(&self, seen: Option<Instant>) -> Result<Arc<Provider>, LoginError> {
        let mut slot = self.provider.write().await;
        if let Some(p) = slot.as_ref() {
            let newer = seen.is_none_or(|s| p.fetched > s);
            if newer || p.fetched.elapsed() < self.settings.refresh_cooldown {
                return Ok(p.clone());
            }
        }
        let issuer = IssuerUrl::new(self.settings.issuer.clone()).map_err(|e| LoginError::Provider(e.to_string()))?;
        let metadata =
            ProviderMetadataWithLogout::discover_async(issuer, &self.http).await.map_err(|e| LoginError::Provider(e.to_string()))?;
        let end_session = metadata.additional_metadata().end_session_endpoint.clone();
        let keys = serde_json::to_value(metadata.jwks())
            .and_then(serde_json::from_value)
            .map_err(|e| LoginError::Provider(format!("signing keys: {e}")))?;
        let redirect = RedirectUrl::new(self.settings.redirect_url.clone()).map_err(|e| LoginError::Provider(e.to_string()))?;
        let client = Client::from_provider_metadata(
            metadata,
            ClientId::new(self.settings.client_id.clone()),
            Some(ClientSecret::new(self.settings.client_secret.to_string())),
        )
        .set_redirect_uri(redirect);
        let provider = Arc::new(Provider { client, end_session, keys, fetched: Instant::now() });
        *slot = Some(provider.clone());
        Ok(provider)
    }

    /// The provider URL to send the browser to, the `state` it will return, and what the
    /// callback needs to finish. `step_up` makes the provider authenticate the person again
    /// (`prompt=login`, `max_age=0`), for actions that need a recent authentication.
    pub async fn begin(&self, step_up: bool) -> Result<(String, String, PendingLogin), LoginError> {
        let provider = self.provider().await?;
        let (challenge, verifier) = PkceCodeChallenge::new_random_sha256();
        let mut request = provider
            .client
            .authorize_url(CoreAuthenticationFlow::AuthorizationCode, CsrfToken::new_random, Nonce::new_random)
            .add_scopes(self.settings.scopes.iter().map(|s| Scope::new(s.clone())))
            .set_pkce_challenge(challenge);
        for acr in &self.settings.assurance.acr_any {
            request = request.add_auth_context_value(AuthenticationContextClass::new(acr.clone()));
        }
        if !self.settings.assurance.amr_any.is_empty() {
            // `amr` is optional in an ID token; ask for it (OIDC Core 5.5) so its absence means
            // the methods were not used rather than not reported.
            request = request.add_extra_param("claims", r#"{"id_token":{"amr":{"essential":true}}}"#);
        }
        if step_up {
            request = request.add_prompt(CoreAuthPrompt::Login).set_max_age(Duration::ZERO);
        }
        let (url, state, nonce) = request.url();
        let pending = PendingLogin { nonce: nonce.secret().clone(), pkce_verifier: verifier.secret().clone() };
        Ok((url.to_string(), state.secret().clone(), pending))
    }

    /// Exchanges the code and verifies the ID token: signature by the provider's current key,
    /// issuer, audience (this client only), nonce, expiry and issue time within the skew.
    pub async fn finish(&self, code: &str, pending: &PendingLogin, now: DateTime<Utc>) -> Result<LoggedIn, LoginError> {
        let provider = self.provider().await?;
        let response = provider
            .client
            .exchange_code(AuthorizationCode::new(code.to_owned()))
            .map_err(|e| LoginError::Provider(e.to_string()))?
            .set_pkce_verifier(PkceCodeVerifier::new(pending.pkce_verifier.clone()))
            .request_async(&self.http)
            .await
            .map_err(|e| LoginError::Exchange(exchange_error(&e)))?;
        let raw = openidconnect::TokenResponse::id_token(&response).ok_or(LoginError::MissingClaim("id_token"))?.to_string();
        let token: VigilIdToken = raw.parse().map_err(|_| LoginError::IdToken("unreadable".into()))?;
        let nonce = Nonce::new(pending.nonce.clone());
        let verified = match self.verify(&provider, &token, &nonce, now) {
            // Signed by a key we have not seen: the provider may have rotated. Look again, once.
            Err(ClaimsVerificationError::SignatureVerification(_)) => {
                let fresh = self.refresh(Some(provider.fetched)).await?;
                self.verify(&fresh, &token, &nonce, now)
            }
            other => other,
        }
        .map_err(|e| LoginError::IdToken(e.to_string()))?;
        self.settings.assurance.check(verified.acr.as_deref(), &verified.amr).map_err(LoginError::Assurance)?;
        let (roles, org) = self.roles_and_org(&verified.extra)?;
        let sid = verified.extra.rest.get("sid").and_then(|v| v.as_str()).filter(|s| !s.is_empty() && s.len() <= 255).map(str::to_owned);
        let refresh_token = response.refresh_token().map(|t| zeroize::Zeroizing::new(t.secret().clone()));
        Ok(LoggedIn {
            subject: verified.subject,
            roles,
            org,
            auth_time: verified.auth_time.unwrap_or(now),
            id_token: zeroize::Zeroizing::new(raw),
            sid,
            refresh_token,
        })
    }

    fn roles_and_org(&self, extra: &VigilClaims) -> Result<(Vec<Role>, String), LoginError> {
        let org = super::claims::org(&extra.rest, &self.settings.org_claim).ok_or(LoginError::MissingClaim("organisation"))?;
        // The same reading as bearer tokens: no role granted, or (read strictly) a role we do
        // not know, is no login.
        let roles = self
            .settings
            .role_map
            .roles(super::claims::find(&extra.rest, &self.settings.roles_claim))
            .map_err(|_| LoginError::MissingClaim("roles"))?;
        Ok((roles, org))
    }

    /// Asks the provider about a live session again with its refresh token: the provider
    /// refuses when the account was disabled or its session ended, and its fresh ID token
    /// carries the person's current roles. The subject must not change.
    pub async fn revalidate(&self, refresh_token: &str, subject: &str, now: DateTime<Utc>) -> Result<Revalidated, LoginError> {
        let provider = self.provider().await?;
        let response = provider
            .client
            .exchange_refresh_token(&RefreshToken::new(refresh_token.to_owned()))
            .map_err(|e| LoginError::Provider(e.to_string()))?
            .request_async(&self.http)
            .await
            .map_err(|e| match e {
                RequestTokenError::ServerResponse(answer) => LoginError::Refused(answer.error().to_string()),
                other => LoginError::Exchange(exchange_error(&other)),
            })?;
        let rotated = response.refresh_token().map(|t| zeroize::Zeroizing::new(t.secret().clone()));
        let raw = openidconnect::TokenResponse::id_token(&response)
            .ok_or(LoginError::Refused("no ID token in the refresh answer: roles cannot be confirmed".into()))?
            .to_string();
        let token: VigilIdToken = raw.parse().map_err(|_| LoginError::IdToken("unreadable".into()))?;
        // A refreshed ID token may repeat the login's nonce or leave it out (OIDC Core 12.2).
        let any_nonce = |_: Option<&Nonce>| -> Result<(), String> { Ok(()) };
        let verified = match self.verify(&provider, &token, any_nonce, now) {
            Err(ClaimsVerificationError::SignatureVerification(_)) => {
                let fresh = self.refresh(Some(provider.fetched)).await?;
                self.verify(&fresh, &token, any_nonce, now)
            }
            other => other,
        }
        .map_err(|e| LoginError::IdToken(e.to_string()))?;
        if verified.subject != subject {
            return Err(LoginError::Refused("the refreshed ID token names another subject".into()));
        }
        let (roles, org) = self.roles_and_org(&verified.extra)?;
        Ok(Revalidated { roles, org, refresh_token: rotated })
    }

    /// The provider's signing key for `kid`, looking again (within the cooldown) when it is
    /// unknown: for back-channel logout tokens.
    pub async fn signing_key(&self, kid: &str) -> Result<jsonwebtoken::jwk::Jwk, LoginError> {
        let provider = self.provider().await?;
        if let Some(key) = provider.keys.find(kid) {
            return Ok(key.clone());
        }
        let fresh = self.refresh(Some(provider.fetched)).await?;
        fresh.keys.find(kid).cloned().ok_or_else(|| LoginError::IdToken("unknown signing key".into()))
    }

    fn verify(
        &self,
        provider: &Provider,
        token: &VigilIdToken,
        nonce: impl NonceVerifier,
        now: DateTime<Utc>,
    ) -> Result<Verified, ClaimsVerificationError> {
        let skew = chrono::Duration::seconds(self.settings.skew_seconds as i64);
        // Only our own client id in `aud`: a token minted for another client is refused.
        let verifier = provider
            .client
            .id_token_verifier()
            .set_time_fn(move || now - skew)
            .set_issue_time_verifier_fn(move |iat| if iat <= now + skew { Ok(()) } else { Err("issued in the future".into()) })
            .set_other_audience_verifier_fn(|_| false);
        let claims = token.claims(&verifier, nonce)?;
        Ok(Verified {
            subject: claims.subject().as_str().to_owned(),
            auth_time: claims.auth_time(),
            acr: claims.auth_context_ref().map(|a| a.as_str().to_owned()),
            amr: claims.auth_method_refs().map(|v| v.iter().map(|m| m.as_str().to_owned()).collect()).unwrap_or_default(),
            extra: claims.additional_claims().clone(),
        })
    }

    /// The provider's end-session URL for this session, if it offers one.
    pub async fn logout_url(&self, id_token: &str) -> Option<String> {
        let provider = self.provider().await.ok()?;
        let endpoint = provider.end_session.clone()?;
        let token: VigilIdToken = id_token.parse().ok()?;
        let mut request =
            LogoutRequest::from(endpoint).set_id_token_hint(&token).set_client_id(ClientId::new(self.settings.client_id.clone()));
        if let Some(url) = &self.settings.post_logout_redirect_url {
            request = request.set_post_logout_redirect_uri(PostLogoutRedirectUrl::new(url.clone()).ok()?);
        }
        Some(request.http_get_url().to_string())
    }
}

/// The provider's error code only: its description may echo what we sent.
fn exchange_error<E: std::error::Error>(err: &E) -> String {
    let text = err.to_string();
    text.split(':').next().unwrap_or("exchange failed").to_owned()
}
