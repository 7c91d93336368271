import {
  createReadStream,
  createWriteStream,
  existsSync,
  mkdirSync,
  readdirSync,
  rmSync,
  unlinkSync,
  writeFileSync,
} from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { MemoryFS, PGlite } from '@electric-sql/pglite';
import { btree_gist } from '@electric-sql/pglite/contrib/btree_gist';
import { drizzle } from 'drizzle-orm/pglite';
import { migrate } from 'drizzle-orm/pglite/migrator';
import { extract } from 'tar-stream';
import { fromPackageRoot } from '../paths.js';
import { DATA_DIR_LOCK } from './pglite-lock.js';

/**
 * An initialised and migrated PGlite database, dumped at build time (`npm run build`, run by
 * `prepare`) next to the compiled server. A new embedded database starts from it instead of running
 * initdb and every migration in WebAssembly (most of a first start); migrations added since the dump
 * still run at start, so an old dump is slower, never wrong.
 */
export const pgliteSnapshotPath = fromPackageRoot('dist', 'pglite-initial.tar');

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

/** Written first and removed last while a dump is unpacked into a data directory. */
export const UNPACKING_MARKER = '.gms-unpacking';

/**
 * What PGlite needs to open a new database from the dump, unpacked by us rather than by PGlite's
 * `loadDataDir`: that reads the whole 41 MB archive into memory, splits it into copies of each file
 * and writes those again, and the ~150 MB of short-lived buffers stayed in the process as freed but
 * unreturned malloc memory (BENCHMARKS.md, idle memory: a new data directory idled at ~410 MB, an
 * existing one at ~260 MB). Here each file is read from the archive straight to where it belongs.
 *  - data directory: unpacked onto disk before PGlite starts, which then finds a database there;
 *    nothing is needed (`{}`), also when the directory already holds a database. The caller holds
 *    the directory's lock (pglite-lock.ts) already: its file alone is an empty directory.
 *  - in memory (null): a file system that fills PGlite's in-memory PGDATA from the archive.
 * Without a dump (a source checkout without `npm run build`) PGlite runs initdb as before.
 */
export async function initialStateFor(
  dataDir: string | null,
  path = pgliteSnapshotPath,
): Promise<{ fs?: MemoryFS }> {
  if (dataDir === null) return existsSync(path) ? { fs: new SnapshotMemoryFS(path) } : {};
  // The data directory's lock (pglite-lock.ts) is ours by now: it is neither database nor debris.
  const contents = existsSync(dataDir) ? readdirSync(dataDir).filter((name) => name !== DATA_DIR_LOCK) : [];
  if (contents.includes(UNPACKING_MARKER)) {
    // A start that died while unpacking: what it left is incomplete.
    for (const name of contents) rmSync(join(dataDir, name), { recursive: true, force: true });
  } else if (contents.length > 0) return {};
  if (!existsSync(path)) return {};
  await unpackToDirectory(path, dataDir);
  return {};
}

interface TarEntry {
  /** Relative to the archive's root, without a leading slash. */
  name: string;
  directory: boolean;
  size: number;
  /** The entry's contents; must be read (or drained) before the next entry arrives. */
  body: AsyncIterable<Buffer>;
}

/**
 * The entries of the archive (PGlite's `dumpDataDir` writes a ustar archive of plain files and
 * directories), streamed from the file by tar-stream: the archive is never in memory as a whole.
 */
async function* tarEntries(path: string): AsyncGenerator<TarEntry> {
  const archive = extract();
  const file = createReadStream(path);
  file.on('error', (err) => archive.destroy(err));
  file.pipe(archive);
  for await (const entry of archive) {
    const { header } = entry;
    const name = header.name.replace(/^\/+/, '').replace(/\/+$/, '');
    if (header.type !== 'file' && header.type !== 'directory')
      throw new Error(`PGlite dump: unsupported tar entry type '${header.type}' (${name})`);
    if (name.split('/').includes('..')) throw new Error(`PGlite dump: entry outside the archive: ${name}`);
    // tar-stream's entries are streamx streams of Buffers (its types say `unknown`).
    const body = entry as AsyncIterable<unknown> as AsyncIterable<Buffer>;
    yield { name, directory: header.type === 'directory', size: header.size ?? 0, body };
    entry.resume(); // a body the caller did not read: skipped
  }
}

async function readAll(entry: TarEntry): Promise<Uint8Array> {
  const data = new Uint8Array(entry.size);
  let done = 0;
  for await (const chunk of entry.body) {
    if (done + chunk.length > entry.size)
      throw new Error(`PGlite dump: ${entry.name} is longer than its header`);
    data.set(chunk, done);
    done += chunk.length;
  }
  if (done < entry.size) throw new Error(`PGlite dump: ${entry.name} is cut short`);
  return data;
}

/** Files up to this size are unpacked with one synchronous write. */
const SYNC_WRITE_MAX = 1 << 20;

/**
 * Onto disk, one file at a time. PG_VERSION (what PGlite looks for to decide that a database
 * exists) is written last and a marker first, so an interrupted unpack is recognised and redone.
 */
async function unpackToDirectory(path: string, dataDir: string): Promise<void> {
  mkdirSync(dataDir, { recursive: true, mode: 0o700 });
  writeFileSync(join(dataDir, UNPACKING_MARKER), '');
  let version: Uint8Array | null = null;
  const made = new Set<string>();
  const makeDir = (dir: string) => {
    if (made.has(dir)) return;
    mkdirSync(dir, { recursive: true, mode: 0o700 });
    made.add(dir);
  };
  for await (const entry of tarEntries(path)) {
    const target = join(dataDir, entry.name);
    if (entry.directory) makeDir(target);
    else if (entry.name === 'PG_VERSION') version = await readAll(entry);
    else {
      makeDir(dirname(target));
      // Nearly all of the ~1,300 files are a few pages: written in one synchronous call each
      // instead of a write stream's open, write and close, each a round trip through libuv's
      // thread pool (start-up waited on those). The 16 MB WAL segment is still streamed.
      if (entry.size <= SYNC_WRITE_MAX) writeFileSync(target, await readAll(entry), { mode: 0o600 });
      else await pipeline(entry.body, createWriteStream(target, { mode: 0o600 }));
    }
  }
  if (!version) throw new Error('PGlite dump: no PG_VERSION');
  writeFileSync(join(dataDir, 'PG_VERSION'), version, { mode: 0o600 });
  unlinkSync(join(dataDir, UNPACKING_MARKER));
}

/** PGlite's PGDATA inside its Emscripten file system (PGlite's own constant, not exported). */
const PGLITE_PGDATA = '/pglite/data';

/** The part of Emscripten's FS API used here. */
interface EmscriptenFs {
  analyzePath(path: string): { exists: boolean };
  mkdirTree(path: string, mode?: number): void;
  writeFile(path: string, data: Uint8Array, options?: { canOwn?: boolean }): void;
}

/**
 * PGlite's in-memory file system, its PGDATA filled from the dump once the engine is loaded and
 * before PGlite looks for a database (`initialSyncFs`). Each file is read into a buffer of its own
 * size that the file system keeps (`canOwn`), so there is one copy of the data, not three.
 */
class SnapshotMemoryFS extends MemoryFS {
  constructor(private readonly snapshotPath: string) {
    super();
  }

  override async initialSyncFs(): Promise<void> {
    await super.initialSyncFs();
    const fs = (this.pg as PGlite).Module.FS as unknown as EmscriptenFs;
    if (!fs.analyzePath(dirname(PGLITE_PGDATA)).exists)
      throw new Error(`PGlite has no ${dirname(PGLITE_PGDATA)}: its layout changed, see pglite-snapshot.ts`);
    fs.mkdirTree(PGLITE_PGDATA, 0o700);
    for await (const entry of tarEntries(this.snapshotPath)) {
      const target = `${PGLITE_PGDATA}/${entry.name}`;
      if (entry.directory) {
        fs.mkdirTree(target, 0o700);
        continue;
      }
      fs.mkdirTree(dirname(target), 0o700);
      fs.writeFile(target, await readAll(entry), { canOwn: true });
    }
  }
}
