import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { graphql } from '../../../test/gql/index.js';
import { createTestApp, type TestApp } from '../../../test/harness.js';
import { queryRows, sql } from '../../db/client.js';
import type { ResourceManager } from './resource.manager.js';
import { resourceGroupsSection } from './resource.provisioning.js';
import { matchRank, numberKey } from './resource.rules.js';

const CreateGroup = graphql(`
  mutation ResourceCreateGroup($input: CreateResourceGroupInput) {
    createResourceGroup(input: $input) {
      __typename
      ... on MutationCreateResourceGroupSuccess {
        data {
          name
          allocation
          locking
          bookingExpirationTimeout
          resources {
            name
            accessNumber
            booked
          }
          health {
            total
            free
            booked
            activeBookings
          }
        }
      }
      ... on Error {
        code
        message
      }
      ... on ValidationError {
        field
      }
    }
  }
`);

const UpdateGroup = graphql(`
  mutation ResourceUpdateGroup($name: String!, $input: UpdateResourceGroupInput!) {
    updateResourceGroup(name: $name, input: $input) {
      __typename
      ... on MutationUpdateResourceGroupSuccess {
        data {
          name
          allocation
          locking
          bookingExpirationTimeout
        }
      }
      ... on Error {
        code
      }
    }
  }
`);

const DeleteGroup = graphql(`
  mutation ResourceDeleteGroup($name: String!, $force: Boolean) {
    deleteResourceGroup(name: $name, force: $force) {
      __typename
      ... on MutationDeleteResourceGroupSuccess {
        data
      }
      ... on Error {
        code
      }
    }
  }
`);

const AddResource = graphql(`
  mutation ResourceAdd($group: String!, $input: ResourceInput!) {
    addResource(group: $group, input: $input) {
      __typename
      ... on MutationAddResourceSuccess {
        data {
          name
          accessNumber
        }
      }
      ... on Error {
        code
        message
      }
    }
  }
`);

const UpdateResource = graphql(`
  mutation ResourceUpdate($group: String!, $name: String!, $input: UpdateResourceInput!, $force: Boolean) {
    updateResource(group: $group, name: $name, input: $input, force: $force) {
      __typename
      ... on MutationUpdateResourceSuccess {
        data {
          name
          accessNumber
          booked
        }
      }
      ... on Error {
        code
      }
    }
  }
`);

const RemoveResource = graphql(`
  mutation ResourceRemove($group: String!, $name: String!, $force: Boolean) {
    removeResource(group: $group, name: $name, force: $force) {
      __typename
      ... on MutationRemoveResourceSuccess {
        data
      }
      ... on Error {
        code
      }
    }
  }
`);

const Groups = graphql(`
  query ResourceGroups {
    resourceGroups {
      name
      locking
      health {
        total
        free
        booked
        activeBookings
      }
      resources {
        name
        accessNumber
        booked
        bookings {
          id
          sessionId
          phoneNumber
          hasAccessCode
          startsAt
          expiresAt
        }
      }
    }
  }
`);

const OneGroup = graphql(`
  query ResourceOneGroup($name: String!) {
    resourceGroup(name: $name) {
      __typename
      ... on QueryResourceGroupSuccess {
        data {
          name
          health {
            free
            booked
          }
        }
      }
      ... on Error {
        code
      }
    }
  }
`);

const Match = graphql(`
  mutation ResourceMatch($accessNumber: String!, $phoneNumber: String, $accessCode: String) {
    matchAccessNumber(accessNumber: $accessNumber, phoneNumber: $phoneNumber, accessCode: $accessCode) {
      __typename
      ... on MutationMatchAccessNumberSuccess {
        data {
          sessionId
          accessNumber
          group
        }
      }
      ... on Error {
        code
      }
    }
  }
`);

const Events = graphql(`
  query ResourceEvents($group: String) {
    resourceEvents(group: $group) {
      kind
      group
      resourceName
      accessNumber
      sessionId
      reason
    }
  }
`);

const ReleaseBooking = graphql(`
  mutation ResourceReleaseBooking($bookingId: String!) {
    releaseResourceBooking(bookingId: $bookingId)
  }
`);

let t: TestApp;
let rm: ResourceManager;
let seq = 0;

/** A group with unique name and numbers (access numbers are unique across groups). */
async function makeGroup(
  options: { size?: number; locking?: boolean; allocation?: 'random' | 'round-robin'; timeout?: number } = {},
) {
  seq++;
  const name = `G${seq}-${randomUUID().slice(0, 6)}`;
  const resources = Array.from({ length: options.size ?? 3 }, (_, i) => ({
    name: `Key${i + 1}`,
    accessNumber: `1-800-${String(seq).padStart(3, '0')}-${String(i).padStart(4, '0')}`,
  }));
  await rm.createGroup({
    name,
    locking: options.locking ?? false,
    allocation: options.allocation ?? 'random',
    bookingExpirationTimeout: options.timeout ?? 30,
    resources,
  });
  return { name, numbers: resources.map((r) => r.accessNumber) };
}

const session = () => `1-${randomUUID()}`;

beforeAll(async () => {
  t = await createTestApp();
  rm = t.app.managers.resources;
});
afterAll(() => t.close());

describe('rules', () => {
  it('normalises phone-like numbers to digits and other values to lower case', () => {
    expect(numberKey('1-800-1234')).toBe('18001234');
    expect(numberKey(' +1 (650) 466-9999 ')).toBe('16504669999');
    expect(numberKey('sip:Agent@Example.com')).toBe('sip:agent@example.com');
  });

  it('ranks candidates: codes are strict, ANI exact beats national, missing phone is a wildcard', () => {
    const at = new Date();
    const call = { phoneKey: '16504669999', accessCode: null };
    expect(matchRank({ phoneKey: '16504669999', accessCode: null, startsAt: at }, call)).toBe(0);
    expect(matchRank({ phoneKey: '6504669999', accessCode: null, startsAt: at }, call)).toBe(1);
    expect(matchRank({ phoneKey: null, accessCode: null, startsAt: at }, call)).toBe(2);
    expect(matchRank({ phoneKey: '6504660000', accessCode: null, startsAt: at }, call)).toBeNull();
    expect(matchRank({ phoneKey: '9999', accessCode: null, startsAt: at }, call)).toBeNull();
    expect(matchRank({ phoneKey: null, accessCode: '123456', startsAt: at }, call)).toBeNull();
    expect(
      matchRank({ phoneKey: null, accessCode: null, startsAt: at }, { ...call, accessCode: '1' }),
    ).toBeNull();
  });
});

describe('admin GraphQL', () => {
  it('creates the default DNIS group with resources and reports pool health', async () => {
    const r = await t.admin(CreateGroup, {
      input: { resources: [{ name: 'Key1', accessNumber: '1-800-1234' }], locking: true },
    });
    expect(r.createResourceGroup).toEqual({
      __typename: 'MutationCreateResourceGroupSuccess',
      data: {
        name: 'DNIS',
        allocation: 'RANDOM',
        locking: true,
        bookingExpirationTimeout: 30,
        resources: [{ name: 'Key1', accessNumber: '1-800-1234', booked: false }],
        health: { total: 1, free: 1, booked: 0, activeBookings: 0 },
      },
    });
    const again = await t.admin(CreateGroup, {});
    expect(again.createResourceGroup).toMatchObject({
      __typename: 'DomainError',
      code: 'resource/group_exists',
    });

    const booking = await rm.allocate({ group: 'DNIS', sessionId: 's-dnis', phoneNumber: '6504669999' });
    expect(booking.accessNumber).toBe('1-800-1234');
    const list = await t.admin(Groups);
    const dnis = list.resourceGroups.find((g) => g.name === 'DNIS');
    expect(dnis?.health).toEqual({ total: 1, free: 0, booked: 1, activeBookings: 1 });
    expect(dnis?.resources[0]?.bookings).toEqual([
      {
        id: booking.bookingId,
        sessionId: 's-dnis',
        phoneNumber: '6504669999',
        hasAccessCode: false,
        startsAt: t.clock.now().toISOString(),
        expiresAt: new Date(t.clock.now().getTime() + 30_000).toISOString(),
      },
    ]);
    await rm.releaseSession('s-dnis');
  });

  it('adds, edits and removes resources with clear errors', async () => {
    const g = await makeGroup({ size: 1 });
    const added = await t.admin(AddResource, {
      group: g.name,
      input: { name: 'Key9', accessNumber: '1-888-0009' },
    });
    expect(added.addResource).toEqual({
      __typename: 'MutationAddResourceSuccess',
      data: { name: 'Key9', accessNumber: '1-888-0009' },
    });
    // The same number under another spelling, in another group, is still the same number.
    const dup = await t.admin(AddResource, {
      group: 'DNIS',
      input: { name: 'Other', accessNumber: '18880009' },
    });
    expect(dup.addResource).toMatchObject({ code: 'resource/duplicate_access_number' });
    const dupName = await t.admin(AddResource, {
      group: g.name,
      input: { name: 'Key9', accessNumber: '1-888-0010' },
    });
    expect(dupName.addResource).toMatchObject({ code: 'resource/duplicate_resource' });
    const bad = await t.admin(AddResource, { group: g.name, input: { name: ' ', accessNumber: '1' } });
    expect(bad.addResource).toMatchObject({ __typename: 'ValidationError', code: 'resource/invalid_name' });
    const missing = await t.admin(AddResource, {
      group: 'nope',
      input: { name: 'K', accessNumber: '1-888-0011' },
    });
    expect(missing.addResource).toMatchObject({
      __typename: 'NotFoundError',
      code: 'resource/group_not_found',
    });

    const renamed = await t.admin(UpdateResource, {
      group: g.name,
      name: 'Key9',
      input: { name: 'Key10', accessNumber: '1-888-0010' },
    });
    expect(renamed.updateResource).toEqual({
      __typename: 'MutationUpdateResourceSuccess',
      data: { name: 'Key10', accessNumber: '1-888-0010', booked: false },
    });
    const removed = await t.admin(RemoveResource, { group: g.name, name: 'Key10' });
    expect(removed.removeResource).toEqual({ __typename: 'MutationRemoveResourceSuccess', data: true });
    const gone = await t.admin(RemoveResource, { group: g.name, name: 'Key10' });
    expect(gone.removeResource).toMatchObject({ code: 'resource/resource_not_found' });
  });

  it('updates group settings and validates them', async () => {
    const g = await makeGroup();
    const r = await t.admin(UpdateGroup, {
      name: g.name,
      input: { allocation: 'ROUND_ROBIN', bookingExpirationTimeout: 90, locking: true },
    });
    expect(r.updateResourceGroup).toEqual({
      __typename: 'MutationUpdateResourceGroupSuccess',
      data: { name: g.name, allocation: 'ROUND_ROBIN', locking: true, bookingExpirationTimeout: 90 },
    });
    const bad = await t.admin(UpdateGroup, { name: g.name, input: { bookingExpirationTimeout: 0 } });
    expect(bad.updateResourceGroup).toMatchObject({
      __typename: 'ValidationError',
      code: 'resource/invalid_timeout',
    });
    const one = await t.admin(OneGroup, { name: 'no-such-group' });
    expect(one.resourceGroup).toMatchObject({
      __typename: 'NotFoundError',
      code: 'resource/group_not_found',
    });
  });

  it('refuses removing a booked number or group unless forced, and then ends the bookings', async () => {
    const g = await makeGroup({ size: 1, locking: true });
    const a = await rm.allocate({ group: g.name, sessionId: 'held' });
    const refused = await t.admin(RemoveResource, { group: g.name, name: 'Key1' });
    expect(refused.removeResource).toMatchObject({ code: 'resource/resource_booked' });
    const renumber = await t.admin(UpdateResource, {
      group: g.name,
      name: 'Key1',
      input: { accessNumber: '1-777-1' },
    });
    expect(renumber.updateResource).toMatchObject({ code: 'resource/resource_booked' });
    const refusedGroup = await t.admin(DeleteGroup, { name: g.name });
    expect(refusedGroup.deleteResourceGroup).toMatchObject({ code: 'resource/group_booked' });

    const forced = await t.admin(UpdateResource, {
      group: g.name,
      name: 'Key1',
      input: { accessNumber: '1-777-1' },
      force: true,
    });
    expect(forced.updateResource).toMatchObject({ data: { accessNumber: '1-777-1', booked: false } });
    expect(await rm.release({ bookingId: a.bookingId, sessionId: 'held' })).toBe(false);
    const ev = await t.admin(Events, { group: g.name });
    expect(ev.resourceEvents[0]).toMatchObject({ kind: 'RELEASED', reason: 'admin', sessionId: 'held' });

    await rm.allocate({ group: g.name, sessionId: 'held2' });
    const deleted = await t.admin(DeleteGroup, { name: g.name, force: true });
    expect(deleted.deleteResourceGroup).toEqual({
      __typename: 'MutationDeleteResourceGroupSuccess',
      data: true,
    });
    await expect(rm.getGroup(g.name)).rejects.toMatchObject({ code: 'resource/group_not_found' });
  });

  it('is admin-only', async () => {
    // The foundation currently masks the scope-auth message as "Unexpected error."; either way no data.
    const r = await t.fetch('/graphql', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ query: '{ resourceGroups { name } }' }),
    });
    const body = (await r.json()) as { data: unknown; errors?: unknown[] };
    expect(body.data).toBeNull();
    expect(body.errors).toHaveLength(1);
  });

  it('lets an admin end a booking', async () => {
    const g = await makeGroup({ size: 1, locking: true });
    const a = await rm.allocate({ group: g.name, sessionId: 'stuck' });
    expect((await t.admin(ReleaseBooking, { bookingId: a.bookingId })).releaseResourceBooking).toBe(true);
    expect((await t.admin(ReleaseBooking, { bookingId: a.bookingId })).releaseResourceBooking).toBe(false);
    expect((await t.admin(ReleaseBooking, { bookingId: 'not-a-uuid' })).releaseResourceBooking).toBe(false);
    await rm.allocate({ group: g.name, sessionId: 'next' });
  });
});

describe('allocation', () => {
  it('books a number of the group for the group timeout, or the override', async () => {
    const g = await makeGroup({ timeout: 45 });
    const now = t.clock.now().getTime();
    const a = await rm.allocate({ group: g.name, sessionId: session(), phoneNumber: '555 0100' });
    expect(g.numbers).toContain(a.accessNumber);
    expect(a).toMatchObject({ group: g.name, accessCode: null, timeoutSeconds: 45 });
    expect(a.expiresAt.getTime()).toBe(now + 45_000);
    const b = await rm.allocate({ group: g.name, sessionId: session(), bookingTimeoutSeconds: 5 });
    expect(b.expiresAt.getTime()).toBe(now + 5_000);
    expect(b.timeoutSeconds).toBe(5);
  });

  it('issues random digit access codes of the asked length (6 by default)', async () => {
    const g = await makeGroup({ locking: true });
    const a = await rm.allocate({ group: g.name, sessionId: session(), provideCode: true });
    expect(a.accessCode).toMatch(/^\d{6}$/);
    const b = await rm.allocate({
      group: g.name,
      sessionId: session(),
      provideCode: true,
      accessCodeLength: 4,
    });
    expect(b.accessCode).toMatch(/^\d{4}$/);
  });

  it('validates its input', async () => {
    const g = await makeGroup();
    await expect(rm.allocate({ group: '', sessionId: 's' })).rejects.toMatchObject({
      code: 'resource/group_required',
      status: 400,
    });
    await expect(rm.allocate({ group: 'nope', sessionId: 's' })).rejects.toMatchObject({
      code: 'resource/group_not_found',
      status: 404,
    });
    await expect(
      rm.allocate({ group: g.name, sessionId: 's', provideCode: true, accessCodeLength: 0 }),
    ).rejects.toMatchObject({ code: 'resource/invalid_code_length', field: 'accessCodeLength' });
    await expect(
      rm.allocate({ group: g.name, sessionId: 's', bookingTimeoutSeconds: 1.5 }),
    ).rejects.toMatchObject({
      code: 'resource/invalid_timeout',
    });
  });

  it('locking: hands out every number once, then answers 503 at once and records the exhaustion', async () => {
    const g = await makeGroup({ size: 3, locking: true });
    const got = [];
    for (let i = 0; i < 3; i++)
      got.push((await rm.allocate({ group: g.name, sessionId: session() })).accessNumber);
    expect(new Set(got).size).toBe(3);
    const err = await rm.allocate({ group: g.name, sessionId: 'late' }).catch((e: unknown) => e);
    expect(err).toMatchObject({ name: 'UnavailableError', code: 'resource/pool_exhausted', status: 503 });
    const events = await rm.listEvents({ group: g.name });
    expect(events[0]).toMatchObject({ kind: 'exhausted', sessionId: 'late' });
    expect(events.filter((e) => e.kind === 'allocated')).toHaveLength(3);
  });

  it('an empty group answers 503 pool_empty', async () => {
    const g = await makeGroup({ size: 0, locking: true });
    await expect(rm.allocate({ group: g.name, sessionId: 's' })).rejects.toMatchObject({
      code: 'resource/pool_empty',
      status: 503,
    });
  });

  it('expiry frees a number at once; the sweeper records it once and is idempotent', async () => {
    const g = await makeGroup({ size: 1, locking: true, timeout: 10 });
    const a = await rm.allocate({ group: g.name, sessionId: 'first' });
    t.clock.advance(9_999);
    await expect(rm.allocate({ group: g.name, sessionId: 'second' })).rejects.toMatchObject({
      code: 'resource/pool_exhausted',
    });
    t.clock.advance(1);
    expect((await rm.getGroup(g.name)).health).toMatchObject({ free: 1, booked: 0 });
    const swept = await rm.sweepExpired();
    expect(swept).toBeGreaterThanOrEqual(1);
    expect(await rm.sweepExpired()).toBe(0);
    const b = await rm.allocate({ group: g.name, sessionId: 'second' });
    expect(b.accessNumber).toBe(a.accessNumber);
    const kinds = (await rm.listEvents({ group: g.name })).map((e) => `${e.kind}:${e.sessionId}`);
    // Newest first by record order: the sweeper recorded the expiry after the failed attempt.
    expect(kinds).toEqual(['allocated:second', 'expired:first', 'exhausted:second', 'allocated:first']);
  });

  it('A3: a number is not reallocated before its booking ends, and a late call never reaches the old session', async () => {
    const g = await makeGroup({ size: 1, locking: true, timeout: 2 });
    await rm.allocate({ group: g.name, sessionId: 'old', phoneNumber: '5550001' });
    t.clock.advance(1_000);
    await expect(rm.allocate({ group: g.name, sessionId: 'new' })).rejects.toMatchObject({ status: 503 });
    t.clock.advance(1_001);
    await expect(rm.match({ accessNumber: g.numbers[0] as string })).rejects.toMatchObject({
      code: 'resource/no_match',
      status: 404,
    });
    await rm.allocate({ group: g.name, sessionId: 'new' });
    const m = await rm.match({ accessNumber: g.numbers[0] as string, phoneNumber: '5550001' });
    expect(m.sessionId).toBe('new');
  });

  it('A4: a late release or extend from an expired session leaves the newer booking alone', async () => {
    const g = await makeGroup({ size: 1, locking: true, timeout: 30 });
    const a = await rm.allocate({ group: g.name, sessionId: 'A' });
    t.clock.advance(30_000);
    const b = await rm.allocate({ group: g.name, sessionId: 'B' });
    expect(b.accessNumber).toBe(a.accessNumber);
    expect(await rm.release({ bookingId: a.bookingId, sessionId: 'A' })).toBe(false);
    await expect(rm.extend({ bookingId: a.bookingId, sessionId: 'A', seconds: 60 })).rejects.toMatchObject({
      code: 'resource/booking_not_found',
    });
    expect(await rm.releaseSession('A')).toBe(0);
    // Someone else's id with B's booking: still no.
    expect(await rm.release({ bookingId: b.bookingId, sessionId: 'A' })).toBe(false);
    const view = await rm.getGroup(g.name);
    expect(view.resources[0]?.bookings.map((x) => x.sessionId)).toEqual(['B']);
    await expect(rm.allocate({ group: g.name, sessionId: 'C' })).rejects.toMatchObject({ status: 503 });
    // B extends, then releases: the number is free again.
    const extended = await rm.extend({ bookingId: b.bookingId, sessionId: 'B', seconds: 120 });
    expect(extended.expiresAt.getTime()).toBe(t.clock.now().getTime() + 120_000);
    t.clock.advance(60_000);
    await expect(rm.allocate({ group: g.name, sessionId: 'C' })).rejects.toMatchObject({ status: 503 });
    expect(await rm.release({ bookingId: b.bookingId, sessionId: 'B' })).toBe(true);
    expect(await rm.release({ bookingId: b.bookingId, sessionId: 'B' })).toBe(false);
    await rm.allocate({ group: g.name, sessionId: 'C' });
  });

  it('releaseSession frees every booking of the session', async () => {
    const g = await makeGroup({ size: 3, locking: true });
    await rm.allocate({ group: g.name, sessionId: 'multi' });
    await rm.allocate({ group: g.name, sessionId: 'multi' });
    expect((await rm.sessionBookings('multi')).length).toBe(2);
    expect(await rm.releaseSession('multi')).toBe(2);
    expect((await rm.getGroup(g.name)).health).toMatchObject({ free: 3, booked: 0 });
  });

  it('shared numbers: access codes are unique among the active bookings of a number', async () => {
    const g = await makeGroup({ size: 1, locking: false });
    const codes = new Set<string>();
    for (let i = 0; i < 10; i++) {
      const a = await rm.allocate({
        group: g.name,
        sessionId: `s${i}`,
        provideCode: true,
        accessCodeLength: 1,
      });
      codes.add(a.accessCode as string);
    }
    expect(codes.size).toBe(10);
    await expect(
      rm.allocate({ group: g.name, sessionId: 's10', provideCode: true, accessCodeLength: 1 }),
    ).rejects.toMatchObject({ code: 'resource/access_codes_exhausted', status: 503 });
    const health = (await rm.getGroup(g.name)).health;
    expect(health).toEqual({ total: 1, free: 0, booked: 1, activeBookings: 10 });
    // Expired bookings give their codes back.
    t.clock.advance(30_000);
    const again = await rm.allocate({
      group: g.name,
      sessionId: 's11',
      provideCode: true,
      accessCodeLength: 1,
    });
    expect(again.accessCode).toMatch(/^\d$/);
  });

  it('shared numbers: random allocation prefers numbers nobody holds', async () => {
    const g = await makeGroup({ size: 4, locking: false });
    const got = new Set<string>();
    for (let i = 0; i < 4; i++)
      got.add((await rm.allocate({ group: g.name, sessionId: session() })).accessNumber);
    expect(got.size).toBe(4);
    // Now every number is shared; allocation still succeeds.
    await rm.allocate({ group: g.name, sessionId: session() });
    expect((await rm.getGroup(g.name)).health).toMatchObject({ free: 0, booked: 4, activeBookings: 5 });
  });

  it('round-robin visits every number before repeating one, in a fixed rotation', async () => {
    const g = await makeGroup({ size: 4, allocation: 'round-robin', locking: true, timeout: 5 });
    const order: string[] = [];
    for (let i = 0; i < 12; i++) {
      const sessionId = session();
      const a = await rm.allocate({ group: g.name, sessionId });
      order.push(a.accessNumber);
      // Released at once, so every number is free each time: only the rotation decides.
      expect(await rm.release({ bookingId: a.bookingId, sessionId })).toBe(true);
    }
    const first = order.slice(0, 4);
    expect(new Set(first).size).toBe(4);
    expect(order.slice(4, 8)).toEqual(first);
    expect(order.slice(8, 12)).toEqual(first);
  });

  it('round-robin on shared numbers rotates too', async () => {
    const g = await makeGroup({ size: 3, allocation: 'round-robin', locking: false });
    const counts = new Map<string, number>();
    for (let i = 0; i < 9; i++) {
      const a = await rm.allocate({ group: g.name, sessionId: session() });
      counts.set(a.accessNumber, (counts.get(a.accessNumber) ?? 0) + 1);
    }
    expect([...counts.values()]).toEqual([3, 3, 3]);
  });

  it('switching locking on while numbers are shared keeps them until their bookings end', async () => {
    const g = await makeGroup({ size: 2, locking: false, timeout: 30 });
    const a = await rm.allocate({ group: g.name, sessionId: 'shared-a' });
    const b = await rm.allocate({ group: g.name, sessionId: 'shared-b' });
    expect(a.accessNumber).not.toBe(b.accessNumber);
    await rm.updateGroup(g.name, { locking: true });
    await expect(rm.allocate({ group: g.name, sessionId: 'lock-1' })).rejects.toMatchObject({ status: 503 });
    expect(await rm.release({ bookingId: a.bookingId, sessionId: 'shared-a' })).toBe(true);
    const c = await rm.allocate({ group: g.name, sessionId: 'lock-1' });
    expect(c.accessNumber).toBe(a.accessNumber);
    // And back: the locking booking becomes shared and can still be released by its session.
    await rm.updateGroup(g.name, { locking: false });
    const d = await rm.allocate({ group: g.name, sessionId: 'shared-d' });
    expect([a.accessNumber, b.accessNumber]).toContain(d.accessNumber);
    expect(await rm.release({ bookingId: c.bookingId, sessionId: 'lock-1' })).toBe(true);
  });
});

describe('matching (the four call flows)', () => {
  it('DNIS only: the booking of the dialled number, whatever its punctuation; the match releases it', async () => {
    const g = await makeGroup({ size: 1, locking: true });
    const a = await rm.allocate({ group: g.name, sessionId: 'dnis-only', phoneNumber: '6504669999' });
    const r = await t.admin(Match, { accessNumber: a.accessNumber.replaceAll('-', '') });
    expect(r.matchAccessNumber).toEqual({
      __typename: 'MutationMatchAccessNumberSuccess',
      data: { sessionId: 'dnis-only', accessNumber: a.accessNumber, group: g.name },
    });
    const again = await t.admin(Match, { accessNumber: a.accessNumber });
    expect(again.matchAccessNumber).toMatchObject({ __typename: 'NotFoundError', code: 'resource/no_match' });
    // Released, so the number is free for the next session.
    expect((await rm.allocate({ group: g.name, sessionId: 'next' })).accessNumber).toBe(a.accessNumber);
  });

  it('DNIS + ANI: picks the caller among sessions sharing the number', async () => {
    const g = await makeGroup({ size: 1, locking: false });
    const n = g.numbers[0] as string;
    await rm.allocate({ group: g.name, sessionId: 'ani-1', phoneNumber: '+1 650 466 1111' });
    await rm.allocate({ group: g.name, sessionId: 'ani-2', phoneNumber: '6504662222' });
    t.clock.advance(1);
    await rm.allocate({ group: g.name, sessionId: 'ani-3', phoneNumber: '6504663333' });
    expect((await rm.match({ accessNumber: n, phoneNumber: '16504662222' })).sessionId).toBe('ani-2');
    expect((await rm.match({ accessNumber: n, phoneNumber: '6504661111' })).sessionId).toBe('ani-1');
    await expect(rm.match({ accessNumber: n, phoneNumber: '6504669999' })).rejects.toMatchObject({
      code: 'resource/no_match',
    });
    expect((await rm.match({ accessNumber: n })).sessionId).toBe('ani-3');
  });

  it('DNIS + access code: the code decides, and a coded booking needs its code', async () => {
    const g = await makeGroup({ size: 1, locking: false });
    const n = g.numbers[0] as string;
    const a = await rm.allocate({ group: g.name, sessionId: 'code-a', provideCode: true });
    const b = await rm.allocate({ group: g.name, sessionId: 'code-b', provideCode: true });
    await expect(rm.match({ accessNumber: n })).rejects.toMatchObject({ code: 'resource/no_match' });
    const wrong = ['000000', '000001', '000002'].find((c) => c !== a.accessCode && c !== b.accessCode);
    await expect(rm.match({ accessNumber: n, accessCode: wrong })).rejects.toMatchObject({ status: 404 });
    expect((await rm.match({ accessNumber: n, accessCode: a.accessCode })).sessionId).toBe('code-a');
    expect(
      (await rm.match({ accessNumber: n, accessCode: b.accessCode, phoneNumber: '123' })).sessionId,
    ).toBe('code-b');
  });

  it('several matches without locking: the most recent wins', async () => {
    const g = await makeGroup({ size: 1, locking: false });
    const n = g.numbers[0] as string;
    await rm.allocate({ group: g.name, sessionId: 'older' });
    t.clock.advance(1_000);
    await rm.allocate({ group: g.name, sessionId: 'newer' });
    expect((await rm.match({ accessNumber: n })).sessionId).toBe('newer');
    expect((await rm.match({ accessNumber: n })).sessionId).toBe('older');
  });

  it('no match: unknown number, expired booking, empty number', async () => {
    await expect(rm.match({ accessNumber: '1-999-000-0000' })).rejects.toMatchObject({
      name: 'NotFoundError',
      code: 'resource/no_match',
      status: 404,
    });
    await expect(rm.match({ accessNumber: '' })).rejects.toMatchObject({
      code: 'resource/invalid_access_number',
    });
  });

  it('concurrent matches of one booking: exactly one wins', async () => {
    const g = await makeGroup({ size: 1, locking: true });
    const a = await rm.allocate({ group: g.name, sessionId: 'race' });
    const results = await Promise.allSettled(
      Array.from({ length: 8 }, () => rm.match({ accessNumber: a.accessNumber })),
    );
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
    const releases = (await rm.listEvents({ group: g.name })).filter((e) => e.kind === 'released');
    expect(releases).toEqual([expect.objectContaining({ reason: 'matched', sessionId: 'race' })]);
  });
});

describe('database invariants', () => {
  it('A2: an overlapping locking booking inserted by hand is rejected with 23P01', async () => {
    const g = await makeGroup({ size: 1, locking: true });
    const a = await rm.allocate({ group: g.name, sessionId: 'holder' });
    const [resource] = await queryRows<{ id: number; group_id: number }>(
      t.app.deps.db,
      sql`select id, group_id from resources where access_number = ${a.accessNumber}`,
    );
    const insert = queryRows(
      t.app.deps.db,
      sql`insert into resource_bookings (id, resource_id, group_id, session_id, locking, version, starts_at, ends_at, created_at, updated_at)
          values (${randomUUID()}, ${resource?.id}, ${resource?.group_id}, 'intruder', true, 0,
                  ${a.startsAt.toISOString()}::timestamptz + interval '1 second',
                  ${a.expiresAt.toISOString()}::timestamptz + interval '1 minute', now(), now())`,
    );
    const err = await insert.catch((e: unknown) => e);
    const code = (e: unknown): unknown =>
      typeof e === 'object' && e !== null
        ? ((e as { code?: unknown }).code ?? code((e as { cause?: unknown }).cause))
        : undefined;
    expect(code(err)).toBe('23P01');
  });
});

describe('provisioning section resource_groups', () => {
  const file = {
    ProvA: {
      allocation: 'round-robin',
      locking: true,
      booking_expiration_timeout: 60,
      resources: { Key1: '1-700-0001', Key2: 17000002 },
    },
    ProvB: null,
  };

  it('parses with field paths in errors', () => {
    expect(() => resourceGroupsSection.parse({ X: { allocation: 'fifo' } }, 'resource_groups')).toThrow(
      expect.objectContaining({ field: 'resource_groups.X.allocation', code: 'resource/invalid_allocation' }),
    );
    expect(() => resourceGroupsSection.parse({ X: { lock: true } }, 'resource_groups')).toThrow(
      expect.objectContaining({ field: 'resource_groups.X.lock' }),
    );
    expect(() =>
      resourceGroupsSection.parse({ X: { resources: { K: '1-1', L: '11' } } }, 'resource_groups'),
    ).toThrow(expect.objectContaining({ field: 'resource_groups.X.resources.L' }));
    expect(() =>
      resourceGroupsSection.parse({ X: { booking_expiration_timeout: -1 } }, 'resource_groups'),
    ).toThrow(expect.objectContaining({ field: 'resource_groups.X.booking_expiration_timeout' }));
  });

  it('applies idempotently and exports what it imports', async () => {
    const parsed = resourceGroupsSection.parse(file, 'resource_groups');
    await resourceGroupsSection.apply(parsed, t.app.managers);
    const first = await rm.getGroup('ProvA');
    expect(first).toMatchObject({ allocation: 'round-robin', locking: true, bookingExpirationTimeout: 60 });
    expect(first.resources.map((r) => [r.name, r.accessNumber])).toEqual([
      ['Key1', '1-700-0001'],
      ['Key2', '17000002'],
    ]);
    t.clock.advance(1_000);
    await resourceGroupsSection.apply(parsed, t.app.managers);
    const second = await rm.getGroup('ProvA');
    expect(second.updatedAt).toEqual(first.updatedAt);
    expect(second.resources.map((r) => r.id)).toEqual(first.resources.map((r) => r.id));

    const exported = (await resourceGroupsSection.export(t.app.managers)) as Record<string, unknown>;
    expect(exported.ProvA).toEqual({
      allocation: 'round-robin',
      locking: true,
      booking_expiration_timeout: 60,
      resources: { Key1: '1-700-0001', Key2: '17000002' },
    });
    expect(exported.ProvB).toEqual({
      allocation: 'random',
      locking: false,
      booking_expiration_timeout: 30,
      resources: {},
    });
  });

  it('makes a listed group exactly as the file says, even when a removed number is booked', async () => {
    const booked = await rm.allocate({ group: 'ProvA', sessionId: 'prov' });
    const next = {
      ProvA: {
        locking: true,
        resources: { Key1: '1-700-0002', Key3: '1-700-0003' },
      },
    };
    await resourceGroupsSection.apply(resourceGroupsSection.parse(next, 'resource_groups'), t.app.managers);
    const g = await rm.getGroup('ProvA');
    expect(g.resources.map((r) => [r.name, r.accessNumber])).toEqual([
      ['Key1', '1-700-0002'],
      ['Key3', '1-700-0003'],
    ]);
    expect(g.allocation).toBe('random');
    expect(g.health).toMatchObject({ free: 2, booked: 0 });
    expect(await rm.release({ bookingId: booked.bookingId, sessionId: 'prov' })).toBe(false);
    // ProvB was not named, so it is left alone.
    await expect(rm.getGroup('ProvB')).resolves.toBeTruthy();
  });
});
