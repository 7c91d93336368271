import type { Deps } from '../../deps.js';
import { NotFoundError, ValidationError } from '../../errors.js';
import type { PatternManager } from '../pattern/pattern.manager.js';
import {
  mergeServiceParams,
  type ResolvedService,
  type ServiceManager,
} from '../services/services.manager.js';
import type { Caller, CreateContext, RequestParams, SessionView } from '../sessions/session-handlers.js';
import type { SessionManager } from '../sessions/sessions.manager.js';
import type { CallbackDialogs, DialogAnswer } from './callback.dialogs.js';
import { checkCallbackLimits } from './callback.limits.js';
import {
  DEVICE_OS_VALUES,
  flag,
  LATER_FLAGS,
  normaliseCustomerNumber,
  parseInstant,
  positiveInt,
} from './callback.rules.js';
import type { CallbackScheduling } from './callback.schedule.js';
import type { CallbackStore } from './callback.store.js';
import { type CallbackDialog, callbacksTable } from './callback.tables.js';

/** A caller of `start`: the public base URL seen by the device (for the chat dialog's URLs). */
export interface StartCaller extends Caller {
  baseUrl?: string;
}

interface StartMarker {
  callbackStart: true;
  baseUrl: string;
}

const isStartMarked = (ctx: CreateContext): ctx is CreateContext & StartMarker =>
  (ctx as Partial<StartMarker>).callbackStart === true;

const exceptionsError = (number: string, group: string, pattern: string) =>
  new ValidationError(
    'callback/number_excluded',
    `Customer Number [${number}] is disallowed, because it matches pattern '${pattern}' of exception group '${group}'. Check option _exceptions`,
    '_customer_number',
  );

/**
 * The start of a callback (GMS "register callback"): the checks of its parameters and of other
 * modules' data (service type, `_exceptions` patterns), its limits and desired time in the session's
 * transaction, its row, and the first dialog (a number to dial, a chat to start, a confirmation, or
 * "we will notify you").
 */
export class CallbackStart {
  constructor(
    private readonly deps: Deps,
    private readonly store: CallbackStore,
    private readonly scheduling: CallbackScheduling,
    private readonly dialogs: CallbackDialogs,
    private readonly m: { sessions: SessionManager; services: ServiceManager; patterns: PatternManager },
  ) {}

  /**
   * POST /genesys/1/service/callback/{name} up to the session's commit: the checks that read other
   * modules, then the session, created through the sessions module with the caller marked as a
   * callback start (its `create` below runs in that transaction and stores the first dialog on the
   * callback's row, where the manager reads it after the commit). Returns the callback's id.
   */
  async open(serviceName: string, request: RequestParams, caller: StartCaller): Promise<string> {
    await this.precheck(serviceName, request);
    const baseUrl = (caller.baseUrl ?? this.defaultBaseUrl()).replace(/\/+$/, '');
    const marked: Caller & StartMarker = { ...caller, callbackStart: true, baseUrl };
    const result = await this.m.sessions.create(serviceName, request, marked);
    const id = result.session?.id;
    if (!id) throw new Error('callback start created no session');
    return id;
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
    const number = await normaliseCustomerNumber(params._customer_number, params);
    const group = params._exceptions?.trim();
    if (number && group) {
      const hit = await this.m.patterns.findMatch(group, number.key);
      if (hit) throw exceptionsError(number.key, group, hit);
    }
  }

  /**
   * The `callback` service type's create (callback.service-types.ts), inside the session's
   * transaction. Only `start` may create a callback session: it marks the caller with its base URL.
   * Answers the first dialog (stored on the row too).
   */
  async createInSession(
    session: SessionView | null,
    params: Record<string, string>,
    service: ResolvedService,
    ctx: CreateContext,
  ): Promise<DialogAnswer> {
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
  ): Promise<DialogAnswer> {
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
    const number = await normaliseCustomerNumber(params._customer_number, params);
    const connectLimit = positiveInt(params, '_userorig_connect_limit', 3);
    const priority = params._urs_vq_priority ? positiveInt(params, '_urs_vq_priority', 0) : 0;

    // Per service, starts are serialised: limits, duplicates and capacity count committed rows. The
    // limits' counts are sent right behind the lock without waiting (one round trip): the connection
    // runs them in the order they were sent, so each once the lock is held (lockService sends at
    // once, before checkCallbackLimits is even called), and a failed lock fails them all.
    const locked = this.store.lockService(tx, service.name);
    locked.catch(() => {}); // awaited below; a bad option may throw before that
    const limits = checkCallbackLimits(tx, service.name, params, number?.key ?? null, now);
    await Promise.all([locked, limits]);

    let desiredTime: Date | null = null;
    let slotStart: Date | null = null;
    let expiresAt = session.expiresAt;
    if (params._desired_time?.trim()) {
      desiredTime = parseInstant(params._desired_time, '_desired_time');
      if (desiredTime.getTime() > now.getTime()) {
        // The service as this start resolved it (not read again under the lock).
        const slot = await this.scheduling.reserveDesiredTime(
          tx,
          service,
          params,
          desiredTime,
          now,
          session.id,
        );
        slotStart = slot;
        // A callback scheduled past the session's _ttl keeps its session (and user data) alive for a
        // whole _ttl after the desired time, so the agent and the device still find them then.
        const lifetimeMs = session.expiresAt.getTime() - session.createdAt.getTime();
        expiresAt = await this.scheduling.keepSessionUntil(
          tx,
          session.id,
          desiredTime,
          lifetimeMs,
          expiresAt,
        );
      } else desiredTime = null;
    }
    const scheduled = desiredTime !== null;
    const waitForAgent = scheduled || flag(params, '_wait_for_agent', false);
    for (const name of LATER_FLAGS) flag(params, name, false);
    // The first dialog; a user-originated immediate voice start books its number below (DialNumber).
    const dialog: CallbackDialog | null =
      scheduled || waitForAgent
        ? { action: 'WaitForAgent', desiredTime: desiredTime?.toISOString() ?? null }
        : media === 'chat'
          ? { action: 'StartChat' }
          : direction === 'USERTERMINATED'
            ? { action: 'ConfirmationDialog' }
            : null;
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
      dialog,
      params,
      userData: ctx.request.userData,
      createdAt: now,
      updatedAt: now,
      expiresAt,
    };
    // The row and its activity row travel together (one round trip less under the service lock): the
    // activity row needs only what the insert is given. A failed insert fails both, and its error
    // is the first to arrive.
    const insertedRows = tx
      .insert(callbacksTable)
      .values(row)
      .returning()
      .then((rows) => rows);
    insertedRows.catch(() => {}); // awaited just below
    const recorded = this.store.recordActivity(
      tx,
      { id: row.id, serviceName: row.serviceName, virtualQueue: row.virtualQueue, createdAt: now },
      'created',
      now,
    );
    const [[inserted]] = await Promise.all([insertedRows, recorded]);
    if (!inserted) throw new Error('callback insert returned no row');
    if (dialog) return { callback: inserted, dialog, at: now };
    // User-originated immediate: the access number is booked in this transaction (all or nothing).
    return this.dialogs.dialNumber(inserted, { tx, onRollback: (fn) => ctx.onRollback(fn) });
  }
}
