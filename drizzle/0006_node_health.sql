ALTER TABLE "nodes" ADD COLUMN "down_announced_at" timestamp with time zone;--> statement-breakpoint
ALTER TABLE "nodes" ADD COLUMN "flag_announced_at" timestamp with time zone;