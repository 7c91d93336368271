import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import AxeBuilder from '@axe-core/playwright';
import { type Browser, type BrowserContext, chromium, type Page } from 'playwright-core';
import { expect, inject } from 'vitest';
import { type App, buildApp } from '../../src/app.js';
import { loadConfig } from '../../src/config.js';
import { closeDeps, createDeps } from '../../src/deps.js';
import { scheduleBackgroundTasks } from '../../src/managers.js';
import { startup } from '../../src/startup.js';

/**
 * Browser tests: a real server (PGlite in memory, real clock and background tasks) on a free
 * loopback port serving the built console, driven by Debian's Chromium through playwright-core.
 */
export const chromiumPath = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const root = new URL('../..', import.meta.url).pathname;
export const consoleDir = join(root, 'dist/console');

function newestMtime(dir: string): number {
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    newest = Math.max(newest, entry.isDirectory() ? newestMtime(path) : statSync(path).mtimeMs);
  }
  return newest;
}

/** Builds dist/console when it is missing or older than web/ (npm ci --ignore-scripts, or local edits). */
export async function ensureConsoleBuilt(): Promise<void> {
  const index = join(consoleDir, 'index.html');
  if (existsSync(index)) {
    const built = statSync(index).mtimeMs;
    const sources = Math.max(
      newestMtime(join(root, 'web/src')),
      statSync(join(root, 'web/index.html')).mtimeMs,
    );
    if (built >= sources) return;
  }
  // A child process: under vitest NODE_ENV is 'test', which would give React's development build.
  const result = spawnSync(process.execPath, [join(root, 'scripts/prepare.mjs'), 'console'], {
    env: { ...process.env, NODE_ENV: 'production' },
    stdio: 'inherit',
  });
  if (result.status !== 0) throw new Error('building the console failed');
}

export interface ConsoleServer {
  url: string;
  app: App;
  close(): Promise<void>;
}

export async function startConsoleServer(env: Record<string, string> = {}): Promise<ConsoleServer> {
  await ensureConsoleBuilt();
  const config = loadConfig({
    NODE_ENV: 'test',
    DATABASE_URL: 'memory://',
    NODE_NAME: 'console-e2e',
    CONSOLE_DIR: consoleDir,
    HEARTBEAT_INTERVAL_MS: '2000',
    ...env,
  });
  const snapshot = new Blob([readFileSync(inject('pgliteSnapshotPath'))]);
  const deps = await createDeps(config, { pgliteSnapshot: snapshot });
  const app = await buildApp(deps);
  await startup(app);
  scheduleBackgroundTasks(deps, app.managers);
  const { port } = await app.start({ port: 0, host: '127.0.0.1' });
  return {
    url: `http://127.0.0.1:${port}`,
    app,
    async close() {
      await app.stop();
      await closeDeps(deps);
    },
  };
}

export function launchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: chromiumPath,
    headless: true,
    // Without the background-networking flags Chromium phones Google at start-up (refused here).
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-dev-shm-usage',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
}

export interface ConsolePage {
  context: BrowserContext;
  page: Page;
  /** Every request (HTTP or WebSocket) the page tried to send to another origin; each was aborted. */
  offsite: string[];
  /** Uncaught page errors. */
  errors: string[];
}

/** A fresh browser context (no stored session) that refuses and records any request leaving `origin`. */
export async function openConsole(
  browser: Browser,
  origin: string,
  viewport = { width: 1280, height: 800 },
): Promise<ConsolePage> {
  const context = await browser.newContext({ viewport, acceptDownloads: true });
  const offsite: string[] = [];
  const errors: string[] = [];
  await context.route('**/*', (route) => {
    const url = route.request().url();
    if (url.startsWith(`${origin}/`) || url.startsWith('data:') || url.startsWith('blob:'))
      return route.continue();
    offsite.push(url);
    return route.abort('blockedbyclient');
  });
  const page = await context.newPage();
  page.on('websocket', (ws) => {
    const u = new URL(ws.url());
    if (`http://${u.host}` !== origin) offsite.push(ws.url());
  });
  page.on('pageerror', (err) => errors.push(err.message));
  // The console's Content-Security-Policy blocks other origins before they reach the network (and the
  // route above): a blocked load is reported on the console, so it counts as an off-site request too.
  page.on('console', (msg) => {
    if (msg.type() === 'error' && /Content Security Policy/i.test(msg.text())) offsite.push(msg.text());
  });
  return { context, page, offsite, errors };
}

export async function signIn(page: Page, origin: string, path = '/genesys/'): Promise<void> {
  await page.goto(`${origin}${path}`);
  await page.getByLabel('User name').fill('default');
  await page.getByLabel('Password').fill('password');
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.getByRole('navigation', { name: 'Main' }).waitFor();
}

/** axe-core, WCAG 2.1 A/AA: no serious or critical violation. `exclude`: selectors of third-party widgets. */
export async function expectAccessible(page: Page, exclude: string[] = []): Promise<void> {
  // A refetch dims its content (`[aria-busy="true"]` is at opacity 0.6): axe would measure the dimmed
  // colours (a color-contrast failure seen once when a filter's refetch was still running).
  await expect.poll(() => page.locator('[aria-busy="true"]').count()).toBe(0);
  let builder = new AxeBuilder({ page }).withTags(['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa']);
  for (const selector of exclude) builder = builder.exclude(selector);
  const { violations } = await builder.analyze();
  const severe = violations
    .filter((v) => v.impact === 'serious' || v.impact === 'critical')
    .map((v) => `${v.id} (${v.impact}): ${v.help} — ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`);
  expect(severe).toEqual([]);
}

/**
 * Screenshots for the README: written to docs/console/ when CONSOLE_SCREENSHOTS=1 (then committed),
 * otherwise to .test-results/ so an ordinary run leaves the work tree clean.
 */
export async function screenshot(page: Page, name: string): Promise<void> {
  const dir =
    process.env.CONSOLE_SCREENSHOTS === '1'
      ? join(root, 'docs/console')
      : join(root, '.test-results/console');
  mkdirSync(dir, { recursive: true });
  await page.screenshot({ path: join(dir, `${name}.png`) });
}
