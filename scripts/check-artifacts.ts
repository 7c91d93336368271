import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { printedSchema } from '../src/graphql/schema.js';

/** Fails when schema.graphql or the generated test documents are stale. */
const root = new URL('..', import.meta.url).pathname;
let stale = false;
if (readFileSync(join(root, 'schema.graphql'), 'utf8') !== printedSchema()) {
  process.stderr.write('schema.graphql is stale: run npm run schema:print\n');
  stale = true;
}
const before = Object.fromEntries(
  readdirSync(join(root, 'test/gql')).map((f) => [f, readFileSync(join(root, 'test/gql', f), 'utf8')]),
);
execFileSync('npx', ['graphql-codegen', '--config', 'codegen.ts'], { cwd: root, stdio: 'ignore' });
for (const f of readdirSync(join(root, 'test/gql'))) {
  if (before[f] !== readFileSync(join(root, 'test/gql', f), 'utf8')) {
    process.stderr.write(`test/gql/${f} was stale (regenerated; commit it)\n`);
    stale = true;
  }
}
process.exit(stale ? 1 : 0);
