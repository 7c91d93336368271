CREATE TABLE "activity" (
	"id" bigserial PRIMARY KEY NOT NULL,
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
	"node_id" integer
);
--> statement-breakpoint
CREATE TABLE "report_links" (
	"token_hash" text PRIMARY KEY NOT NULL,
	"request" jsonb NOT NULL,
	"created_by" text NOT NULL,
	"created_at" timestamp with time zone NOT NULL,
	"expires_at" timestamp with time zone NOT NULL
);
--> statement-breakpoint
CREATE INDEX "activity_category_time_idx" ON "activity" USING btree ("category","occurred_at");--> statement-breakpoint
CREATE INDEX "activity_category_subject_time_idx" ON "activity" USING btree ("category","subject","occurred_at");--> statement-breakpoint
CREATE INDEX "report_links_expires_idx" ON "report_links" USING btree ("expires_at");