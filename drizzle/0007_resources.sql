CREATE SEQUENCE "public"."resource_rotation_seq" INCREMENT BY 1 MINVALUE 1 MAXVALUE 9223372036854775807 START WITH 1 CACHE 1;--> statement-breakpoint
CREATE TABLE "resource_bookings" (
	"id" uuid PRIMARY KEY NOT NULL,
	"resource_id" integer NOT NULL,
	"group_id" integer NOT NULL,
	"session_id" text NOT NULL,
	"phone_number" text,
	"phone_key" text,
	"access_code" text,
	"locking" boolean NOT NULL,
	"version" integer NOT NULL,
	"starts_at" timestamp with time zone NOT NULL,
	"ends_at" timestamp with time zone NOT NULL,
	"closed_at" timestamp with time zone,
	"close_reason" text,
	"created_at" timestamp with time zone NOT NULL,
	"updated_at" timestamp with time zone NOT NULL
);
--> statement-breakpoint
CREATE TABLE "resource_events" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"occurred_at" timestamp with time zone NOT NULL,
	"kind" text NOT NULL,
	"group_id" integer,
	"group_name" text NOT NULL,
	"resource_id" integer,
	"resource_name" text,
	"access_number" text,
	"booking_id" uuid,
	"session_id" text,
	"reason" text,
	"created_at" timestamp with time zone NOT NULL
);
--> statement-breakpoint
CREATE TABLE "resource_groups" (
	"id" serial PRIMARY KEY NOT NULL,
	"name" text NOT NULL,
	"allocation" text DEFAULT 'random' NOT NULL,
	"locking" boolean DEFAULT false NOT NULL,
	"booking_expiration_timeout" integer DEFAULT 30 NOT NULL,
	"created_at" timestamp with time zone NOT NULL,
	"updated_at" timestamp with time zone NOT NULL,
	CONSTRAINT "resource_groups_name_unique" UNIQUE("name")
);
--> statement-breakpoint
CREATE TABLE "resources" (
	"id" serial PRIMARY KEY NOT NULL,
	"group_id" integer NOT NULL,
	"name" text NOT NULL,
	"access_number" text NOT NULL,
	"number_key" text NOT NULL,
	"booked_by" text,
	"booked_until" timestamp with time zone,
	"booking_id" uuid,
	"booking_version" integer DEFAULT 0 NOT NULL,
	"rotation" bigint,
	"last_allocated_at" timestamp with time zone,
	"created_at" timestamp with time zone NOT NULL,
	"updated_at" timestamp with time zone NOT NULL,
	CONSTRAINT "resources_number_key_unique" UNIQUE("number_key")
);
--> statement-breakpoint
ALTER TABLE "resource_bookings" ADD CONSTRAINT "resource_bookings_resource_id_resources_id_fk" FOREIGN KEY ("resource_id") REFERENCES "public"."resources"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "resources" ADD CONSTRAINT "resources_group_id_resource_groups_id_fk" FOREIGN KEY ("group_id") REFERENCES "public"."resource_groups"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "resource_bookings_open_idx" ON "resource_bookings" USING btree ("resource_id","ends_at") WHERE closed_at is null;--> statement-breakpoint
CREATE INDEX "resource_bookings_session_idx" ON "resource_bookings" USING btree ("session_id") WHERE closed_at is null;--> statement-breakpoint
CREATE INDEX "resource_bookings_sweep_idx" ON "resource_bookings" USING btree ("ends_at") WHERE closed_at is null;--> statement-breakpoint
CREATE UNIQUE INDEX "resource_bookings_code_idx" ON "resource_bookings" USING btree ("resource_id","access_code") WHERE closed_at is null and access_code is not null;--> statement-breakpoint
CREATE INDEX "resource_events_group_time_idx" ON "resource_events" USING btree ("group_name","occurred_at");--> statement-breakpoint
CREATE UNIQUE INDEX "resource_events_booking_kind_idx" ON "resource_events" USING btree ("booking_id","kind") WHERE booking_id is not null;--> statement-breakpoint
CREATE UNIQUE INDEX "resources_group_name_idx" ON "resources" USING btree ("group_id","name");--> statement-breakpoint
CREATE INDEX "resources_group_booked_until_idx" ON "resources" USING btree ("group_id","booked_until");