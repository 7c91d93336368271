import { and, eq, gt, gte, inArray, type SQL, sql } from 'drizzle-orm';
import type { DbOrTx } from '../../db/client.js';
import { UnavailableError } from '../../errors.js';
import { DuplicateCallbackError } from './callback.errors.js';
import { flag, positiveInt } from './callback.rules.js';
import { type CallbackState, callbacksTable } from './callback.tables.js';

/** Callbacks that still hold their place (a duplicate of one of these is refused). */
export const ACTIVE_STATES: CallbackState[] = ['SCHEDULED', 'QUEUED', 'ROUTING', 'PROCESSING'];
const IN_QUEUE_STATES: CallbackState[] = ['QUEUED', 'ROUTING'];

/**
 * The protections of a callback start (reference §7.3), counted in SQL inside the start's
 * transaction: `_max_queued_callbacks_per_service`, the two `_throttle_callbacks_per_service_<n>` /
 * `_throttle_ttl_<n>` windows, the per-parameter daily limit (`_throttle_request_parameters[_limit]`)
 * and `_enable_in_queue_checking` (one active callback per customer number).
 */
export async function checkCallbackLimits(
  tx: DbOrTx,
  serviceName: string,
  params: Record<string, string>,
  customerKey: string | null,
  now: Date,
): Promise<void> {
  // Every count is sent at once: they run one after the other on the transaction's connection (after
  // the service lock sent before them), in one round trip instead of one each, and are judged below
  // in the order the limits are checked, so the first limit reached is the one reported.
  const count = (where: SQL | undefined): Promise<number> => {
    const n = tx
      .select({ n: sql<number>`count(*)::int` })
      .from(callbacksTable)
      .where(where)
      .then(([r]) => Number(r?.n ?? 0));
    n.catch(() => {}); // awaited below unless a bad option throws first; never unhandled
    return n;
  };
  const checks: Array<{ n: Promise<number>; refuse: (n: number) => Error | null }> = [];
  const max = positiveInt(params, '_max_queued_callbacks_per_service', 1000);
  checks.push({
    n: count(
      and(eq(callbacksTable.serviceName, serviceName), inArray(callbacksTable.state, IN_QUEUE_STATES)),
    ),
    refuse: (queued) =>
      queued >= max
        ? new UnavailableError(
            'callback/queue_limit',
            `Limit of queued callbacks for ${serviceName} is reached.`,
          )
        : null,
  });
  for (const n of [1, 2]) {
    const limitName = `_throttle_callbacks_per_service_${n}`;
    const ttlName = `_throttle_ttl_${n}`;
    if (!params[limitName]?.trim() || !params[ttlName]?.trim()) continue;
    const limit = positiveInt(params, limitName, 0);
    const ttl = positiveInt(params, ttlName, 0);
    if (ttl === 0) continue;
    checks.push({
      n: count(
        and(
          eq(callbacksTable.serviceName, serviceName),
          gt(callbacksTable.createdAt, new Date(now.getTime() - ttl * 1000)),
        ),
      ),
      refuse: (recent) =>
        recent >= limit
          ? new UnavailableError(
              'callback/throttled',
              `Limit of queued callbacks for ${serviceName} is reached for interval ${ttl}s.`,
            )
          : null,
    });
  }
  const perDay = positiveInt(
    params,
    '_throttle_request_parameters_limit',
    positiveInt(params, '_throttle_customer_number_limit', 0),
  );
  if (perDay > 0) {
    const names = (params._throttle_request_parameters ?? '_customer_number')
      .split(',')
      .map((s) => s.trim())
      .filter(Boolean);
    const midnight = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate()));
    for (const name of names) {
      const value = name === '_customer_number' ? customerKey : (params[name] ?? null);
      if (!value) continue;
      const same =
        name === '_customer_number'
          ? eq(callbacksTable.customerKey, value)
          : sql`${callbacksTable.params} ->> ${name} = ${value}`;
      checks.push({
        n: count(
          and(eq(callbacksTable.serviceName, serviceName), gte(callbacksTable.createdAt, midnight), same),
        ),
        refuse: (today) =>
          today >= perDay
            ? new UnavailableError(
                'callback/throttled_parameter',
                `Callback for ${name}=${name === '_customer_number' ? (params._customer_number ?? value) : value} rejected because previous callbacks for this parameter were requested for more than ${perDay} times today.`,
              )
            : null,
      });
    }
  }
  const duplicate =
    customerKey && flag(params, '_enable_in_queue_checking', true)
      ? tx
          .select({ id: callbacksTable.id })
          .from(callbacksTable)
          .where(
            and(
              eq(callbacksTable.serviceName, serviceName),
              eq(callbacksTable.customerKey, customerKey),
              inArray(callbacksTable.state, ACTIVE_STATES),
            ),
          )
          .limit(1)
          .then((rows) => rows) // sent now, behind the counts (a query builder runs when awaited)
      : null;
  duplicate?.catch(() => {});
  // Promise.all: a failed statement fails the rest (the transaction is aborted); its error is the
  // first to arrive, and no later rejection goes unhandled.
  const [counts, found] = await Promise.all([Promise.all(checks.map((c) => c.n)), duplicate]);
  for (const [i, c] of checks.entries()) {
    const refusal = c.refuse(counts[i] ?? 0);
    if (refusal) throw refusal;
  }
  const dup = found?.[0];
  if (dup)
    throw new DuplicateCallbackError(
      `Callback for _customer_number=${params._customer_number ?? customerKey} is already in queue (${dup.id}). Check option _enable_in_queue_checking`,
      dup.id,
    );
}
