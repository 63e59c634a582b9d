//! API bearer tokens shaped like Keycloak's and Microsoft Entra ID's access tokens (claims as
//! their documentation shows them, signed here with a test key), through the validator set up
//! as docs/identity-providers.md says. Keycloak and Entra themselves are not run here.

use ed25519_dalek::SigningKey;
use ed25519_dalek::pkcs8::EncodePrivateKey;
use jsonwebtoken::jwk::JwkSet;
use jsonwebtoken::{Algorithm, EncodingKey, Header};
use serde_json::{Value, json};
use vigil::auth::Role;
use vigil::auth::claims::RoleMap;
use vigil::auth::jwks::KeySource;
use vigil::auth::token::{TokenError, TokenValidator};

use crate::identity_providers::role_map;

const KEYCLOAK: &str = "https://keycloak.test.invalid/realms/force";
const ENTRA: &str = "https://login.microsoftonline.com/00000000-0000-4000-8000-000000000001/v2.0";

struct Idp {
    key: SigningKey,
    issuer: &'static str,
}

impl Idp {
    fn new(issuer: &'static str) -> Self {
        Self { key: SigningKey::generate(&mut rand::rngs::OsRng), issuer }
    }

    /// Neither provider types its access tokens `at+jwt`, so the recipes turn that check off.
    fn validator(&self, roles_claim: &str, org_claim: &str, role_map: RoleMap) -> TokenValidator {
        use base64::Engine;
        let x = base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(self.key.verifying_key().as_bytes());
        let set: JwkSet =
            serde_json::from_value(json!({ "keys": [{ "kty": "OKP", "crv": "Ed25519", "alg": "EdDSA", "kid": "k1", "x": x }] })).unwrap();
        TokenValidator {
            issuer: self.issuer.into(),
            audience: "vigil-api".into(),
            keys: KeySource::from_set(&set),
            roles_claim: roles_claim.into(),
            org_claim: org_claim.into(),
            role_map,
            skew_seconds: 30,
            require_at_jwt_type: false,
            allowed_clients: vec!["vigil".into()],
            max_lifetime_seconds: 3600,
            assurance: Default::default(),
            cache: Default::default(),
        }
    }

    fn sign(&self, mut claims: Value) -> String {
        let now = vigil::clock::now().timestamp();
        let registered =
            json!({ "iss": self.issuer, "aud": "vigil-api", "sub": "officer-1", "iat": now, "exp": now + 300, "azp": "vigil" });
        for (k, v) in registered.as_object().unwrap() {
            claims[k] = v.clone();
        }
        let mut header = Header::new(Algorithm::EdDSA);
        header.typ = Some("JWT".into());
        header.kid = Some("k1".into());
        let der = self.key.to_pkcs8_der().unwrap();
        jsonwebtoken::encode(&header, &claims, &EncodingKey::from_ed_der(der.as_bytes())).unwrap()
    }
}

fn keycloak_claims(realm: &[&str], client: &[&str]) -> Value {
    json!({
        "typ": "Bearer",
        "realm_access": { "roles": realm },
        "resource_access": { "vigil": { "roles": client }, "account": { "roles": ["manage-account"] } },
        "vigil_org": "met-ppu",
    })
}

async fn validate(v: &TokenValidator, token: &str) -> Result<(Vec<Role>, String), TokenError> {
    v.validate(token, vigil::clock::now()).await.map(|i| (i.roles, i.org))
}

#[tokio::test]
async fn keycloak_access_tokens_give_client_roles_strictly_and_realm_roles_only_through_the_map() {
    let idp = Idp::new(KEYCLOAK);
    let defaults = ["default-roles-force", "offline_access", "uma_authorization", "admin"];
    let token = idp.sign(keycloak_claims(&[&defaults[..], &["vigil-ppo"]].concat(), &["ppo"]));

    let client_roles = idp.validator("/resource_access/vigil/roles", "vigil_org", RoleMap::default());
    assert_eq!(validate(&client_roles, &token).await.unwrap(), (vec![Role::Ppo], "met-ppu".to_owned()));

    let strict_realm = idp.validator("/realm_access/roles", "vigil_org", RoleMap::default());
    assert!(matches!(validate(&strict_realm, &token).await, Err(TokenError::Invalid(_))), "offline_access is no Vigil role");

    let mapped_realm = idp.validator("/realm_access/roles", "vigil_org", role_map(&[("ppo", &["vigil-ppo"]), ("admin", &["vigil-admin"])]));
    assert_eq!(validate(&mapped_realm, &token).await.unwrap().0, vec![Role::Ppo], "the realm's own `admin` grants nothing");
    let only_defaults = idp.sign(keycloak_claims(&defaults, &[]));
    assert!(matches!(validate(&mapped_realm, &only_defaults).await, Err(TokenError::MissingClaim("roles"))));
    assert!(matches!(validate(&client_roles, &only_defaults).await, Err(TokenError::MissingClaim("roles"))), "no client roles");
}

#[tokio::test]
async fn entra_access_tokens_map_app_roles_and_read_the_organisation_claim_configured() {
    let idp = Idp::new(ENTRA);
    let map = role_map(&[("ppo", &["Vigil.PPO"]), ("supervisor", &["Vigil.Supervisor"])]);
    let v = idp.validator("roles", "extn.orgCode", map.clone());
    let claims = |roles: Value, org: Option<&str>| {
        let mut c = json!({ "roles": roles, "tid": "00000000-0000-4000-8000-000000000001", "scp": "access_as_user", "ver": "2.0" });
        if let Some(org) = org {
            c["extn.orgCode"] = json!(org);
        }
        c
    };
    let token = idp.sign(claims(json!(["Vigil.Supervisor", "Vigil.Reports.Read", "Vigil.PPO"]), Some("gmp-ppu")));
    assert_eq!(validate(&v, &token).await.unwrap(), (vec![Role::Supervisor, Role::Ppo], "gmp-ppu".to_owned()));

    for unmapped in [json!(["Vigil.Reports.Read"]), json!(["ppo", "supervisor"]), json!(["vigil.ppo"])] {
        let token = idp.sign(claims(unmapped.clone(), Some("gmp-ppu")));
        assert!(matches!(validate(&v, &token).await, Err(TokenError::MissingClaim("roles"))), "{unmapped} grants nothing");
    }
    let no_org = idp.sign(claims(json!(["Vigil.PPO"]), None));
    assert!(matches!(validate(&v, &no_org).await, Err(TokenError::MissingClaim("organisation"))), "the tenant id is no organisation");
    // Read strictly (no map), Entra's app role values are refused outright.
    let strict = idp.validator("roles", "extn.orgCode", RoleMap::default());
    assert!(matches!(validate(&strict, &token).await, Err(TokenError::Invalid(_))));
}
