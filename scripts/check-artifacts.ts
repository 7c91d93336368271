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
// Two client-preset outputs: the tests' documents and the console's (web/src/gql).
const outputs = ['test/gql', 'web/src/gql'];
const read = (dir: string) =>
  Object.fromEntries(readdirSync(join(root, dir)).map((f) => [f, readFileSync(join(root, dir, f), 'utf8')]));
const before = Object.fromEntries(outputs.map((dir) => [dir, read(dir)]));
execFileSync('npx', ['graphql-codegen', '--config', 'codegen.ts'], { cwd: root, stdio: 'ignore' });
for (const dir of outputs) {
  for (const [f, text] of Object.entries(read(dir))) {
    if (before[dir]?.[f] !== text) {
      process.stderr.write(`${dir}/${f} was stale (regenerated; commit it)\n`);
      stale = true;
    }
  }
}
process.exit(stale ? 1 : 0);
