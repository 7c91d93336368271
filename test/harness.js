import { randomUUID } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { print } from 'graphql';
import { GraphQLClient } from 'graphql-request';
import postgres from 'postgres';
import { inject } from 'vitest';
import { buildApp } from '../src/app.js';
import { ManualClock } from '../src/clock.js';
import { loadConfig } from '../src/config.js';
import { closeDeps, createDeps } from '../src/deps.js';
import { createLogger } from '../src/log/logger.js';
import { startup } from '../src/startup.js';
export const backend = process.env.TEST_BACKEND === 'postgres' ? 'postgres' : 'pglite';
export const testRedisUrl = backend === 'postgres' ? process.env.TEST_REDIS_URL : undefined;
let snapshot = null;
function pgliteSnapshot() {
  snapshot ??= readFile(inject('pgliteSnapshotPath')).then((b) => new Blob([b]));
  return snapshot;
}
/** A fresh Postgres database for one test file (or one multi-instance test), dropped afterwards. */
export async function createTestDatabase() {
  const baseUrl = process.env.TEST_DATABASE_URL;
  if (!baseUrl) throw new Error('TEST_DATABASE_URL is not set');
  const name = `gms_test_${randomUUID().replaceAll('-', '').slice(0, 16)}`;
  const admin = postgres(baseUrl, { max: 1, onnotice: () => {} });
  await admin.unsafe(`create database ${name}`);
  await admin.end();
  const url = new URL(baseUrl);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    async drop() {
      const a = postgres(baseUrl, { max: 1, onnotice: () => {} });
      await a.unsafe(`drop database if exists ${name} with (force)`);
      await a.end();
    },
  };
}
export const adminAuth = `Basic ${Buffer.from('default:password').toString('base64')}`;
export async function createTestApp(options = {}) {
  const clock = options.clock ?? new ManualClock();
  const ownDatabase =
    backend === 'postgres' && !options.database && !options.env?.DATABASE_URL
      ? await createTestDatabase()
      : null;
  const database = options.database ?? ownDatabase;
  const namespace = options.namespace ?? `t${randomUUID().slice(0, 8)}`;
  const env = {
    NODE_ENV: 'test',
    DATABASE_URL: database ? database.url : 'memory://',
    NODE_NAME: `test-${randomUUID()}`,
    PUBSUB_NAMESPACE: namespace,
    DATABASE_POOL_SIZE: '5',
    ...(testRedisUrl ? { REDIS_URL: testRedisUrl } : {}),
    ...options.env,
  };
  const config = loadConfig(env);
  const logs = options.logs;
  const deps = await createDeps(config, {
    clock,
    logger: logs ? createLogger('info', {}, (line) => logs.push(line)) : undefined,
    onStatement: options.onStatement,
    // Only an in-memory database starts from the migrated snapshot; a data directory opens as it is.
    pgliteSnapshot:
      config.database.kind === 'pglite' && config.database.dataDir === null
        ? await pgliteSnapshot()
        : undefined,
  });
  const app = await buildApp(deps);
  if (options.startup !== false) await startup(app);
  const base = 'http://gms.test';
  const fetchPath = (path, init) => app.fetch(new Request(`${base}${path}`, init));
  const fetchForClient = (input, init) =>
    app.fetch(input instanceof Request ? input : new Request(input, init));
  const anon = (headers) => new GraphQLClient(`${base}/graphql`, { fetch: fetchForClient, headers });
  const adminClient = new GraphQLClient(`${base}/graphql`, {
    fetch: fetchForClient,
    headers: { authorization: adminAuth },
  });
  return {
    app,
    config,
    clock,
    fetch: fetchPath,
    gql: (doc, vars, headers = {}) => anon(headers).request({ document: doc, variables: vars }),
    admin: (doc, vars) => adminClient.request({ document: doc, variables: vars }),
    database,
    async close() {
      await app.stop();
      await closeDeps(deps);
      if (ownDatabase) await ownDatabase.drop();
    },
  };
}
/**
 * A GraphQL multipart request (file uploads): `files` maps a variable path such as `variables.file`
 * or `variables.values.0.file` to the file sent there. Answers the parsed JSON `{ data, errors }`.
 */
export async function gqlUpload(t, doc, variables, files, headers = { authorization: adminAuth }) {
  const form = new FormData();
  const paths = Object.keys(files);
  form.append('operations', JSON.stringify({ query: print(doc), variables }));
  form.append('map', JSON.stringify(Object.fromEntries(paths.map((p, i) => [String(i), [p]]))));
  paths.forEach((p, i) => {
    form.append(String(i), files[p]);
  });
  // A GraphQL multipart POST needs a CSRF header (src/http/csrf.ts), as the console sends.
  const response = await t.fetch('/graphql', {
    method: 'POST',
    body: form,
    headers: { 'x-graphql-yoga-csrf': '1', ...headers },
  });
  return await response.json();
}
/** Builds a multipart body exactly as a browser would (used to replay the seed's captures). */
export function multipart(fields) {
  const form = new FormData();
  for (const [k, v] of Object.entries(fields)) {
    if (typeof v === 'string') form.append(k, v);
    else form.append(k, new Blob([new Uint8Array(v.data)], { type: v.type }), v.filename);
  }
  return form;
}
//# sourceMappingURL=harness.js.map
