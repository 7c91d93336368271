import { jsonResponse } from '../../http/http-errors.js';
import type { LegacyRequest } from '../../http/legacy-request.js';
import type { RouteDoc, RouteTable } from '../../http/route-table.js';
import { storageEntryJson, storageInputFromBody, storedValueResponse } from './storage.legacy.js';
import { type StorageRef, storageTtlSeconds } from './storage.manager.js';

const binaryPath = (id: string, custom: boolean) => (key: string) =>
  `/genesys/1/storage/binary/${custom ? 'custom/' : ''}${encodeURIComponent(id)}/${encodeURIComponent(key)}`;

const ref = (req: LegacyRequest, param: string, custom = false): StorageRef => ({
  id: req.params[param] ?? '',
  gmsUser: req.gmsUser,
  custom,
  access: { viewer: req.caller.viewer, rules: req.caller.rules },
});

/** Who an area is bound to: the device (gms_user, and its token when it has one). */
const owner = (req: LegacyRequest) => ({
  gmsUser: req.gmsUser,
  ownerTokenHash: req.caller.ownerTokenHash ?? null,
});

/** The Storage API as the OpenAPI document and the README's route map describe it. */
const ROUTE_DOCS: Record<string, RouteDoc> = {
  'POST /genesys/1/storage/:ttl': {
    summary: 'Store values (text fields and files) under a new id for ttl seconds',
    params: { ttl: 'Time to live in seconds' },
  },
  'POST /genesys/1/storage/custom/:customId/:ttl': {
    summary: 'Store values under an id of your own, bound to gms_user',
    params: { customId: 'Your id for the area', ttl: 'Time to live in seconds' },
  },
  'POST /genesys/1/storage/:id/:ttl': {
    summary: 'Add or replace values of an area and renew its time to live',
    params: { ttl: 'Time to live in seconds' },
  },
  'GET /genesys/1/storage/:id': {
    summary: 'Every key of an area: text values, files as their download path',
  },
  'GET /genesys/1/storage/:id/:key': { summary: 'One value of an area, raw' },
  'GET /genesys/1/storage/binary/:id/:key': { summary: 'A file of an area, with its content type' },
  'DELETE /genesys/1/storage/:id': { summary: 'Delete an area' },
  'DELETE /genesys/1/storage/:id/:key': { summary: 'Delete one key of an area' },
  'GET /genesys/1/storage/custom/:id': {
    summary: 'Every key of a custom-id area: text values, files as their download path',
  },
  'GET /genesys/1/storage/custom/:id/:key': { summary: 'One value of a custom-id area, raw' },
  'GET /genesys/1/storage/binary/custom/:id/:key': {
    summary: 'A file of a custom-id area, with its content type',
  },
  'DELETE /genesys/1/storage/custom/:id': { summary: 'Delete a custom-id area' },
  'DELETE /genesys/1/storage/custom/:id/:key': { summary: 'Delete one key of a custom-id area' },
};

/** The Storage API (reference §2), generated ids and custom ids bound to `gms_user`. */
export function registerStorageRoutes(router: RouteTable): void {
  router.describe(ROUTE_DOCS);
  router.add('POST', '/genesys/1/storage/:ttl', async (req, { managers }) => {
    const entry = await managers.storage.create(
      storageTtlSeconds(req.params.ttl),
      storageInputFromBody(await req.body()),
      owner(req),
      req.caller.rules,
    );
    return jsonResponse({ id: entry.id });
  });
  router.add('POST', '/genesys/1/storage/custom/:customId/:ttl', async (req, { managers }) => {
    const entry = await managers.storage.createCustom(
      req.params.customId ?? '',
      req.gmsUser,
      storageTtlSeconds(req.params.ttl),
      storageInputFromBody(await req.body()),
      { ownerTokenHash: req.caller.ownerTokenHash, access: ref(req, 'customId', true).access },
    );
    return jsonResponse({ id: entry.id });
  });
  router.add('POST', '/genesys/1/storage/:id/:ttl', async (req, { managers }) => {
    const entry = await managers.storage.update(
      ref(req, 'id'),
      storageTtlSeconds(req.params.ttl),
      storageInputFromBody(await req.body()),
    );
    return jsonResponse({ id: entry.id });
  });

  for (const custom of [false, true]) {
    const base = custom ? '/genesys/1/storage/custom/:id' : '/genesys/1/storage/:id';
    router.add('GET', base, async (req, { managers }) => {
      const entry = await managers.storage.get(ref(req, 'id', custom));
      return jsonResponse(storageEntryJson(entry, binaryPath(entry.id, custom)));
    });
    router.add('GET', `${base}/:key`, async (req, { managers }) =>
      storedValueResponse(await managers.storage.getValue(ref(req, 'id', custom), req.params.key ?? '')),
    );
    router.add(
      'GET',
      `/genesys/1/storage/binary/${custom ? 'custom/' : ''}:id/:key`,
      async (req, { managers }) =>
        storedValueResponse(await managers.storage.getValue(ref(req, 'id', custom), req.params.key ?? '')),
    );
    router.add('DELETE', base, async (req, { managers }) => {
      await managers.storage.delete(ref(req, 'id', custom));
      return jsonResponse({ id: req.params.id });
    });
    router.add('DELETE', `${base}/:key`, async (req, { managers }) => {
      const removed = await managers.storage.deleteKeys(ref(req, 'id', custom), [req.params.key ?? '']);
      return jsonResponse({ id: req.params.id, removed });
    });
  }
}
