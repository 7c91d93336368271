CREATE TABLE "pattern_groups" (
	"id" serial PRIMARY KEY NOT NULL,
	"name" text NOT NULL,
	"created_at" timestamp with time zone NOT NULL,
	"updated_at" timestamp with time zone NOT NULL,
	CONSTRAINT "pattern_groups_name_unique" UNIQUE("name")
);
--> statement-breakpoint
CREATE TABLE "patterns" (
	"id" serial PRIMARY KEY NOT NULL,
	"group_id" integer NOT NULL,
	"name" text NOT NULL,
	"regex" text NOT NULL,
	"position" integer NOT NULL,
	"created_at" timestamp with time zone NOT NULL,
	"updated_at" timestamp with time zone NOT NULL,
	CONSTRAINT "patterns_group_id_name_unique" UNIQUE("group_id","name")
);
--> statement-breakpoint
ALTER TABLE "patterns" ADD CONSTRAINT "patterns_group_id_pattern_groups_id_fk" FOREIGN KEY ("group_id") REFERENCES "public"."pattern_groups"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "patterns_group_id_position_idx" ON "patterns" USING btree ("group_id","position");