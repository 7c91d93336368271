import { spawnSync } from 'node:child_process';
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, inject, test } from 'vitest';
import { openDatabase } from './client.js';
import { DATA_DIR_LOCK } from './pglite-lock.js';
import { initialStateFor, UNPACKING_MARKER } from './pglite-snapshot.js';

const dump = inject('pgliteSnapshotPath');
const scratch = mkdtempSync(join(tmpdir(), 'gms-lock-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

/** A data directory with the migrated database in it (unpacked from the test dump). */
async function dataDir(name: string): Promise<string> {
  const dir = join(scratch, name);
  await initialStateFor(dir, dump);
  return dir;
}

describe('one process at a time on a PGlite data directory', () => {
  test('a directory another live process holds is refused before anything is opened', async () => {
    const dir = await dataDir('held');
    // The test runner's parent process: alive, and not this one.
    writeFileSync(join(dir, DATA_DIR_LOCK), `${process.ppid}\nelsewhere\n`);
    await expect(openDatabase({ kind: 'pglite', dataDir: dir })).rejects.toThrow(
      new RegExp(`in use by process ${process.ppid}`),
    );
    expect(readFileSync(join(dir, DATA_DIR_LOCK), 'utf8')).toBe(`${process.ppid}\nelsewhere\n`);
  });

  test('a lock left by a process that is gone is taken over, and released on close', async () => {
    const dir = await dataDir('stale');
    const gone = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))']);
    writeFileSync(join(dir, DATA_DIR_LOCK), `${gone.stdout.toString()}\nelsewhere\n`);
    const db = await openDatabase({ kind: 'pglite', dataDir: dir });
    try {
      expect(readFileSync(join(dir, DATA_DIR_LOCK), 'utf8').split('\n')[0]).toBe(String(process.pid));
      await db.ping();
    } finally {
      await db.close();
    }
    expect(existsSync(join(dir, DATA_DIR_LOCK))).toBe(false);
    // Reopened after a clean close.
    const again = await openDatabase({ kind: 'pglite', dataDir: dir });
    await again.close();
  });

  test('a new directory another live process is unpacking is left alone', async () => {
    // What a first start looks like to a second one started at the same moment: the unpack's
    // marker, some of the dump, and the first one's lock.
    const dir = join(scratch, 'unpacking');
    mkdirSync(join(dir, 'base'), { recursive: true });
    writeFileSync(join(dir, UNPACKING_MARKER), '');
    writeFileSync(join(dir, 'base', 'half-written'), 'x');
    writeFileSync(join(dir, DATA_DIR_LOCK), `${process.ppid}\nelsewhere\n`);
    await expect(openDatabase({ kind: 'pglite', dataDir: dir })).rejects.toThrow(/in use by process/);
    expect(readdirSync(dir).sort()).toEqual([UNPACKING_MARKER, 'base', DATA_DIR_LOCK].sort());
    expect(existsSync(join(dir, 'base', 'half-written'))).toBe(true);
  });

  test('an unpack that died is redone under the lock, and the lock kept', async () => {
    const dir = join(scratch, 'died');
    mkdirSync(join(dir, 'base'), { recursive: true });
    writeFileSync(join(dir, UNPACKING_MARKER), '');
    writeFileSync(join(dir, 'base', 'half-written'), 'x');
    const gone = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))']);
    writeFileSync(join(dir, DATA_DIR_LOCK), `${gone.stdout.toString()}\nelsewhere\n`);
    const db = await openDatabase({ kind: 'pglite', dataDir: dir });
    try {
      expect(readFileSync(join(dir, DATA_DIR_LOCK), 'utf8').split('\n')[0]).toBe(String(process.pid));
      expect(existsSync(join(dir, UNPACKING_MARKER))).toBe(false);
      expect(existsSync(join(dir, 'base', 'half-written'))).toBe(false);
      expect(existsSync(join(dir, 'PG_VERSION'))).toBe(true);
      await db.ping();
    } finally {
      await db.close();
    }
  });
});
