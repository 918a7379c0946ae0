//! The window's telling loop: the open community's due alerts, told at once, on a wall-clock
//! tick and shortly after the permits change, held back while the tray pauses them.

use crate::Notifier;

/// How often the window tells what is due, at most: a wall-clock tick, so a laptop that slept
/// catches up within this of waking (one long sleep would stall across the suspend).
pub const ALERT_TICK: std::time::Duration = std::time::Duration::from_secs(60);

/// How long after a change to the permits the alerts are looked at (a sync writes in batches).
const SETTLE: std::time::Duration = std::time::Duration::from_millis(500);

impl crate::Session {
    /// Tells the open community's due alerts through `notifier`, for as long as the session
    /// lives: at once, every [`ALERT_TICK`], and shortly after each change to the permits (a
    /// sync brought new ends, or a permit was extended), on whichever community is open.
    /// `paused` holds alerts back until the moment it names (the tray's "Pause alerts").
    pub async fn tell_alerts(
        &self,
        notifier: Notifier,
        paused: tokio::sync::watch::Receiver<Option<std::time::Instant>>,
    ) {
        let mut switched = self.switched();
        loop {
            let community = self.community().await;
            let mut writes = community.writes();
            loop {
                let held = paused
                    .borrow()
                    .is_some_and(|until| std::time::Instant::now() < until);
                if !held && let Err(e) = community.tell_due(None, &notifier).await {
                    tracing::warn!("alerts: {}", e.message);
                }
                let woke = tokio::select! {
                    _ = tokio::time::sleep(ALERT_TICK) => Wake::Tick,
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

enum Wake {
    Tick,
    Changed,
    Switched,
    Closed,
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
