import { request as httpRequest } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { jsonResponse } from '../src/http/http-errors.js';
import type { RouteTable } from '../src/http/route-table.js';
import { createTestApp, type TestApp } from './harness.js';

/**
 * Body parsing and error mapping on the legacy paths, exercised through the node status route
 * (which accepts any body) and an echo route registered only for this test.
 */
describe('legacy HTTP layer', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp({
      env: { BODY_LIMIT_BYTES: String(1024 * 1024), MULTIPART_MAX_FILE_BYTES: '1000' },
    });
    const router: RouteTable = t.app.routes;
    router.add('POST', '/genesys/1/test/echo', async (req) => {
      const body = await req.body();
      return jsonResponse({
        kind: body.kind,
        fields: body.fields,
        files: body.files.map((f) => ({
          field: f.field,
          filename: f.filename,
          type: f.contentType,
          size: f.data.length,
        })),
        gmsUser: req.gmsUser,
      });
    });
  });
  afterAll(() => t.close());

  let listening: Promise<string> | undefined;
  /** One real listener for the tests that need a socket (start() replaces the server it had). */
  const serverUrl = () => {
    listening ??= t.app.start({ port: 0, host: '127.0.0.1' }).then((s) => s.url);
    return listening;
  };

  const echo = (init: RequestInit) => t.fetch('/genesys/1/test/echo', { method: 'POST', ...init });

  it('parses multipart fields and files with the gms_user header', async () => {
    const form = new FormData();
    form.append('_phone_number', '6504669999');
    form.append('current_location_latitude', '48.8583');
    form.append('screen', new Blob([new Uint8Array([1, 2, 3])], { type: 'image/png' }), 'temp');
    const res = await echo({ body: form, headers: { gms_user: 'u1' } });
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({
      kind: 'multipart',
      fields: { _phone_number: '6504669999', current_location_latitude: '48.8583' },
      files: [{ field: 'screen', filename: 'temp', type: 'image/png', size: 3 }],
      gmsUser: 'u1',
    });
  });

  it('parses multipart over real HTTP too (the server adapter hands over a ponyfill stream)', async () => {
    const url = await serverUrl();
    const form = new FormData();
    form.append('_phone_number', '6504669999');
    form.append('screen', new Blob([new Uint8Array([1, 2, 3])], { type: 'image/png' }), 'temp');
    const res = await fetch(`${url}/genesys/1/test/echo`, {
      method: 'POST',
      body: form,
      headers: { gms_user: 'u2' },
    });
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({
      kind: 'multipart',
      fields: { _phone_number: '6504669999' },
      files: [{ field: 'screen', filename: 'temp', type: 'image/png', size: 3 }],
      gmsUser: 'u2',
    });
    const big = new FormData();
    big.append('f', new Blob([new Uint8Array(5000)]), 'big');
    const tooBig = await fetch(`${url}/genesys/1/test/echo`, { method: 'POST', body: big });
    expect(tooBig.status).toBe(413);
  });

  it('answers a multipart body cut inside a file part with 400 over real HTTP, and stays up', async () => {
    const url = await serverUrl();
    const truncated = '--b\r\nContent-Disposition: form-data; name="f"; filename="a"\r\n\r\nabc';
    const res = await fetch(`${url}/genesys/1/test/echo`, {
      method: 'POST',
      body: truncated,
      headers: { 'content-type': 'multipart/form-data; boundary=b' },
    });
    expect(res.status).toBe(400);
    expect(await res.json()).toMatchObject({ code: 400 });
    const after = await fetch(`${url}/healthz`);
    expect(after.status).toBe(200);
  });

  it('accepts the empty multipart body of the seed captures', async () => {
    const res = await echo({
      body: '------WebKitFormBoundarypn9IDb0VLCgiULed--',
      headers: { 'content-type': 'multipart/form-data; boundary=----WebKitFormBoundarypn9IDb0VLCgiULed' },
    });
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ kind: 'multipart', fields: {}, files: [] });
  });

  it('takes an empty body sent as multipart (Content-Length: 0) as no fields, as it does without a body', async () => {
    const res = await echo({ body: '', headers: { 'content-type': 'multipart/form-data; boundary=xyz' } });
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ kind: 'multipart', fields: {}, files: [] });
    const overHttp = await fetch(`${await serverUrl()}/genesys/1/test/echo`, {
      method: 'POST',
      body: '',
      headers: { 'content-type': 'multipart/form-data; boundary=xyz' },
    });
    expect(overHttp.status).toBe(200);
    expect(await overHttp.json()).toMatchObject({ kind: 'multipart', fields: {}, files: [] });
  });

  it('parses urlencoded and JSON bodies', async () => {
    const u = await echo({
      body: 'a=1&b=two%20words',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
    });
    expect(await u.json()).toMatchObject({ kind: 'urlencoded', fields: { a: '1', b: 'two words' } });
    const j = await echo({
      body: JSON.stringify({ a: 1, b: true, c: { d: 1 } }),
      headers: { 'content-type': 'application/json' },
    });
    expect(await j.json()).toMatchObject({ kind: 'json', fields: { a: '1', b: 'true', c: '{"d":1}' } });
  });

  async function expectLegacyError(res: Response, status: number) {
    expect(res.status).toBe(status);
    expect(res.headers.get('content-type')).toContain('application/json');
    const body = (await res.json()) as Record<string, unknown>;
    expect(body).toMatchObject({ code: status });
    expect(typeof body.message).toBe('string');
    expect(typeof body.exception).toBe('string');
    expect(typeof body.phrase).toBe('string');
    return body;
  }

  it('answers broken JSON with a 400 JSON error', async () => {
    await expectLegacyError(
      await echo({ body: '{"a":', headers: { 'content-type': 'application/json' } }),
      400,
    );
    await expectLegacyError(
      await echo({ body: '[1,2]', headers: { 'content-type': 'application/json' } }),
      400,
    );
  });

  it('answers broken multipart with a 400 JSON error', async () => {
    const res = await echo({
      body: '--X\r\nContent-Disposition: form-data; name="a"\r\n\r\nvalue-without-closing-boundary',
      headers: { 'content-type': 'multipart/form-data; boundary=X' },
    });
    await expectLegacyError(res, 400);
    const noBoundary = await echo({ body: 'x', headers: { 'content-type': 'multipart/form-data' } });
    await expectLegacyError(noBoundary, 400);
  });

  it('answers a 50 MB body with 413 without reading it all', async () => {
    const big = new Uint8Array(50 * 1024 * 1024);
    const res = await echo({ body: big, headers: { 'content-type': 'application/x-www-form-urlencoded' } });
    await expectLegacyError(res, 413);
    const stream = new ReadableStream<Uint8Array>({
      start(c) {
        for (let i = 0; i < 50; i++) c.enqueue(new Uint8Array(1024 * 1024));
        c.close();
      },
    });
    const streamed = await t.app.fetch(
      new Request('http://gms.test/genesys/1/test/echo', {
        method: 'POST',
        body: stream,
        headers: { 'content-type': 'multipart/form-data; boundary=X' },
        duplex: 'half',
      } as RequestInit),
    );
    await expectLegacyError(streamed, 413);
  });

  it('enforces the file size and part count limits with 413', async () => {
    const form = new FormData();
    form.append('f', new Blob([new Uint8Array(5000)]), 'big.bin');
    await expectLegacyError(await echo({ body: form }), 413);
    const many = new FormData();
    for (let i = 0; i < 300; i++) many.append(`k${i}`, 'v');
    await expectLegacyError(await echo({ body: many }), 413);
  });

  it('refuses an unsupported content type with 415', async () => {
    await expectLegacyError(
      await echo({ body: '<x/>', headers: { 'content-type': 'application/xml' } }),
      415,
    );
  });

  it('answers unknown paths and wrong methods with JSON errors', async () => {
    await expectLegacyError(await t.fetch('/genesys/1/nope'), 404);
    await expectLegacyError(await t.fetch('/genesys/1/test/echo'), 405);
    // A 405 names the methods the path takes (RFC 9110 §15.5.6), as Jetty did: a client can tell.
    const wrong = await t.fetch('/genesys/1/admin/node/status', { method: 'POST' });
    await expectLegacyError(wrong, 405);
    expect(wrong.headers.get('allow')).toBe('GET, HEAD');
  });

  it("answers JSON with the seed captures' no-cache headers: Cache-Control, Pragma and Expires", async () => {
    // Every response of the seed's captures carries all three (Jetty's no-cache set).
    for (const res of [await echo({ body: 'a=1' }), await t.fetch('/genesys/1/nope')]) {
      expect(res.headers.get('content-type')).toBe('application/json;charset=UTF-8');
      expect(res.headers.get('cache-control')).toBe('no-cache, no-store');
      expect(res.headers.get('pragma')).toBe('no-cache');
      expect(res.headers.get('expires')).toBe('Thu, 01 Jan 1970 00:00:00 GMT');
    }
  });

  it('sends the standard reason phrase on the status line, also for a Response built without one', async () => {
    // GET /genesys/1/node answers a WHATWG Response with no statusText: it went out as "HTTP/1.1 200 ".
    const url = new URL(await serverUrl());
    const statusLine = (path: string) =>
      new Promise<string>((resolve, reject) => {
        const req = httpRequest({ host: url.hostname, port: url.port, path }, (res) => {
          res.resume();
          resolve(`${res.statusCode} ${res.statusMessage}`);
        });
        req.on('error', reject);
        req.end();
      });
    expect(await statusLine('/genesys/1/node')).toBe('200 OK');
    expect(await statusLine('/genesys/1/nope')).toBe('404 Not Found');
  });

  it('refuses wrong admin credentials with 401 and a Basic challenge', async () => {
    const res = await t.fetch('/genesys/1/admin/node/changestatus/ONLINE', {
      method: 'POST',
      headers: { authorization: `Basic ${Buffer.from('default:wrong').toString('base64')}` },
    });
    await expectLegacyError(res, 401);
    expect(res.headers.get('www-authenticate')).toContain('Basic');
  });
});
