//! The development issuer: an Ed25519 key kept in the demo's data folder, so that
//! `vigil dev-token` can mint tokens that the demo server accepts. Only `vigil demo` builds a
//! validator from this key, and it refuses to bind anywhere but loopback; `vigil serve` never
//! reads it.

use std::path::{Path, PathBuf};

use base64::Engine;
use base64::engine::general_purpose::{STANDARD, URL_SAFE_NO_PAD};
use chrono::{DateTime, Utc};
use ed25519_dalek::SigningKey;
use ed25519_dalek::pkcs8::EncodePrivateKey;
use jsonwebtoken::jwk::JwkSet;
use jsonwebtoken::{Algorithm, EncodingKey, Header};
use zeroize::Zeroizing;

use super::Role;

pub const ISSUER: &str = "urn:vigil:development";
pub const AUDIENCE: &str = "vigil-api";
const KID: &str = "vigil-dev-1";

pub struct DevIssuer {
    key: SigningKey,
}

impl std::fmt::Debug for DevIssuer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("DevIssuer(<redacted>)")
    }
}

pub fn key_path(data_dir: &Path) -> PathBuf {
    data_dir.join("dev-issuer.key")
}

impl DevIssuer {
    pub fn generate() -> Self {
        Self { key: SigningKey::generate(&mut rand::rngs::OsRng) }
    }

    /// Loads the key, creating it (mode 0600) when absent.
    pub fn load_or_create(data_dir: &Path) -> anyhow::Result<Self> {
        let path = key_path(data_dir);
        if path.exists() {
            let text = Zeroizing::new(std::fs::read_to_string(&path)?);
            let bytes = Zeroizing::new(STANDARD.decode(text.trim())?);
            let seed: [u8; 32] = bytes.as_slice().try_into().map_err(|_| anyhow::anyhow!("{} is not a development key", path.display()))?;
            return Ok(Self { key: SigningKey::from_bytes(&seed) });
        }
        let issuer = Self::generate();
        std::fs::create_dir_all(data_dir)?;
        let mut options = std::fs::OpenOptions::new();
        options.write(true).create_new(true);
        #[cfg(unix)]
        {
            use std::os::unix::fs::OpenOptionsExt;
            options.mode(0o600);
        }
        use std::io::Write;
        options.open(&path)?.write_all(STANDARD.encode(issuer.key.to_bytes()).as_bytes())?;
        Ok(issuer)
    }

    pub fn load(data_dir: &Path) -> anyhow::Result<Self> {
        if !key_path(data_dir).exists() {
            anyhow::bail!("no development key in {}: start `vigil demo` first", data_dir.display());
        }
        Self::load_or_create(data_dir)
    }

    pub fn jwks(&self) -> JwkSet {
        let x = URL_SAFE_NO_PAD.encode(self.key.verifying_key().as_bytes());
        let value = serde_json::json!({ "keys": [{ "kty": "OKP", "crv": "Ed25519", "x": x, "kid": KID, "alg": "EdDSA", "use": "sig" }] });
        serde_json::from_value(value).unwrap_or(JwkSet { keys: Vec::new() })
    }

    /// A validator that trusts this issuer alone (the demo's, and the tests').
    pub fn validator(&self) -> super::token::TokenValidator {
        super::token::TokenValidator {
            issuer: ISSUER.into(),
            audience: AUDIENCE.into(),
            keys: super::jwks::KeySource::from_set(&self.jwks()),
            roles_claim: "vigil_roles".into(),
            org_claim: "vigil_org".into(),
            role_map: Default::default(),
            skew_seconds: 30,
            require_at_jwt_type: true,
            allowed_clients: Vec::new(),
            // The demo's tokens are minted by hand (`vigil dev-token --ttl-minutes`), and the
            // benchmarks mint them for a whole run.
            max_lifetime_seconds: 86_400,
            assurance: Default::default(),
            cache: Default::default(),
        }
    }

    pub fn mint(&self, subject: &str, roles: &[Role], org: &str, now: DateTime<Utc>, ttl_seconds: i64) -> anyhow::Result<String> {
        self.mint_authenticated_at(subject, roles, org, now, ttl_seconds, now)
    }

    /// A token whose person authenticated at `auth_time` (step-up tests use an old one).
    pub fn mint_authenticated_at(
        &self,
        subject: &str,
        roles: &[Role],
        org: &str,
        now: DateTime<Utc>,
        ttl_seconds: i64,
        auth_time: DateTime<Utc>,
    ) -> anyhow::Result<String> {
        let mut header = Header::new(Algorithm::EdDSA);
        header.typ = Some("at+jwt".into());
        header.kid = Some(KID.into());
        let claims = serde_json::json!({
            "iss": ISSUER,
            "aud": AUDIENCE,
            "sub": subject,
            "iat": now.timestamp(),
            "nbf": now.timestamp(),
            "exp": now.timestamp() + ttl_seconds,
            "auth_time": auth_time.timestamp(),
            "client_id": "vigil-dev",
            "vigil_roles": roles.iter().map(|r| r.as_str()).collect::<Vec<_>>(),
            "vigil_org": org,
        });
        let der = self.key.to_pkcs8_der().map_err(|e| anyhow::anyhow!("encoding the development key: {e}"))?;
        Ok(jsonwebtoken::encode(&header, &claims, &EncodingKey::from_ed_der(der.as_bytes()))?)
    }
}
