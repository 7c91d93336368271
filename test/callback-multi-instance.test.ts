import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SessionEvent } from '../src/modules/event/event.manager.js';
import {
  backend,
  createTestApp,
  createTestDatabase,
  multipart,
  type TestApp,
  type TestDatabase,
} from './harness.js';

const GMS_USER = 'b16416334828b1d26ef14f329628b55b5a8c631d8928a371a5584722dd7fb673';

/**
 * Two instances on one Postgres and one Redis: a callback started on A, its agent made ready on
 * B. Whichever instance reacts to the reservation stores the agent-available event once; a
 * subscriber of the session's stream on A receives it, and A's connect answers the dialog.
 */
describe.skipIf(backend !== 'postgres')('callbacks across two instances', () => {
  let database: TestDatabase;
  let a: TestApp;
  let b: TestApp;

  beforeAll(async () => {
    database = await createTestDatabase();
    const namespace = `cb${randomUUID().slice(0, 8)}`;
    const env = { PUBLIC_URL: 'http://localhost:8080' };
    a = await createTestApp({ database, namespace, env });
    b = await createTestApp({ database, namespace, env, clock: a.clock });
  });
  afterAll(async () => {
    await a?.close();
    await b?.close();
    await database?.drop();
  });

  it('started on A, agent ready on B, the stored event streamed on A', async () => {
    await a.app.managers.routing.agents.upsertGroup({ name: 'MultiBilling' });
    await a.app.managers.services.create({
      name: 'multi-chat-delay',
      template: 'callback',
      preset: 'Chat-Delayed',
      options: [
        { name: '_target', value: 'MultiBilling@StatServer.GA' },
        { name: '_urs_virtual_queue', value: 'VQ_Multi' },
      ],
    });
    const started = await a.fetch('/genesys/1/service/callback/multi-chat-delay', {
      method: 'POST',
      headers: { gms_user: GMS_USER },
      body: multipart({ _customer_number: '4082652649', usr_customer_name: 'Bob', _device_os: 'comet' }),
    });
    expect(started.status).toBe(200);
    const id = ((await started.json()) as { _id: string })._id;

    // A device listens on A before anything happens.
    const stream = a.app.managers.events.streamSession(id);
    await stream.ready;
    const received = stream.next();

    await b.app.managers.routing.agents.upsert({ id: 'multi-agent', groups: ['MultiBilling'] });
    await b.app.managers.routing.setAgentState('multi-agent', 'READY');

    const first = (await received).value as SessionEvent;
    expect(first).toMatchObject({
      sessionId: id,
      seq: 1,
      tag: `service.agentavailable.${id}`,
      kind: 'callback.agent-available',
      message: { callbackId: id, provideCode: false },
      gmsUser: GMS_USER,
    });
    // B stored it; A presents it (the presenter is registered on every instance).
    expect(a.app.managers.events.wire(first)).toEqual({
      _action: 'get-dialog-user-confirmation-provide_code-false',
      _id: id,
    });
    await stream.return();

    // Both instances reconcile: still exactly one event for the one reservation.
    await Promise.all([a.app.managers.callbacks.reconcile(), b.app.managers.callbacks.reconcile()]);
    await Promise.all([a.app.managers.callbacks.sync(id), b.app.managers.callbacks.sync(id)]);
    expect(await a.app.managers.events.readSession(id, 0)).toHaveLength(1);

    const connect = await a.fetch(`/genesys/1/service/${id}/connect`, {
      method: 'POST',
      headers: { gms_user: GMS_USER },
    });
    expect(await connect.json()).toMatchObject({ _action: 'StartChat', _id: id });
    await b.app.managers.callbacks.customerArrived(id);
    expect(await a.app.managers.callbacks.get(id)).toMatchObject({
      state: 'COMPLETED',
      reason: 'AGENT_CONNECTED',
      agentId: 'multi-agent',
    });
  });

  it('promotes a due scheduled callback once when both instances run the task together', async () => {
    const m = a.app.managers;
    await m.services.create({
      name: 'multi-scheduled',
      template: 'callback',
      preset: 'User-Originated-Delayed',
      options: [
        { name: '_target', value: 'MultiBilling@StatServer.GA' },
        { name: '_urs_virtual_queue', value: 'VQ_Multi2' },
      ],
    });
    const when = new Date(a.clock.now().getTime() + 3_600_000);
    const ids: string[] = [];
    for (let i = 0; i < 10; i++) {
      const r = await (i % 2 ? a : b).fetch('/genesys/1/service/callback/multi-scheduled', {
        method: 'POST',
        headers: { gms_user: GMS_USER, 'content-type': 'application/json' },
        body: JSON.stringify({ _customer_number: `40826500${10 + i}`, _desired_time: when.toISOString() }),
      });
      expect(r.status).toBe(200);
      ids.push(((await r.json()) as { _id: string })._id);
    }
    a.clock.advance(3_600_000);
    const [na, nb] = await Promise.all([m.callbacks.promoteDue(), b.app.managers.callbacks.promoteDue()]);
    expect(na + nb).toBe(10);
    const requests = await m.routing.listRequests({ virtualQueue: 'VQ_Multi2' });
    expect(requests.map((r) => r.requestId).sort()).toEqual([...ids].sort());
  });
});
