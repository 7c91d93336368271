import { randomBytes } from 'node:crypto';
import { and, asc, desc, eq, gte, ne, type SQL, sql } from 'drizzle-orm';
import { assertOwns, type Requester } from '../../auth/ownership.js';
import type { DbOrTx } from '../../db/client.js';
import type { Deps } from '../../deps.js';
import { ConflictError, ForbiddenError, NotFoundError, ValidationError } from '../../errors.js';
import type { EventStore, SessionEvent } from '../event/event.manager.js';
import { pollingStream } from '../event/event-stream.js';
import type { RoutingManager } from '../routing/routing.manager.js';
import type { SessionView } from '../sessions/session-handlers.js';
import { chatNotFound, clean, ended, messageText } from './chat.rules.js';
import { type ChatRow, type ChatStatus, chatsTable, chatTranscriptTable } from './chat.tables.js';
import {
  type ChatEventType,
  type ChatOptions,
  type ChatRouting,
  type ChatStartedHook,
  type ChatView,
  CLIENT_PARTY_ID,
  chatRefreshTag,
  DEFAULT_CHAT_ENDPOINT,
  DEFAULT_CHAT_OPTIONS,
  DEFAULT_CHAT_TARGET,
  JOINED_TEXT,
  LEFT_TEXT,
  type StartChatInput,
  type TranscriptEvent,
  toEvent,
  toView,
  transcriptChange,
} from './chat.types.js';

/** Marks the end of a live transcript: the chat ended and every event was read. */
const CHAT_ENDED = Symbol('chat ended');

interface NewEvent {
  eventType: ChatEventType;
  text: string;
  /** The speaker; defaults to the customer. */
  party?: 'client' | 'agent';
}

declare module '../../managers.types.js' {
  interface Managers {
    chat: ChatManager;
  }
}

/**
 * Chat interactions on service sessions: the customer side (start, send, typing, disconnect), the
 * agent side through the routing engine (the reserved agent joins, talks, leaves), stored
 * transcripts with a per-chat position, and live streams of them.
 *
 * Every transcript event is written (with the chat's position bump and the durable session event
 * tagged `service.chat.refresh.<session id>`) in one transaction before anyone is answered; pokes
 * go out on the bus only after commit.
 */
export class ChatManager {
  readonly options: ChatOptions;
  private readonly startedHooks: ChatStartedHook[] = [];

  constructor(
    private readonly deps: Deps,
    private readonly routing: RoutingManager,
    private readonly events: EventStore,
    options: Partial<ChatOptions> = {},
  ) {
    this.options = { ...DEFAULT_CHAT_OPTIONS, ...options };
  }

  /**
   * Runs, in registration order, when a chat was created and before it is routed (the callback
   * module records the customer's arrival: `chat.onChatStarted((c) => callbacks.customerArrived(c.sessionId))`
   * for callback sessions). A throw ends the new chat and fails the start.
   */
  onChatStarted(hook: ChatStartedHook): void {
    this.startedHooks.push(hook);
  }

  // ------------------------------------------------------------------ reads

  async get(chatId: string, db: DbOrTx = this.deps.db): Promise<ChatView> {
    const [row] = await db.select().from(chatsTable).where(eq(chatsTable.id, chatId));
    if (!row) throw chatNotFound(chatId);
    return toView(row);
  }

  /** A chat the caller may act on as its customer (strict: only the device that started it). */
  async owned(caller: Requester, chatId: string): Promise<ChatView> {
    return assertOwns(caller.viewer, await this.get(chatId), caller.rules, () => chatNotFound(chatId));
  }

  /** The session's open chat, else its latest one; null when it never had one. */
  async forSession(sessionId: string, db: DbOrTx = this.deps.db): Promise<ChatView | null> {
    const [row] = await db
      .select()
      .from(chatsTable)
      .where(eq(chatsTable.sessionId, sessionId))
      .orderBy(sql`case when ${chatsTable.status} = 'ENDED' then 1 else 0 end`, desc(chatsTable.startedAt))
      .limit(1);
    return row ? toView(row) : null;
  }

  async requireForSession(sessionId: string): Promise<ChatView> {
    const chat = await this.forSession(sessionId);
    if (!chat)
      throw new NotFoundError(
        'chat/not_started',
        `Service session '${sessionId}' has no chat interaction: start one with ixn/chat`,
      );
    return chat;
  }

  /** Chats, newest first (admin). */
  async list(
    filter: {
      sessionId?: string | null;
      gmsUser?: string | null;
      agentId?: string | null;
      status?: ChatStatus | null;
      limit?: number | null;
    } = {},
  ): Promise<ChatView[]> {
    const conditions: SQL[] = [];
    if (filter.sessionId) conditions.push(eq(chatsTable.sessionId, filter.sessionId));
    if (filter.gmsUser) conditions.push(eq(chatsTable.gmsUser, filter.gmsUser));
    if (filter.agentId) conditions.push(eq(chatsTable.agentId, filter.agentId));
    if (filter.status) conditions.push(eq(chatsTable.status, filter.status));
    const rows = await this.deps.db
      .select()
      .from(chatsTable)
      .where(conditions.length ? and(...conditions) : undefined)
      .orderBy(desc(chatsTable.startedAt), desc(chatsTable.id))
      .limit(Math.min(Math.max(filter.limit ?? 100, 1), 1000));
    return rows.map(toView);
  }

  /** Transcript events at `fromPosition` and after, oldest first. */
  async transcript(chatId: string, fromPosition = 1, limit = this.options.batch): Promise<TranscriptEvent[]> {
    const rows = await this.deps.db
      .select()
      .from(chatTranscriptTable)
      .where(and(eq(chatTranscriptTable.chatId, chatId), gte(chatTranscriptTable.position, fromPosition)))
      .orderBy(asc(chatTranscriptTable.position))
      .limit(Math.min(Math.max(limit, 1), 10_000));
    return rows.map(toEvent);
  }

  /**
   * Live transcript from `fromPosition`: stored events first, then new ones as they commit (bus
   * pokes, and a re-read every `pollMs`, so a lost poke only delays). Reads at the consumer's pace.
   * Ends after the event that ended the chat.
   */
  async *streamTranscript(chatId: string, fromPosition = 1): AsyncGenerator<TranscriptEvent> {
    let next = Math.max(1, fromPosition);
    const stream = pollingStream<TranscriptEvent | typeof CHAT_ENDED>({
      // Listening starts before the first read, so nothing committed in between is missed.
      watch: (onPoke) => this.deps.bus.watch('chat:transcript', chatId, onPoke),
      read: async () => {
        for (;;) {
          const batch = await this.transcript(chatId, next);
          const last = batch.at(-1);
          if (last) {
            next = last.position + 1;
            return batch;
          }
          const chat = await this.get(chatId);
          // Committed between the two reads: read again now rather than at the next poke.
          if (next <= chat.lastPosition) continue;
          return chat.status === 'ENDED' ? [CHAT_ENDED] : [];
        }
      },
      pollMs: this.options.pollMs,
    });
    for await (const event of stream) {
      if (event === CHAT_ENDED) return;
      yield event;
    }
  }

  // ------------------------------------------------------------------ customer side

  /**
   * Starts the session's chat (idempotent: an open chat is returned as it is), then routes it:
   *  1. the `onChatStarted` hooks run (the callback module records the customer's arrival there,
   *     which may queue the session itself);
   *  2. a routing request already active for the session (same id) is adopted as it is;
   *  3. else the chat is queued to `routing.target` in `routing.virtualQueue` (default: the service
   *     name) with the session id as request id.
   * When routing fails the chat ends (`endedBy: routing`) and the error is thrown.
   */
  async start(
    session: SessionView,
    input: StartChatInput,
    routing: ChatRouting,
  ): Promise<{ chat: ChatView; created: boolean }> {
    const open = await this.forSession(session.id);
    if (open && open.status !== 'ENDED') return { chat: open, created: false };
    const target = clean(routing.target);
    if (target) this.routing.validateTarget(target);
    const firstName = clean(input.firstName);
    const lastName = clean(input.lastName);
    const nickname =
      clean(input.nickname) ?? clean([firstName, lastName].filter(Boolean).join(' ')) ?? 'Customer';
    const now = this.deps.clock.now();
    let row: ChatRow;
    try {
      [row] = (await this.deps.db
        .insert(chatsTable)
        .values({
          id: randomBytes(12).toString('base64url'),
          sessionId: session.id,
          serviceName: session.serviceName,
          serviceType: session.serviceType,
          gmsUser: session.gmsUser,
          ownerTokenHash: session.ownerTokenHash,
          status: 'QUEUED',
          nickname,
          firstName,
          lastName,
          email: clean(input.email),
          subject: clean(input.subject),
          notifyBy: clean(input.notifyBy),
          details: input.details ?? {},
          startedAt: now,
          sessionExpiresAt: session.expiresAt,
        })
        .returning()) as [ChatRow];
    } catch (err) {
      // Two starts at once: the partial unique index lets one win; the other answers with it.
      const winner = await this.forSession(session.id);
      if (winner && winner.status !== 'ENDED') return { chat: winner, created: false };
      throw err;
    }
    try {
      const placed = await this.route(
        toView(row),
        session,
        target,
        clean(routing.virtualQueue),
        clean(routing.endpoint),
      );
      const [updated] = await this.deps.db
        .update(chatsTable)
        .set(placed)
        .where(eq(chatsTable.id, row.id))
        .returning();
      return { chat: toView(updated as ChatRow), created: true };
    } catch (err) {
      await this.deps.db
        .update(chatsTable)
        .set({ status: 'ENDED', endedAt: this.deps.clock.now(), endedBy: 'routing' })
        .where(eq(chatsTable.id, row.id));
      throw err;
    }
  }

  /** Steps 1–3 of `start`: where the chat's agent comes from. */
  private async route(
    chat: ChatView,
    session: SessionView,
    target: string | null,
    virtualQueue: string | null,
    endpoint: string | null,
  ): Promise<Pick<ChatRow, 'routingRequestId' | 'virtualQueue' | 'target' | 'reservationId'>> {
    for (const hook of this.startedHooks) await hook(chat);
    const active = await this.routing.router.get(session.id);
    if (active && (active.state === 'WAITING' || active.state === 'RESERVED' || active.state === 'ACCEPTED'))
      return {
        routingRequestId: active.requestId,
        virtualQueue: active.virtualQueue,
        target: active.target,
        reservationId: null,
      };
    const queue = virtualQueue ?? session.serviceName;
    const request = await this.routing.router.enqueue({
      requestId: session.id,
      virtualQueue: queue,
      target: target ?? (await this.endpointTarget(session.serviceName, endpoint)),
      data: {
        media: 'chat',
        chatId: chat.id,
        sessionId: session.id,
        serviceName: session.serviceName,
        nickname: chat.nickname,
        ...(chat.firstName ? { firstName: chat.firstName } : {}),
        ...(chat.lastName ? { lastName: chat.lastName } : {}),
        ...(chat.email ? { email: chat.email } : {}),
        ...(chat.subject ? { subject: chat.subject } : {}),
      },
    });
    return {
      routingRequestId: request.requestId,
      virtualQueue: queue,
      target: request.target,
      reservationId: null,
    };
  }

  /** The customer's message (stored before this returns). */
  async send(chatId: string, text: string): Promise<TranscriptEvent[]> {
    const body = messageText(text);
    return this.append(chatId, () => [{ eventType: 'Message.Text', text: body }]);
  }

  async typing(chatId: string, typing: boolean): Promise<TranscriptEvent[]> {
    return this.append(chatId, () => [
      { eventType: typing ? 'Notice.TypingStarted' : 'Notice.TypingStopped', text: '' },
    ]);
  }

  /**
   * The customer leaves: Notice.Left, the chat ends. A request no agent accepted yet is withdrawn
   * from the queue (a reserved agent goes back to READY); an agent in the chat still leaves
   * (completes) on its side. Leaving an ended chat changes nothing.
   */
  async disconnect(chatId: string): Promise<ChatView> {
    const chat = await this.get(chatId);
    if (chat.status === 'ENDED') return chat;
    await this.append(chatId, () => [{ eventType: 'Notice.Left', text: LEFT_TEXT }], {
      end: 'customer',
    });
    const after = await this.get(chatId);
    if (!after.agentId && after.routingRequestId)
      await this.routing.router.cancel(after.routingRequestId, 'chat disconnected by the customer');
    return after;
  }

  /** Records the newest position a legacy response showed the customer. */
  async markDelivered(chatId: string, position: number): Promise<void> {
    await this.deps.db
      .update(chatsTable)
      .set({ clientPosition: sql`greatest(${chatsTable.clientPosition}, ${position})` })
      .where(eq(chatsTable.id, chatId));
  }

  // ------------------------------------------------------------------ agent side

  /** Chats the agent may join (its open reservation's) or is in. */
  async agentChats(agentId: string): Promise<ChatView[]> {
    const reservation = await this.routing.currentReservation(agentId);
    const conditions: SQL[] = [and(eq(chatsTable.agentId, agentId), ne(chatsTable.status, 'ENDED')) as SQL];
    if (reservation) {
      conditions.push(
        and(
          eq(chatsTable.status, 'QUEUED'),
          sql`(${chatsTable.reservationId} = ${reservation.id} or (${chatsTable.reservationId} is null and ${chatsTable.routingRequestId} = ${reservation.requestId}))`,
        ) as SQL,
      );
    }
    const rows = await this.deps.db
      .select()
      .from(chatsTable)
      .where(sql.join(conditions, sql` or `))
      .orderBy(asc(chatsTable.startedAt));
    return rows.map(toView);
  }

  /** Whether the agent is, or may become, the chat's agent. */
  async agentMayAccess(agentId: string, chat: ChatView): Promise<boolean> {
    if (chat.agentId === agentId) return true;
    if (chat.status !== 'QUEUED') return false;
    const reservation = await this.routing.currentReservation(agentId);
    return reservation !== null && this.reservationFits(chat, reservation);
  }

  private reservationFits(chat: ChatView, reservation: { id: number; requestId: string }): boolean {
    return chat.reservationId !== null
      ? chat.reservationId === reservation.id
      : chat.routingRequestId === reservation.requestId;
  }

  /**
   * The reserved agent joins (accepting its reservation when still pending): Notice.Joined. Joining
   * again is a no-op.
   */
  async agentJoin(agentId: string, chatId: string): Promise<ChatView> {
    const chat = await this.get(chatId);
    if (chat.agentId === agentId && chat.status === 'CONNECTED') return chat;
    if (chat.status === 'ENDED') throw ended(chat);
    const reservation = await this.routing.currentReservation(agentId);
    if (!reservation || !this.reservationFits(chat, reservation))
      throw new ForbiddenError(`Agent '${agentId}' is not reserved for chat '${chatId}'`);
    if (!reservation.acceptedAt) await this.routing.acceptReservation(agentId, reservation.id);
    const agent = await this.routing.agents.get(agentId);
    const nickname = agent?.name?.trim() || agentId;
    await this.append(chatId, () => [{ eventType: 'Notice.Joined', text: JOINED_TEXT, party: 'agent' }], {
      join: { agentId, nickname, reservationId: reservation.id },
    });
    return this.get(chatId);
  }

  async agentSend(agentId: string, chatId: string, text: string): Promise<TranscriptEvent[]> {
    const body = messageText(text);
    return this.append(chatId, () => [{ eventType: 'Message.Text', text: body, party: 'agent' }], {
      agentId,
    });
  }

  async agentTyping(agentId: string, chatId: string, typing: boolean): Promise<TranscriptEvent[]> {
    return this.append(
      chatId,
      () => [
        { eventType: typing ? 'Notice.TypingStarted' : 'Notice.TypingStopped', text: '', party: 'agent' },
      ],
      { agentId },
    );
  }

  /**
   * The agent leaves: Notice.Left (unless the customer already ended the chat), the chat ends, and
   * the agent's interaction is completed in routing (`next` state, default READY).
   */
  async agentLeave(
    agentId: string,
    chatId: string,
    next: 'READY' | 'AFTER_CALL_WORK' | 'NOT_READY' = 'READY',
  ): Promise<ChatView> {
    const chat = await this.get(chatId);
    if (chat.agentId !== agentId) throw new ForbiddenError(`Agent '${agentId}' is not in chat '${chatId}'`);
    if (chat.status !== 'ENDED')
      await this.append(chatId, () => [{ eventType: 'Notice.Left', text: LEFT_TEXT, party: 'agent' }], {
        agentId,
        end: 'agent',
      });
    if (chat.reservationId !== null) {
      const reservation = await this.routing.reservation(chat.reservationId);
      if (reservation && !reservation.endedAt)
        await this.routing.completeInteraction(agentId, chat.reservationId, next);
    }
    return this.get(chatId);
  }

  // ------------------------------------------------------------------ internals

  /**
   * The session stopped or expired (the sessions module's stop listener, inside its transaction):
   * its open chat ends with it.
   */
  async endForSession(tx: DbOrTx, sessionId: string): Promise<void> {
    const [open] = await tx
      .select()
      .from(chatsTable)
      .where(and(eq(chatsTable.sessionId, sessionId), ne(chatsTable.status, 'ENDED')))
      .for('update');
    if (!open) return;
    await tx
      .update(chatsTable)
      .set({ status: 'ENDED', endedAt: this.deps.clock.now(), endedBy: 'session' })
      .where(eq(chatsTable.id, open.id));
    // Runs once the stop has had its chance to commit: transcript watchers learn that the chat
    // ended, and a request still waiting is withdrawn (the routing engine uses its own transaction).
    const withdraw =
      !open.agentId && open.routingRequestId && open.reservationId === null ? open.routingRequestId : null;
    setImmediate(() => {
      void this.deps.bus.publish('chat:transcript', open.id, {
        chatId: open.id,
        position: open.lastPosition,
      });
      if (withdraw)
        this.routing.router
          .cancel(withdraw, 'service session stopped')
          .catch((err: unknown) =>
            this.deps.logger.error('chat routing cancel failed', { requestId: withdraw, err }),
          );
    });
  }

  /**
   * Appends events in one transaction: locks the chat row (the position counter), checks who may
   * speak, writes the transcript rows and the durable push event; announces after commit.
   */
  private async append(
    chatId: string,
    build: (chat: ChatView) => NewEvent[],
    options: {
      agentId?: string;
      join?: { agentId: string; nickname: string; reservationId: number };
      end?: 'customer' | 'agent';
    } = {},
  ): Promise<TranscriptEvent[]> {
    const result = await this.deps.db.transaction(async (tx) => {
      const [row] = await tx.select().from(chatsTable).where(eq(chatsTable.id, chatId)).for('update');
      if (!row) throw new NotFoundError('chat/not_found', `Chat '${chatId}' not found`);
      let chat = toView(row);
      if (chat.status === 'ENDED') throw ended(chat);
      if (options.agentId !== undefined && chat.agentId !== options.agentId)
        throw new ForbiddenError(`Agent '${options.agentId}' is not in chat '${chatId}'`);
      const set: Partial<typeof chatsTable.$inferInsert> = {};
      let agentPartyId = row.agentPartyId;
      if (options.join) {
        if (chat.agentId !== null && chat.agentId !== options.join.agentId)
          throw new ConflictError('chat/agent_present', `Chat '${chatId}' already has an agent`);
        agentPartyId = row.nextPartyId;
        Object.assign(set, {
          status: 'CONNECTED',
          agentId: options.join.agentId,
          agentNickname: options.join.nickname,
          agentPartyId,
          nextPartyId: row.nextPartyId + 1,
          reservationId: options.join.reservationId,
        });
        chat = { ...chat, agentId: options.join.agentId, agentNickname: options.join.nickname };
      }
      const now = this.deps.clock.now();
      const fresh = build(chat);
      const rows = fresh.map((e, i) => {
        const agent = e.party === 'agent';
        return {
          chatId,
          position: row.lastPosition + i + 1,
          eventType: e.eventType,
          nickname: agent ? (chat.agentNickname ?? chat.agentId ?? 'Agent') : chat.nickname,
          text: e.text,
          partyId: agent ? String(agentPartyId ?? 2) : CLIENT_PARTY_ID,
          partyType: agent ? 'AGENT' : 'CLIENT',
          createdAt: now,
        };
      });
      const lastPosition = row.lastPosition + rows.length;
      if (options.end) Object.assign(set, { status: 'ENDED', endedAt: now, endedBy: options.end });
      const [updated] = await tx
        .update(chatsTable)
        .set({ ...set, lastPosition })
        .where(eq(chatsTable.id, chatId))
        .returning();
      const inserted = rows.length
        ? (await tx.insert(chatTranscriptTable).values(rows).returning()).map(toEvent)
        : [];
      const view = toView(updated as ChatRow);
      let pushed: SessionEvent | null = null;
      if (inserted.length)
        pushed = await this.events.append(tx, {
          sessionId: view.sessionId,
          gmsUser: view.gmsUser,
          tag: chatRefreshTag(view.sessionId),
          kind: 'chat.transcript',
          message: transcriptChange(view, inserted),
          expiresAt: view.sessionExpiresAt,
        });
      return { inserted, pushed, lastPosition };
    });
    if (result.pushed) await this.events.announce([result.pushed]);
    await this.deps.bus.publish('chat:transcript', chatId, { chatId, position: result.lastPosition });
    return result.inserted;
  }

  // ------------------------------------------------------------------ request-chat

  /** The default target of a chat endpoint (default `gms_builtin`): where a chat without `_target` goes. */
  async endpointTarget(serviceName: string, endpoint: string | null | undefined): Promise<string> {
    const name = endpoint?.trim() || DEFAULT_CHAT_ENDPOINT;
    const target = (await this.routing.queues.get(name))?.target;
    if (!target)
      throw new ValidationError(
        'chat/missing_target',
        `Service '${serviceName}' has no _target, and its chat endpoint '${name}' (_chat_endpoint: a virtual queue) has no default target to route the chat to`,
        '_target',
      );
    return target;
  }

  /** Start-up: the default chat endpoint, unless it exists (an admin's changes to it are kept). */
  async provisionDefaultEndpoint(): Promise<void> {
    if (await this.routing.queues.get(DEFAULT_CHAT_ENDPOINT)) return;
    if (!(await this.routing.agents.getGroup('Chat')))
      await this.routing.agents.upsertGroup({
        name: 'Chat',
        description: 'Chat agents (default chat endpoint)',
      });
    await this.routing.queues.upsert({
      name: DEFAULT_CHAT_ENDPOINT,
      description: 'Default chat endpoint: request-chat services without _target route here',
      target: DEFAULT_CHAT_TARGET,
    });
  }

  /**
   * Whether a READY agent matches `target` (request-chat with `_wait_for_agent`). Runs on the
   * caller's transaction: the session is being created in it.
   */
  agentAvailable(db: DbOrTx, target: string): Promise<boolean> {
    return this.routing.readyAgentMatches(target, db);
  }
}
