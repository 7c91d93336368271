import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { adminAuth, createTestApp, multipart, type TestApp } from './harness.js';

/** Issue 16 finding 2: credentialed CORS for any origin, and form-encoded mutations without a preflight. */

const groupNames = async (t: TestApp): Promise<string[]> => {
  const res = await t.fetch('/graphql', {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: adminAuth },
    body: JSON.stringify({ query: '{ patternGroups { name } }' }),
  });
  const body = (await res.json()) as { data: { patternGroups: { name: string }[] } };
  return body.data.patternGroups.map((g) => g.name);
};

const mutation = (name: string) => `mutation { createPatternGroup(name: "${name}") { __typename } }`;

describe('CORS with the default ALLOWED_ORIGINS=*', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp();
  });
  afterAll(() => t.close());

  it('answers any origin without credentials', async () => {
    const res = await t.fetch('/graphql', {
      method: 'POST',
      headers: { 'content-type': 'application/json', origin: 'https://evil.example' },
      body: JSON.stringify({ query: '{ serverInfo { version } }' }),
    });
    expect(res.status).toBe(200);
    expect(res.headers.get('access-control-allow-origin')).toBe('*');
    expect(res.headers.get('access-control-allow-credentials')).toBeNull();
    expect(res.headers.get('access-control-expose-headers')).toContain('x-gms-device-token');

    const preflight = await t.fetch('/graphql', {
      method: 'OPTIONS',
      headers: {
        origin: 'https://evil.example',
        'access-control-request-method': 'POST',
        'access-control-request-headers': 'authorization, content-type',
      },
    });
    expect(preflight.status).toBe(204);
    expect(preflight.headers.get('access-control-allow-origin')).toBe('*');
    expect(preflight.headers.get('access-control-allow-credentials')).toBeNull();
    expect(preflight.headers.get('access-control-allow-headers')).toBe('authorization, content-type');
  });

  it('refuses urlencoded and multipart mutations without a CSRF header, and runs nothing', async () => {
    const form = await t.fetch('/graphql', {
      method: 'POST',
      headers: {
        'content-type': 'application/x-www-form-urlencoded',
        authorization: adminAuth,
        origin: 'https://evil.example',
      },
      body: new URLSearchParams({ query: mutation('csrf-form') }),
    });
    expect(form.status).toBe(403);
    expect(await form.json()).toMatchObject({ errors: [{ extensions: { code: 'CSRF_PREVENTED' } }] });

    const multipart = new FormData();
    multipart.append('operations', JSON.stringify({ query: mutation('csrf-multipart') }));
    multipart.append('map', '{}');
    const mp = await t.fetch('/graphql', {
      method: 'POST',
      headers: { authorization: adminAuth },
      body: multipart,
    });
    expect(mp.status).toBe(403);

    const text = await t.fetch('/graphql', {
      method: 'POST',
      headers: { 'content-type': 'text/plain', authorization: adminAuth },
      body: JSON.stringify({ query: mutation('csrf-text') }),
    });
    expect(text.status).toBe(403);

    const names = await groupNames(t);
    expect(names).not.toContain('csrf-form');
    expect(names).not.toContain('csrf-multipart');
    expect(names).not.toContain('csrf-text');
  });

  it('runs JSON mutations, and multipart ones that carry the CSRF header', async () => {
    const json = await t.fetch('/graphql', {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: adminAuth },
      body: JSON.stringify({ query: mutation('json-ok') }),
    });
    expect(json.status).toBe(200);
    const multipart = new FormData();
    multipart.append('operations', JSON.stringify({ query: mutation('multipart-ok') }));
    multipart.append('map', '{}');
    const mp = await t.fetch('/graphql', {
      method: 'POST',
      headers: { authorization: adminAuth, 'x-graphql-yoga-csrf': '1' },
      body: multipart,
    });
    expect(mp.status).toBe(200);
    expect(await groupNames(t)).toEqual(expect.arrayContaining(['json-ok', 'multipart-ok']));
  });

  it('refuses a legacy admin request a browser sends from another site; legacy clients unchanged', async () => {
    const status = async () => (await t.fetch('/genesys/1/admin/node/status')).text();
    const before = await status();
    const change = (headers: Record<string, string>) =>
      t.fetch('/genesys/1/admin/node/changestatus/OFFLINE', {
        method: 'POST',
        headers: {
          authorization: adminAuth,
          'content-type': 'application/x-www-form-urlencoded',
          ...headers,
        },
        body: '',
      });
    const forged = await change({ 'sec-fetch-site': 'cross-site', origin: 'https://evil.example' });
    expect(forged.status).toBe(403);
    expect(await forged.json()).toMatchObject({ code: 403, phrase: 'Forbidden' });
    expect(await status()).toBe(before);
    // A script or GMS tool sends no Sec-Fetch-Site; a page of the server's own origin says same-origin.
    expect((await change({})).status).toBe(200);
    expect((await change({ 'sec-fetch-site': 'same-origin' })).status).toBe(200);
    await t.fetch('/genesys/1/admin/node/changestatus/ONLINE', {
      method: 'POST',
      headers: { authorization: adminAuth },
    });
  });

  it('never runs a mutation over GET', async () => {
    const res = await t.fetch(`/graphql?query=${encodeURIComponent(mutation('csrf-get'))}`, {
      headers: { authorization: adminAuth, accept: 'application/json' },
    });
    expect(res.status).toBe(405);
    expect(await groupNames(t)).not.toContain('csrf-get');
  });
});

describe('CORS with ALLOWED_ORIGINS configured', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp({ env: { ALLOWED_ORIGINS: 'https://app.example,https://ops.example' } });
  });
  afterAll(() => t.close());

  const ask = (origin: string) =>
    t.fetch('/graphql', {
      method: 'POST',
      headers: { 'content-type': 'application/json', origin },
      body: JSON.stringify({ query: '{ serverInfo { version } }' }),
    });

  it('echoes a listed origin with credentials', async () => {
    const res = await ask('https://ops.example');
    expect(res.headers.get('access-control-allow-origin')).toBe('https://ops.example');
    expect(res.headers.get('access-control-allow-credentials')).toBe('true');
    expect(res.headers.get('vary')).toContain('Origin');
  });

  it('gives an origin not listed (or "null") no CORS headers', async () => {
    for (const origin of ['https://evil.example', 'null']) {
      const res = await ask(origin);
      expect(res.headers.get('access-control-allow-origin')).toBeNull();
      expect(res.headers.get('access-control-allow-credentials')).toBeNull();
      const preflight = await t.fetch('/graphql', {
        method: 'OPTIONS',
        headers: { origin, 'access-control-request-method': 'POST' },
      });
      expect(preflight.headers.get('access-control-allow-origin')).toBeNull();
    }
  });
});

/** Issue 16 finding 3: a stored upload served back inline as HTML on the API's origin. */
describe('stored files and security headers', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp();
  });
  afterAll(() => t.close());

  const upload = async (files: Record<string, { filename: string; type: string; data: Buffer }>) => {
    const res = await t.fetch('/genesys/1/storage/60', {
      method: 'POST',
      body: multipart({ note: 'hello', ...files }),
    });
    expect(res.status).toBe(200);
    return ((await res.json()) as { id: string }).id;
  };

  it('serves active types as attachments, passive ones inline, all with nosniff and a sandboxing CSP', async () => {
    const html = '<script>alert(document.domain)</script>';
    const id = await upload({
      page: { filename: 'x.html', type: 'text/html', data: Buffer.from(html) },
      pic: { filename: 'p.svg', type: 'IMAGE/SVG+XML; charset=utf-8', data: Buffer.from('<svg/>') },
      img: { filename: 'i.png', type: 'image/png', data: Buffer.from([0x89, 0x50, 0x4e, 0x47]) },
    });
    const page = await t.fetch(`/genesys/1/storage/binary/${id}/page`);
    expect(page.status).toBe(200);
    expect(await page.text()).toBe(html); // the bytes are kept as uploaded
    expect(page.headers.get('content-disposition')).toBe(
      `attachment; filename="x.html"; filename*=UTF-8''x.html`,
    );
    expect(page.headers.get('x-content-type-options')).toBe('nosniff');
    expect(page.headers.get('content-security-policy')).toContain("default-src 'none'");
    expect(page.headers.get('content-security-policy')).toContain('sandbox');

    const svg = await t.fetch(`/genesys/1/storage/${id}/pic`);
    expect(svg.headers.get('content-disposition')).toMatch(/^attachment/);

    const png = await t.fetch(`/genesys/1/storage/binary/${id}/img`);
    expect(png.headers.get('content-type')).toBe('image/png');
    expect(png.headers.get('content-disposition')).toBeNull();
    expect(png.headers.get('x-content-type-options')).toBe('nosniff');

    const text = await t.fetch(`/genesys/1/storage/${id}/note`);
    expect(await text.text()).toBe('hello');
    expect(text.headers.get('x-content-type-options')).toBe('nosniff');
    expect(text.headers.get('content-security-policy')).toContain("default-src 'none'");
  });

  it('puts the API CSP on JSON answers and errors, GraphQL included', async () => {
    for (const path of ['/healthz', '/genesys/1/no-such-route', '/']) {
      const res = await t.fetch(path);
      expect(res.headers.get('x-content-type-options')).toBe('nosniff');
      expect(res.headers.get('content-security-policy')).toContain("default-src 'none'");
    }
    const gql = await t.fetch('/graphql', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ query: '{ serverInfo { version } }' }),
    });
    expect(gql.headers.get('content-security-policy')).toContain("default-src 'none'");
  });
});
