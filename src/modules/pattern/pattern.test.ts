import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { graphql } from '../../../test/gql/index.js';
import {
  backend,
  createTestApp,
  createTestDatabase,
  multipart,
  type TestApp,
} from '../../../test/harness.js';
import { DomainError, NotFoundError, ValidationError } from '../../errors.js';
import { patternGroupsSection } from './pattern.provisioning.js';
import { MAX_REQUEST_CHARACTERS, MAX_VALUE_LENGTH } from './pattern.regex.js';

const CreateGroup = graphql(`
  mutation PatternCreateGroup($name: String!, $patterns: [PatternInput!]) {
    createPatternGroup(name: $name, patterns: $patterns) {
      __typename
      ... on MutationCreatePatternGroupSuccess {
        data {
          id
          name
          patterns {
            id
            name
            regex
            position
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

const AddPattern = graphql(`
  mutation PatternAdd($group: String!, $name: String!, $regex: String!, $position: Int) {
    addPattern(group: $group, name: $name, regex: $regex, position: $position) {
      __typename
      ... on MutationAddPatternSuccess {
        data {
          name
          patterns {
            id
            name
            regex
            position
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

const UpdatePattern = graphql(`
  mutation PatternUpdate($group: String!, $name: String!, $newName: String, $regex: String, $position: Int) {
    updatePattern(group: $group, name: $name, newName: $newName, regex: $regex, position: $position) {
      __typename
      ... on MutationUpdatePatternSuccess {
        data {
          patterns {
            id
            name
            regex
            position
          }
        }
      }
      ... on Error {
        code
        message
      }
    }
  }
`);

const RemovePattern = graphql(`
  mutation PatternRemove($group: String!, $name: String!) {
    removePattern(group: $group, name: $name) {
      __typename
      ... on MutationRemovePatternSuccess {
        data {
          patterns {
            name
          }
        }
      }
      ... on Error {
        code
        message
      }
    }
  }
`);

const ReplacePatterns = graphql(`
  mutation PatternReplace($group: String!, $patterns: [PatternInput!]!) {
    replacePatterns(group: $group, patterns: $patterns) {
      __typename
      ... on MutationReplacePatternsSuccess {
        data {
          patterns {
            id
            name
            regex
            position
          }
        }
      }
      ... on Error {
        code
        message
      }
    }
  }
`);

const RenameGroup = graphql(`
  mutation PatternRenameGroup($name: String!, $newName: String!) {
    renamePatternGroup(name: $name, newName: $newName) {
      __typename
      ... on MutationRenamePatternGroupSuccess {
        data {
          name
          patterns {
            name
          }
        }
      }
      ... on Error {
        code
        message
      }
    }
  }
`);

const DeleteGroup = graphql(`
  mutation PatternDeleteGroup($name: String!) {
    deletePatternGroup(name: $name) {
      __typename
      ... on MutationDeletePatternGroupSuccess {
        data {
          name
        }
      }
      ... on Error {
        code
        message
      }
    }
  }
`);

const ListGroups = graphql(`
  query PatternListGroups {
    patternGroups {
      name
      patterns {
        name
        regex
        position
      }
    }
  }
`);

const GetGroup = graphql(`
  query PatternGetGroup($name: String!) {
    patternGroup(name: $name) {
      name
      patterns {
        name
      }
    }
  }
`);

const TestGroup = graphql(`
  query PatternTestGroup($group: String!, $value: String!) {
    testPatternGroup(group: $group, value: $value) {
      __typename
      ... on QueryTestPatternGroupSuccess {
        data {
          group
          value
          firstMatch
          rows {
            patternName
            regex
            matched
          }
        }
      }
      ... on Error {
        code
        message
      }
    }
  }
`);

const MatchPatterns = graphql(`
  query PatternMatchParams($group: String, $params: [PatternParamInput!]!) {
    matchPatterns(group: $group, params: $params) {
      __typename
      ... on QueryMatchPatternsSuccess {
        data {
          param
          patternName
        }
      }
      ... on Error {
        code
        message
      }
    }
  }
`);

/** The seed's "Tools → Patterns" group. */
const seedGroup = [
  { name: 'exception1', regex: '555.*' },
  { name: 'ex2', regex: '123.*' },
  { name: 'ex3', regex: 'a' },
  { name: 'ddd', regex: '12345' },
];

async function createSeedGroup(t: TestApp, name = 'Callback_exceptions') {
  const r = await t.admin(CreateGroup, { name, patterns: seedGroup });
  if (r.createPatternGroup.__typename !== 'MutationCreatePatternGroupSuccess')
    throw new Error(`could not create ${name}: ${JSON.stringify(r.createPatternGroup)}`);
  return r.createPatternGroup.data;
}

const urlencoded = (params: Record<string, string>) => ({
  method: 'POST',
  headers: { 'content-type': 'application/x-www-form-urlencoded' },
  body: new URLSearchParams(params).toString(),
});

const gmsError = (status: number) => ({
  message: expect.any(String),
  exception: expect.any(String),
  code: status,
  phrase: expect.any(String),
});

describe('pattern groups', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp();
  });
  afterAll(() => t.close());
  beforeEach(async () => {
    for (const g of await t.app.managers.patterns.listGroups())
      await t.app.managers.patterns.deleteGroup(g.name);
  });

  describe('legacy Pattern Matcher API', () => {
    it("replays the seed: test_value=123 against Callback_exceptions answers ex2 (123.* matches, 12345 doesn't)", async () => {
      await createSeedGroup(t);
      const res = await t.fetch('/genesys/1/patterns/group/Callback_exceptions', {
        method: 'POST',
        body: multipart({ test_value: '123' }),
      });
      expect(res.status).toBe(200);
      expect(res.headers.get('content-type')).toMatch(/^application\/json/);
      expect(await res.text()).toBe('{"test_value":"ex2"}');
    });

    it('answers only the matching parameters, each with its first matching pattern, whole values only', async () => {
      await createSeedGroup(t);
      const res = await t.fetch(
        '/genesys/1/patterns/group/Callback_exceptions',
        urlencoded({
          p1: '5551234', // exception1
          p2: '12345', // ex2 and ddd both match; ex2 comes first
          p3: 'a', // ex3
          p4: 'abc', // ex3 `a` must match the whole value: no
          p5: '0123', // 123.* must start at the beginning: no
          p6: '555', // exception1 (.* matches nothing)
          p7: '', // nothing
        }),
      );
      expect(res.status).toBe(200);
      expect(await res.json()).toEqual({ p1: 'exception1', p2: 'ex2', p3: 'ex3', p6: 'exception1' });
    });

    it('answers {} when nothing matches, and accepts JSON bodies', async () => {
      await createSeedGroup(t);
      const none = await t.fetch('/genesys/1/patterns/group/Callback_exceptions', urlencoded({ v: '999' }));
      expect(await none.json()).toEqual({});
      const json = await t.fetch('/genesys/1/patterns/group/Callback_exceptions', {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ phone: 12345, flag: true, other: 'x' }),
      });
      expect(await json.json()).toEqual({ phone: 'ex2' });
    });

    it('tests the general list (every group, by name) on POST /genesys/1/patterns', async () => {
      await createSeedGroup(t);
      await t.admin(CreateGroup, {
        name: 'A_first',
        patterns: [
          { name: 'email', regex: '[\\w.+-]+@[\\w-]+\\.[a-z]{2,}' },
          { name: '911', regex: '911' },
          { name: 'five', regex: '5.*' },
        ],
      });
      const res = await t.fetch(
        '/genesys/1/patterns',
        urlencoded({ param1: '1234562', param2: 'john.doe@gmail.com', param3: '911', param4: '5559' }),
      );
      expect(res.status).toBe(200);
      // param4 matches A_first.five and Callback_exceptions.exception1: A_first comes first by name.
      expect(await res.json()).toEqual({ param1: 'ex2', param2: 'email', param3: '911', param4: 'five' });
    });

    it('answers 404 JSON for an unknown group', async () => {
      const res = await t.fetch('/genesys/1/patterns/group/NoSuchGroup', urlencoded({ v: '1' }));
      expect(res.status).toBe(404);
      const body = await res.json();
      expect(body).toEqual(gmsError(404));
      expect(body.message).toBe("Pattern group 'NoSuchGroup' not found");
    });

    it('answers 400 for bad bodies: malformed JSON, nested values, files, over-long values', async () => {
      await createSeedGroup(t);
      const path = '/genesys/1/patterns/group/Callback_exceptions';
      const malformed = await t.fetch(path, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: '{"v":',
      });
      expect(malformed.status).toBe(400);
      expect(await malformed.json()).toEqual(gmsError(400));

      const nested = await t.fetch(path, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ v: { x: 1 } }),
      });
      expect(nested.status).toBe(400);
      expect((await nested.json()).message).toMatch(/Parameter 'v' must be a string/);

      const file = await t.fetch(path, {
        method: 'POST',
        body: multipart({ doc: { filename: 'a.txt', type: 'text/plain', data: Buffer.from('123') } }),
      });
      expect(file.status).toBe(400);
      expect((await file.json()).message).toMatch(/'doc' is a file/);

      const atLimit = await t.fetch(path, urlencoded({ v: '1'.repeat(MAX_VALUE_LENGTH) }));
      expect(atLimit.status).toBe(200);
      const tooLong = await t.fetch(path, urlencoded({ v: '1'.repeat(MAX_VALUE_LENGTH + 1) }));
      expect(tooLong.status).toBe(400);
      expect((await tooLong.json()).message).toMatch(/Value of 'v' is 65537 characters long/);

      const many = Object.fromEntries(
        Array.from({ length: MAX_REQUEST_CHARACTERS / MAX_VALUE_LENGTH + 1 }, (_, i) => [
          `v${i}`,
          '1'.repeat(MAX_VALUE_LENGTH),
        ]),
      );
      const tooMuch = await t.fetch(path, urlencoded(many));
      expect(tooMuch.status).toBe(400);
      expect((await tooMuch.json()).message).toMatch(/values add up to/);
    });

    it('needs no credentials, and refuses other methods', async () => {
      await createSeedGroup(t);
      const get = await t.fetch('/genesys/1/patterns/group/Callback_exceptions');
      expect(get.status).toBe(405);
    });

    it('R2: answers a 50,000-character adversarial value against (a+)+$-style patterns correctly', async () => {
      await t.admin(CreateGroup, {
        name: 'redos',
        patterns: [
          { name: 'nested', regex: '(a+)+$' },
          { name: 'alternation', regex: '^(a|a)*$' },
          { name: 'digits', regex: '^\\d+\\d+$' },
        ],
      });
      const res = await t.fetch(
        '/genesys/1/patterns/group/redos',
        urlencoded({
          evil: `${'a'.repeat(50_000)}!`,
          evilDigits: `${'1'.repeat(50_000)}x`,
          good: 'a'.repeat(50_000),
          goodDigits: '12',
        }),
      );
      expect(res.status).toBe(200);
      expect(await res.json()).toEqual({ good: 'nested', goodDigits: 'digits' });
    });
  });

  describe('admin GraphQL', () => {
    it('creates a group and lists it with its patterns in order', async () => {
      const created = await createSeedGroup(t);
      expect(created.patterns.map((p) => [p.name, p.regex, p.position])).toEqual([
        ['exception1', '555.*', 0],
        ['ex2', '123.*', 1],
        ['ex3', 'a', 2],
        ['ddd', '12345', 3],
      ]);
      const list = await t.admin(ListGroups);
      expect(list.patternGroups).toEqual([
        {
          name: 'Callback_exceptions',
          patterns: seedGroup.map((p, position) => ({ ...p, position })),
        },
      ]);
      expect((await t.admin(GetGroup, { name: 'Callback_exceptions' })).patternGroup?.patterns).toHaveLength(
        4,
      );
      expect((await t.admin(GetGroup, { name: 'Nope' })).patternGroup).toBeNull();
    });

    it('tests a value against a group row by row, for the UI to highlight', async () => {
      await createSeedGroup(t);
      const r = await t.admin(TestGroup, { group: 'Callback_exceptions', value: '12345' });
      expect(r.testPatternGroup).toEqual({
        __typename: 'QueryTestPatternGroupSuccess',
        data: {
          group: 'Callback_exceptions',
          value: '12345',
          firstMatch: 'ex2',
          rows: [
            { patternName: 'exception1', regex: '555.*', matched: false },
            { patternName: 'ex2', regex: '123.*', matched: true },
            { patternName: 'ex3', regex: 'a', matched: false },
            { patternName: 'ddd', regex: '12345', matched: true },
          ],
        },
      });
      const missing = await t.admin(TestGroup, { group: 'Nope', value: '1' });
      expect(missing.testPatternGroup).toMatchObject({
        __typename: 'NotFoundError',
        code: 'pattern/group_not_found',
      });
    });

    it('matchPatterns mirrors the legacy answer for anyone', async () => {
      await createSeedGroup(t);
      const r = await t.gql(MatchPatterns, {
        group: 'Callback_exceptions',
        params: [
          { name: 'test_value', value: '123' },
          { name: 'other', value: 'zzz' },
        ],
      });
      expect(r.matchPatterns).toEqual({
        __typename: 'QueryMatchPatternsSuccess',
        data: [{ param: 'test_value', patternName: 'ex2' }],
      });
    });

    it('R1: accepts ReDoS-shaped patterns and rejects a backreference naming the pattern', async () => {
      await t.admin(CreateGroup, { name: 'r1' });
      for (const [name, regex] of [
        ['nested', '^(a+)+$'],
        ['alternation', '^(a|a)*$'],
        ['digits', '^\\d+\\d+$'],
      ] as const) {
        const r = await t.admin(AddPattern, { group: 'r1', name, regex });
        expect(r.addPattern.__typename, name).toBe('MutationAddPatternSuccess');
      }
      const bad = await t.admin(AddPattern, { group: 'r1', name: 'backref', regex: '(a)\\1' });
      expect(bad.addPattern).toEqual({
        __typename: 'ValidationError',
        code: 'pattern/invalid_regex',
        field: 'regex',
        message:
          "Pattern 'backref': backreferences (\\1) are not supported: patterns run on a linear-time engine that cannot refer back to a captured group",
      });
      const look = await t.admin(AddPattern, { group: 'r1', name: 'look', regex: '(?=1)\\d+' });
      expect(look.addPattern).toMatchObject({
        __typename: 'ValidationError',
        message: /Pattern 'look': lookahead/,
      });
      const list = await t.admin(GetGroup, { name: 'r1' });
      expect(list.patternGroup?.patterns.map((p) => p.name)).toEqual(['nested', 'alternation', 'digits']);
    });

    it('rejects a whole new group when one of its patterns is invalid, writing nothing', async () => {
      const r = await t.admin(CreateGroup, {
        name: 'half',
        patterns: [
          { name: 'fine', regex: '1.*' },
          { name: 'broken', regex: '[a-' },
        ],
      });
      expect(r.createPatternGroup).toMatchObject({
        __typename: 'ValidationError',
        code: 'pattern/invalid_regex',
        field: 'patterns.1',
        message: /^Pattern 'broken': invalid regular expression: missing closing \]/,
      });
      expect((await t.admin(GetGroup, { name: 'half' })).patternGroup).toBeNull();
    });

    it('validates names and refuses duplicates', async () => {
      await createSeedGroup(t);
      const dupGroup = await t.admin(CreateGroup, { name: 'Callback_exceptions' });
      expect(dupGroup.createPatternGroup).toMatchObject({
        __typename: 'DomainError',
        code: 'pattern/group_exists',
      });
      const badName = await t.admin(CreateGroup, { name: 'bad/name' });
      expect(badName.createPatternGroup).toMatchObject({
        __typename: 'ValidationError',
        code: 'pattern/invalid_group_name',
        field: 'name',
      });
      const dupPattern = await t.admin(AddPattern, { group: 'Callback_exceptions', name: 'ex2', regex: '9' });
      expect(dupPattern.addPattern).toMatchObject({
        __typename: 'DomainError',
        code: 'pattern/pattern_exists',
      });
      const dupInList = await t.admin(CreateGroup, {
        name: 'dups',
        patterns: [
          { name: 'x', regex: '1' },
          { name: 'x', regex: '2' },
        ],
      });
      expect(dupInList.createPatternGroup).toMatchObject({ code: 'pattern/duplicate_pattern' });
      const noGroup = await t.admin(AddPattern, { group: 'Nope', name: 'a', regex: 'a' });
      expect(noGroup.addPattern).toMatchObject({
        __typename: 'NotFoundError',
        code: 'pattern/group_not_found',
      });
    });

    it('adds at a position, updates, moves and removes patterns, keeping order and ids', async () => {
      const created = await createSeedGroup(t);
      const ids = Object.fromEntries(created.patterns.map((p) => [p.name, p.id]));

      const added = await t.admin(AddPattern, {
        group: 'Callback_exceptions',
        name: 'top',
        regex: '0.*',
        position: 0,
      });
      if (added.addPattern.__typename !== 'MutationAddPatternSuccess') throw new Error('add failed');
      expect(added.addPattern.data.patterns.map((p) => [p.name, p.position])).toEqual([
        ['top', 0],
        ['exception1', 1],
        ['ex2', 2],
        ['ex3', 3],
        ['ddd', 4],
      ]);

      const updated = await t.admin(UpdatePattern, {
        group: 'Callback_exceptions',
        name: 'ex2',
        newName: 'starts123',
        regex: '123\\d*',
        position: 4,
      });
      if (updated.updatePattern.__typename !== 'MutationUpdatePatternSuccess')
        throw new Error('update failed');
      expect(updated.updatePattern.data.patterns.map((p) => p.name)).toEqual([
        'top',
        'exception1',
        'ex3',
        'ddd',
        'starts123',
      ]);
      const moved = updated.updatePattern.data.patterns.find((p) => p.name === 'starts123');
      expect(moved).toMatchObject({ id: ids.ex2, regex: '123\\d*', position: 4 });

      // ddd now comes before starts123, so 12345 reports ddd.
      const res = await t.fetch('/genesys/1/patterns/group/Callback_exceptions', urlencoded({ v: '12345' }));
      expect(await res.json()).toEqual({ v: 'ddd' });

      const badRegex = await t.admin(UpdatePattern, {
        group: 'Callback_exceptions',
        name: 'ddd',
        regex: 'a++',
      });
      expect(badRegex.updatePattern).toMatchObject({ __typename: 'ValidationError', message: /possessive/ });
      const clash = await t.admin(UpdatePattern, {
        group: 'Callback_exceptions',
        name: 'ddd',
        newName: 'top',
      });
      expect(clash.updatePattern).toMatchObject({ code: 'pattern/pattern_exists' });
      const badPosition = await t.admin(UpdatePattern, {
        group: 'Callback_exceptions',
        name: 'ddd',
        position: 9,
      });
      expect(badPosition.updatePattern).toMatchObject({ code: 'pattern/invalid_position' });

      const removed = await t.admin(RemovePattern, { group: 'Callback_exceptions', name: 'top' });
      expect(removed.removePattern).toMatchObject({
        data: { patterns: [{ name: 'exception1' }, { name: 'ex3' }, { name: 'ddd' }, { name: 'starts123' }] },
      });
      const again = await t.admin(RemovePattern, { group: 'Callback_exceptions', name: 'top' });
      expect(again.removePattern).toMatchObject({
        __typename: 'NotFoundError',
        code: 'pattern/pattern_not_found',
      });
    });

    it('replaces the whole list in a new order, keeping the ids of kept names', async () => {
      const created = await createSeedGroup(t);
      const ids = Object.fromEntries(created.patterns.map((p) => [p.name, p.id]));
      const r = await t.admin(ReplacePatterns, {
        group: 'Callback_exceptions',
        patterns: [
          { name: 'ddd', regex: '12345' },
          { name: 'new', regex: 'n+' },
          { name: 'ex2', regex: '123.*' },
        ],
      });
      if (r.replacePatterns.__typename !== 'MutationReplacePatternsSuccess')
        throw new Error('replace failed');
      expect(r.replacePatterns.data.patterns).toEqual([
        { id: ids.ddd, name: 'ddd', regex: '12345', position: 0 },
        { id: expect.any(Number), name: 'new', regex: 'n+', position: 1 },
        { id: ids.ex2, name: 'ex2', regex: '123.*', position: 2 },
      ]);
      expect(await t.app.managers.patterns.findMatch('Callback_exceptions', '12345')).toBe('ddd');
    });

    it('renames and deletes groups', async () => {
      await createSeedGroup(t);
      await t.admin(CreateGroup, { name: 'Other' });
      const clash = await t.admin(RenameGroup, { name: 'Callback_exceptions', newName: 'Other' });
      expect(clash.renamePatternGroup).toMatchObject({ code: 'pattern/group_exists' });
      const renamed = await t.admin(RenameGroup, { name: 'Callback_exceptions', newName: 'cb_errors' });
      expect(renamed.renamePatternGroup).toMatchObject({ data: { name: 'cb_errors' } });
      const gone = await t.fetch('/genesys/1/patterns/group/Callback_exceptions', urlencoded({ v: '123' }));
      expect(gone.status).toBe(404);
      const moved = await t.fetch('/genesys/1/patterns/group/cb_errors', urlencoded({ v: '123' }));
      expect(await moved.json()).toEqual({ v: 'ex2' });

      const deleted = await t.admin(DeleteGroup, { name: 'cb_errors' });
      expect(deleted.deletePatternGroup).toEqual({
        __typename: 'MutationDeletePatternGroupSuccess',
        data: { name: 'cb_errors' },
      });
      expect((await t.fetch('/genesys/1/patterns/group/cb_errors', urlencoded({ v: '1' }))).status).toBe(404);
      const twice = await t.admin(DeleteGroup, { name: 'cb_errors' });
      expect(twice.deletePatternGroup).toMatchObject({ __typename: 'NotFoundError' });
    });

    it('refuses every admin operation without credentials', async () => {
      await createSeedGroup(t);
      const denied = /Not authorized/;
      await expect(t.gql(CreateGroup, { name: 'x' })).rejects.toThrow(denied);
      await expect(
        t.gql(AddPattern, { group: 'Callback_exceptions', name: 'x', regex: 'x' }),
      ).rejects.toThrow(denied);
      await expect(
        t.gql(UpdatePattern, { group: 'Callback_exceptions', name: 'ex2', regex: 'x' }),
      ).rejects.toThrow(denied);
      await expect(t.gql(RemovePattern, { group: 'Callback_exceptions', name: 'ex2' })).rejects.toThrow(
        denied,
      );
      await expect(t.gql(ReplacePatterns, { group: 'Callback_exceptions', patterns: [] })).rejects.toThrow(
        denied,
      );
      await expect(t.gql(RenameGroup, { name: 'Callback_exceptions', newName: 'y' })).rejects.toThrow(denied);
      await expect(t.gql(DeleteGroup, { name: 'Callback_exceptions' })).rejects.toThrow(denied);
      await expect(t.gql(ListGroups)).rejects.toThrow(denied);
      await expect(t.gql(TestGroup, { group: 'Callback_exceptions', value: '1' })).rejects.toThrow(denied);
      const unchanged = await t.app.managers.patterns.getGroup('Callback_exceptions');
      expect(unchanged.patterns.map((p) => p.name)).toEqual(['exception1', 'ex2', 'ex3', 'ddd']);
    });
  });

  describe('findMatch, for the callback module', () => {
    it('answers the first matching pattern name or null, and throws for an unknown group', async () => {
      await createSeedGroup(t);
      const patterns = t.app.managers.patterns;
      expect(await patterns.findMatch('Callback_exceptions', '123')).toBe('ex2');
      expect(await patterns.findMatch('Callback_exceptions', '5550000')).toBe('exception1');
      expect(await patterns.findMatch('Callback_exceptions', '+123')).toBeNull();
      await expect(patterns.findMatch('Nope', '123')).rejects.toBeInstanceOf(NotFoundError);
      await expect(
        patterns.findMatch('Callback_exceptions', 'x'.repeat(MAX_VALUE_LENGTH + 1)),
      ).rejects.toBeInstanceOf(ValidationError);
    });

    it('sees an edit at once (the database is the source of truth; compiled sets are keyed by content)', async () => {
      await createSeedGroup(t);
      const patterns = t.app.managers.patterns;
      expect(await patterns.findMatch('Callback_exceptions', '777')).toBeNull();
      await patterns.updatePattern('Callback_exceptions', 'ddd', { regex: '7+' });
      expect(await patterns.findMatch('Callback_exceptions', '777')).toBe('ddd');
      await patterns.updatePattern('Callback_exceptions', 'ddd', { regex: '12345' });
      expect(await patterns.findMatch('Callback_exceptions', '777')).toBeNull();
    });

    it('serialises concurrent edits of one group: one of two identical adds wins', async () => {
      await createSeedGroup(t);
      const patterns = t.app.managers.patterns;
      const results = await Promise.allSettled([
        patterns.addPattern('Callback_exceptions', { name: 'same', regex: '1' }),
        patterns.addPattern('Callback_exceptions', { name: 'same', regex: '2' }),
      ]);
      expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
      const rejected = results.find((r) => r.status === 'rejected');
      expect(rejected?.reason).toBeInstanceOf(DomainError);
      expect(rejected?.reason).toMatchObject({ code: 'pattern/pattern_exists' });
      const group = await patterns.getGroup('Callback_exceptions');
      expect(group.patterns.map((p) => p.position)).toEqual([0, 1, 2, 3, 4]);
    });
  });

  describe('provisioning section pattern_groups', () => {
    const file = {
      Callback_exceptions: { exception1: '555.*', ex2: '123.*', ex3: 'a', ddd: '12345' },
      cb_errors: [
        { name: 'z-last-alphabetically', regex: '\\+1.*' },
        { name: '911', regex: '911' },
        { name: '12345678901', regex: '\\+12345678901' },
      ],
      empty: {},
    };

    const state = async () =>
      (await t.app.managers.patterns.listGroups()).map((g) => ({
        ...g,
        createdAt: g.createdAt.toISOString(),
        updatedAt: g.updatedAt.toISOString(),
      }));

    it('applies idempotently: the second apply changes nothing, not even updated_at', async () => {
      const parsed = patternGroupsSection.parse(file, 'pattern_groups');
      await patternGroupsSection.apply(parsed, t.app.managers);
      const first = await state();
      expect(first.map((g) => [g.name, g.patterns.map((p) => p.name)])).toEqual([
        ['Callback_exceptions', ['exception1', 'ex2', 'ex3', 'ddd']],
        ['cb_errors', ['z-last-alphabetically', '911', '12345678901']],
        ['empty', []],
      ]);
      t.clock.advance(60_000);
      await patternGroupsSection.apply(patternGroupsSection.parse(file, 'pattern_groups'), t.app.managers);
      expect(await state()).toEqual(first);
    });

    it('exports what it applied; importing the export reproduces the state, order included', async () => {
      await patternGroupsSection.apply(patternGroupsSection.parse(file, 'pattern_groups'), t.app.managers);
      const exported = await patternGroupsSection.export(t.app.managers);
      // A JSON round trip, as through the file; cb_errors stays a list because `911` would jump ahead.
      const reread = JSON.parse(JSON.stringify(exported));
      expect(reread).toEqual(file);
      const before = await state();
      for (const g of before) await t.app.managers.patterns.deleteGroup(g.name);
      await patternGroupsSection.apply(patternGroupsSection.parse(reread, 'pattern_groups'), t.app.managers);
      const after = await state();
      const shape = (s: typeof before) =>
        s.map((g) => [g.name, g.patterns.map((p) => [p.name, p.regex, p.position])]);
      expect(shape(after)).toEqual(shape(before));
      expect(await patternGroupsSection.export(t.app.managers)).toEqual(exported);
    });

    it('makes named groups match the file and leaves other groups alone', async () => {
      await createSeedGroup(t);
      await t.admin(CreateGroup, { name: 'ui_made', patterns: [{ name: 'k', regex: 'k' }] });
      const ex2Id = (await t.app.managers.patterns.getGroup('Callback_exceptions')).patterns[1]?.id;
      await patternGroupsSection.apply(
        patternGroupsSection.parse({ Callback_exceptions: { ex2: '123.*', ddd: '1234' } }, 'pattern_groups'),
        t.app.managers,
      );
      const group = await t.app.managers.patterns.getGroup('Callback_exceptions');
      expect(group.patterns.map((p) => [p.id, p.name, p.regex])).toEqual([
        [ex2Id, 'ex2', '123.*'],
        [expect.any(Number), 'ddd', '1234'],
      ]);
      expect((await t.app.managers.patterns.getGroup('ui_made')).patterns).toHaveLength(1);
    });

    it('names the path at fault in the file', () => {
      const fail = (value: unknown) => {
        try {
          patternGroupsSection.parse(value, 'pattern_groups');
        } catch (err) {
          if (err instanceof ValidationError) return { field: err.field, message: err.message };
          throw err;
        }
        throw new Error('parse accepted it');
      };
      expect(fail({ G: { bad: '(a)\\1' } })).toEqual({
        field: 'pattern_groups.G.bad',
        message:
          "Pattern 'bad': backreferences (\\1) are not supported: patterns run on a linear-time engine that cannot refer back to a captured group",
      });
      expect(fail({ G: { ddd: 12345 } })).toMatchObject({
        field: 'pattern_groups.G.ddd',
        message: /must be a string/,
      });
      expect(fail({ 'bad name': {} })).toMatchObject({ field: 'pattern_groups.bad name' });
      expect(fail({ G: [{ name: 'x' }] })).toMatchObject({ field: 'pattern_groups.G[0]' });
      expect(fail(['G'])).toMatchObject({ field: 'pattern_groups' });
    });
  });
});

describe.skipIf(backend !== 'postgres')('pattern groups across two instances', () => {
  it('an edit on one instance is seen by the next test on the other', async () => {
    const database = await createTestDatabase();
    const namespace = `p${Date.now()}`;
    const a = await createTestApp({ database, namespace });
    const b = await createTestApp({ database, namespace });
    try {
      await createSeedGroup(a);
      const test = (app: TestApp) =>
        app
          .fetch('/genesys/1/patterns/group/Callback_exceptions', urlencoded({ v: '777' }))
          .then((r) => r.json());
      expect(await test(b)).toEqual({});
      await a.app.managers.patterns.updatePattern('Callback_exceptions', 'ddd', { regex: '7+' });
      expect(await test(b)).toEqual({ v: 'ddd' });
      await a.app.managers.patterns.deleteGroup('Callback_exceptions');
      expect(await b.app.managers.patterns.findGroup('Callback_exceptions')).toBeNull();
    } finally {
      await a.close();
      await b.close();
      await database.drop();
    }
  });
});
