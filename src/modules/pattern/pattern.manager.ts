import { eq, inArray } from 'drizzle-orm';
import type { DbOrTx, Tx } from '../../db/client.js';
import { isUniqueViolation } from '../../db/pg-errors.js';
import type { Deps } from '../../deps.js';
import { ConflictError, NotFoundError, ValidationError } from '../../errors.js';
import {
  CompiledPatternCache,
  type CompiledPatterns,
  MAX_REQUEST_CHARACTERS,
  MAX_VALUE_LENGTH,
  regexProblem,
} from './pattern.regex.js';
import {
  type PatternGroupRow,
  type PatternRow,
  patternGroupsTable,
  patternsTable,
} from './pattern.tables.js';

export interface PatternView {
  id: number;
  name: string;
  regex: string;
  /** 0-based place in the group's order. */
  position: number;
  createdAt: Date;
  updatedAt: Date;
}

export interface PatternGroupView {
  id: number;
  name: string;
  patterns: PatternView[];
  createdAt: Date;
  updatedAt: Date;
}

export interface PatternInput {
  name: string;
  regex: string;
}

/** One row of a group tested against a value, for the admin UI to highlight. */
export interface PatternTestRow {
  patternName: string;
  regex: string;
  matched: boolean;
}

export const MAX_PATTERNS_PER_GROUP = 1_000;
const GROUP_NAME = /^[A-Za-z0-9_.-]{1,100}$/;
const MAX_PATTERN_NAME_LENGTH = 200;
// biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are what it rejects
const CONTROL_CHARACTERS = /[\u0000-\u001f\u007f]/;

export function checkGroupName(name: string, field = 'name'): string {
  if (!GROUP_NAME.test(name))
    throw new ValidationError(
      'pattern/invalid_group_name',
      `Invalid pattern group name '${name}': use 1 to 100 letters, digits, '_', '.' or '-'`,
      field,
    );
  return name;
}

export function checkPatternName(name: string, field = 'name'): string {
  if (
    name.length === 0 ||
    name.length > MAX_PATTERN_NAME_LENGTH ||
    name.trim() !== name ||
    CONTROL_CHARACTERS.test(name)
  )
    throw new ValidationError(
      'pattern/invalid_pattern_name',
      `Invalid pattern name '${name}': use 1 to ${MAX_PATTERN_NAME_LENGTH} characters, without control characters or surrounding spaces`,
      field,
    );
  return name;
}

/** Throws a ValidationError naming the pattern and the reason when the engine cannot run `regex`. */
export function checkRegex(patternName: string, regex: string, field = 'regex'): string {
  const problem = regexProblem(regex);
  if (problem)
    throw new ValidationError('pattern/invalid_regex', `Pattern '${patternName}': ${problem}`, field);
  return regex;
}

/** Validates a whole ordered list; `fieldOf` names the path reported for each pattern. */
export function checkPatternList(
  patterns: readonly PatternInput[],
  fieldOf: (p: PatternInput, index: number) => string = (_p, i) => `patterns.${i}`,
): PatternInput[] {
  if (patterns.length > MAX_PATTERNS_PER_GROUP)
    throw new ValidationError(
      'pattern/too_many_patterns',
      `A pattern group holds at most ${MAX_PATTERNS_PER_GROUP} patterns (got ${patterns.length})`,
      'patterns',
    );
  const seen = new Set<string>();
  return patterns.map((p, i) => {
    const field = fieldOf(p, i);
    checkPatternName(p.name, field);
    if (seen.has(p.name))
      throw new ValidationError('pattern/duplicate_pattern', `Pattern name '${p.name}' appears twice`, field);
    seen.add(p.name);
    checkRegex(p.name, p.regex, field);
    return { name: p.name, regex: p.regex };
  });
}

/** A value submitted for testing; `field` names the parameter in error messages. */
export interface TestedValue {
  field: string;
  value: string;
}

function checkTestedValues(values: readonly TestedValue[]): void {
  let total = 0;
  for (const { field, value } of values) {
    if (value.length > MAX_VALUE_LENGTH)
      throw new ValidationError(
        'pattern/value_too_long',
        `Value of '${field}' is ${value.length} characters long; at most ${MAX_VALUE_LENGTH} can be tested`,
        field,
      );
    total += value.length;
  }
  if (total > MAX_REQUEST_CHARACTERS)
    throw new ValidationError(
      'pattern/values_too_long',
      `The values add up to ${total} characters; at most ${MAX_REQUEST_CHARACTERS} can be tested at once`,
      null,
    );
}

const groupNotFound = (name: string) =>
  new NotFoundError('pattern/group_not_found', `Pattern group '${name}' not found`);

const byPosition = (a: PatternRow, b: PatternRow) => a.position - b.position || a.id - b.id;
/** Code-unit order, the same on every database whatever its collation. */
const byName = (a: { name: string }, b: { name: string }) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0);

function toView(group: PatternGroupRow, rows: PatternRow[]): PatternGroupView {
  return {
    id: group.id,
    name: group.name,
    createdAt: group.createdAt,
    updatedAt: group.updatedAt,
    patterns: [...rows].sort(byPosition).map((r, position) => ({
      id: r.id,
      name: r.name,
      regex: r.regex,
      position,
      createdAt: r.createdAt,
      updatedAt: r.updatedAt,
    })),
  };
}

/** Folds `groups LEFT JOIN patterns` rows into one view per group. */
function groupViews(
  rows: { pattern_groups: PatternGroupRow; patterns: PatternRow | null }[],
): PatternGroupView[] {
  const groups = new Map<number, { group: PatternGroupRow; patterns: PatternRow[] }>();
  for (const row of rows) {
    const entry = groups.get(row.pattern_groups.id) ?? { group: row.pattern_groups, patterns: [] };
    if (row.patterns) entry.patterns.push(row.patterns);
    groups.set(row.pattern_groups.id, entry);
  }
  return [...groups.values()].map((e) => toView(e.group, e.patterns));
}

/** A row of the list to write: `id` keeps an existing row (and its history), no id inserts. */
interface DesiredPattern extends PatternInput {
  id?: number;
}

declare module '../../managers.types.js' {
  interface Managers {
    patterns: PatternManager;
  }
}

/**
 * Pattern groups: named, ordered lists of regular expressions. Admins edit them; the legacy
 * `/genesys/1/patterns` routes, the callback exception check and the admin UI test values against
 * them. Every evaluation runs on the linear-time engine (`pattern.regex.ts`).
 */
export class PatternManager {
  private readonly compiled = new CompiledPatternCache();

  constructor(private readonly deps: Deps) {}

  // ---- reading -------------------------------------------------------------------------------

  async listGroups(): Promise<PatternGroupView[]> {
    // One statement, so the groups and their patterns come from the same snapshot.
    const rows = await this.deps.db
      .select()
      .from(patternGroupsTable)
      .leftJoin(patternsTable, eq(patternsTable.groupId, patternGroupsTable.id));
    return groupViews(rows).sort(byName);
  }

  async findGroup(name: string): Promise<PatternGroupView | null> {
    return this.load(this.deps.db, name);
  }

  async getGroup(name: string): Promise<PatternGroupView> {
    const group = await this.load(this.deps.db, name);
    if (!group) throw groupNotFound(name);
    return group;
  }

  /** With `lock`, the group row stays locked until the transaction ends: every edit of a group takes it. */
  private async load(db: DbOrTx, name: string, lock = false): Promise<PatternGroupView | null> {
    if (lock) {
      const [group] = await db
        .select()
        .from(patternGroupsTable)
        .where(eq(patternGroupsTable.name, name))
        .for('update');
      if (!group) return null;
      const rows = await db.select().from(patternsTable).where(eq(patternsTable.groupId, group.id));
      return toView(group, rows);
    }
    const rows = await db
      .select()
      .from(patternGroupsTable)
      .leftJoin(patternsTable, eq(patternsTable.groupId, patternGroupsTable.id))
      .where(eq(patternGroupsTable.name, name));
    return groupViews(rows)[0] ?? null;
  }

  // ---- editing -------------------------------------------------------------------------------

  async createGroup(name: string, patterns: readonly PatternInput[] = []): Promise<PatternGroupView> {
    checkGroupName(name);
    const list = checkPatternList(patterns);
    return this.deps.db.transaction(async (tx) => {
      const now = this.deps.clock.now();
      const [group] = await tx
        .insert(patternGroupsTable)
        .values({ name, createdAt: now, updatedAt: now })
        .onConflictDoNothing({ target: patternGroupsTable.name })
        .returning();
      if (!group)
        throw new ConflictError('pattern/group_exists', `A pattern group named '${name}' already exists`);
      await this.writeList(tx, toView(group, []), list, now);
      return this.mustLoad(tx, name);
    });
  }

  async renameGroup(name: string, newName: string): Promise<PatternGroupView> {
    checkGroupName(newName, 'newName');
    try {
      return await this.deps.db.transaction(async (tx) => {
        const group = await this.mustLoad(tx, name, true);
        if (newName === name) return group;
        const [taken] = await tx
          .select({ id: patternGroupsTable.id })
          .from(patternGroupsTable)
          .where(eq(patternGroupsTable.name, newName));
        if (taken) throw groupExists(newName);
        await tx
          .update(patternGroupsTable)
          .set({ name: newName, updatedAt: this.deps.clock.now() })
          .where(eq(patternGroupsTable.id, group.id));
        return this.mustLoad(tx, newName);
      });
    } catch (err) {
      // Another admin took the name between our check and our update.
      if (isUniqueViolation(err)) throw groupExists(newName);
      throw err;
    }
  }

  /** Deletes the group and its patterns; returns what was deleted. */
  async deleteGroup(name: string): Promise<PatternGroupView> {
    return this.deps.db.transaction(async (tx) => {
      const group = await this.mustLoad(tx, name, true);
      await tx.delete(patternGroupsTable).where(eq(patternGroupsTable.id, group.id));
      return group;
    });
  }

  /** Adds a pattern at `position` (0-based; default: last). */
  async addPattern(
    groupName: string,
    input: PatternInput,
    position?: number | null,
  ): Promise<PatternGroupView> {
    checkPatternName(input.name);
    checkRegex(input.name, input.regex);
    return this.editList(groupName, (current) => {
      if (current.some((p) => p.name === input.name)) throw patternExists(groupName, input.name);
      if (current.length >= MAX_PATTERNS_PER_GROUP)
        throw new ValidationError(
          'pattern/too_many_patterns',
          `Pattern group '${groupName}' already holds ${MAX_PATTERNS_PER_GROUP} patterns`,
          'name',
        );
      const at = checkPosition(position, current.length);
      const next: DesiredPattern[] = [...current];
      next.splice(at, 0, { name: input.name, regex: input.regex });
      return next;
    });
  }

  /** Renames a pattern, changes its expression or moves it; only the given fields change. */
  async updatePattern(
    groupName: string,
    name: string,
    change: { name?: string | null; regex?: string | null; position?: number | null },
  ): Promise<PatternGroupView> {
    const newName = change.name ?? name;
    checkPatternName(newName);
    if (change.regex != null) checkRegex(newName, change.regex);
    return this.editList(groupName, (current) => {
      const index = current.findIndex((p) => p.name === name);
      const existing = current[index];
      if (!existing) throw patternNotFound(groupName, name);
      if (newName !== name && current.some((p) => p.name === newName))
        throw patternExists(groupName, newName);
      const updated: DesiredPattern = { ...existing, name: newName, regex: change.regex ?? existing.regex };
      const next = current.filter((_, i) => i !== index);
      next.splice(change.position == null ? index : checkPosition(change.position, next.length), 0, updated);
      return next;
    });
  }

  async removePattern(groupName: string, name: string): Promise<PatternGroupView> {
    return this.editList(groupName, (current) => {
      if (!current.some((p) => p.name === name)) throw patternNotFound(groupName, name);
      return current.filter((p) => p.name !== name);
    });
  }

  /** Replaces the whole ordered list; patterns keeping their name keep their identity. */
  async replacePatterns(groupName: string, patterns: readonly PatternInput[]): Promise<PatternGroupView> {
    const list = checkPatternList(patterns);
    return this.editList(groupName, (current) => matchByName(current, list));
  }

  private async editList(
    groupName: string,
    edit: (current: DesiredPattern[]) => DesiredPattern[],
  ): Promise<PatternGroupView> {
    return this.deps.db.transaction(async (tx) => {
      const group = await this.mustLoad(tx, groupName, true);
      const current = group.patterns.map((p) => ({ id: p.id, name: p.name, regex: p.regex }));
      if (await this.writeList(tx, group, edit(current), this.deps.clock.now()))
        return this.mustLoad(tx, groupName);
      return group;
    });
  }

  /**
   * Makes the stored list equal `desired` (same order), writing only what differs so that an
   * unchanged list leaves every row (and `updated_at`) untouched. Returns whether anything changed.
   * The caller holds the group row lock.
   */
  private async writeList(
    tx: Tx,
    group: PatternGroupView,
    desired: readonly DesiredPattern[],
    now: Date,
  ): Promise<boolean> {
    const keep = new Set(desired.flatMap((d) => (d.id === undefined ? [] : [d.id])));
    const gone = group.patterns.filter((p) => !keep.has(p.id)).map((p) => p.id);
    const existing = new Map(group.patterns.map((p) => [p.id, p]));
    let changed = gone.length > 0;
    // Deletes first, then renames and moves, then inserts: a name freed by a deleted row can be reused.
    if (gone.length > 0) await tx.delete(patternsTable).where(inArray(patternsTable.id, gone));
    for (const [position, d] of desired.entries()) {
      const before = d.id === undefined ? undefined : existing.get(d.id);
      if (!before || d.id === undefined) continue;
      const contentChanged = before.name !== d.name || before.regex !== d.regex;
      if (!contentChanged && before.position === position) continue;
      changed = true;
      await tx
        .update(patternsTable)
        .set({
          name: d.name,
          regex: d.regex,
          position,
          ...(contentChanged ? { updatedAt: now } : {}),
        })
        .where(eq(patternsTable.id, d.id));
    }
    const inserts = [...desired.entries()]
      .filter(([, d]) => d.id === undefined)
      .map(([position, d]) => ({
        groupId: group.id,
        name: d.name,
        regex: d.regex,
        position,
        createdAt: now,
        updatedAt: now,
      }));
    if (inserts.length > 0) {
      changed = true;
      await tx.insert(patternsTable).values(inserts);
    }
    if (changed)
      await tx.update(patternGroupsTable).set({ updatedAt: now }).where(eq(patternGroupsTable.id, group.id));
    return changed;
  }

  private async mustLoad(db: DbOrTx, name: string, lock = false): Promise<PatternGroupView> {
    const group = await this.load(db, name, lock);
    if (!group) throw groupNotFound(name);
    return group;
  }

  // ---- testing values ------------------------------------------------------------------------

  /** Every row of the group with whether it matches the whole of `value` (the admin UI highlights them). */
  async testGroup(groupName: string, value: string): Promise<PatternTestRow[]> {
    checkTestedValues([{ field: 'value', value }]);
    const group = await this.getGroup(groupName);
    const matched = new Set(this.compile(group.patterns).matching(value));
    return group.patterns.map((p, i) => ({ patternName: p.name, regex: p.regex, matched: matched.has(i) }));
  }

  /**
   * The legacy test: each value against the group's patterns in order (or, with no group, against
   * the general list: every group by name, each in its own order). Answers only the values that
   * matched, parameter → name of the first matching pattern, in the order the values came.
   */
  async matchValues(
    groupName: string | null,
    values: readonly TestedValue[],
  ): Promise<Record<string, string>> {
    checkTestedValues(values);
    const patterns =
      groupName === null ? await this.generalList() : (await this.getGroup(groupName)).patterns;
    const compiled = this.compile(patterns);
    const matched: [string, string][] = [];
    for (const { field, value } of values) {
      const first = compiled.first(value);
      const pattern = patterns[first];
      if (pattern) matched.push([field, pattern.name]);
    }
    // fromEntries defines own properties, so a parameter named `__proto__` stays a plain key.
    return Object.fromEntries(matched);
  }

  /**
   * For other modules (the callback `_exceptions` check): the name of the first pattern of
   * `groupName`, in order, that matches the whole of `value`, or null when none does.
   * Throws NotFoundError (`pattern/group_not_found`) for an unknown group and ValidationError
   * (`pattern/value_too_long`) for a value longer than MAX_VALUE_LENGTH.
   */
  async findMatch(groupName: string, value: string): Promise<string | null> {
    checkTestedValues([{ field: 'value', value }]);
    const group = await this.getGroup(groupName);
    return group.patterns[this.compile(group.patterns).first(value)]?.name ?? null;
  }

  /** The "general pattern list" of `POST /genesys/1/patterns`: every group by name, each in its order. */
  private async generalList(): Promise<PatternView[]> {
    return (await this.listGroups()).flatMap((g) => g.patterns);
  }

  private compile(patterns: readonly PatternView[]): CompiledPatterns {
    return this.compiled.get(
      patterns.map((p) => p.regex),
      (c) => {
        for (const i of c.refused)
          this.deps.logger.warn('stored pattern refused by the regex engine; it never matches', {
            pattern: patterns[i]?.name,
          });
      },
    );
  }

  // ---- provisioning --------------------------------------------------------------------------

  /** Every group with its ordered patterns, as the provisioning section exports it. */
  async exportGroups(): Promise<{ name: string; patterns: PatternInput[] }[]> {
    return (await this.listGroups()).map((g) => ({
      name: g.name,
      patterns: g.patterns.map((p) => ({ name: p.name, regex: p.regex })),
    }));
  }

  /**
   * Makes each named group hold exactly the given ordered patterns, in one transaction; groups not
   * named are left alone. Applying the same groups again writes nothing.
   */
  async applyGroups(groups: readonly { name: string; patterns: readonly PatternInput[] }[]): Promise<void> {
    for (const g of groups) {
      checkGroupName(g.name);
      checkPatternList(g.patterns);
    }
    await this.deps.db.transaction(async (tx) => {
      const now = this.deps.clock.now();
      for (const g of groups) {
        await tx
          .insert(patternGroupsTable)
          .values({ name: g.name, createdAt: now, updatedAt: now })
          .onConflictDoNothing({ target: patternGroupsTable.name });
        const group = await this.mustLoad(tx, g.name, true);
        const current = group.patterns.map((p) => ({ id: p.id, name: p.name, regex: p.regex }));
        await this.writeList(tx, group, matchByName(current, g.patterns), now);
      }
    });
  }
}

/** The desired list, reusing the ids of current rows with the same name. */
function matchByName(current: readonly DesiredPattern[], desired: readonly PatternInput[]): DesiredPattern[] {
  const ids = new Map(current.map((c) => [c.name, c.id]));
  return desired.map((d) => ({ id: ids.get(d.name), name: d.name, regex: d.regex }));
}

function checkPosition(position: number | null | undefined, length: number): number {
  if (position == null) return length;
  if (!Number.isInteger(position) || position < 0 || position > length)
    throw new ValidationError(
      'pattern/invalid_position',
      `Position ${position} is outside the list (0 to ${length})`,
      'position',
    );
  return position;
}

const groupExists = (name: string) =>
  new ConflictError('pattern/group_exists', `A pattern group named '${name}' already exists`);
const patternExists = (group: string, name: string) =>
  new ConflictError(
    'pattern/pattern_exists',
    `Pattern group '${group}' already has a pattern named '${name}'`,
  );
const patternNotFound = (group: string, name: string) =>
  new NotFoundError('pattern/pattern_not_found', `Pattern group '${group}' has no pattern named '${name}'`);
