import type { KeyObject } from 'node:crypto';
import { SignJWT } from 'jose';
import { Agent, buildConnector, request } from 'undici';
import type { Clock } from '../../clock.js';
import type { PushConfig } from '../../config.js';
import type { NewDelivery } from './notification.manager.js';
import { TargetPolicy, TargetRefusedError } from './push.targets.js';

// The HTTP senders and what they need (undici, jose: ~6 MB of an idle server's heap), loaded by
// PushSenders (push.providers.ts) at the first delivery that needs one.

/** One delivery as a provider sends it (`eventId` is the push `id`). */
export type PushJob = Pick<
  NewDelivery,
  'type' | 'deviceId' | 'authorization' | 'eventId' | 'tag' | 'message'
>;

/** `permanent`: retrying cannot help (bad device token, not configured…): dead-letter at once. */
export type SendResult = { ok: true } | { ok: false; permanent: boolean; error: string };

export interface PushSender {
  send(job: PushJob): Promise<SendResult>;
}

const messageText = (message: unknown): string =>
  typeof message === 'string' ? message : JSON.stringify(message);

/** What a transient failure looks like: timeouts, throttling, server errors. */
const retryable = (status: number) => status === 408 || status === 429 || status >= 500;

interface ProviderResponse {
  status: number;
  body: string;
}

/**
 * HTTP/2 to the providers through one undici Agent: APNs and FCM both want long-lived, multiplexed
 * sessions. `https:` negotiates h2 by ALPN; a plain `http:` URL (a local test server) speaks h2c.
 */
export class ProviderClient {
  private readonly agent: Agent;

  constructor(private readonly timeoutMs: number) {
    // useH2c (h2 without TLS) is a connector option the typings lag behind on; only http: uses it.
    const connect: buildConnector.BuildOptions & { useH2c: boolean } = { useH2c: true, timeout: timeoutMs };
    this.agent = new Agent({ allowH2: true, connect });
  }

  async post(url: string, headers: Record<string, string>, body: string): Promise<ProviderResponse> {
    const response = await request(url, {
      method: 'POST',
      headers,
      body,
      dispatcher: this.agent,
      signal: AbortSignal.timeout(this.timeoutMs),
    });
    return { status: response.statusCode, body: await response.body.text() };
  }

  close(): Promise<void> {
    return this.agent.close();
  }
}

/** APNs provider API over HTTP/2 with token (JWT ES256) authentication. */
export class ApnsSender implements PushSender {
  private token: { value: string; issuedAt: number } | null = null;

  constructor(
    private readonly config: NonNullable<PushConfig['apns']>,
    private readonly key: KeyObject,
    private readonly client: ProviderClient,
    private readonly clock: Clock,
  ) {}

  /** APNs wants the token refreshed at most every 20 minutes and at least every 60. */
  private async bearer(): Promise<string> {
    const now = Math.floor(this.clock.now().getTime() / 1000);
    if (!this.token || now - this.token.issuedAt > 50 * 60) {
      const value = await new SignJWT({})
        .setProtectedHeader({ alg: 'ES256', kid: this.config.keyId })
        .setIssuer(this.config.teamId)
        .setIssuedAt(now)
        .sign(this.key);
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
    const response = await this.client.post(
      `${this.config.url}/3/device/${encodeURIComponent(job.deviceId)}`,
      {
        authorization: `bearer ${await this.bearer()}`,
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
}

/**
 * A Google service account's OAuth2 access token: the JWT-bearer grant (RFC 7523) — an RS256
 * assertion signed with jose, exchanged at the token endpoint — cached until a minute before it
 * expires. google-auth-library would do the same but hard-codes Google's token URL (so it cannot be
 * pointed at FCM_TOKEN_URL), and brings 23 packages (13 MB) including a second JWT stack.
 */
export class ServiceAccountToken {
  private token: { value: string; expiresAt: number } | null = null;

  constructor(
    private readonly config: { tokenUrl: string; clientEmail: string },
    private readonly key: KeyObject,
    private readonly scope: string,
    private readonly client: ProviderClient,
    private readonly clock: Clock,
  ) {}

  async get(): Promise<string> {
    const now = Math.floor(this.clock.now().getTime() / 1000);
    if (this.token && this.token.expiresAt - 60 > now) return this.token.value;
    const assertion = await new SignJWT({ scope: this.scope })
      .setProtectedHeader({ alg: 'RS256', typ: 'JWT' })
      .setIssuer(this.config.clientEmail)
      .setAudience(this.config.tokenUrl)
      .setIssuedAt(now)
      .setExpirationTime(now + 3600)
      .sign(this.key);
    const response = await this.client.post(
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

  /** The provider refused the token (401): fetch a new one next time. */
  forget(): void {
    this.token = null;
  }
}

/** FCM HTTP v1 (`projects/{id}/messages:send`) with a service-account OAuth2 token. */
export class FcmSender implements PushSender {
  private readonly token: ServiceAccountToken;

  constructor(
    private readonly config: NonNullable<PushConfig['fcm']>,
    key: KeyObject,
    private readonly client: ProviderClient,
    clock: Clock,
  ) {
    this.token = new ServiceAccountToken(
      config,
      key,
      'https://www.googleapis.com/auth/firebase.messaging',
      client,
      clock,
    );
  }

  async send(job: PushJob): Promise<SendResult> {
    const response = await this.client.post(
      `${this.config.url}/v1/projects/${encodeURIComponent(this.config.projectId)}/messages:send`,
      { authorization: `Bearer ${await this.token.get()}`, 'content-type': 'application/json' },
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
    if (response.status === 401) this.token.forget();
    return {
      ok: false,
      permanent: !retryable(response.status) && response.status !== 401,
      error: `FCM ${response.status}${status ? ` ${status}` : ''}`,
    };
  }
}

/**
 * httpcb: POST the message to the device's URL, through the guarded agent (PUSH_ALLOWED_TARGETS,
 * checked at connect time); customhttp: POST `{deviceId, message}` to the configured URL (the
 * operator's own, so not subject to the allowlist). Redirects are not followed.
 */
export class HttpSender implements PushSender {
  private readonly plain = new Agent();

  constructor(
    private readonly config: PushConfig,
    private readonly guarded: Agent,
  ) {}

  async send(job: PushJob): Promise<SendResult> {
    let url: string;
    let body: string;
    const headers: Record<string, string> = { 'x-gms-notification-id': job.eventId, 'x-gms-tag': job.tag };
    let dispatcher = this.plain;
    if (job.type === 'httpcb') {
      url = job.deviceId;
      body = messageText(job.message);
      headers['content-type'] =
        typeof job.message === 'string' ? 'text/plain; charset=utf-8' : 'application/json';
      dispatcher = this.guarded;
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
    let status: number;
    try {
      const response = await request(url, {
        method: 'POST',
        headers,
        body,
        dispatcher,
        signal: AbortSignal.timeout(this.config.httpTimeoutMs),
      });
      status = response.statusCode;
      await response.body.dump();
    } catch (err) {
      if (err instanceof TargetRefusedError) return { ok: false, permanent: true, error: err.message };
      throw err;
    }
    if (status >= 200 && status < 300) return { ok: true };
    return { ok: false, permanent: !retryable(status), error: `HTTP ${status}` };
  }

  close(): Promise<void> {
    return this.plain.close();
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

/** The private keys, parsed at start (a bad key stops the server there, not at the first push). */
export interface ProviderKeys {
  apns: KeyObject | null;
  fcm: KeyObject | null;
}

/** Every sender of a configuration, and closing their connections. */
export function createSenders(config: PushConfig, clock: Clock, keys: ProviderKeys) {
  const providers = new ProviderClient(config.httpTimeoutMs);
  const guarded = guardedAgent(new TargetPolicy(config.allowedTargets), config.httpTimeoutMs);
  const http = new HttpSender(config, guarded);
  return {
    http,
    apns: config.apns && keys.apns ? new ApnsSender(config.apns, keys.apns, providers, clock) : null,
    fcm: config.fcm && keys.fcm ? new FcmSender(config.fcm, keys.fcm, providers, clock) : null,
    async close(): Promise<void> {
      await Promise.all([providers.close(), guarded.close(), http.close()]);
    },
  };
}

/**
 * An undici Agent that connects only where `policy` allows: it resolves the host itself and
 * connects to the address it checked, so a name that resolves to a public address at subscribe
 * time and to 127.0.0.1 at delivery time (DNS rebinding) is refused.
 */
export function guardedAgent(policy: TargetPolicy, connectTimeoutMs: number): Agent {
  const base = buildConnector({ timeout: connectTimeoutMs });
  return new Agent({
    connect: (opts, callback) => {
      policy.resolve(opts.hostname).then(
        // `host` keeps the name, so TLS still checks the certificate against it (SNI).
        (address) => base({ ...opts, hostname: address }, callback),
        (err: Error) => callback(err, null),
      );
    },
  });
}
