import {
  closeSync,
  existsSync,
  mkdirSync,
  openSync,
  readdirSync,
  readSync,
  rmSync,
  unlinkSync,
  writeFileSync,
  writeSync,
} from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { MemoryFS, PGlite } from '@electric-sql/pglite';
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

/** Written first and removed last while a dump is unpacked into a data directory. */
const UNPACKING_MARKER = '.gms-unpacking';

/**
 * What PGlite needs to open a new database from the dump, unpacked by us rather than by PGlite's
 * `loadDataDir`: that reads the whole 41 MB archive into memory, splits it into copies of each file
 * and writes those again, and the ~150 MB of short-lived buffers stayed in the process as freed but
 * unreturned malloc memory (BENCHMARKS.md, idle memory: a new data directory idled at ~410 MB, an
 * existing one at ~260 MB). Here each file is read from the archive straight to where it belongs.
 *  - data directory: unpacked onto disk before PGlite starts, which then finds a database there;
 *    nothing is needed (`{}`), also when the directory already holds a database.
 *  - in memory (null): a file system that fills PGlite's in-memory PGDATA from the archive.
 * Without a dump (a source checkout without `npm run build`) PGlite runs initdb as before.
 */
export function initialStateFor(dataDir: string | null, path = pgliteSnapshotPath): { fs?: MemoryFS } {
  if (dataDir === null) return existsSync(path) ? { fs: new SnapshotMemoryFS(path) } : {};
  if (existsSync(join(dataDir, UNPACKING_MARKER))) {
    // A start that died while unpacking: what it left is ours and incomplete.
    rmSync(dataDir, { recursive: true, force: true });
  }
  if (existsSync(dataDir) && readdirSync(dataDir).length > 0) return {};
  if (!existsSync(path)) return {};
  unpackToDirectory(path, dataDir);
  return {};
}

interface TarEntry {
  /** Relative to the archive's root, without a leading slash. */
  name: string;
  directory: boolean;
  size: number;
  /** Where the contents start in the archive. */
  offset: number;
}

/**
 * The entries of a ustar archive (PGlite's `dumpDataDir` writes plain files and directories), read
 * header by header from the file: the archive is never in memory as a whole.
 */
function* tarEntries(fd: number): Generator<TarEntry> {
  const header = Buffer.alloc(512);
  let position = 0;
  for (;;) {
    if (readSync(fd, header, 0, 512, position) < 512) return;
    if (header.every((b) => b === 0)) return; // the end-of-archive blocks
    const text = (start: number, length: number) => {
      const end = header.indexOf(0, start);
      return header.toString('latin1', start, end === -1 || end > start + length ? start + length : end);
    };
    let checksum = 0;
    for (let i = 0; i < 512; i++) checksum += i >= 148 && i < 156 ? 32 : (header[i] as number);
    if (checksum !== Number.parseInt(text(148, 8).trim(), 8))
      throw new Error(`PGlite dump: bad tar header at byte ${position}`);
    const prefix = text(345, 155);
    const name = (prefix ? `${prefix}/${text(0, 100)}` : text(0, 100)).replace(/^\/+/, '');
    const size = Number.parseInt(text(124, 12).trim() || '0', 8);
    const type = text(156, 1);
    if (type !== '0' && type !== '' && type !== '5')
      throw new Error(`PGlite dump: unsupported tar entry type '${type}' (${name})`);
    if (name.split('/').includes('..')) throw new Error(`PGlite dump: entry outside the archive: ${name}`);
    position += 512;
    yield { name, directory: type === '5', size, offset: position };
    position += Math.ceil(size / 512) * 512;
  }
}

/**
 * Onto disk in 1 MB pieces. PG_VERSION (what PGlite looks for to decide that a database exists)
 * is written last and a marker first, so an interrupted unpack is recognised and redone.
 */
function unpackToDirectory(path: string, dataDir: string): void {
  mkdirSync(dataDir, { recursive: true, mode: 0o700 });
  writeFileSync(join(dataDir, UNPACKING_MARKER), '');
  const fd = openSync(path, 'r');
  try {
    const chunk = Buffer.alloc(2 ** 20);
    let version: TarEntry | null = null;
    const copy = (entry: TarEntry) => {
      const target = join(dataDir, entry.name);
      mkdirSync(dirname(target), { recursive: true, mode: 0o700 });
      const out = openSync(target, 'w', 0o600);
      try {
        for (let done = 0; done < entry.size; ) {
          const n = readSync(fd, chunk, 0, Math.min(chunk.length, entry.size - done), entry.offset + done);
          if (n === 0) throw new Error(`PGlite dump: ${entry.name} is cut short`);
          writeSync(out, chunk, 0, n);
          done += n;
        }
      } finally {
        closeSync(out);
      }
    };
    for (const entry of tarEntries(fd)) {
      if (entry.directory) mkdirSync(join(dataDir, entry.name), { recursive: true, mode: 0o700 });
      else if (entry.name === 'PG_VERSION') version = entry;
      else copy(entry);
    }
    if (!version) throw new Error('PGlite dump: no PG_VERSION');
    copy(version);
  } finally {
    closeSync(fd);
  }
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
    const fd = openSync(this.snapshotPath, 'r');
    try {
      for (const entry of tarEntries(fd)) {
        const target = `${PGLITE_PGDATA}/${entry.name}`;
        if (entry.directory) {
          fs.mkdirTree(target, 0o700);
          continue;
        }
        fs.mkdirTree(dirname(target), 0o700);
        const data = new Uint8Array(entry.size);
        if (readSync(fd, data, 0, entry.size, entry.offset) < entry.size)
          throw new Error(`PGlite dump: ${entry.name} is cut short`);
        fs.writeFile(target, data, { canOwn: true });
      }
    } finally {
      closeSync(fd);
    }
  }
}
