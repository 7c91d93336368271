import { readFileSync, writeFileSync } from 'node:fs';
import { routeMapMarkdown, withRouteMap } from '../src/http/route-map.js';
import { buildRouteTable } from '../src/http/routes.js';

/** Prints the route map; `--write` puts it into README.md between its markers (test/route-map.test.ts checks it). */
const table = buildRouteTable();
if (process.argv.includes('--write')) {
  const url = new URL('../README.md', import.meta.url);
  writeFileSync(url, withRouteMap(readFileSync(url, 'utf8'), table));
  process.stdout.write('README.md route map written\n');
} else process.stdout.write(`${routeMapMarkdown(table)}\n`);
