//! Change events for the webview: every committed cache write and every step of the sync engine
//! becomes one `gatehouse://changed` event (at most one per 150 ms), telling the open views what
//! to read again. The payload says which kinds of rows changed; the views fetch what they show.

use std::sync::Arc;
use std::time::Duration;

use gatehouse_app::{Changed, Community};
use gatehouse_cache::Change;
use tauri::{AppHandle, Emitter};
use tokio::sync::broadcast::error::RecvError;

pub const CHANGED: &str = "gatehouse://changed";

pub fn forward(app: AppHandle, community: &Arc<Community>) {
    let mut changes = community.changes();
    let mut progress = community.progress();
    tauri::async_runtime::spawn(async move {
        let mut pending = Changed::default();
        loop {
            tokio::select! {
                change = changes.recv() => match change {
                    Ok(Change::Contractors(_)) => pending.contractors = true,
                    Ok(Change::Permits(_)) => pending.permits = true,
                    Ok(Change::Outbox) => pending.outbox = true,
                    Ok(Change::Queued) => {} // the Outbox change before it said it
                    Err(RecvError::Lagged(_)) => {
                        pending = Changed { contractors: true, permits: true, outbox: true, sync: true };
                    }
                    Err(RecvError::Closed) => return,
                },
                moved = progress.changed() => {
                    if moved.is_err() {
                        return;
                    }
                    pending.sync = true;
                }
                _ = tokio::time::sleep(Duration::from_millis(150)), if pending.any() => {
                    let _ = app.emit(CHANGED, std::mem::take(&mut pending));
                }
            }
        }
    });
}
