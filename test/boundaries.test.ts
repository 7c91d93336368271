import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';

/**
 * The module rules of ARCHITECTURE.md, enforced (this file runs in `npm test`, so `npm run check`
 * fails on a break): managers never import adapters, modules meet through managers and hooks (never
 * another module's adapter or tables), only the legacy edge uses presenters (`*.legacy.ts`), and
 * there is no import cycle, type-only imports included.
 */

const root = resolve(dirname(new URL(import.meta.url).pathname), '..');

function sourceFiles(dir: string): string[] {
  const out: string[] = [];
  for (const name of readdirSync(dir)) {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) out.push(...sourceFiles(path));
    else if (name.endsWith('.ts') && !name.endsWith('.test.ts') && !name.endsWith('.d.ts')) out.push(path);
  }
  return out;
}

/** file (relative to the repo) → the relative files it imports (`import`, `export … from`, `import()`). */
function importGraph(): Map<string, string[]> {
  const graph = new Map<string, string[]>();
  for (const file of sourceFiles(join(root, 'src'))) {
    const text = readFileSync(file, 'utf8');
    const imports: string[] = [];
    for (const m of text.matchAll(/(?:\bfrom|\bimport)\s*\(?\s*'(\.{1,2}\/[^']+)'/g))
      imports.push(relative(root, resolve(dirname(file), (m[1] as string).replace(/\.js$/, '.ts'))));
    graph.set(relative(root, file), imports);
  }
  return graph;
}

const graph = importGraph();
const moduleOf = (path: string) => /^src\/modules\/([^/]+)\//.exec(path)?.[1] ?? null;
/** Transport adapters: GraphQL, legacy REST, plain HTTP, CometD. */
const isAdapter = (path: string) =>
  /\.(graphql|rest|http|cometd)\.ts$/.test(path) || /^src\/(http|graphql)\//.test(path);
const isTables = (path: string) => path.endsWith('.tables.ts');
/** Presenters: the GMS JSON of a domain (pure functions over domain values). */
const isPresenter = (path: string) => path.endsWith('.legacy.ts');
/**
 * The legacy edge, which answers in GMS JSON: adapters, presenters, and the Service API handlers
 * (`*.service-types.ts`, whose return value is the legacy body).
 */
const isLegacyEdge = (path: string) =>
  isAdapter(path) || isPresenter(path) || path.endsWith('.service-types.ts');
const edges = [...graph].flatMap(([from, imports]) => imports.map((to) => ({ from, to })));

/**
 * Cross-module GraphQL type references, by name of the type they share. Pothos types are values, so
 * a field of type `ServiceSessionRef` imports it; these are schema vocabulary, not behaviour. A new
 * entry needs a reason here.
 */
const SHARED_GRAPHQL_TYPES = new Set([
  'src/modules/callback/callback.graphql.ts -> src/modules/services/services.graphql.ts', // ServiceOptionInput
  'src/modules/sessions/sessions.graphql.ts -> src/modules/services/services.graphql.ts', // ServiceOptionInput/Ref
  'src/modules/sessions/sessions.graphql.ts -> src/modules/storage/storage.graphql.ts', // StorageValue types
  'src/modules/resource/access.graphql.ts -> src/modules/sessions/sessions.graphql.ts', // ServiceSessionRef
]);

/** Table name → the module whose `*.tables.ts` declares it (`pgTable('name', …)`). */
const tableOwners = new Map<string, string>();
for (const file of graph.keys()) {
  const module = moduleOf(file);
  if (!module || !isTables(file)) continue;
  for (const m of readFileSync(join(root, file), 'utf8').matchAll(/pgTable\(\s*'([a-z0-9_]+)'/g))
    tableOwners.set(m[1] as string, module);
}

/**
 * A file's code without its comments, so prose does not count as SQL. The whole code is searched,
 * not only template literals: a literal nested in another's `${…}` (sql`… ${x ? sql`…` : sql``} …`)
 * or a quoted string (`sql.raw('…')`) would otherwise hide a table name. A `//` inside a string cuts
 * the rest of that line, which can only miss text, never invent it.
 */
const codeOf = (text: string) => text.replace(/\/\*[\s\S]*?\*\//g, ' ').replace(/\/\/.*$/gm, ' ');
/** Whether a file's text uses `table` in SQL (read, join, write, or as a DDL/lock target). */
const namesTable = (text: string, table: string) =>
  new RegExp(`\\b(from|join|update|into|table)\\s+"?${table}\\b`, 'i').test(codeOf(text));

describe('module boundaries', () => {
  it('finds the source (the rules below are not vacuous)', () => {
    expect(graph.size).toBeGreaterThan(100);
    expect(edges.length).toBeGreaterThan(300);
  });

  it('managers never import an adapter (GraphQL, REST, HTTP, CometD)', () => {
    const bad = edges.filter(({ from, to }) => from.endsWith('.manager.ts') && isAdapter(to));
    expect(bad.map((e) => `${e.from} -> ${e.to}`)).toEqual([]);
  });

  it("a module never imports another module's adapter or tables", () => {
    const bad = edges.filter(({ from, to }) => {
      const a = moduleOf(from);
      const b = moduleOf(to);
      if (!a || !b || a === b) return false;
      if (SHARED_GRAPHQL_TYPES.has(`${from} -> ${to}`)) return false;
      return isAdapter(to) || isTables(to);
    });
    expect(bad.map((e) => `${e.from} -> ${e.to}`)).toEqual([]);
  });

  it("a module's raw SQL never names another module's table", () => {
    expect(tableOwners.size).toBeGreaterThan(30);
    const bad: string[] = [];
    for (const file of graph.keys()) {
      const module = moduleOf(file);
      if (!module) continue;
      const text = readFileSync(join(root, file), 'utf8');
      // No exceptions: another module's rows come through its manager, as a call or as an SQL
      // fragment the owner builds for the caller's statement (ActivityRecorder.resourceInsert).
      for (const [table, owner] of tableOwners)
        if (owner !== module && namesTable(text, table)) bad.push(`${file} -> ${table}`);
    }
    expect(bad).toEqual([]);
  });

  it('the raw SQL rule sees SQL however it is written', () => {
    const names = (code: string) => namesTable(code, 'activity');
    // biome-ignore lint/suspicious/noTemplateCurlyInString: the source text of a nested sql template
    expect(names('sql`with a as (${x ? sql`insert into activity (id) values (1)` : sql``}) select 1`')).toBe(
      true,
    );
    expect(names('sql.raw(\'insert into "activity" (id) values (1)\')')).toBe(true);
    expect(names('// rows go into activity through the report module\nconst x = 1;')).toBe(false);
    // Not vacuous on the real code: modules' own SQL is found.
    const ownUses = [...graph.keys()].filter((file) => {
      const text = readFileSync(join(root, file), 'utf8');
      return [...tableOwners].some(([table, owner]) => owner === moduleOf(file) && namesTable(text, table));
    });
    expect(ownUses.length).toBeGreaterThan(5);
  });

  it('only the legacy edge imports a presenter (domain code never builds GMS JSON)', () => {
    // No exceptions: what domain code stores (the event store included) is domain values, presented
    // where they leave the process (e.g. chat's `chat.transcript` events: EventStore.presentAs).
    expect(edges.filter(({ to }) => isPresenter(to)).length).toBeGreaterThan(10);
    const bad = edges.filter(({ from, to }) => isPresenter(to) && !isLegacyEdge(from));
    expect(bad.map((e) => `${e.from} -> ${e.to}`)).toEqual([]);
  });

  it('the shared GraphQL type list holds only imports that exist', () => {
    const present = new Set(edges.map((e) => `${e.from} -> ${e.to}`));
    expect([...SHARED_GRAPHQL_TYPES].filter((e) => !present.has(e))).toEqual([]);
  });

  it('there is no import cycle (type-only imports included)', () => {
    // Tarjan's strongly connected components: any with more than one file is a cycle.
    let index = 0;
    const stack: string[] = [];
    const onStack = new Set<string>();
    const indexOf = new Map<string, number>();
    const low = new Map<string, number>();
    const cycles: string[][] = [];
    const visit = (v: string) => {
      indexOf.set(v, index);
      low.set(v, index);
      index++;
      stack.push(v);
      onStack.add(v);
      for (const w of graph.get(v) ?? []) {
        if (!graph.has(w)) continue;
        if (!indexOf.has(w)) {
          visit(w);
          low.set(v, Math.min(low.get(v) as number, low.get(w) as number));
        } else if (onStack.has(w)) low.set(v, Math.min(low.get(v) as number, indexOf.get(w) as number));
      }
      if (low.get(v) === indexOf.get(v)) {
        const component: string[] = [];
        let w: string;
        do {
          w = stack.pop() as string;
          onStack.delete(w);
          component.push(w);
        } while (w !== v);
        if (component.length > 1) cycles.push(component.sort());
      }
    };
    for (const v of graph.keys()) if (!indexOf.has(v)) visit(v);
    expect(cycles).toEqual([]);
  });
});
