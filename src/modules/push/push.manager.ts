import { assertOwns, DEVICE_TOKEN_HEADER, graphqlRequester, hashDeviceToken } from '../../auth/ownership.js';
import { isAdmin, type Viewer } from '../../auth/viewer.js';
import type { Deps } from '../../deps.js';
import { ForbiddenError, ValidationError } from '../../errors.js';
import { decodeCursor, type EventStore, encodeCursor, type SessionEvent } from '../event/event.manager.js';
import type { SessionView } from '../sessions/session-handlers.js';
import type { SessionManager } from '../sessions/sessions.manager.js';

export interface SessionResume {
  /** Deliver events after this seq (0: everything still stored). */
  afterSeq?: number | null;
  /** Or after the event with this push `id` (its seq is looked up). */
  afterId?: string | null;
}

const MAX_PAGE = 500;

/** Told that a session's events up to `seq` reached the device (CometD or a provider). */
export type DeliveredHook = (sessionId: string, seq: number) => Promise<void>;

declare module '../../managers.types.js' {
  interface Managers {
    push: PushManager;
  }
}

/**
 * Viewer-authorised access to the durable event store: the catch-up reads and live streams that
 * GraphQL subscriptions (graphql-ws, SSE) serve. A device sees only sessions created with its own
 * `gms_user` and its own device stream; admins see everything. Anything a viewer may not see is
 * "not found", so other users' session ids are not confirmed.
 */
export class PushManager {
  private readonly deliveredHooks: DeliveredHook[] = [];

  constructor(
    readonly deps: Deps,
    private readonly events: EventStore,
    private readonly sessions: SessionManager,
  ) {}

  /**
   * Registers `fn(sessionId, seq)`, run each time push confirms that a session's events up to `seq`
   * reached the device: written to its CometD transport, or accepted by its provider (outbox row
   * delivered, every earlier row of the session too). At least once, in no guaranteed order across
   * sessions; hooks must be idempotent and monotonic (a lower seq after a higher one changes nothing).
   */
  onDelivered(fn: DeliveredHook): void {
    this.deliveredHooks.push(fn);
  }

  /** For the push channels: runs the delivery hooks; a failing hook is logged, never thrown. */
  async delivered(sessionId: string, seq: number): Promise<void> {
    for (const hook of this.deliveredHooks) {
      try {
        await hook(sessionId, seq);
      } catch (err) {
        this.deps.logger.warn('push delivered hook failed', { sessionId, seq, err });
      }
    }
  }

  /** GraphQL is always strict: a device reads only the sessions it created. */
  visibleSession(viewer: Viewer, sessionId: string): Promise<SessionView> {
    return this.sessions.owned(graphqlRequester(viewer), sessionId);
  }

  /** The seq to resume after: `afterId` wins (it must belong to the session), else `afterSeq`. */
  private async resumeSeq(sessionId: string, resume: SessionResume): Promise<number> {
    if (resume.afterId) {
      const event = await this.events.findByDeliveryId(resume.afterId);
      if (!event || event.sessionId !== sessionId)
        throw new ValidationError(
          'push/unknown_event',
          `Event '${resume.afterId}' is not an event of this session (or has expired)`,
          'afterId',
        );
      return event.seq;
    }
    const seq = resume.afterSeq ?? 0;
    if (!Number.isInteger(seq) || seq < 0)
      throw new ValidationError('push/invalid_seq', 'afterSeq must be a non-negative integer', 'afterSeq');
    return seq;
  }

  /** Catch-up read ("retrieve notifications"): stored events of a session after a position. */
  async sessionEvents(
    viewer: Viewer,
    sessionId: string,
    resume: SessionResume,
    limit = 100,
  ): Promise<SessionEvent[]> {
    const session = await this.visibleSession(viewer, sessionId);
    const after = await this.resumeSeq(session.id, resume);
    return this.events.readSession(session.id, after, Math.min(Math.max(limit, 1), MAX_PAGE));
  }

  /** Live events of a session: what is stored after the position first, then new ones. */
  async streamSession(viewer: Viewer, sessionId: string, resume: SessionResume) {
    const session = await this.visibleSession(viewer, sessionId);
    const after = await this.resumeSeq(session.id, resume);
    return this.events.streamSession(session.id, after);
  }

  /**
   * May a legacy CometD client that says it is `gmsUser` (presenting `token`, or none) receive that
   * device's pushes? Compatible mode: yes (GMS 8.1: the gms_user header is the identity). Strict
   * mode: the token must be one the device's live sessions were created with, or, when all of them
   * are bound to gms_user alone (created before the switch), none is needed. A device with no live
   * session is refused: nothing proves it is that device.
   */
  async cometAccess(gmsUser: string, token: string | null): Promise<string | null> {
    if (this.deps.config.legacyAccess !== 'strict') return null;
    const hashes = await this.sessions.ownerTokenHashes(gmsUser);
    if (hashes.length === 0)
      return 'LEGACY_ACCESS=strict: create a session first, then subscribe with its device token';
    if (token && hashes.includes(hashDeviceToken(token))) return null;
    if (hashes.every((h) => h === null)) return null;
    return `LEGACY_ACCESS=strict: send the device token (${DEVICE_TOKEN_HEADER} header or ext.gms_device_token) your sessions were created with`;
  }

  /** Whose device stream the viewer reads: their own `gms_user`; admins must name one. */
  deviceUser(viewer: Viewer, gmsUser: string | null | undefined): string {
    if (isAdmin(viewer)) {
      const user = gmsUser ?? viewer.gmsUser;
      if (!user) throw new ValidationError('push/gms_user_required', 'Name the device (gmsUser)', 'gmsUser');
      return user;
    }
    if (!viewer.gmsUser)
      throw new ForbiddenError('Send your gms_user header (or connection parameter) to read device events');
    // A device's stream is its gms_user's (bound to no token: any session's device reads it).
    return assertOwns(
      viewer,
      { gmsUser: gmsUser ?? viewer.gmsUser },
      'strict',
      () => new ForbiddenError('A device may read only its own events (its gms_user)'),
    ).gmsUser;
  }

  /** Catch-up read of a device's events (every session of its gms_user) after a cursor. */
  async deviceEvents(viewer: Viewer, gmsUser: string | null | undefined, cursor: string | null, limit = 100) {
    const user = this.deviceUser(viewer, gmsUser);
    const position = decodeCursor(cursor);
    const events = await this.events.readUser(user, position, Math.min(Math.max(limit, 1), MAX_PAGE));
    return events.map((e) => {
      position[e.sessionId] = e.seq;
      return { ...e, cursor: encodeCursor(position) };
    });
  }

  /** Live events of a device; each carries the cursor to resume after it. */
  streamDevice(viewer: Viewer, gmsUser: string | null | undefined, cursor: string | null) {
    const user = this.deviceUser(viewer, gmsUser);
    return this.events.streamUser(user, decodeCursor(cursor));
  }
}
