-- What the gate panels logged at their doors, copied early (a panel's log can be cleared there):
-- one row per panel and log item, with the identifier it names and, when this cache can tell,
-- the permit that identifier was provisioned for. `at`: Unix seconds, the panel's clock.
CREATE TABLE door_events (
    panel       TEXT NOT NULL,
    log_id      INTEGER NOT NULL,
    at          INTEGER NOT NULL,
    event       TEXT NOT NULL,
    granted     INTEGER NOT NULL,
    kind        TEXT,
    number      TEXT,
    door        TEXT,
    owner       TEXT,
    permit_id   TEXT,
    PRIMARY KEY (panel, log_id, at)
) WITHOUT ROWID;
CREATE INDEX door_events_by_permit ON door_events (permit_id, at) WHERE permit_id IS NOT NULL;
-- Where each panel's log was read up to (the newest item's time and id seen).
CREATE TABLE door_log_cursors (
    panel       TEXT PRIMARY KEY NOT NULL,
    at          INTEGER NOT NULL,
    log_id      INTEGER NOT NULL
) WITHOUT ROWID;
