import { Readable } from 'node:stream';
import busboy from 'busboy';
import { badRequest, payloadTooLarge, unsupportedMediaType } from './http-errors.js';
import {
  assertNoNulInPairs,
  findValueProblem,
  hasNul,
  MAX_JSON_DEPTH,
  nulError,
  parseJsonBounded,
  shownName,
  valueProblemMessage,
} from './input-guard.js';
import { parseSimpleMultipart } from './multipart-simple.js';
import { nodeBodyOf } from './node-body.js';

export interface UploadedFile {
  field: string;
  /** The client's file name: informative only, never used as a path. */
  filename: string;
  contentType: string;
  data: Buffer;
}

export interface ParsedBody {
  /** Text parameters, in arrival order. JSON scalars are turned into strings, objects into JSON text. */
  fields: Record<string, string>;
  files: UploadedFile[];
  /** The JSON object itself, when the body was JSON. */
  json: Record<string, unknown> | null;
  kind: 'empty' | 'json' | 'urlencoded' | 'multipart';
}

export interface BodyLimits {
  bodyBytes: number;
  fileBytes: number;
  files: number;
  fields: number;
  parts: number;
}

const empty = (): ParsedBody => ({ fields: {}, files: [], json: null, kind: 'empty' });

/** Reads at most `limit` bytes; more is a 413, whatever Content-Length claimed. */
export async function readCapped(request: Request, limit: number): Promise<Buffer> {
  const node = nodeBodyOf(request);
  if (node) return readNodeCapped(node, limit);
  if (!request.body) return Buffer.alloc(0);
  const chunks: Buffer[] = [];
  let total = 0;
  const reader = request.body.getReader();
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    total += value.byteLength;
    if (total > limit) {
      await reader.cancel().catch(() => {});
      throw payloadTooLarge(`Request body exceeds ${limit} bytes`);
    }
    chunks.push(Buffer.from(value));
  }
  return Buffer.concat(chunks);
}

/**
 * `readCapped` on the Node request stream. Past the limit the stream is left paused, not destroyed:
 * destroying a request destroys its socket, and the 413 must still reach the client
 * (keep-alive.ts closes the connection after it and drops the rest of the body).
 */
function readNodeCapped(stream: Readable, limit: number): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let total = 0;
    const settle = () => {
      stream.off('data', onData);
      stream.off('end', onEnd);
      stream.off('error', onError);
    };
    const onData = (chunk: Buffer) => {
      total += chunk.length;
      if (total > limit) {
        settle();
        stream.pause();
        reject(payloadTooLarge(`Request body exceeds ${limit} bytes`));
      } else chunks.push(chunk);
    };
    const onEnd = () => {
      settle();
      resolve(chunks.length === 1 ? (chunks[0] as Buffer) : Buffer.concat(chunks, total));
    };
    const onError = () => {
      settle();
      reject(badRequest('Request body could not be read'));
    };
    stream.on('data', onData);
    stream.on('end', onEnd);
    stream.on('error', onError);
  });
}

/** The chunks of any WHATWG ReadableStream (native or ponyfill) as Buffers; cancels it when dropped. */
async function* bodyChunks(body: ReadableStream<Uint8Array>): AsyncGenerator<Buffer> {
  const reader = body.getReader();
  let done = false;
  try {
    for (;;) {
      const next = await reader.read();
      if (next.done) {
        done = true;
        return;
      }
      yield Buffer.from(next.value.buffer, next.value.byteOffset, next.value.byteLength);
    }
  } finally {
    if (!done) await reader.cancel().catch(() => {});
  }
}

export function checkDeclaredLength(request: Request, limit: number): void {
  const declared = Number(request.headers.get('content-length') ?? '0');
  if (Number.isFinite(declared) && declared > limit)
    throw payloadTooLarge(`Request body exceeds ${limit} bytes`);
}

function stringifyJsonValue(value: unknown): string {
  if (value === null || value === undefined) return '';
  if (typeof value === 'object') return JSON.stringify(value);
  return String(value);
}

/**
 * Parses the bodies GMS accepts: multipart/form-data (files too), urlencoded and JSON. Every
 * limit turns into a 4xx; a malformed body is a 400, never a 500 or a hang.
 */
export async function parseBody(request: Request, limits: BodyLimits): Promise<ParsedBody> {
  const body = await parseAnyBody(request, limits);
  assertCleanBody(body);
  return body;
}

/** Text that PostgreSQL would refuse (a NUL anywhere) is the client's error, named in a 400. */
function assertCleanBody(body: ParsedBody): void {
  if (body.json) {
    const problem = findValueProblem(body.json, 'The JSON body');
    if (problem)
      throw badRequest(
        valueProblemMessage(problem),
        `http/${problem.kind === 'nul' ? 'nul_character' : 'json_too_deep'}`,
      );
  } else assertNoNulInPairs(Object.entries(body.fields), 'parameter');
  for (const file of body.files) {
    if (hasNul(file.field)) throw nulError('The name of a file part');
    const name = shownName(file.field);
    if (hasNul(file.filename)) throw nulError(`The file name of part '${name}'`);
    if (hasNul(file.contentType)) throw nulError(`The content type of part '${name}'`);
  }
}

async function parseAnyBody(request: Request, limits: BodyLimits): Promise<ParsedBody> {
  const contentType = request.headers.get('content-type') ?? '';
  const mediaType = contentType.split(';')[0]?.trim().toLowerCase() ?? '';
  checkDeclaredLength(request, limits.bodyBytes);

  if (mediaType === 'multipart/form-data') return parseMultipart(request, contentType, limits);

  const raw = await readCapped(request, limits.bodyBytes);
  if (raw.length === 0) return empty();

  if (mediaType === 'application/json' || mediaType.endsWith('+json')) {
    const result = parseJsonBounded(raw.toString('utf8'));
    if (!result.ok)
      throw result.reason === 'too_deep'
        ? badRequest(`JSON body nested deeper than ${MAX_JSON_DEPTH} levels`, 'http/json_too_deep')
        : badRequest('Malformed JSON body', 'http/malformed_json');
    const parsed = result.value;
    if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed))
      throw badRequest('JSON body must be an object', 'http/malformed_json');
    const json = parsed as Record<string, unknown>;
    const keys = Object.keys(json);
    if (keys.length > limits.fields) throw payloadTooLarge(`More than ${limits.fields} fields`);
    const fields: Record<string, string> = {};
    for (const k of keys) fields[k] = stringifyJsonValue(json[k]);
    return { fields, files: [], json, kind: 'json' };
  }

  if (mediaType === 'application/x-www-form-urlencoded' || mediaType === '' || mediaType === 'text/plain') {
    const params = new URLSearchParams(raw.toString('utf8'));
    const fields: Record<string, string> = {};
    let count = 0;
    for (const [k, v] of params) {
      if (++count > limits.fields) throw payloadTooLarge(`More than ${limits.fields} fields`);
      fields[k] = v;
    }
    return { fields, files: [], json: null, kind: 'urlencoded' };
  }

  throw unsupportedMediaType(`Unsupported Content-Type '${mediaType}'`);
}

/**
 * Bodies declaring at most this many bytes are read whole before parsing: the plain shape is then
 * parsed without busboy (multipart-simple.ts), anything else by busboy from the buffer. Larger ones
 * stream into busboy, so a file over its limit is refused before the rest of the body arrives.
 */
const WHOLE_MULTIPART_BYTES = 16 * 1024;

function parseMultipart(request: Request, contentType: string, limits: BodyLimits): Promise<ParsedBody> {
  const node = nodeBodyOf(request);
  if (!node && !request.body) return Promise.resolve({ ...empty(), kind: 'multipart' });
  const declared = request.headers.get('content-length');
  if (declared !== null && Number(declared) <= WHOLE_MULTIPART_BYTES)
    return readCapped(request, limits.bodyBytes).then((whole) => {
      // No bytes at all: no fields, as when there is no body (a client that sends the header anyway).
      if (whole.length === 0) return { ...empty(), kind: 'multipart' };
      const fields = parseSimpleMultipart(whole, contentType, busboyLimits(limits));
      return fields
        ? { fields, files: [], json: null, kind: 'multipart' }
        : parseWithBusboy(contentType, limits, { whole });
    });
  const source =
    node ??
    // Not Readable.fromWeb: behind the HTTP server adapter the body is @whatwg-node's ponyfill
    // ReadableStream, which fromWeb rejects (every multipart request over real HTTP was a 500).
    Readable.from(bodyChunks(request.body as ReadableStream<Uint8Array>), { objectMode: false });
  return parseWithBusboy(contentType, limits, { stream: source, node: node !== null });
}

const busboyLimits = (limits: BodyLimits) => ({
  fileSize: limits.fileBytes,
  files: limits.files,
  fields: limits.fields,
  parts: limits.parts,
  fieldSize: Math.min(limits.bodyBytes, 1024 * 1024),
});

/**
 * busboy over a body read whole, or over its stream: over HTTP the Node request stream itself
 * (node-body.ts), else one made from the WHATWG body.
 */
function parseWithBusboy(
  contentType: string,
  limits: BodyLimits,
  input: { whole: Buffer } | { stream: Readable; node: boolean },
): Promise<ParsedBody> {
  let parser: busboy.Busboy;
  try {
    parser = busboy({
      headers: { 'content-type': contentType },
      defParamCharset: 'utf8',
      limits: busboyLimits(limits),
    });
  } catch (err) {
    return Promise.reject(
      badRequest(`Malformed multipart body: ${(err as Error).message}`, 'http/malformed_multipart'),
    );
  }

  return new Promise<ParsedBody>((resolve, reject) => {
    const fields: Record<string, string> = {};
    const files: UploadedFile[] = [];
    let settled = false;
    let received = 0;
    const source = 'stream' in input ? input.stream : null;

    const onData = (chunk: Buffer) => {
      received += chunk.length;
      if (received > limits.bodyBytes)
        fail(payloadTooLarge(`Request body exceeds ${limits.bodyBytes} bytes`));
    };
    const onError = () => fail(badRequest('Request body could not be read', 'http/malformed_multipart'));
    const fail = (err: Error) => {
      if (settled) return;
      settled = true;
      if (source) {
        source.unpipe(parser);
        // The Node request stream is left paused, not destroyed (that would destroy the socket
        // before the error answer is written; keep-alive.ts closes the connection after it).
        if ('node' in input && input.node) {
          source.off('data', onData);
          source.pause();
        } else source.destroy();
      }
      parser.removeAllListeners();
      parser.on('error', () => {});
      reject(err);
    };

    if (source) {
      source.on('data', onData);
      source.on('error', onError);
    }

    // A part whose name busboy cannot read (e.g. only an RFC 5987 `name*=`) comes without one:
    // it is an unnamed part (''), never `undefined` reaching the checks and the managers.
    parser.on('field', (rawName: string | undefined, value, info) => {
      const name = rawName ?? '';
      if (info.valueTruncated) return fail(payloadTooLarge(`Field '${name}' is too large`));
      fields[name] = value;
    });
    parser.on('file', (rawName: string | undefined, stream, info) => {
      const name = rawName ?? '';
      const chunks: Buffer[] = [];
      stream.on('data', (c: Buffer) => chunks.push(c));
      stream.on('limit', () => fail(payloadTooLarge(`File '${name}' exceeds ${limits.fileBytes} bytes`)));
      // A body that ends inside a file part errors the file stream, not only the parser: unheard,
      // that 'error' is re-thrown by Node and ends the process.
      stream.on('error', (err: Error) =>
        fail(badRequest(`Malformed multipart body: ${err.message}`, 'http/malformed_multipart')),
      );
      stream.on('close', () => {
        if (settled) return;
        files.push({
          field: name,
          filename: info.filename ?? name,
          contentType: info.mimeType || 'application/octet-stream',
          data: Buffer.concat(chunks),
        });
      });
    });
    parser.on('partsLimit', () => fail(payloadTooLarge(`More than ${limits.parts} parts`)));
    parser.on('filesLimit', () => fail(payloadTooLarge(`More than ${limits.files} files`)));
    parser.on('fieldsLimit', () => fail(payloadTooLarge(`More than ${limits.fields} fields`)));
    parser.on('error', (err: Error) => {
      // A streamed body without a single byte is no fields (as without a body), not a malformed one.
      if (source && received === 0 && !settled) {
        settled = true;
        resolve({ ...empty(), kind: 'multipart' });
        return;
      }
      fail(badRequest(`Malformed multipart body: ${err.message}`, 'http/malformed_multipart'));
    });
    parser.on('close', () => {
      if (settled) return;
      settled = true;
      resolve({ fields, files, json: null, kind: 'multipart' });
    });
    if (source) source.pipe(parser);
    else if ('whole' in input) parser.end(input.whole);
  });
}

/**
 * The same request with its body read under the size cap (GraphQL over HTTP, whose parser has no
 * limit of its own): more than `limit` bytes is a 413 before anything is parsed.
 */
export async function withCappedBody(request: Request, limit: number): Promise<Request> {
  if (!request.body || request.method === 'GET' || request.method === 'HEAD') return request;
  checkDeclaredLength(request, limit);
  const body = await readCapped(request, limit);
  return new Request(request.url, {
    method: request.method,
    headers: request.headers,
    body: new Uint8Array(body.buffer as ArrayBuffer, body.byteOffset, body.byteLength),
  });
}
