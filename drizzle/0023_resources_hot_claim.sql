-- A claim (resource.allocation.ts) becomes a HOT update of its resources row: no new entry in any of
-- the table's indexes. Before, every claim changed two indexed columns (booked_until, rotation), so
-- PostgreSQL wrote a new entry into all 6 indexes of the table for each request-interaction (issue 18,
-- BENCHMARKS.md). Now:
-- - booked_until is in no index (the expiry sweep, every few seconds, reads the table instead);
-- - only round-robin claims take a rotation position (random groups never read it);
-- - each page keeps free space for the new row versions (fillfactor), so they stay on their page.
DROP INDEX "resources_group_booked_until_idx";--> statement-breakpoint
ALTER TABLE "resources" SET (fillfactor = 80);
--> statement-breakpoint
-- The row trigger that keeps resource_group_counts for updates other than claims (migration 0022)
-- told a claim by its new rotation position; random claims no longer take one. A claim is now the only
-- update that sets a new, non-null booking_id (shared claims set it too; release, expiry and a locking
-- switch set it to null), and it adds its own +1 to the counts inside its statement.
DROP TRIGGER "resources_counts_update" ON "resources";
--> statement-breakpoint
CREATE TRIGGER "resources_counts_update" AFTER UPDATE ON "resources" FOR EACH ROW
  WHEN ((OLD.group_id IS DISTINCT FROM NEW.group_id OR (OLD.booked_until IS NULL) <> (NEW.booked_until IS NULL))
    AND (NEW.booking_id IS NULL OR NEW.booking_id IS NOT DISTINCT FROM OLD.booking_id))
  EXECUTE FUNCTION resource_counts_row_update();
