import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../../config.js';

describe('push configuration', () => {
  it('takes provider credentials all or none, and unescapes PEM newlines', () => {
    expect(loadConfig({}).push).toMatchObject({
      apns: null,
      fcm: null,
      customHttp: null,
      notificationExpireSeconds: 30,
    });
    expect(() => loadConfig({ APNS_TEAM_ID: 'T' })).toThrow(ConfigError);
    expect(() => loadConfig({ APNS_TEAM_ID: 'T' })).toThrow(/APNS_KEY_ID/);
    const config = loadConfig({
      FCM_PROJECT_ID: 'p',
      FCM_CLIENT_EMAIL: 'e@x',
      FCM_PRIVATE_KEY: '-----BEGIN PRIVATE KEY-----\\nabc\\n-----END PRIVATE KEY-----',
    });
    expect(config.push.fcm?.privateKey).toBe('-----BEGIN PRIVATE KEY-----\nabc\n-----END PRIVATE KEY-----');
    expect(() => loadConfig({ NOTIFICATION_EXPIRE_SECONDS: '10' })).toThrow(/NOTIFICATION_EXPIRE_SECONDS/);
  });
});
