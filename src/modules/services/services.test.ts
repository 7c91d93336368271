import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { graphql } from '../../../test/gql/index.js';
import { backend, createTestApp, createTestDatabase, type TestApp } from '../../../test/harness.js';
import { mergeServiceParams } from './services.manager.js';

const ServicesCreate = graphql(`
  mutation ServicesCreate($input: CreateServiceInput!) {
    createService(input: $input) {
      __typename
      ... on MutationCreateServiceSuccess {
        data {
          service {
            name
            template
            preset
            serviceType
            type
            url
            options(includeAdvanced: true) {
              name
              value
              kind
              locked
            }
          }
          warnings {
            field
            message
          }
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

const ServicesUpdate = graphql(`
  mutation ServicesUpdate($input: UpdateServiceInput!) {
    updateService(input: $input) {
      __typename
      ... on MutationUpdateServiceSuccess {
        data {
          service {
            options(includeAdvanced: true) {
              name
              value
              kind
            }
          }
          warnings {
            field
            message
          }
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

const ServicesDelete = graphql(`
  mutation ServicesDelete($name: String!) {
    deleteService(name: $name) {
      __typename
      ... on MutationDeleteServiceSuccess {
        data
      }
      ... on Error {
        code
      }
    }
  }
`);

const ServicesList = graphql(`
  query ServicesList {
    services {
      name
      template
      options {
        name
        value
        kind
      }
    }
  }
`);

const ServicesGet = graphql(`
  query ServicesGet($name: String!, $advanced: Boolean) {
    service(name: $name) {
      name
      options(includeAdvanced: $advanced) {
        name
        value
        kind
        label
        type
      }
    }
  }
`);

describe('configured services', () => {
  let t: TestApp;
  const create = (input: Record<string, unknown>) =>
    t.admin(ServicesCreate, { input: input as { name: string } });
  const update = (input: Record<string, unknown>) =>
    t.admin(ServicesUpdate, { input: input as { name: string } });

  beforeAll(async () => {
    t = await createTestApp();
  });
  afterAll(() => t.close());

  it('creates the seed iPhoneService from request-interaction: mandatory options pre-filled, _ttl=7200', async () => {
    const r = await create({
      name: 'iPhoneService',
      template: 'request-interaction',
      options: [
        { name: '_ttl', value: '7200' },
        { name: '_provide_code', value: 'false' },
        { name: '_resource_group', value: 'iPhoneService' },
      ],
    });
    expect(r.createService.__typename).toBe('MutationCreateServiceSuccess');
    if (r.createService.__typename !== 'MutationCreateServiceSuccess') return;
    const { service, warnings } = r.createService.data;
    expect(service).toMatchObject({
      name: 'iPhoneService',
      template: 'request-interaction',
      serviceType: 'request-interaction',
      type: 'builtin',
      url: '/genesys/1/service/iPhoneService',
    });
    expect(service.options).toEqual([
      { name: '_type', value: 'builtin', kind: 'MANDATORY', locked: true },
      { name: '_service', value: 'request-interaction', kind: 'MANDATORY', locked: true },
      { name: '_resource_group', value: 'iPhoneService', kind: 'MANDATORY', locked: true },
      { name: '_ttl', value: '7200', kind: 'OPTIONAL', locked: false },
      { name: '_return_pool_health', value: 'false', kind: 'ADVANCED', locked: false },
      { name: '_provide_code', value: 'false', kind: 'REQUEST', locked: false },
    ]);
    // _provide_code is a request parameter: configuring it overrides every request's value.
    expect(warnings).toEqual([
      {
        field: '_provide_code',
        message:
          '_provide_code is a request parameter: the configured value overrides the value sent on each request',
      },
    ]);

    const resolved = await t.app.managers.services.resolve('iPhoneService');
    expect(resolved).toMatchObject({
      name: 'iPhoneService',
      serviceType: 'request-interaction',
      type: 'builtin',
      template: 'request-interaction',
      options: {
        _type: 'builtin',
        _service: 'request-interaction',
        _resource_group: 'iPhoneService',
        _ttl: '7200',
        _provide_code: 'false',
      },
    });
    expect(resolved.defaults).toEqual({});
  });

  it('merges request parameters with the configuration: configured values win', async () => {
    const service = await t.app.managers.services.resolve('iPhoneService');
    const merged = mergeServiceParams(service, {
      _phone_number: '6504669999',
      _provide_code: 'true',
      _resource_group: 'Other',
      current_location_latitude: '48.8583',
    });
    expect(merged).toMatchObject({
      _phone_number: '6504669999',
      _provide_code: 'false',
      _resource_group: 'iPhoneService',
      _ttl: '7200',
    });
    expect(merged).not.toHaveProperty('current_location_latitude');
  });

  it('leaves request parameters unset on a plain service; their defaults apply when a request omits them', async () => {
    await create({ name: 'plain-ri', template: 'request-interaction' });
    const service = await t.app.managers.services.resolve('plain-ri');
    expect(service.options).not.toHaveProperty('_provide_code');
    expect(service.defaults).toEqual({ _provide_code: 'false' });
    expect(mergeServiceParams(service, { _provide_code: 'true' })._provide_code).toBe('true');
    expect(mergeServiceParams(service, {})._provide_code).toBe('false');
  });

  it('honours _overwritable_options and $name$ tokens', () => {
    const merged = mergeServiceParams(
      {
        options: { _target: 'Billing@StatServer.GA', _ors: 'http://ors', _urs_virtual_queue: 'VQ_$lang$' },
        defaults: {},
        overwritable: ['_target'],
      },
      { _target: 'Loans@StatServer.GA', _ors: 'http://evil', lang: 'en' },
    );
    expect(merged).toMatchObject({
      _target: 'Loans@StatServer.GA',
      _ors: 'http://ors',
      _urs_virtual_queue: 'VQ_en',
    });
  });

  it('creates a callback service from a preset; an empty mandatory option is an error naming it', async () => {
    const missing = await create({
      name: 'voice-userorig-delay',
      template: 'callback',
      preset: 'User-Originated-Delayed',
    });
    expect(missing.createService).toMatchObject({
      __typename: 'ValidationError',
      code: 'services/missing_mandatory',
      field: '_target',
    });
    const r = await create({
      name: 'voice-userorig-delay',
      template: 'callback',
      preset: 'User-Originated-Delayed',
      options: [
        { name: '_target', value: 'Billing@StatServer.GA' },
        { name: '_urs_virtual_queue', value: 'VQ_Callback' },
      ],
    });
    if (r.createService.__typename !== 'MutationCreateServiceSuccess') throw new Error(JSON.stringify(r));
    const options = Object.fromEntries(r.createService.data.service.options.map((o) => [o.name, o.value]));
    expect(options).toMatchObject({
      _type: 'ors',
      _service: 'callback',
      _call_direction: 'USERORIGINATED',
      _media_type: 'voice',
      _wait_for_agent: 'true',
      _wait_for_user_confirm: 'true',
      _urs_strategy_update_subroutine: 'SubRoutineDelay',
      _target: 'Billing@StatServer.GA',
      _ttl: '86400',
      _userorig_connect_limit: '3',
    });
    expect(options).not.toHaveProperty('_customer_number');
    expect(r.createService.data.service.preset).toBe('User-Originated-Delayed');
    expect(r.createService.data.warnings).toEqual([]);
  });

  it('names the field on every creation error', async () => {
    const cases: [Record<string, unknown>, string, string][] = [
      [{ name: 'x1', template: 'no-such-template' }, 'services/unknown_template', 'template'],
      [{ name: 'iPhoneService', template: 'request-interaction' }, 'services/duplicate_name', 'name'],
      [{ name: 'bad name!', template: 'request-interaction' }, 'services/invalid_name', 'name'],
      [{ name: 'callback', template: 'request-interaction' }, 'services/invalid_name', 'name'],
      [
        { name: '369-166652d2-aed6-443c-9781-6bdf370f9a9', template: 'request-interaction' },
        'services/invalid_name',
        'name',
      ],
      [{ name: 'x2', template: 'callback', preset: 'Nope' }, 'services/unknown_preset', 'preset'],
      [
        { name: 'x3', template: 'request-interaction', options: [{ name: '_ttl', value: 'soon' }] },
        'services/invalid_value',
        '_ttl',
      ],
      [
        { name: 'x4', template: 'request-interaction', options: [{ name: '_provide_code', value: 'maybe' }] },
        'services/invalid_value',
        '_provide_code',
      ],
      [
        { name: 'x5', template: 'request-interaction', options: [{ name: '_resource_group', value: '' }] },
        'services/missing_mandatory',
        '_resource_group',
      ],
      [
        { name: 'x6', template: 'request-interaction', options: [{ name: '_service', value: 'callback' }] },
        'services/invalid_value',
        '_service',
      ],
      [
        { name: 'x7', template: 'request-interaction', options: [{ name: 'my-option', value: '1' }] },
        'services/invalid_option_name',
        'my-option',
      ],
      [
        { name: 'x8', template: 'office-hours', options: [{ name: '_timezone', value: 'Mars/Olympus' }] },
        'services/invalid_value',
        '_timezone',
      ],
      [
        {
          name: 'x9',
          template: 'callback',
          options: [
            { name: '_target', value: 'T' },
            { name: '_urs_virtual_queue', value: 'VQ' },
            { name: '_request_time_bucket', value: '7' },
          ],
        },
        'services/invalid_value',
        '_request_time_bucket',
      ],
    ];
    for (const [input, code, field] of cases) {
      const r = await create(input);
      expect(r.createService, JSON.stringify(input)).toMatchObject({
        __typename: 'ValidationError',
        code,
        field,
      });
    }
  });

  it('edits values, renames and removes optional options, adds custom ones', async () => {
    await create({
      name: 'hours',
      template: 'office-hours',
      options: [{ name: '_timezone', value: 'Europe/Paris' }],
    });
    const r = await update({
      name: 'hours',
      rename: [{ from: '_bh_add1', to: '_bh_add2' }],
      remove: ['_ttl'],
      set: [
        { name: '_bh_regular1', value: 'Mon-Fri 08:00-18:00' },
        { name: '_bh_regular2', value: 'Sat-Sat 10:00-12:00' },
        { name: 'escalationLevel', value: '2' },
      ],
    });
    // office-hours has no _bh_add1 value by default ("" is not specified), so the rename is refused.
    expect(r.updateService).toMatchObject({ code: 'services/unknown_option', field: '_bh_add1' });

    const ok = await update({
      name: 'hours',
      remove: ['_ttl'],
      set: [
        { name: '_bh_regular1', value: 'Mon-Fri 08:00-18:00' },
        { name: '_bh_regular2', value: 'Sat-Sat 10:00-12:00' },
        { name: 'escalationLevel', value: '2' },
      ],
    });
    if (ok.updateService.__typename !== 'MutationUpdateServiceSuccess') throw new Error(JSON.stringify(ok));
    expect(ok.updateService.data.service.options).toEqual([
      { name: '_type', value: 'builtin', kind: 'MANDATORY' },
      { name: '_service', value: 'office-hours', kind: 'MANDATORY' },
      { name: '_timezone', value: 'Europe/Paris', kind: 'MANDATORY' },
      { name: '_bh_regular1', value: 'Mon-Fri 08:00-18:00', kind: 'OPTIONAL' },
      { name: '_bh_regular2', value: 'Sat-Sat 10:00-12:00', kind: 'OPTIONAL' },
      { name: 'escalationLevel', value: '2', kind: 'CUSTOM' },
    ]);

    const renamed = await update({
      name: 'hours',
      rename: [{ from: 'escalationLevel', to: 'escalation_level' }],
    });
    expect(renamed.updateService.__typename).toBe('MutationUpdateServiceSuccess');
    const got = await t.admin(ServicesGet, { name: 'hours' });
    expect(got.service?.options.map((o) => o.name)).toContain('escalation_level');
    expect(got.service?.options.find((o) => o.name === '_timezone')).toMatchObject({
      label: 'Time Zone',
      type: 'TIMEZONE',
    });
  });

  it('locks mandatory options and types series members like their first member', async () => {
    const cases: [Record<string, unknown>, string, string][] = [
      [{ name: 'hours', remove: ['_timezone'] }, 'services/mandatory_locked', '_timezone'],
      [{ name: 'hours', rename: [{ from: '_type', to: '_kind' }] }, 'services/mandatory_locked', '_type'],
      [{ name: 'hours', set: [{ name: '_timezone', value: '' }] }, 'services/missing_mandatory', '_timezone'],
      [
        { name: 'hours', rename: [{ from: '_bh_regular2', to: '_bh_regular1' }] },
        'services/duplicate_option',
        '_bh_regular1',
      ],
      [
        { name: 'hours', rename: [{ from: 'escalation_level', to: 'default' }] },
        'services/invalid_option_name',
        'default',
      ],
      [{ name: 'hours', remove: ['_nothing'] }, 'services/unknown_option', '_nothing'],
      [{ name: 'iPhoneService', set: [{ name: '_ttl', value: '-5' }] }, 'services/invalid_value', '_ttl'],
      [
        { name: 'voice-userorig-delay', set: [{ name: '_throttle_ttl_3', value: 'x' }] },
        'services/invalid_value',
        '_throttle_ttl_3',
      ],
    ];
    for (const [input, code, field] of cases) {
      const r = await update(input);
      expect(r.updateService, JSON.stringify(input)).toMatchObject({
        __typename: 'ValidationError',
        code,
        field,
      });
    }
    const unknown = await update({ name: 'ghost', set: [] });
    expect(unknown.updateService).toMatchObject({ __typename: 'NotFoundError', code: 'services/not_found' });
  });

  it('clears a request parameter (not specified again) and warns when one is set', async () => {
    const cleared = await update({ name: 'iPhoneService', remove: ['_provide_code'] });
    if (cleared.updateService.__typename !== 'MutationUpdateServiceSuccess') throw new Error('update failed');
    expect(cleared.updateService.data.service.options.map((o) => o.name)).not.toContain('_provide_code');
    const set = await update({ name: 'iPhoneService', set: [{ name: '_phone_number', value: '555' }] });
    if (set.updateService.__typename !== 'MutationUpdateServiceSuccess') throw new Error('update failed');
    expect(set.updateService.data.warnings.map((w) => w.field)).toEqual(['_phone_number']);
    await update({
      name: 'iPhoneService',
      set: [
        { name: '_phone_number', value: '' },
        { name: '_provide_code', value: 'false' },
      ],
    });
  });

  it('accepts a raw option map without a template; the template of its _service still applies', async () => {
    const r = await create({
      name: 'raw-ri',
      options: [
        { name: '_type', value: 'builtin' },
        { name: '_service', value: 'request-interaction' },
        { name: '_ttl', value: '7200' },
        { name: '_provide_code', value: 'false' },
        { name: '_resource_group', value: 'iPhoneService' },
      ],
    });
    expect(r.createService).toMatchObject({ data: { service: { template: 'request-interaction' } } });
    // The seed's customization table spells _type "built-in".
    const seedSpelling = await create({
      name: 'seed-spelling',
      options: [
        { name: '_type', value: 'built-in' },
        { name: '_service', value: 'request-interaction' },
        { name: '_ttl', value: '7200' },
      ],
    });
    expect(seedSpelling.createService).toMatchObject({ data: { service: { type: 'builtin' } } });
    await t.app.managers.services.delete('seed-spelling');
    const bad = await create({
      name: 'raw-bad',
      options: [
        { name: '_type', value: 'builtin' },
        { name: '_service', value: 'request-interaction' },
        { name: '_ttl', value: 'forever' },
      ],
    });
    expect(bad.createService).toMatchObject({ code: 'services/invalid_value', field: '_ttl' });
    const ors = await create({
      name: 'hello',
      options: [
        { name: '_type', value: 'ors' },
        { name: '_service', value: 'http://ors.example/hello.scxml' },
        { name: '_ors', value: 'http://ors1:7210,http://ors2:7210' },
      ],
    });
    expect(ors.createService).toMatchObject({
      data: { service: { template: null, serviceType: 'http://ors.example/hello.scxml' } },
    });
    const noService = await create({ name: 'nothing', options: [{ name: '_type', value: 'builtin' }] });
    expect(noService.createService).toMatchObject({ code: 'services/missing_mandatory', field: '_service' });
  });

  it('lists, hides advanced options unless asked, and deletes', async () => {
    const list = await t.admin(ServicesList);
    expect(list.services.map((s) => s.name)).toEqual([
      'hello',
      'hours',
      'iPhoneService',
      'plain-ri',
      'raw-ri',
      'voice-userorig-delay',
    ]);
    const iphone = list.services.find((s) => s.name === 'iPhoneService');
    expect(iphone?.options.map((o) => o.name)).not.toContain('_return_pool_health');
    const del = await t.admin(ServicesDelete, { name: 'plain-ri' });
    expect(del.deleteService).toEqual({ __typename: 'MutationDeleteServiceSuccess', data: 'plain-ri' });
    expect(await t.app.managers.services.find('plain-ri')).toBeNull();
    const again = await t.admin(ServicesDelete, { name: 'plain-ri' });
    expect(again.deleteService).toMatchObject({ code: 'services/not_found' });
    await expect(t.app.managers.services.resolve('plain-ri')).rejects.toMatchObject({ status: 404 });
  });

  it('is admin-only', async () => {
    await expect(t.gql(ServicesList)).rejects.toThrow(/Not authorized/);
  });
});

describe.skipIf(backend !== 'postgres')('configured services across instances', () => {
  it('a change on one instance is what the other uses for its next request', async () => {
    const database = await createTestDatabase();
    const namespace = `svc${randomUUID().slice(0, 6)}`;
    const a = await createTestApp({ database, namespace });
    const b = await createTestApp({ database, namespace });
    try {
      await a.app.managers.services.create({ name: 'shared', template: 'request-interaction' });
      expect((await b.app.managers.services.resolve('shared')).options._ttl).toBe('30');
      await a.app.managers.services.update({ name: 'shared', set: [{ name: '_ttl', value: '90' }] });
      expect((await b.app.managers.services.resolve('shared')).options._ttl).toBe('90');
      await b.app.managers.services.delete('shared');
      expect(await a.app.managers.services.find('shared')).toBeNull();
    } finally {
      await a.close();
      await b.close();
      await database.drop();
    }
  });
});
