-- Backstop for locking groups: no two locking bookings of one resource may overlap in time, whatever
-- the application does (reliability-notes §4.1). Allocation itself never relies on it: it claims the
-- free state on the resources row. drizzle has no schema API for EXCLUDE, hence this custom migration.
CREATE EXTENSION IF NOT EXISTS btree_gist;--> statement-breakpoint
ALTER TABLE "resource_bookings" ADD CONSTRAINT "resource_bookings_no_overlap"
  EXCLUDE USING gist ("resource_id" WITH =, tstzrange("starts_at", "ends_at") WITH &&)
  WHERE ("locking");
