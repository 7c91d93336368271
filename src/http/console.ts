import { readFile, stat } from 'node:fs/promises';
import { extname, join, resolve } from 'node:path';
import { jsonResponse } from './http-errors.js';

/**
 * Serves the Service Management console (web/, built by `npm run build:console` into dist/console)
 * under /genesys/, the URL of GMS's own UI. The legacy API keeps /genesys/1, /genesys/2 and
 * /genesys/cometd: `isConsolePath` is false for them, so the caller routes them as before.
 *
 * Rules (tested with app.fetch in console.test.ts):
 * - `/genesys` redirects to `/genesys/`;
 * - `/genesys/assets/<file>`: content-hashed files, cached as immutable; a missing one is a 404,
 *   never the HTML shell (a stale tab must see the failure and reload);
 * - any other file-like path (with an extension): the file at the build's root, or a 404;
 * - GET/HEAD of `/genesys/` or an extension-less path below it: index.html, `no-cache`, so a deploy
 *   is picked up on the next load (the client-side router then renders the path).
 */

const CONTENT_TYPES: Record<string, string> = {
  '.html': 'text/html;charset=UTF-8',
  '.js': 'text/javascript;charset=UTF-8',
  '.mjs': 'text/javascript;charset=UTF-8',
  '.css': 'text/css;charset=UTF-8',
  '.json': 'application/json;charset=UTF-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.woff2': 'font/woff2',
  '.ttf': 'font/ttf',
  '.map': 'application/json;charset=UTF-8',
  '.txt': 'text/plain;charset=UTF-8',
  '.wasm': 'application/wasm',
};

/**
 * Everything the console loads comes from this origin; the policy makes the browser refuse the rest,
 * so an air-gapped deployment never waits on a CDN. Inline styles: ECharts' SVG and the editor set them.
 */
export const CONSOLE_CSP = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self' 'unsafe-inline'",
  "img-src 'self' data: blob:",
  "font-src 'self' data:",
  "connect-src 'self'",
  "worker-src 'self' blob:",
  "frame-ancestors 'self'",
  "base-uri 'self'",
  "form-action 'self'",
].join('; ');

const LEGACY_PREFIXES = ['/genesys/1', '/genesys/2', '/genesys/cometd'];

/** True for /genesys and the console's paths; false for the legacy API under /genesys/1, /2, /cometd. */
export function isConsolePath(pathname: string): boolean {
  if (pathname === '/genesys') return true;
  if (!pathname.startsWith('/genesys/')) return false;
  return !LEGACY_PREFIXES.some((p) => pathname === p || pathname.startsWith(`${p}/`));
}

const notFound = (pathname: string) =>
  jsonResponse({ message: `No such resource: ${pathname}`, code: 404, phrase: 'Not Found' }, 404);

export interface ConsoleServer {
  handle(request: Request, pathname: string): Promise<Response>;
  /** The built GraphiQL page (dist/console/graphiql.html) with its settings inlined, or null if not built. */
  graphiqlPage(settings: GraphiQLSettings): Promise<string | null>;
}

export interface GraphiQLSettings {
  defaultQuery: string;
  headers: string;
  endpoint: string;
}

export function createConsoleServer(dir: string): ConsoleServer {
  const root = resolve(dir);

  async function fileResponse(
    path: string,
    request: Request,
    cacheControl: string,
  ): Promise<Response | null> {
    // Only plain names below the build folder: no '..', no absolute paths, no encoded separators.
    const full = resolve(root, path);
    if (!full.startsWith(`${root}/`)) return null;
    try {
      const info = await stat(full);
      if (!info.isFile()) return null;
    } catch {
      return null;
    }
    const type = CONTENT_TYPES[extname(full).toLowerCase()] ?? 'application/octet-stream';
    const headers: Record<string, string> = {
      'content-type': type,
      'cache-control': cacheControl,
      'x-content-type-options': 'nosniff',
    };
    if (type.startsWith('text/html')) headers['content-security-policy'] = CONSOLE_CSP;
    if (request.method === 'HEAD') return new Response(null, { status: 200, headers });
    return new Response(new Uint8Array(await readFile(full)), { status: 200, headers });
  }

  async function shell(request: Request): Promise<Response> {
    const response = await fileResponse('index.html', request, 'no-cache');
    if (response) return response;
    return jsonResponse(
      {
        message:
          'The console is not built: run `npm run build:console` (npm ci builds it when devDependencies are installed)',
        code: 503,
        phrase: 'Service Unavailable',
      },
      503,
    );
  }

  return {
    async handle(request, pathname) {
      const method = request.method;
      if (pathname === '/genesys') {
        if (method !== 'GET' && method !== 'HEAD') return notFound(pathname);
        const { search } = new URL(request.url);
        return new Response(null, { status: 301, headers: { location: `/genesys/${search}` } });
      }
      if (method !== 'GET' && method !== 'HEAD') return notFound(pathname);
      let rest: string;
      try {
        rest = decodeURIComponent(pathname.slice('/genesys/'.length));
      } catch {
        return notFound(pathname);
      }
      if (rest.includes('\0') || rest.split('/').some((s) => s === '..' || s === '.'))
        return notFound(pathname);
      if (rest.startsWith('assets/')) {
        return (
          (await fileResponse(rest, request, 'public, max-age=31536000, immutable')) ?? notFound(pathname)
        );
      }
      const last = rest.split('/').pop() ?? '';
      if (last.includes('.')) {
        // index.html itself is never cached; other root files (icons) for an hour.
        const cache = last === 'index.html' ? 'no-cache' : 'public, max-age=3600';
        return (await fileResponse(rest, request, cache)) ?? notFound(pathname);
      }
      return shell(request);
    },

    async graphiqlPage(settings) {
      let html: string;
      try {
        html = await readFile(join(root, 'graphiql.html'), 'utf8');
      } catch {
        return null;
      }
      // JSON inside a <script type="application/json">: escape '<' so the text cannot close the tag.
      const json = JSON.stringify(settings).replaceAll('<', '\\u003c');
      return html.replace(
        '<!--graphiql-settings-->',
        `<script type="application/json" id="graphiql-settings">${json}</script>`,
      );
    },
  };
}
