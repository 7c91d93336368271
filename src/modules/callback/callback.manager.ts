import type { DbOrTx } from '../../db/client.js';
import type { Deps } from '../../deps.js';
import { DomainError, NotFoundError, ValidationError } from '../../errors.js';
import type { Scheduler } from '../../scheduler.js';
import type { EventStore, SessionEvent } from '../event/event.manager.js';
import type { OfficeHoursManager } from '../office-hours/office-hours.manager.js';
import type { PatternManager } from '../pattern/pattern.manager.js';
import type { ActivityRecorder } from '../report/activity.manager.js';
import type { ResourceManager } from '../resource/resource.manager.js';
import type { MatchResult } from '../resource/resource.types.js';
import type { RoutingManager, RoutingRequestView } from '../routing/routing.manager.js';
import type { ResolvedService, ServiceManager } from '../services/services.manager.js';
import type { Caller, CreateContext, RequestParams, SessionView } from '../sessions/session-handlers.js';
import type { SessionManager, SessionStoppedEvent } from '../sessions/sessions.manager.js';
import type { StorageManager } from '../storage/storage.manager.js';
import { CallbackCompletion } from './callback.completion.js';
import { CallbackDialer, type DialOutcome, type DialRequest } from './callback.dialer.js';
import { CallbackDialogs, type DialogAnswer } from './callback.dialogs.js';
import {
  type CallbackNotification,
  CallbackNotifications,
  type NotificationInput,
} from './callback.notifications.js';
import { needsRoutingRequest, syncAction } from './callback.routing-sync.js';
import { positiveInt, storedFlag } from './callback.rules.js';
import { CallbackScheduling } from './callback.schedule.js';
import { CallbackStart, type StartCaller } from './callback.start.js';
import { type CallbackQuery, CallbackStore } from './callback.store.js';
import type { CallbackDialog, CallbackRow, CallbackState } from './callback.tables.js';

// The module's face: adapters and other modules import these from the manager.
export { DIAL_OUTCOMES, type DialOutcome, type DialRequest } from './callback.dialer.js';
export type { DialogAnswer } from './callback.dialogs.js';
export type { CallbackNotification, NotificationInput } from './callback.notifications.js';
export type { StartCaller } from './callback.start.js';
export type { CallbackChange, CallbackQuery } from './callback.store.js';
export type { CallbackDialog, CallbackRow, CallbackState };

export interface CallbackManagerOptions {
  /** Complete a queued callback when the customer's own call is matched on ANI first. */
  completeOnInboundCall: boolean;
}

export const DEFAULT_CALLBACK_OPTIONS: CallbackManagerOptions = {
  completeOnInboundCall: true,
};

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
  // The module's parts, built here (they are this module's, not other managers; the hooks between
  // modules are registered in managers.ts). Each file holds one concern; this class orchestrates.
  private readonly store: CallbackStore;
  private readonly dialer: CallbackDialer;
  private readonly dialogs: CallbackDialogs;
  private readonly notifications: CallbackNotifications;
  private readonly scheduling: CallbackScheduling;
  private readonly starter: CallbackStart;
  private readonly completion: CallbackCompletion;

  constructor(
    private readonly deps: Deps,
    private readonly m: {
      sessions: SessionManager;
      storage: StorageManager;
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
    this.scheduling = new CallbackScheduling(deps, this.store, m.officeHours, m.sessions, m.storage);
    this.starter = new CallbackStart(deps, this.store, this.scheduling, this.dialogs, m);
    this.completion = new CallbackCompletion(deps, this.store, m);
  }

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

  // ---------------------------------------------------------------- start (callback.start.ts)

  /**
   * POST /genesys/1/service/callback/{name}: the session, then whatever must follow its commit.
   * Answers the first dialog, as the start stored it on the row.
   */
  async start(serviceName: string, request: RequestParams, caller: StartCaller): Promise<DialogAnswer> {
    const id = await this.starter.open(serviceName, request, caller);
    const row = await this.store.get(id);
    const at = this.deps.clock.now();
    if (!row.dialog) throw new Error(`callback start stored no dialog for '${id}'`);
    await this.store.announce(row);
    await this.sync(id);
    return { callback: row, dialog: row.dialog, at };
  }

  /** The `callback` service type's create (callback.service-types.ts), in the session's transaction. */
  createInSession(
    session: SessionView | null,
    params: Record<string, string>,
    service: ResolvedService,
    ctx: CreateContext,
  ): Promise<DialogAnswer> {
    return this.starter.createInSession(session, params, service, ctx);
  }

  // ---------------------------------------------------------------- scheduling (callback.schedule.ts)

  /** Background task: due SCHEDULED callbacks join the routing queue. Idempotent across instances. */
  async promoteDue(batch = 100): Promise<number> {
    const rows = await this.scheduling.claimDue(batch);
    for (const row of rows) {
      await this.store.announce(row);
      await this.sync(row.id);
    }
    return rows.length;
  }

  /** PUT /genesys/1/service/callback/{name}/{id} with `_new_desired_time`. */
  reschedule(id: string, newDesiredTime: string, serviceName?: string): Promise<CallbackRow> {
    return this.update(id, { newDesiredTime, properties: {} }, serviceName);
  }

  /**
   * PUT /genesys/1/service/callback/{name}/{id}: a new desired time (optional) and properties to
   * store (user data). A rescheduled callback leaves the routing queue until it is due again.
   */
  async update(
    id: string,
    change: { newDesiredTime: string | null; properties: Record<string, string> },
    serviceName?: string,
  ): Promise<CallbackRow> {
    if (change.newDesiredTime === null && Object.keys(change.properties).length === 0)
      throw new ValidationError(
        'callback/missing_parameter',
        'Missing mandatory parameter _new_desired_time (or properties to update)',
        '_new_desired_time',
      );
    const control = Object.keys(change.properties).find((name) => name.startsWith('_'));
    if (control !== undefined)
      throw new ValidationError(
        'callback/invalid_property',
        `'${control}' is a control parameter, not a property: properties are user data (names without '_')`,
        control,
      );
    const { before, row } = await this.scheduling.update(id, change, serviceName);
    if (change.newDesiredTime !== null && before.enqueuedAt)
      await this.m.routing.router.cancel(id, 'RESCHEDULED');
    await this.store.announce(row);
    return row;
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
  connect(id: string): Promise<DialogAnswer> {
    return this.dialogs.connect(id);
  }

  /** The agent-available push's dialog continuation: the DisplayMenu whose entry connects (not stored). */
  async confirmationMenu(id: string): Promise<DialogAnswer> {
    const callback = await this.store.get(id);
    return { callback, dialog: { action: 'DisplayMenu' }, at: this.deps.clock.now() };
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

  // ---------------------------------------------------------------- notifications (callback.notifications.ts)
  // What reaches the device and the agent: notification requests, and the push module's delivery mark.

  notifyDevice(id: string, input: NotificationInput): Promise<SessionEvent> {
    return this.notifications.notifyDevice(id, input);
  }

  retrieveNotifications(id: string): Promise<SessionEvent[]> {
    return this.notifications.retrieveNotifications(id);
  }

  markNotificationsDelivered(id: string, seq: number): Promise<void> {
    return this.notifications.markNotificationsDelivered(id, seq);
  }

  notifyAgent(id: string, input: NotificationInput): Promise<void> {
    return this.notifications.notifyAgent(id, input);
  }

  retrieveAgentNotifications(id: string): Promise<CallbackNotification[]> {
    return this.notifications.retrieveAgentNotifications(id);
  }

  // ---------------------------------------------------------------- completion (callback.completion.ts)

  /** Ends a callback (COMPLETED with `reason`) unless already completed; true when this call did it. */
  complete(
    id: string,
    reason: string,
    fromStates?: CallbackState[],
    routingReason?: string,
  ): Promise<boolean> {
    return this.completion.complete(id, reason, fromStates, routingReason);
  }

  /**
   * A session stopped or expired (the sessions module's stop listener, inside its transaction): its
   * callback is completed as CANCELLED or FAIL_TIMEOUT_TTL with the session's removal.
   */
  async sessionStopped(event: SessionStoppedEvent, tx: DbOrTx): Promise<void> {
    if (event.serviceType !== 'callback') return;
    await this.completion.completeIn(
      tx,
      event.id,
      event.reason === 'stopped' ? 'CANCELLED' : 'FAIL_TIMEOUT_TTL',
    );
  }

  /** DELETE /genesys/1/service/callback/{name}/{id} (and admin cancel with CANCELLED_BY_ADMIN). */
  cancel(id: string, options: { serviceName?: string; reason?: string } = {}): Promise<CallbackRow> {
    return this.completion.cancel(id, options);
  }

  /** Admin bulk cancel (`POST /genesys/1/admin/callback/cancel`): each becomes CANCELLED_BY_ADMIN. */
  adminCancel(ids: string[], reason?: string): Promise<{ cancelled: string[]; notCancelled: string[] }> {
    return this.completion.adminCancel(ids, reason);
  }

  // ---------------------------------------------------------------- reads (callback.store.ts)
  // Owned: strict rules (auth/ownership.ts) → only the device that started it; open (GMS 8.1) → all.

  find(id: string, db?: DbOrTx): Promise<CallbackRow | null> {
    return this.store.find(id, db);
  }

  get(id: string): Promise<CallbackRow> {
    return this.store.get(id);
  }

  owned(caller: Caller, id: string): Promise<CallbackRow> {
    return this.store.owned(caller, id);
  }

  findOwned(caller: Caller, id: string): Promise<CallbackRow | null> {
    return this.store.findOwned(caller, id);
  }

  visibleTo(caller: Caller, rows: CallbackRow[]): CallbackRow[] {
    return this.store.visibleTo(caller, rows);
  }

  list(q: CallbackQuery = {}): Promise<CallbackRow[]> {
    return this.store.list(q);
  }

  /**
   * The query by properties: the service's callbacks that `keep` retains, newest first, at most
   * `max`. Pages are read until `max` are found, so a match older than the newest `max` callbacks
   * is found too; `customerNumber` narrows the pages in SQL. At most SCAN_ROWS rows are looked at.
   */
  async findInService(
    serviceName: string,
    keep: (page: CallbackRow[]) => CallbackRow[],
    options: { max: number; customerNumber?: string | null },
  ): Promise<CallbackRow[]> {
    const found: CallbackRow[] = [];
    let before: CallbackRow | null = null;
    for (let seen = 0; seen < SCAN_ROWS; seen += SCAN_PAGE) {
      const page = await this.store.page(serviceName, SCAN_PAGE, before, options.customerNumber ?? null);
      found.push(...keep(page));
      before = page.at(-1) ?? null;
      if (found.length >= options.max || page.length < SCAN_PAGE) break;
    }
    return found.slice(0, options.max);
  }
}

/** Rows of a service read per page by the query by properties, and the most it looks at. */
const SCAN_PAGE = 1000;
const SCAN_ROWS = 100_000;
