import fc from 'fast-check';
import {
  type GraphQLArgument,
  type GraphQLField,
  type GraphQLInputType,
  type GraphQLSchema,
  getNamedType,
  isCompositeType,
  isEnumType,
  isInputObjectType,
  isListType,
  isNonNullType,
  isScalarType,
} from 'graphql';

/**
 * fast-check generators of hostile HTTP requests (issue 16 deliverable 1): random, truncated and
 * oversized multipart / urlencoded / JSON bodies, NUL bytes and odd Unicode in every field, key,
 * file name, header and path id, deep nesting. Shared by the CI suite (test/fuzz.test.ts) and the
 * longer run (`npm run fuzz`, scripts/fuzz.ts).
 */

export interface FuzzRoute {
  method: string;
  pattern: string;
  admin: boolean;
}

export interface FuzzRequest {
  /** What was sent, for the failure report. */
  label: string;
  method: string;
  path: string;
  headers: Record<string, string>;
  body: Uint8Array | null;
}

/** Values that lead somewhere (ids and names that exist), mixed with the random ones. */
export interface FuzzPools {
  ids: string[];
  names: string[];
}

export interface FuzzLimits {
  /** BODY_LIMIT_BYTES of the server under test: oversized bodies are just over it. */
  bodyBytes: number;
}

export const ADMIN_AUTH = `Basic ${Buffer.from('default:password').toString('base64')}`;

const NASTY = [
  '\u0000',
  'a\u0000b',
  '\u202e',
  '\u{1f600}',
  '\uffff',
  '\ufeff',
  '\u0085',
  '\u2028',
  '\ud800',
  '\udfff',
  'é',
  'Ω≈ç√',
  '%',
  '%00',
  '%zz',
  '..',
  '../..',
  '/',
  '\\',
  '"',
  "'",
  '<script>alert(1)</script>',
  '$' + '{x}',
  '{{x}}',
  '\r\n',
  ' ',
  '',
  '-1',
  '0',
  '1e309',
  '9223372036854775808',
  'NaN',
  'true',
  'null',
  '[]',
  '{}',
];

/** GMS parameter names, so random bodies reach the rules behind them and not only "unknown". */
const KNOWN_KEYS = [
  '_customer_number',
  '_desired_time',
  '_callback_state',
  '_phone_number',
  '_media_type',
  '_urs_virtual_queue',
  '_target',
  '_id',
  '_data_id',
  '_userData',
  '_provide_code',
  '_status',
  '_new_desired_time',
  'max',
  'reason',
  'timezone',
  'start',
  'end',
  'name',
  'value',
  'notificationDetails',
  'subscriptionId',
  'deviceId',
  'events',
  'expire',
  'provider',
  'filter',
  'channel',
  'message',
  'tag',
  'gms_user',
];

const text = (maxLength = 24): fc.Arbitrary<string> =>
  fc.oneof(
    { weight: 3, arbitrary: fc.string({ unit: 'binary', maxLength }) },
    { weight: 3, arbitrary: fc.constantFrom(...NASTY) },
    {
      weight: 2,
      arbitrary: fc
        .tuple(fc.string({ maxLength: 6 }), fc.constantFrom(...NASTY), fc.string({ maxLength: 6 }))
        .map((p) => p.join('')),
    },
    { weight: 1, arbitrary: fc.integer().map(String) },
    { weight: 1, arbitrary: fc.integer({ min: 300, max: 3000 }).map((n) => 'x'.repeat(n)) },
  );

const key = fc.oneof(
  { weight: 3, arbitrary: fc.constantFrom(...KNOWN_KEYS) },
  { weight: 2, arbitrary: text(12) },
);

/** Percent-encodes what can be encoded; a lone surrogate becomes invalid UTF-8 on the wire. */
function encode(s: string): string {
  try {
    return encodeURIComponent(s);
  } catch {
    return [...s]
      .map((c) => {
        try {
          return encodeURIComponent(c);
        } catch {
          return '%ED%A0%80';
        }
      })
      .join('');
  }
}

/** A header value as Node would receive it: UTF-8 bytes read as latin1, minus what fetch forbids. */
const headerValue = (s: string) =>
  Buffer.from(s, 'utf8')
    .toString('latin1')
    .split('')
    .filter((c) => {
      const code = c.charCodeAt(0);
      return code === 9 || (code >= 32 && code !== 127); // fetch refuses other control characters
    })
    .join('')
    .trim();

/** `.` and `..` segments are resolved by the client's URL parser before they are sent: not tested. */
const notDotSegment = (s: string) => (/^(\.|%2e){1,2}$/i.test(s) ? 'dot' : s);

const segment = (pools: FuzzPools) =>
  fc
    .oneof(
      { weight: 3, arbitrary: fc.constantFrom(...pools.ids, ...pools.names, '60', '3600').map(encode) },
      { weight: 4, arbitrary: text().map(encode) },
      { weight: 1, arbitrary: fc.constantFrom('%', '%zz', '%ED%A0%80', '%00', '%2F', 'a%2Fb', '.%2e.') },
    )
    .map(notDotSegment);

function pathFor(pattern: string, pools: FuzzPools): fc.Arbitrary<string> {
  const parts = pattern.split('/').filter(Boolean);
  return fc
    .tuple(
      ...parts.map((p) =>
        p.startsWith('*')
          ? fc.array(segment(pools), { minLength: 1, maxLength: 3 }).map((s) => s.join('/'))
          : p.startsWith(':')
            ? segment(pools)
            : fc.constant(p),
      ),
    )
    .map((s) => `/${s.join('/')}`);
}

const query = fc
  .array(fc.tuple(key, text()), { maxLength: 4 })
  .map((pairs) => (pairs.length ? `?${pairs.map(([k, v]) => `${encode(k)}=${encode(v)}`).join('&')}` : ''));

interface Body {
  kind: string;
  contentType: string | null;
  bytes: Uint8Array | null;
}

const utf8 = (s: string) => new Uint8Array(Buffer.from(s, 'utf8'));

/** JSON nested `depth` levels, as text (never built as an object: that is what is being tested). */
const deepJson = (depth: number, array: boolean) =>
  array ? `${'['.repeat(depth)}1${']'.repeat(depth)}` : `${'{"a":'.repeat(depth)}1${'}'.repeat(depth)}`;

const jsonBody: fc.Arbitrary<Body> = fc
  .oneof(
    fc
      .dictionary(key, fc.oneof(text(), fc.jsonValue({ maxDepth: 3 })), { maxKeys: 6 })
      .map((o) => JSON.stringify(o)),
    fc.jsonValue({ maxDepth: 4 }).map((v) => JSON.stringify(v)),
    fc
      .tuple(key, fc.integer({ min: 20, max: 8000 }), fc.boolean())
      .map(([k, d, a]) => `{${JSON.stringify(k)}:${deepJson(d, a)}}`),
    fc.tuple(fc.dictionary(key, text(), { maxKeys: 4 }), fc.nat()).map(([o, cut]) => {
      const s = JSON.stringify(o);
      return s.slice(0, cut % (s.length + 1)); // truncated
    }),
    text(60),
  )
  .chain((s) =>
    fc
      .constantFrom('application/json', 'application/json; charset=utf-8', 'application/vnd.x+json')
      .map((ct) => ({ kind: 'json', contentType: ct, bytes: utf8(s) })),
  );

const urlencodedBody: fc.Arbitrary<Body> = fc
  .oneof(
    fc
      .array(fc.tuple(key, text()), { maxLength: 8 })
      .map((pairs) => pairs.map(([k, v]) => `${encode(k)}=${encode(v)}`).join('&')),
    text(80), // raw, percent signs and all
  )
  .map((s) => ({ kind: 'urlencoded', contentType: 'application/x-www-form-urlencoded', bytes: utf8(s) }));

interface Part {
  name: string;
  value: string;
  file: { filename: string; type: string } | null;
  /** Name and file name as RFC 5987 `name*=` / `filename*=` (how a NUL gets past busboy's header parser). */
  extended: boolean;
}

const part: fc.Arbitrary<Part> = fc.record({
  name: key,
  value: text(200),
  file: fc.option(
    fc.record({
      filename: text(20),
      type: fc.oneof(
        fc.constantFrom('text/html', 'image/svg+xml', 'image/png', 'application/octet-stream', ''),
        text(20),
      ),
    }),
  ),
  extended: fc.boolean(),
});

function multipartText(boundary: string, parts: Part[]): string {
  const quoted = (s: string) => s.replace(/[\r\n"]/g, '_');
  let out = '';
  for (const p of parts) {
    const name = p.extended ? `name*=UTF-8''${encode(p.name)}` : `name="${quoted(p.name)}"`;
    let disposition = `form-data; ${name}`;
    if (p.file)
      disposition += p.extended
        ? `; filename*=UTF-8''${encode(p.file.filename)}`
        : `; filename="${quoted(p.file.filename)}"`;
    out += `--${boundary}\r\nContent-Disposition: ${disposition}\r\n`;
    if (p.file) out += `Content-Type: ${p.file.type.replace(/[\r\n]/g, '')}\r\n`;
    out += `\r\n${p.value}\r\n`;
  }
  return `${out}--${boundary}--\r\n`;
}

const multipartBody: fc.Arbitrary<Body> = fc
  .record({
    boundary: fc.oneof(
      fc.constant('fuzzBoundary'),
      fc.string({ unit: 'binary-ascii', minLength: 1, maxLength: 70 }),
    ),
    parts: fc.array(part, { maxLength: 5 }),
    cut: fc.option(fc.nat(), { freq: 3 }),
    declared: fc.oneof(fc.constant(null), text(20)),
  })
  .map(({ boundary, parts, cut, declared }) => {
    const b = boundary.replace(/[\r\n\0]/g, '') || 'b';
    let s = multipartText(b, parts);
    if (cut !== null) s = s.slice(0, cut % (s.length + 1)); // truncated, possibly inside a file part
    // The boundary in the header is sometimes not the one in the body, or not a boundary at all.
    const header =
      declared === null ? `multipart/form-data; boundary=${b}` : `multipart/form-data; ${declared}`;
    return { kind: 'multipart', contentType: headerValue(header), bytes: utf8(s) };
  });

const oversizedBody = (limits: FuzzLimits): fc.Arbitrary<Body> =>
  fc.constantFrom('urlencoded', 'json', 'multipart').map((kind) => {
    const n = limits.bodyBytes + 1024;
    if (kind === 'json')
      return { kind: 'oversized', contentType: 'application/json', bytes: utf8(`{"a":"${'x'.repeat(n)}"}`) };
    if (kind === 'urlencoded')
      return {
        kind: 'oversized',
        contentType: 'application/x-www-form-urlencoded',
        bytes: utf8(`a=${'x'.repeat(n)}`),
      };
    const s = multipartText('big', [
      {
        name: 'f',
        value: 'x'.repeat(n),
        file: { filename: 'big.bin', type: 'application/octet-stream' },
        extended: false,
      },
    ]);
    return { kind: 'oversized', contentType: 'multipart/form-data; boundary=big', bytes: utf8(s) };
  });

const randomBody: fc.Arbitrary<Body> = fc
  .record({
    bytes: fc.uint8Array({ maxLength: 300 }),
    contentType: fc.oneof(
      fc.constantFrom('text/plain', 'application/xml', 'application/octet-stream', 'multipart/mixed', ''),
      text(30).map(headerValue),
    ),
  })
  .map(({ bytes, contentType }) => ({ kind: 'random', contentType: contentType || null, bytes }));

export const bodyArb = (limits: FuzzLimits): fc.Arbitrary<Body> =>
  fc.oneof(
    { weight: 1, arbitrary: fc.constant<Body>({ kind: 'none', contentType: null, bytes: null }) },
    { weight: 3, arbitrary: jsonBody },
    { weight: 3, arbitrary: urlencodedBody },
    { weight: 4, arbitrary: multipartBody },
    { weight: 1, arbitrary: oversizedBody(limits) },
    { weight: 1, arbitrary: randomBody },
  );

const authorization = fc.oneof(
  { weight: 3, arbitrary: fc.constant<string | null>(null) },
  { weight: 3, arbitrary: fc.constant<string | null>(ADMIN_AUTH) },
  {
    weight: 1,
    arbitrary: fc.oneof(
      text().map((s) => `Basic ${Buffer.from(s).toString('base64')}`),
      text().map((s) => `Bearer ${headerValue(s)}`),
      text().map(headerValue),
    ),
  },
);

const headersArb = fc.record({
  authorization,
  gmsUser: fc.option(fc.oneof(fc.constantFrom('device-1', 'device-2'), text().map(headerValue))),
  deviceToken: fc.option(text().map(headerValue), { freq: 4 }),
  extra: fc.option(
    fc.tuple(fc.constantFrom('x-fuzz', 'accept', 'accept-language', 'origin'), text().map(headerValue)),
  ),
});

function headersOf(h: HeadersInput, body: Body) {
  const out: Record<string, string> = {};
  if (h.authorization) out.authorization = h.authorization;
  if (h.gmsUser !== null) out.gms_user = h.gmsUser;
  if (h.deviceToken !== null) out['x-gms-device-token'] = h.deviceToken;
  if (h.extra) out[h.extra[0]] = h.extra[1];
  if (body.contentType !== null) out['content-type'] = body.contentType;
  return out;
}
type HeadersInput = {
  authorization: string | null;
  gmsUser: string | null;
  deviceToken: string | null;
  extra: [string, string] | null;
};

/** Requests to one legacy route: its path with hostile ids, query, headers and any body. */
export function legacyRequestArb(
  route: FuzzRoute,
  pools: FuzzPools,
  limits: FuzzLimits,
): fc.Arbitrary<FuzzRequest> {
  return fc
    .record({ path: pathFor(route.pattern, pools), query, headers: headersArb, body: bodyArb(limits) })
    .map(({ path, query: q, headers, body }) => ({
      label: `${route.method} ${route.pattern} [${body.kind}]`,
      method: route.method,
      path: `${path}${q}`,
      headers: headersOf(headers, body),
      body: route.method === 'GET' || route.method === 'HEAD' ? null : body.bytes,
    }));
}

// ---------------------------------------------------------------- GraphQL

const MAX_INPUT_DEPTH = 3;

/** A random value of a GraphQL input type (often right, sometimes hostile). */
function inputValue(type: GraphQLInputType, pools: FuzzPools, depth: number): fc.Arbitrary<unknown> {
  if (isNonNullType(type)) return inputValue(type.ofType, pools, depth);
  const nullable = (a: fc.Arbitrary<unknown>) =>
    fc.oneof({ weight: 6, arbitrary: a }, { weight: 1, arbitrary: fc.constant(null) });
  if (isListType(type))
    return nullable(
      fc.array(inputValue(type.ofType, pools, depth + 1), { maxLength: depth > MAX_INPUT_DEPTH ? 0 : 3 }),
    );
  if (isEnumType(type))
    return nullable(fc.oneof(fc.constantFrom(...type.getValues().map((v) => v.name)), text(8)));
  if (isInputObjectType(type)) {
    if (depth > MAX_INPUT_DEPTH) return fc.constant({});
    const fields = Object.values(type.getFields());
    return nullable(
      fc.record(Object.fromEntries(fields.map((f) => [f.name, inputValue(f.type, pools, depth + 1)])), {
        requiredKeys: fields.filter((f) => isNonNullType(f.type)).map((f) => f.name),
      }),
    );
  }
  if (isScalarType(type)) {
    switch (type.name) {
      case 'Int':
        return nullable(
          fc.oneof(fc.integer({ min: -5, max: 100 }), fc.integer(), fc.constant(2 ** 31), text(6)),
        );
      case 'Float':
        return nullable(fc.oneof(fc.double({ noNaN: true }), fc.constant(1e308), text(6)));
      case 'Boolean':
        return nullable(fc.oneof(fc.boolean(), text(4)));
      case 'ID':
        return nullable(fc.oneof(fc.constantFrom(...pools.ids, ...pools.names), text()));
      case 'DateTime':
        return nullable(
          fc.oneof(
            fc.date({ noInvalidDate: true }).map((d) => d.toISOString()),
            fc.constantFrom('0000-01-01T00:00:00Z', '+275760-09-13T00:00:00.000Z', '294277-01-01T00:00:00Z'),
            text(),
          ),
        );
      default:
        return nullable(fc.oneof(fc.constantFrom(...pools.names), text(), fc.jsonValue({ maxDepth: 3 })));
    }
  }
  return fc.constant(null);
}

function typeString(type: GraphQLInputType): string {
  return String(type);
}

/** One operation calling `field` with variables for every argument. */
function operationFor(kind: 'query' | 'mutation', field: GraphQLField<unknown, unknown>, pools: FuzzPools) {
  const args: readonly GraphQLArgument[] = field.args;
  const declared = args.map((a, i) => `$v${i}: ${typeString(a.type)}`).join(', ');
  const passed = args.map((a, i) => `${a.name}: $v${i}`).join(', ');
  const selection = isCompositeType(getNamedType(field.type)) ? ' { __typename }' : '';
  const text = `${kind}${declared ? `(${declared})` : ''} { ${field.name}${passed ? `(${passed})` : ''}${selection} }`;
  return fc
    .tuple(...args.map((a) => inputValue(a.type, pools, 0)))
    .map((values) => ({ query: text, variables: Object.fromEntries(values.map((v, i) => [`v${i}`, v])) }));
}

/** GraphQL requests: every query and mutation field with generated variables, plus raw junk. */
export function graphqlRequestArb(
  schema: GraphQLSchema,
  pools: FuzzPools,
  limits: FuzzLimits,
): fc.Arbitrary<FuzzRequest> {
  const ops: fc.Arbitrary<{ label: string; query: string; variables: Record<string, unknown> }>[] = [];
  for (const [kind, root] of [
    ['query', schema.getQueryType()],
    ['mutation', schema.getMutationType()],
  ] as const) {
    if (!root) continue;
    for (const field of Object.values(root.getFields()))
      ops.push(
        operationFor(kind, field, pools).map((o) => ({ label: `graphql ${kind} ${field.name}`, ...o })),
      );
  }
  const junk = fc.oneof(
    text(200).map((q) => ({ label: 'graphql junk query', query: q, variables: {} })),
    fc.integer({ min: 20, max: 3000 }).map((d) => ({
      label: 'graphql deep selection',
      query: `{${' serverInfo {'.repeat(d)}${'}'.repeat(d)}}`,
      variables: {},
    })),
  );
  const operation = fc.oneof({ weight: 8, arbitrary: fc.oneof(...ops) }, { weight: 1, arbitrary: junk });
  return fc
    .record({
      op: operation,
      headers: headersArb,
      form: fc.oneof(
        { weight: 6, arbitrary: fc.constant<'json' | 'deep' | 'raw'>('json') },
        { weight: 1, arbitrary: fc.constantFrom<'json' | 'deep' | 'raw'>('deep', 'raw') },
      ),
      raw: bodyArb(limits),
    })
    .map(({ op, headers, form, raw }) => {
      let body: Body;
      if (form === 'raw') body = raw;
      else if (form === 'deep')
        body = {
          kind: 'json',
          contentType: 'application/json',
          bytes: utf8(`{"query":${JSON.stringify(op.query)},"variables":{"v0":${deepJson(5000, true)}}}`),
        };
      else
        body = {
          kind: 'json',
          contentType: 'application/json',
          bytes: utf8(JSON.stringify({ query: op.query, variables: op.variables })),
        };
      return {
        label: `${op.label} [${form === 'raw' ? raw.kind : form}]`,
        method: 'POST',
        path: '/graphql',
        headers: headersOf(headers, body),
        body: body.bytes,
      };
    });
}
