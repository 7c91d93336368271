import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { graphql } from '../../../test/gql/index.js';
import { createTestApp, type TestApp } from '../../../test/harness.js';
import { parseCsv, parseRange } from './resource.bulk.js';
import type { ResourceManager } from './resource.manager.js';
import { resourceGroupsSection } from './resource.provisioning.js';

const AddResources = graphql(`
  mutation ResourceBulkAdd($group: String!, $input: ResourceBulkInput!) {
    addResources(group: $group, input: $input) {
      __typename
      ... on MutationAddResourcesSuccess { data { group count total } }
      ... on Error { code message }
      ... on ValidationError { field }
    }
  }
`);

const RemoveResources = graphql(`
  mutation ResourceBulkRemove($group: String!, $input: ResourceBulkInput!, $force: Boolean) {
    removeResources(group: $group, input: $input, force: $force) {
      __typename
      ... on MutationRemoveResourcesSuccess { data { group count total } }
      ... on Error { code message }
    }
  }
`);

let t: TestApp;
let resources: ResourceManager;
let counter = 0;
const uid = (prefix: string) => `${prefix}${++counter}`;

beforeAll(async () => {
  t = await createTestApp();
  resources = t.app.managers.resources;
});
afterAll(() => t.close());

const total = async (group: string) => (await resources.getGroup(group)).resources.length;

describe('parsing', () => {
  it('a range gives every number, named by itself, keeping leading zeros and +', () => {
    expect(parseRange('0800-0802').map((e) => [e.name, e.accessNumber])).toEqual([
      ['0800', '0800'],
      ['0801', '0801'],
      ['0802', '0802'],
    ]);
    expect(parseRange(' +4420-+4421 ').map((e) => e.accessNumber)).toEqual(['+4420', '+4421']);
    expect(parseRange('18001110000-18001119999')).toHaveLength(10_000);
  });

  it('refuses a malformed, reversed, uneven or too large range with a clear message', () => {
    expect(() => parseRange('1-800-1234')).toThrow(/not a range/);
    expect(() => parseRange('200-100')).toThrow(/below the first/);
    expect(() => parseRange('99-1000')).toThrow(/same number of digits/);
    expect(() => parseRange('18000000000-18000100000')).toThrow(
      "range '18000000000-18000100000' holds 100001 numbers; at most 100000 at once (split it)",
    );
  });

  it('CSV: number or name,number a line; title line, blanks and comments skipped; errors name the line', () => {
    const text = 'name,access_number\nKey1,1-800-1234\n\n# pool B\n18005550000\n"Key3";"+1 (650) 466-0000"\n';
    expect(parseCsv(text).map((e) => [e.name, e.accessNumber, e.source])).toEqual([
      ['Key1', '1-800-1234', 'csv line 2'],
      ['18005550000', '18005550000', 'csv line 5'],
      ['Key3', '+1 (650) 466-0000', 'csv line 6'],
    ]);
    expect(() => parseCsv('Key1,1-800-1234\nKey2,\n')).toThrow(
      /^csv line 2: 'Key2,' must be "number" or "name,number"/,
    );
    expect(() => parseCsv('a,b,c')).toThrow(/csv line 1/);
  });
});

describe('GraphQL addResources / removeResources', () => {
  it('adds a 10,000-number range and CSV lines in one request, then removes a range', async () => {
    const group = uid('DNIS_BULK');
    await resources.createGroup({ name: group });
    const added = await t.admin(AddResources, {
      group,
      input: { range: '18001110000-18001119999', csv: 'Main,1-800-555-0000\n' },
    });
    expect(added.addResources).toEqual({
      __typename: 'MutationAddResourcesSuccess',
      data: { group, count: 10_001, total: 10_001 },
    });
    const g = await resources.getGroup(group);
    expect(g.resources.find((r) => r.name === '18001114567')?.accessNumber).toBe('18001114567');
    expect(g.resources.find((r) => r.name === 'Main')?.accessNumber).toBe('1-800-555-0000');
    // Allocation sees them.
    const booked = await resources.allocate({ sessionId: uid('s'), group });
    expect(booked.accessNumber).toMatch(/^(1800111\d{4}|1-800-555-0000)$/);

    const removed = await t.admin(RemoveResources, {
      group,
      input: { range: '18001110000-18001114999' },
      force: true,
    });
    expect(removed.removeResources).toEqual({
      __typename: 'MutationRemoveResourcesSuccess',
      data: { group, count: 5_000, total: 5_001 },
    });
  });

  it('validates the whole input first: a bad line, a duplicate or a taken number writes nothing', async () => {
    const group = uid('DNIS_BAD');
    await resources.createGroup({
      name: group,
      resources: [{ name: 'Taken', accessNumber: '1-800-777-0001' }],
    });
    const bad = await t.admin(AddResources, {
      group,
      input: { csv: '18007770010\n18007770011\nKey\u0007,1\n' },
    });
    expect(bad.addResources).toMatchObject({ __typename: 'ValidationError', field: 'csv' });
    expect((bad.addResources as { message: string }).message).toMatch(/^csv line 3: /);

    const dup = await t.admin(AddResources, { group, input: { csv: '18007770010\nX,1-800-777-0010\n' } });
    expect((dup.addResources as { message: string }).message).toBe(
      'csv line 2: 1-800-777-0010 is also csv line 1',
    );

    const taken = await t.admin(AddResources, { group, input: { range: '18007770000-18007770009' } });
    expect(taken.addResources).toMatchObject({ code: 'resource/duplicate_access_number' });
    expect((taken.addResources as { message: string }).message).toBe(
      `range: access number 18007770001 is already resource 'Taken' of group '${group}'`,
    );
    const tooBig = await t.admin(AddResources, { group, input: { range: '10000000-10100000' } });
    expect(tooBig.addResources).toMatchObject({ code: 'resource/range_too_large', field: 'range' });
    const empty = await t.admin(AddResources, { group, input: { csv: '\n# nothing\n' } });
    expect(empty.addResources).toMatchObject({ code: 'resource/empty_bulk' });
    expect(await total(group)).toBe(1);
  });

  it('removal: a number not in the group or a booked number (without force) removes nothing', async () => {
    const group = uid('DNIS_RM');
    await resources.createGroup({ name: group, locking: true });
    await resources.addResources(group, parseRange('5550100-5550109'));
    const missing = await t.admin(RemoveResources, { group, input: { csv: '5550100\n5550999\n' } });
    expect(missing.removeResources).toMatchObject({
      code: 'resource/resource_not_found',
      message: `csv line 2: group '${group}' has no access number 5550999`,
    });
    await resources.allocate({ sessionId: uid('s'), group });
    const booked = await t.admin(RemoveResources, { group, input: { range: '5550100-5550109' } });
    expect(booked.removeResources).toMatchObject({ code: 'resource/resource_booked' });
    expect(await total(group)).toBe(10);
    const forced = await t.admin(RemoveResources, {
      group,
      input: { range: '5550100-5550109' },
      force: true,
    });
    expect(forced.removeResources).toMatchObject({ data: { count: 10, total: 0 } });
  });
});

describe('provisioning: ranges and csv in resource_groups', () => {
  it('adds up resources, ranges and csv; exports runs back as ranges; importing the export changes nothing', async () => {
    const group = uid('POOL');
    const file = {
      [group]: {
        locking: true,
        resources: { Key1: '1-800-1234' },
        ranges: ['18002220000-18002224999'],
        csv: 'Key2,1-800-5678\n18003330000\n',
      },
    };
    await resourcesSection(file);
    expect(await total(group)).toBe(5_003);
    const exported = (await resourceGroupsSection.export?.(t.app.managers)) as Record<string, unknown>;
    expect(exported[group]).toEqual({
      allocation: 'random',
      locking: true,
      booking_expiration_timeout: 30,
      resources: { Key1: '1-800-1234', Key2: '1-800-5678', '18003330000': '18003330000' },
      ranges: ['18002220000-18002224999'],
    });
    await resourcesSection({ [group]: exported[group] });
    expect(await total(group)).toBe(5_003);
    // Shrinking the range in the file removes the rest.
    await resourcesSection({ [group]: { ranges: ['18002220000-18002220009'] } });
    expect(await total(group)).toBe(10);
  });

  it('names the place of a duplicate or a bad range, and applies nothing', async () => {
    const group = uid('POOL');
    expect(() =>
      resourceGroupsSection.parse(
        { [group]: { resources: { Key1: '18004440005' }, ranges: ['18004440000-18004440009'] } },
        'resource_groups',
      ),
    ).toThrow(
      `resource_groups.${group}.ranges.0: 18004440005 is also resource_groups.${group}.resources.Key1`,
    );
    expect(() => resourceGroupsSection.parse({ [group]: { ranges: ['1-2-3'] } }, 'resource_groups')).toThrow(
      `resource_groups.${group}.ranges.0 '1-2-3' is not a range`,
    );
  });
});

async function resourcesSection(value: unknown) {
  const parsed = resourceGroupsSection.parse(value, 'resource_groups');
  await resourceGroupsSection.apply(parsed, t.app.managers);
}
