//! GOV.UK Frontend and MoJ Frontend, built at development time (`frontend/build.sh`) into
//! `static/` and embedded in the binary: no Node, no CDN at run time. Pages link each file with
//! `?v=<hash of all assets>`; a request carrying the current hash may be cached for a year.

use std::sync::OnceLock;

use axum::extract::{Path, Query};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use sha2::{Digest, Sha256};

#[derive(rust_embed::Embed)]
#[folder = "src/ui/static"]
struct Static;

/// The hash every page puts on its asset links (first 16 hex digits of SHA-256 over them all).
pub fn version() -> &'static str {
    static VERSION: OnceLock<String> = OnceLock::new();
    VERSION.get_or_init(|| {
        let mut names: Vec<_> = Static::iter().collect();
        names.sort();
        let mut hasher = Sha256::new();
        for name in names {
            hasher.update(name.as_bytes());
            if let Some(file) = Static::get(&name) {
                hasher.update(file.metadata.sha256_hash());
            }
        }
        hex::encode(&hasher.finalize()[..8])
    })
}

#[derive(serde::Deserialize)]
pub struct Versioned {
    v: Option<String>,
}

pub async fn serve(Path(path): Path<String>, Query(q): Query<Versioned>) -> Response {
    let Some(file) = Static::get(&path) else {
        return StatusCode::NOT_FOUND.into_response();
    };
    let kind = match path.rsplit_once('.').map(|(_, ext)| ext) {
        Some("css") => "text/css; charset=utf-8",
        Some("js" | "mjs") => "text/javascript; charset=utf-8",
        Some("svg") => "image/svg+xml",
        Some("ico") => "image/x-icon",
        Some("txt") => "text/plain; charset=utf-8",
        _ => "application/octet-stream",
    };
    let cache = if q.v.as_deref() == Some(version()) { "public, max-age=31536000, immutable" } else { "no-cache" };
    let mut response = file.data.into_owned().into_response();
    let headers = response.headers_mut();
    headers.insert(header::CONTENT_TYPE, HeaderValue::from_static(kind));
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static(cache));
    response
}
