//! Keeping a live browser session true to the identity provider (catalogue A19, Z07; ASVS
//! 7.4.2, 8.3.2). A session copies the person's roles at login; without this, a person disabled
//! at the provider, or a role taken away, would keep working until the idle or absolute limit.
//!
//! Two paths end or correct a session:
//! - the provider's **back-channel logout** (`http::backchannel`) ends it at once;
//! - **revalidation**: once per `oidc.session_revalidate_seconds` (60 s by default) the next
//!   request redeems the session's refresh token at the provider. A refusal (account disabled,
//!   session ended there) ends the session and that request gets 401; a fresh ID token replaces
//!   the roles and organisation, so a removed role stops working on that request.
//!
//! Either way the person's verified bearer tokens are forgotten (`auth::token_cache`) whenever
//! the provider ends the session or changes what it confirms, so that their next API request
//! is checked afresh rather than served from what was verified before.
//!
//! If the provider cannot be reached, the session goes on with what it holds and is retried
//! every 30 s; after [`GRACE`] without a confirmation it ends (fail closed). A session without a
//! refresh token cannot be confirmed and ends when its first revalidation falls due.

use chrono::{DateTime, Utc};
use sea_orm::ConnectionTrait;

use super::login::{Login, LoginError};
use super::token_cache::TokenCache;
use crate::crypto::Crypto;
use crate::services::ServiceResult;
use crate::services::sessions::{self, EndReason, SessionIdentity};

/// How long a session may go on without the provider confirming it, when the provider cannot
/// be reached.
pub const GRACE: chrono::Duration = chrono::Duration::minutes(10);
/// How soon an unreachable provider is asked again.
const RETRY: chrono::Duration = chrono::Duration::seconds(30);

/// The session as the provider now sees it: unchanged when no revalidation is due, with the
/// confirmed roles after one, or `None` when it has ended.
/// Whenever the session ends here or comes back with other roles or another organisation, the
/// person's verified bearer tokens are forgotten.
pub async fn current(
    conn: &impl ConnectionTrait,
    crypto: &Crypto,
    login: &Login,
    cache: &TokenCache,
    session: SessionIdentity,
    now: DateTime<Utc>,
) -> ServiceResult<Option<SessionIdentity>> {
    let (issuer, subject, roles, org) = (session.issuer.clone(), session.subject.clone(), session.roles.clone(), session.org.clone());
    let outcome = confirm(conn, crypto, login, session, now).await?;
    if outcome.as_ref().is_none_or(|s| s.roles != roles || s.org != org) {
        cache.forget_subject(&issuer, &subject);
    }
    Ok(outcome)
}

async fn confirm(
    conn: &impl ConnectionTrait,
    crypto: &Crypto,
    login: &Login,
    mut session: SessionIdentity,
    now: DateTime<Utc>,
) -> ServiceResult<Option<SessionIdentity>> {
    if !session.revalidation_due {
        return Ok(Some(session));
    }
    if !sessions::claim_revalidation(conn, session.id, now, now + login.settings.revalidate_every).await? {
        // Another request is asking the provider at this moment; this one goes on as the
        // session stood a moment ago.
        return Ok(Some(session));
    }
    let Some(refresh) = sessions::refresh_token(conn, crypto, session.id).await? else {
        tracing::warn!(session = %session.id, "session has no refresh token and cannot be revalidated; ending it");
        sessions::end_by_id(conn, session.id, EndReason::RevalidationRefused, now).await?;
        return Ok(None);
    };
    match login.revalidate(&refresh, &session.subject, now).await {
        Ok(confirmed) => {
            let rotated = confirmed.refresh_token.as_ref().map(|t| t.as_str());
            sessions::confirmed(conn, crypto, session.id, &confirmed.roles, &confirmed.org, rotated, now).await?;
            session.roles = confirmed.roles;
            session.org = confirmed.org;
            session.revalidated_at = now;
            Ok(Some(session))
        }
        Err(LoginError::Provider(reason) | LoginError::Exchange(reason)) => {
            if now - session.revalidated_at > GRACE {
                tracing::warn!(session = %session.id, %reason, "identity provider unreachable past the grace period; ending the session");
                sessions::end_by_id(conn, session.id, EndReason::RevalidationUnavailable, now).await?;
                return Ok(None);
            }
            tracing::warn!(session = %session.id, %reason, "identity provider unreachable; session kept within the grace period");
            sessions::retry_revalidation(conn, session.id, now + RETRY).await?;
            Ok(Some(session))
        }
        Err(refused) => {
            tracing::info!(session = %session.id, reason = %refused, "identity provider no longer confirms the session; ending it");
            sessions::end_by_id(conn, session.id, EndReason::RevalidationRefused, now).await?;
            Ok(None)
        }
    }
}
