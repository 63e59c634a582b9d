//! Group commit for the audit entries of reads (issue 18). A consultation's entry is committed
//! on its own, after the read; with many readers those commits queued one by one for the single
//! writing connection. Here one task takes every entry waiting and inserts them in one
//! statement, one commit, then tells each waiting request whether its entry is on the record.
//! A request still returns nothing unless its own entry was committed (fail-closed): the batch
//! succeeds or fails as a whole, and each of its requests hears which.

use entities::audit_event;
use sea_orm::{DatabaseConnection, EntityTrait};
use tokio::sync::{mpsc, oneshot};

/// The most entries one statement carries (under every engine's limit on bound values).
const MAX_BATCH: usize = 128;

type Waiting = (audit_event::ActiveModel, oneshot::Sender<Result<(), String>>);

/// The sending half, cloned into the service's context.
#[derive(Clone)]
pub struct Batcher {
    queue: mpsc::Sender<Waiting>,
}

impl Batcher {
    /// Starts the task that writes through `writer`. It ends when the last sender is dropped.
    pub fn start(writer: DatabaseConnection) -> Self {
        let (queue, mut waiting) = mpsc::channel::<Waiting>(4 * MAX_BATCH);
        tokio::spawn(async move {
            let mut batch = Vec::with_capacity(MAX_BATCH);
            while waiting.recv_many(&mut batch, MAX_BATCH).await > 0 {
                let (rows, replies): (Vec<_>, Vec<_>) = batch.drain(..).unzip();
                let outcome =
                    audit_event::Entity::insert_many(rows).exec_without_returning(&writer).await.map(|_| ()).map_err(|e| e.to_string());
                metrics::histogram!("vigil_audit_batch_entries").record(replies.len() as f64);
                for reply in replies {
                    // A request that gave up waiting has nobody to tell.
                    let _ = reply.send(outcome.clone());
                }
            }
        });
        Self { queue }
    }

    /// Queues `row` and waits until it is committed, or its batch failed.
    pub async fn commit(&self, row: audit_event::ActiveModel) -> Result<(), String> {
        let (reply, answer) = oneshot::channel();
        self.queue.send((row, reply)).await.map_err(|_| "the audit writer has stopped".to_owned())?;
        answer.await.map_err(|_| "the audit writer has stopped".to_owned())?
    }
}
