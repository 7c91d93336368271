import { sql } from 'drizzle-orm';
import { getTableConfig } from 'drizzle-orm/pg-core';
import type { Config } from '../config.js';
import {
  activityTable,
  callbacksTable,
  chatsTable,
  pushDeliveriesTable,
  requestsTable,
  resourceBookingsTable,
  resourceEventsTable,
  rollupCallbacksTable,
  rollupCallbackWaitBinsTable,
  rollupCallbackWaitsTable,
  rollupResourcesTable,
  rollupServicesTable,
  sessionEventCountersTable,
  sessionEventsTable,
} from '../db/schema.js';
import { sqlTime as at, type RetentionPolicy } from './retention.js';

const DAY = 86_400;

/** The report rollups: each grain has its own retention, longer for coarser grains. */
function rollupPolicies(config: Config): RetentionPolicy[] {
  const r = config.retention;
  const tables = [
    ['rollup_services', rollupServicesTable],
    ['rollup_resources', rollupResourcesTable],
    ['rollup_callbacks', rollupCallbacksTable],
    ['rollup_callback_waits', rollupCallbackWaitsTable],
    ['rollup_callback_wait_bins', rollupCallbackWaitBinsTable],
  ] as const;
  return tables.map(([name, table]) => ({
    name,
    table,
    key: getTableConfig(table).primaryKeys[0]?.columns ?? [],
    keepSeconds: r.rollupMinuteDays * DAY,
    expired: (_cutoff: Date, now: Date) => {
      const before = (days: number) => at(new Date(now.getTime() - days * DAY * 1000));
      return sql`(${table.grain} = 60 and ${table.slot} < ${before(r.rollupMinuteDays)})
        or (${table.grain} = 3600 and ${table.slot} < ${before(r.rollupHourDays)})
        or (${table.grain} = 86400 and ${table.slot} < ${before(r.rollupDayDays)})`;
    },
  }));
}

/**
 * Every append-only (or history-keeping) table and what may leave it. docs/data-lifecycle.md has the
 * same list for people; a test checks that every policy is documented. Tables whose rows simply
 * expire (sessions, storage, tokens, subscriptions, links) are swept by their own modules.
 */
export function retentionPolicies(config: Config): RetentionPolicy[] {
  const r = config.retention;
  return [
    {
      // Raw rows behind the reports: the rollups answer for older ranges (report.plan.ts). A row
      // not yet folded into them waits in activity_pending, which retention never touches. Day
      // partitions leave by DROP (partitions.ts); this only cleans the DEFAULT partition.
      name: 'activity',
      table: activityTable,
      relation: 'activity_default',
      key: [activityTable.id],
      keepSeconds: r.activityDays * DAY,
      expired: (cutoff) => sql`${activityTable.occurredAt} < ${at(cutoff)}`,
    },
    ...rollupPolicies(config),
    {
      // Events are invisible once their session has expired; kept a little longer for support.
      name: 'session_events',
      table: sessionEventsTable,
      // Day partitions (by expires_at) leave by DROP (partitions.ts); this cleans the DEFAULT one.
      relation: 'session_events_default',
      key: [sessionEventsTable.sessionId, sessionEventsTable.seq, sessionEventsTable.expiresAt],
      keepSeconds: r.sessionEventsDays * DAY,
      expired: (cutoff) => sql`${sessionEventsTable.expiresAt} <= ${at(cutoff)}`,
    },
    {
      // A counter goes with its session's last events: a counter dropped while older events stay
      // would hand out their seq numbers again.
      name: 'session_event_counters',
      table: sessionEventCountersTable,
      key: [sessionEventCountersTable.sessionId],
      keepSeconds: r.sessionEventsDays * DAY,
      expired: (cutoff) => sql`${sessionEventCountersTable.expiresAt} <= ${at(cutoff)}`,
    },
    {
      // Pending deliveries are owed to a device: only delivered and dead-lettered ones leave.
      name: 'push_deliveries',
      table: pushDeliveriesTable,
      key: [pushDeliveriesTable.id],
      keepSeconds: config.push.retentionSeconds,
      expired: (cutoff) =>
        sql`${pushDeliveriesTable.status} <> 'pending' and ${pushDeliveriesTable.updatedAt} <= ${at(cutoff)}
            and ${pushDeliveriesTable.createdAt} <= ${at(cutoff)}`,
    },
    {
      // Ended chats with their transcripts (ON DELETE CASCADE), once the session is gone too: a live
      // session's customer may still read the transcript.
      name: 'chats',
      table: chatsTable,
      key: [chatsTable.id],
      keepSeconds: r.chatDays * DAY,
      batchFraction: 0.05,
      expired: (cutoff, now) =>
        sql`${chatsTable.status} = 'ENDED' and ${chatsTable.endedAt} <= ${at(cutoff)}
            and ${chatsTable.sessionExpiresAt} <= ${at(now)}`,
    },
    {
      // Completed callbacks whose session has expired; a callback in any other state is pending.
      name: 'callbacks',
      table: callbacksTable,
      key: [callbacksTable.id],
      keepSeconds: r.callbackDays * DAY,
      expired: (cutoff, now) =>
        sql`${callbacksTable.state} = 'COMPLETED' and ${callbacksTable.completedAt} <= ${at(cutoff)}
            and ${callbacksTable.expiresAt} <= ${at(now)}`,
    },
    {
      // Routing history: finished requests (their reservations go with them by cascade).
      name: 'routing_requests',
      table: requestsTable,
      key: [requestsTable.seq],
      keepSeconds: r.routingDays * DAY,
      batchFraction: 0.2,
      expired: (cutoff) =>
        sql`${requestsTable.state} in ('COMPLETED', 'CANCELLED') and ${requestsTable.updatedAt} <= ${at(cutoff)}`,
    },
    {
      // Booking history: closed bookings only; an open booking is a number a caller is using.
      name: 'resource_bookings',
      table: resourceBookingsTable,
      key: [resourceBookingsTable.id],
      keepSeconds: r.resourceHistoryDays * DAY,
      expired: (cutoff) =>
        sql`${resourceBookingsTable.closedAt} is not null and ${resourceBookingsTable.closedAt} <= ${at(cutoff)}
            and ${resourceBookingsTable.createdAt} <= ${at(cutoff)}`,
    },
    {
      name: 'resource_events',
      table: resourceEventsTable,
      key: [resourceEventsTable.id],
      keepSeconds: r.resourceHistoryDays * DAY,
      expired: (cutoff) => sql`${resourceEventsTable.createdAt} <= ${at(cutoff)}`,
    },
  ];
}
