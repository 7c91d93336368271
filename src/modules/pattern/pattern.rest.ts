import { ValidationError } from '../../errors.js';
import { jsonResponse } from '../../http/http-errors.js';
import type { LegacyContext, LegacyRequest } from '../../http/legacy-request.js';
import type { RouteDoc, RouteTable } from '../../http/route-table.js';
import type { TestedValue } from './pattern.manager.js';

/** The Pattern Matcher API as the OpenAPI document and the README's route map describe it. */
const ROUTE_DOCS: Record<string, RouteDoc> = {
  'POST /genesys/1/patterns': {
    summary: 'Which patterns each value matches (every parameter is a value to test)',
  },
  'POST /genesys/1/patterns/group/:name': { summary: "Which of a group's patterns each value matches" },
};

/**
 * GMS's Pattern Matcher API. Anyone may call it (mobile apps and callback front ends do), so every
 * value is bounded in length and evaluated on the linear-time engine.
 */
export function registerPatternRoutes(router: RouteTable): void {
  router.describe(ROUTE_DOCS);
  router.add('POST', '/genesys/1/patterns', (req, ctx) => answer(req, ctx, null));
  router.add('POST', '/genesys/1/patterns/group/:name', (req, ctx) =>
    answer(req, ctx, req.params.name ?? ''),
  );
}

async function answer(
  req: LegacyRequest,
  { managers }: LegacyContext,
  group: string | null,
): Promise<Response> {
  const matched = await managers.patterns.matchValues(group, await testedValues(req));
  return jsonResponse(matched);
}

/**
 * Every parameter is a value to test (there are no control parameters here). As a servlet's
 * parameter map, query-string parameters count too; the body wins when both carry a name.
 */
async function testedValues(req: LegacyRequest): Promise<TestedValue[]> {
  const body = await req.body();
  const file = body.files[0];
  if (file)
    throw new ValidationError(
      'pattern/file_parameter',
      `Parameter '${file.field}' is a file; send the values to test as text parameters`,
      file.field,
    );
  for (const [name, value] of Object.entries(body.json ?? {}))
    if (value !== null && typeof value === 'object')
      throw new ValidationError(
        'pattern/invalid_parameter',
        `Parameter '${name}' must be a string, number or boolean to be tested`,
        name,
      );
  const values = new Map<string, string>();
  for (const [name, value] of req.url.searchParams) values.set(name, value);
  for (const [name, value] of Object.entries(body.fields)) values.set(name, value);
  return [...values].map(([field, value]) => ({ field, value }));
}
