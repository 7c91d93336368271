import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { graphql } from './gql/index.js';
import {
  backend,
  createTestApp,
  createTestDatabase,
  type TestAppOptions,
  type TestDatabase,
} from './harness.js';

const AcceptanceTemplates = graphql(`
  query AcceptanceTemplates {
    serviceTemplates {
      name
      categories {
        name
        parameters {
          name
          kind
          defaultValue
        }
      }
    }
  }
`);

const AcceptanceCreate = graphql(`
  mutation AcceptanceCreate {
    createService(
      input: { name: "iPhoneService", template: "request-interaction", options: [{ name: "_ttl", value: "7200" }] }
    ) {
      __typename
      ... on MutationCreateServiceSuccess {
        data {
          service {
            name
            url
          }
        }
      }
      ... on Error {
        message
      }
    }
  }
`);

const AcceptanceFind = graphql(`
  query AcceptanceFind {
    service(name: "iPhoneService") {
      name
      template
      serviceType
      options {
        name
        value
        kind
      }
    }
  }
`);

/**
 * Issue acceptance: with GraphQL alone a newcomer lists the templates, creates iPhoneService from
 * request-interaction with _ttl=7200, and finds it again after a restart.
 */
describe('acceptance: a configured service survives a restart', () => {
  let dataDir: string;
  let database: TestDatabase | null = null;
  let options: TestAppOptions;

  beforeAll(async () => {
    dataDir = await mkdtemp(join(tmpdir(), 'gms-restart-'));
    if (backend === 'postgres') database = await createTestDatabase();
    options = database ? { database } : { env: { DATABASE_URL: `pglite://${dataDir}` } };
  });
  afterAll(async () => {
    await database?.drop();
    await rm(dataDir, { recursive: true, force: true });
  });

  it('lists templates, creates iPhoneService, restarts, finds it', async () => {
    const first = await createTestApp(options);
    try {
      const templates = await first.admin(AcceptanceTemplates);
      const ri = templates.serviceTemplates.find((t) => t.name === 'request-interaction');
      expect(ri?.categories.map((c) => c.name)).toEqual(['General', 'Request Interaction']);
      const created = await first.admin(AcceptanceCreate);
      expect(created.createService).toEqual({
        __typename: 'MutationCreateServiceSuccess',
        data: { service: { name: 'iPhoneService', url: '/genesys/1/service/iPhoneService' } },
      });
    } finally {
      await first.close();
    }

    const second = await createTestApp(options);
    try {
      const found = await second.admin(AcceptanceFind);
      expect(found.service).toEqual({
        name: 'iPhoneService',
        template: 'request-interaction',
        serviceType: 'request-interaction',
        options: [
          { name: '_type', value: 'builtin', kind: 'MANDATORY' },
          { name: '_service', value: 'request-interaction', kind: 'MANDATORY' },
          { name: '_resource_group', value: 'DNIS', kind: 'MANDATORY' },
          { name: '_ttl', value: '7200', kind: 'OPTIONAL' },
        ],
      });
      // The restart re-ran the start-up steps without duplicating or overwriting anything.
      expect((await second.admin(AcceptanceTemplates)).serviceTemplates).toHaveLength(6);
      // request-interaction books from the default DNIS group.
      await second.app.managers.resources.createGroup({
        resources: [{ name: 'Key1', accessNumber: '1-800-1234' }],
      });
      const session = await second.fetch('/genesys/1/service/iPhoneService', {
        method: 'POST',
        body: '_phone_number=6504669999',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
      });
      expect(session.status).toBe(200);
    } finally {
      await second.close();
    }
  });
});
