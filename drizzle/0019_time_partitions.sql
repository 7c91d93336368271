-- Time partitioning of the two largest append-only tables (issue 19), on PostgreSQL and PGlite
-- alike: `activity` by day of occurred_at, `session_events` by day of expires_at. Each gets a
-- DEFAULT partition for rows outside the days created so far; src/lifecycle/partitions.ts creates
-- days ahead (through gms_ensure_day_partition, which also moves matching rows out of the default)
-- and drops days past their retention. Existing rows are moved here, day partitions first.
CREATE FUNCTION "gms_ensure_day_partition"(parent text, col text, day date) RETURNS boolean LANGUAGE plpgsql AS $$
DECLARE
  part text := parent || '_p' || to_char(day, 'YYYYMMDD');
  lo timestamptz := day::timestamp AT TIME ZONE 'UTC';
  hi timestamptz := (day + 1)::timestamp AT TIME ZONE 'UTC';
BEGIN
  IF to_regclass(quote_ident(part)) IS NOT NULL THEN
    RETURN false;
  END IF;
  EXECUTE format('CREATE TABLE %I (LIKE %I INCLUDING DEFAULTS INCLUDING CONSTRAINTS)', part, parent);
  -- Rows of that day already in the default partition move with it (ATTACH would refuse otherwise).
  EXECUTE format('WITH moved AS (DELETE FROM %I WHERE %I >= %L AND %I < %L RETURNING *) INSERT INTO %I SELECT * FROM moved',
    parent || '_default', col, lo, col, hi, part);
  EXECUTE format('ALTER TABLE %I ATTACH PARTITION %I FOR VALUES FROM (%L) TO (%L)', parent, part, lo, hi);
  RETURN true;
END $$;
--> statement-breakpoint
DROP TRIGGER "activity_queue_rollup" ON "activity";
--> statement-breakpoint
ALTER TABLE "activity" RENAME TO "activity_unpartitioned";
--> statement-breakpoint
ALTER TABLE "activity_unpartitioned" RENAME CONSTRAINT "activity_pkey" TO "activity_unpartitioned_pkey";
--> statement-breakpoint
DROP INDEX "activity_category_time_idx";
--> statement-breakpoint
DROP INDEX "activity_category_subject_time_idx";
--> statement-breakpoint
ALTER SEQUENCE "activity_id_seq" OWNED BY NONE;
--> statement-breakpoint
CREATE TABLE "activity" (
	"id" bigint DEFAULT nextval('activity_id_seq') NOT NULL,
	"occurred_at" timestamp with time zone NOT NULL,
	"category" text NOT NULL,
	"kind" text NOT NULL,
	"subject" text NOT NULL,
	"outcome" text,
	"status" integer,
	"detail" text,
	"queue" text,
	"wait_ms" integer,
	"booked" integer,
	"free" integer,
	"ref" text,
	"node_id" integer,
	CONSTRAINT "activity_id_occurred_at_pk" PRIMARY KEY("id","occurred_at")
) PARTITION BY RANGE ("occurred_at");
--> statement-breakpoint
ALTER SEQUENCE "activity_id_seq" OWNED BY "activity"."id";
--> statement-breakpoint
CREATE TABLE "activity_default" PARTITION OF "activity" DEFAULT;
--> statement-breakpoint
CREATE INDEX "activity_category_time_idx" ON "activity" USING btree ("category","occurred_at");
--> statement-breakpoint
CREATE INDEX "activity_category_subject_time_idx" ON "activity" USING btree ("category","subject","occurred_at");
--> statement-breakpoint
DO $$
DECLARE d date;
BEGIN
  FOR d IN SELECT DISTINCT (occurred_at AT TIME ZONE 'UTC')::date FROM "activity_unpartitioned" LOOP
    PERFORM "gms_ensure_day_partition"('activity', 'occurred_at', d);
  END LOOP;
END $$;
--> statement-breakpoint
INSERT INTO "activity" ("id", "occurred_at", "category", "kind", "subject", "outcome", "status", "detail", "queue", "wait_ms", "booked", "free", "ref", "node_id")
SELECT "id", "occurred_at", "category", "kind", "subject", "outcome", "status", "detail", "queue", "wait_ms", "booked", "free", "ref", "node_id" FROM "activity_unpartitioned";
--> statement-breakpoint
DROP TABLE "activity_unpartitioned";
--> statement-breakpoint
CREATE TRIGGER "activity_queue_rollup" AFTER INSERT ON "activity" REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION "activity_queue_rollup"();
--> statement-breakpoint
ALTER TABLE "session_events" RENAME TO "session_events_unpartitioned";
--> statement-breakpoint
ALTER TABLE "session_events_unpartitioned" RENAME CONSTRAINT "session_events_session_id_seq_pk" TO "session_events_unpartitioned_pk";
--> statement-breakpoint
ALTER TABLE "session_events_unpartitioned" RENAME CONSTRAINT "session_events_delivery_id_unique" TO "session_events_unpartitioned_delivery_id_unique";
--> statement-breakpoint
DROP INDEX "session_events_gms_user_idx";
--> statement-breakpoint
DROP INDEX "session_events_expires_at_idx";
--> statement-breakpoint
ALTER SEQUENCE "session_events_position_seq" OWNED BY NONE;
--> statement-breakpoint
CREATE TABLE "session_events" (
	"session_id" text NOT NULL,
	"seq" integer NOT NULL,
	"position" bigint DEFAULT nextval('session_events_position_seq') NOT NULL,
	"tag" text NOT NULL,
	"delivery_id" text NOT NULL,
	"message" json NOT NULL,
	"gms_user" text,
	"created_at" timestamp with time zone NOT NULL,
	"expires_at" timestamp with time zone NOT NULL,
	CONSTRAINT "session_events_session_id_seq_expires_at_pk" PRIMARY KEY("session_id","seq","expires_at")
) PARTITION BY RANGE ("expires_at");
--> statement-breakpoint
ALTER SEQUENCE "session_events_position_seq" OWNED BY "session_events"."position";
--> statement-breakpoint
CREATE TABLE "session_events_default" PARTITION OF "session_events" DEFAULT;
--> statement-breakpoint
CREATE INDEX "session_events_gms_user_idx" ON "session_events" USING btree ("gms_user","created_at","position");
--> statement-breakpoint
CREATE INDEX "session_events_expires_at_idx" ON "session_events" USING btree ("expires_at");
--> statement-breakpoint
CREATE INDEX "session_events_delivery_id_idx" ON "session_events" USING btree ("delivery_id");
--> statement-breakpoint
DO $$
DECLARE d date;
BEGIN
  FOR d IN SELECT DISTINCT (expires_at AT TIME ZONE 'UTC')::date FROM "session_events_unpartitioned" LOOP
    PERFORM "gms_ensure_day_partition"('session_events', 'expires_at', d);
  END LOOP;
END $$;
--> statement-breakpoint
INSERT INTO "session_events" ("session_id", "seq", "position", "tag", "delivery_id", "message", "gms_user", "created_at", "expires_at")
SELECT "session_id", "seq", "position", "tag", "delivery_id", "message", "gms_user", "created_at", "expires_at" FROM "session_events_unpartitioned";
--> statement-breakpoint
DROP TABLE "session_events_unpartitioned";
