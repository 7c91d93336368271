import { jsonResponse } from '../../http/http-errors.js';
import type { RouteTable } from '../../http/route-table.js';
import type { ExportFile } from './report.manager.js';
import { parseExportFormat, parseReportKind, rangeFromQuery } from './report.params.js';

const notFound = (pathname: string) =>
  jsonResponse({ message: `No such resource: ${pathname}`, code: 404, phrase: 'Not Found' }, 404);

const DOWNLOAD_TOKEN = /^[A-Za-z0-9_-]{16,128}$/;
const REPORT_FILE = /^([a-z]+)\.([a-z]+)$/i;

/**
 * Plain HTTP downloads of report exports:
 * - `GET /reports/<resources|services|callback>.<csv|xlsx|pdf>?range=…&from=…&to=…&bucket=…&tz=…&group=…&service=…&queue=…`
 *   with admin credentials (HTTP Basic or a `login` bearer token; the route table's admin check);
 * - `GET /reports/download/<token>`: a link from the `exportReport` mutation, no credentials, until it expires.
 */
export function registerReportRoutes(table: RouteTable): void {
  table.http(
    'GET',
    '/reports/download/:token',
    async (request, { managers }, { token = '' }) =>
      DOWNLOAD_TOKEN.test(token)
        ? fileResponse(request, await managers.reports.download(token))
        : notFound(new URL(request.url).pathname),
    {
      summary: 'A report file by the link from the exportReport mutation (no credentials, until it expires)',
    },
  );
  table.http(
    'GET',
    '/reports/:file',
    async (request, { managers }, { file = '' }) => {
      const named = REPORT_FILE.exec(file);
      const url = new URL(request.url);
      if (!named?.[1] || !named[2]) return notFound(url.pathname);
      const query = url.searchParams;
      const exported = await managers.reports.export({
        report: parseReportKind(named[1]),
        format: parseExportFormat(named[2]),
        range: rangeFromQuery(query),
        filters: { group: query.get('group'), service: query.get('service'), queue: query.get('queue') },
      });
      return fileResponse(request, exported);
    },
    { summary: 'A report export: {resources|services|callback}.{csv|xlsx|pdf}?range=…', admin: true },
  );
  table.http(
    '*',
    '/reports/*path',
    async (request) => {
      const { pathname } = new URL(request.url);
      if (request.method !== 'GET' && request.method !== 'HEAD' && pathname !== '/reports')
        return jsonResponse(
          { message: `Method ${request.method} not allowed`, code: 405, phrase: 'Method Not Allowed' },
          405,
          { allow: 'GET, HEAD' },
        );
      return notFound(pathname);
    },
    { summary: 'Unknown report path: 404 (405 for a method other than GET)', fallback: true },
  );
}

function fileResponse(request: Request, file: ExportFile): Response {
  return new Response(request.method === 'HEAD' ? null : file.body, {
    headers: {
      'content-type': file.contentType,
      'content-disposition': `attachment; filename="${file.filename}"`,
      'content-length': String(file.body.byteLength),
      'cache-control': 'no-store',
    },
  });
}
