-- When the incident entered a transition's from_status, so that time - entered
-- is the time it spent there (dispatched -> accepted: the time to accept)
-- without pairing rows. The epoch (0) when unknown.
ALTER TABLE {db}.transitions ADD COLUMN entered DateTime AFTER time_ms;
