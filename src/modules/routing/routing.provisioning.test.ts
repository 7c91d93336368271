import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../../../test/harness.js';
import { ValidationError } from '../../errors.js';
import { agentGroupsSection, agentsSection, virtualQueuesSection } from './routing.provisioning.js';

const file = {
  agent_groups: [{ name: 'Billing', description: 'Billing team' }, { name: 'Loans' }],
  agents: {
    alice: {
      name: 'Alice Martin',
      password: 'alice-password',
      skills: { English: 20, Loans: 2 },
      groups: ['Billing'],
    },
    bob: { skills: { Spanish: 5 }, groups: ['Loans', 'Billing'] },
  },
  virtual_queues: [
    {
      name: 'VQ_Callback',
      target: 'Billing@StatServer.GA',
      reservation_timeout: 25,
      default_handle_time: 120,
    },
    { name: 'VQ_Skills', target: 'English=20&Loans=2@StatServer.??' },
  ],
};

const sections = [agentGroupsSection, agentsSection, virtualQueuesSection];

async function apply(t: TestApp, source: Record<string, unknown>) {
  for (const section of sections) {
    const value = section.parse(source[section.key], section.key);
    await section.apply(value, t.app.managers);
  }
}

async function exportAll(t: TestApp) {
  const out: Record<string, unknown> = {};
  for (const section of sections) out[section.key] = await section.export(t.app.managers);
  return out;
}

function parseError(key: string, value: unknown): ValidationError {
  const section = sections.find((s) => s.key === key);
  try {
    section?.parse(value, key);
  } catch (err) {
    if (err instanceof ValidationError) return err;
    throw err;
  }
  throw new Error('accepted');
}

describe('routing provisioning sections', () => {
  let t: TestApp;
  let copy: TestApp;
  beforeAll(async () => {
    t = await createTestApp();
    copy = await createTestApp();
  });
  afterAll(async () => {
    await t.close();
    await copy.close();
  });

  it('names the path of a bad value', () => {
    expect(parseError('agents', [{ id: 'a b' }]).field).toBe('agents.0.id');
    expect(parseError('agents', { alice: { skills: { English: 'lots' } } }).field).toBe(
      'agents.0.skills.English',
    );
    expect(parseError('agents', [{ id: 'a', skills: { 'bad skill': 1 } }]).field).toBe(
      'agents.0.skills.bad skill',
    );
    expect(parseError('agents', [{ id: 'a', password: 'short' }]).field).toBe('agents.0.password');
    expect(parseError('agents', [{ id: 'a', colour: 'red' }]).field).toBe('agents.0');
    expect(parseError('virtual_queues', [{ name: 'Q', target: 'Billing' }]).field).toBe(
      'virtual_queues.0.target',
    );
    expect(parseError('virtual_queues', [{ name: 'Q', reservation_timeout: 0 }]).field).toBe(
      'virtual_queues.0.reservation_timeout',
    );
    expect(parseError('agent_groups', 'Billing').field).toBe('agent_groups');
  });

  it('applies idempotently and keeps agents logged in when nothing changed', async () => {
    await apply(t, file);
    const routing = t.app.managers.routing;
    const alice = await routing.agents.require('alice');
    expect(alice).toMatchObject({
      name: 'Alice Martin',
      hasPassword: true,
      groups: ['Billing'],
      skills: [
        { name: 'English', level: 20 },
        { name: 'Loans', level: 2 },
      ],
    });
    expect((await routing.agents.require('bob')).groups).toEqual(['Billing', 'Loans']);
    expect(await routing.queues.require('VQ_Callback')).toMatchObject({
      target: 'Billing@StatServer.GA',
      reservationTimeoutSeconds: 25,
      defaultHandleSeconds: 120,
    });
    const { token } = await routing.agentLogin('alice', 'alice-password');
    const before = await exportAll(t);
    await apply(t, file);
    expect(await exportAll(t)).toEqual(before);
    expect(await routing.agents.agentForToken(token)).toBe('alice');
    // A different password revokes the agent's tokens.
    await apply(t, { ...file, agents: { alice: { password: 'another-password' } } });
    expect(await routing.agents.agentForToken(token)).toBeNull();
  });

  it('reproduces the state, logins included, from its export', async () => {
    const exported = await exportAll(t);
    await apply(copy, JSON.parse(JSON.stringify(exported)) as Record<string, unknown>);
    expect(await exportAll(copy)).toEqual(exported);
    await expect(copy.app.managers.routing.agentLogin('alice', 'another-password')).resolves.toMatchObject({
      agent: { id: 'alice', state: 'NOT_READY' },
    });
    await expect(copy.app.managers.routing.agentLogin('bob', 'anything-at-all')).rejects.toMatchObject({
      code: 'auth/unauthorized',
    });
  });
});
