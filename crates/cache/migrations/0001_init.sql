-- Gatehouse's local cache of one community. Documents are kept whole (doc, as the API sent them)
-- beside the columns that filters, sorts and search need.

CREATE TABLE contractors (
    id            TEXT PRIMARY KEY,
    name          TEXT,
    company       TEXT,
    email         TEXT,
    phone         TEXT,
    salesforce_id TEXT,
    approved      INTEGER NOT NULL,
    removed       INTEGER NOT NULL,
    updated_at    TEXT,
    doc           TEXT NOT NULL
);
CREATE INDEX contractors_state ON contractors (removed, approved, name);

CREATE TABLE permits (
    id            TEXT PRIMARY KEY,
    pass_number   TEXT,
    status_name   TEXT,
    permit_type   TEXT,
    contractor_id TEXT,
    property_id   TEXT,
    flat_id       TEXT,
    valid_from    TEXT,
    valid_till    TEXT,
    updated_at    TEXT,
    doc           TEXT NOT NULL
);
CREATE INDEX permits_status_till ON permits (status_name, valid_till, id);
CREATE INDEX permits_till ON permits (valid_till, id);
CREATE INDEX permits_pass_number ON permits (pass_number);
CREATE INDEX permits_contractor ON permits (contractor_id, valid_till);
CREATE INDEX permits_place ON permits (property_id, flat_id);
CREATE INDEX permits_type ON permits (permit_type);
CREATE INDEX permits_updated ON permits (updated_at, id);

-- Search: one row per permit (rowid = the permit's rowid), over its pass number, unit, job,
-- representative and its contractor's name,
-- company and phone. Kept in step by the cache on every write.
CREATE VIRTUAL TABLE permit_search USING fts5 (text, tokenize = 'unicode61 remove_diacritics 2');
CREATE VIRTUAL TABLE contractor_search USING fts5 (text, tokenize = 'unicode61 remove_diacritics 2');

CREATE TABLE events (
    cursor     INTEGER PRIMARY KEY,
    id         TEXT NOT NULL,
    name       TEXT NOT NULL,
    permit_id  TEXT,
    created_at TEXT NOT NULL,
    doc        TEXT NOT NULL
);
CREATE INDEX events_permit ON events (permit_id, cursor);

-- Admin actions waiting for the API, in order. id is generated on this machine.
CREATE TABLE outbox (
    seq         INTEGER PRIMARY KEY AUTOINCREMENT,
    id          TEXT NOT NULL UNIQUE,
    kind        TEXT NOT NULL,
    target_id   TEXT NOT NULL,
    payload     TEXT NOT NULL,
    state       TEXT NOT NULL,
    attempts    INTEGER NOT NULL DEFAULT 0,
    last_error  TEXT,
    created_at  TEXT NOT NULL,
    updated_at  TEXT NOT NULL
);
CREATE INDEX outbox_state ON outbox (state, seq);

CREATE TABLE sync_state (key TEXT PRIMARY KEY, value TEXT NOT NULL);

CREATE TABLE audit (
    seq       INTEGER PRIMARY KEY AUTOINCREMENT,
    at        TEXT NOT NULL,
    actor     TEXT NOT NULL,
    action    TEXT NOT NULL,
    target_id TEXT NOT NULL,
    reason    TEXT,
    result    TEXT NOT NULL,
    detail    TEXT
);
