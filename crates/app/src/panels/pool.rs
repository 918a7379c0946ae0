//! One logged-in client per panel, kept between drains, door-log pulls, sweeps and listings, so
//! the window's 30 s rhythm does not probe and log in to every panel each time (the client logs
//! in again by itself on a 401). A kept client is made again when the panel's record changes
//! (address, user, Basic auth), once it is [`CLIENT_KEPT`] old (a panel updated in the meantime
//! may serve another API line), and when the panel is removed.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use gatehouse_panels::PanelClient;

use super::PanelRecord;

/// How long a client is kept before the panel is probed and logged in to afresh.
pub const CLIENT_KEPT: Duration = Duration::from_secs(300);

#[derive(Default)]
pub struct ClientPool(Mutex<HashMap<String, Kept>>);

struct Kept {
    record: PanelRecord,
    client: Arc<PanelClient>,
    made: Instant,
}

impl ClientPool {
    /// The kept client for this record, if it is still good.
    pub(super) fn get(&self, r: &PanelRecord) -> Option<Arc<PanelClient>> {
        let all = self.0.lock().expect("not poisoned");
        all.get(&r.name)
            .filter(|k| k.record == *r && k.made.elapsed() < CLIENT_KEPT)
            .map(|k| k.client.clone())
    }

    pub(super) fn keep(&self, r: &PanelRecord, client: PanelClient) -> Arc<PanelClient> {
        let client = Arc::new(client);
        self.0.lock().expect("not poisoned").insert(
            r.name.clone(),
            Kept {
                record: r.clone(),
                client: client.clone(),
                made: Instant::now(),
            },
        );
        client
    }

    pub(super) fn forget(&self, name: &str) {
        self.0.lock().expect("not poisoned").remove(name);
    }
}
