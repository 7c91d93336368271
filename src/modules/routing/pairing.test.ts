import { describe, expect, it } from 'vitest';
import { AGENT_TRANSITIONS, allowed, SELF_STATES } from './agent-transitions.js';
import { pairRequests } from './pairing.js';
import { AGENT_STATES } from './routing.tables.js';
import { type MatchableAgent, parseTarget } from './target.js';

const agent = (id: string, groups: string[]): MatchableAgent => ({
  id,
  skills: new Map(),
  groups: new Set(groups),
});
const targets = new Map(
  ['Billing@StatServer.GA', 'Sales@StatServer.GA'].map((t) => [t, parseTarget(t)] as const),
);

describe('pairing policy', () => {
  it('serves requests in the order given, each with the first free matching agent', () => {
    // Agents ready longest first; requests by priority then arrival.
    const agents = [agent('a1', ['Sales']), agent('a2', ['Billing', 'Sales']), agent('a3', ['Billing'])];
    const requests = [
      { id: 'r1', target: 'Billing@StatServer.GA' },
      { id: 'r2', target: 'Sales@StatServer.GA' },
      { id: 'r3', target: 'Billing@StatServer.GA' },
      { id: 'r4', target: 'Sales@StatServer.GA' },
    ];
    expect(pairRequests(requests, agents, targets).map((p) => [p.req.id, p.agentId])).toEqual([
      ['r1', 'a2'],
      ['r2', 'a1'],
      ['r3', 'a3'],
    ]);
  });

  it('leaves a request whose target is not servable waiting', () => {
    const pairs = pairRequests([{ target: 'Nobody@StatServer.GA' }], [agent('a1', ['Billing'])], targets);
    expect(pairs).toEqual([]);
  });
});

describe('agent state machine', () => {
  it('lists every state, and only the router moves agents into RESERVED and BUSY', () => {
    expect(Object.keys(AGENT_TRANSITIONS).sort()).toEqual([...AGENT_STATES].sort());
    for (const from of AGENT_STATES)
      for (const [cause, next] of Object.entries(AGENT_TRANSITIONS[from]))
        if (next?.includes('RESERVED') || next?.includes('BUSY'))
          expect(['reserve', 'accept'], `${from} -(${cause})->`).toContain(cause);
    expect(SELF_STATES).not.toContain('RESERVED');
    expect(SELF_STATES).not.toContain('BUSY');
  });

  it('lets a reserved agent only step away, and a busy one only complete', () => {
    expect(allowed('RESERVED', 'agent', 'READY')).toBe(false);
    expect(allowed('RESERVED', 'release', 'NOT_READY')).toBe(true);
    expect(allowed('BUSY', 'agent', 'NOT_READY')).toBe(false);
    expect(allowed('BUSY', 'complete', 'AFTER_CALL_WORK')).toBe(true);
    expect(allowed('NOT_READY', 'expire', 'NOT_READY')).toBe(false);
  });
});
