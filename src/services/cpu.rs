//! CPU-bound work (validating, normalising, sealing and blind-indexing a whole record) runs on
//! tokio's blocking pool, not on the async workers. On two cores there are two async workers:
//! two requests with the largest allowed body, sealed and indexed inline, would leave nothing to
//! answer a health check or a read until they finished (`bench/stall.sh` measures it).

use super::{ServiceError, ServiceResult};

/// Runs `work` on the blocking pool and waits for it without holding an async worker.
pub async fn off_workers<T: Send + 'static>(work: impl FnOnce() -> ServiceResult<T> + Send + 'static) -> ServiceResult<T> {
    match tokio::task::spawn_blocking(work).await {
        Ok(result) => result,
        Err(_) => Err(ServiceError::Internal("a sealing task failed")),
    }
}
