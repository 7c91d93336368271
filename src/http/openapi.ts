import { appVersion } from '../version.js';
import type { ParamDoc, Route, RouteDoc, RouteTable } from './route-table.js';

type Schema = Record<string, unknown>;

/** The GMS form media a body may come in; multipart first (what GMS clients send). */
const FORM_MEDIA = ['multipart/form-data', 'application/x-www-form-urlencoded', 'application/json'];

const TAG_DESCRIPTIONS: Record<string, string> = {
  'Service API': 'Create, query and stop service sessions; per-session requests and storage',
  'Storage API': 'Key/value data with a time to live, bound to gms_user',
  'Callback API': 'Start, query, cancel and reschedule callbacks; admin queue views',
  'Office hours': 'Callback availability (v1 and v2)',
  'Notification API': 'Subscriptions to session events and publishing (JSON only)',
  'Pattern Matcher API': 'Match values against the configured patterns',
  'Statistics API': 'Routing statistics',
  Node: 'Node status for load balancers and admins',
  'Legacy edge': 'This document',
};

/**
 * A path parameter's description when its route's doc gives none: what the segment names, from its
 * name and where it stands (the same `id` is a session, a storage area, a callback or a subscription).
 */
export function pathParamDescription(pattern: string, name: string): string {
  const under = (prefix: string) => pattern.startsWith(`/genesys/1/${prefix}`);
  switch (name) {
    case 'id':
      if (under('notification/')) return 'The subscription id (the `id` its subscribe answered)';
      if (under('storage/custom/') || under('storage/binary/custom/'))
        return 'Your id of the area (custom id)';
      if (under('storage/')) return 'The storage area id (the `_id` its create answered)';
      if (under('service/callback/')) return 'The callback id (the `_id` its start answered)';
      return 'The session id (the `_id` its create answered)';
    case 'name':
      if (under('patterns/')) return 'The pattern group (Tools → Patterns)';
      if (under('service/callback/')) return 'The callback service (Services)';
      return 'The service (Services), or a built-in service type';
    case 'key':
      return pattern.includes('/binary/') ? 'The key the file is stored under' : 'The key of the value';
    case 'customId':
      return 'An id of your own for the area';
    case 'ttl':
      return 'Time to live in seconds: the data is deleted after it';
    case 'request':
      return 'The per-session request (e.g. connect, check-queue-position)';
    case 'rest':
      return 'The chat request (send, refresh, startTyping, stopTyping, disconnect)';
    default:
      return `The ${name} path segment`;
  }
}

function schemaOf(doc: ParamDoc | undefined): Schema {
  const out: Schema = {};
  if (doc?.type === 'file') return { type: 'string', contentMediaType: 'application/octet-stream' };
  if (doc?.type === 'date-time') Object.assign(out, { type: 'string', format: 'date-time' });
  else out.type = doc?.type ?? 'string';
  if (doc?.enum) out.enum = doc.enum;
  if (doc?.description) out.description = doc.description;
  if (doc?.example !== undefined) out.examples = [doc.example];
  return out;
}

/** `/genesys/1/service/:id/*request` → `/genesys/1/service/{id}/{request}`. */
export const openApiPath = (pattern: string) => pattern.replace(/[:*]([A-Za-z_][A-Za-z0-9_]*)/g, '{$1}');

function operation(route: Route, doc: RouteDoc | null): Schema {
  const parameters: Schema[] = [];
  for (const seg of route.segments)
    if (seg.startsWith(':') || seg.startsWith('*')) {
      const name = seg.slice(1);
      parameters.push({
        name,
        in: 'path',
        required: true,
        schema: { type: 'string' },
        description: doc?.params?.[name] ?? pathParamDescription(route.pattern, name),
      });
    }
  for (const [name, p] of Object.entries(doc?.query ?? {}))
    parameters.push({
      name,
      in: 'query',
      required: p.required ?? false,
      schema: schemaOf(p),
      ...(p.description ? { description: p.description } : {}),
    });
  const op: Schema = {
    tags: [route.tag],
    summary: doc?.summary ?? route.summary,
    operationId: `${route.method.toLowerCase()}${openApiPath(route.pattern).replace(/[^A-Za-z0-9]+(.)?/g, (_m, c?: string) => (c ?? '').toUpperCase())}`,
    parameters,
    responses: {
      '200': { description: 'The GMS JSON answer' },
      default: {
        description: 'A GMS error: { message, exception, code, phrase }',
        content: { 'application/json': { schema: { $ref: '#/components/schemas/GmsError' } } },
      },
    },
  };
  if (doc?.description) op.description = doc.description;
  if (route.admin) op.security = [{ basic: [] }, { bearer: [] }];
  const body = doc?.body;
  const hasBody = body !== false && (body !== undefined || route.method === 'POST' || route.method === 'PUT');
  if (hasBody) {
    const fields = body ? (body.fields ?? {}) : {};
    const free = body ? (body.free ?? true) : true;
    const required = Object.entries(fields)
      .filter(([, f]) => f.required)
      .map(([n]) => n);
    const schema: Schema = {
      type: 'object',
      properties: Object.fromEntries(Object.entries(fields).map(([n, f]) => [n, schemaOf(f)])),
      additionalProperties: free,
      ...(required.length ? { required } : {}),
    };
    const media = (body ? body.media : undefined) ?? FORM_MEDIA;
    op.requestBody = { content: Object.fromEntries(media.map((m) => [m, { schema }])) };
  }
  return op;
}

/** OpenAPI 3.1 of the legacy GMS API under `/genesys/1`, derived from the route table. */
export function openApiDocument(table: RouteTable): Schema {
  const routes = table
    .all()
    .filter((r) => r.kind === 'legacy' && !r.fallback && r.pattern.startsWith('/genesys/1/'))
    .slice()
    .sort((a, b) => a.pattern.localeCompare(b.pattern) || a.method.localeCompare(b.method));
  const paths: Record<string, Record<string, Schema>> = {};
  for (const route of routes) {
    const path = openApiPath(route.pattern);
    paths[path] ??= {};
    (paths[path] as Record<string, Schema>)[route.method.toLowerCase()] = operation(
      route,
      table.docOf(route),
    );
  }
  // In the table's group order (Service API first), as the README's route map.
  const tags = table.groups().filter((g) => routes.some((r) => r.tag === g));
  return {
    openapi: '3.1.0',
    info: {
      title: 'GMS Engage: the GMS 8.1 legacy REST API',
      version: appVersion,
      description:
        'The Genesys Mobile Services 8.1 REST API as this server answers it. Identify the end user with the gms_user header; admin operations take HTTP Basic or a bearer token from the GraphQL login mutation.',
    },
    servers: [{ url: '/' }],
    tags: tags.map((name) => ({
      name,
      ...(TAG_DESCRIPTIONS[name] ? { description: TAG_DESCRIPTIONS[name] } : {}),
    })),
    paths,
    components: {
      securitySchemes: {
        basic: { type: 'http', scheme: 'basic' },
        bearer: { type: 'http', scheme: 'bearer' },
      },
      schemas: {
        GmsError: {
          type: 'object',
          properties: {
            message: { type: 'string' },
            exception: { type: 'string' },
            code: { type: 'integer' },
            phrase: { type: 'string' },
          },
          required: ['message', 'exception', 'code', 'phrase'],
        },
      },
    },
  };
}

/** GET /genesys/1/openapi.json (cheap: a few dozen routes, so built per request and never stale). */
export function openApiResponse(table: RouteTable, request: Request): Response {
  return new Response(request.method === 'HEAD' ? null : JSON.stringify(openApiDocument(table)), {
    headers: { 'content-type': 'application/json;charset=UTF-8', 'cache-control': 'no-cache' },
  });
}
