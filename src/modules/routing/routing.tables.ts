import { sql } from 'drizzle-orm';
import {
  bigint,
  doublePrecision,
  index,
  integer,
  jsonb,
  pgTable,
  primaryKey,
  text,
  timestamp,
  uniqueIndex,
} from 'drizzle-orm/pg-core';

const ts = (name: string) => timestamp(name, { withTimezone: true, mode: 'date' });
const created = () => ts('created_at').notNull().defaultNow();
const updated = () => ts('updated_at').notNull().defaultNow();

export const AGENT_STATES = [
  'LOGGED_OUT',
  'NOT_READY',
  'READY',
  'RESERVED',
  'BUSY',
  'AFTER_CALL_WORK',
] as const;
export type AgentState = (typeof AGENT_STATES)[number];

export const REQUEST_STATES = ['WAITING', 'RESERVED', 'ACCEPTED', 'COMPLETED', 'CANCELLED'] as const;
export type RequestState = (typeof REQUEST_STATES)[number];

/** Why a reservation ended. */
export const RESERVATION_OUTCOMES = ['COMPLETED', 'REJECTED', 'EXPIRED', 'RELEASED', 'CANCELLED'] as const;
export type ReservationOutcome = (typeof RESERVATION_OUTCOMES)[number];

type JsonValue = string | number | boolean | null | JsonValue[] | { [key: string]: JsonValue };
export type JsonObject = { [key: string]: JsonValue };

export const agentGroupsTable = pgTable('routing_agent_groups', {
  name: text('name').primaryKey(),
  description: text('description').notNull().default(''),
  createdAt: created(),
  updatedAt: updated(),
});

/**
 * An agent and its state. The state lives on this row so that the matching pass, locking the row
 * with FOR UPDATE SKIP LOCKED, decides "is this agent free?" on the very row it locked.
 */
export const agentsTable = pgTable(
  'routing_agents',
  {
    id: text('id').primaryKey(),
    name: text('name').notNull(),
    /** scrypt hash of the agent desktop password; null means the agent cannot log in. */
    passwordHash: text('password_hash'),
    state: text('state', { enum: AGENT_STATES }).notNull().default('LOGGED_OUT'),
    stateChangedAt: ts('state_changed_at').notNull(),
    /** When the agent last became READY: the agent idle longest gets the next request. */
    readySince: ts('ready_since'),
    currentReservationId: bigint('current_reservation_id', { mode: 'number' }),
    createdAt: created(),
    updatedAt: updated(),
  },
  (t) => [index('routing_agents_state_idx').on(t.state, t.readySince)],
);

export const agentSkillsTable = pgTable(
  'routing_agent_skills',
  {
    agentId: text('agent_id')
      .notNull()
      .references(() => agentsTable.id, { onDelete: 'cascade' }),
    skill: text('skill').notNull(),
    level: integer('level').notNull(),
  },
  (t) => [primaryKey({ columns: [t.agentId, t.skill] }), index('routing_agent_skills_skill_idx').on(t.skill)],
);

export const agentGroupMembersTable = pgTable(
  'routing_agent_group_members',
  {
    groupName: text('group_name')
      .notNull()
      .references(() => agentGroupsTable.name, { onDelete: 'cascade', onUpdate: 'cascade' }),
    agentId: text('agent_id')
      .notNull()
      .references(() => agentsTable.id, { onDelete: 'cascade' }),
  },
  (t) => [
    primaryKey({ columns: [t.groupName, t.agentId] }),
    index('routing_agent_group_members_agent_idx').on(t.agentId),
  ],
);

/** Agent desktop bearer tokens (`agt_…`); only the SHA-256 of a token is stored. */
export const agentTokensTable = pgTable(
  'routing_agent_tokens',
  {
    tokenHash: text('token_hash').primaryKey(),
    agentId: text('agent_id')
      .notNull()
      .references(() => agentsTable.id, { onDelete: 'cascade' }),
    createdAt: created(),
    expiresAt: ts('expires_at').notNull(),
  },
  (t) => [
    index('routing_agent_tokens_expires_idx').on(t.expiresAt),
    index('routing_agent_tokens_agent_idx').on(t.agentId),
  ],
);

export const virtualQueuesTable = pgTable('routing_virtual_queues', {
  name: text('name').primaryKey(),
  description: text('description').notNull().default(''),
  /** Target used when a request names none, and for this queue's agent counts and EWT. */
  target: text('target'),
  /** Null: the engine default. */
  reservationTimeoutSeconds: integer('reservation_timeout_seconds'),
  /** Handle time assumed before any interaction of this queue has completed. Null: engine default. */
  defaultHandleSeconds: integer('default_handle_seconds'),
  /** Exponentially weighted average of completed handle times. */
  averageHandleSeconds: doublePrecision('average_handle_seconds'),
  handleSamples: integer('handle_samples').notNull().default(0),
  createdAt: created(),
  updatedAt: updated(),
});

/**
 * One row per time a request entered a queue. The state lives on this row (locked with FOR
 * UPDATE SKIP LOCKED by the matching pass); finished rows stay as history for statistics until
 * the retention sweep removes them. `request_id` is unique among active rows only.
 */
export const requestsTable = pgTable(
  'routing_requests',
  {
    seq: bigint('seq', { mode: 'number' }).primaryKey().generatedAlwaysAsIdentity(),
    requestId: text('request_id').notNull(),
    virtualQueue: text('virtual_queue')
      .notNull()
      .references(() => virtualQueuesTable.name, { onDelete: 'cascade' }),
    target: text('target').notNull(),
    targetGroups: text('target_groups').array().notNull().default(sql`'{}'::text[]`),
    priority: integer('priority').notNull().default(0),
    data: jsonb('data').$type<JsonObject>().notNull().default({}),
    state: text('state', { enum: REQUEST_STATES }).notNull().default('WAITING'),
    /** Arrival time: a request returned to the queue keeps it, and with it its place. */
    enqueuedAt: ts('enqueued_at').notNull(),
    agentId: text('agent_id'),
    reservationId: bigint('reservation_id', { mode: 'number' }),
    reservationExpiresAt: ts('reservation_expires_at'),
    reservationCount: integer('reservation_count').notNull().default(0),
    acceptedAt: ts('accepted_at'),
    completedAt: ts('completed_at'),
    cancelledAt: ts('cancelled_at'),
    cancelReason: text('cancel_reason'),
    createdAt: created(),
    updatedAt: updated(),
  },
  (t) => [
    uniqueIndex('routing_requests_active_request_id_uq')
      .on(t.requestId)
      .where(sql`state in ('WAITING', 'RESERVED', 'ACCEPTED')`),
    index('routing_requests_request_id_idx').on(t.requestId),
    index('routing_requests_waiting_order_idx')
      .on(t.target, t.priority.desc(), t.enqueuedAt, t.seq)
      .where(sql`state = 'WAITING'`),
    index('routing_requests_queue_idx').on(t.virtualQueue, t.state),
    index('routing_requests_reserved_expiry_idx').on(t.reservationExpiresAt).where(sql`state = 'RESERVED'`),
    index('routing_requests_finished_idx').on(t.updatedAt),
  ],
);

/**
 * Every reservation, open or ended. The partial unique indexes are the database's backstop for
 * the invariant the row locks maintain: one open reservation per agent and per request.
 */
export const reservationsTable = pgTable(
  'routing_reservations',
  {
    id: bigint('id', { mode: 'number' }).primaryKey().generatedAlwaysAsIdentity(),
    requestSeq: bigint('request_seq', { mode: 'number' })
      .notNull()
      .references(() => requestsTable.seq, { onDelete: 'cascade' }),
    requestId: text('request_id').notNull(),
    agentId: text('agent_id').notNull(),
    virtualQueue: text('virtual_queue').notNull(),
    reservedAt: ts('reserved_at').notNull(),
    expiresAt: ts('expires_at').notNull(),
    acceptedAt: ts('accepted_at'),
    endedAt: ts('ended_at'),
    outcome: text('outcome', { enum: RESERVATION_OUTCOMES }),
  },
  (t) => [
    uniqueIndex('routing_reservations_open_agent_uq').on(t.agentId).where(sql`ended_at is null`),
    uniqueIndex('routing_reservations_open_request_uq').on(t.requestSeq).where(sql`ended_at is null`),
    index('routing_reservations_agent_idx').on(t.agentId, t.endedAt),
    index('routing_reservations_request_idx').on(t.requestSeq),
  ],
);

export type AgentRow = typeof agentsTable.$inferSelect;
export type AgentGroupRow = typeof agentGroupsTable.$inferSelect;
export type VirtualQueueRow = typeof virtualQueuesTable.$inferSelect;
export type RequestRow = typeof requestsTable.$inferSelect;
export type ReservationRow = typeof reservationsTable.$inferSelect;
