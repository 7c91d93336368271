import { and, asc, desc, eq, inArray, sql } from 'drizzle-orm';
import type { Clock } from '../../clock.js';
import type { Db } from '../../db/client.js';
import type { Logger } from '../../log/logger.js';
import { type RoutingEvents, reservationEvent } from './events.js';
import { pairRequests } from './pairing.js';
import { loadProfiles } from './queue.rows.js';
import { agentsTable, requestsTable, reservationsTable, virtualQueuesTable } from './routing.tables.js';
import { matchesAgent, type ParsedTarget, type TargetCache } from './target.js';

export interface MatchPassOptions {
  /** Seconds an agent stays reserved for a request before the reservation lapses. */
  reservationTimeoutSeconds: number;
  /** Upper bound of ready agents one matching pass locks. */
  maxAgentsPerPass: number;
}

export interface MatchPassResult {
  reserved: number;
  lockedAgents: number;
  /** Waiting requests this pass wanted were held by another pass while some of its agents stayed unpaired. */
  contended: boolean;
}

const iso = (d: Date) => d.toISOString();

/**
 * The SQL of one matching pass: what it locks, and how it writes the reservations the pairing
 * policy (pairing.ts) chose. The locking rules are in queue.rows.ts.
 */
export class MatchPass {
  constructor(
    private readonly db: Db,
    private readonly clock: Clock,
    private readonly logger: Logger,
    private readonly targets: TargetCache,
    private readonly options: MatchPassOptions,
  ) {}

  /**
   * One matching pass: lock the ready agents nobody else holds, lock the oldest waiting requests
   * of the targets those agents can serve, and pair them (pairing.ts). Returns how many
   * reservations it made. Rows a concurrent pass holds are skipped, never waited for.
   */
  async run(events: RoutingEvents): Promise<MatchPassResult> {
    return this.db.transaction(async (tx) => {
      const now = this.clock.now();
      const agents = await tx
        .select({ id: agentsTable.id })
        .from(agentsTable)
        .where(eq(agentsTable.state, 'READY'))
        .orderBy(asc(agentsTable.readySince), asc(agentsTable.id))
        .limit(this.options.maxAgentsPerPass)
        .for('update', { skipLocked: true });
      if (agents.length === 0) return { reserved: 0, lockedAgents: 0, contended: false };

      const waitingTargets = await tx
        .select({ target: requestsTable.target })
        .from(requestsTable)
        .where(eq(requestsTable.state, 'WAITING'))
        .groupBy(requestsTable.target);
      if (waitingTargets.length === 0) return { reserved: 0, lockedAgents: agents.length, contended: false };

      const profiles = await loadProfiles(
        tx,
        agents.map((a) => a.id),
      );
      const servable = new Map<string, ParsedTarget>();
      for (const { target } of waitingTargets) {
        const parsed = this.parsedOrNull(target);
        if (parsed && profiles.some((p) => matchesAgent(parsed.expr, p))) servable.set(target, parsed);
      }
      if (servable.size === 0) return { reserved: 0, lockedAgents: agents.length, contended: false };

      // Per servable target, at most one request per locked agent can be served in this pass:
      // pick them without locks, then lock those still waiting, skipping rows another pass holds.
      const ranked = await tx
        .select({ seq: sql<number>`seq` })
        .from(
          sql`(select ${requestsTable.seq} as seq, row_number() over (
            partition by ${requestsTable.target}
            order by ${requestsTable.priority} desc, ${requestsTable.enqueuedAt}, ${requestsTable.seq}) as rn
          from ${requestsTable}
          where ${requestsTable.state} = 'WAITING' and ${inArray(requestsTable.target, [...servable.keys()])}
        ) as ranked`,
        )
        .where(sql`rn <= ${agents.length}`);
      const candidates =
        ranked.length === 0
          ? []
          : await tx
              .select({
                seq: requestsTable.seq,
                requestId: requestsTable.requestId,
                virtualQueue: requestsTable.virtualQueue,
                target: requestsTable.target,
              })
              .from(requestsTable)
              .where(
                and(
                  eq(requestsTable.state, 'WAITING'),
                  inArray(
                    requestsTable.seq,
                    ranked.map((r) => Number(r.seq)),
                  ),
                ),
              )
              .orderBy(desc(requestsTable.priority), asc(requestsTable.enqueuedAt), asc(requestsTable.seq))
              .for('update', { skipLocked: true });
      // Rows we could not lock are another pass's; if ours ends up short, the caller retries.
      const contended = candidates.length < ranked.length;

      const pairs = pairRequests(candidates, profiles, servable);
      if (pairs.length === 0) return { reserved: 0, lockedAgents: agents.length, contended };

      const queues = [...new Set(pairs.map((p) => p.req.virtualQueue))];
      const timeouts = new Map(
        (
          await tx
            .select({ name: virtualQueuesTable.name, seconds: virtualQueuesTable.reservationTimeoutSeconds })
            .from(virtualQueuesTable)
            .where(inArray(virtualQueuesTable.name, queues))
        ).map((q) => [q.name, q.seconds ?? this.options.reservationTimeoutSeconds]),
      );
      const expiresFor = (queue: string) =>
        new Date(now.getTime() + (timeouts.get(queue) ?? this.options.reservationTimeoutSeconds) * 1000);

      const inserted = await tx
        .insert(reservationsTable)
        .values(
          pairs.map(({ req, agentId }) => ({
            requestSeq: req.seq,
            requestId: req.requestId,
            agentId,
            virtualQueue: req.virtualQueue,
            reservedAt: now,
            expiresAt: expiresFor(req.virtualQueue),
          })),
        )
        .returning({ id: reservationsTable.id, requestSeq: reservationsTable.requestSeq });
      const reservationBySeq = new Map(inserted.map((r) => [r.requestSeq, r.id]));

      const agentValues = sql.join(
        pairs.map((p) => sql`(${p.agentId}, ${reservationBySeq.get(p.req.seq)}::bigint)`),
        sql`, `,
      );
      await tx.execute(sql`update ${agentsTable}
        set state = 'RESERVED', current_reservation_id = v.rid, state_changed_at = ${iso(now)}::timestamptz,
            updated_at = ${iso(now)}::timestamptz
        from (values ${agentValues}) as v(agent_id, rid)
        where ${agentsTable.id} = v.agent_id`);
      const requestValues = sql.join(
        pairs.map(
          (p) =>
            sql`(${p.req.seq}::bigint, ${p.agentId}, ${reservationBySeq.get(p.req.seq)}::bigint, ${iso(
              expiresFor(p.req.virtualQueue),
            )}::timestamptz)`,
        ),
        sql`, `,
      );
      await tx.execute(sql`update ${requestsTable}
        set state = 'RESERVED', agent_id = v.agent_id, reservation_id = v.rid, reservation_expires_at = v.expires,
            reservation_count = reservation_count + 1, updated_at = ${iso(now)}::timestamptz
        from (values ${requestValues}) as v(seq, agent_id, rid, expires)
        where ${requestsTable.seq} = v.seq`);

      for (const { req, agentId } of pairs) {
        const reservationId = reservationBySeq.get(req.seq) as number;
        const event = reservationEvent(
          'RESERVED',
          { ...req, reservationId },
          agentId,
          'RESERVED',
          now,
          expiresFor(req.virtualQueue),
        );
        events.reservation(event);
        events.agent(agentId, 'RESERVED', now, event);
        events.queue(req.virtualQueue, 'RESERVED', req.requestId, now);
      }
      return {
        reserved: pairs.length,
        lockedAgents: agents.length,
        contended: contended && pairs.length < profiles.length,
      };
    });
  }

  private parsedOrNull(target: string) {
    try {
      return this.targets.get(target);
    } catch (err) {
      this.logger.warn('waiting request has an unparsable target; skipped', { target, err });
      return null;
    }
  }
}
