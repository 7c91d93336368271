import { randomUUID } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { relative } from 'node:path';
import type { TypedDocumentNode } from '@graphql-typed-document-node/core';
import { print } from 'graphql';
import { GraphQLClient, type RequestOptions } from 'graphql-request';
import postgres from 'postgres';
import { afterAll, expect, inject } from 'vitest';
import { type App, buildApp } from '../src/app.js';
import { ManualClock } from '../src/clock.js';
import { type Config, loadConfig } from '../src/config.js';
import { closeDeps, createDeps, type Deps } from '../src/deps.js';
import { createLogger } from '../src/log/logger.js';
import { startup } from '../src/startup.js';

export const backend = process.env.TEST_BACKEND === 'postgres' ? 'postgres' : 'pglite';
export const testRedisUrl = backend === 'postgres' ? process.env.TEST_REDIS_URL : undefined;

let snapshot: Promise<Blob> | null = null;
function pgliteSnapshot(): Promise<Blob> {
  snapshot ??= readFile(inject('pgliteSnapshotPath')).then((b) => new Blob([b]));
  return snapshot;
}

export interface TestDatabase {
  url: string;
  drop(): Promise<void>;
}

async function dropDatabase(baseUrl: string, name: string): Promise<void> {
  const a = postgres(baseUrl, { max: 1, onnotice: () => {} });
  try {
    // FORCE: connections still open (an app not closed) would otherwise make the drop fail.
    await a.unsafe(`drop database if exists ${name} with (force)`);
  } finally {
    await a.end();
  }
}

/** The databases this test file created and has not dropped yet: name → server URL. */
const undropped = new Map<string, string>();

// Registered when the file imports the harness, so it runs after the file's own afterAll hooks
// (hooks run in reverse order): a database still listed was left on the shared server (an app
// from createTestApp never closed, a createTestDatabase never dropped). It is dropped, and the
// file fails, so the leak is fixed where it is rather than found later in `psql -l`.
afterAll(async () => {
  const left = [...undropped];
  for (const [name, baseUrl] of left) {
    await dropDatabase(baseUrl, name);
    undropped.delete(name);
  }
  if (left.length > 0)
    throw new Error(
      `This file left ${left.length} test database(s) behind (${left.map(([n]) => n).join(', ')}): ` +
        'close every createTestApp and drop every createTestDatabase',
    );
});

/** A fresh Postgres database for one test file (or one multi-instance test), dropped afterwards. */
export async function createTestDatabase(): Promise<TestDatabase> {
  const baseUrl = process.env.TEST_DATABASE_URL;
  if (!baseUrl) throw new Error('TEST_DATABASE_URL is not set');
  const name = `gms_test_${randomUUID().replaceAll('-', '').slice(0, 16)}`;
  const admin = postgres(baseUrl, { max: 1, onnotice: () => {} });
  try {
    await admin.unsafe(`create database ${name}`);
    undropped.set(name, baseUrl);
    // A database left behind anyway (a killed run) names the test file that made it (`psql -l+`).
    const file = relative(process.cwd(), expect.getState().testPath ?? 'unknown');
    await admin.unsafe(`comment on database ${name} is '${file.replaceAll("'", "''")}'`);
  } finally {
    await admin.end();
  }
  const url = new URL(baseUrl);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    async drop() {
      await dropDatabase(baseUrl, name);
      undropped.delete(name);
    },
  };
}

export interface TestAppOptions {
  env?: Record<string, string>;
  clock?: ManualClock;
  /** Share this Postgres database (multi-instance tests); otherwise each app gets its own. */
  database?: TestDatabase;
  /** Redis channel namespace; instances that must see each other's events share it. */
  namespace?: string;
  /** Collects the JSON log lines (at info level) instead of discarding them. */
  logs?: string[];
  /** Run the start-up steps (bundled templates, provisioning file). Default true. */
  startup?: boolean;
  /** Sees every statement the app sends to its database (statement-count tests). */
  onStatement?: (statement: string) => void;
}

export interface TestApp {
  app: App;
  config: Config;
  clock: ManualClock;
  fetch: (path: string, init?: RequestInit) => Promise<Response>;
  /** GraphQL as an anonymous end user (optionally with a gms_user header). */
  gql: <R, V extends Record<string, unknown>>(
    doc: TypedDocumentNode<R, V>,
    vars?: V,
    headers?: Record<string, string>,
  ) => Promise<R>;
  /** GraphQL as the admin (HTTP Basic). */
  admin: <R, V extends Record<string, unknown>>(doc: TypedDocumentNode<R, V>, vars?: V) => Promise<R>;
  database: TestDatabase | null;
  close(): Promise<void>;
}

export const adminAuth = `Basic ${Buffer.from('default:password').toString('base64')}`;

export async function createTestApp(options: TestAppOptions = {}): Promise<TestApp> {
  const clock = options.clock ?? new ManualClock();
  const ownDatabase =
    backend === 'postgres' && !options.database && !options.env?.DATABASE_URL
      ? await createTestDatabase()
      : null;
  const database = options.database ?? ownDatabase;
  const namespace = options.namespace ?? `t${randomUUID().slice(0, 8)}`;
  const env: Record<string, string> = {
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
  let deps: Deps | null = null;
  let app: App | null = null;
  // Whatever fails, the database this app made is dropped (else every failed start leaves one).
  const release = async () => {
    try {
      await app?.stop();
      if (deps) await closeDeps(deps);
    } finally {
      await ownDatabase?.drop();
    }
  };
  try {
    deps = await createDeps(config, {
      clock,
      logger: logs ? createLogger('info', {}, (line) => logs.push(line)) : undefined,
      onStatement: options.onStatement,
      // Only an in-memory database starts from the migrated snapshot; a data directory opens as it is.
      pgliteSnapshot:
        config.database.kind === 'pglite' && config.database.dataDir === null
          ? await pgliteSnapshot()
          : undefined,
    });
    app = await buildApp(deps);
    if (options.startup !== false) await startup(app);
  } catch (err) {
    await release().catch(() => {});
    throw err;
  }
  const started: App = app;

  const base = 'http://gms.test';
  const fetchPath = (path: string, init?: RequestInit) => started.fetch(new Request(`${base}${path}`, init));
  const fetchForClient = (input: RequestInfo | URL, init?: RequestInit) =>
    started.fetch(input instanceof Request ? input : new Request(input, init));
  const anon = (headers: Record<string, string>) =>
    new GraphQLClient(`${base}/graphql`, { fetch: fetchForClient, headers });
  const adminClient = new GraphQLClient(`${base}/graphql`, {
    fetch: fetchForClient,
    headers: { authorization: adminAuth },
  });

  return {
    app: started,
    config,
    clock,
    fetch: fetchPath,
    gql: <R, V extends Record<string, unknown>>(
      doc: TypedDocumentNode<R, V>,
      vars?: V,
      headers: Record<string, string> = {},
    ) => anon(headers).request<R, V>({ document: doc, variables: vars } as unknown as RequestOptions<V, R>),
    admin: <R, V extends Record<string, unknown>>(doc: TypedDocumentNode<R, V>, vars?: V) =>
      adminClient.request<R, V>({ document: doc, variables: vars } as unknown as RequestOptions<V, R>),
    database,
    close: release,
  };
}

/**
 * A GraphQL multipart request (file uploads): `files` maps a variable path such as `variables.file`
 * or `variables.values.0.file` to the file sent there. Answers the parsed JSON `{ data, errors }`.
 */
export async function gqlUpload<R, V extends Record<string, unknown>>(
  t: TestApp,
  doc: TypedDocumentNode<R, V>,
  variables: V,
  files: Record<string, File>,
  headers: Record<string, string> = { authorization: adminAuth },
): Promise<{ data?: R; errors?: { message: string }[] }> {
  const form = new FormData();
  const paths = Object.keys(files);
  form.append('operations', JSON.stringify({ query: print(doc), variables }));
  form.append('map', JSON.stringify(Object.fromEntries(paths.map((p, i) => [String(i), [p]]))));
  paths.forEach((p, i) => {
    form.append(String(i), files[p] as File);
  });
  // A GraphQL multipart POST needs a CSRF header (src/http/csrf.ts), as the console sends.
  const response = await t.fetch('/graphql', {
    method: 'POST',
    body: form,
    headers: { 'x-graphql-yoga-csrf': '1', ...headers },
  });
  return (await response.json()) as { data?: R; errors?: { message: string }[] };
}

/** Builds a multipart body exactly as a browser would (used to replay the seed's captures). */
export function multipart(fields: Record<string, string | { filename: string; type: string; data: Buffer }>) {
  const form = new FormData();
  for (const [k, v] of Object.entries(fields)) {
    if (typeof v === 'string') form.append(k, v);
    else form.append(k, new Blob([new Uint8Array(v.data)], { type: v.type }), v.filename);
  }
  return form;
}
