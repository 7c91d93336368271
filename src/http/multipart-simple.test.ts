import busboy from 'busboy';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { type BodyLimits, parseBody } from './body.js';
import { parseSimpleMultipart } from './multipart-simple.js';

const limits: BodyLimits = { bodyBytes: 1024 * 1024, fileBytes: 1000, files: 10, fields: 6, parts: 8 };
const simpleLimits = { fields: limits.fields, parts: limits.parts, fieldSize: 64 };

/** What busboy makes of a body, with the options body.ts gives it: its fields, or that it refused. */
function busboyFields(body: Buffer, contentType: string, fieldSize: number): Promise<unknown> {
  return new Promise((resolve) => {
    let parser: busboy.Busboy;
    try {
      parser = busboy({
        headers: { 'content-type': contentType },
        defParamCharset: 'utf8',
        limits: {
          fileSize: limits.fileBytes,
          files: limits.files,
          fields: limits.fields,
          parts: limits.parts,
          fieldSize,
        },
      });
    } catch {
      return resolve('refused');
    }
    const fields: Record<string, string> = {};
    let refused = false;
    parser.on('field', (name: string | undefined, value, info) => {
      if (info.valueTruncated) refused = true;
      fields[name ?? ''] = value;
    });
    parser.on('file', (_name, stream) => {
      refused = true;
      stream.resume();
    });
    for (const limit of ['partsLimit', 'filesLimit', 'fieldsLimit']) parser.on(limit, () => (refused = true));
    parser.on('error', () => resolve('refused'));
    parser.on('close', () => resolve(refused ? 'refused' : fields));
    parser.end(body);
  });
}

const part = (name: string, value: string) =>
  `--B\r\nContent-Disposition: form-data; name="${name}"\r\n\r\n${value}\r\n`;
const ct = 'multipart/form-data; boundary=B';

describe('parseSimpleMultipart', () => {
  it('reads the plain shape: the bench body, UTF-8 values, a repeated name keeps the last', () => {
    const body = Buffer.from(
      `${part('_phone_number', '6504669999')}${part('usr_reason', 'café ☎')}${part('a', '1')}${part('a', '2')}--B--\r\n`,
    );
    expect(parseSimpleMultipart(body, ct, simpleLimits)).toEqual({
      _phone_number: '6504669999',
      usr_reason: 'café ☎',
      a: '2',
    });
    expect(parseSimpleMultipart(Buffer.from(`${part('x', '')}--B--`), ct, simpleLimits)).toEqual({ x: '' });
  });

  it('leaves everything else to busboy', () => {
    const no = (body: string, type = ct) =>
      expect(parseSimpleMultipart(Buffer.from(body), type, simpleLimits)).toBeNull();
    no(`preamble\r\n${part('a', '1')}--B--`);
    no(`${part('a', '1')}--B--\r\nepilogue`);
    no(`${part('a', '1')}--B--`, 'multipart/form-data; boundary="B"');
    no(`${part('a', '1')}--B--`, 'multipart/form-data; boundary=B; charset=utf-8');
    no(`--B\r\nContent-Disposition: form-data; name="f"; filename="a.txt"\r\n\r\nx\r\n--B--`);
    no(`--B\r\nContent-Disposition: form-data; name="a"\r\nContent-Type: text/plain\r\n\r\nx\r\n--B--`);
    no(`--B\r\nContent-Disposition: form-data; name="caf\u00e9"\r\n\r\nx\r\n--B--`);
    no(`--B\r\nContent-Disposition: form-data; name="a\\"b"\r\n\r\nx\r\n--B--`);
    no(`${part('a', 'x'.repeat(64))}--B--`); // at busboy's field size: truncated, a 413
    no(`${part('a', '1')}`); // no close delimiter
    no(`${part('a', '1')}--Bx\r\n--B--`);
    no(`${Array.from({ length: 8 }, (_, i) => part(`k${i}`, 'v')).join('')}--B--`); // parts limit
    no(`${Array.from({ length: 7 }, (_, i) => part(`k${i}`, 'v')).join('')}--B--`); // fields limit
    no('--B--');
  });

  it('never disagrees with busboy (generated bodies)', async () => {
    const text = fc.string({
      unit: fc.constantFrom('a', 'B', '-', '\r', '\n', '"', '\\', ' ', 'é', '\u0000', ';'),
      maxLength: 12,
    });
    const plain = fc.string({
      unit: fc.constantFrom('a', 'b', '1', '_', 'é', ' '),
      minLength: 1,
      maxLength: 6,
    });
    const name = fc.oneof({ arbitrary: plain, weight: 6 }, { arbitrary: text, weight: 1 });
    const header = fc.oneof(
      { arbitrary: name.map((n) => `Content-Disposition: form-data; name="${n}"`), weight: 12 },
      name.map((n) => `content-DISPOSITION: form-data; name="${n}"`),
      name.map((n) => `Content-Disposition: form-data; name="${n}"; filename="f"`),
      name.map((n) => `Content-Disposition:form-data; name="${n}"`),
      name.map((n) => `Content-Disposition: Form-Data; name="${n}"`),
      fc.constant('Content-Type: text/plain'),
    );
    const value = fc.oneof(
      { arbitrary: fc.string({ maxLength: 20 }), weight: 4 },
      { arbitrary: text, weight: 2 },
      fc.constantFrom('', '--B', '\r\n--B', '\r\n--B--', 'x'.repeat(63), 'x'.repeat(64)),
    );
    const headers = fc.oneof(
      { arbitrary: header.map((h) => [h]), weight: 8 },
      fc.array(header, { minLength: 0, maxLength: 2 }),
    );
    const partArb = fc.tuple(headers, value).map(([hs, v]) => `--B\r\n${hs.join('\r\n')}\r\n\r\n${v}\r\n`);
    const bodyArb = fc.tuple(
      fc.oneof({ arbitrary: fc.constant(''), weight: 8 }, fc.constantFrom('pre\r\n', '\r\n')),
      fc.array(partArb, { maxLength: 9 }),
      fc.oneof(
        { arbitrary: fc.constantFrom('--B--', '--B--\r\n'), weight: 8 },
        fc.constantFrom('--B--\r\nepi', '--B', '', '--B-'),
      ),
    );
    const typeArb = fc.oneof(
      { arbitrary: fc.constant(ct), weight: 8 },
      fc.constantFrom(
        'multipart/form-data;boundary=B',
        'Multipart/Form-Data; BOUNDARY=B',
        'multipart/form-data; boundary="B"',
        'multipart/form-data; boundary=B; charset=utf-8',
      ),
    );
    let fast = 0;
    await fc.assert(
      fc.asyncProperty(bodyArb, typeArb, async ([pre, parts, close], type) => {
        const body = Buffer.from(pre + parts.join('') + close);
        const simple = parseSimpleMultipart(body, type, simpleLimits);
        if (simple === null) return;
        fast++;
        expect(await busboyFields(body, type, simpleLimits.fieldSize)).toEqual(simple);
      }),
      { numRuns: 6000, seed: 18 },
    );
    expect(fast).toBeGreaterThan(100);
  });
});

describe('parseBody on multipart bodies read whole', () => {
  const request = (body: string, headers: Record<string, string> = {}) =>
    new Request('http://gms.test/x', {
      method: 'POST',
      body,
      headers: { 'content-type': ct, 'content-length': String(Buffer.byteLength(body)), ...headers },
    });

  it('answers the plain shape and the busboy fallback alike', async () => {
    expect(await parseBody(request(`${part('a', '1')}--B--\r\n`), limits)).toEqual({
      fields: { a: '1' },
      files: [],
      json: null,
      kind: 'multipart',
    });
    const withFile = `${part('a', '1')}--B\r\nContent-Disposition: form-data; name="f"; filename="x.bin"\r\nContent-Type: image/png\r\n\r\nabc\r\n--B--`;
    const parsed = await parseBody(request(withFile), limits);
    expect(parsed.fields).toEqual({ a: '1' });
    expect(parsed.files.map((f) => [f.field, f.filename, f.contentType, f.data.toString()])).toEqual([
      ['f', 'x.bin', 'image/png', 'abc'],
    ]);
  });

  it('keeps the 4xx answers: limits, NUL, malformed', async () => {
    const status = (body: string) =>
      parseBody(request(body), limits).then(
        () => 200,
        (err: { status?: number }) => err.status,
      );
    expect(await status(`${part('a', 'x\u0000y')}--B--`)).toBe(400);
    expect(await status(`${part('a', '1')}`)).toBe(400);
    expect(await status(`${Array.from({ length: 7 }, (_, i) => part(`k${i}`, 'v')).join('')}--B--`)).toBe(
      413,
    );
    const bigFile = `--B\r\nContent-Disposition: form-data; name="f"; filename="x"\r\n\r\n${'y'.repeat(2000)}\r\n--B--`;
    expect(await status(bigFile)).toBe(413);
  });
});
