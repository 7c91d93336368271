CREATE TABLE "capacity_reservations" (
	"ref" text PRIMARY KEY NOT NULL,
	"capacity_service" text NOT NULL,
	"slot_start" timestamp with time zone NOT NULL,
	"created_at" timestamp with time zone NOT NULL
);
--> statement-breakpoint
CREATE TABLE "capacity_slot_counts" (
	"capacity_service" text NOT NULL,
	"slot_start" timestamp with time zone NOT NULL,
	"reserved" integer DEFAULT 0 NOT NULL,
	"updated_at" timestamp with time zone NOT NULL,
	CONSTRAINT "capacity_slot_counts_capacity_service_slot_start_pk" PRIMARY KEY("capacity_service","slot_start")
);
--> statement-breakpoint
CREATE INDEX "capacity_reservations_slot_idx" ON "capacity_reservations" USING btree ("capacity_service","slot_start");