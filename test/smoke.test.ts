import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { graphql } from './gql/index.js';
import { createTestApp, type TestApp } from './harness.js';

const ServerInfo = graphql(`
  query SmokeServerInfo {
    serverInfo {
      nodeId
      version
    }
  }
`);

describe('smoke', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp();
  });
  afterAll(() => t.close());

  it('answers GraphQL through app.fetch', async () => {
    const r = await t.gql(ServerInfo);
    expect(r.serverInfo.nodeId).toBe(t.app.deps.node.id);
  });
});
