-- The alerts' minute tick reads the permits ending in a window and probes the ledger for each:
-- the ledger is keyed by end first, so those probes, made in the order of the ends, walk
-- neighbouring pages instead of one random page each; and the permits' index by status and end
-- carries the id and pass number the tick reads, so it reads no table rows.
CREATE TABLE alert_ledger_by_end (
    permit_id  TEXT NOT NULL,
    threshold  TEXT NOT NULL,
    valid_till TEXT NOT NULL,
    at         TEXT NOT NULL,
    how        TEXT NOT NULL,
    PRIMARY KEY (valid_till, permit_id, threshold)
) WITHOUT ROWID;
INSERT INTO alert_ledger_by_end (permit_id, threshold, valid_till, at, how)
    SELECT permit_id, threshold, valid_till, at, how FROM alert_ledger;
DROP TABLE alert_ledger;
ALTER TABLE alert_ledger_by_end RENAME TO alert_ledger;

DROP INDEX permits_status_till;
CREATE INDEX permits_status_till ON permits (status_name, valid_till, id, pass_number);
