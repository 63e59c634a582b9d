//! Catalogue rows A01–A10 for API bearer tokens, each a forged or altered token that a real
//! provider would never issue, against the validator with a fixed trusted key set.

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use ed25519_dalek::SigningKey;
use ed25519_dalek::pkcs8::EncodePrivateKey;
use jsonwebtoken::jwk::JwkSet;
use jsonwebtoken::{Algorithm, EncodingKey, Header};
use serde_json::{Value, json};
use vigil::auth::jwks::KeySource;
use vigil::auth::token::{TokenError, TokenValidator};

const ISSUER: &str = "https://idp.test.invalid/realm";
const SKEW: u64 = 30;

struct Issuer {
    key: SigningKey,
}

impl Issuer {
    fn new() -> Self {
        Self { key: SigningKey::generate(&mut rand::rngs::OsRng) }
    }

    fn public_x(&self) -> String {
        URL_SAFE_NO_PAD.encode(self.key.verifying_key().as_bytes())
    }

    fn validator(&self) -> TokenValidator {
        let set: JwkSet = serde_json::from_value(
            json!({ "keys": [{ "kty": "OKP", "crv": "Ed25519", "alg": "EdDSA", "kid": "k1", "x": self.public_x() }] }),
        )
        .unwrap();
        TokenValidator {
            issuer: ISSUER.into(),
            audience: "vigil-api".into(),
            keys: KeySource::from_set(&set),
            roles_claim: "vigil_roles".into(),
            org_claim: "vigil_org".into(),
            role_map: Default::default(),
            skew_seconds: SKEW,
            require_at_jwt_type: true,
            allowed_clients: Vec::new(),
            max_lifetime_seconds: 3600,
            assurance: Default::default(),
            cache: Default::default(),
        }
    }

    fn claims(&self, now: i64) -> Value {
        json!({ "iss": ISSUER, "aud": "vigil-api", "sub": "u1", "iat": now, "exp": now + 300, "vigil_roles": ["ppo"], "vigil_org": "met" })
    }

    fn sign(&self, header: &Header, claims: &Value) -> String {
        let der = self.key.to_pkcs8_der().unwrap();
        jsonwebtoken::encode(header, claims, &EncodingKey::from_ed_der(der.as_bytes())).unwrap()
    }

    fn header(&self) -> Header {
        let mut header = Header::new(Algorithm::EdDSA);
        header.typ = Some("at+jwt".into());
        header.kid = Some("k1".into());
        header
    }
}

fn now() -> i64 {
    vigil::clock::now().timestamp()
}

async fn refused(v: &TokenValidator, token: &str) -> TokenError {
    v.validate(token, vigil::clock::now()).await.expect_err("the forged token must be refused")
}

#[tokio::test]
async fn a_well_formed_token_is_accepted_so_the_refusals_below_mean_something() {
    let idp = Issuer::new();
    let identity = idp.validator().validate(&idp.sign(&idp.header(), &idp.claims(now())), vigil::clock::now()).await.unwrap();
    assert_eq!((identity.subject.as_str(), identity.org.as_str()), ("u1", "met"));
}

/// A02: the public key used as an HMAC secret (algorithm confusion).
#[tokio::test]
async fn hs256_signed_with_the_public_key_is_refused() {
    let idp = Issuer::new();
    let mut header = Header::new(Algorithm::HS256);
    header.typ = Some("at+jwt".into());
    header.kid = Some("k1".into());
    for secret in [idp.public_x().into_bytes(), idp.key.verifying_key().as_bytes().to_vec()] {
        let token = jsonwebtoken::encode(&header, &idp.claims(now()), &EncodingKey::from_secret(&secret)).unwrap();
        assert!(matches!(refused(&idp.validator(), &token).await, TokenError::ForbiddenHeader));
    }
}

/// A03: headers that name or carry their own key are refused before any key is looked up.
#[tokio::test]
async fn x5u_jwk_and_x5c_headers_are_refused() {
    let idp = Issuer::new();
    let v = idp.validator();
    let mut with_x5u = idp.header();
    with_x5u.x5u = Some("https://attacker.invalid/cert.pem".into());
    let mut with_jwk = idp.header();
    with_jwk.jwk = Some(serde_json::from_value(json!({ "kty": "OKP", "crv": "Ed25519", "x": idp.public_x() })).unwrap());
    let mut with_x5c = idp.header();
    with_x5c.x5c = Some(vec!["MIIB".into()]);
    for header in [with_x5u, with_jwk, with_x5c] {
        assert!(matches!(refused(&v, &idp.sign(&header, &idp.claims(now()))).await, TokenError::ForbiddenHeader));
    }
}

/// A06/A07: another audience (a token minted for another client) or another issuer.
#[tokio::test]
async fn tokens_for_another_client_or_issuer_are_refused() {
    let idp = Issuer::new();
    let v = idp.validator();
    for (claim, value) in
        [("aud", json!("another-client")), ("aud", json!(["another-client"])), ("iss", json!("https://idp.test.invalid/other"))]
    {
        let mut claims = idp.claims(now());
        claims[claim] = value;
        assert!(matches!(refused(&v, &idp.sign(&idp.header(), &claims)).await, TokenError::Invalid(_)), "{claim}");
    }
}

/// A07/A10: our audience, but minted for another client of the same provider (`azp`,
/// RFC 9068 `client_id`), is refused once the accepted clients are configured.
#[tokio::test]
async fn a_token_minted_for_another_client_under_our_audience_is_refused() {
    let idp = Issuer::new();
    let mut v = idp.validator();
    v.allowed_clients = vec!["vigil-web".into()];
    for (claim, value) in [("azp", "another-app"), ("client_id", "another-app")] {
        let mut claims = idp.claims(now());
        claims[claim] = json!(value);
        assert!(matches!(refused(&v, &idp.sign(&idp.header(), &claims)).await, TokenError::OtherClient), "{claim}");
    }
    assert!(matches!(refused(&v, &idp.sign(&idp.header(), &idp.claims(now()))).await, TokenError::OtherClient), "no client named");
    let mut ours = idp.claims(now());
    ours["azp"] = json!("vigil-web");
    assert!(v.validate(&idp.sign(&idp.header(), &ours), vigil::clock::now()).await.is_ok());
}

/// A08: expiry and not-before are enforced with the fixed skew, no more.
#[tokio::test]
async fn expiry_and_not_before_hold_beyond_the_skew_only() {
    let idp = Issuer::new();
    let v = idp.validator();
    let t = now();
    let skew = SKEW as i64;
    let mut within = idp.claims(t - 600);
    within["exp"] = json!(t - skew + 5);
    assert!(v.validate(&idp.sign(&idp.header(), &within), vigil::clock::now()).await.is_ok(), "expired inside the skew");
    let mut expired = idp.claims(t - 600);
    expired["exp"] = json!(t - skew - 5);
    assert!(matches!(refused(&v, &idp.sign(&idp.header(), &expired)).await, TokenError::Invalid(_)));
    let mut early = idp.claims(t);
    early["nbf"] = json!(t + skew + 5);
    assert!(matches!(refused(&v, &idp.sign(&idp.header(), &early)).await, TokenError::Invalid(_)));
    let future = idp.claims(t + skew + 5);
    assert!(matches!(refused(&v, &idp.sign(&idp.header(), &future)).await, TokenError::Invalid(_)), "issued in the future");
    let mut no_exp = idp.claims(t);
    no_exp.as_object_mut().unwrap().remove("exp");
    assert!(matches!(refused(&v, &idp.sign(&idp.header(), &no_exp)).await, TokenError::Invalid(_)));
}

/// A10: an ID token (typ JWT) or a token without a key id is not an access token here.
#[tokio::test]
async fn id_tokens_and_tokens_without_a_key_id_are_refused() {
    let idp = Issuer::new();
    let v = idp.validator();
    let mut id_token = idp.header();
    id_token.typ = Some("JWT".into());
    assert!(matches!(refused(&v, &idp.sign(&id_token, &idp.claims(now()))).await, TokenError::WrongType));
    let mut no_kid = idp.header();
    no_kid.kid = None;
    assert!(matches!(refused(&v, &idp.sign(&no_kid, &idp.claims(now()))).await, TokenError::UnknownKey));
    let mut missing_org = idp.claims(now());
    missing_org.as_object_mut().unwrap().remove("vigil_org");
    assert!(matches!(refused(&v, &idp.sign(&idp.header(), &missing_org)).await, TokenError::MissingClaim("organisation")));
}

/// A09: a signature from another key under the trusted key id, and a truncated signature.
#[tokio::test]
async fn signatures_that_do_not_verify_are_refused() {
    let idp = Issuer::new();
    let impostor = Issuer::new();
    let v = idp.validator();
    assert!(matches!(refused(&v, &impostor.sign(&impostor.header(), &impostor.claims(now()))).await, TokenError::Invalid(_)));
    let good = idp.sign(&idp.header(), &idp.claims(now()));
    let truncated = &good[..good.len() - 4];
    assert!(matches!(refused(&v, truncated).await, TokenError::Invalid(_) | TokenError::Malformed));
}

/// A20: with multi-factor required, a token that does not show it (`acr`/`amr`) is refused.
#[tokio::test]
async fn tokens_without_the_required_authentication_strength_are_refused() {
    let idp = Issuer::new();
    let mut v = idp.validator();
    v.assurance = vigil::auth::assurance::Assurance { acr_any: vec!["urn:force:mfa".into()], amr_any: vec!["hwk".into()] };
    let weak = [
        json!({}),
        json!({"acr": "urn:force:pwd", "amr": ["hwk"]}),
        json!({"acr": "urn:force:mfa", "amr": ["pwd"]}),
        json!({"acr": "urn:force:mfa", "amr": "hwk"}),
    ];
    for extra in weak {
        let mut claims = idp.claims(now());
        for (k, val) in extra.as_object().unwrap() {
            claims[k] = val.clone();
        }
        assert!(matches!(refused(&v, &idp.sign(&idp.header(), &claims)).await, TokenError::Assurance(_)), "{extra}");
    }
    let mut strong = idp.claims(now());
    strong["acr"] = json!("urn:force:mfa");
    strong["amr"] = json!(["pwd", "hwk"]);
    assert!(v.validate(&idp.sign(&idp.header(), &strong), vigil::clock::now()).await.is_ok());
}

/// Z07 for bearer tokens: roles are read from the token, so a token valid for longer than the
/// configured bound is refused, whatever its signature.
#[tokio::test]
async fn tokens_valid_for_longer_than_the_bound_are_refused() {
    let idp = Issuer::new();
    let v = idp.validator();
    let mut long = idp.claims(now());
    long["exp"] = json!(now() + 3601);
    assert!(matches!(refused(&v, &idp.sign(&idp.header(), &long)).await, TokenError::Invalid(_)));
    let mut no_iat = idp.claims(now());
    no_iat.as_object_mut().unwrap().remove("iat");
    no_iat["exp"] = json!(now() + 7200);
    assert!(matches!(refused(&v, &idp.sign(&idp.header(), &no_iat)).await, TokenError::Invalid(_)), "without iat, from now");
    let mut bounded = idp.claims(now());
    bounded["exp"] = json!(now() + 3600);
    assert!(v.validate(&idp.sign(&idp.header(), &bounded), vigil::clock::now()).await.is_ok());
}

/// Catalogue A11 (issue 13 item 10): claims are read strictly. `iss` must be this service's
/// issuer as a string, and the roles claim must be one or more known role names.
#[tokio::test]
async fn an_issuer_that_is_not_a_string_or_a_missing_empty_malformed_or_unknown_role_is_refused() {
    let idp = Issuer::new();
    let v = idp.validator();
    let mut cases: Vec<(&str, Value)> = Vec::new();
    for iss in [json!([ISSUER]), json!({ "iss": ISSUER }), json!(null)] {
        let mut c = idp.claims(now());
        c["iss"] = iss;
        cases.push(("iss", c));
    }
    for roles in [json!(null), json!([]), json!(""), json!("superuser"), json!(["ppo", "superuser"]), json!([1]), json!({ "role": "ppo" })]
    {
        let mut c = idp.claims(now());
        c["vigil_roles"] = roles;
        cases.push(("roles", c));
    }
    let mut without = idp.claims(now());
    without.as_object_mut().unwrap().remove("vigil_roles");
    cases.push(("roles", without));
    for (what, claims) in cases {
        let err = refused(&v, &idp.sign(&idp.header(), &claims)).await;
        assert!(matches!(err, TokenError::Invalid(_) | TokenError::MissingClaim(_)), "{what}: {claims} gave {err:?}");
    }
    // One role as a plain string is still a valid shape.
    let mut one = idp.claims(now());
    one["vigil_roles"] = json!("probation");
    assert_eq!(v.validate(&idp.sign(&idp.header(), &one), vigil::clock::now()).await.unwrap().roles.len(), 1);
}
