import { describe, expect, it } from 'vitest';
import { ValidationError } from '../../errors.js';
import { type MatchableAgent, matchesAgent, parseTarget, TARGET_LIMITS, validateTarget } from './target.js';

const agent = (id: string, skills: Record<string, number>, groups: string[] = []): MatchableAgent => ({
  id,
  skills: new Map(Object.entries(skills)),
  groups: new Set(groups),
});

function rejection(target: string): ValidationError {
  try {
    parseTarget(target);
  } catch (err) {
    if (err instanceof ValidationError) return err;
    throw err;
  }
  throw new Error(`'${target}' was accepted`);
}

describe('routing target grammar', () => {
  it('reads the seed examples', () => {
    const group = parseTarget('Billing@StatServer.GA');
    expect(group).toMatchObject({ kind: 'agent_group', statServer: 'StatServer', groups: ['Billing'] });
    expect(group.expr).toEqual({ op: 'group', name: 'Billing' });
    expect(group.normalized).toBe('Billing@StatServer.GA');

    const skills = parseTarget('English=20&Loans=2@StatServer.??');
    expect(skills.kind).toBe('skill');
    expect(skills.expr).toEqual({
      op: 'and',
      items: [
        { op: 'skill', name: 'English', min: 20 },
        { op: 'skill', name: 'Loans', min: 2 },
      ],
    });
    expect(skills.normalized).toBe('English>=20&Loans>=2@StatServer.??');
    expect(parseTarget('Customer_Service@Stat_Server.GA').statServer).toBe('Stat_Server');
  });

  it('binds & tighter than | and honours parentheses', () => {
    const flat = parseTarget('A=1&B=2|C=3@SS.??').expr;
    expect(flat).toEqual({
      op: 'or',
      items: [
        {
          op: 'and',
          items: [
            { op: 'skill', name: 'A', min: 1 },
            { op: 'skill', name: 'B', min: 2 },
          ],
        },
        { op: 'skill', name: 'C', min: 3 },
      ],
    });
    const grouped = parseTarget('A=1&(B=2|C=3)@SS.??');
    expect(grouped.normalized).toBe('A>=1&(B>=2|C>=3)@SS.??');
    const onlyC = agent('x', { C: 3 });
    const aAndC = agent('y', { A: 1, C: 3 });
    expect(matchesAgent(flat, onlyC)).toBe(true);
    expect(matchesAgent(grouped.expr, onlyC)).toBe(false);
    expect(matchesAgent(grouped.expr, aAndC)).toBe(true);
  });

  it('matches skill levels as "at least", > as strictly above', () => {
    const t = parseTarget('English=20&Loans=2@StatServer.??').expr;
    expect(matchesAgent(t, agent('a', { English: 20, Loans: 2 }))).toBe(true);
    expect(matchesAgent(t, agent('b', { English: 50, Loans: 9 }))).toBe(true);
    expect(matchesAgent(t, agent('c', { English: 19, Loans: 9 }))).toBe(false);
    expect(matchesAgent(t, agent('d', { English: 20 }))).toBe(false);
    const strict = parseTarget('English>20@SS.??').expr;
    expect(matchesAgent(strict, agent('e', { English: 20 }))).toBe(false);
    expect(matchesAgent(strict, agent('f', { English: 21 }))).toBe(true);
    expect(matchesAgent(parseTarget('English>=0@SS.??').expr, agent('g', {}))).toBe(false);
  });

  it('supports group alternatives, agent targets and the SE spelling', () => {
    const groups = parseTarget('(Billing|Sales)@SS.GA');
    expect(groups.groups).toEqual(['Billing', 'Sales']);
    expect(matchesAgent(groups.expr, agent('a', {}, ['Sales']))).toBe(true);
    expect(matchesAgent(groups.expr, agent('b', {}, ['Support']))).toBe(false);
    const both = parseTarget('Billing & Senior @SS.GA').expr;
    expect(matchesAgent(both, agent('c', {}, ['Billing']))).toBe(false);
    expect(matchesAgent(both, agent('d', {}, ['Billing', 'Senior']))).toBe(true);
    const one = parseTarget('alice@SS.A');
    expect(one.kind).toBe('agent');
    expect(matchesAgent(one.expr, agent('alice', {}))).toBe(true);
    expect(matchesAgent(one.expr, agent('bob', {}))).toBe(false);
    expect(parseTarget('English=1@SS.SE').normalized).toBe('English>=1@SS.??');
    expect(parseTarget('billing@ss.ga').kind).toBe('agent_group');
  });

  it('rejects invalid targets with a ValidationError naming the problem', () => {
    const cases: [string, RegExp][] = [
      ['', /empty/],
      ['Billing', /missing '@/],
      ['Billing@StatServer', /is not '<StatServer>.<type>'/],
      ['Billing@StatServer.XX', /unsupported target type '.XX'/],
      ['English@SS.??', /needs a level/],
      ['English=@SS.??', /expected a skill level number/],
      ['English=abc@SS.??', /expected a skill level number/],
      ['English=20&@SS.??', /expected a skill name/],
      ['(English=20@SS.??', /missing '\)'/],
      ['English=20)@SS.??', /unexpected '\)'/],
      ['English=20 Loans=2@SS.??', /unexpected 'Loans'/],
      ['Bill#ing@SS.GA', /unexpected '#'/],
      ['English=2000000@SS.??', /above 1000000/],
      ['Billing=3@SS.GA', /unexpected '='/],
      ['@SS.GA', /expected a group name/],
    ];
    for (const [target, message] of cases) {
      const err = rejection(target);
      expect(err.code, target).toBe('routing/invalid_target');
      expect(err.field, target).toBe('target');
      expect(err.message, target).toMatch(message);
    }
    expect(() => validateTarget('Billing@StatServer.GA')).not.toThrow();
    expect(() => validateTarget('nope')).toThrow(ValidationError);
  });

  it('bounds length, nesting and size so hostile input stays cheap', () => {
    expect(rejection(`${'('.repeat(40)}A=1${')'.repeat(40)}@SS.??`).message).toMatch(/nested deeper/);
    expect(rejection(`${Array.from({ length: 70 }, (_, i) => `S${i}=1`).join('&')}@SS.??`).message).toMatch(
      /more than 64 names/,
    );
    expect(rejection(`${'A'.repeat(TARGET_LIMITS.length)}@SS.GA`).message).toMatch(/longer than/);
    const started = performance.now();
    rejection(`${'A=1|'.repeat(200)}@SS.??`);
    expect(performance.now() - started).toBeLessThan(50);
  });
});
