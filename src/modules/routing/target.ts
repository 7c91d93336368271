import { type SQL, sql } from 'drizzle-orm';
import { ValidationError } from '../../errors.js';
import { agentGroupMembersTable, agentSkillsTable } from './routing.tables.js';

/**
 * Routing targets, written the way GMS/URS targets are:
 *
 *   target  := expr '@' statServer '.' type
 *   type    := 'GA'            agent group(s):  Billing@StatServer.GA, (Billing|Sales)@StatServer.GA
 *            | 'A'             agent id(s):     alice@StatServer.A
 *            | '??' | 'SE'     skill expression: English=20&Loans=2@StatServer.??
 *   expr    := and ('|' and)*              '&' binds tighter than '|'
 *   and     := atom ('&' atom)*
 *   atom    := '(' expr ')' | name | name op level      (op and level only in skill expressions)
 *   op      := '=' | '>='   level at least the number  (URS's `English=20` means "20 or better")
 *            | '>'          level strictly above the number
 *
 * Names are letters, digits, `_`, `-` and `.`; they are case-sensitive. Whitespace between
 * tokens is ignored. The parser is a linear recursive descent with hard limits on length, depth
 * and atom count, so an admin- or client-supplied target cannot make it slow.
 */

export type TargetKind = 'agent_group' | 'agent' | 'skill';

export type TargetExpr =
  | { op: 'or'; items: TargetExpr[] }
  | { op: 'and'; items: TargetExpr[] }
  | { op: 'group'; name: string }
  | { op: 'agent'; id: string }
  /** Level of `name` at least `min`. */
  | { op: 'skill'; name: string; min: number };

export interface ParsedTarget {
  kind: TargetKind;
  statServer: string;
  expr: TargetExpr;
  /** Canonical spelling, e.g. `English>=20&Loans>=2@StatServer.??`. */
  normalized: string;
  /** Agent groups named anywhere in the expression (statistics per agent group use them). */
  groups: string[];
}

/** What the matcher needs to know about an agent. */
export interface MatchableAgent {
  id: string;
  groups: ReadonlySet<string>;
  skills: ReadonlyMap<string, number>;
}

export const TARGET_LIMITS = { length: 1024, depth: 32, atoms: 64, level: 1_000_000 } as const;

const TYPE_KINDS: Record<string, TargetKind> = { GA: 'agent_group', A: 'agent', '??': 'skill', SE: 'skill' };
const NAME_CHAR = /[\p{L}\p{N}_.-]/u;
const STAT_SERVER = /^[\p{L}\p{N}_.-]+$/u;

type Token =
  | { t: 'name'; v: string; at: number }
  | { t: '(' | ')' | '&' | '|' | 'eof'; at: number }
  | { t: 'op'; v: '=' | '>=' | '>'; at: number };

function invalid(target: string, why: string): ValidationError {
  return new ValidationError(
    'routing/invalid_target',
    `Invalid routing target '${target}': ${why}`,
    'target',
  );
}

function tokenize(source: string, target: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  while (i < source.length) {
    const c = source[i] as string;
    if (c === ' ' || c === '\t') {
      i++;
    } else if (c === '(' || c === ')' || c === '&' || c === '|') {
      tokens.push({ t: c, at: i });
      i++;
    } else if (c === '=') {
      tokens.push({ t: 'op', v: '=', at: i });
      i++;
    } else if (c === '>') {
      const ge = source[i + 1] === '=';
      tokens.push({ t: 'op', v: ge ? '>=' : '>', at: i });
      i += ge ? 2 : 1;
    } else if (NAME_CHAR.test(c)) {
      const start = i;
      while (i < source.length && NAME_CHAR.test(source[i] as string)) i++;
      tokens.push({ t: 'name', v: source.slice(start, i), at: start });
    } else {
      throw invalid(target, `unexpected '${c}' at position ${i + 1}`);
    }
  }
  tokens.push({ t: 'eof', at: source.length });
  return tokens;
}

class Parser {
  private pos = 0;
  private atoms = 0;
  constructor(
    private readonly tokens: Token[],
    private readonly kind: TargetKind,
    private readonly target: string,
  ) {}

  private peek(): Token {
    return this.tokens[this.pos] as Token;
  }

  private fail(why: string): never {
    throw invalid(this.target, why);
  }

  private where(tok: Token): string {
    return tok.t === 'eof' ? 'at the end of the expression' : `at position ${tok.at + 1}`;
  }

  parseAll(): TargetExpr {
    const expr = this.parseOr(0);
    const next = this.peek();
    if (next.t !== 'eof') this.fail(`unexpected '${describe(next)}' ${this.where(next)}`);
    return expr;
  }

  private parseOr(depth: number): TargetExpr {
    const items = [this.parseAnd(depth)];
    while (this.peek().t === '|') {
      this.pos++;
      items.push(this.parseAnd(depth));
    }
    return items.length === 1 ? (items[0] as TargetExpr) : { op: 'or', items };
  }

  private parseAnd(depth: number): TargetExpr {
    const items = [this.parseAtom(depth)];
    while (this.peek().t === '&') {
      this.pos++;
      items.push(this.parseAtom(depth));
    }
    return items.length === 1 ? (items[0] as TargetExpr) : { op: 'and', items };
  }

  private parseAtom(depth: number): TargetExpr {
    const tok = this.peek();
    if (tok.t === '(') {
      if (depth + 1 > TARGET_LIMITS.depth)
        this.fail(`parentheses nested deeper than ${TARGET_LIMITS.depth} levels`);
      this.pos++;
      const inner = this.parseOr(depth + 1);
      const close = this.peek();
      if (close.t !== ')') this.fail(`missing ')' ${this.where(close)}`);
      this.pos++;
      return inner;
    }
    if (tok.t !== 'name') {
      const expected =
        this.kind === 'skill' ? 'a skill name' : this.kind === 'agent' ? 'an agent id' : 'a group name';
      this.fail(
        `expected ${expected} ${this.where(tok)}${tok.t === 'eof' ? '' : `, found '${describe(tok)}'`}`,
      );
    }
    this.pos++;
    if (++this.atoms > TARGET_LIMITS.atoms) this.fail(`more than ${TARGET_LIMITS.atoms} names`);
    if (this.kind === 'agent_group') return { op: 'group', name: tok.v };
    if (this.kind === 'agent') return { op: 'agent', id: tok.v };
    const op = this.peek();
    if (op.t !== 'op') this.fail(`skill '${tok.v}' needs a level, e.g. ${tok.v}=10 (${this.where(op)})`);
    this.pos++;
    const level = this.peek();
    if (level.t !== 'name' || !/^\d+$/.test(level.v))
      this.fail(`expected a skill level number after '${op.v}' ${this.where(level)}`);
    this.pos++;
    const n = Number(level.v);
    if (n > TARGET_LIMITS.level) this.fail(`skill level ${level.v} is above ${TARGET_LIMITS.level}`);
    return { op: 'skill', name: tok.v, min: op.v === '>' ? n + 1 : n };
  }
}

function describe(tok: Token): string {
  if (tok.t === 'name' || tok.t === 'op') return tok.v;
  return tok.t;
}

/** Parses a target or throws ValidationError (`routing/invalid_target`, field `target`). */
export function parseTarget(target: string): ParsedTarget {
  if (typeof target !== 'string' || target.trim() === '') throw invalid(String(target), 'it is empty');
  if (target.length > TARGET_LIMITS.length)
    throw invalid(`${target.slice(0, 40)}…`, `longer than ${TARGET_LIMITS.length} characters`);
  const at = target.lastIndexOf('@');
  if (at < 0)
    throw invalid(
      target,
      "missing '@<StatServer>.<type>', e.g. Billing@StatServer.GA or English=20@StatServer.??",
    );
  const location = target.slice(at + 1).trim();
  const dot = location.lastIndexOf('.');
  const statServer = dot < 0 ? '' : location.slice(0, dot);
  const type = dot < 0 ? '' : location.slice(dot + 1).toUpperCase();
  if (!STAT_SERVER.test(statServer)) throw invalid(target, `'${location}' is not '<StatServer>.<type>'`);
  const kind = TYPE_KINDS[type];
  if (!kind) throw invalid(target, `unsupported target type '.${type}' (use .GA, .A or .??)`);
  const body = target.slice(0, at);
  const expr = new Parser(tokenize(body, target), kind, target).parseAll();
  const typeSpelling = type === 'SE' ? '??' : type;
  return {
    kind,
    statServer,
    expr,
    normalized: `${render(expr, false)}@${statServer}.${typeSpelling}`,
    groups: [...collectGroups(expr, new Set())],
  };
}

/** For the services module: throws ValidationError when a service's `_target` is not a valid target. */
export function validateTarget(target: string): void {
  parseTarget(target);
}

function render(expr: TargetExpr, nested: boolean): string {
  switch (expr.op) {
    case 'group':
      return expr.name;
    case 'agent':
      return expr.id;
    case 'skill':
      return `${expr.name}>=${expr.min}`;
    case 'and':
      return expr.items.map((i) => render(i, true)).join('&');
    case 'or': {
      const s = expr.items.map((i) => render(i, false)).join('|');
      return nested ? `(${s})` : s;
    }
  }
}

function collectGroups(expr: TargetExpr, into: Set<string>): Set<string> {
  if (expr.op === 'group') into.add(expr.name);
  else if (expr.op === 'and' || expr.op === 'or') for (const i of expr.items) collectGroups(i, into);
  return into;
}

/** Does this agent satisfy the expression? (Used by the matching pass on the rows it locked.) */
export function matchesAgent(expr: TargetExpr, agent: MatchableAgent): boolean {
  switch (expr.op) {
    case 'group':
      return agent.groups.has(expr.name);
    case 'agent':
      return agent.id === expr.id;
    case 'skill':
      return (agent.skills.get(expr.name) ?? Number.NEGATIVE_INFINITY) >= expr.min;
    case 'and':
      return expr.items.every((i) => matchesAgent(i, agent));
    case 'or':
      return expr.items.some((i) => matchesAgent(i, agent));
  }
}

/**
 * The same predicate as SQL over an agent id expression (counting matching agents per state for
 * EWT and statistics without loading every agent). Must agree with `matchesAgent`; a test checks.
 */
export function targetSql(expr: TargetExpr, agentId: SQL): SQL {
  switch (expr.op) {
    case 'group':
      return sql`exists (select 1 from ${agentGroupMembersTable} where ${agentGroupMembersTable.agentId} = ${agentId} and ${agentGroupMembersTable.groupName} = ${expr.name})`;
    case 'agent':
      return sql`(${agentId} = ${expr.id})`;
    case 'skill':
      return sql`exists (select 1 from ${agentSkillsTable} where ${agentSkillsTable.agentId} = ${agentId} and ${agentSkillsTable.skill} = ${expr.name} and ${agentSkillsTable.level} >= ${expr.min})`;
    case 'and':
      return sql`(${sql.join(
        expr.items.map((i) => targetSql(i, agentId)),
        sql` and `,
      )})`;
    case 'or':
      return sql`(${sql.join(
        expr.items.map((i) => targetSql(i, agentId)),
        sql` or `,
      )})`;
  }
}

/** Parsed targets by their text: the matching pass sees the same few targets over and over. */
export class TargetCache {
  private readonly cache = new Map<string, ParsedTarget>();
  constructor(private readonly max = 1000) {}

  get(target: string): ParsedTarget {
    const hit = this.cache.get(target);
    if (hit) return hit;
    const parsed = parseTarget(target);
    if (this.cache.size >= this.max) this.cache.delete(this.cache.keys().next().value as string);
    this.cache.set(target, parsed);
    return parsed;
  }
}
