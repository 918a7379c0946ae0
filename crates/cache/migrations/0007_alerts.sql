-- Expiry alerts. The ledger holds one row for each permit, threshold ('72h', '24h', '2h',
-- 'expired', ...) and the `validTill` the threshold was computed for: an alert is told only when
-- its row is new, so a restart, a resync or a reissue never repeats one, and a `validTill`
-- moved later re-arms them. `how`: told (a notification), snoozed, or feed (the server's own
-- expiring/expired event took the place).
CREATE TABLE alert_ledger (
    permit_id  TEXT NOT NULL,
    threshold  TEXT NOT NULL,
    valid_till TEXT NOT NULL,
    at         TEXT NOT NULL,
    how        TEXT NOT NULL,
    PRIMARY KEY (permit_id, threshold, valid_till)
) WITHOUT ROWID;

-- Every alert told, for the app's list: the record when the OS drops a toast (Focus, Do Not
-- Disturb). `permit_ids` is a JSON array.
CREATE TABLE alerts (
    id         INTEGER PRIMARY KEY AUTOINCREMENT,
    at         TEXT NOT NULL,
    kind       TEXT NOT NULL,
    urgency    TEXT NOT NULL,
    title      TEXT NOT NULL,
    body       TEXT NOT NULL,
    permit_ids TEXT NOT NULL,
    read_at    TEXT
);
CREATE INDEX alerts_unread ON alerts (id) WHERE read_at IS NULL;
