import type { DbOrTx } from '../../db/client.js';
import { NotFoundError, ValidationError } from '../../errors.js';
import { parseBoolean } from '../../params.js';
import type { CreateContext } from '../sessions/session-handlers.js';
import type { SessionManager } from '../sessions/sessions.manager.js';
import { allocationLockPrelude } from './resource.allocation.js';
import type { Allocation, ResourceManager } from './resource.manager.js';

/** A GMS boolean option (src/params.ts rules); empty or absent → `fallback`. */
const flag = (params: Record<string, string>, name: string, fallback = false): boolean =>
  parseBoolean(
    name,
    params[name],
    fallback,
    (n, value, expected) =>
      new ValidationError('sessions/invalid_parameter', `${n} must be ${expected}, not '${value}'`, n),
  );

/** A whole number of the named option, or null when absent. */
function whole(params: Record<string, string>, name: string): number | null {
  const raw = params[name]?.trim();
  if (!raw) return null;
  if (!/^\d+$/.test(raw))
    throw new ValidationError(
      'sessions/invalid_parameter',
      `${name} must be a whole number, not '${raw}'`,
      name,
    );
  return Number(raw);
}

function resourceGroup(params: Record<string, string>): string {
  const group = params._resource_group?.trim();
  if (!group)
    throw new ValidationError(
      'sessions/missing_parameter',
      'Missing parameter _resource_group: neither the request nor the service names a resource group',
      '_resource_group',
    );
  return group;
}

/** The legacy access answer; `_expiration_time` is the seconds the booking still has. */
function accessBody(allocation: Allocation, now: Date): Record<string, string | number> {
  const body: Record<string, string | number> = { _access_number: allocation.accessNumber };
  if (allocation.accessCode !== null) body._access_code = allocation.accessCode;
  body._expiration_time = Math.max(0, Math.round((allocation.expiresAt.getTime() - now.getTime()) / 1000));
  return body;
}

const allocationInput = (params: Record<string, string>, sessionId: string) => ({
  group: resourceGroup(params),
  sessionId,
  phoneNumber: params._phone_number ?? null,
  provideCode: flag(params, '_provide_code'),
  accessCodeLength: whole(params, '_access_code_length') ?? undefined,
  bookingTimeoutSeconds: whole(params, '_booking_expiration_timeout'),
});

/**
 * request-access: books a number of `_resource_group` for a live session, holding the session FOR
 * SHARE meanwhile (a concurrent stop waits, then its listener releases the new booking too).
 */
export async function requestAccess(
  deps: { db: DbOrTx; sessions: SessionManager; resources: ResourceManager },
  sessionId: string,
  params: Record<string, string>,
  /** Where post-rollback work goes (a Service API create hands its own); else it runs here. */
  onRollback?: (fn: () => Promise<void>) => void,
): Promise<Allocation> {
  const input = allocationInput(params, sessionId);
  const rollbackWork: (() => Promise<void>)[] = [];
  try {
    return await deps.db.transaction(async (tx) => {
      await deps.sessions.holdActive(sessionId, tx);
      return deps.resources.allocate(input, { tx, onRollback: (fn) => rollbackWork.push(fn) });
    });
  } catch (err) {
    for (const fn of rollbackWork) {
      if (onRollback) onRollback(fn);
      else await fn();
    }
    throw err;
  }
}

/**
 * The access-number services of GMS ("Simple Voice Inbound-Immediate Call", "Request-access",
 * "Match-interaction"), over the resource engine:
 * - `request-interaction` books a number for the new session inside the transaction that creates it,
 *   so a 503 (pool exhausted) leaves no session behind;
 * - `request-access` books one for an existing live session (held FOR SHARE, so a concurrent stop
 *   sees the booking and releases it);
 * - `match-interaction` finds the session an inbound call belongs to and releases its booking.
 * (A session that stops or expires releases its bookings in the same transaction: that hook,
 * `sessions.onStopped` → `resources.releaseSession`, is wired in managers.ts.)
 */
export function registerAccessServiceTypes(deps: {
  sessions: SessionManager;
  resources: ResourceManager;
}): void {
  const { sessions, resources } = deps;

  sessions.handlers.registerServiceType('request-interaction', {
    unconfiguredByName: true,
    required: ['_phone_number'],
    // The allocation lock rides in the statement that writes the session (one statement fewer).
    prelude: (params) => allocationLockPrelude(resourceGroup(params)),
    async create(session, params, _service, ctx) {
      if (!session) throw new Error('request-interaction creates a session');
      const input = allocationInput(params, session.id);
      const allocation = await resources.allocate(input, {
        tx: ctx.tx,
        onRollback: ctx.onRollback,
        lockedGroup: ctx.preludeDone ? input.group.trim() : undefined,
      });
      // The generic create answer (`_id`, `id`, `_data_id`; reference §1.1) plus the access data.
      return {
        _id: session.id,
        id: session.id,
        _data_id: session.dataId,
        ...accessBody(allocation, ctx.now),
      };
    },
  });

  sessions.handlers.registerServiceType('request-access', {
    unconfiguredByName: true,
    createsSession: false,
    required: ['_id'],
    async create(_session, params, _service, ctx: CreateContext) {
      const allocation = await requestAccess(
        { db: ctx.tx, sessions, resources },
        params._id?.trim() ?? '',
        params,
        ctx.onRollback,
      );
      return accessBody(allocation, ctx.now);
    },
  });

  sessions.handlers.registerServiceType('match-interaction', {
    unconfiguredByName: true,
    createsSession: false,
    required: ['_access_number'],
    async create(_session, params) {
      const match = await resources.match({
        accessNumber: params._access_number ?? '',
        phoneNumber: params._phone_number || null,
        accessCode: params._access_code || null,
      });
      const session = await sessions.find(match.sessionId);
      if (!session)
        throw new NotFoundError(
          'resource/no_match',
          `The session matching a call to ${match.accessNumber} is no longer active`,
        );
      return { _id: session.id, _data_id: session.dataId };
    },
  });
}
