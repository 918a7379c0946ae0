-- The forms a contractor's name and company are also found by (Arabic folded, "ال" and the
-- space of "عبد …" optional, Latin spellings read as one), made in Rust when the contractor is
-- written: every permit's search row names its contractor, so the forms are made once per
-- contractor, not once per permit. Filled for existing rows by the re-index the new search text
-- version asks for.
ALTER TABLE contractors ADD COLUMN forms TEXT NOT NULL DEFAULT '';
