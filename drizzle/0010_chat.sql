CREATE TABLE "chat_transcript" (
	"chat_id" text NOT NULL,
	"position" integer NOT NULL,
	"event_type" text NOT NULL,
	"nickname" text NOT NULL,
	"text" text NOT NULL,
	"party_id" text NOT NULL,
	"party_type" text NOT NULL,
	"created_at" timestamp with time zone NOT NULL,
	CONSTRAINT "chat_transcript_chat_id_position_pk" PRIMARY KEY("chat_id","position")
);
--> statement-breakpoint
CREATE TABLE "chats" (
	"id" text PRIMARY KEY NOT NULL,
	"session_id" text NOT NULL,
	"service_name" text NOT NULL,
	"service_type" text NOT NULL,
	"gms_user" text,
	"status" text NOT NULL,
	"nickname" text NOT NULL,
	"first_name" text,
	"last_name" text,
	"email" text,
	"subject" text,
	"notify_by" text,
	"details" jsonb NOT NULL,
	"routing_request_id" text,
	"virtual_queue" text,
	"target" text,
	"reservation_id" integer,
	"agent_id" text,
	"agent_nickname" text,
	"agent_party_id" integer,
	"next_party_id" integer DEFAULT 2 NOT NULL,
	"last_position" integer DEFAULT 0 NOT NULL,
	"client_position" integer DEFAULT 0 NOT NULL,
	"ended_by" text,
	"started_at" timestamp with time zone NOT NULL,
	"ended_at" timestamp with time zone,
	"session_expires_at" timestamp with time zone NOT NULL
);
--> statement-breakpoint
ALTER TABLE "chat_transcript" ADD CONSTRAINT "chat_transcript_chat_id_chats_id_fk" FOREIGN KEY ("chat_id") REFERENCES "public"."chats"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE UNIQUE INDEX "chats_open_session_idx" ON "chats" USING btree ("session_id") WHERE "chats"."status" <> 'ENDED';--> statement-breakpoint
CREATE INDEX "chats_session_idx" ON "chats" USING btree ("session_id","started_at");--> statement-breakpoint
CREATE INDEX "chats_routing_request_idx" ON "chats" USING btree ("routing_request_id");--> statement-breakpoint
CREATE INDEX "chats_agent_idx" ON "chats" USING btree ("agent_id");--> statement-breakpoint
CREATE INDEX "chats_gms_user_idx" ON "chats" USING btree ("gms_user");--> statement-breakpoint
CREATE INDEX "chats_ended_at_idx" ON "chats" USING btree ("ended_at");