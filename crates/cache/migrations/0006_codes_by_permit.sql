-- A permit's codes in the order they were first seen, live or superseded: the codes an issued
-- event brings are placed among the permit's others by this order (`codes::record_issued`). It
-- serves the live-code lookups the partial index served, so that index goes.
DROP INDEX codes_live;
CREATE INDEX codes_by_permit ON codes (permit_id, seen_at);
