-- Activity rows are queued for the roll-up by the statement that writes them (activity.manager.ts:
-- every insert into activity is a CTE that also inserts its activity_pending rows), no longer by the
-- statement trigger of migrations 0017 and 0019: on a request-interaction that trigger (plpgsql over
-- a transition table, fired twice a request) was ~4 % of PostgreSQL's CPU (issue 18, BENCHMARKS.md).
-- Only the report module writes activity (test/boundaries.test.ts), so every row is still queued.
DROP TRIGGER "activity_queue_rollup" ON "activity";
--> statement-breakpoint
DROP FUNCTION "activity_queue_rollup"();
