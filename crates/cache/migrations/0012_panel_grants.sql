-- What Gatehouse wants on each BAS-IP panel: one row per panel, identifier type and number (the
-- number in the app's canonical form: a card's value in decimal, a PIN's digits, a QR's UUID, a
-- plate), with the permit it opens for and how. `state`: wanted (to be put), placed (the panel
-- took it), removing (to be deleted), removed (read back gone). `uncertain`: the last attempt may
-- have been applied; it is read back before anything is sent again. Kept after removal, for the
-- sweep and the timeline.
CREATE TABLE panel_grants (
    panel       TEXT NOT NULL,
    kind        TEXT NOT NULL,
    number      TEXT NOT NULL,
    permit_id   TEXT NOT NULL,
    owner       TEXT NOT NULL,
    lock        TEXT NOT NULL,
    valid_from  INTEGER NOT NULL,
    valid_to    INTEGER NOT NULL,
    max_passes  INTEGER,
    state       TEXT NOT NULL CHECK (state IN ('wanted', 'placed', 'removing', 'removed')),
    attempts    INTEGER NOT NULL DEFAULT 0,
    last_error  TEXT,
    uncertain   INTEGER NOT NULL DEFAULT 0,
    updated_at  TEXT NOT NULL,
    PRIMARY KEY (panel, kind, number)
) WITHOUT ROWID;
CREATE INDEX panel_grants_by_permit ON panel_grants (permit_id);
CREATE INDEX panel_grants_open ON panel_grants (panel, state) WHERE state IN ('wanted', 'removing');
