import { and, asc, eq, inArray, lte } from 'drizzle-orm';
import type { DbOrTx } from '../../db/client.js';
import type { Deps } from '../../deps.js';
import { DomainError, NotFoundError, ValidationError } from '../../errors.js';
import type { Scheduler } from '../../scheduler.js';
import type { EventStore, SessionEvent } from '../event/event.manager.js';
import { buildAvailabilityV1 } from '../office-hours/office-hours.legacy.js';
import type { OfficeHoursManager } from '../office-hours/office-hours.manager.js';
import type { PatternManager } from '../pattern/pattern.manager.js';
import type { ActivityRecorder } from '../report/activity.manager.js';
import type { ResourceManager } from '../resource/resource.manager.js';
import type { MatchResult } from '../resource/resource.types.js';
import type { RoutingManager, RoutingRequestView } from '../routing/routing.manager.js';
import { parseTtlSeconds } from '../services/service-options.js';
import {
  mergeServiceParams,
  type ResolvedService,
  type ServiceManager,
} from '../services/services.manager.js';
import type {
  Caller,
  CreateContext,
  LegacyJson,
  RequestParams,
  SessionView,
} from '../sessions/session-handlers.js';
import {
  DEFAULT_SESSION_TTL_SECONDS,
  type SessionManager,
  type SessionStoppedEvent,
} from '../sessions/sessions.manager.js';
import { CallbackDialer, type DialOutcome, type DialRequest } from './callback.dialer.js';
import {
  CallbackDialogs,
  confirmationDialog,
  confirmationMenu,
  delayedDialog,
  startChatDialog,
} from './callback.dialogs.js';
import { type CheckQueuePositionBody, checkQueuePositionBody } from './callback.legacy.js';
import { ACTIVE_STATES, checkCallbackLimits } from './callback.limits.js';
import { CallbackNotifications, type NotificationInput } from './callback.notifications.js';
import { needsRoutingRequest, syncAction } from './callback.routing-sync.js';
import {
  DEVICE_OS_VALUES,
  flag,
  LATER_FLAGS,
  latestDesiredTime,
  normaliseCustomerNumber,
  parseInstant,
  positiveInt,
  storedFlag,
} from './callback.rules.js';
import { type CallbackQuery, CallbackStore } from './callback.store.js';
import { type CallbackRow, type CallbackState, callbacksTable } from './callback.tables.js';

export { DIAL_OUTCOMES, type DialOutcome, type DialRequest } from './callback.dialer.js';
export type { NotificationInput } from './callback.notifications.js';
export type { CallbackChange, CallbackQuery } from './callback.store.js';
export type { CallbackRow, CallbackState };

/** A caller of `start`: the public base URL seen by the device (for `_start_chat_url`, `_comet_url`). */
export interface StartCaller extends Caller {
  baseUrl?: string;
}

interface StartMarker {
  callbackStart: true;
  baseUrl: string;
}

const isStartMarked = (ctx: CreateContext): ctx is CreateContext & StartMarker =>
  (ctx as Partial<StartMarker>).callbackStart === true;

export interface CallbackManagerOptions {
  /** Complete a queued callback when the customer's own call is matched on ANI first. */
  completeOnInboundCall: boolean;
}

export const DEFAULT_CALLBACK_OPTIONS: CallbackManagerOptions = {
  completeOnInboundCall: true,
};

const exceptionsError = (number: string, group: string, pattern: string) =>
  new ValidationError(
    'callback/number_excluded',
    `Customer Number [${number}] is disallowed, because it matches pattern '${pattern}' of exception group '${group}'. Check option _exceptions`,
    '_customer_number',
  );

declare module '../../managers.types.js' {
  interface Managers {
    callbacks: CallbackManager;
  }
}

/**
 * Callback services (`_service: callback`): the four 8.1.2 scenarios, scheduled callbacks and the
 * 8.5 operations. State lives in `callbacks` (one row per session); every transition is a
 * compare-and-set or runs under the row lock, so any instance may react to any routing event.
 * Routing events are only prompts: `sync(id)` reads the routing request and the row and moves the
 * callback forward idempotently; the background `reconcile` does the same for every active callback.
 */
export class CallbackManager {
  constructor(
    private readonly deps: Deps,
    private readonly m: {
      sessions: SessionManager;
      services: ServiceManager;
      events: EventStore;
      routing: RoutingManager;
      resources: ResourceManager;
      officeHours: OfficeHoursManager;
      patterns: PatternManager;
      activity: ActivityRecorder;
    },
    private readonly options: CallbackManagerOptions = DEFAULT_CALLBACK_OPTIONS,
  ) {
    this.store = new CallbackStore(deps, m.activity);
    this.dialer = new CallbackDialer(deps, this.store);
    this.dialogs = new CallbackDialogs(deps, this.store, m.resources, this.dialer);
    this.notifications = new CallbackNotifications(deps, this.store, m.events);
  }

  private readonly store: CallbackStore;
  private readonly dialer: CallbackDialer;
  private readonly dialogs: CallbackDialogs;
  private readonly notifications: CallbackNotifications;

  /**
   * Listens for routing reservation events and stopped sessions on this instance; each is a
   * prompt to `sync`. Several instances may listen: every step is idempotent.
   */
  async listen(): Promise<() => Promise<void>> {
    const stops = await Promise.all([
      this.deps.bus.watch('routing:reservation', null, (e) => this.prompt(e.requestId)),
      this.deps.bus.watch('session:stopped', null, (e) => {
        if (e.serviceType === 'callback') this.prompt(e.id);
      }),
    ]);
    return async () => {
      for (const stop of stops) await stop();
    };
  }

  private prompt(id: string): void {
    this.sync(id).catch((err: unknown) =>
      this.deps.logger.error('callback sync failed', { callbackId: id, err }),
    );
  }

  // ---------------------------------------------------------------- start

  /** POST /genesys/1/service/callback/{name}: the session, then whatever must follow its commit. */
  async start(
    serviceName: string,
    request: RequestParams,
    caller: StartCaller,
  ): Promise<{ id: string; response: LegacyJson }> {
    await this.precheck(serviceName, request);
    const baseUrl = (caller.baseUrl ?? this.defaultBaseUrl()).replace(/\/+$/, '');
    const marked: Caller & StartMarker = { ...caller, callbackStart: true, baseUrl };
    const result = await this.m.sessions.create(serviceName, request, marked);
    const id = result.session?.id;
    if (!id) throw new Error('callback start created no session');
    const row = await this.store.get(id);
    await this.store.announce(row);
    await this.sync(id);
    return { id, response: result.response };
  }

  private defaultBaseUrl(): string {
    return this.deps.config.publicUrl ?? `http://localhost:${this.deps.config.port}`;
  }

  /** Checks that read other modules' data (outside the session transaction). */
  private async precheck(serviceName: string, request: RequestParams): Promise<void> {
    const service = await this.m.services.resolve(serviceName);
    if (service.serviceType !== 'callback')
      throw new NotFoundError(
        'callback/not_a_callback_service',
        `Service '${serviceName}' is not a callback service`,
      );
    const params = mergeServiceParams(service, { ...request.userData, ...request.control });
    const number = normaliseCustomerNumber(params._customer_number, params);
    const group = params._exceptions?.trim();
    if (number && group) {
      const hit = await this.m.patterns.findMatch(group, number.key);
      if (hit) throw exceptionsError(number.key, group, hit);
    }
  }

  /**
   * The `callback` service type's create (callback.service-types.ts), inside the session's
   * transaction. Only `start` may create a callback session: it marks the caller with its base URL.
   */
  async createInSession(
    session: SessionView | null,
    params: Record<string, string>,
    service: ResolvedService,
    ctx: CreateContext,
  ): Promise<LegacyJson> {
    if (!session) throw new Error('callback sessions always exist');
    if (!isStartMarked(ctx))
      throw new ValidationError(
        'callback/use_callback_api',
        `Callback service '${service.name}' is started with POST /genesys/1/service/callback/${service.name}`,
      );
    return this.createInTx(session, params, service, ctx);
  }

  private async createInTx(
    session: SessionView,
    params: Record<string, string>,
    service: ResolvedService,
    ctx: CreateContext & StartMarker,
  ): Promise<LegacyJson> {
    const { tx, now } = ctx;
    const direction = (params._call_direction || 'USERORIGINATED').toUpperCase();
    if (direction !== 'USERORIGINATED' && direction !== 'USERTERMINATED')
      throw new ValidationError(
        'callback/invalid_option',
        `_call_direction must be USERORIGINATED or USERTERMINATED, not '${params._call_direction}'`,
        '_call_direction',
      );
    if (direction === 'USERTERMINATED' && !params._customer_number?.trim())
      throw new ValidationError(
        'sessions/missing_parameter',
        `Missing mandatory parameter _customer_number for service '${service.name}' (user-terminated: we call the customer)`,
        '_customer_number',
      );
    const media = (params._media_type || 'voice').toLowerCase();
    if (media !== 'voice' && media !== 'chat')
      throw new ValidationError(
        'callback/invalid_option',
        `_media_type must be voice or chat, not '${params._media_type}'`,
        '_media_type',
      );
    const virtualQueue = params._urs_virtual_queue?.trim();
    if (!virtualQueue)
      throw new ValidationError(
        'sessions/missing_parameter',
        `Missing mandatory parameter _urs_virtual_queue for service '${service.name}'`,
        '_urs_virtual_queue',
      );
    const deviceOs = params._device_os?.trim() || null;
    if (deviceOs && !(DEVICE_OS_VALUES as readonly string[]).includes(deviceOs.toLowerCase()))
      throw new ValidationError(
        'callback/invalid_device_os',
        `_device_os must be one of ${DEVICE_OS_VALUES.join(', ')}, not '${deviceOs}'`,
        '_device_os',
      );
    const number = normaliseCustomerNumber(params._customer_number, params);
    const connectLimit = positiveInt(params, '_userorig_connect_limit', 3);
    const priority = params._urs_vq_priority ? positiveInt(params, '_urs_vq_priority', 0) : 0;

    // Per service, starts are serialised: limits, duplicates and capacity count committed rows.
    await this.store.lockService(tx, service.name);
    await checkCallbackLimits(tx, service.name, params, number?.key ?? null, now);

    let desiredTime: Date | null = null;
    let slotStart: Date | null = null;
    let expiresAt = session.expiresAt;
    if (params._desired_time?.trim()) {
      desiredTime = parseInstant(params._desired_time, '_desired_time');
      if (desiredTime.getTime() > now.getTime()) {
        const slot = await this.reserveDesiredTime(tx, service.name, params, desiredTime, now, session.id);
        slotStart = slot;
        // A callback scheduled past the session's _ttl keeps its session (and user data) alive for a
        // whole _ttl after the desired time, so the agent and the device still find them then.
        const lifetimeMs = session.expiresAt.getTime() - session.createdAt.getTime();
        expiresAt = await this.keepSessionUntil(tx, session.id, desiredTime, lifetimeMs, expiresAt);
      } else desiredTime = null;
    }
    const scheduled = desiredTime !== null;
    const waitForAgent = scheduled || flag(params, '_wait_for_agent', false);
    for (const name of LATER_FLAGS) flag(params, name, false);
    const row: typeof callbacksTable.$inferInsert = {
      id: session.id,
      serviceName: service.name,
      gmsUser: ctx.gmsUser,
      ownerTokenHash: ctx.ownerTokenHash ?? null,
      state: scheduled ? 'SCHEDULED' : 'QUEUED',
      mediaType: media,
      callDirection: direction,
      waitForAgent,
      waitForUserConfirm: flag(params, '_wait_for_user_confirm', false),
      provideCode: flag(params, '_provide_code', false),
      customerNumber: number?.given ?? null,
      customerKey: number?.key ?? null,
      desiredTime,
      slotStart,
      deviceOs,
      deviceNotificationId: params._device_notification_id?.trim() || null,
      virtualQueue,
      target: params._target?.trim() || null,
      priority,
      connectLimit,
      // The immediate user-originated start hands out the access number: its first connect.
      connectCount:
        !scheduled && !waitForAgent && media === 'voice' && direction === 'USERORIGINATED' ? 1 : 0,
      baseUrl: ctx.baseUrl,
      params,
      userData: ctx.request.userData,
      createdAt: now,
      updatedAt: now,
      expiresAt,
    };
    const [inserted] = await tx.insert(callbacksTable).values(row).returning();
    if (!inserted) throw new Error('callback insert returned no row');
    await this.store.recordActivity(tx, inserted, 'created', now);
    if (scheduled || waitForAgent) return delayedDialog(session.id, desiredTime);
    if (media === 'chat') return startChatDialog(inserted);
    if (direction === 'USERTERMINATED') return confirmationDialog(session.id);
    // User-originated immediate: the access number is booked in this transaction (all or nothing).
    return this.dialogs.dialNumber(inserted, { tx, onRollback: (fn) => ctx.onRollback(fn) });
  }

  // ---------------------------------------------------------------- scheduling

  /**
   * Validates a desired time (how far ahead, office hours) and reserves its slot's place for the
   * callback (`ref` = its id) in the caller's transaction, through the office-hours module's capacity
   * reservations (never over capacity under concurrency; the same ref moves on reschedule).
   * Returns the slot start; a refusal is a 400 carrying the proposed `availability`.
   */
  private async reserveDesiredTime(
    tx: DbOrTx,
    serviceName: string,
    params: Record<string, string>,
    at: Date,
    now: Date,
    ref: string,
  ): Promise<Date> {
    const latest = latestDesiredTime(params._reject_future_desired_time, now);
    const cap = await this.m.officeHours.callbackCapacity(serviceName, tx);
    const refuse = async (message: string) => {
      const availability = await this.m.officeHours.callbackAvailability(
        cap,
        { start: now, days: 7, maxSlots: 20, now },
        tx,
      );
      return new ValidationError('callback/desired_time_unavailable', message, '_desired_time', {
        extra: { availability: buildAvailabilityV1(availability) },
      });
    };
    if (at.getTime() > latest.getTime())
      throw await refuse(
        `Desired time ${at.toISOString()} is too far in the future (after ${latest.toISOString()}). Check option _reject_future_desired_time`,
      );
    const result = await this.m.officeHours.reserveCallbackSlot(tx, cap, { at, ref });
    if (!result.reserved && result.reason === 'closed')
      throw await refuse(
        `Desired time ${at.toISOString()} is outside business hours (_business_hours_service)`,
      );
    if (!result.reserved)
      throw await refuse(
        `No capacity left for desired time ${at.toISOString()} (slot ${result.slot.start.toISOString()}, ${result.total} allowed)`,
      );
    return result.slot.start;
  }

  /** Background task: due SCHEDULED callbacks join the routing queue. Idempotent across instances. */
  async promoteDue(batch = 100): Promise<number> {
    const now = this.deps.clock.now();
    const ids = await this.deps.db.transaction(async (tx) => {
      const due = await tx
        .select({ id: callbacksTable.id })
        .from(callbacksTable)
        .where(and(eq(callbacksTable.state, 'SCHEDULED'), lte(callbacksTable.desiredTime, now)))
        .orderBy(asc(callbacksTable.desiredTime))
        .limit(batch)
        .for('update', { skipLocked: true });
      if (due.length === 0) return [];
      const moved = await tx
        .update(callbacksTable)
        .set({ state: 'QUEUED', updatedAt: now })
        .where(
          and(
            inArray(
              callbacksTable.id,
              due.map((d) => d.id),
            ),
            eq(callbacksTable.state, 'SCHEDULED'),
          ),
        )
        .returning();
      return moved;
    });
    for (const row of ids) {
      await this.store.announce(row);
      await this.sync(row.id);
    }
    return ids.length;
  }

  /** Background task: re-reads every active callback against routing (events are at-most-once). */
  async reconcile(batch = 500): Promise<number> {
    const now = this.deps.clock.now();
    const rows = await this.store.needingSync(batch, now);
    for (const r of rows) await this.sync(r.id);
    return rows.length;
  }

  /** Background tasks; each is idempotent and row-locked, so every instance runs them. */
  schedule(scheduler: Scheduler): void {
    scheduler.every('callback scheduled promotion', 1_000, () => this.promoteDue());
    scheduler.every('callback reconcile', 5_000, () => this.reconcile());
    scheduler.every('callback sweep', 60_000, () => this.notifications.sweep());
  }

  // ---------------------------------------------------------------- routing

  /**
   * Moves a callback forward from what routing says. Safe to call any number of times from any
   * instance: enqueue is idempotent, notification is once per reservation (locked row), completion
   * is a compare-and-set.
   */
  async sync(id: string): Promise<void> {
    for (let round = 0; round < 3; round++) if (!(await this.syncOnce(id))) return;
  }

  /** One step (see the transition table in callback.routing-sync.ts); true when another look may help. */
  private async syncOnce(id: string): Promise<boolean> {
    const cb = await this.store.find(id);
    if (!cb) return false;
    const router = this.m.routing.router;
    const req: RoutingRequestView | null = needsRoutingRequest(cb) ? await router.get(id) : null;
    const action = syncAction({ cb, req });
    switch (action.do) {
      case 'nothing':
        return false;
      case 'cancel-routing':
        await router.cancel(id, action.reason);
        return false;
      case 'enqueue': {
        await router.enqueue({
          requestId: id,
          virtualQueue: cb.virtualQueue,
          target: cb.target,
          priority: cb.priority,
          data: { ...cb.userData, _id: id, _service_name: cb.serviceName, _media_type: cb.mediaType },
        });
        return this.store.markEnqueued(id, this.deps.clock.now());
      }
      case 'complete':
        await this.complete(id, action.reason);
        return false;
      case 'connect':
        if (action.accept) {
          try {
            await this.m.routing.acceptReservation(action.agentId, action.reservationId);
          } catch (err) {
            if (err instanceof DomainError) return true; // lapsed or taken: look again
            throw err;
          }
        }
        await this.connected(cb, action.agentId, action.reservationId);
        return false;
      case 'request-dial':
        await this.dialer.requestDial(cb, action.agentId, action.reservationId);
        return false;
      case 'agent-available':
        await this.notifications.agentAvailable(cb, action.agentId, action.reservationId);
        return false;
      case 'back-to-queue': {
        const back = await this.store.backToQueue(id, this.deps.clock.now());
        if (back) await this.store.announce(back);
        return false;
      }
    }
  }

  /** The customer is with the agent: COMPLETED (AGENT_CONNECTED), or PROCESSING when the session is retained. */
  private async connected(cb: CallbackRow, agentId: string, reservationId: number): Promise<void> {
    const now = this.deps.clock.now();
    const retain = storedFlag(cb.params, '_retain_session_until_ixn_deleted', false);
    const row = await this.store.markConnected(cb.id, retain, agentId, reservationId, now);
    if (row) await this.store.announce(row);
  }

  /**
   * The customer arrived: their call to the access number was matched, or their chat interaction
   * was created. Immediate callbacks join the routing queue now; a callback whose agent is already
   * reserved is connected to that agent.
   */
  async customerArrived(id: string): Promise<CallbackRow> {
    const now = this.deps.clock.now();
    const row = await this.store.markArrived(id, now);
    if (!row) {
      const existing = await this.store.get(id);
      if (existing.state === 'COMPLETED' || existing.state === 'SCHEDULED')
        throw new DomainError(
          'callback/not_waiting',
          `Callback '${id}' is ${existing.state}; it does not expect the customer now`,
        );
      return existing;
    }
    await this.store.announce(row);
    await this.sync(id);
    return this.store.get(id);
  }

  /**
   * The hook for "a session's call was matched" (match-interaction, resources.match). For a
   * callback session the customer arrived; otherwise, when enabled, an inbound call from a
   * customer who has a queued callback completes that callback (they reached us first).
   */
  async callMatched(match: Pick<MatchResult, 'sessionId' | 'phoneNumber'>): Promise<CallbackRow | null> {
    const own = await this.store.find(match.sessionId);
    if (own) {
      // A second call for a finished callback (the customer dialled again) changes nothing.
      if (own.state === 'COMPLETED' || own.arrivedAt) return own;
      return this.customerArrived(own.id);
    }
    if (match.phoneNumber) await this.customerCalledIn(match.phoneNumber);
    return null;
  }

  /**
   * An inbound call from `phoneNumber` reached the contact centre by itself: its queued, not yet
   * connected callbacks are completed (`_callback_reason` CUSTOMER_CALLED_IN) instead of calling back.
   */
  async customerCalledIn(phoneNumber: string): Promise<string[]> {
    if (!this.options.completeOnInboundCall) return [];
    const digits = phoneNumber.replace(/\D/g, '');
    if (digits.length < 7) return [];
    const tail = digits.slice(-7);
    const candidates = await this.store.waitingForNumber(tail);
    const done: string[] = [];
    for (const c of candidates) {
      const key = (c.customerKey ?? '').replace(/\D/g, '');
      if (!(key.endsWith(digits) || digits.endsWith(key))) continue;
      if (!storedFlag(c.params, '_complete_on_inbound_call', true)) continue;
      if (await this.complete(c.id, 'CUSTOMER_CALLED_IN', ['SCHEDULED', 'QUEUED'])) done.push(c.id);
    }
    return done;
  }

  // ---------------------------------------------------------------- dial and connect

  /** Dial requests with no outcome yet, oldest first: what a dialer (re)reads after a poke or a restart. */
  pendingDials(limit = 100): Promise<DialRequest[]> {
    return this.dialer.pendingDials(limit);
  }

  /**
   * The dialer's report. CONNECTED: the customer is on the line, given to the reserved agent
   * (COMPLETED / AGENT_CONNECTED). Anything else: COMPLETED / FAIL_CALL_TO_CUSTOMER, the agent is freed.
   */
  async reportDialOutcome(id: string, outcome: DialOutcome): Promise<CallbackRow> {
    await this.dialer.recordOutcome(id, outcome);
    if (outcome === 'CONNECTED') return this.customerArrived(id);
    await this.complete(id, 'FAIL_CALL_TO_CUSTOMER');
    return this.store.get(id);
  }

  /** POST /genesys/1/service/{id}/connect: the customer confirms (callback.dialogs.ts). */
  connect(id: string): Promise<Record<string, unknown>> {
    return this.dialogs.connect(id);
  }

  /** The agent-available push's dialog continuation: the DisplayMenu whose entry connects. */
  async confirmationMenu(id: string): Promise<Record<string, unknown>> {
    return confirmationMenu(await this.store.get(id));
  }

  // ---------------------------------------------------------------- queue position

  async queuePosition(id: string) {
    const cb = await this.store.get(id);
    if (!cb.enqueuedAt || cb.state === 'COMPLETED' || cb.state === 'SCHEDULED')
      throw new NotFoundError(
        'callback/not_queued',
        `Callback '${id}' is ${cb.state === 'QUEUED' ? 'not in a queue yet' : cb.state}`,
      );
    const p = cb.params;
    const thresholds = {
      etaThresholdSeconds: p._agent_ready_eta_threshold
        ? positiveInt(p, '_agent_ready_eta_threshold', 35)
        : undefined,
      positionThreshold: p._agent_ready_position_threshold
        ? positiveInt(p, '_agent_ready_position_threshold', 5)
        : undefined,
    };
    return this.m.routing.router.position(id, thresholds);
  }

  /** The `check-queue-position` body, exactly as the seed captures it. */
  async queuePositionBody(id: string): Promise<CheckQueuePositionBody> {
    return checkQueuePositionBody(await this.queuePosition(id));
  }

  // ---------------------------------------------------------------- notifications (callback.notifications.ts)

  /** Agent → device (`internal-notification`): stored as a session event, then announced. */
  notifyDevice(id: string, input: NotificationInput): Promise<SessionEvent> {
    return this.notifications.notifyDevice(id, input);
  }

  /** `retrieve-notifications`: the agent notifications not yet handed out, oldest first. */
  retrieveNotifications(id: string): Promise<unknown[]> {
    return this.notifications.retrieveNotifications(id);
  }

  /** For the push module: events up to `seq` reached the device, so polling must not repeat them. */
  markNotificationsDelivered(id: string, seq: number): Promise<void> {
    return this.notifications.markNotificationsDelivered(id, seq);
  }

  /** Device → agent (`agent-notification`): kept until the agent desktop retrieves it. */
  notifyAgent(id: string, input: NotificationInput): Promise<void> {
    return this.notifications.notifyAgent(id, input);
  }

  /** `retrieve-agent-notifications`: each message once. */
  retrieveAgentNotifications(id: string): Promise<{ message: string; tag: string }[]> {
    return this.notifications.retrieveAgentNotifications(id);
  }

  // ---------------------------------------------------------------- cancel / reschedule

  /** Ends a callback (COMPLETED with `reason`) unless already completed; true when this call did it. */
  async complete(
    id: string,
    reason: string,
    fromStates: CallbackState[] = ACTIVE_STATES,
    routingReason = reason,
  ): Promise<boolean> {
    const row = await this.deps.db.transaction((tx) => this.completeIn(tx, id, reason, fromStates));
    if (!row) return false;
    await this.store.announce(row);
    if (row.enqueuedAt) await this.m.routing.router.cancel(id, routingReason);
    await this.m.resources.releaseSession(id);
    return true;
  }

  /**
   * A session stopped or expired (the sessions module's stop listener, inside its transaction): its
   * callback is completed as CANCELLED or FAIL_TIMEOUT_TTL with the session's removal.
   */
  async sessionStopped(event: SessionStoppedEvent, tx: DbOrTx): Promise<void> {
    if (event.serviceType !== 'callback') return;
    await this.completeIn(tx, event.id, event.reason === 'stopped' ? 'CANCELLED' : 'FAIL_TIMEOUT_TTL');
  }

  private async completeIn(
    tx: DbOrTx,
    id: string,
    reason: string,
    fromStates: CallbackState[] = ACTIVE_STATES,
  ): Promise<CallbackRow | null> {
    const now = this.deps.clock.now();
    const before = await this.store.lockForCompletion(tx, id);
    if (!before || !fromStates.includes(before.state)) return null;
    const row = await this.store.markCompleted(tx, id, reason, now);
    if (row)
      await this.store.recordActivity(
        tx,
        row,
        reason.startsWith('CANCELLED')
          ? 'cancelled'
          : reason === 'AGENT_CONNECTED'
            ? 'completed'
            : 'abandoned',
        now,
      );
    // A callback that never reached its slot (still scheduled, or cancelled) gives its place back.
    if (before.slotStart && (before.state === 'SCHEDULED' || reason.startsWith('CANCELLED')))
      await this.m.officeHours.releaseCapacity(tx, { ref: id });
    return row ?? null;
  }

  /** DELETE /genesys/1/service/callback/{name}/{id} (and admin cancel with CANCELLED_BY_ADMIN). */
  async cancel(id: string, options: { serviceName?: string; reason?: string } = {}): Promise<CallbackRow> {
    const cb = await this.store.get(id);
    if (options.serviceName && cb.serviceName !== options.serviceName) throw this.store.notFound(id);
    if (cb.state === 'COMPLETED')
      throw new DomainError(
        'callback/already_completed',
        `Callback '${id}' is already COMPLETED (${cb.reason})`,
      );
    await this.complete(id, options.reason ?? 'CANCELLED');
    return this.store.get(id);
  }

  /**
   * Admin bulk cancel (`POST /genesys/1/admin/callback/cancel`): each active callback becomes
   * COMPLETED with CANCELLED_BY_ADMIN; `reason` is kept as the routing cancel reason.
   */
  async adminCancel(
    ids: string[],
    reason?: string,
  ): Promise<{ cancelled: string[]; notCancelled: string[] }> {
    const cancelled: string[] = [];
    const notCancelled: string[] = [];
    for (const id of [...new Set(ids)]) {
      const done = await this.complete(id, 'CANCELLED_BY_ADMIN', ACTIVE_STATES, reason);
      (done ? cancelled : notCancelled).push(id);
    }
    return { cancelled, notCancelled };
  }

  /**
   * Makes the session outlive a desired time by `lifetimeMs` (its _ttl), when it would expire
   * before; returns the callback's new expiry.
   */
  private async keepSessionUntil(
    tx: DbOrTx,
    id: string,
    desiredTime: Date,
    lifetimeMs: number,
    current: Date,
  ): Promise<Date> {
    if (desiredTime.getTime() + lifetimeMs <= current.getTime()) return current;
    const extended = await this.m.sessions.extendIn(tx, id, new Date(desiredTime.getTime() + lifetimeMs));
    if (!extended) throw this.store.notFound(id);
    return extended;
  }

  /** PUT /genesys/1/service/callback/{name}/{id} with `_new_desired_time`. */
  async reschedule(id: string, newDesiredTime: string, serviceName?: string): Promise<CallbackRow> {
    const at = parseInstant(newDesiredTime, '_new_desired_time');
    const cb = await this.store.get(id);
    if (serviceName && cb.serviceName !== serviceName) throw this.store.notFound(id);
    if (cb.state !== 'SCHEDULED' && !(cb.state === 'QUEUED' && cb.notifiedReservationId === null))
      throw new DomainError(
        'callback/not_reschedulable',
        `Callback '${id}' is ${cb.state}; only a SCHEDULED or QUEUED callback can be rescheduled`,
      );
    const now = this.deps.clock.now();
    if (at.getTime() <= now.getTime())
      throw new ValidationError(
        'callback/invalid_time',
        `_new_desired_time ${at.toISOString()} is in the past`,
        '_new_desired_time',
      );
    const row = await this.deps.db.transaction(async (tx) => {
      await this.store.lockService(tx, cb.serviceName);
      const [locked] = await tx.select().from(callbacksTable).where(eq(callbacksTable.id, id)).for('update');
      if (!locked || (locked.state !== 'SCHEDULED' && locked.state !== 'QUEUED'))
        throw new DomainError('callback/not_reschedulable', `Callback '${id}' can no longer be rescheduled`);
      // The same ref moves its place: the old slot is freed only if the new one has room.
      const slot = await this.reserveDesiredTime(tx, locked.serviceName, locked.params, at, now, id);
      const lifetimeMs = (parseTtlSeconds(locked.params._ttl, DEFAULT_SESSION_TTL_SECONDS) ?? 0) * 1000;
      const expiresAt = await this.keepSessionUntil(tx, id, at, lifetimeMs, locked.expiresAt);
      const [updated] = await tx
        .update(callbacksTable)
        .set({
          state: 'SCHEDULED',
          desiredTime: at,
          slotStart: slot,
          expiresAt,
          waitForAgent: true,
          enqueuedAt: null,
          agentId: null,
          reservationId: null,
          updatedAt: now,
        })
        .where(eq(callbacksTable.id, id))
        .returning();
      return updated as CallbackRow;
    });
    if (cb.enqueuedAt) await this.m.routing.router.cancel(id, 'RESCHEDULED');
    await this.store.announce(row);
    return row;
  }

  // ---------------------------------------------------------------- reads (callback.store.ts)

  find(id: string, db?: DbOrTx): Promise<CallbackRow | null> {
    return this.store.find(id, db);
  }

  get(id: string): Promise<CallbackRow> {
    return this.store.get(id);
  }

  /** A callback the caller may act on (auth/ownership.ts: strict → only the device that started it). */
  owned(caller: Caller, id: string): Promise<CallbackRow> {
    return this.store.owned(caller, id);
  }

  /** `owned`, or null. */
  findOwned(caller: Caller, id: string): Promise<CallbackRow | null> {
    return this.store.findOwned(caller, id);
  }

  /** The rows a caller may see: all under `open` rules (GMS 8.1), its own under `strict`. */
  visibleTo(caller: Caller, rows: CallbackRow[]): CallbackRow[] {
    return this.store.visibleTo(caller, rows);
  }

  list(q: CallbackQuery = {}): Promise<CallbackRow[]> {
    return this.store.list(q);
  }

  /** Most recent callbacks of a service (for property queries). */
  recent(serviceName: string, limit = 1000): Promise<CallbackRow[]> {
    return this.store.recent(serviceName, limit);
  }
}
