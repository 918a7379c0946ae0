//! What a request changed, for the store to save in one transaction, and the world rebuilt
//! from what a store saved.

use super::*;

/// Counters that must survive a restart.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Counters {
    pub ids_epoch: u32,
    pub ids_next: u64,
    pub next_pass: u64,
    pub clock_offset_ms: i64,
}

/// Per-permit flags that must survive a restart.
pub const FLAG_SCANNED: &str = "scanned";
pub const FLAG_EXPIRING_SENT: &str = "expiringSent";

/// What changed since the last [`World::take_unsaved`], not yet saved: whole documents, ready to upsert.
#[derive(Debug, Default)]
pub struct Unsaved {
    pub contractors: Vec<(usize, Contractor)>,
    pub permits: Vec<(usize, Permit)>,
    pub events: Vec<FeedItem>,
    /// (code, permit id, why)
    pub dead_codes: Vec<(String, String, DeadCode)>,
    /// (flag, permit id, set or cleared)
    pub flags: Vec<(&'static str, String, bool)>,
    pub counters: Option<Counters>,
}

impl Unsaved {
    pub fn is_empty(&self) -> bool {
        self.contractors.is_empty()
            && self.permits.is_empty()
            && self.events.is_empty()
            && self.dead_codes.is_empty()
            && self.flags.is_empty()
            && self.counters.is_none()
    }
}

/// Everything a saved sandbox holds, to rebuild its world.
pub struct Saved {
    pub community_id: String,
    pub properties: Vec<Property>,
    pub contractors: Vec<Contractor>,
    pub permits: Vec<Permit>,
    pub events: Vec<FeedItem>,
    pub dead_codes: Vec<(String, String, DeadCode)>,
    pub flags: Vec<(String, String)>,
    pub counters: Counters,
}

impl World {
    /// Rebuilds a saved world. Events already saved were delivered before: none is re-published.
    pub fn restore(saved: Saved, seed: u64) -> Self {
        let mut w = World::new(
            saved.community_id,
            saved.properties,
            seed ^ saved.counters.ids_next,
        );
        w.ids = Ids {
            epoch: saved.counters.ids_epoch,
            next: saved.counters.ids_next,
        };
        w.next_pass = saved.counters.next_pass;
        w.clock_offset = Duration::milliseconds(saved.counters.clock_offset_ms);
        for c in saved.contractors {
            w.insert_contractor(c);
        }
        for p in saved.permits {
            w.insert_permit(p);
        }
        for (code, pid, why) in saved.dead_codes {
            w.live_codes.remove(&code);
            w.dead_codes.insert(code, (pid, why));
        }
        for (flag, id) in saved.flags {
            match flag.as_str() {
                FLAG_SCANNED => w.scanned.insert(id),
                FLAG_EXPIRING_SENT => w.expiring_sent.insert(id),
                _ => false,
            };
        }
        w.events = saved.events;
        w.published = w.events.len();
        w.saved_events = w.events.len();
        w.saved_counters = Some(saved.counters);
        w
    }

    /// Starts recording changes for a store; everything present counts as changed.
    pub fn track_changes(&mut self) {
        self.track = true;
        self.dirty_contractors = (0..self.contractors.len()).collect();
        self.dirty_permits = (0..self.permits.len()).collect();
        self.dirty_codes = self.dead_codes.keys().cloned().collect();
        self.dirty_flags = self
            .scanned
            .iter()
            .map(|id| (FLAG_SCANNED, id.clone(), true))
            .chain(
                self.expiring_sent
                    .iter()
                    .map(|id| (FLAG_EXPIRING_SENT, id.clone(), true)),
            )
            .collect();
        self.saved_events = 0;
        self.saved_counters = None;
    }

    /// Starts recording changes for a store, counting what is present as already saved.
    pub fn track_changes_from_now(&mut self) {
        self.track = true;
        self.saved_events = self.events.len();
    }

    /// The changes since the last call (nothing when not tracking).
    pub fn take_unsaved(&mut self) -> Unsaved {
        if !self.track {
            return Unsaved::default();
        }
        let contractors = std::mem::take(&mut self.dirty_contractors)
            .into_iter()
            .map(|i| (i, self.contractors[i].clone()))
            .collect();
        let permits = std::mem::take(&mut self.dirty_permits)
            .into_iter()
            .map(|i| (i, self.permits[i].clone()))
            .collect();
        let dead_codes = std::mem::take(&mut self.dirty_codes)
            .into_iter()
            .filter_map(|code| {
                let (pid, why) = self.dead_codes.get(&code)?.clone();
                Some((code, pid, why))
            })
            .collect();
        let events = self.events[self.saved_events..].to_vec();
        self.saved_events = self.events.len();
        let counters = self.counters();
        let counters = (self.saved_counters != Some(counters)).then_some(counters);
        if counters.is_some() {
            self.saved_counters = counters;
        }
        Unsaved {
            contractors,
            permits,
            events,
            dead_codes,
            flags: std::mem::take(&mut self.dirty_flags),
            counters,
        }
    }

    pub fn counters(&self) -> Counters {
        Counters {
            ids_epoch: self.ids.epoch,
            ids_next: self.ids.next,
            next_pass: self.next_pass,
            clock_offset_ms: self.clock_offset.num_milliseconds(),
        }
    }

    pub(super) fn flag(&mut self, flag: &'static str, id: &str, set: bool) {
        let changed = match flag {
            FLAG_SCANNED if set => self.scanned.insert(id.to_owned()),
            FLAG_EXPIRING_SENT if set => self.expiring_sent.insert(id.to_owned()),
            FLAG_EXPIRING_SENT => self.expiring_sent.remove(id),
            _ => false,
        };
        if changed && self.track {
            self.dirty_flags.push((flag, id.to_owned(), set));
        }
    }

    // ---- clock --------------------------------------------------------------------------------

    /// Marks a seeded permit's `expiring` as already sent, so a fresh sandbox starts with an
    /// empty feed.
    pub(crate) fn mark_expiring_sent(&mut self, id: &str) {
        self.flag(FLAG_EXPIRING_SENT, id, true);
    }
}

/// The world as the shared server drives it: one request at a time, its changes saved.
impl crate::server::Device for World {
    type Unsaved = Unsaved;
    type Published = FeedItem;

    fn catch_up(&mut self) {
        self.sweep();
    }

    fn take_unsaved(&mut self) -> Option<Unsaved> {
        Some(World::take_unsaved(self)).filter(|u| !u.is_empty())
    }

    fn take_published(&mut self) -> Vec<FeedItem> {
        self.take_unpublished()
    }

    fn now(&self) -> Timestamp {
        World::now(self)
    }

    fn advance_clock(&mut self, by: Duration) -> ApiResult<Timestamp> {
        World::advance_clock(self, by)
    }
}
