//! Change events for the webview: every committed cache write and every step of the sync engine
//! becomes one `gatehouse://changed` event (at most one per 150 ms), telling the open views what
//! to read again. The payload says which kinds of rows changed; the views fetch what they show.

use std::sync::Arc;
use std::time::Duration;

use gatehouse_app::{CHANGED_EVENT, Changed, Session};
use tauri::{AppHandle, Emitter};

pub fn forward(app: AppHandle, session: Arc<Session>) {
    tauri::async_runtime::spawn(async move {
        let mut switched = session.switched();
        loop {
            // Follow the community open now; when Settings opens another, start over on it.
            let mut feed = session.community().await.change_feed();
            let mut pending = Changed::ALL;
            loop {
                tokio::select! {
                    changed = feed.next() => match changed {
                        Some(c) => pending.merge(c),
                        None => break,
                    },
                    next = switched.changed() => {
                        if next.is_err() {
                            return;
                        }
                        break;
                    }
                    _ = tokio::time::sleep(Duration::from_millis(150)), if pending.any() => {
                        let _ = app.emit(CHANGED_EVENT, std::mem::take(&mut pending));
                    }
                }
            }
            // The old community's channels closed or another one opened: tell the views.
            let _ = app.emit(CHANGED_EVENT, Changed::ALL);
            switched.borrow_and_update();
        }
    });
}
