//! One transaction per request: the device is locked, brought up to its clock, changed by the
//! request, and (with a store) what changed is saved before the answer, in the order the lock
//! was taken. What the request announced is handed on only once it is saved. A failed save
//! makes every later request say so.

use std::future::Future;
use std::sync::{Arc, Mutex, OnceLock};

use tokio::sync::{mpsc, oneshot};

use super::Device;
use crate::error::{ApiError, ApiResult};

/// Where a device's changes are saved (a folder's SQLite database, say).
pub trait Saver<U>: Send + 'static {
    fn save(&self, unsaved: &U) -> impl Future<Output = Result<(), String>> + Send;
}

/// One request's changes and announcements, on their way to the saver.
struct Batch<D: Device> {
    unsaved: D::Unsaved,
    published: Vec<D::Published>,
    ack: oneshot::Sender<Result<(), String>>,
}

pub struct Transactor<D: Device> {
    device: Mutex<D>,
    writer: Option<mpsc::UnboundedSender<Batch<D>>>,
    broken: Arc<OnceLock<String>>,
    /// Where announcements go once saved (webhook delivery, say).
    publish: Option<mpsc::UnboundedSender<D::Published>>,
}

impl<D: Device> Transactor<D> {
    /// A device kept in memory only.
    pub fn in_memory(device: D, publish: Option<mpsc::UnboundedSender<D::Published>>) -> Self {
        Transactor {
            device: Mutex::new(device),
            writer: None,
            broken: Arc::new(OnceLock::new()),
            publish,
        }
    }

    /// A device whose every change `saver` saves before the request is answered.
    pub fn saved_by(
        device: D,
        saver: impl Saver<D::Unsaved>,
        publish: Option<mpsc::UnboundedSender<D::Published>>,
    ) -> Self {
        let (tx, mut rx) = mpsc::unbounded_channel::<Batch<D>>();
        let broken = Arc::new(OnceLock::new());
        {
            let (publish, broken) = (publish.clone(), broken.clone());
            tokio::spawn(async move {
                while let Some(batch) = rx.recv().await {
                    let saved = saver.save(&batch.unsaved).await;
                    match &saved {
                        Ok(()) => send_all(&publish, batch.published),
                        Err(e) => {
                            let _ = broken.set(e.clone());
                        }
                    }
                    let _ = batch.ack.send(saved);
                }
            });
        }
        Transactor {
            device: Mutex::new(device),
            writer: Some(tx),
            broken,
            publish,
        }
    }

    /// Runs one request against the device: brings it up to its clock, applies `f`, then saves
    /// what changed (when a saver is set) before answering. The device is locked for `f` only.
    pub async fn apply<T>(&self, f: impl FnOnce(&mut D) -> ApiResult<T>) -> ApiResult<T> {
        if let Some(e) = self.broken.get() {
            return Err(ApiError::new(
                500,
                format!("The sandbox could not save its state ({e}); restart it."),
            ));
        }
        let (result, saved) = {
            let mut d = self
                .device
                .lock()
                .unwrap_or_else(|poisoned| poisoned.into_inner());
            d.catch_up();
            let result = f(&mut d);
            let published = d.take_published();
            match (&self.writer, d.take_unsaved()) {
                (Some(writer), Some(unsaved)) => {
                    let (ack, saved) = oneshot::channel();
                    let _ = writer.send(Batch {
                        unsaved,
                        published,
                        ack,
                    });
                    (result, Some(saved))
                }
                _ => {
                    send_all(&self.publish, published);
                    (result, None)
                }
            }
        };
        if let Some(saved) = saved {
            match saved.await {
                Ok(Ok(())) => {}
                Ok(Err(e)) => {
                    return Err(ApiError::new(
                        500,
                        format!("The sandbox could not save this change ({e})."),
                    ));
                }
                Err(_) => return Err(ApiError::new(500, "The sandbox's writer has stopped.")),
            }
        }
        result
    }

    /// Whether changes are saved.
    pub fn saves(&self) -> bool {
        self.writer.is_some()
    }

    /// Time passes without requests too: once a second the device catches up with its clock
    /// (what falls due fires within a second of its moment), for as long as it is served.
    pub fn tick_every_second(self: &Arc<Self>) {
        let ticking = Arc::downgrade(self);
        tokio::spawn(async move {
            let mut tick = tokio::time::interval(std::time::Duration::from_secs(1));
            loop {
                tick.tick().await;
                match ticking.upgrade() {
                    Some(t) => {
                        let _ = t.apply(|_| Ok(())).await;
                    }
                    None => break,
                }
            }
        });
    }
}

fn send_all<P>(to: &Option<mpsc::UnboundedSender<P>>, items: Vec<P>) {
    if let Some(tx) = to {
        for item in items {
            let _ = tx.send(item);
        }
    }
}
