import type { Viewer } from '../../auth/viewer.js';
import type { Deps } from '../../deps.js';
import { UnauthorizedError } from '../../errors.js';
import { errorResponse, jsonResponse } from '../../http/http-errors.js';
import type { Managers } from '../../managers.types.js';
import { type ExportFile, parseExportFormat, parseReportKind, rangeFromQuery } from './report.manager.js';

/**
 * Plain HTTP downloads of report exports:
 * - `GET /reports/<resources|services|callback>.<csv|xlsx|pdf>?range=…&from=…&to=…&bucket=…&tz=…&group=…&service=…&queue=…`
 *   with admin credentials (HTTP Basic or a `login` bearer token);
 * - `GET /reports/download/<token>`: a link from the `exportReport` mutation, no credentials, until it expires.
 */
export function createReportsEndpoint(
  deps: Deps,
  managers: Managers,
  authenticate: (request: Request) => Promise<Viewer>,
): (request: Request, pathname: string) => Promise<Response> {
  async function isAdmin(request: Request): Promise<boolean> {
    if (!request.headers.get('authorization')) return false;
    try {
      return (await authenticate(request)).kind === 'admin';
    } catch (err) {
      if (err instanceof UnauthorizedError) return false;
      throw err;
    }
  }

  return async (request, pathname) => {
    try {
      if (request.method !== 'GET' && request.method !== 'HEAD')
        return jsonResponse(
          { message: `Method ${request.method} not allowed`, code: 405, phrase: 'Method Not Allowed' },
          405,
          { allow: 'GET, HEAD' },
        );
      const download = /^\/reports\/download\/([A-Za-z0-9_-]{16,128})$/.exec(pathname);
      if (download?.[1]) return fileResponse(request, await managers.reports.download(download[1]));
      const named = /^\/reports\/([a-z]+)\.([a-z]+)$/i.exec(pathname);
      if (!named?.[1] || !named[2])
        return jsonResponse(
          { message: `No such resource: ${pathname}`, code: 404, phrase: 'Not Found' },
          404,
        );
      if (!(await isAdmin(request)))
        return jsonResponse(
          { message: 'Reports need admin credentials', code: 401, phrase: 'Unauthorized' },
          401,
          {
            'www-authenticate': 'Basic realm="GMS"',
          },
        );
      const query = new URL(request.url).searchParams;
      const file = await managers.reports.export({
        report: parseReportKind(named[1]),
        format: parseExportFormat(named[2]),
        range: rangeFromQuery(query),
        filters: { group: query.get('group'), service: query.get('service'), queue: query.get('queue') },
      });
      return fileResponse(request, file);
    } catch (err) {
      const { response, unexpected } = errorResponse(err);
      if (unexpected) deps.logger.error('report export failed', { path: pathname, err });
      return response;
    }
  };
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
