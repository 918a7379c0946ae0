-- The forms a permit's representative is also found by (the same forms as a contractor's name:
-- Arabic folded, "ال" and the space of "عبد …" optional, Latin spellings read as one), made in
-- Rust when the permit is written. Filled for existing rows by the re-index the new search text
-- version asks for.
ALTER TABLE permits ADD COLUMN representative_forms TEXT NOT NULL DEFAULT '';
