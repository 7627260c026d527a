-- Readings are written once, by the readings path (rules/readings): it
-- consumes readings.raw and inserts every valid reading into readings in
-- large native batches, whether or not it raises an alarm. The view that
-- copied the events carrying a value would write the few readings that do
-- raise one a second time (they reach events through their incident), and
-- the readings table is no longer fed from events.
DROP TABLE IF EXISTS {db}.readings_mv;
