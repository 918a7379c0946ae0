-- Every access code the cache has seen, live or dead, so that the desk's pass check can tell a
-- code a reissue superseded (and since when) from one it never saw. Filled from the permits
-- already here; codes they had before are not known, so superseded codes are known from now on.
CREATE TABLE codes (
    code          TEXT PRIMARY KEY,
    permit_id     TEXT NOT NULL,
    seen_at       TEXT NOT NULL,
    superseded_at TEXT
);
CREATE INDEX codes_live ON codes (permit_id) WHERE superseded_at IS NULL;
INSERT OR IGNORE INTO codes (code, permit_id, seen_at)
    SELECT COALESCE(json_extract(doc, '$.accessCode'), json_extract(doc, '$.qrToken')),
           id,
           COALESCE(json_extract(doc, '$.updatedAt'), '')
    FROM permit_docs
    WHERE COALESCE(json_extract(doc, '$.accessCode'), json_extract(doc, '$.qrToken')) IS NOT NULL;

-- Whether a line of the audit log was written while the API answered: 1 online, 0 offline,
-- NULL where it was not recorded (lines written before this column, outbox steps).
ALTER TABLE audit ADD COLUMN online INTEGER;
