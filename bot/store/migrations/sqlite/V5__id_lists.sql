-- V5: nothing to do on SQLite. PostgreSQL gains functions for id lists and artist families (see
-- postgres/V5__id_lists.sql); SQLite's json_each already serves, and its planner estimates it well.
SELECT 1;
