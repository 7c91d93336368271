CREATE INDEX "callbacks_completed_idx" ON "callbacks" USING btree ("completed_at") WHERE state = 'COMPLETED';--> statement-breakpoint
CREATE INDEX "session_event_counters_expires_at_idx" ON "session_event_counters" USING btree ("expires_at");--> statement-breakpoint
CREATE INDEX "push_deliveries_created_brin" ON "push_deliveries" USING brin ("created_at");--> statement-breakpoint
CREATE INDEX "resource_bookings_created_brin" ON "resource_bookings" USING brin ("created_at");--> statement-breakpoint
CREATE INDEX "resource_events_created_brin" ON "resource_events" USING brin ("created_at");