CREATE TABLE "activity_pending" (
	"id" bigint PRIMARY KEY NOT NULL,
	"occurred_at" timestamp with time zone NOT NULL,
	"category" text NOT NULL,
	"kind" text NOT NULL,
	"subject" text NOT NULL,
	"outcome" text,
	"status" integer,
	"queue" text,
	"wait_ms" integer,
	"booked" integer,
	"free" integer
);
--> statement-breakpoint
CREATE TABLE "rollup_callback_waits" (
	"grain" integer NOT NULL,
	"slot" timestamp with time zone NOT NULL,
	"service" text NOT NULL,
	"queue" text NOT NULL,
	"wait_ms" integer NOT NULL,
	"n" integer NOT NULL,
	CONSTRAINT "rollup_callback_waits_grain_slot_service_queue_wait_ms_pk" PRIMARY KEY("grain","slot","service","queue","wait_ms")
);
--> statement-breakpoint
CREATE TABLE "rollup_callbacks" (
	"grain" integer NOT NULL,
	"slot" timestamp with time zone NOT NULL,
	"service" text NOT NULL,
	"queue" text NOT NULL,
	"created" integer NOT NULL,
	"connected" integer NOT NULL,
	"cancelled" integer NOT NULL,
	"abandoned" integer NOT NULL,
	"completed" integer NOT NULL,
	"wait_sum" bigint NOT NULL,
	"wait_n" integer NOT NULL,
	CONSTRAINT "rollup_callbacks_grain_slot_service_queue_pk" PRIMARY KEY("grain","slot","service","queue")
);
--> statement-breakpoint
CREATE TABLE "rollup_resources" (
	"grain" integer NOT NULL,
	"slot" timestamp with time zone NOT NULL,
	"grp" text NOT NULL,
	"allocations" integer NOT NULL,
	"releases" integer NOT NULL,
	"expirations" integer NOT NULL,
	"exhaustions" integer NOT NULL,
	"peak_booked" integer,
	"min_free" integer,
	"last_at" timestamp with time zone NOT NULL,
	"last_id" bigint NOT NULL,
	"last_booked" integer,
	"last_free" integer,
	CONSTRAINT "rollup_resources_grain_slot_grp_pk" PRIMARY KEY("grain","slot","grp")
);
--> statement-breakpoint
CREATE TABLE "rollup_services" (
	"grain" integer NOT NULL,
	"slot" timestamp with time zone NOT NULL,
	"service" text NOT NULL,
	"status" integer NOT NULL,
	"outcome" text NOT NULL,
	"n" integer NOT NULL,
	CONSTRAINT "rollup_services_grain_slot_service_status_outcome_pk" PRIMARY KEY("grain","slot","service","status","outcome")
);
--> statement-breakpoint
CREATE INDEX "activity_pending_category_time_idx" ON "activity_pending" USING btree ("category","occurred_at");--> statement-breakpoint
CREATE INDEX "rollup_resources_grp_idx" ON "rollup_resources" USING btree ("grain","grp","slot");--> statement-breakpoint
-- Every activity row is also queued for the roll-up, in the inserting transaction (one statement
-- per INSERT, through a transition table), whoever writes it.
CREATE FUNCTION "activity_queue_rollup"() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO "activity_pending" ("id", "occurred_at", "category", "kind", "subject", "outcome", "status", "queue", "wait_ms", "booked", "free")
  SELECT "id", "occurred_at", "category", "kind", "subject", "outcome", "status", "queue", "wait_ms", "booked", "free" FROM new_rows;
  RETURN NULL;
END $$;
--> statement-breakpoint
CREATE TRIGGER "activity_queue_rollup" AFTER INSERT ON "activity" REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION "activity_queue_rollup"();
--> statement-breakpoint
-- History recorded before the rollups existed: the roll-up task folds it in, in bounded batches.
INSERT INTO "activity_pending" ("id", "occurred_at", "category", "kind", "subject", "outcome", "status", "queue", "wait_ms", "booked", "free")
SELECT "id", "occurred_at", "category", "kind", "subject", "outcome", "status", "queue", "wait_ms", "booked", "free" FROM "activity";
