import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import type { Config } from '../config.js';
import type { DomainError } from '../errors.js';
import { isAdmin, type Viewer } from './viewer.js';

/**
 * How strictly a request is held to ownership. `strict`: a device (gms_user, plus its device token
 * when the resource was bound to one) reaches only what it created; admins reach everything. `open`:
 * GMS 8.1's rule — an id is its own capability. GraphQL is always `strict`; the legacy paths follow
 * `LEGACY_ACCESS` (compatible → `open`).
 */
export type AccessRules = 'open' | 'strict';

export const legacyRules = (config: Pick<Config, 'legacyAccess'>): AccessRules =>
  config.legacyAccess === 'strict' ? 'strict' : 'open';

/** A resource bound to the device that created it. */
export interface Owned {
  /** The creator's `gms_user` (null: created anonymously). */
  gmsUser: string | null;
  /** sha256 of the device token it was created with, or null (bound to gms_user only). */
  ownerTokenHash?: string | null;
}

/** The response (and request) header that carries a device token. */
export const DEVICE_TOKEN_HEADER = 'x-gms-device-token';

export const hashDeviceToken = (token: string) => createHash('sha256').update(token).digest('hex');

export const newDeviceToken = () => randomBytes(32).toString('base64url');

function sameHash(a: string, b: string): boolean {
  const x = Buffer.from(a, 'hex');
  const y = Buffer.from(b, 'hex');
  return x.length === y.length && timingSafeEqual(x, y);
}

/** Whether `viewer` is the device that created `resource` (admins own everything). */
export function owns(viewer: Viewer, resource: Owned): boolean {
  if (isAdmin(viewer)) return true;
  // Agents act through their own (reservation-checked) paths, never as a device.
  if (viewer.kind !== 'user') return false;
  if (resource.gmsUser === null || resource.gmsUser !== viewer.gmsUser) return false;
  if (!resource.ownerTokenHash) return true;
  const token = viewer.deviceToken;
  return !!token && sameHash(hashDeviceToken(token), resource.ownerTokenHash);
}

/** What `open` still refuses, where a legacy path asks for it. */
export interface OpenRules {
  /**
   * A device naming another device: the request's gms_user and the resource's are both set and
   * differ (admins pass). A request without the header, or a resource created without one, passes
   * as under plain `open`: GMS's push sample deletes its Notification API subscription by id without
   * the header. LEGACY_ACCESS=compatible closes this where a named mismatch can only be another device
   * (deleting a notification subscription).
   */
  refuseOtherDevice?: boolean;
}

/** Whether a device that names itself names another device than the resource's (admins never do). */
export const namesOtherDevice = (viewer: Viewer, resource: Owned): boolean =>
  !isAdmin(viewer) &&
  viewer.gmsUser !== null &&
  resource.gmsUser !== null &&
  viewer.gmsUser !== resource.gmsUser;

/**
 * The one ownership rule. Under `strict`, anything the viewer does not own is `refuse()` — a
 * NotFoundError where ids must not be confirmed, a ForbiddenError where the legacy API answers 403.
 * Under `open` everything passes (GMS 8.1), except what `open` names.
 */
export function assertOwns<T extends Owned>(
  viewer: Viewer,
  resource: T,
  rules: AccessRules,
  refuse: () => DomainError,
  open: OpenRules = {},
): T {
  const refused =
    rules === 'strict'
      ? !owns(viewer, resource)
      : !!open.refuseOtherDevice && namesOtherDevice(viewer, resource);
  if (refused) throw refuse();
  return resource;
}

/** Who is asking, and under which rules (the Service API's `Caller`). */
export interface Requester {
  viewer: Viewer;
  /** The `gms_user` header. */
  gmsUser: string | null;
  rules: AccessRules;
  /** The device-token hash what this request creates is bound to (null: gms_user only). */
  ownerTokenHash?: string | null;
}

/** The hash of the device token the viewer presented, if any. */
export const presentedTokenHash = (viewer: Viewer): string | null =>
  viewer.kind === 'user' && viewer.deviceToken ? hashDeviceToken(viewer.deviceToken) : null;

/** A GraphQL request: strict always; creations bind to the token it presents, if any. */
export const graphqlRequester = (viewer: Viewer): Requester => ({
  viewer,
  gmsUser: viewer.gmsUser,
  rules: 'strict',
  ownerTokenHash: presentedTokenHash(viewer),
});

/**
 * A legacy request under LEGACY_ACCESS. In strict mode a device (gms_user) that presents no token
 * gets one: what it creates is bound to it, and `issued` goes back in the `x-gms-device-token`
 * response header (legacy clients ignore unknown headers; upgraded ones send it on later calls).
 */
export function legacyRequester(
  viewer: Viewer,
  gmsUser: string | null,
  config: Pick<Config, 'legacyAccess'>,
): { requester: Requester; issued: string | null } {
  const rules = legacyRules(config);
  const presented = presentedTokenHash(viewer);
  const issued =
    rules === 'strict' && viewer.kind === 'user' && gmsUser && !presented ? newDeviceToken() : null;
  const withToken: Viewer = issued && viewer.kind === 'user' ? { ...viewer, deviceToken: issued } : viewer;
  return {
    requester: {
      viewer: withToken,
      gmsUser,
      rules,
      ownerTokenHash: issued ? hashDeviceToken(issued) : presented,
    },
    issued,
  };
}
