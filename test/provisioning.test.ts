import { spawn } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse as parseYaml } from 'yaml';
import { servicesTable } from '../src/modules/services/services.tables.js';
import { applyProvisioningFileAt, ProvisioningError } from '../src/provisioning/provisioning.js';
import { startup } from '../src/startup.js';
import { graphql } from './gql/index.js';
import { backend, createTestApp, createTestDatabase, type TestApp } from './harness.js';

const ProvisioningExport = graphql(`
  query ProvisioningExport {
    configurationExport {
      yaml
      json
    }
  }
`);

const ProvisioningImport = graphql(`
  mutation ProvisioningImport($document: String!, $format: ConfigurationFormat) {
    importConfiguration(document: $document, format: $format) {
      __typename
      ... on MutationImportConfigurationSuccess {
        data {
          sections
        }
      }
      ... on Error {
        code
        message
      }
      ... on ValidationError {
        field
      }
    }
  }
`);

const ProvisioningCreateService = graphql(`
  mutation ProvisioningCreateService($input: CreateServiceInput!) {
    createService(input: $input) {
      __typename
    }
  }
`);

const ProvisioningUpdateService = graphql(`
  mutation ProvisioningUpdateService($input: UpdateServiceInput!) {
    updateService(input: $input) {
      __typename
    }
  }
`);

const seedFile = `# The seed's iPhoneService, as GMS configures it (service.iPhoneService section)
services:
  iPhoneService:
    _type: builtin
    _service: request-interaction
    _ttl: 7200
    _provide_code: false
    _resource_group: iPhoneService
  match-interaction:
    _type: builtin
    _service: match-interaction
  hello:
    _type: ors
    _service: http://ors.example/hello.scxml
    _ors: http://ors1:7210,http://ors2:7210
    _ttl: 30
  ri-defaults:
    _service: request-interaction
resource_groups:
  iPhoneService:
    resources:
      Key1: '1-800-1234'
`;

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'gms-prov-'));
});
afterAll(() => rm(dir, { recursive: true, force: true }));

async function file(name: string, text: string): Promise<string> {
  const path = join(dir, name);
  await writeFile(path, text);
  return path;
}

describe('GMS_CONFIG at start-up', () => {
  it('provisions services keyed by execution name with GMS option names', async () => {
    const t = await createTestApp({ env: { GMS_CONFIG: await file('seed.yaml', seedFile) } });
    try {
      const iphone = await t.app.managers.services.resolve('iPhoneService');
      expect(iphone).toMatchObject({
        template: 'request-interaction',
        serviceType: 'request-interaction',
        options: {
          _type: 'builtin',
          _service: 'request-interaction',
          _ttl: '7200',
          _provide_code: 'false',
          _resource_group: 'iPhoneService',
        },
      });
      expect((await t.app.managers.services.resolve('hello')).template).toBeNull();
      expect((await t.app.managers.services.resolve('match-interaction')).template).toBe('match-interaction');
      // Mandatory options with a template default may be left out of a raw map: they get it.
      expect(await t.app.managers.services.resolve('ri-defaults')).toMatchObject({
        options: { _type: 'builtin', _service: 'request-interaction', _resource_group: 'DNIS' },
      });
      // The provisioned service runs.
      const r = await t.fetch('/genesys/1/service/iPhoneService', {
        method: 'POST',
        body: '_phone_number=6504669999',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
      });
      expect(r.status).toBe(200);
    } finally {
      await t.close();
    }
  });

  it('applying the same file twice changes nothing; a JSON file works the same', async () => {
    const json = JSON.stringify(parseYaml(seedFile));
    const t = await createTestApp({ env: { GMS_CONFIG: await file('seed.json', json) } });
    try {
      const before = await t.app.deps.db.select().from(servicesTable);
      t.clock.advance(60_000);
      await startup(t.app);
      const after = await t.app.deps.db.select().from(servicesTable);
      expect(after).toEqual(before);
      expect(after).toHaveLength(4);
    } finally {
      await t.close();
    }
  });

  const invalid: [string, string, RegExp][] = [
    [
      'ttl.yaml',
      seedFile.replace('_ttl: 7200', '_ttl: two hours'),
      /services\.iPhoneService\._ttl: Option _ttl must be a duration/,
    ],
    ['section.yaml', `servces:\n  x: {}\n`, /servces: Unknown section 'servces'/],
    ['shape.yaml', `services:\n  x: 5\n`, /services\.x: must map GMS option names to values/],
    [
      'name.yaml',
      `services:\n  "bad name":\n    _type: builtin\n`,
      /services\.bad name: Invalid service name/,
    ],
    [
      'template.yaml',
      `services:\n  a:\n    "@template": nope\n    _type: builtin\n    _service: x\n`,
      /services\.a\.@template: Service template 'nope' not found/,
    ],
    [
      'mandatory.yaml',
      `services:\n  cb:\n    _type: ors\n    _service: callback\n`,
      /services\.cb\._target: Mandatory option _target \(Target\) of template 'callback' needs a value/,
    ],
    [
      'value.yaml',
      `services:\n  a:\n    _type: builtin\n    _service: x\n    list: [1, 2]\n`,
      /services\.a\.list: must be a string, number or boolean/,
    ],
    ['syntax.yaml', `services:\n  a: [\n`, /Not valid YAML/],
    ['tpl.yaml', `service_templates:\n  t1:\n    service: s\n`, /service_templates\.t1\.type/],
  ];
  it.skipIf(backend !== 'postgres')(
    'two instances starting together with the same file both succeed',
    async () => {
      const database = await createTestDatabase();
      const env = { GMS_CONFIG: await file('together.yaml', seedFile) };
      try {
        const [a, b] = await Promise.all([
          createTestApp({ database, env }),
          createTestApp({ database, env }),
        ]);
        try {
          expect((await a.app.managers.services.list()).map((s) => s.name)).toEqual(
            (await b.app.managers.services.list()).map((s) => s.name),
          );
          expect(await a.app.managers.templates.list()).toHaveLength(6);
        } finally {
          await a.close();
          await b.close();
        }
      } finally {
        await database.drop();
      }
    },
  );

  it('an invalid file is an error naming the file, the path in it and the problem', async () => {
    const t = await createTestApp();
    try {
      for (const [name, text, message] of invalid) {
        const path = await file(name, text);
        const err = await applyProvisioningFileAt(path, {
          managers: t.app.managers,
          logger: t.app.deps.logger,
        }).then(
          () => null,
          (e: unknown) => e,
        );
        expect(err, name).toBeInstanceOf(ProvisioningError);
        expect((err as ProvisioningError).message).toContain(`Invalid provisioning file ${path}: `);
        expect((err as ProvisioningError).message, name).toMatch(message);
      }
      for (const path of [join(dir, 'absent.yaml'), await file('conf.ini', 'x=1')])
        await expect(
          applyProvisioningFileAt(path, { managers: t.app.managers, logger: t.app.deps.logger }),
        ).rejects.toThrow(ProvisioningError);
      // Nothing of the failed files was applied.
      expect(await t.app.managers.services.list()).toEqual([]);
    } finally {
      await t.close();
    }
  });

  it('start-up runs the file and fails on an invalid one', async () => {
    const path = await file('startup-bad.yaml', seedFile.replace('_ttl: 7200', '_ttl: two hours'));
    const t = await createTestApp({ env: { GMS_CONFIG: path }, startup: false });
    try {
      await expect(startup(t.app)).rejects.toThrow(/services\.iPhoneService\._ttl/);
    } finally {
      await t.close();
    }
  });
});

describe('export and import', () => {
  let a: TestApp;
  let b: TestApp;
  let dataDir: string;
  beforeAll(async () => {
    dataDir = await mkdtemp(join(tmpdir(), 'gms-prov-a-'));
    // A restartable store for the CLI check: a PGlite directory, or the test Postgres database.
    a = await createTestApp(backend === 'pglite' ? { env: { DATABASE_URL: `pglite://${dataDir}` } } : {});
    b = await createTestApp();
  });
  afterAll(async () => {
    await a?.close();
    await b?.close();
    await rm(dataDir, { recursive: true, force: true });
  });

  it('importing the export reproduces the state (YAML and JSON)', async () => {
    // A varied configuration, built through GraphQL.
    const templateText = (await readFile('service_templates/request-interaction.yaml', 'utf8'))
      .replace('name: request-interaction', 'name: my-interaction')
      .replace('default: "30"', 'default: "45"');
    await a.app.managers.templates.upload('my-interaction.yaml', Buffer.from(templateText));
    const inputs = [
      {
        name: 'iPhoneService',
        template: 'request-interaction',
        options: [
          { name: '_ttl', value: '7200' },
          { name: '_resource_group', value: 'iPhoneService' },
        ],
      },
      {
        name: 'voice-userorig-delay',
        template: 'callback',
        preset: 'User-Originated-Delayed',
        options: [
          { name: '_target', value: 'Billing@StatServer.GA' },
          { name: '_urs_virtual_queue', value: 'VQ' },
        ],
      },
      { name: 'custom-ri', template: 'my-interaction' },
      {
        name: 'hello',
        options: [
          { name: '_type', value: 'ors' },
          { name: '_service', value: 'http://ors/hello.scxml' },
        ],
      },
    ];
    for (const input of inputs) {
      const r = await a.admin(ProvisioningCreateService, { input });
      expect(r.createService.__typename, input.name).toBe('MutationCreateServiceSuccess');
    }
    await a.admin(ProvisioningUpdateService, {
      input: {
        name: 'iPhoneService',
        remove: ['_ttl'],
        set: [
          { name: 'vipLevel', value: '3' },
          { name: '_provide_code', value: 'true' },
        ],
      },
    });

    const exported = (await a.admin(ProvisioningExport)).configurationExport;
    const doc = parseYaml(exported.yaml) as Record<string, Record<string, Record<string, unknown>>>;
    expect(JSON.parse(exported.json)).toEqual(doc);
    expect(doc.services?.iPhoneService).toEqual({
      _type: 'builtin',
      _service: 'request-interaction',
      _resource_group: 'iPhoneService',
      _return_pool_health: 'false',
      vipLevel: '3',
      _provide_code: 'true',
    });
    expect(doc.services?.['voice-userorig-delay']?.['@preset']).toBe('User-Originated-Delayed');
    expect(doc.services?.['custom-ri']?.['@template']).toBe('my-interaction');
    expect(doc.services?.hello).toEqual({ _type: 'ors', _service: 'http://ors/hello.scxml' });
    expect(Object.keys(doc.service_templates ?? {})).toEqual(['my-interaction']);

    const imported = await b.admin(ProvisioningImport, { document: exported.yaml });
    expect(imported.importConfiguration).toMatchObject({
      data: { sections: expect.arrayContaining(['service_templates', 'services']) },
    });
    const reexported = (await b.admin(ProvisioningExport)).configurationExport;
    expect(reexported.yaml).toBe(exported.yaml);
    expect(await b.app.managers.services.resolve('custom-ri')).toMatchObject({
      template: 'my-interaction',
      options: { _ttl: '45' },
    });

    // Importing again changes nothing; JSON imports the same.
    const rows = await b.app.deps.db.select().from(servicesTable);
    b.clock.advance(1000);
    await b.admin(ProvisioningImport, { document: exported.json, format: 'JSON' });
    expect(await b.app.deps.db.select().from(servicesTable)).toEqual(rows);
  });

  it('import errors name the path in the document and apply nothing of a bad document', async () => {
    const r = await b.admin(ProvisioningImport, {
      document:
        'services:\n  fresh-one:\n    _type: builtin\n    _service: request-interaction\n  broken:\n    _type: builtin\n    _service: request-interaction\n    _ttl: soon\n',
    });
    expect(r.importConfiguration).toMatchObject({
      __typename: 'ValidationError',
      field: 'services.broken._ttl',
    });
    // All or nothing: the valid service before the broken one was not applied either.
    expect(await b.app.managers.services.find('fresh-one')).toBeNull();
    const unknown = await b.admin(ProvisioningImport, { document: 'nonsense: 1' });
    expect(unknown.importConfiguration).toMatchObject({
      field: 'nonsense',
      code: 'provisioning/unknown_section',
    });
    await expect(b.gql(ProvisioningExport)).rejects.toThrow(/Not authorized/);
  });

  it('a bad resource_groups section is a ValidationError at its path, and nothing of the document is applied', async () => {
    const before = (await b.admin(ProvisioningExport)).configurationExport.yaml;
    // A valid group and a service around the broken group: parsing refuses the whole document.
    const document = (broken: string) =>
      `resource_groups:\n  fresh-pool:\n    resources:\n      K1: '1-800-0001'\n  broken-pool:\n${broken}` +
      'services:\n  fresh-two:\n    _type: builtin\n    _service: request-interaction\n';
    const cases: [string, string, string, string][] = [
      [
        '    locking: maybe\n',
        'resource_groups.broken-pool.locking',
        'resource/invalid_config',
        'resource_groups.broken-pool.locking must be true or false',
      ],
      [
        '    lock: true\n',
        'resource_groups.broken-pool.lock',
        'resource/invalid_config',
        'resource_groups.broken-pool.lock is not a setting: expected one of allocation, locking, booking_expiration_timeout, resources, ranges, csv',
      ],
      [
        '    - a list\n',
        'resource_groups.broken-pool',
        'resource/invalid_config',
        'resource_groups.broken-pool must be a mapping of settings',
      ],
      [
        '    resources:\n      K2: [1, 2]\n',
        'resource_groups.broken-pool.resources.K2',
        'resource/invalid_access_number',
        'resource_groups.broken-pool.resources.K2 must be an access number',
      ],
      [
        '    ranges: 18001110000-18001119999\n',
        'resource_groups.broken-pool.ranges',
        'resource/invalid_range',
        "resource_groups.broken-pool.ranges must be a list of ranges such as '18001110000-18001119999'",
      ],
      [
        '    booking_expiration_timeout: soon\n',
        'resource_groups.broken-pool.booking_expiration_timeout',
        'resource/invalid_timeout',
        'resource_groups.broken-pool.booking_expiration_timeout must be a whole number of seconds',
      ],
      [
        '    allocation: fifo\n',
        'resource_groups.broken-pool.allocation',
        'resource/invalid_allocation',
        "Unknown allocation 'fifo': use random or round-robin",
      ],
    ];
    for (const [broken, field, code, message] of cases) {
      const r = await b.admin(ProvisioningImport, { document: document(broken) });
      expect(r.importConfiguration, broken).toEqual({ __typename: 'ValidationError', field, code, message });
    }
    await expect(b.app.managers.resources.getGroup('fresh-pool')).rejects.toThrow(/not found/);
    expect(await b.app.managers.services.find('fresh-two')).toBeNull();
    expect((await b.admin(ProvisioningExport)).configurationExport.yaml).toBe(before);
  });

  it.skipIf(backend !== 'pglite')(
    'npm run config:export writes the same text as the GraphQL export',
    async () => {
      const expected = (await a.admin(ProvisioningExport)).configurationExport;
      await a.close();
      const run = (args: string[]) =>
        new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve) => {
          const child = spawn(process.execPath, ['--import', 'tsx', 'scripts/config-export.ts', ...args], {
            env: { ...process.env, DATABASE_URL: `pglite://${dataDir}`, REDIS_URL: '' },
            stdio: ['ignore', 'pipe', 'pipe'],
          });
          let stdout = '';
          let stderr = '';
          child.stdout.on('data', (d: Buffer) => {
            stdout += d.toString();
          });
          child.stderr.on('data', (d: Buffer) => {
            stderr += d.toString();
          });
          child.on('exit', (code) => resolve({ code, stdout, stderr }));
        });
      const yaml = await run([]);
      expect(yaml.stderr).toBe('');
      expect(yaml.code).toBe(0);
      expect(yaml.stdout).toBe(expected.yaml);
      const out = join(dir, 'export.json');
      const json = await run(['--out', out]);
      expect(json.code).toBe(0);
      expect(await readFile(out, 'utf8')).toBe(expected.json);
      // The restarted store still holds the configuration (the CLI did not change it).
      a = await createTestApp({ env: { DATABASE_URL: `pglite://${dataDir}` } });
      expect((await a.admin(ProvisioningExport)).configurationExport.yaml).toBe(expected.yaml);
    },
    60_000,
  );
});
