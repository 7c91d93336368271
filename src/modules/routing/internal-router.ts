import { eq, sql } from 'drizzle-orm';
import { queryRows } from '../../db/client.js';
import type { Deps } from '../../deps.js';
import { NotFoundError } from '../../errors.js';
import type { BusSubscription } from '../../pubsub/event-bus.js';
import { RoutingEvents } from './events.js';
import { agentReadyThreshold, estimateWaitSeconds, queueHandleSeconds } from './ewt.js';
import type { Matcher } from './matcher.js';
import { type QueueStore, requestView } from './queue.store.js';
import type { Router } from './router.js';
import { agentsTable, requestsTable, virtualQueuesTable } from './routing.tables.js';
import type {
  EnqueueInput,
  QueuePosition,
  ReservationEvent,
  RoutingRequestView,
  ThresholdOptions,
} from './routing.types.js';
import type { RoutingStats } from './stats.js';
import type { TargetCache } from './target.js';
import { targetSql } from './target.js';

/** This engine as a `Router`: the queue in Postgres/PGlite, agents from the agent desktop API. */
export class InternalRouter implements Router {
  readonly kind = 'internal';

  constructor(
    private readonly deps: Deps,
    private readonly store: QueueStore,
    private readonly matcher: Matcher,
    private readonly stats: RoutingStats,
    private readonly targets: TargetCache,
    private readonly defaultHandleSeconds: number,
  ) {}

  async enqueue(input: EnqueueInput): Promise<RoutingRequestView> {
    const events = new RoutingEvents();
    const { row, created } = await this.store.enqueue(input, events);
    await events.publish(this.deps.bus);
    if (!created) return requestView(row);
    await this.matcher.run();
    return requestView(
      (await this.store.active(row.requestId)) ?? (await this.store.latest(row.requestId)) ?? row,
    );
  }

  async cancel(requestId: string, reason?: string): Promise<boolean> {
    const events = new RoutingEvents();
    const cancelled = await this.store.cancel(requestId, reason ?? null, events);
    await events.publish(this.deps.bus);
    // A reserved agent went back to READY: let it take the next request.
    if (events.agents.length > 0) await this.matcher.run();
    return cancelled;
  }

  async get(requestId: string): Promise<RoutingRequestView | null> {
    const row = await this.store.latest(requestId);
    return row ? requestView(row) : null;
  }

  subscribe(requestId: string | null): BusSubscription<ReservationEvent> {
    return this.deps.bus.subscribe('routing:reservation', requestId);
  }

  async position(requestId: string, thresholds: ThresholdOptions = {}): Promise<QueuePosition> {
    const row = await this.store.active(requestId);
    if (!row)
      throw new NotFoundError('routing/request_not_found', `No active routing request '${requestId}'`);
    const [counts] = await queryRows<{ total: unknown; ahead: unknown }>(
      this.deps.db,
      sql`select count(*)::int as total,
          count(*) filter (where priority > ${row.priority}
            or (priority = ${row.priority} and (enqueued_at < ${row.enqueuedAt.toISOString()}::timestamptz
              or (enqueued_at = ${row.enqueuedAt.toISOString()}::timestamptz and seq < ${row.seq}))))::int as ahead
        from ${requestsTable} where virtual_queue = ${row.virtualQueue} and state = 'WAITING'`,
    );
    const totalWaiting = Number(counts?.total ?? 0);
    let position = 0;
    let eta: number | null = 0;
    if (row.state === 'WAITING') {
      position = Number(counts?.ahead ?? 0) + 1;
      const expr = this.targets.get(row.target).expr;
      const agents = await this.stats.agentCounts(targetSql(expr, sql`${agentsTable.id}`));
      const n = (s: Parameters<typeof agents.get>[0]) => agents.get(s) ?? 0;
      const ready = n('READY');
      const [vq] = await this.deps.db
        .select()
        .from(virtualQueuesTable)
        .where(eq(virtualQueuesTable.name, row.virtualQueue));
      eta = estimateWaitSeconds({
        position,
        readyAgents: ready,
        staffedAgents: ready + n('RESERVED') + n('BUSY') + n('AFTER_CALL_WORK'),
        averageHandleSeconds: queueHandleSeconds(vq, this.defaultHandleSeconds),
      });
    }
    const threshold = agentReadyThreshold(eta, position, thresholds);
    return {
      requestId,
      state: row.state,
      position,
      totalWaiting,
      eta,
      agentReadyThresholdPassed: threshold.passed,
      reason: threshold.reason,
    };
  }
}
