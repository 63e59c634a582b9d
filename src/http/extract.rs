//! Extractors: the authenticated [`Caller`] and [`AppJson`], a JSON body whose every rejection is
//! a problem+json naming the field.

use axum::body::Bytes;
use axum::extract::{FromRequest, FromRequestParts, Request};
use axum::http::request::Parts;
use axum::http::{StatusCode, header};
use serde::de::DeserializeOwned;

use super::error::ApiError;
use crate::auth::Caller;

impl<S: Send + Sync> FromRequestParts<S> for Caller {
    type Rejection = ApiError;

    /// The policy middleware authenticates and authorises every `/api` route before the
    /// handler runs and leaves the caller in the request extensions.
    async fn from_request_parts(parts: &mut Parts, _state: &S) -> Result<Self, Self::Rejection> {
        parts.extensions.get::<Caller>().cloned().ok_or_else(|| ApiError::unauthenticated("a bearer token is required"))
    }
}

/// axum's `Path`, but a path parameter that does not parse (an id that is not a UUID) answers
/// with a problem+json naming the parameter, like every other bad input, not axum's plain text.
#[derive(axum::extract::FromRequestParts)]
#[from_request(via(axum::extract::Path), rejection(ApiError))]
pub struct Path<T>(pub T);

impl From<axum::extract::rejection::PathRejection> for ApiError {
    fn from(rejection: axum::extract::rejection::PathRejection) -> Self {
        use axum::extract::path::ErrorKind;
        let field = match &rejection {
            axum::extract::rejection::PathRejection::FailedToDeserializePathParams(e) => match e.kind() {
                ErrorKind::ParseErrorAtKey { key, .. } | ErrorKind::InvalidUtf8InPathParam { key } => key.clone(),
                _ => "id".to_owned(),
            },
            _ => "id".to_owned(),
        };
        ApiError::new(StatusCode::BAD_REQUEST, "invalid_path", "Invalid path", "a path parameter is not in the expected form (a UUID)")
            .with_field(field)
    }
}

pub struct AppJson<T>(pub T);

impl<S: Send + Sync, T: DeserializeOwned> FromRequest<S> for AppJson<T> {
    type Rejection = ApiError;

    async fn from_request(req: Request, state: &S) -> Result<Self, Self::Rejection> {
        let is_json = req
            .headers()
            .get(header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .is_some_and(|v| v.split(';').next().is_some_and(|m| m.trim().eq_ignore_ascii_case("application/json")));
        if !is_json {
            return Err(ApiError::new(
                StatusCode::UNSUPPORTED_MEDIA_TYPE,
                "unsupported_media_type",
                "Unsupported media type",
                "send application/json",
            ));
        }
        let bytes = Bytes::from_request(req, state).await.map_err(|rejection| {
            if rejection.status() == StatusCode::PAYLOAD_TOO_LARGE {
                ApiError::new(StatusCode::PAYLOAD_TOO_LARGE, "body_too_large", "Body too large", "the request body exceeds the size limit")
            } else {
                ApiError::new(StatusCode::BAD_REQUEST, "unreadable_body", "Unreadable body", "the request body could not be read")
            }
        })?;
        let mut deserializer = serde_json::Deserializer::from_slice(&bytes);
        let value = serde_path_to_error::deserialize(&mut deserializer).map_err(|err| json_problem(&err))?;
        deserializer.end().map_err(|_| {
            ApiError::new(StatusCode::BAD_REQUEST, "malformed_json", "Malformed JSON", "trailing data after the JSON value")
        })?;
        Ok(Self(value))
    }
}

/// Names the field serde stopped at. For unknown or duplicate keys serde reports the key in its
/// message, which never contains the submitted value, only the key.
fn json_problem(err: &serde_path_to_error::Error<serde_json::Error>) -> ApiError {
    let path = err.path().to_string();
    let inner = err.inner();
    let message = inner.to_string();
    let key = message.split('`').nth(1).map(str::to_owned);
    // serde_path_to_error's path already ends with an unknown or duplicate key.
    let join = |key: &str| {
        if path == "." || path.is_empty() {
            key.to_owned()
        } else if path == key || path.ends_with(&format!(".{key}")) {
            path.clone()
        } else {
            format!("{path}.{key}")
        }
    };
    let (code, field, detail) = if message.starts_with("unknown field") {
        ("unknown_field", key.as_deref().map(join).unwrap_or(path.clone()), "this field is not accepted here".to_owned())
    } else if message.starts_with("duplicate field") {
        ("duplicate_field", key.as_deref().map(join).unwrap_or(path.clone()), "this field appears more than once".to_owned())
    } else if message.starts_with("missing field") {
        ("missing_field", key.as_deref().map(join).unwrap_or(path.clone()), "this field is required".to_owned())
    } else if inner.is_syntax() || inner.is_eof() {
        ("malformed_json", path.clone(), "the body is not valid JSON".to_owned())
    } else {
        // Type errors: serde's message names the expected type, e.g. "invalid type: string,
        // expected i32" or "unknown variant `x`, expected one of ..."; keep only what follows
        // "expected", which describes the schema, not the input.
        let expected = message.split("expected").nth(1).map(|s| s.split(" at line").next().unwrap_or(s).trim().to_owned());
        ("invalid_value", path.clone(), expected.map(|e| format!("expected {e}")).unwrap_or_else(|| "has the wrong type or format".into()))
    };
    let field = if field == "." || field.is_empty() { "body".to_owned() } else { field };
    let status = if code == "malformed_json" { StatusCode::BAD_REQUEST } else { StatusCode::UNPROCESSABLE_ENTITY };
    ApiError::new(status, code, "Invalid request body", detail).with_field(field)
}

/// A query string, parsed by serde like axum's `Query`, whose every rejection is a problem+json
/// that names the parameter and never repeats what was sent (a query string can carry a name or
/// a phone number, and the problem may be logged or shown).
pub struct Query<T>(pub T);

impl<T: DeserializeOwned, S: Send + Sync> FromRequestParts<S> for Query<T> {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, _state: &S) -> Result<Self, Self::Rejection> {
        let raw = parts.uri.query().unwrap_or_default();
        let deserializer = serde_urlencoded::Deserializer::new(form_urlencoded::parse(raw.as_bytes()));
        serde_path_to_error::deserialize(deserializer).map(Query).map_err(|err| query_problem(&err))
    }
}

fn query_problem(err: &serde_path_to_error::Error<serde_urlencoded::de::Error>) -> ApiError {
    // A name the client sent is only repeated when it looks like one of our parameter names.
    let parameter = |name: &str| {
        let ours = !name.is_empty() && name.len() <= 40 && name.bytes().all(|b| b.is_ascii_lowercase() || b == b'_');
        if ours { name.to_owned() } else { "query".to_owned() }
    };
    let message = err.inner().to_string();
    let backticked = |prefix: &str| message.strip_prefix(prefix).and_then(|rest| rest.split('`').next()).map(str::to_owned);
    let path = err.path().to_string();
    let (field, detail) = if let Some(name) = backticked("unknown field `") {
        (parameter(&name), "is not a parameter of this operation")
    } else if let Some(name) = backticked("missing field `") {
        (parameter(&name), "is required")
    } else if path != "." && !path.is_empty() {
        (parameter(&path), "is not a valid value for this parameter")
    } else {
        ("query".to_owned(), "the query string could not be read")
    };
    ApiError::new(StatusCode::BAD_REQUEST, "invalid_query", "Invalid query", detail).with_field(field)
}

/// A page size, by the one rule in [`domain::paging`].
pub fn limit(value: Option<u64>) -> Result<u64, ApiError> {
    domain::paging::page_size(value)
        .map_err(|detail| ApiError::new(StatusCode::BAD_REQUEST, "out_of_range", "Invalid query", detail).with_field("limit"))
}
