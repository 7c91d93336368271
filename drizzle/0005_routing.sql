CREATE TABLE "routing_agent_group_members" (
	"group_name" text NOT NULL,
	"agent_id" text NOT NULL,
	CONSTRAINT "routing_agent_group_members_group_name_agent_id_pk" PRIMARY KEY("group_name","agent_id")
);
--> statement-breakpoint
CREATE TABLE "routing_agent_groups" (
	"name" text PRIMARY KEY NOT NULL,
	"description" text DEFAULT '' NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "routing_agent_skills" (
	"agent_id" text NOT NULL,
	"skill" text NOT NULL,
	"level" integer NOT NULL,
	CONSTRAINT "routing_agent_skills_agent_id_skill_pk" PRIMARY KEY("agent_id","skill")
);
--> statement-breakpoint
CREATE TABLE "routing_agent_tokens" (
	"token_hash" text PRIMARY KEY NOT NULL,
	"agent_id" text NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"expires_at" timestamp with time zone NOT NULL
);
--> statement-breakpoint
CREATE TABLE "routing_agents" (
	"id" text PRIMARY KEY NOT NULL,
	"name" text NOT NULL,
	"password_hash" text,
	"state" text DEFAULT 'LOGGED_OUT' NOT NULL,
	"state_changed_at" timestamp with time zone NOT NULL,
	"ready_since" timestamp with time zone,
	"current_reservation_id" bigint,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "routing_requests" (
	"seq" bigint PRIMARY KEY GENERATED ALWAYS AS IDENTITY (sequence name "routing_requests_seq_seq" INCREMENT BY 1 MINVALUE 1 MAXVALUE 9223372036854775807 START WITH 1 CACHE 1),
	"request_id" text NOT NULL,
	"virtual_queue" text NOT NULL,
	"target" text NOT NULL,
	"target_groups" text[] DEFAULT '{}'::text[] NOT NULL,
	"priority" integer DEFAULT 0 NOT NULL,
	"data" jsonb DEFAULT '{}'::jsonb NOT NULL,
	"state" text DEFAULT 'WAITING' NOT NULL,
	"enqueued_at" timestamp with time zone NOT NULL,
	"agent_id" text,
	"reservation_id" bigint,
	"reservation_expires_at" timestamp with time zone,
	"reservation_count" integer DEFAULT 0 NOT NULL,
	"accepted_at" timestamp with time zone,
	"completed_at" timestamp with time zone,
	"cancelled_at" timestamp with time zone,
	"cancel_reason" text,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "routing_reservations" (
	"id" bigint PRIMARY KEY GENERATED ALWAYS AS IDENTITY (sequence name "routing_reservations_id_seq" INCREMENT BY 1 MINVALUE 1 MAXVALUE 9223372036854775807 START WITH 1 CACHE 1),
	"request_seq" bigint NOT NULL,
	"request_id" text NOT NULL,
	"agent_id" text NOT NULL,
	"virtual_queue" text NOT NULL,
	"reserved_at" timestamp with time zone NOT NULL,
	"expires_at" timestamp with time zone NOT NULL,
	"accepted_at" timestamp with time zone,
	"ended_at" timestamp with time zone,
	"outcome" text
);
--> statement-breakpoint
CREATE TABLE "routing_virtual_queues" (
	"name" text PRIMARY KEY NOT NULL,
	"description" text DEFAULT '' NOT NULL,
	"target" text,
	"reservation_timeout_seconds" integer,
	"default_handle_seconds" integer,
	"average_handle_seconds" double precision,
	"handle_samples" integer DEFAULT 0 NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
ALTER TABLE "routing_agent_group_members" ADD CONSTRAINT "routing_agent_group_members_group_name_routing_agent_groups_name_fk" FOREIGN KEY ("group_name") REFERENCES "public"."routing_agent_groups"("name") ON DELETE cascade ON UPDATE cascade;--> statement-breakpoint
ALTER TABLE "routing_agent_group_members" ADD CONSTRAINT "routing_agent_group_members_agent_id_routing_agents_id_fk" FOREIGN KEY ("agent_id") REFERENCES "public"."routing_agents"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "routing_agent_skills" ADD CONSTRAINT "routing_agent_skills_agent_id_routing_agents_id_fk" FOREIGN KEY ("agent_id") REFERENCES "public"."routing_agents"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "routing_agent_tokens" ADD CONSTRAINT "routing_agent_tokens_agent_id_routing_agents_id_fk" FOREIGN KEY ("agent_id") REFERENCES "public"."routing_agents"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "routing_requests" ADD CONSTRAINT "routing_requests_virtual_queue_routing_virtual_queues_name_fk" FOREIGN KEY ("virtual_queue") REFERENCES "public"."routing_virtual_queues"("name") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "routing_reservations" ADD CONSTRAINT "routing_reservations_request_seq_routing_requests_seq_fk" FOREIGN KEY ("request_seq") REFERENCES "public"."routing_requests"("seq") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "routing_agent_group_members_agent_idx" ON "routing_agent_group_members" USING btree ("agent_id");--> statement-breakpoint
CREATE INDEX "routing_agent_skills_skill_idx" ON "routing_agent_skills" USING btree ("skill");--> statement-breakpoint
CREATE INDEX "routing_agent_tokens_expires_idx" ON "routing_agent_tokens" USING btree ("expires_at");--> statement-breakpoint
CREATE INDEX "routing_agent_tokens_agent_idx" ON "routing_agent_tokens" USING btree ("agent_id");--> statement-breakpoint
CREATE INDEX "routing_agents_state_idx" ON "routing_agents" USING btree ("state","ready_since");--> statement-breakpoint
CREATE UNIQUE INDEX "routing_requests_active_request_id_uq" ON "routing_requests" USING btree ("request_id") WHERE state in ('WAITING', 'RESERVED', 'ACCEPTED');--> statement-breakpoint
CREATE INDEX "routing_requests_request_id_idx" ON "routing_requests" USING btree ("request_id");--> statement-breakpoint
CREATE INDEX "routing_requests_waiting_order_idx" ON "routing_requests" USING btree ("target","priority" DESC NULLS LAST,"enqueued_at","seq") WHERE state = 'WAITING';--> statement-breakpoint
CREATE INDEX "routing_requests_queue_idx" ON "routing_requests" USING btree ("virtual_queue","state");--> statement-breakpoint
CREATE INDEX "routing_requests_reserved_expiry_idx" ON "routing_requests" USING btree ("reservation_expires_at") WHERE state = 'RESERVED';--> statement-breakpoint
CREATE INDEX "routing_requests_finished_idx" ON "routing_requests" USING btree ("updated_at");--> statement-breakpoint
CREATE UNIQUE INDEX "routing_reservations_open_agent_uq" ON "routing_reservations" USING btree ("agent_id") WHERE ended_at is null;--> statement-breakpoint
CREATE UNIQUE INDEX "routing_reservations_open_request_uq" ON "routing_reservations" USING btree ("request_seq") WHERE ended_at is null;--> statement-breakpoint
CREATE INDEX "routing_reservations_agent_idx" ON "routing_reservations" USING btree ("agent_id","ended_at");--> statement-breakpoint
CREATE INDEX "routing_reservations_request_idx" ON "routing_reservations" USING btree ("request_seq");