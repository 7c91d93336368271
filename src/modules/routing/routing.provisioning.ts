import { z } from 'zod';
import { ValidationError } from '../../errors.js';
import type { Managers } from '../../managers.types.js';
import { defineSection } from '../../provisioning/section.js';
import { checkName } from './agents.js';
import { parseTarget } from './target.js';

/**
 * Provisioning file sections of the routing engine. Each accepts a list, or a map keyed by the
 * name/id:
 *
 *   agent_groups:
 *     - { name: Billing, description: Billing team }
 *   agents:
 *     - id: alice
 *       name: Alice Martin
 *       password: s3cret-pass           # or password_hash: scrypt$… (what export writes)
 *       skills: { English: 20, Loans: 2 }
 *       groups: [Billing]
 *   virtual_queues:
 *     - name: VQ_Callback
 *       target: Billing@StatServer.GA
 *       reservation_timeout: 30         # seconds
 *       default_handle_time: 180        # seconds
 *
 * Applying upserts (skills and groups of a listed agent are replaced); nothing unlisted is deleted.
 */

const name = z.string().min(1).max(100);

const groupSchema = z.strictObject({ name, description: z.string().max(1000).optional() });

const agentSchema = z.strictObject({
  id: name,
  name: z.string().min(1).max(200).optional(),
  password: z.string().min(8).max(200).optional(),
  password_hash: z.string().min(1).max(500).optional(),
  skills: z.record(z.string(), z.number().int().min(0).max(1_000_000)).optional(),
  groups: z.array(name).optional(),
});

const queueSchema = z.strictObject({
  name: z.string().min(1).max(200),
  description: z.string().max(1000).optional(),
  target: z.string().max(1024).optional(),
  reservation_timeout: z.number().int().min(1).max(3600).optional(),
  default_handle_time: z.number().int().min(1).max(86_400).optional(),
});

type GroupEntry = z.infer<typeof groupSchema>;
type AgentEntry = z.infer<typeof agentSchema>;
type QueueEntry = z.infer<typeof queueSchema>;

/** A list as is; a map `{ key: {...} }` becomes a list with `key` injected as `keyField`. */
function asList(value: unknown, keyField: string, path: string): unknown[] {
  if (value === null || value === undefined) return [];
  if (Array.isArray(value)) return value;
  if (typeof value === 'object')
    return Object.entries(value as Record<string, unknown>).map(([k, v]) => ({
      [keyField]: k,
      ...(v && typeof v === 'object' ? v : {}),
    }));
  throw new ValidationError('provisioning/invalid', 'Expected a list or a map', path);
}

function parseList<S extends z.ZodType>(
  schema: S,
  value: unknown,
  keyField: string,
  path: string,
): z.infer<S>[] {
  return asList(value, keyField, path).map((item, i) => {
    const result = schema.safeParse(item);
    if (!result.success) {
      const issue = result.error.issues[0];
      const at = [path, i, ...(issue?.path ?? [])].join('.');
      throw new ValidationError('provisioning/invalid', `${at}: ${issue?.message ?? 'invalid'}`, at);
    }
    return result.data;
  });
}

function checkAt<T>(path: string, check: () => T): T {
  try {
    return check();
  } catch (err) {
    if (err instanceof ValidationError) throw new ValidationError(err.code, `${path}: ${err.message}`, path);
    throw err;
  }
}

export const agentGroupsSection = defineSection<GroupEntry[]>({
  key: 'agent_groups',
  order: 30,
  parse: (value, path) =>
    parseList(groupSchema, value, 'name', path).map((g, i) => {
      checkAt(`${path}.${i}.name`, () =>
        checkName(g.name, 'routing/invalid_group', 'name', 'An agent group name'),
      );
      return g;
    }),
  async apply(groups, managers: Managers) {
    for (const g of groups) await managers.routing.agents.upsertGroup(g);
  },
  async export(managers: Managers) {
    return (await managers.routing.agents.listGroups()).map((g) => ({
      name: g.name,
      description: g.description,
    }));
  },
});

export const agentsSection = defineSection<AgentEntry[]>({
  key: 'agents',
  order: 31,
  parse: (value, path) =>
    parseList(agentSchema, value, 'id', path).map((a, i) => {
      checkAt(`${path}.${i}.id`, () => checkName(a.id, 'routing/invalid_agent_id', 'id', 'An agent id'));
      for (const skill of Object.keys(a.skills ?? {}))
        checkAt(`${path}.${i}.skills.${skill}`, () =>
          checkName(skill, 'routing/invalid_skill', 'skills', 'A skill name'),
        );
      return a;
    }),
  async apply(agents, managers: Managers) {
    for (const a of agents)
      await managers.routing.agents.upsert({
        id: a.id,
        name: a.name,
        password: a.password,
        passwordHash: a.password_hash,
        skills: a.skills
          ? Object.entries(a.skills).map(([skill, level]) => ({ name: skill, level }))
          : undefined,
        groups: a.groups,
      });
  },
  async export(managers: Managers) {
    const hashes = await managers.routing.agents.passwordHashes();
    return (await managers.routing.agents.list()).map((a) => ({
      id: a.id,
      name: a.name,
      ...(hashes.has(a.id) ? { password_hash: hashes.get(a.id) } : {}),
      skills: Object.fromEntries(a.skills.map((s) => [s.name, s.level])),
      groups: a.groups,
    }));
  },
});

export const virtualQueuesSection = defineSection<QueueEntry[]>({
  key: 'virtual_queues',
  order: 32,
  parse: (value, path) =>
    parseList(queueSchema, value, 'name', path).map((q, i) => {
      if (q.target) checkAt(`${path}.${i}.target`, () => parseTarget(q.target as string));
      return q;
    }),
  async apply(queues, managers: Managers) {
    for (const q of queues)
      await managers.routing.queues.upsert({
        name: q.name,
        description: q.description,
        target: q.target,
        reservationTimeoutSeconds: q.reservation_timeout,
        defaultHandleSeconds: q.default_handle_time,
      });
  },
  async export(managers: Managers) {
    return (await managers.routing.queues.list()).map((q) => ({
      name: q.name,
      description: q.description,
      ...(q.target ? { target: q.target } : {}),
      ...(q.reservationTimeoutSeconds ? { reservation_timeout: q.reservationTimeoutSeconds } : {}),
      ...(q.defaultHandleSeconds ? { default_handle_time: q.defaultHandleSeconds } : {}),
    }));
  },
});

export const routingSections = [agentGroupsSection, agentsSection, virtualQueuesSection];
