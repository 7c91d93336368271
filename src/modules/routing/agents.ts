import { createHash, randomBytes, scrypt as scryptCallback, timingSafeEqual } from 'node:crypto';
import { promisify } from 'node:util';
import { and, asc, eq, gt, inArray, lte } from 'drizzle-orm';
import type { Clock } from '../../clock.js';
import type { Db } from '../../db/client.js';
import { ConflictError, NotFoundError, UnauthorizedError, ValidationError } from '../../errors.js';
import {
  type AgentRow,
  type AgentState,
  agentGroupMembersTable,
  agentGroupsTable,
  agentSkillsTable,
  agentsTable,
  agentTokensTable,
} from './routing.tables.js';

const scrypt = promisify(scryptCallback) as (
  password: string,
  salt: Buffer,
  keylen: number,
) => Promise<Buffer>;
const sha256 = (s: string) => createHash('sha256').update(s).digest('hex');

/** Agent desktop tokens carry this prefix so AuthManager can hand them to the routing module. */
export const AGENT_TOKEN_PREFIX = 'agt_';

/** Names usable inside targets: agent ids (`.A`), skills (`.??`) and groups (`.GA`). */
const NAME = /^[\p{L}\p{N}_.-]{1,100}$/u;
const MAX_LEVEL = 1_000_000;

export interface Skill {
  name: string;
  level: number;
}

export interface AgentView {
  id: string;
  name: string;
  state: AgentState;
  stateChangedAt: Date;
  readySince: Date | null;
  hasPassword: boolean;
  skills: Skill[];
  groups: string[];
  currentReservationId: number | null;
}

export interface AgentInput {
  id: string;
  name?: string | null;
  /** A new desktop password (at least 8 characters); omitted keeps the current one. */
  password?: string | null;
  /** An exported password hash (provisioning files); ignored when `password` is given. */
  passwordHash?: string | null;
  /** Replaces the agent's skills when given. */
  skills?: Skill[] | null;
  /** Replaces the agent's group membership when given; the groups must exist. */
  groups?: string[] | null;
}

export interface AgentGroupView {
  name: string;
  description: string;
  agentIds: string[];
}

export function checkName(value: unknown, code: string, field: string, what: string): string {
  if (typeof value !== 'string' || !NAME.test(value))
    throw new ValidationError(code, `${what} must be 1 to 100 letters, digits, '_', '-' or '.'`, field);
  return value;
}

export async function hashPassword(password: string): Promise<string> {
  const salt = randomBytes(16);
  const hash = await scrypt(password, salt, 32);
  return `scrypt$${salt.toString('base64')}$${hash.toString('base64')}`;
}

const DUMMY_HASH = `scrypt$${Buffer.alloc(16).toString('base64')}$${Buffer.alloc(32).toString('base64')}`;

async function verifyPassword(password: string, stored: string): Promise<boolean> {
  const [scheme, salt, hash] = stored.split('$');
  if (scheme !== 'scrypt' || !salt || !hash) return false;
  const expected = Buffer.from(hash, 'base64');
  const actual = await scrypt(password, Buffer.from(salt, 'base64'), expected.length || 32);
  return expected.length === actual.length && timingSafeEqual(expected, actual);
}

const isPasswordHash = (s: string) => /^scrypt\$[A-Za-z0-9+/=]+\$[A-Za-z0-9+/=]+$/.test(s);

/** Agents, their skills and groups, and agent desktop credentials. State changes live in QueueStore. */
export class AgentDirectory {
  constructor(
    private readonly db: Db,
    private readonly clock: Clock,
    private readonly tokenTtlSeconds: number,
  ) {}

  private async views(rows: AgentRow[]): Promise<AgentView[]> {
    if (rows.length === 0) return [];
    const ids = rows.map((r) => r.id);
    const skills = await this.db
      .select()
      .from(agentSkillsTable)
      .where(inArray(agentSkillsTable.agentId, ids))
      .orderBy(asc(agentSkillsTable.skill));
    const groups = await this.db
      .select()
      .from(agentGroupMembersTable)
      .where(inArray(agentGroupMembersTable.agentId, ids))
      .orderBy(asc(agentGroupMembersTable.groupName));
    return rows.map((r) => ({
      id: r.id,
      name: r.name,
      state: r.state,
      stateChangedAt: r.stateChangedAt,
      readySince: r.readySince,
      hasPassword: r.passwordHash !== null,
      skills: skills.filter((s) => s.agentId === r.id).map((s) => ({ name: s.skill, level: s.level })),
      groups: groups.filter((g) => g.agentId === r.id).map((g) => g.groupName),
      currentReservationId: r.currentReservationId,
    }));
  }

  async list(): Promise<AgentView[]> {
    return this.views(await this.db.select().from(agentsTable).orderBy(asc(agentsTable.id)));
  }

  async get(id: string): Promise<AgentView | null> {
    const rows = await this.db.select().from(agentsTable).where(eq(agentsTable.id, id));
    return (await this.views(rows))[0] ?? null;
  }

  async require(id: string): Promise<AgentView> {
    const agent = await this.get(id);
    if (!agent) throw new NotFoundError('routing/agent_not_found', `Agent '${id}' not found`);
    return agent;
  }

  /** Password hashes, for the provisioning export (so that importing an export reproduces logins). */
  async passwordHashes(): Promise<Map<string, string>> {
    const rows = await this.db
      .select({ id: agentsTable.id, hash: agentsTable.passwordHash })
      .from(agentsTable);
    return new Map(rows.filter((r) => r.hash !== null).map((r) => [r.id, r.hash as string]));
  }

  async upsert(input: AgentInput): Promise<AgentView> {
    const id = checkName(input.id, 'routing/invalid_agent_id', 'id', 'An agent id');
    const name = input.name?.trim() || null;
    if (name && name.length > 200)
      throw new ValidationError(
        'routing/invalid_agent_name',
        'An agent name is at most 200 characters',
        'name',
      );
    let passwordHash: string | undefined;
    if (input.password !== undefined && input.password !== null) {
      if (input.password.length < 8 || input.password.length > 200)
        throw new ValidationError(
          'routing/invalid_password',
          'An agent password is 8 to 200 characters',
          'password',
        );
      // The same password again keeps its hash (and the agent's tokens): re-applying is a no-op.
      const [current] = await this.db
        .select({ hash: agentsTable.passwordHash })
        .from(agentsTable)
        .where(eq(agentsTable.id, id));
      passwordHash =
        current?.hash && (await verifyPassword(input.password, current.hash))
          ? current.hash
          : await hashPassword(input.password);
    } else if (input.passwordHash !== undefined && input.passwordHash !== null) {
      if (!isPasswordHash(input.passwordHash))
        throw new ValidationError(
          'routing/invalid_password_hash',
          'password_hash must be an exported scrypt hash',
          'passwordHash',
        );
      passwordHash = input.passwordHash;
    }
    const skills = input.skills ? checkSkills(input.skills) : null;
    const groups = input.groups
      ? [...new Set(input.groups.map((g, i) => checkGroup(g, `groups.${i}`)))]
      : null;
    const now = this.clock.now();

    await this.db.transaction(async (tx) => {
      if (groups && groups.length > 0) {
        const known = await tx
          .select({ name: agentGroupsTable.name })
          .from(agentGroupsTable)
          .where(inArray(agentGroupsTable.name, groups));
        const missing = groups.filter((g) => !known.some((k) => k.name === g));
        if (missing.length > 0)
          throw new ValidationError(
            'routing/unknown_group',
            `Unknown agent group(s): ${missing.join(', ')}`,
            'groups',
          );
      }
      const [existing] = await tx
        .select({ hash: agentsTable.passwordHash })
        .from(agentsTable)
        .where(eq(agentsTable.id, id))
        .for('update');
      await tx
        .insert(agentsTable)
        .values({
          id,
          name: name ?? id,
          passwordHash: passwordHash ?? null,
          stateChangedAt: now,
          createdAt: now,
          updatedAt: now,
        })
        .onConflictDoUpdate({
          target: agentsTable.id,
          set: {
            ...(name ? { name } : {}),
            ...(passwordHash !== undefined ? { passwordHash } : {}),
            updatedAt: now,
          },
        });
      if (existing && passwordHash !== undefined && passwordHash !== existing.hash)
        await tx.delete(agentTokensTable).where(eq(agentTokensTable.agentId, id));
      if (skills) {
        await tx.delete(agentSkillsTable).where(eq(agentSkillsTable.agentId, id));
        if (skills.length > 0)
          await tx
            .insert(agentSkillsTable)
            .values(skills.map((s) => ({ agentId: id, skill: s.name, level: s.level })));
      }
      if (groups) {
        await tx.delete(agentGroupMembersTable).where(eq(agentGroupMembersTable.agentId, id));
        if (groups.length > 0)
          await tx.insert(agentGroupMembersTable).values(groups.map((g) => ({ agentId: id, groupName: g })));
      }
    });
    return this.require(id);
  }

  /** Deletes an agent that holds no reservation (log it out first). */
  async delete(id: string): Promise<boolean> {
    return this.db.transaction(async (tx) => {
      const [row] = await tx.select().from(agentsTable).where(eq(agentsTable.id, id)).for('update');
      if (!row) return false;
      if (row.state === 'RESERVED' || row.state === 'BUSY')
        throw new ConflictError(
          'routing/agent_engaged',
          `Agent '${id}' is ${row.state.toLowerCase()}: log the agent out first`,
        );
      await tx.delete(agentsTable).where(eq(agentsTable.id, id));
      return true;
    });
  }

  async listGroups(): Promise<AgentGroupView[]> {
    const groups = await this.db.select().from(agentGroupsTable).orderBy(asc(agentGroupsTable.name));
    const members = await this.db
      .select()
      .from(agentGroupMembersTable)
      .orderBy(asc(agentGroupMembersTable.agentId));
    return groups.map((g) => ({
      name: g.name,
      description: g.description,
      agentIds: members.filter((m) => m.groupName === g.name).map((m) => m.agentId),
    }));
  }

  async getGroup(name: string): Promise<AgentGroupView | null> {
    return (await this.listGroups()).find((g) => g.name === name) ?? null;
  }

  async upsertGroup(input: { name: string; description?: string | null }): Promise<AgentGroupView> {
    const name = checkGroup(input.name, 'name');
    const description = input.description ?? undefined;
    if (description !== undefined && description.length > 1000)
      throw new ValidationError(
        'routing/invalid_description',
        'A description is at most 1000 characters',
        'description',
      );
    const now = this.clock.now();
    await this.db
      .insert(agentGroupsTable)
      .values({ name, description: description ?? '', createdAt: now, updatedAt: now })
      .onConflictDoUpdate({
        target: agentGroupsTable.name,
        set: { ...(description !== undefined ? { description } : {}), updatedAt: now },
      });
    return (await this.getGroup(name)) as AgentGroupView;
  }

  async deleteGroup(name: string): Promise<boolean> {
    const rows = await this.db
      .delete(agentGroupsTable)
      .where(eq(agentGroupsTable.name, name))
      .returning({ name: agentGroupsTable.name });
    return rows.length > 0;
  }

  // ---------------------------------------------------------------- agent desktop credentials

  /** Checks the password and issues a token; unknown agent and wrong password look the same. */
  async issueToken(agentId: string, password: string): Promise<{ token: string; expiresAt: Date }> {
    const [row] = await this.db
      .select({ hash: agentsTable.passwordHash })
      .from(agentsTable)
      .where(eq(agentsTable.id, agentId));
    const ok = await verifyPassword(password, row?.hash ?? DUMMY_HASH);
    if (!row?.hash || !ok) throw new UnauthorizedError('Invalid agent credentials');
    const token = `${AGENT_TOKEN_PREFIX}${randomBytes(32).toString('base64url')}`;
    const now = this.clock.now();
    const expiresAt = new Date(now.getTime() + this.tokenTtlSeconds * 1000);
    await this.db
      .insert(agentTokensTable)
      .values({ tokenHash: sha256(token), agentId, createdAt: now, expiresAt });
    return { token, expiresAt };
  }

  /** The agent a live token belongs to, or null. */
  async agentForToken(token: string): Promise<string | null> {
    const [row] = await this.db
      .select({ agentId: agentTokensTable.agentId })
      .from(agentTokensTable)
      .where(
        and(eq(agentTokensTable.tokenHash, sha256(token)), gt(agentTokensTable.expiresAt, this.clock.now())),
      )
      .limit(1);
    return row?.agentId ?? null;
  }

  async revokeTokens(agentId: string): Promise<number> {
    const rows = await this.db
      .delete(agentTokensTable)
      .where(eq(agentTokensTable.agentId, agentId))
      .returning({ h: agentTokensTable.tokenHash });
    return rows.length;
  }

  async sweepExpiredTokens(): Promise<number> {
    const rows = await this.db
      .delete(agentTokensTable)
      .where(lte(agentTokensTable.expiresAt, this.clock.now()))
      .returning({ h: agentTokensTable.tokenHash });
    return rows.length;
  }
}

function checkGroup(value: unknown, field: string): string {
  return checkName(value, 'routing/invalid_group', field, 'An agent group name');
}

function checkSkills(skills: Skill[]): Skill[] {
  const seen = new Set<string>();
  return skills.map((s, i) => {
    const name = checkName(s.name, 'routing/invalid_skill', `skills.${i}.name`, 'A skill name');
    if (!Number.isInteger(s.level) || s.level < 0 || s.level > MAX_LEVEL)
      throw new ValidationError(
        'routing/invalid_skill',
        `Skill level must be an integer from 0 to ${MAX_LEVEL}`,
        `skills.${i}.level`,
      );
    if (seen.has(name))
      throw new ValidationError(
        'routing/invalid_skill',
        `Skill '${name}' is listed twice`,
        `skills.${i}.name`,
      );
    seen.add(name);
    return { name, level: s.level };
  });
}
