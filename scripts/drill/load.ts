import { AckExtension, CometD, type Message } from 'cometd';
import { adapt } from 'cometd-nodejs-client';
import { adminAuthorization } from './cluster.js';

/**
 * The drill's traffic through HAProxy: legacy REST writes (service sessions, storage), GraphQL
 * reads, and pushes published to CometD devices, each outcome counted per phase. Acknowledged
 * writes (2xx) are remembered so the drill can look for each of them in PostgreSQL afterwards, and
 * each acknowledged push must reach its device.
 */

export const SERVICE = 'drill';

export interface PhaseStats {
  sent: number;
  acknowledged: number;
  /** 5xx answers (from an instance or from HAProxy). */
  serverErrors: number;
  /** 5xx answers that were not 502/503/504 (i.e. not "unavailable, retry"). */
  otherServerErrors: number;
  /** No answer at all (connection reset, 10 s timeout). */
  noAnswer: number;
  /** 4xx answers (the drill sends none on purpose). */
  clientErrors: number;
  maxMs: number;
}

const emptyStats = (): PhaseStats => ({
  sent: 0,
  acknowledged: 0,
  serverErrors: 0,
  otherServerErrors: 0,
  noAnswer: 0,
  clientErrors: 0,
  maxMs: 0,
});

export class Load {
  phase = 'start-up';
  readonly stats = new Map<string, PhaseStats>();
  readonly sessions: string[] = [];
  readonly storage: string[] = [];
  /** Acknowledged pushes per device: tag → published at. */
  readonly pushes = new Map<string, Set<string>>();
  readonly statusSamples: string[] = [];
  private running = false;
  private workers: Promise<void>[] = [];
  private counter = 0;

  constructor(
    private readonly url: string,
    readonly devices: string[],
  ) {
    for (const d of devices) this.pushes.set(d, new Set());
  }

  private current(): PhaseStats {
    let s = this.stats.get(this.phase);
    if (!s) {
      s = emptyStats();
      this.stats.set(this.phase, s);
    }
    return s;
  }

  /** One request, counted in the current phase; the body when acknowledged. */
  private async send(path: string, init: RequestInit): Promise<unknown> {
    const stats = this.current();
    stats.sent++;
    const started = performance.now();
    try {
      const res = await fetch(`${this.url}${path}`, { ...init, signal: AbortSignal.timeout(10_000) });
      const text = await res.text();
      stats.maxMs = Math.max(stats.maxMs, performance.now() - started);
      if (res.status >= 200 && res.status < 300) {
        stats.acknowledged++;
        return text ? (JSON.parse(text) as unknown) : {};
      }
      if (res.status >= 500) {
        stats.serverErrors++;
        if (![502, 503, 504].includes(res.status)) {
          stats.otherServerErrors++;
          if (this.statusSamples.length < 10)
            this.statusSamples.push(`${res.status} ${path} ${text.slice(0, 200)}`);
        }
      } else {
        stats.clientErrors++;
        if (this.statusSamples.length < 10)
          this.statusSamples.push(`${res.status} ${path} ${text.slice(0, 200)}`);
      }
    } catch (err) {
      stats.maxMs = Math.max(stats.maxMs, performance.now() - started);
      stats.noAnswer++;
      const cause =
        err instanceof Error
          ? `${err.message} ${String((err as { cause?: unknown }).cause ?? '')}`
          : String(err);
      if (this.statusSamples.length < 10)
        this.statusSamples.push(`no answer (${this.phase}) ${path}: ${cause.slice(0, 160)}`);
    }
    return null;
  }

  private async once(): Promise<void> {
    const n = this.counter++;
    const device = this.devices[n % this.devices.length] ?? 'drill-device';
    const pick = n % 20;
    if (pick < 7) {
      const body = (await this.send(`/genesys/1/service/${SERVICE}`, {
        method: 'POST',
        headers: { gms_user: device, 'content-type': 'application/x-www-form-urlencoded' },
        body: `first_name=drill&n=${n}`,
      })) as { _id?: string } | null;
      if (body?._id) this.sessions.push(body._id);
    } else if (pick < 11) {
      const body = (await this.send('/genesys/1/storage/600', {
        method: 'POST',
        headers: { gms_user: device, 'content-type': 'application/x-www-form-urlencoded' },
        body: `n=${n}`,
      })) as { id?: string } | null;
      if (body?.id) this.storage.push(body.id);
    } else if (pick < 15) {
      await this.send('/graphql', {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: adminAuthorization },
        body: JSON.stringify({ query: '{ services { name } }' }),
      });
    } else {
      const tag = `drill.${n}`;
      const ok = await this.send('/genesys/1/notification/publish', {
        method: 'POST',
        headers: { gms_user: device, 'content-type': 'application/json' },
        body: JSON.stringify({
          tag,
          message: String(n),
          notificationDetails: { deviceId: device, type: 'comet' },
        }),
      });
      if (ok) this.pushes.get(device)?.add(tag);
    }
  }

  start(concurrency: number): void {
    this.running = true;
    for (let i = 0; i < concurrency; i++)
      this.workers.push(
        (async () => {
          while (this.running) await this.once();
        })(),
      );
  }

  async stop(): Promise<void> {
    this.running = false;
    await Promise.all(this.workers);
    this.workers = [];
  }
}

/** Why a meta message failed, in one line (a transport failure carries objects that do not serialise). */
const why = (m: Message): string => {
  const failure = (m as { failure?: { reason?: unknown; httpCode?: unknown; exception?: unknown } }).failure;
  return [m.error, failure?.reason, failure?.httpCode, failure?.exception && String(failure.exception)]
    .filter((x) => x !== undefined && x !== null && x !== '')
    .join(' ');
};

/**
 * A device on the official CometD client, default configuration, `gms_user` in requestHeaders, with
 * the client's acknowledgement extension (what it received counts, not what was written to it).
 */
export class Device {
  readonly received = new Map<string, number>();
  /** What the client saw of its meta channels (handshakes, failed connects, subscriptions), timestamped. */
  readonly trace: string[] = [];
  /** When its first handshake succeeded (the device is back). */
  connectedAt: Date | null = null;
  private client: CometD | null = null;

  constructor(
    private readonly url: string,
    readonly gmsUser: string,
  ) {}

  private note(line: string): void {
    this.trace.push(`${new Date().toISOString()} ${this.gmsUser} ${line}`);
  }

  static adapt(): void {
    adapt();
  }

  async connect(): Promise<void> {
    const client = new CometD();
    client.configure({
      url: `${this.url}/genesys/cometd`,
      requestHeaders: { gms_user: this.gmsUser },
      logLevel: 'warn',
    });
    client.registerExtension('ack', new AckExtension());
    this.client = client;
    let handshook = () => {};
    const onPush = (m: Message) => {
      const tag = (m.data as { tag?: string } | undefined)?.tag;
      if (tag) this.received.set(tag, (this.received.get(tag) ?? 0) + 1);
    };
    // Re-subscribe after every (re-)handshake: an instance that died forgot the client.
    client.addListener('/meta/handshake', (m: Message) => {
      this.note(
        `handshake ${m.successful ? 'ok' : 'failed'} clientId=${m.clientId ?? '-'} transport=${client.getTransport()?.type ?? '-'} ${m.successful ? '' : why(m)}`,
      );
      if (m.successful) {
        // The first success: the client retries a failed first handshake itself (a dead instance),
        // and the handshake() callback does not hear of the retries.
        if (this.connectedAt === null) {
          this.connectedAt = new Date();
          handshook();
        }
        client.batch(() => client.subscribe('/_genesys', onPush));
      }
    });
    client.addListener('/meta/connect', (m: Message) => {
      if (!m.successful) this.note(`connect failed clientId=${client.getClientId() ?? '-'} ${why(m)}`);
    });
    client.addListener('/meta/subscribe', (m: Message) =>
      this.note(`subscribe ${m.successful ? 'ok' : `failed ${why(m)}`}`),
    );
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`${this.gmsUser}: no handshake`)), 15_000);
      handshook = () => {
        clearTimeout(timer);
        resolve();
      };
      client.handshake();
    });
  }

  async close(): Promise<void> {
    const client = this.client;
    this.client = null;
    if (!client || client.isDisconnected()) return;
    await new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, 3_000);
      client.disconnect(() => {
        clearTimeout(timer);
        resolve();
      });
    });
  }
}

/**
 * A device that vanishes: plain Bayeux long-polling over HTTP (as GMS's Android sample does), which
 * at `vanish()` stops polling without a /meta/disconnect — a phone losing its network. Its pushes
 * land in the same `received` map as the official client that later takes over its gms_user.
 */
export class VanishingDevice {
  private polling = false;
  private abort = new AbortController();
  readonly trace: string[] = [];
  /** When `vanish()` was called. */
  vanishedAt: Date | null = null;

  /** `pauseMs`: how long it waits between polls (a slow consumer: pushes pile up for it meanwhile). */
  constructor(
    private readonly url: string,
    readonly gmsUser: string,
    readonly received: Map<string, number> = new Map(),
    private readonly pauseMs = 0,
  ) {}

  private async bayeux(messages: object[]): Promise<Record<string, unknown>[]> {
    const res = await fetch(`${this.url}/genesys/cometd`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', gms_user: this.gmsUser },
      body: JSON.stringify(messages),
      signal: this.abort.signal,
    });
    return (await res.json()) as Record<string, unknown>[];
  }

  private async handshake(): Promise<string> {
    const [hello] = await this.bayeux([
      { channel: '/meta/handshake', version: '1.0', supportedConnectionTypes: ['long-polling'] },
    ]);
    const clientId = String(hello?.clientId);
    const [subscribed] = await this.bayeux([
      { channel: '/meta/subscribe', clientId, subscription: '/_genesys' },
    ]);
    this.trace.push(
      `${new Date().toISOString()} ${this.gmsUser} plain handshake clientId=${clientId} subscribe ${subscribed?.successful ? 'ok' : 'failed'}`,
    );
    return clientId;
  }

  async connect(): Promise<void> {
    let clientId = await this.handshake();
    this.polling = true;
    void (async () => {
      while (this.polling) {
        try {
          const replies = await this.bayeux([
            { channel: '/meta/connect', clientId, connectionType: 'long-polling' },
          ]);
          for (const m of replies) {
            const tag = (m.data as { tag?: string } | undefined)?.tag;
            if (m.channel === '/_genesys' && tag) this.received.set(tag, (this.received.get(tag) ?? 0) + 1);
            // The instance that knew this client is gone (or dropped it): handshake again, as a client must.
            if (m.channel === '/meta/connect' && m.successful === false) clientId = await this.handshake();
          }
          if (this.pauseMs > 0 && this.polling) await new Promise((r) => setTimeout(r, this.pauseMs));
        } catch {
          if (this.polling) await new Promise((r) => setTimeout(r, 500));
        }
      }
    })();
  }

  /**
   * Stops polling once the poll in flight has returned (the app is killed or the phone sleeps
   * between polls). A connection torn down while the server is writing a push to it can lose that
   * push — Bayeux has no acknowledgement — which the drill does not simulate (RELIABILITY.md).
   */
  vanish(): void {
    this.vanishedAt = new Date();
    this.trace.push(`${this.vanishedAt.toISOString()} ${this.gmsUser} vanishes`);
    this.polling = false;
  }

  /** Drops the poll in flight too (end of the drill). */
  destroy(): void {
    this.polling = false;
    this.abort.abort();
  }
}
