import { closeSync, openSync, readFileSync, rmSync, writeSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import { ConfigError } from '../config.js';

/** The lock file in a PGlite data directory: `<pid>\n<hostname>\n` of the process that has it open. */
export const DATA_DIR_LOCK = 'gms-engage.lock';

/**
 * One process at a time on a PGlite data directory. PGlite runs PostgreSQL inside the process and
 * takes no lock of its own: a second server started on the same DATA_DIR (a restart while the old
 * one still drains, `npm start` twice) opened the live files and applied its provisioning file to
 * them before it failed on the port. The lock is a file created exclusively; one left by a process
 * that is gone (a crash) is taken over, and so is one naming this very process (a container's pid 1
 * after a restart). Returns the release, which removes the file only while it is still ours.
 */
export async function lockDataDir(dataDir: string): Promise<() => void> {
  const path = join(dataDir, DATA_DIR_LOCK);
  const mine = `${process.pid}\n${hostname()}\n`;
  for (let attempt = 0; ; attempt++) {
    try {
      const fd = openSync(path, 'wx');
      try {
        writeSync(fd, mine);
      } finally {
        closeSync(fd);
      }
      break;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
      // An empty file: its creator may be between creating and writing it; look again shortly.
      let holder = readHolder(path);
      if (holder === null) {
        await delay(100);
        holder = readHolder(path);
      }
      if (attempt > 0 || (holder !== null && isAlive(holder))) {
        const who = holder ? `process ${holder} (${path})` : `another process (${path})`;
        throw new ConfigError(
          `The PGlite data directory ${dataDir} is in use by ${who}: stop that server or choose another DATA_DIR. ` +
            'If no server runs there, delete the lock file.',
        );
      }
      rmSync(path, { force: true }); // left by a process that is gone
    }
  }
  return () => {
    try {
      if (readFileSync(path, 'utf8') === mine) rmSync(path, { force: true });
    } catch {
      // already gone
    }
  };
}

/** The holder's pid, or null when the file is unreadable or malformed (then it counts as stale). */
function readHolder(path: string): number | null {
  try {
    const pid = Number.parseInt(readFileSync(path, 'utf8').split('\n')[0] ?? '', 10);
    return Number.isSafeInteger(pid) && pid > 0 ? pid : null;
  } catch {
    return null;
  }
}

function isAlive(pid: number): boolean {
  if (pid === process.pid) return false; // ours from before a restart (same pid): stale
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM'; // exists, owned by someone else
  }
}
