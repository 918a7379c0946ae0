//! The window's telling loop: the open community's due alerts, told at once, on a wall-clock
//! tick and shortly after the permits change (`crate::rhythm`), held back while the tray pauses
//! them.

use crate::Notifier;

/// How often the window tells what is due, at most: a wall-clock tick, so a laptop that slept
/// catches up within this of waking (one long sleep would stall across the suspend).
pub const ALERT_TICK: std::time::Duration = std::time::Duration::from_secs(60);

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
        self.keep_doing(ALERT_TICK, |community| {
            let held = paused
                .borrow()
                .is_some_and(|until| std::time::Instant::now() < until);
            let notifier = notifier.clone();
            async move {
                if !held && let Err(e) = community.tell_due(None, &notifier).await {
                    tracing::warn!("alerts: {}", e.message);
                }
            }
        })
        .await
    }
}
