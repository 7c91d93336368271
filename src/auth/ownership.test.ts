import { describe, expect, it } from 'vitest';
import { ForbiddenError, NotFoundError } from '../errors.js';
import { assertOwns, hashDeviceToken, type Owned } from './ownership.js';
import type { Viewer } from './viewer.js';

/** The one ownership check (every module's: sessions, storage, callbacks, chat, notifications, push). */
const device = (gmsUser: string | null, deviceToken: string | null = null): Viewer => ({
  kind: 'user',
  gmsUser,
  deviceToken,
});
const admin: Viewer = { kind: 'admin', username: 'default', gmsUser: null };
const agent: Viewer = { kind: 'agent', agentId: 'alice', gmsUser: 'alice-phone' };
const notFound = () => new NotFoundError('test/not_found', 'not found');
const forbidden = () => new ForbiddenError('not yours');

const aliceOnly: Owned = { gmsUser: 'alice', ownerTokenHash: null };
const aliceBound: Owned = { gmsUser: 'alice', ownerTokenHash: hashDeviceToken('alice-token') };
const anonymous: Owned = { gmsUser: null, ownerTokenHash: null };

describe('assertOwns', () => {
  it('strict: the owner (and its device token, when bound) and admins pass; anyone else gets refuse()', () => {
    expect(assertOwns(device('alice'), aliceOnly, 'strict', notFound)).toBe(aliceOnly);
    expect(assertOwns(device('alice', 'alice-token'), aliceBound, 'strict', notFound)).toBe(aliceBound);
    expect(assertOwns(admin, aliceBound, 'strict', notFound)).toBe(aliceBound);
    expect(() => assertOwns(device('mallory'), aliceOnly, 'strict', notFound)).toThrow(NotFoundError);
    // The legacy error of the path: 403 where the API answers 403.
    expect(() => assertOwns(device('mallory'), aliceOnly, 'strict', forbidden)).toThrow(ForbiddenError);
    // Bound to a token: the gms_user alone, or another token, is not enough.
    expect(() => assertOwns(device('alice'), aliceBound, 'strict', notFound)).toThrow(NotFoundError);
    expect(() => assertOwns(device('alice', 'other'), aliceBound, 'strict', notFound)).toThrow(NotFoundError);
    // No gms_user header owns nothing; nothing created anonymously is anyone's; agents are never a device.
    expect(() => assertOwns(device(null), aliceOnly, 'strict', notFound)).toThrow(NotFoundError);
    expect(() => assertOwns(device('alice'), anonymous, 'strict', notFound)).toThrow(NotFoundError);
    expect(() => assertOwns(agent, { gmsUser: 'alice-phone' }, 'strict', notFound)).toThrow(NotFoundError);
  });

  it('open: everything passes (GMS 8.1: an id is its own capability)', () => {
    for (const viewer of [device('mallory'), device(null), agent, admin])
      expect(assertOwns(viewer, aliceBound, 'open', notFound)).toBe(aliceBound);
  });

  it('open refusing another device: only a named gms_user that differs from the named owner is refused', () => {
    const rule = { refuseOtherDevice: true };
    // The owner passes, token or not (open never asks for tokens).
    expect(assertOwns(device('alice'), aliceBound, 'open', notFound, rule)).toBe(aliceBound);
    // Another device is refused with the path's error.
    expect(() => assertOwns(device('mallory'), aliceOnly, 'open', notFound, rule)).toThrow(NotFoundError);
    expect(() => assertOwns(agent, aliceOnly, 'open', notFound, rule)).toThrow(NotFoundError);
    // No gms_user header: passes (GMS's push sample deletes its subscription without it).
    expect(assertOwns(device(null), aliceOnly, 'open', notFound, rule)).toBe(aliceOnly);
    // Created without a gms_user: nobody can be "another device".
    expect(assertOwns(device('mallory'), anonymous, 'open', notFound, rule)).toBe(anonymous);
    expect(assertOwns(admin, aliceOnly, 'open', notFound, rule)).toBe(aliceOnly);
    // Strict ignores the open-only rule.
    expect(() => assertOwns(device(null), aliceOnly, 'strict', notFound, rule)).toThrow(NotFoundError);
  });
});
