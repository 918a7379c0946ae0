-- The server's own word on permits' ends (`passes.permits.expiring`, `expired`) is read by name
-- and time for the alerts each minute; the feed is otherwise read by permit.
CREATE INDEX events_by_name ON events (name, created_at);
