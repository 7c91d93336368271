import { existsSync, openAsBlob, readdirSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { PGlite } from '@electric-sql/pglite';
import { btree_gist } from '@electric-sql/pglite/contrib/btree_gist';
import { drizzle } from 'drizzle-orm/pglite';
import { migrate } from 'drizzle-orm/pglite/migrator';

/**
 * An initialised and migrated PGlite database, dumped at build time (`npm run build`, run by
 * `prepare`) next to the compiled server. A new embedded database starts from it instead of running
 * initdb and every migration in WebAssembly (most of a first start); migrations added since the dump
 * still run at start, so an old dump is slower, never wrong.
 */
export const pgliteSnapshotPath = resolve(
  dirname(fileURLToPath(import.meta.url)),
  '../../dist/pglite-initial.tar',
);

export async function writePgliteSnapshot(
  migrationsFolder: string,
  path = pgliteSnapshotPath,
): Promise<void> {
  const client = await PGlite.create({ extensions: { btree_gist } });
  try {
    await migrate(drizzle({ client }), { migrationsFolder });
    const dump = await client.dumpDataDir('none');
    await writeFile(path, Buffer.from(await dump.arrayBuffer()));
  } finally {
    await client.close();
  }
}

/** The build-time dump, when there is one and the data directory (null: in memory) is still empty. */
export async function initialSnapshotFor(dataDir: string | null): Promise<Blob | undefined> {
  if (dataDir !== null && existsSync(dataDir) && readdirSync(dataDir).length > 0) return undefined;
  if (!existsSync(pgliteSnapshotPath)) return undefined;
  try {
    // Backed by the file, not a 41 MB copy in memory: PGlite reads it once, while it starts.
    return await openAsBlob(pgliteSnapshotPath);
  } catch {
    return undefined;
  }
}
