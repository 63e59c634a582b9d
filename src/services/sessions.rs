//! Server-side browser sessions and pending logins, in the database so that every replica
//! shares them. The cookie carries 32 random bytes; only their SHA-256 is stored. A session
//! ends at logout, after the idle limit without a request, or at the absolute limit, whichever
//! comes first; an ended session is never revived.
//!
//! CSRF: state-changing requests made with the cookie must carry `X-CSRF-Token`, a value
//! derived from the session token (so only a page that could read `/auth/session` knows it)
//! and compared in constant time. SameSite=Lax already stops most cross-site posts; the token
//! covers the rest (same-site subdomains, older browsers).

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use chrono::{DateTime, Utc};
use entities::{login_attempt, web_session};
use rand::RngCore;
use sea_orm::{ActiveValue::Set, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, sea_query::Expr};
use sha2::{Digest, Sha256};
use subtle::ConstantTimeEq;
use uuid::Uuid;

use crate::auth::Role;
use crate::auth::login::{LoggedIn, PendingLogin};
use crate::crypto::{Crypto, columns};
use crate::services::ServiceResult;

pub const SESSION_COOKIE: &str = "__Host-vigil_session";
/// Binds a pending login to the browser that started it (stops login CSRF: an attacker's own
/// callback URL completed in a victim's browser).
pub const LOGIN_COOKIE: &str = "__Host-vigil_login";
pub const CSRF_HEADER: &str = "x-csrf-token";
/// A login must come back within this.
pub const LOGIN_TTL_MINUTES: i64 = 10;
/// `last_seen_at` is written at most this often, not on every request.
const TOUCH_SECONDS: i64 = 60;

pub fn random_token() -> String {
    let mut bytes = [0u8; 32];
    rand::rngs::OsRng.fill_bytes(&mut bytes);
    URL_SAFE_NO_PAD.encode(bytes)
}

pub fn hash(token: &str) -> String {
    hex::encode(Sha256::digest(token.as_bytes()))
}

/// The CSRF token of a session: derived from its secret token, never stored.
pub fn csrf_token(session_token: &str) -> String {
    URL_SAFE_NO_PAD.encode(Sha256::digest(format!("vigil-csrf\0{session_token}").as_bytes()))
}

pub fn csrf_matches(session_token: &str, presented: &str) -> bool {
    csrf_token(session_token).as_bytes().ct_eq(presented.as_bytes()).into()
}

/// Remembers an authorization request until its callback.
pub async fn remember_login(
    conn: &impl ConnectionTrait,
    crypto: &Crypto,
    state: &str,
    binding: &str,
    pending: &PendingLogin,
    return_to: &str,
    now: DateTime<Utc>,
) -> ServiceResult<()> {
    let id = Uuid::now_v7();
    login_attempt::Entity::insert(login_attempt::ActiveModel {
        id: Set(id),
        state_hash: Set(hash(state)),
        binding_hash: Set(hash(binding)),
        secrets_sealed: Set(crypto.seal_json(columns::LOGIN_SECRETS, id, pending)?),
        return_to: Set(return_to.to_owned()),
        created_at: Set(now),
        expires_at: Set(now + chrono::Duration::minutes(LOGIN_TTL_MINUTES)),
    })
    .exec_without_returning(conn)
    .await?;
    // Abandoned logins are cleared as new ones start.
    login_attempt::Entity::delete_many().filter(login_attempt::Column::ExpiresAt.lt(now)).exec(conn).await?;
    Ok(())
}

/// Takes the pending login for `state`: at most once (the row is deleted, and only the caller
/// whose delete removed it proceeds), only from the browser that started it, and only in time.
pub async fn take_login(
    conn: &impl ConnectionTrait,
    crypto: &Crypto,
    state: &str,
    binding: Option<&str>,
    now: DateTime<Utc>,
) -> ServiceResult<Option<(PendingLogin, String)>> {
    let Some(row) = login_attempt::Entity::find().filter(login_attempt::Column::StateHash.eq(hash(state))).one(conn).await? else {
        return Ok(None);
    };
    let deleted = login_attempt::Entity::delete_by_id(row.id).exec(conn).await?;
    let bound = binding.is_some_and(|b| bool::from(hash(b).as_bytes().ct_eq(row.binding_hash.as_bytes())));
    if deleted.rows_affected != 1 || !bound || row.expires_at < now {
        return Ok(None);
    }
    let pending: PendingLogin = crypto.open_json(columns::LOGIN_SECRETS, row.id, &row.secrets_sealed)?;
    Ok(Some((pending, row.return_to)))
}

pub struct Limits {
    pub idle: chrono::Duration,
    pub absolute: chrono::Duration,
    /// How often the provider is asked whether the session still holds.
    pub revalidate: chrono::Duration,
}

/// Why a session ended, as recorded in `ended_reason`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EndReason {
    Logout,
    Idle,
    Absolute,
    /// A newer login in the same browser replaced it.
    Replaced,
    /// The provider's back-channel logout.
    ProviderLogout,
    /// The provider refused to confirm it (account disabled, session ended at the provider).
    RevalidationRefused,
    /// The provider could not be asked for longer than the grace period.
    RevalidationUnavailable,
    /// An administrator ended it.
    Revoked,
}

impl EndReason {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Logout => "logout",
            Self::Idle => "idle",
            Self::Absolute => "absolute",
            Self::Replaced => "replaced",
            Self::ProviderLogout => "provider_logout",
            Self::RevalidationRefused => "revalidation_refused",
            Self::RevalidationUnavailable => "revalidation_unavailable",
            Self::Revoked => "revoked",
        }
    }
}

/// Starts a session and returns its cookie token. Any session the browser already had is
/// ended: a login always gets a fresh token (no session fixation).
pub async fn start(
    conn: &impl ConnectionTrait,
    crypto: &Crypto,
    issuer: &str,
    login: &LoggedIn,
    previous: Option<&str>,
    limits: &Limits,
    now: DateTime<Utc>,
) -> ServiceResult<String> {
    if let Some(old) = previous {
        end(conn, old, EndReason::Replaced, now).await?;
    }
    let token = random_token();
    let id = Uuid::now_v7();
    web_session::Entity::insert(web_session::ActiveModel {
        id: Set(id),
        token_hash: Set(hash(&token)),
        issuer: Set(issuer.to_owned()),
        subject: Set(login.subject.clone()),
        roles: Set(login.roles.iter().map(|r| r.as_str()).collect::<Vec<_>>().join(" ")),
        org: Set(login.org.clone()),
        auth_time: Set(login.auth_time),
        id_token_sealed: Set(crypto.seal_str(columns::SESSION_ID_TOKEN, id, &login.id_token)?),
        created_at: Set(now),
        last_seen_at: Set(now),
        expires_at: Set(now + limits.absolute),
        ended_at: Set(None),
        sid: Set(login.sid.clone()),
        refresh_sealed: Set(login.refresh_token.as_ref().map(|t| crypto.seal_str(columns::SESSION_REFRESH_TOKEN, id, t)).transpose()?),
        revalidated_at: Set(Some(now)),
        revalidate_after: Set(Some(now + limits.revalidate)),
        ended_reason: Set(None),
    })
    .exec_without_returning(conn)
    .await?;
    web_session::Entity::delete_many().filter(web_session::Column::ExpiresAt.lt(now - chrono::Duration::days(1))).exec(conn).await?;
    Ok(token)
}

/// Who holds a live session.
#[derive(Debug, Clone)]
pub struct SessionIdentity {
    pub id: Uuid,
    pub issuer: String,
    pub subject: String,
    pub roles: Vec<Role>,
    pub org: String,
    pub auth_time: DateTime<Utc>,
    pub expires_at: DateTime<Utc>,
    pub idle_expires_at: DateTime<Utc>,
    /// The provider must be asked again before this session is trusted further.
    pub revalidation_due: bool,
    pub revalidated_at: DateTime<Utc>,
}

/// The live session for a cookie token, refreshing its idle clock; `None` when unknown, ended,
/// idle too long or past its absolute limit (then it is ended for good).
pub async fn resume(
    conn: &impl ConnectionTrait,
    token: &str,
    limits: &Limits,
    now: DateTime<Utc>,
) -> ServiceResult<Option<SessionIdentity>> {
    let Some(row) = web_session::Entity::find().filter(web_session::Column::TokenHash.eq(hash(token))).one(conn).await? else {
        return Ok(None);
    };
    if row.ended_at.is_some() {
        return Ok(None);
    }
    if row.expires_at <= now || row.last_seen_at + limits.idle <= now {
        let reason = if row.expires_at <= now { EndReason::Absolute } else { EndReason::Idle };
        end(conn, token, reason, now).await?;
        return Ok(None);
    }
    let mut last_seen = row.last_seen_at;
    if (now - row.last_seen_at).num_seconds() >= TOUCH_SECONDS {
        web_session::Entity::update_many()
            .col_expr(web_session::Column::LastSeenAt, Expr::value(now))
            .filter(web_session::Column::Id.eq(row.id))
            .exec(conn)
            .await?;
        last_seen = now;
    }
    Ok(Some(SessionIdentity {
        id: row.id,
        issuer: row.issuer,
        subject: row.subject,
        roles: row.roles.split_whitespace().filter_map(Role::parse).collect(),
        org: row.org,
        auth_time: row.auth_time,
        expires_at: row.expires_at,
        idle_expires_at: (last_seen + limits.idle).min(row.expires_at),
        revalidation_due: row.revalidate_after.is_none_or(|at| at <= now),
        revalidated_at: row.revalidated_at.unwrap_or(row.created_at),
    }))
}

/// Ends a session; returns its ID token (for the provider's logout) if it was live.
pub async fn end(
    conn: &impl ConnectionTrait,
    token: &str,
    reason: EndReason,
    now: DateTime<Utc>,
) -> ServiceResult<Option<(Uuid, Vec<u8>)>> {
    let Some(row) = web_session::Entity::find().filter(web_session::Column::TokenHash.eq(hash(token))).one(conn).await? else {
        return Ok(None);
    };
    let ended = end_by_id(conn, row.id, reason, now).await?;
    Ok(ended.then_some((row.id, row.id_token_sealed)))
}

/// Ends one session by id; true if it was live.
pub async fn end_by_id(conn: &impl ConnectionTrait, id: Uuid, reason: EndReason, now: DateTime<Utc>) -> ServiceResult<bool> {
    Ok(end_where(conn, web_session::Column::Id.eq(id), reason, now).await? == 1)
}

/// Ends every live session matching `filter`; returns how many.
pub async fn end_where(
    conn: &impl ConnectionTrait,
    filter: impl sea_orm::sea_query::IntoCondition,
    reason: EndReason,
    now: DateTime<Utc>,
) -> ServiceResult<u64> {
    let ended = web_session::Entity::update_many()
        .col_expr(web_session::Column::EndedAt, Expr::value(now))
        .col_expr(web_session::Column::EndedReason, Expr::value(reason.as_str()))
        .filter(filter)
        .filter(web_session::Column::EndedAt.is_null())
        .exec(conn)
        .await?;
    Ok(ended.rows_affected)
}

/// Claims the revalidation of a session for this request: only one request, on one replica,
/// asks the provider; the others go on with what the session holds. The next one is put off
/// to `next` whatever happens, so a failing provider is not asked on every request.
pub async fn claim_revalidation(conn: &impl ConnectionTrait, id: Uuid, now: DateTime<Utc>, next: DateTime<Utc>) -> ServiceResult<bool> {
    let claimed = web_session::Entity::update_many()
        .col_expr(web_session::Column::RevalidateAfter, Expr::value(next))
        .filter(web_session::Column::Id.eq(id))
        .filter(web_session::Column::EndedAt.is_null())
        .filter(
            sea_orm::Condition::any()
                .add(web_session::Column::RevalidateAfter.is_null())
                .add(web_session::Column::RevalidateAfter.lte(now)),
        )
        .exec(conn)
        .await?;
    Ok(claimed.rows_affected == 1)
}

/// Asks the provider again sooner than the full interval (it could not be reached).
pub async fn retry_revalidation(conn: &impl ConnectionTrait, id: Uuid, at: DateTime<Utc>) -> ServiceResult<()> {
    web_session::Entity::update_many()
        .col_expr(web_session::Column::RevalidateAfter, Expr::value(at))
        .filter(web_session::Column::Id.eq(id))
        .exec(conn)
        .await?;
    Ok(())
}

/// The session's sealed refresh token, opened.
pub async fn refresh_token(conn: &impl ConnectionTrait, crypto: &Crypto, id: Uuid) -> ServiceResult<Option<zeroize::Zeroizing<String>>> {
    let row = web_session::Entity::find_by_id(id).one(conn).await?;
    let Some(sealed) = row.and_then(|r| r.refresh_sealed) else { return Ok(None) };
    Ok(Some(zeroize::Zeroizing::new(crypto.open_str(columns::SESSION_REFRESH_TOKEN, id, &sealed)?)))
}

/// Records what the provider confirmed: the person's current roles and organisation, and the
/// rotated refresh token if there is one.
pub async fn confirmed(
    conn: &impl ConnectionTrait,
    crypto: &Crypto,
    id: Uuid,
    roles: &[Role],
    org: &str,
    refresh: Option<&str>,
    now: DateTime<Utc>,
) -> ServiceResult<()> {
    let mut update = web_session::Entity::update_many()
        .col_expr(web_session::Column::Roles, Expr::value(roles.iter().map(|r| r.as_str()).collect::<Vec<_>>().join(" ")))
        .col_expr(web_session::Column::Org, Expr::value(org))
        .col_expr(web_session::Column::RevalidatedAt, Expr::value(now));
    if let Some(token) = refresh {
        update =
            update.col_expr(web_session::Column::RefreshSealed, Expr::value(crypto.seal_str(columns::SESSION_REFRESH_TOKEN, id, token)?));
    }
    update.filter(web_session::Column::Id.eq(id)).filter(web_session::Column::EndedAt.is_null()).exec(conn).await?;
    Ok(())
}

pub fn open_id_token(crypto: &Crypto, id: Uuid, sealed: &[u8]) -> ServiceResult<zeroize::Zeroizing<String>> {
    Ok(zeroize::Zeroizing::new(crypto.open_str(columns::SESSION_ID_TOKEN, id, sealed)?))
}

/// Ends, in one transaction, the sessions a verified back-channel logout token names, and
/// remembers its `jti`: a failure leaves the token usable when the provider retries. `None` if
/// this token was already used.
pub async fn provider_logout(
    db: &sea_orm::DatabaseConnection,
    issuer: &str,
    claims: &crate::auth::backchannel::LogoutClaims,
    now: DateTime<Utc>,
) -> ServiceResult<Option<u64>> {
    let txn = super::tx::begin_write(db).await?;
    let applied = end_for_provider_logout(&txn, issuer, claims, now).await?;
    txn.commit().await?;
    Ok(applied)
}

/// Ends the sessions a verified logout token names; `None` if this token was already used.
pub async fn end_for_provider_logout(
    conn: &impl sea_orm::ConnectionTrait,
    issuer: &str,
    claims: &crate::auth::backchannel::LogoutClaims,
    now: DateTime<Utc>,
) -> ServiceResult<Option<u64>> {
    use entities::{backchannel_logout, web_session};
    use sea_orm::{ActiveValue::Set, ColumnTrait, Condition, EntityTrait, QueryFilter};

    backchannel_logout::Entity::delete_many().filter(backchannel_logout::Column::ExpiresAt.lt(now)).exec(conn).await?;
    let remembered = backchannel_logout::Entity::insert(backchannel_logout::ActiveModel {
        jti_hash: Set(hash(&format!("{issuer}\0{}", claims.jti))),
        expires_at: Set(claims.remember_until),
    })
    .exec_without_returning(conn)
    .await;
    match remembered {
        Ok(_) => {}
        Err(err) if matches!(err.sql_err(), Some(sea_orm::SqlErr::UniqueConstraintViolation(_))) => return Ok(None),
        Err(err) => return Err(err.into()),
    }
    // With a `sid`, only that provider session's sessions (of that person, if named);
    // with only `sub`, every session of the person from this provider.
    let mut which = Condition::all().add(web_session::Column::Issuer.eq(issuer));
    if let Some(sid) = &claims.sid {
        which = which.add(web_session::Column::Sid.eq(sid.as_str()));
    }
    if let Some(subject) = &claims.subject {
        which = which.add(web_session::Column::Subject.eq(subject.as_str()));
    }
    let ended = end_where(conn, which, EndReason::ProviderLogout, now).await?;
    Ok(Some(ended))
}
