//! Change events for the webview: every committed cache write and every step of the sync engine
//! becomes one `gatehouse://changed` event (at most one per 150 ms), telling the open views what
//! to read again. The payload says which kinds of rows changed; the views fetch what they show.

use std::sync::Arc;
use std::time::Duration;

use tokio::time::Instant;

use gatehouse_app::{CHANGED_EVENT, Changed, Session};
use tauri::{AppHandle, Emitter};

/// The most often the views are told.
const EVERY: Duration = Duration::from_millis(150);

pub fn forward(app: AppHandle, session: Arc<Session>) {
    tauri::async_runtime::spawn(async move {
        let mut switched = session.switched();
        loop {
            // Follow the community open now; when Settings opens another, start over on it.
            let mut feed = session.community().await.change_feed();
            let mut pending = Changed::ALL;
            // When what is pending goes out: 150 ms after the first change since the last event,
            // however many follow (a steady stream of writes must not hold the views back).
            let mut due = Instant::now() + EVERY;
            loop {
                tokio::select! {
                    changed = feed.next() => match changed {
                        Some(c) => {
                            if !pending.any() {
                                due = Instant::now() + EVERY;
                            }
                            pending.merge(c);
                        }
                        None => break,
                    },
                    next = switched.changed() => {
                        if next.is_err() {
                            return;
                        }
                        break;
                    }
                    _ = tokio::time::sleep_until(due), if pending.any() => {
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
