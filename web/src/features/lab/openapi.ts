/** The parts of an OpenAPI 3.1 document the REST try-it reads (GET /genesys/1/openapi.json). */
export interface OpenApiSchema {
  type?: string;
  enum?: string[];
  format?: string;
  description?: string;
  examples?: unknown[];
  properties?: Record<string, OpenApiSchema>;
  required?: string[];
  additionalProperties?: boolean | OpenApiSchema;
  contentMediaType?: string;
}

export interface OpenApiParameter {
  name: string;
  in: 'path' | 'query' | 'header' | 'cookie';
  description?: string;
  required?: boolean;
  schema?: OpenApiSchema;
}

export interface OpenApiOperation {
  tags?: string[];
  summary?: string;
  description?: string;
  operationId?: string;
  parameters?: OpenApiParameter[];
  requestBody?: { required?: boolean; content: Record<string, { schema?: OpenApiSchema }> };
  security?: Record<string, string[]>[];
}

export interface OpenApiDocument {
  openapi: string;
  info: { title: string; version: string; description?: string };
  tags?: { name: string; description?: string }[];
  paths: Record<string, Record<string, OpenApiOperation>>;
}

export interface Operation extends OpenApiOperation {
  method: string;
  path: string;
  key: string;
}

const METHODS = ['get', 'post', 'put', 'patch', 'delete', 'head', 'options'];

/** Operations grouped by their first tag, in the document's tag order (untagged last). */
export function operationsByTag(doc: OpenApiDocument): [string, Operation[]][] {
  const groups = new Map<string, Operation[]>();
  for (const t of doc.tags ?? []) groups.set(t.name, []);
  for (const [path, item] of Object.entries(doc.paths))
    for (const [method, op] of Object.entries(item)) {
      if (!METHODS.includes(method)) continue;
      const tag = op.tags?.[0] ?? 'Other';
      const list = groups.get(tag) ?? [];
      list.push({ ...op, method: method.toUpperCase(), path, key: `${method} ${path}` });
      groups.set(tag, list);
    }
  return [...groups].filter(([, ops]) => ops.length > 0);
}

/** A schema's type as the seed's "Data Type" column shows it. */
export function dataType(schema: OpenApiSchema | undefined): string {
  if (!schema) return 'string';
  if (schema.contentMediaType) return 'file';
  if (schema.enum) return `${schema.type ?? 'string'} (${schema.enum.join(' | ')})`;
  return schema.format ? `${schema.type} (${schema.format})` : (schema.type ?? 'string');
}

/** The body media the try-it sends: multipart first (what GMS clients send), else the first listed. */
export function bodyMedia(op: Operation): string | null {
  const media = Object.keys(op.requestBody?.content ?? {});
  return media.find((m) => m === 'multipart/form-data') ?? media[0] ?? null;
}

/** `/genesys/1/storage/{ttl}` with `{ ttl: '30' }` → `/genesys/1/storage/30` (each value URL-encoded). */
export function fillPath(path: string, values: Record<string, string>): string {
  return path.replace(/\{([^}]+)\}/g, (_m, name: string) => encodeURIComponent(values[name] ?? ''));
}

/** "key=value" lines → pairs (blank lines skipped; a line without "=" is a key with an empty value). */
export function parsePairs(text: string): [string, string][] {
  return text
    .split('\n')
    .map((l) => l.trim())
    .filter(Boolean)
    .map((l) => {
      const i = l.indexOf('=');
      return i < 0 ? [l, ''] : [l.slice(0, i).trim(), l.slice(i + 1)];
    });
}
