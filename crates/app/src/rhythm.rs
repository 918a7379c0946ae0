//! The window's background rhythm: work on the open community at once, on a wall-clock tick, and
//! shortly after each change to the permits (a sync writes in batches, so it settles first), on
//! whichever community is open, for as long as the session lives. The alerts and the door keeper
//! both run on it.

use std::future::Future;
use std::sync::Arc;
use std::time::Duration;

use crate::Community;

/// How long after a change to the permits the work runs.
const SETTLE: Duration = Duration::from_millis(500);

enum Wake {
    Tick,
    Changed,
    Switched,
    Closed,
}

impl crate::Session {
    /// Runs `work` on the open community at once, every `tick` (a wall-clock tick: a laptop that
    /// slept catches up within it of waking), and shortly after each change to the permits.
    pub(crate) async fn keep_doing<F, Fut>(&self, tick: Duration, mut work: F)
    where
        F: FnMut(Arc<Community>) -> Fut,
        Fut: Future<Output = ()>,
    {
        let mut switched = self.switched();
        loop {
            let community = self.community().await;
            let mut writes = community.writes();
            loop {
                work(community.clone()).await;
                let woke = tokio::select! {
                    _ = tokio::time::sleep(tick) => Wake::Tick,
                    w = permits_changed(&mut writes) => w,
                    s = switched.changed() => if s.is_ok() { Wake::Switched } else { return },
                };
                match woke {
                    Wake::Tick => {}
                    Wake::Changed => tokio::time::sleep(SETTLE).await,
                    Wake::Switched | Wake::Closed => break,
                }
            }
            switched.borrow_and_update();
        }
    }
}

/// The next write to the permits (a missed one counts).
async fn permits_changed(
    writes: &mut tokio::sync::broadcast::Receiver<gatehouse_cache::Committed>,
) -> Wake {
    use tokio::sync::broadcast::error::RecvError;
    loop {
        match writes.recv().await {
            Ok(gatehouse_cache::Committed::Permits(_)) | Err(RecvError::Lagged(_)) => {
                return Wake::Changed;
            }
            Ok(_) => {}
            Err(RecvError::Closed) => return Wake::Closed,
        }
    }
}
