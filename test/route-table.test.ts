import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openApiDocument } from '../src/http/openapi.js';
import { withRouteMap } from '../src/http/route-map.js';
import { buildRouteTable } from '../src/http/routes.js';
import { requestMethods } from '../src/modules/sessions/session-handlers.js';
import { createTestApp, type TestApp } from './harness.js';

/** The route table is the one source of the dispatcher, the README's route map and the OpenAPI document. */
describe('route table', () => {
  const table = buildRouteTable();

  it('the README route map is current (npm run routes:print -- --write)', () => {
    const readme = readFileSync(new URL('../README.md', import.meta.url), 'utf8');
    expect(withRouteMap(readme, table)).toBe(readme);
  });

  it('every legacy route has a summary; the OpenAPI document lists every /genesys/1 route', () => {
    expect(table.undescribedKeys()).toEqual([]);
    const legacy = table.all().filter((r) => r.kind === 'legacy');
    expect(legacy.filter((r) => !table.docOf(r)?.summary).map((r) => `${r.method} ${r.pattern}`)).toEqual([]);
    const doc = openApiDocument(table) as { openapi: string; paths: Record<string, Record<string, unknown>> };
    expect(doc.openapi).toBe('3.1.0');
    const listed = Object.entries(doc.paths).flatMap(([path, ops]) =>
      Object.keys(ops).map((m) => `${m.toUpperCase()} ${path}`),
    );
    const expected = legacy
      .filter((r) => r.pattern.startsWith('/genesys/1/'))
      .map((r) => `${r.method} ${r.pattern.replace(/[:*](\w+)/g, '{$1}')}`);
    expect(listed.sort()).toEqual(expected.sort());
  });

  it('every parameter and named body field of the OpenAPI document has a description (the Lab → API Description column)', () => {
    type Op = {
      parameters?: { name: string; in: string; description?: string }[];
      requestBody?: {
        content: Record<string, { schema?: { properties?: Record<string, { description?: string }> } }>;
      };
    };
    const doc = openApiDocument(table) as { paths: Record<string, Record<string, Op>> };
    const missing = new Set<string>();
    for (const [path, ops] of Object.entries(doc.paths))
      for (const [method, op] of Object.entries(ops)) {
        for (const p of op.parameters ?? [])
          if (!p.description) missing.add(`${method.toUpperCase()} ${path} ${p.in}:${p.name}`);
        for (const media of Object.values(op.requestBody?.content ?? {}))
          for (const [name, field] of Object.entries(media.schema?.properties ?? {}))
            if (!field.description) missing.add(`${method.toUpperCase()} ${path} body:${name}`);
      }
    expect([...missing]).toEqual([]);
  });

  it('matching: static beats parameter beats remainder; catch-alls give 405 for known paths', () => {
    const hit = (method: string, path: string) => {
      const m = table.match(method, path);
      return m && m !== 'method' ? m.route.pattern : m;
    };
    expect(hit('GET', '/genesys/1/node')).toBe('/genesys/1/node');
    expect(hit('POST', '/genesys/1/node')).toBe('method');
    expect(hit('GET', '/genesys/1/nothing')).toBe('/genesys/1/*path');
    expect(hit('GET', '/genesys/lab/api')).toBe('/genesys/*path');
    expect(hit('GET', '/genesys/cometd/handshake')).toBe('/genesys/cometd/*path');
    expect(hit('POST', '/reports/services.csv')).toBe('method');
    expect(hit('GET', '/nothing')).toBeNull();
    // Per-session requests: each declared one has its route; any other reaches the registry's catch-all.
    expect(hit('POST', '/genesys/1/service/1-abc/connect')).toBe('/genesys/1/service/:id/connect');
    expect(hit('PUT', '/genesys/1/service/1-abc/connect')).toBe('/genesys/1/service/:id/*request');
    expect(hit('GET', '/genesys/1/service/1-abc/ixn/chat/send')).toBe(
      '/genesys/1/service/:id/ixn/chat/*rest',
    );
    expect(hit('POST', '/genesys/1/service/1-abc/ixn/chat')).toBe('/genesys/1/service/:id/ixn/chat');
    expect(hit('POST', '/genesys/1/service/callback/connect')).toBe('/genesys/1/service/callback/:name');
  });
});

describe('GET /genesys/1/openapi.json', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp();
  });
  afterAll(() => t.close());

  it('every per-session request a module registers has its own route (so the map and the document list it)', () => {
    const table = buildRouteTable();
    const missing: string[] = [];
    for (const spec of t.app.managers.sessions.handlers.registered())
      for (const method of requestMethods(spec)) {
        const path = `/genesys/1/service/1-abc/${spec.path.replace(/\/\*$/, '/x')}`;
        const found = table.match(method, path);
        if (!found || found === 'method' || found.route.pattern === '/genesys/1/service/:id/*request')
          missing.push(`${method} ${spec.path}`);
      }
    expect(missing).toEqual([]);
  });

  it('serves the document the console reads, and a described operation works as described', async () => {
    const res = await t.fetch('/genesys/1/openapi.json');
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toContain('application/json');
    const doc = (await res.json()) as {
      paths: Record<
        string,
        Record<string, { tags: string[]; requestBody?: { content: Record<string, unknown> } }>
      >;
    };
    const store = doc.paths['/genesys/1/storage/{ttl}']?.post;
    expect(store?.tags).toEqual(['Storage API']);
    expect(Object.keys(store?.requestBody?.content ?? {})).toContain('multipart/form-data');
    const form = new FormData();
    form.append('key1', 'Value1');
    const created = (await (
      await t.fetch('/genesys/1/storage/30', { method: 'POST', body: form })
    ).json()) as {
      id: string;
    };
    expect(await (await t.fetch(`/genesys/1/storage/${created.id}`)).json()).toEqual({ key1: 'Value1' });
  });
});
