CREATE TABLE "notification_subscriptions" (
	"id" text PRIMARY KEY NOT NULL,
	"subscriber_id" text NOT NULL,
	"provider_name" text,
	"type" text NOT NULL,
	"device_id" text,
	"properties" jsonb NOT NULL,
	"authorization" text,
	"filter" text NOT NULL,
	"filter_like" text NOT NULL,
	"gms_user" text,
	"created_at" timestamp with time zone NOT NULL,
	"expires_at" timestamp with time zone NOT NULL
);
--> statement-breakpoint
CREATE TABLE "push_comet_cursors" (
	"gms_user" text PRIMARY KEY NOT NULL,
	"cursor" jsonb NOT NULL,
	"updated_at" timestamp with time zone NOT NULL
);
--> statement-breakpoint
CREATE TABLE "push_deliveries" (
	"id" text PRIMARY KEY NOT NULL,
	"dedupe_key" text NOT NULL,
	"source" text NOT NULL,
	"subscription_id" text,
	"session_id" text,
	"seq" integer,
	"type" text NOT NULL,
	"device_id" text NOT NULL,
	"authorization" text,
	"event_id" text NOT NULL,
	"tag" text NOT NULL,
	"message" jsonb NOT NULL,
	"status" text NOT NULL,
	"attempts" integer NOT NULL,
	"next_attempt_at" timestamp with time zone NOT NULL,
	"lease_until" timestamp with time zone,
	"last_error" text,
	"created_at" timestamp with time zone NOT NULL,
	"updated_at" timestamp with time zone NOT NULL,
	"delivered_at" timestamp with time zone,
	CONSTRAINT "push_deliveries_dedupe_key_unique" UNIQUE("dedupe_key")
);
--> statement-breakpoint
CREATE TABLE "push_session_cursors" (
	"session_id" text PRIMARY KEY NOT NULL,
	"delivered_seq" integer NOT NULL,
	"expires_at" timestamp with time zone NOT NULL
);
--> statement-breakpoint
CREATE INDEX "notification_subscriptions_expires_at_idx" ON "notification_subscriptions" USING btree ("expires_at");--> statement-breakpoint
CREATE INDEX "push_deliveries_due_idx" ON "push_deliveries" USING btree ("status","next_attempt_at");--> statement-breakpoint
CREATE INDEX "push_deliveries_subscription_idx" ON "push_deliveries" USING btree ("subscription_id");--> statement-breakpoint
CREATE INDEX "push_deliveries_session_idx" ON "push_deliveries" USING btree ("session_id");