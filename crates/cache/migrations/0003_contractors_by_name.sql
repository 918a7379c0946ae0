-- Sorting permits by contractor name walks the contractors in name order and each one's
-- permits (permits_contractor), instead of looking up the name of every permit.
CREATE INDEX contractors_name ON contractors (name, id);
