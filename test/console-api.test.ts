import { afterEach, describe, expect, test } from 'vitest';
import { graphql } from './gql/index.js';
import { createTestApp, type TestApp } from './harness.js';

/** What the console needed from the API, added for every client. */

const ViewerDefaults = graphql(`
  query ConsoleApiViewer {
    viewer {
      kind
      username
      defaultCredentials
    }
  }
`);

describe('viewer.defaultCredentials', () => {
  let t: TestApp | null = null;
  afterEach(async () => {
    await t?.close();
    t = null;
  });

  test('true for an admin while default/password is configured; null for anyone else', async () => {
    t = await createTestApp();
    expect((await t.admin(ViewerDefaults)).viewer).toEqual({
      kind: 'admin',
      username: 'default',
      defaultCredentials: true,
    });
    expect((await t.gql(ViewerDefaults, {}, { gms_user: 'u1' })).viewer.defaultCredentials).toBeNull();
  });

  test('false once ADMIN_USERNAME / ADMIN_PASSWORD are set', async () => {
    t = await createTestApp({ env: { ADMIN_USERNAME: 'boss', ADMIN_PASSWORD: 'long-secret' } });
    const auth = `Basic ${Buffer.from('boss:long-secret').toString('base64')}`;
    const r = await t.fetch('/graphql', {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: auth },
      body: JSON.stringify({ query: '{ viewer { kind defaultCredentials } }' }),
    });
    expect(await r.json()).toEqual({ data: { viewer: { kind: 'admin', defaultCredentials: false } } });
  });
});
