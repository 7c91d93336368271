CREATE TABLE "session_event_counters" (
	"session_id" text PRIMARY KEY NOT NULL,
	"last_seq" integer NOT NULL,
	"expires_at" timestamp with time zone NOT NULL
);
--> statement-breakpoint
CREATE TABLE "session_events" (
	"session_id" text NOT NULL,
	"seq" integer NOT NULL,
	"position" bigserial NOT NULL,
	"tag" text NOT NULL,
	"delivery_id" text NOT NULL,
	"message" jsonb NOT NULL,
	"gms_user" text,
	"created_at" timestamp with time zone NOT NULL,
	"expires_at" timestamp with time zone NOT NULL,
	CONSTRAINT "session_events_session_id_seq_pk" PRIMARY KEY("session_id","seq"),
	CONSTRAINT "session_events_delivery_id_unique" UNIQUE("delivery_id")
);
--> statement-breakpoint
CREATE INDEX "session_events_gms_user_idx" ON "session_events" USING btree ("gms_user","created_at","position");--> statement-breakpoint
CREATE INDEX "session_events_expires_at_idx" ON "session_events" USING btree ("expires_at");