CREATE TABLE "resource_group_counts" (
	"group_id" integer NOT NULL,
	"slot" integer NOT NULL,
	"total" integer DEFAULT 0 NOT NULL,
	"booked" integer DEFAULT 0 NOT NULL,
	CONSTRAINT "resource_group_counts_group_id_slot_pk" PRIMARY KEY("group_id","slot")
);
--> statement-breakpoint
ALTER TABLE "resource_group_counts" ADD CONSTRAINT "resource_group_counts_group_id_resource_groups_id_fk" FOREIGN KEY ("group_id") REFERENCES "public"."resource_groups"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "resources_group_id_idx" ON "resources" USING btree ("group_id","id");--> statement-breakpoint
CREATE INDEX "resources_group_rotation_idx" ON "resources" USING btree ("group_id","rotation" NULLS FIRST,"id");
--> statement-breakpoint
-- Booked/free counts without counting the pool (resource.tables.ts, resourceGroupCountsTable): each
-- statement that inserts, updates or deletes resources adds its per-group deltas to the slot of its
-- connection. Deletes of a whole group skip it (its counts go with it by the foreign key).
CREATE FUNCTION resource_counts_apply() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP = 'INSERT' THEN
    INSERT INTO resource_group_counts AS c (group_id, slot, total, booked)
      SELECT n.group_id, pg_backend_pid() % 64, count(*), count(n.booked_until)
      FROM new_rows n GROUP BY n.group_id
    ON CONFLICT (group_id, slot) DO UPDATE SET total = c.total + excluded.total, booked = c.booked + excluded.booked;
  ELSIF TG_OP = 'DELETE' THEN
    INSERT INTO resource_group_counts AS c (group_id, slot, total, booked)
      SELECT o.group_id, pg_backend_pid() % 64, -count(*), -count(o.booked_until)
      FROM old_rows o WHERE EXISTS (SELECT 1 FROM resource_groups g WHERE g.id = o.group_id) GROUP BY o.group_id
    ON CONFLICT (group_id, slot) DO UPDATE SET total = c.total + excluded.total, booked = c.booked + excluded.booked;
  ELSE
    INSERT INTO resource_group_counts AS c (group_id, slot, total, booked)
      SELECT d.group_id, pg_backend_pid() % 64, sum(d.total), sum(d.booked)
      FROM (
        SELECT n.group_id, 1 AS total, (n.booked_until IS NOT NULL)::int AS booked FROM new_rows n
        UNION ALL
        SELECT o.group_id, -1, -((o.booked_until IS NOT NULL)::int) FROM old_rows o
      ) d
      GROUP BY d.group_id
      HAVING sum(d.total) <> 0 OR sum(d.booked) <> 0
    ON CONFLICT (group_id, slot) DO UPDATE SET total = c.total + excluded.total, booked = c.booked + excluded.booked;
  END IF;
  RETURN NULL;
END
$$;
--> statement-breakpoint
CREATE TRIGGER resources_counts_insert AFTER INSERT ON resources REFERENCING NEW TABLE AS new_rows
  FOR EACH STATEMENT EXECUTE FUNCTION resource_counts_apply();
--> statement-breakpoint
CREATE TRIGGER resources_counts_update AFTER UPDATE ON resources REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
  FOR EACH STATEMENT EXECUTE FUNCTION resource_counts_apply();
--> statement-breakpoint
CREATE TRIGGER resources_counts_delete AFTER DELETE ON resources REFERENCING OLD TABLE AS old_rows
  FOR EACH STATEMENT EXECUTE FUNCTION resource_counts_apply();
--> statement-breakpoint
INSERT INTO resource_group_counts (group_id, slot, total, booked)
  SELECT group_id, 0, count(*), count(booked_until) FROM resources GROUP BY group_id;
