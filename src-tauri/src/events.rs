//! Change events for the webview: every committed cache write and every step of the sync engine
//! becomes one `gatehouse://changed` event (at most one per 150 ms), telling the open views what
//! to read again. The payload says which kinds of rows changed; the views fetch what they show.

use std::sync::Arc;
use std::time::Duration;

use gatehouse_app::{Changed, Session};
use gatehouse_cache::Change;
use tauri::{AppHandle, Emitter};
use tokio::sync::broadcast::error::RecvError;

pub const CHANGED: &str = "gatehouse://changed";

pub fn forward(app: AppHandle, session: Arc<Session>) {
    tauri::async_runtime::spawn(async move {
        let mut switched = session.switched();
        loop {
            // Follow the community open now; when Settings opens another, start over on it.
            let community = session.community().await;
            let mut changes = community.changes();
            let mut progress = community.progress();
            drop(community);
            let mut pending = Changed {
                contractors: true,
                permits: true,
                outbox: true,
                sync: true,
            };
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
                        Err(RecvError::Closed) => break,
                    },
                    moved = progress.changed() => {
                        if moved.is_err() {
                            break;
                        }
                        pending.sync = true;
                    }
                    next = switched.changed() => {
                        if next.is_err() {
                            return;
                        }
                        break;
                    }
                    _ = tokio::time::sleep(Duration::from_millis(150)), if pending.any() => {
                        let _ = app.emit(CHANGED, std::mem::take(&mut pending));
                    }
                }
            }
            // The old community's channels closed or another one opened: tell the views.
            let _ = app.emit(
                CHANGED,
                Changed {
                    contractors: true,
                    permits: true,
                    outbox: true,
                    sync: true,
                },
            );
            switched.borrow_and_update();
        }
    });
}
