import { spawn } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { backend } from './harness.js';

/** Runs the real entry point with `env` (on a free port, no Redis) until it exits. */
function runMain(env: Record<string, string>): Promise<{ code: number | null; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ['--import', 'tsx', 'src/main.ts'], {
      env: { ...process.env, PORT: '0', LOG_LEVEL: 'silent', REDIS_URL: '', ...env },
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => {
      stderr += d.toString();
    });
    child.on('exit', (code) => resolve({ code, stderr }));
  });
}

/** The real entry point: a configuration it cannot run with stops start-up with one readable line and status 2. */
describe('main.ts with an invalid provisioning file or data directory', () => {
  it.skipIf(backend !== 'pglite')(
    'prints the file, the path in it and the problem, and exits with 2',
    async () => {
      const dir = await mkdtemp(join(tmpdir(), 'gms-main-'));
      const path = join(dir, 'main-bad.yaml');
      await writeFile(
        path,
        'services:\n  iPhoneService:\n    _type: builtin\n    _service: request-interaction\n    _provide_code: perhaps\n',
      );
      try {
        const result = await runMain({ DATABASE_URL: 'memory://', GMS_CONFIG: path });
        expect(result.code).toBe(2);
        expect(result.stderr.trim()).toBe(
          `Invalid provisioning file ${path}: services.iPhoneService._provide_code: Option _provide_code must be true or false, got 'perhaps'`,
        );
      } finally {
        await rm(dir, { recursive: true, force: true });
      }
    },
    60_000,
  );

  it.skipIf(backend !== 'pglite')(
    'a PGlite data directory another running server holds: one line naming it, status 2',
    async () => {
      const dir = await mkdtemp(join(tmpdir(), 'gms-main-held-'));
      // This test process stands for the running server.
      await writeFile(join(dir, 'gms-engage.lock'), `${process.pid}\nelsewhere\n`);
      try {
        const result = await runMain({ DATABASE_URL: `pglite://${dir}` });
        expect(result.code).toBe(2);
        expect(result.stderr.trim()).toBe(
          `The PGlite data directory ${dir} is in use by process ${process.pid} (${join(dir, 'gms-engage.lock')}): ` +
            'stop that server or choose another DATA_DIR. If no server runs there, delete the lock file.',
        );
      } finally {
        await rm(dir, { recursive: true, force: true });
      }
    },
    60_000,
  );
});
