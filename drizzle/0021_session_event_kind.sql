-- Typed session events (issue 15): a row with a kind holds that kind's domain value (chat's
-- `chat.transcript`), presented as GMS JSON where it leaves the process. Every row written before
-- this has no kind: its message is the push as delivered (chat events included), so no data moves.
ALTER TABLE "session_events" ADD COLUMN "kind" text;
