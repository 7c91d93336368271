import { createPrivateKey } from 'node:crypto';
import type { Clock } from '../../clock.js';
import type { PushConfig } from '../../config.js';
import type { createSenders, ProviderKeys, PushJob, SendResult } from './push.senders.js';

export type { PushJob, PushSender, SendResult } from './push.senders.js';

type Senders = ReturnType<typeof createSenders>;

/** The sender for each delivery type, per configuration (loaded at the first delivery: push.senders.ts). */
export class PushSenders {
  private readonly keys: ProviderKeys;
  private senders: Promise<Senders> | null = null;
  private closed = false;

  constructor(
    private readonly config: PushConfig,
    private readonly clock: Clock,
  ) {
    this.keys = {
      apns: config.apns ? createPrivateKey(config.apns.privateKey) : null,
      fcm: config.fcm ? createPrivateKey(config.fcm.privateKey) : null,
    };
  }

  private load(): Promise<Senders> {
    this.senders ??= import('./push.senders.js').then((m) =>
      m.createSenders(this.config, this.clock, this.keys),
    );
    return this.senders;
  }

  async send(job: PushJob): Promise<SendResult> {
    if (this.closed) return { ok: false, permanent: false, error: 'push senders are closed' };
    try {
      switch (job.type) {
        case 'httpcb':
        case 'customhttp':
          return await (await this.load()).http.send(job);
        case 'ios': {
          if (!this.config.apns)
            return { ok: false, permanent: true, error: 'APNs is not configured (APNS_*)' };
          const { apns } = await this.load();
          return apns
            ? await apns.send(job)
            : { ok: false, permanent: true, error: 'APNs is not configured' };
        }
        case 'fcm':
        case 'android':
        case 'gcm': {
          if (!this.config.fcm) return { ok: false, permanent: true, error: 'FCM is not configured (FCM_*)' };
          const { fcm } = await this.load();
          return fcm ? await fcm.send(job) : { ok: false, permanent: true, error: 'FCM is not configured' };
        }
        default:
          return { ok: false, permanent: true, error: `No provider for ${job.type}` };
      }
    } catch (err) {
      return { ok: false, permanent: false, error: err instanceof Error ? err.message : String(err) };
    }
  }

  async close(): Promise<void> {
    this.closed = true;
    if (this.senders) await (await this.senders).close();
  }
}
