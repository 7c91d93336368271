import { createPrivateKey, type KeyObject, sign } from 'node:crypto';
import { type ClientHttp2Session, connect, constants } from 'node:http2';
import type { Clock } from '../../clock.js';
import type { PushConfig } from '../../config.js';
import type { DeliveryType } from './notification.manager.js';

/** One delivery as a provider sends it. */
export interface PushJob {
  type: DeliveryType;
  deviceId: string;
  authorization: string | null;
  /** The push `id`. */
  eventId: string;
  tag: string;
  message: unknown;
}

/** `permanent`: retrying cannot help (bad device token, not configured…): dead-letter at once. */
export type SendResult = { ok: true } | { ok: false; permanent: boolean; error: string };

export interface PushSender {
  send(job: PushJob): Promise<SendResult>;
  close(): void;
}

const b64url = (data: string | Buffer) => Buffer.from(data).toString('base64url');

/** A compact JWS: ES256 (APNs) or RS256 (Google service accounts), signed with node:crypto. */
export function signJwt(
  alg: 'ES256' | 'RS256',
  key: KeyObject,
  header: Record<string, string>,
  claims: Record<string, unknown>,
): string {
  const input = `${b64url(JSON.stringify({ alg, typ: 'JWT', ...header }))}.${b64url(JSON.stringify(claims))}`;
  const signature =
    alg === 'ES256'
      ? sign('sha256', Buffer.from(input), { key, dsaEncoding: 'ieee-p1363' })
      : sign('sha256', Buffer.from(input), key);
  return `${input}.${b64url(signature)}`;
}

const messageText = (message: unknown): string =>
  typeof message === 'string' ? message : JSON.stringify(message);

/** What a transient failure looks like: timeouts, throttling, server errors. */
const retryable = (status: number) => status === 408 || status === 429 || status >= 500;

interface H2Response {
  status: number;
  body: string;
}

/** HTTP/2 requests with one reused session per origin (APNs and FCM both want long-lived sessions). */
class Http2Pool {
  private readonly sessions = new Map<string, ClientHttp2Session>();

  constructor(private readonly timeoutMs: number) {}

  private session(origin: string): ClientHttp2Session {
    const existing = this.sessions.get(origin);
    if (existing && !existing.closed && !existing.destroyed) return existing;
    const session = connect(origin);
    session.on('error', () => this.sessions.delete(origin));
    session.on('close', () => this.sessions.delete(origin));
    session.on('goaway', () => this.sessions.delete(origin));
    session.unref();
    this.sessions.set(origin, session);
    return session;
  }

  request(url: string, headers: Record<string, string>, body: string): Promise<H2Response> {
    const target = new URL(url);
    return new Promise<H2Response>((resolve, reject) => {
      let session: ClientHttp2Session;
      try {
        session = this.session(target.origin);
      } catch (err) {
        return reject(err);
      }
      const stream = session.request({
        [constants.HTTP2_HEADER_METHOD]: 'POST',
        [constants.HTTP2_HEADER_PATH]: `${target.pathname}${target.search}`,
        ...headers,
      });
      stream.setTimeout(this.timeoutMs, () => stream.close(constants.NGHTTP2_CANCEL));
      let status = 0;
      const chunks: Buffer[] = [];
      stream.on('response', (h) => {
        status = Number(h[constants.HTTP2_HEADER_STATUS]);
      });
      stream.on('data', (c: Buffer) => chunks.push(c));
      stream.on('error', reject);
      stream.on('close', () => {
        if (status === 0) return reject(new Error('HTTP/2 stream closed without a response (timeout?)'));
        resolve({ status, body: Buffer.concat(chunks).toString('utf8') });
      });
      stream.end(body);
    });
  }

  close(): void {
    for (const s of this.sessions.values()) s.close();
    this.sessions.clear();
  }
}

/** APNs provider API over HTTP/2 with token (JWT ES256) authentication. */
export class ApnsSender implements PushSender {
  private readonly key: KeyObject;
  private token: { value: string; issuedAt: number } | null = null;

  constructor(
    private readonly config: NonNullable<PushConfig['apns']>,
    private readonly pool: Http2Pool,
    private readonly clock: Clock,
  ) {
    this.key = createPrivateKey(config.privateKey);
  }

  /** APNs wants the token refreshed at most every 20 minutes and at least every 60. */
  private bearer(): string {
    const now = Math.floor(this.clock.now().getTime() / 1000);
    if (!this.token || now - this.token.issuedAt > 50 * 60) {
      const value = signJwt(
        'ES256',
        this.key,
        { kid: this.config.keyId },
        { iss: this.config.teamId, iat: now },
      );
      this.token = { value, issuedAt: now };
    }
    return this.token.value;
  }

  async send(job: PushJob): Promise<SendResult> {
    const alert =
      typeof job.message === 'string'
        ? job.message
        : (textField(job.message, '_display_message') ?? textField(job.message, 'message') ?? job.tag);
    const payload = {
      aps: { alert, sound: 'default', 'content-available': 1 },
      id: job.eventId,
      tag: job.tag,
      message: job.message,
    };
    const response = await this.pool.request(
      `${this.config.url}/3/device/${encodeURIComponent(job.deviceId)}`,
      {
        authorization: `bearer ${this.bearer()}`,
        'apns-topic': this.config.topic,
        'apns-push-type': 'alert',
        'apns-id': asUuid(job.eventId),
        'content-type': 'application/json',
      },
      JSON.stringify(payload),
    );
    if (response.status === 200) return { ok: true };
    const reason = safeJson(response.body)?.reason;
    const error = `APNs ${response.status}${typeof reason === 'string' ? ` ${reason}` : ''}`;
    if (response.status === 403 && reason === 'ExpiredProviderToken') this.token = null;
    return { ok: false, permanent: !retryable(response.status) && reason !== 'ExpiredProviderToken', error };
  }

  close(): void {}
}

/** FCM HTTP v1 (`projects/{id}/messages:send`) with a service-account OAuth2 token (JWT RS256). */
export class FcmSender implements PushSender {
  private readonly key: KeyObject;
  private token: { value: string; expiresAt: number } | null = null;

  constructor(
    private readonly config: NonNullable<PushConfig['fcm']>,
    private readonly pool: Http2Pool,
    private readonly clock: Clock,
  ) {
    this.key = createPrivateKey(config.privateKey);
  }

  private async bearer(): Promise<string> {
    const now = Math.floor(this.clock.now().getTime() / 1000);
    if (this.token && this.token.expiresAt - 60 > now) return this.token.value;
    const assertion = signJwt(
      'RS256',
      this.key,
      {},
      {
        iss: this.config.clientEmail,
        scope: 'https://www.googleapis.com/auth/firebase.messaging',
        aud: this.config.tokenUrl,
        iat: now,
        exp: now + 3600,
      },
    );
    const response = await this.pool.request(
      this.config.tokenUrl,
      { 'content-type': 'application/x-www-form-urlencoded' },
      new URLSearchParams({
        grant_type: 'urn:ietf:params:oauth:grant-type:jwt-bearer',
        assertion,
      }).toString(),
    );
    const body = safeJson(response.body);
    if (response.status !== 200 || typeof body?.access_token !== 'string')
      throw new Error(`FCM token endpoint answered ${response.status}`);
    const expiresIn = typeof body.expires_in === 'number' ? body.expires_in : 3600;
    this.token = { value: body.access_token, expiresAt: now + expiresIn };
    return this.token.value;
  }

  async send(job: PushJob): Promise<SendResult> {
    const response = await this.pool.request(
      `${this.config.url}/v1/projects/${encodeURIComponent(this.config.projectId)}/messages:send`,
      { authorization: `Bearer ${await this.bearer()}`, 'content-type': 'application/json' },
      JSON.stringify({
        message: {
          token: job.deviceId,
          // FCM data values are strings; GMS clients read the payload from `message`.
          data: { id: job.eventId, tag: job.tag, message: messageText(job.message) },
        },
      }),
    );
    if (response.status === 200) return { ok: true };
    const status = (safeJson(response.body)?.error as { status?: string } | undefined)?.status;
    if (response.status === 401) this.token = null;
    return {
      ok: false,
      permanent: !retryable(response.status) && response.status !== 401,
      error: `FCM ${response.status}${status ? ` ${status}` : ''}`,
    };
  }

  close(): void {}
}

/** httpcb: POST the message to the device's URL; customhttp: POST `{deviceId, message}` to the configured URL. */
export class HttpSender implements PushSender {
  constructor(private readonly config: PushConfig) {}

  async send(job: PushJob): Promise<SendResult> {
    let url: string;
    let body: string;
    const headers: Record<string, string> = { 'x-gms-notification-id': job.eventId, 'x-gms-tag': job.tag };
    if (job.type === 'httpcb') {
      url = job.deviceId;
      body = messageText(job.message);
      headers['content-type'] =
        typeof job.message === 'string' ? 'text/plain; charset=utf-8' : 'application/json';
    } else {
      const custom = this.config.customHttp;
      if (!custom)
        return {
          ok: false,
          permanent: true,
          error: 'customhttp delivery is not configured (PUSH_CUSTOMHTTP_URL)',
        };
      url = custom.url;
      body = JSON.stringify({ deviceId: job.deviceId, message: job.message });
      headers['content-type'] = 'application/json';
      const authorization = job.authorization ?? custom.authorization;
      if (authorization) headers.authorization = authorization;
    }
    const response = await fetch(url, {
      method: 'POST',
      headers,
      body,
      redirect: 'manual',
      signal: AbortSignal.timeout(this.config.httpTimeoutMs),
    });
    await response.arrayBuffer().catch(() => undefined);
    if (response.status >= 200 && response.status < 300) return { ok: true };
    return { ok: false, permanent: !retryable(response.status), error: `HTTP ${response.status}` };
  }

  close(): void {}
}

/** The sender for each delivery type, per configuration. */
export class PushSenders {
  private readonly pool: Http2Pool;
  private readonly http: HttpSender;
  private readonly apns: ApnsSender | null;
  private readonly fcm: FcmSender | null;

  constructor(config: PushConfig, clock: Clock) {
    this.pool = new Http2Pool(config.httpTimeoutMs);
    this.http = new HttpSender(config);
    this.apns = config.apns ? new ApnsSender(config.apns, this.pool, clock) : null;
    this.fcm = config.fcm ? new FcmSender(config.fcm, this.pool, clock) : null;
  }

  async send(job: PushJob): Promise<SendResult> {
    try {
      switch (job.type) {
        case 'httpcb':
        case 'customhttp':
          return await this.http.send(job);
        case 'ios':
          if (!this.apns) return { ok: false, permanent: true, error: 'APNs is not configured (APNS_*)' };
          return await this.apns.send(job);
        case 'fcm':
        case 'android':
        case 'gcm':
          if (!this.fcm) return { ok: false, permanent: true, error: 'FCM is not configured (FCM_*)' };
          return await this.fcm.send(job);
        default:
          return { ok: false, permanent: true, error: `No provider for ${job.type}` };
      }
    } catch (err) {
      return { ok: false, permanent: false, error: err instanceof Error ? err.message : String(err) };
    }
  }

  close(): void {
    this.pool.close();
  }
}

function safeJson(text: string): Record<string, unknown> | null {
  try {
    const v: unknown = JSON.parse(text);
    return v && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>) : null;
  } catch {
    return null;
  }
}

function textField(value: unknown, key: string): string | null {
  if (!value || typeof value !== 'object') return null;
  const v = (value as Record<string, unknown>)[key];
  return typeof v === 'string' ? v : null;
}

/** APNs wants `apns-id` as a canonical UUID; our ids are 32 hex digits. */
const asUuid = (id: string) =>
  /^[0-9a-f]{32}$/i.test(id)
    ? `${id.slice(0, 8)}-${id.slice(8, 12)}-${id.slice(12, 16)}-${id.slice(16, 20)}-${id.slice(20)}`
    : id;
