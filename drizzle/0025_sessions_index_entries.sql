-- Fewer index entries for each new session (issue 18, PostgreSQL CPU per request-interaction): every
-- session row paid an entry in each of the table's 4 indexes. sessions_service_name_idx served only
-- the admin list's optional service filter, which runs among live sessions (expires_at finds them);
-- sessions_gms_user_idx is now partial: the device-token lookup always asks for a given gms_user, and
-- a session created without the header (most legacy requests) never needs an entry.
DROP INDEX "sessions_service_name_idx";--> statement-breakpoint
DROP INDEX "sessions_gms_user_idx";--> statement-breakpoint
CREATE INDEX "sessions_gms_user_idx" ON "sessions" USING btree ("gms_user") WHERE "sessions"."gms_user" is not null;