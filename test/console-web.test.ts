import { describe, expect, test } from 'vitest';
import {
  bodyMedia,
  fillPath,
  type OpenApiDocument,
  operationsByTag,
  parsePairs,
} from '../web/src/features/lab/openapi.js';
import { reportSearch } from '../web/src/features/reporting/search.js';
import { sumSeries } from '../web/src/features/reporting/series.js';

/** The console's own logic that needs no browser (the pages are covered by web/e2e). */

describe('Lab → API: reading the OpenAPI document', () => {
  const doc: OpenApiDocument = {
    openapi: '3.1.0',
    info: { title: 't', version: '1' },
    tags: [{ name: 'Storage API' }, { name: 'Empty' }],
    paths: {
      '/genesys/1/storage/{ttl}': {
        post: {
          tags: ['Storage API'],
          requestBody: { content: { 'application/json': {}, 'multipart/form-data': {} } },
        },
        parameters: {} as never,
      },
      '/genesys/1/node': { get: {} },
    },
  };

  test('operations by tag in the document order, untagged last, empty tags dropped, non-methods ignored', () => {
    const groups = operationsByTag(doc);
    expect(groups.map(([tag, ops]) => [tag, ops.map((o) => o.key)])).toEqual([
      ['Storage API', ['post /genesys/1/storage/{ttl}']],
      ['Other', ['get /genesys/1/node']],
    ]);
    expect(bodyMedia(groups[0]?.[1][0] as never)).toBe('multipart/form-data');
  });

  test('path parameters are encoded; key=value lines become pairs', () => {
    expect(fillPath('/genesys/1/service/{id}/storage/{key}', { id: '1-a b', key: 'x/y' })).toBe(
      '/genesys/1/service/1-a%20b/storage/x%2Fy',
    );
    expect(parsePairs('key1=Value1\n\n key2 = a=b \nflag')).toEqual([
      ['key1', 'Value1'],
      ['key2', ' a=b'],
      ['flag', ''],
    ]);
  });
});

describe('Reporting', () => {
  test('buckets of several groups are summed per start, nulls stay null', () => {
    const { series, table } = sumSeries(
      [
        [
          { start: '2026-01-01T00:05:00Z', n: 1, peak: null },
          { start: '2026-01-01T00:00:00Z', n: 2, peak: 3 },
        ],
        [{ start: '2026-01-01T00:00:00Z', n: 5, peak: null }],
      ],
      [
        { name: 'N', kind: 'bar', value: (b) => b.n },
        { name: 'Peak', kind: 'line', value: (b) => b.peak },
      ],
    );
    expect(table).toEqual([
      { start: '2026-01-01T00:00:00Z', values: [7, 3] },
      { start: '2026-01-01T00:05:00Z', values: [1, null] },
    ]);
    expect(series[0]?.points).toEqual([
      [Date.parse('2026-01-01T00:00:00Z'), 7],
      [Date.parse('2026-01-01T00:05:00Z'), 1],
    ]);
  });

  test('the URL state keeps only valid values (no defaults pinned onto the URL)', () => {
    expect(reportSearch({})).toEqual({});
    expect(
      reportSearch({
        preset: 'CUSTOM',
        from: '2026-01-01T00:00:00Z',
        to: 'not a date',
        zoomedFrom: 'TODAY',
        filter: '',
      }),
    ).toEqual({ preset: 'CUSTOM', from: '2026-01-01T00:00:00Z', zoomedFrom: 'TODAY' });
    expect(reportSearch({ preset: 'FOREVER' })).toEqual({});
  });
});
