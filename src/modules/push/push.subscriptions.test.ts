import type { Client } from 'graphql-ws';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import WebSocket from 'ws';
import { graphql } from '../../../test/gql/index.js';
import { adminAuth, createTestApp, type TestApp } from '../../../test/harness.js';
import {
  createSession,
  pushService,
  raise,
  readSse,
  sseData,
  subscription,
  wsClient,
} from './push.test-support.js';

const SESSION_EVENTS = `subscription PushSessionEvents($sessionId: ID!, $afterSeq: Int, $afterId: ID) {
  serviceSessionEvents(sessionId: $sessionId, afterSeq: $afterSeq, afterId: $afterId) { id sessionId seq tag message }
}`;
const DEVICE_EVENTS = `subscription PushDeviceEvents($gmsUser: String, $cursor: String) {
  deviceEvents(gmsUser: $gmsUser, cursor: $cursor) { id sessionId seq tag message cursor }
}`;

const PushCatchUp = graphql(`
  query PushCatchUp($sessionId: ID!, $afterSeq: Int, $afterId: ID) {
    serviceSessionEvents(sessionId: $sessionId, afterSeq: $afterSeq, afterId: $afterId) {
      __typename
      ... on QueryServiceSessionEventsSuccess { data { id seq tag message } }
      ... on Error { code message }
    }
  }
`);
const PushDeviceCatchUp = graphql(`
  query PushDeviceCatchUp($gmsUser: String, $cursor: String) {
    deviceEvents(gmsUser: $gmsUser, cursor: $cursor) {
      __typename
      ... on QueryDeviceEventsSuccess { data { id sessionId seq tag cursor } }
      ... on Error { code message }
    }
  }
`);

type SessionEventData = {
  serviceSessionEvents: { id: string; sessionId: string; seq: number; tag: string; message: unknown };
};
type DeviceEventData = {
  deviceEvents: { id: string; sessionId: string; seq: number; tag: string; cursor: string };
};

describe('GraphQL push subscriptions', () => {
  let t: TestApp;
  let url: string;
  const clients: Client[] = [];
  const client = (params: Record<string, unknown>) => {
    const c = wsClient(url, params);
    clients.push(c);
    return c;
  };
  beforeAll(async () => {
    t = await createTestApp({ env: { EVENT_POLL_MS: '200' } });
    ({ url } = await t.app.start({ port: 0, host: '127.0.0.1' }));
    await pushService(t);
  });
  afterAll(async () => {
    for (const c of clients) await c.dispose();
    await t.close();
  });

  it('delivers stored events at subscribe time, then live ones, over graphql-ws', async () => {
    const sessionId = await createSession(t, 'dev-1');
    await raise(t, sessionId, 'dev-1', `service.agentavailable.${sessionId}`, {
      _id: sessionId,
      _action: 'a',
    });
    await raise(t, sessionId, 'dev-1', 'second', 'two');
    const sub = subscription<SessionEventData>(client({ gms_user: 'dev-1' }), SESSION_EVENTS, { sessionId });
    const first = await sub.next();
    expect(first.serviceSessionEvents).toMatchObject({
      sessionId,
      seq: 1,
      tag: `service.agentavailable.${sessionId}`,
      message: { _id: sessionId, _action: 'a' },
    });
    expect((await sub.next()).serviceSessionEvents).toMatchObject({ seq: 2, message: 'two' });
    const live = await raise(t, sessionId, 'dev-1', 'third', { n: 3 });
    const third = await sub.next();
    expect(third.serviceSessionEvents).toMatchObject({ id: live.deliveryId, seq: 3, tag: 'third' });
    sub.stop();
  });

  it('resumes after a seq or after an event id', async () => {
    const sessionId = await createSession(t, 'dev-2');
    const events = [];
    for (let i = 1; i <= 4; i++) events.push(await raise(t, sessionId, 'dev-2', `t${i}`, i));
    const bySeq = subscription<SessionEventData>(client({ gms_user: 'dev-2' }), SESSION_EVENTS, {
      sessionId,
      afterSeq: 2,
    });
    expect((await bySeq.next()).serviceSessionEvents.seq).toBe(3);
    bySeq.stop();
    const byId = subscription<SessionEventData>(client({ gms_user: 'dev-2' }), SESSION_EVENTS, {
      sessionId,
      afterId: events[2]?.deliveryId,
    });
    expect((await byId.next()).serviceSessionEvents).toMatchObject({ seq: 4, tag: 't4' });
    byId.stop();
    // The catch-up query answers the same positions.
    const page = await t.gql(PushCatchUp, { sessionId, afterSeq: 1 }, { gms_user: 'dev-2' });
    if (page.serviceSessionEvents.__typename !== 'QueryServiceSessionEventsSuccess')
      throw new Error('catch-up');
    expect(page.serviceSessionEvents.data.map((e) => e.seq)).toEqual([2, 3, 4]);
    const bad = await t.gql(PushCatchUp, { sessionId, afterId: 'nope' }, { gms_user: 'dev-2' });
    expect(bad.serviceSessionEvents).toMatchObject({ code: 'push/unknown_event' });
  });

  it("refuses another device's session (not found) and lets an admin read any", async () => {
    const sessionId = await createSession(t, 'dev-3');
    await raise(t, sessionId, 'dev-3', 'private', 'secret');
    const intruder = subscription<SessionEventData>(client({ gms_user: 'dev-4' }), SESSION_EVENTS, {
      sessionId,
    });
    await expect(intruder.next()).rejects.toThrow(/not found or expired/);
    const anonymous = subscription<SessionEventData>(client({}), SESSION_EVENTS, { sessionId });
    await expect(anonymous.next()).rejects.toThrow(/not found or expired/);
    const page = await t.gql(PushCatchUp, { sessionId }, { gms_user: 'dev-4' });
    expect(page.serviceSessionEvents).toMatchObject({ code: 'sessions/not_found' });
    const admin = subscription<SessionEventData>(client({ authorization: adminAuth }), SESSION_EVENTS, {
      sessionId,
    });
    expect((await admin.next()).serviceSessionEvents.message).toBe('secret');
    admin.stop();
  });

  it('streams every session of a device over SSE and resumes from a cursor', async () => {
    const s1 = await createSession(t, 'dev-5');
    const s2 = await createSession(t, 'dev-5');
    const other = await createSession(t, 'dev-6');
    await raise(t, s1, 'dev-5', 'a', 1);
    await raise(t, other, 'dev-6', 'not-mine', 0);
    await raise(t, s2, 'dev-5', 'b', 2);
    const sse = (cursor: string | null, gmsUser = 'dev-5') =>
      t.fetch('/graphql', {
        method: 'POST',
        headers: { 'content-type': 'application/json', accept: 'text/event-stream', gms_user: gmsUser },
        body: JSON.stringify({ query: DEVICE_EVENTS, variables: { cursor } }),
      });
    const text = await readSse(await sse(null), (s) => sseData<DeviceEventData>(s).length >= 2);
    const got = sseData<DeviceEventData>(text).map((d) => d.deviceEvents);
    expect(got.map((e) => [e.sessionId, e.tag])).toEqual([
      [s1, 'a'],
      [s2, 'b'],
    ]);
    await raise(t, s1, 'dev-5', 'c', 3);
    const resumed = await readSse(await sse(got[1]?.cursor ?? null), (s) => sseData(s).length >= 1);
    expect(sseData<DeviceEventData>(resumed)[0]?.deviceEvents).toMatchObject({ sessionId: s1, tag: 'c' });

    // A device may not name someone else's stream; the catch-up query reads the same positions.
    const foreign = await t.fetch('/graphql', {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'text/event-stream', gms_user: 'dev-6' },
      body: JSON.stringify({ query: DEVICE_EVENTS, variables: { gmsUser: 'dev-5' } }),
    });
    expect(await readSse(foreign, (s) => s.includes('errors'))).toContain('FORBIDDEN');
    const page = await t.gql(PushDeviceCatchUp, { cursor: got[0]?.cursor }, { gms_user: 'dev-5' });
    if (page.deviceEvents.__typename !== 'QueryDeviceEventsSuccess') throw new Error('catch-up');
    expect(page.deviceEvents.data.map((e) => e.tag)).toEqual(['b', 'c']);
    const byAdmin = await t.admin(PushDeviceCatchUp, { gmsUser: 'dev-6' });
    if (byAdmin.deviceEvents.__typename !== 'QueryDeviceEventsSuccess') throw new Error('admin');
    expect(byAdmin.deviceEvents.data.map((e) => e.tag)).toEqual(['not-mine']);
  });

  it("gives every subscriber of a shared result its own operation id, in order, and only its own device's events", async () => {
    const mine = await createSession(t, 'dev-8');
    const theirs = await createSession(t, 'dev-9');
    const rawSocket = async (gmsUser: string) => {
      const ws = new WebSocket(`${url.replace('http', 'ws')}/graphql`, 'graphql-transport-ws');
      const frames: unknown[] = [];
      ws.on('message', (data, binary) => frames.push(binary ? 'binary' : JSON.parse(String(data))));
      await new Promise((resolve) => ws.on('open', resolve));
      ws.send(JSON.stringify({ type: 'connection_init', payload: { gms_user: gmsUser } }));
      await vi.waitFor(() => expect(frames).toContainEqual({ type: 'connection_ack' }), { timeout: 5_000 });
      frames.length = 0;
      const subscribe = (id: string, query: string) =>
        ws.send(JSON.stringify({ id, type: 'subscribe', payload: { query } }));
      return { ws, frames, subscribe };
    };
    const query = 'subscription { deviceEvents { seq tag } }';
    // Ids that must be escaped in JSON, ids that differ in length (the frame around the shared
    // payload changes size), the same id on two sockets, and another selection on the same device.
    const odd = 'q"\\\u2028é-😀';
    const long = 'x'.repeat(300);
    const a = await rawSocket('dev-8');
    a.subscribe('1', query);
    a.subscribe(odd, query);
    const b = await rawSocket('dev-8');
    b.subscribe('1', query);
    b.subscribe(long, 'subscription { deviceEvents { tag cursor } }');
    const other = await rawSocket('dev-9');
    other.subscribe('1', query);
    for (let i = 1; i <= 3; i++) await raise(t, mine, 'dev-8', `e${i}`, i);
    await raise(t, theirs, 'dev-9', 'theirs', 0);
    const next = (id: string, seq: number, tag = `e${seq}`) => ({
      id,
      type: 'next',
      payload: { data: { deviceEvents: { seq, tag } } },
    });
    await vi.waitFor(() => expect(a.frames).toHaveLength(6), { timeout: 5_000 });
    await vi.waitFor(() => expect(b.frames).toHaveLength(6), { timeout: 5_000 });
    await vi.waitFor(() => expect(other.frames).toHaveLength(1), { timeout: 5_000 });
    // Per operation, in order (the two operations of a socket may interleave).
    const byId = (frames: unknown[], id: string) => frames.filter((f) => (f as { id?: string }).id === id);
    expect(byId(a.frames, '1')).toEqual([next('1', 1), next('1', 2), next('1', 3)]);
    expect(byId(a.frames, odd)).toEqual([next(odd, 1), next(odd, 2), next(odd, 3)]);
    expect(byId(b.frames, '1')).toEqual([next('1', 1), next('1', 2), next('1', 3)]);
    const tags = byId(b.frames, long).map((f) => {
      const frame = f as { payload: { data: { deviceEvents: { tag: string; cursor: string } } } };
      expect(Object.keys(frame.payload.data.deviceEvents)).toEqual(['tag', 'cursor']);
      return frame.payload.data.deviceEvents.tag;
    });
    expect(tags).toEqual(['e1', 'e2', 'e3']);
    expect(other.frames).toEqual([next('1', 1, 'theirs')]);
    // Once more after all of them were waiting: each live event reaches each operation once.
    for (const s of [a, b, other]) s.frames.length = 0;
    await raise(t, mine, 'dev-8', 'e4', 4);
    await vi.waitFor(() => expect(a.frames).toHaveLength(2), { timeout: 5_000 });
    await vi.waitFor(() => expect(b.frames).toHaveLength(2), { timeout: 5_000 });
    expect(a.frames).toEqual(expect.arrayContaining([next('1', 4), next(odd, 4)]));
    expect(byId(b.frames, '1')).toEqual([next('1', 4)]);
    expect(other.frames).toEqual([]);
    for (const s of [a, b, other]) s.ws.close();
  });

  it('shares one result per event and operation between subscribers, as text frames, and stops on complete', async () => {
    const sessionId = await createSession(t, 'dev-7');
    // Two shapes of the same device stream: each subscriber gets its own operation's result.
    const plain = subscription<{ deviceEvents: { seq: number; tag: string } }>(
      client({ gms_user: 'dev-7' }),
      'subscription { deviceEvents { seq tag } }',
    );
    const aliased = subscription<{ ev: { n: number; __typename: string } }>(
      client({ gms_user: 'dev-7' }),
      'subscription { ev: deviceEvents { n: seq __typename } }',
    );
    // A raw socket: the frames must be text (a Buffer sent as is would be a binary frame).
    const raw = new WebSocket(`${url.replace('http', 'ws')}/graphql`, 'graphql-transport-ws');
    const frames: { text: string; binary: boolean }[] = [];
    raw.on('message', (data, binary) => frames.push({ text: String(data), binary }));
    // Waits on the socket's frames (no fixed sleeps): resolves once one contains `text`.
    const arrived = (text: string) =>
      vi.waitFor(() => expect(frames.some((f) => f.text.includes(text))).toBe(true), { timeout: 5_000 });
    await new Promise((resolve) => raw.on('open', resolve));
    raw.send(JSON.stringify({ type: 'connection_init', payload: { gms_user: 'dev-7' } }));
    await arrived('connection_ack');
    // Without a cursor every stored event comes first, so the subscriptions need not be ready before
    // the event is raised.
    const query = 'subscription { deviceEvents { seq tag } }';
    raw.send(JSON.stringify({ id: 'a', type: 'subscribe', payload: { query } }));

    await raise(t, sessionId, 'dev-7', 'one', 1);
    expect((await plain.next()).deviceEvents).toEqual({ seq: 1, tag: 'one' });
    expect((await aliased.next()).ev).toEqual({ n: 1, __typename: 'DeviceEvent' });
    await arrived('"next"');
    expect(frames.splice(0).filter((f) => f.text.includes('"next"'))).toEqual([
      {
        text: '{"id":"a","type":"next","payload":{"data":{"deviceEvents":{"seq":1,"tag":"one"}}}}',
        binary: false,
      },
    ]);

    // After `complete` nothing more arrives on that id; the others go on. A second subscription on
    // the same socket is the sync point: the server handles a socket's messages in order, so once
    // `b` answers (its catch-up of 'one'), `a`'s complete has been handled; once `b` has 'two', so
    // would `a` if it were still live.
    raw.send(JSON.stringify({ id: 'a', type: 'complete' }));
    raw.send(JSON.stringify({ id: 'b', type: 'subscribe', payload: { query } }));
    await arrived('{"id":"b","type":"next"');
    await raise(t, sessionId, 'dev-7', 'two', 2);
    expect((await plain.next()).deviceEvents).toEqual({ seq: 2, tag: 'two' });
    expect((await aliased.next()).ev.n).toBe(2);
    await arrived('"tag":"two"');
    expect(frames.filter((f) => f.text.includes('"next"')).map((f) => JSON.parse(f.text))).toEqual([
      { id: 'b', type: 'next', payload: { data: { deviceEvents: { seq: 1, tag: 'one' } } } },
      { id: 'b', type: 'next', payload: { data: { deviceEvents: { seq: 2, tag: 'two' } } } },
    ]);
    raw.close();
    plain.stop();
    aliased.stop();
  });
});
