ALTER TABLE "callbacks" ADD COLUMN "owner_token_hash" text;--> statement-breakpoint
ALTER TABLE "chats" ADD COLUMN "owner_token_hash" text;--> statement-breakpoint
ALTER TABLE "notification_subscriptions" ADD COLUMN "owner_token_hash" text;--> statement-breakpoint
ALTER TABLE "sessions" ADD COLUMN "owner_token_hash" text;--> statement-breakpoint
ALTER TABLE "storage_entries" ADD COLUMN "owner_token_hash" text;