CREATE TABLE "service_templates" (
	"name" text PRIMARY KEY NOT NULL,
	"service" text NOT NULL,
	"type" text NOT NULL,
	"definition" jsonb NOT NULL,
	"source_text" text NOT NULL,
	"checksum" text NOT NULL,
	"origin" text NOT NULL,
	"deleted_at" timestamp with time zone,
	"created_at" timestamp with time zone NOT NULL,
	"updated_at" timestamp with time zone NOT NULL
);
--> statement-breakpoint
CREATE TABLE "services" (
	"name" text PRIMARY KEY NOT NULL,
	"template" text,
	"preset" text,
	"options" jsonb NOT NULL,
	"created_at" timestamp with time zone NOT NULL,
	"updated_at" timestamp with time zone NOT NULL
);
--> statement-breakpoint
CREATE TABLE "sessions" (
	"id" text PRIMARY KEY NOT NULL,
	"service_name" text NOT NULL,
	"service_type" text NOT NULL,
	"type" text NOT NULL,
	"data_id" text NOT NULL,
	"gms_user" text,
	"params" jsonb NOT NULL,
	"request_params" jsonb NOT NULL,
	"node_id" integer NOT NULL,
	"created_at" timestamp with time zone NOT NULL,
	"updated_at" timestamp with time zone NOT NULL,
	"expires_at" timestamp with time zone NOT NULL
);
--> statement-breakpoint
CREATE TABLE "storage_entries" (
	"id" text PRIMARY KEY NOT NULL,
	"custom_id" text,
	"owner" text,
	"created_at" timestamp with time zone NOT NULL,
	"updated_at" timestamp with time zone NOT NULL,
	"expires_at" timestamp with time zone NOT NULL
);
--> statement-breakpoint
CREATE TABLE "storage_values" (
	"entry_id" text NOT NULL,
	"key" text NOT NULL,
	"seq" bigserial NOT NULL,
	"kind" text NOT NULL,
	"text_value" text,
	"binary_value" "bytea",
	"content_type" text,
	"filename" text,
	"size" integer NOT NULL,
	"created_at" timestamp with time zone NOT NULL,
	"updated_at" timestamp with time zone NOT NULL,
	CONSTRAINT "storage_values_entry_id_key_pk" PRIMARY KEY("entry_id","key")
);
--> statement-breakpoint
ALTER TABLE "storage_values" ADD CONSTRAINT "storage_values_entry_id_storage_entries_id_fk" FOREIGN KEY ("entry_id") REFERENCES "public"."storage_entries"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "services_template_idx" ON "services" USING btree ("template");--> statement-breakpoint
CREATE INDEX "sessions_expires_at_idx" ON "sessions" USING btree ("expires_at");--> statement-breakpoint
CREATE INDEX "sessions_service_name_idx" ON "sessions" USING btree ("service_name");--> statement-breakpoint
CREATE INDEX "sessions_gms_user_idx" ON "sessions" USING btree ("gms_user");--> statement-breakpoint
CREATE INDEX "storage_entries_expires_at_idx" ON "storage_entries" USING btree ("expires_at");--> statement-breakpoint
CREATE UNIQUE INDEX "storage_entries_custom_idx" ON "storage_entries" USING btree ("custom_id","owner") WHERE "storage_entries"."custom_id" is not null;