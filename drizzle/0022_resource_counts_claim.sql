-- A claim (resource.allocation.ts) adds its own +1 to the held count inside its one statement, so the
-- counts no longer need a statement-level trigger with transition tables on every claim: that trigger
-- (plpgsql, an aggregate over the two transition tables, an upsert) was ~3 % of PostgreSQL's CPU per
-- request-interaction (perf, issue 18; BENCHMARKS.md). Other updates of resources (release, expiry sweep, locking
-- switch, admin edits) keep their counts through a row-level trigger that runs only for a row whose
-- group or held state (booked_until set or not) changed, and never for a claim (a claim, and only a
-- claim, takes a new rotation position).
DROP TRIGGER "resources_counts_update" ON "resources";
--> statement-breakpoint
CREATE FUNCTION resource_counts_row_update() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO resource_group_counts AS c (group_id, slot, total, booked)
    SELECT d.group_id, pg_backend_pid() % 64, sum(d.total), sum(d.booked)
    FROM (VALUES
      (OLD.group_id, -1, -((OLD.booked_until IS NOT NULL)::int)),
      (NEW.group_id, 1, (NEW.booked_until IS NOT NULL)::int)
    ) AS d (group_id, total, booked)
    GROUP BY d.group_id
    HAVING sum(d.total) <> 0 OR sum(d.booked) <> 0
  ON CONFLICT (group_id, slot) DO UPDATE SET total = c.total + excluded.total, booked = c.booked + excluded.booked;
  RETURN NULL;
END
$$;
--> statement-breakpoint
CREATE TRIGGER "resources_counts_update" AFTER UPDATE ON "resources" FOR EACH ROW
  WHEN ((OLD.group_id IS DISTINCT FROM NEW.group_id OR (OLD.booked_until IS NULL) <> (NEW.booked_until IS NULL))
    AND OLD.rotation IS NOT DISTINCT FROM NEW.rotation)
  EXECUTE FUNCTION resource_counts_row_update();
