CREATE TABLE "callback_agent_messages" (
	"position" bigserial PRIMARY KEY NOT NULL,
	"callback_id" text NOT NULL,
	"message" jsonb NOT NULL,
	"created_at" timestamp with time zone NOT NULL,
	"retrieved_at" timestamp with time zone,
	"expires_at" timestamp with time zone NOT NULL
);
--> statement-breakpoint
CREATE TABLE "callbacks" (
	"id" text PRIMARY KEY NOT NULL,
	"service_name" text NOT NULL,
	"gms_user" text,
	"state" text NOT NULL,
	"reason" text,
	"media_type" text NOT NULL,
	"call_direction" text NOT NULL,
	"wait_for_agent" boolean NOT NULL,
	"wait_for_user_confirm" boolean NOT NULL,
	"provide_code" boolean NOT NULL,
	"customer_number" text,
	"customer_key" text,
	"desired_time" timestamp with time zone,
	"slot_start" timestamp with time zone,
	"device_os" text,
	"device_notification_id" text,
	"virtual_queue" text NOT NULL,
	"target" text,
	"priority" integer DEFAULT 0 NOT NULL,
	"connect_count" integer DEFAULT 0 NOT NULL,
	"connect_limit" integer NOT NULL,
	"enqueued_at" timestamp with time zone,
	"agent_id" text,
	"reservation_id" integer,
	"notified_reservation_id" integer,
	"arrived_at" timestamp with time zone,
	"connected_at" timestamp with time zone,
	"completed_at" timestamp with time zone,
	"dial_requested_at" timestamp with time zone,
	"dial_outcome" text,
	"dialog" jsonb,
	"base_url" text NOT NULL,
	"notifications_delivered_seq" integer DEFAULT 0 NOT NULL,
	"params" jsonb NOT NULL,
	"user_data" jsonb NOT NULL,
	"created_at" timestamp with time zone NOT NULL,
	"updated_at" timestamp with time zone NOT NULL,
	"expires_at" timestamp with time zone NOT NULL
);
--> statement-breakpoint
CREATE INDEX "callback_agent_messages_callback_idx" ON "callback_agent_messages" USING btree ("callback_id","position");--> statement-breakpoint
CREATE INDEX "callbacks_state_idx" ON "callbacks" USING btree ("state","desired_time");--> statement-breakpoint
CREATE INDEX "callbacks_service_slot_idx" ON "callbacks" USING btree ("service_name","slot_start");--> statement-breakpoint
CREATE INDEX "callbacks_customer_idx" ON "callbacks" USING btree ("customer_key","state");--> statement-breakpoint
CREATE INDEX "callbacks_service_created_idx" ON "callbacks" USING btree ("service_name","created_at");