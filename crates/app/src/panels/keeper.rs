//! The window's door keeper: while the app runs, the open community's panels get what waits for
//! them (the crews of permits that died or were re-dated since, whatever a panel that was away
//! still owes) and their door logs are copied, on a wall-clock tick and shortly after each
//! change to the permits (a sync brought a revoke), with Buzz-In reachable or not.

/// How often the panels are drained and their logs copied, at most.
pub const DOORS_TICK: std::time::Duration = std::time::Duration::from_secs(30);

impl crate::Session {
    /// Keeps the open community's panels in line for as long as the session lives.
    pub async fn keep_doors(&self) {
        self.keep_doing(DOORS_TICK, |community| async move {
            if !community.panel_records().is_ok_and(|r| !r.is_empty()) {
                return;
            }
            if let Err(e) = community.drain_panels().await {
                tracing::warn!("panels: {}", e.message);
            }
            if let Err(e) = community.pull_door_logs().await {
                tracing::warn!("door logs: {}", e.message);
            }
        })
        .await
    }
}
