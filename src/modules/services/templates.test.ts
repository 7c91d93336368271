import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import JSZip from 'jszip';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { graphql } from '../../../test/gql/index.js';
import { createTestApp, gqlUpload, type TestApp } from '../../../test/harness.js';
import { ValidationError } from '../../errors.js';
import { parseTemplate } from './template-format.js';
import { bundledTemplatesDir } from './templates.manager.js';

const TemplatesList = graphql(`
  query TemplatesList {
    serviceTemplates {
      name
      service
      type
      origin
      presets {
        name
      }
    }
  }
`);

const TemplatesInspect = graphql(`
  query TemplatesInspect($name: String!, $advanced: Boolean) {
    serviceTemplate(name: $name) {
      name
      usedBy
      categories(includeAdvanced: $advanced) {
        name
        parameters(includeAdvanced: $advanced) {
          name
          label
          kind
          type
          defaultValue
          values
        }
      }
      parameters(includeAdvanced: $advanced) {
        name
      }
      presets {
        name
        description
        values {
          name
          value
        }
      }
    }
  }
`);

const TemplatesUpload = graphql(`
  mutation TemplatesUpload($file: File!, $replace: Boolean) {
    uploadServiceTemplate(file: $file, replace: $replace) {
      __typename
      ... on MutationUploadServiceTemplateSuccess {
        data {
          name
          service
          origin
          parameters(includeAdvanced: true) {
            name
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

const TemplatesReplace = graphql(`
  mutation TemplatesReplace($name: String!, $file: File!) {
    replaceServiceTemplate(name: $name, file: $file) {
      __typename
      ... on MutationReplaceServiceTemplateSuccess {
        data {
          name
          description
          origin
        }
      }
      ... on Error {
        code
        message
      }
    }
  }
`);

const TemplatesDelete = graphql(`
  mutation TemplatesDelete($name: String!) {
    deleteServiceTemplate(name: $name) {
      __typename
      ... on MutationDeleteServiceTemplateSuccess {
        data
      }
      ... on Error {
        code
        message
      }
    }
  }
`);

const TemplatesRestore = graphql(`
  mutation TemplatesRestore($name: String!) {
    restoreBundledServiceTemplate(name: $name) {
      __typename
      ... on MutationRestoreBundledServiceTemplateSuccess {
        data {
          name
          origin
        }
      }
    }
  }
`);

const TemplatesCreateService = graphql(`
  mutation TemplatesCreateService($input: CreateServiceInput!) {
    createService(input: $input) {
      __typename
      ... on Error {
        code
      }
    }
  }
`);

/** A small valid template; `name` must match the file base name. */
function templateYaml(name: string, description = 'A test template.'): string {
  return `name: ${name}
service: request-interaction
type: builtin
description: ${description}
categories:
  - name: General
    parameters:
      - name: _type
        label: Service Type
        kind: mandatory
        type: enum
        default: builtin
        values: [builtin, ors]
        description: Type.
      - name: _service
        label: Service
        kind: mandatory
        type: string
        default: request-interaction
        description: Service.
      - name: _ttl
        label: TTL
        kind: optional
        type: duration
        default: "60"
        description: Time to live.
      - name: _tuning
        label: Tuning
        kind: advanced
        type: integer
        default: "5"
        description: Advanced knob.
`;
}

const yamlFile = (name: string, text: string) => new File([text], name, { type: 'application/x-yaml' });

async function zipFile(name: string, entries: Record<string, string>): Promise<File> {
  const zip = new JSZip();
  for (const [path, text] of Object.entries(entries)) zip.file(path, text);
  const data = await zip.generateAsync({ type: 'uint8array', compression: 'DEFLATE' });
  return new File([new Uint8Array(data)], name, { type: 'application/zip' });
}

function expectInvalid(text: string, expectedName: string | null, field: string, message: RegExp): void {
  try {
    parseTemplate(text, 't.yaml', expectedName);
  } catch (err) {
    expect(err).toBeInstanceOf(ValidationError);
    expect((err as ValidationError).field).toBe(field);
    expect((err as ValidationError).message).toMatch(message);
    return;
  }
  throw new Error('expected the template to be rejected');
}

describe('template format (strict loader)', () => {
  it('accepts every bundled template, name = file base name', async () => {
    for (const name of [
      'callback',
      'match-interaction',
      'office-hours',
      'request-access',
      'request-chat',
      'request-interaction',
    ]) {
      const text = await readFile(join(bundledTemplatesDir, `${name}.yaml`), 'utf8');
      const t = parseTemplate(text, `${name}.yaml`, name);
      expect(t.name).toBe(name);
      expect(t.service).toBe(name);
    }
  });

  it('reads the callback presets with the seed values', async () => {
    const text = await readFile(join(bundledTemplatesDir, 'callback.yaml'), 'utf8');
    const t = parseTemplate(text, 'callback.yaml', 'callback');
    expect(t.type).toBe('ors');
    expect(t.presets.map((p) => p.name)).toEqual([
      'User-Originated-Immediate',
      'User-Originated-Delayed',
      'Chat-Immediate',
      'Chat-Delayed',
      'User-Terminated-Immediate',
      'User-Terminated-Delayed',
      'User-Terminated-Scheduled',
      'User-Originated-Scheduled',
    ]);
    const delayed = t.presets.find((p) => p.name === 'User-Originated-Delayed');
    expect(Object.fromEntries(delayed?.values.map((v) => [v.name, v.value]) ?? [])).toEqual({
      _call_direction: 'USERORIGINATED',
      _media_type: 'voice',
      _wait_for_agent: 'true',
      _wait_for_user_confirm: 'true',
      _urs_strategy_update_subroutine: 'SubRoutineDelay',
    });
    const target = t.categories.flatMap((c) => c.parameters).find((p) => p.name === '_target');
    expect(target).toMatchObject({ kind: 'mandatory', default: '' });
  });

  it('rejects a name that is not the file base name', () => {
    expectInvalid(templateYaml('other'), 'mine', 'name', /must equal the file base name 'mine'/);
  });

  it('rejects unknown keys, non-string defaults and bad enum defaults, naming the path', () => {
    expectInvalid(
      templateYaml('t').replace('description: A test', 'colour: red\ndescription: A test'),
      't',
      '(document)',
      /Unrecognized key/,
    );
    expectInvalid(
      templateYaml('t').replace('default: "60"', 'default: 60'),
      't',
      'categories[0].parameters[2].default',
      /must be a string/,
    );
    expectInvalid(
      templateYaml('t').replace('default: builtin', 'default: scxml'),
      't',
      'categories[0].parameters[0].default',
      /must be one of builtin, ors/,
    );
    expectInvalid(
      templateYaml('t').replace('default: "60"', 'default: "1 minute"'),
      't',
      'categories[0].parameters[2].default',
      /duration in whole seconds/,
    );
    expectInvalid(
      templateYaml('t').replace('kind: optional', 'kind: sometimes'),
      't',
      'categories[0].parameters[2].kind',
      /must be one of mandatory/,
    );
  });

  it('rejects invalid identifiers, duplicates and templates without _type/_service/_ttl', () => {
    expectInvalid(
      templateYaml('t').replace('name: _tuning', 'name: 2fast'),
      't',
      'categories[0].parameters[3].name',
      /not a valid ECMAScript identifier/,
    );
    expectInvalid(
      templateYaml('t').replace('name: _tuning', 'name: class'),
      't',
      'categories[0].parameters[3].name',
      /not a valid ECMAScript identifier/,
    );
    expectInvalid(
      templateYaml('t').replace('name: _tuning', 'name: _ttl'),
      't',
      'categories[0].parameters[3].name',
      /duplicate parameter '_ttl'/,
    );
    expectInvalid(templateYaml('t').replace('name: _ttl', 'name: _life'), 't', 'categories', /needs _ttl/);
    expectInvalid(
      templateYaml('t').replace('default: request-interaction', 'default: callback'),
      't',
      'categories',
      /_service defaults to 'callback'/,
    );
    expectInvalid('name: t\n: [', 't', '(document)', /not valid YAML/);
  });

  it('rejects presets naming unknown parameters or bad values', () => {
    const withPreset = (values: string) =>
      `${templateYaml('t')}presets:\n  - name: P\n    description: d\n    values:\n${values}`;
    expect(parseTemplate(withPreset('      _ttl: "90"\n'), 't.yaml', 't').presets[0]?.values).toEqual([
      { name: '_ttl', value: '90' },
    ]);
    expectInvalid(
      withPreset('      _nope: "1"\n'),
      't',
      'presets[0].values._nope',
      /not a parameter of this template/,
    );
    expectInvalid(withPreset('      _ttl: soon\n'), 't', 'presets[0].values._ttl', /duration/);
  });
});

describe('service templates (GraphQL, database)', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp();
  });
  afterAll(() => t.close());

  it('lists the six bundled templates installed at start-up', async () => {
    const r = await t.admin(TemplatesList);
    expect(r.serviceTemplates.map((x) => x.name)).toEqual([
      'callback',
      'match-interaction',
      'office-hours',
      'request-access',
      'request-chat',
      'request-interaction',
    ]);
    expect(r.serviceTemplates.every((x) => x.origin === 'BUNDLED')).toBe(true);
    expect(r.serviceTemplates.find((x) => x.name === 'callback')?.presets).toHaveLength(8);
  });

  it('inspects categories, kinds and defaults; advanced parameters only when asked', async () => {
    const basic = await t.admin(TemplatesInspect, { name: 'request-interaction' });
    const params = basic.serviceTemplate?.categories.flatMap((c) => c.parameters) ?? [];
    expect(params.map((p) => p.name)).toEqual([
      '_type',
      '_service',
      '_phone_number',
      '_provide_code',
      '_resource_group',
      '_ttl',
    ]);
    expect(params.find((p) => p.name === '_resource_group')).toEqual({
      name: '_resource_group',
      label: 'Resource Group as configured in CME',
      kind: 'MANDATORY',
      type: 'STRING',
      defaultValue: 'DNIS',
      values: null,
    });
    expect(params.find((p) => p.name === '_phone_number')?.kind).toBe('REQUEST');
    expect(params.find((p) => p.name === '_type')?.values).toEqual(['builtin', 'ors']);
    const advanced = await t.admin(TemplatesInspect, { name: 'request-interaction', advanced: true });
    expect(advanced.serviceTemplate?.parameters.map((p) => p.name)).toContain('_return_pool_health');
    expect(basic.serviceTemplate?.parameters.map((p) => p.name)).not.toContain('_return_pool_health');
    const callback = await t.admin(TemplatesInspect, { name: 'callback' });
    // Voice Treatment holds only advanced parameters: the category is hidden with them.
    expect(callback.serviceTemplate?.categories.map((c) => c.name)).not.toContain('Voice Treatment');
    expect(callback.serviceTemplate?.presets.find((p) => p.name === 'Chat-Immediate')?.values).toContainEqual(
      {
        name: '_media_type',
        value: 'chat',
      },
    );
    expect((await t.admin(TemplatesInspect, { name: 'nope' })).serviceTemplate).toBeNull();
  });

  it('uploads a template as a YAML file and as a zip; refuses an existing name without replace', async () => {
    const plain = await gqlUpload(
      t,
      TemplatesUpload,
      { file: null as unknown as File },
      {
        'variables.file': yamlFile('plain-one.yaml', templateYaml('plain-one')),
      },
    );
    expect(plain.data?.uploadServiceTemplate).toMatchObject({
      __typename: 'MutationUploadServiceTemplateSuccess',
      data: { name: 'plain-one', service: 'request-interaction', origin: 'UPLOADED' },
    });

    const zipped = await gqlUpload(
      t,
      TemplatesUpload,
      { file: null as unknown as File },
      {
        'variables.file': await zipFile('zipped.zip', {
          'zipped-one/zipped-one.yaml': templateYaml('zipped-one'),
          '__MACOSX/zipped-one/._zipped-one.yaml': 'junk',
          'zipped-one/README.txt': 'not a template',
        }),
      },
    );
    expect(zipped.data?.uploadServiceTemplate).toMatchObject({ data: { name: 'zipped-one' } });

    const again = await gqlUpload(
      t,
      TemplatesUpload,
      { file: null as unknown as File },
      {
        'variables.file': yamlFile('plain-one.yaml', templateYaml('plain-one')),
      },
    );
    expect(again.data?.uploadServiceTemplate).toMatchObject({
      __typename: 'ValidationError',
      code: 'templates/exists',
      field: 'name',
    });

    const replaced = await gqlUpload(
      t,
      TemplatesUpload,
      { file: null as unknown as File, replace: true },
      {
        'variables.file': yamlFile('plain-one.yaml', templateYaml('plain-one', 'Second version.')),
      },
    );
    expect(replaced.data?.uploadServiceTemplate.__typename).toBe('MutationUploadServiceTemplateSuccess');
  });

  it('rejects a zip with two templates, an invalid template and a non-template file, naming the problem', async () => {
    const two = await gqlUpload(
      t,
      TemplatesUpload,
      { file: null as unknown as File },
      {
        'variables.file': await zipFile('two.zip', {
          'a.yaml': templateYaml('a'),
          'b.yaml': templateYaml('b'),
        }),
      },
    );
    expect(two.data?.uploadServiceTemplate).toMatchObject({ code: 'templates/bad_zip', field: 'file' });
    const bad = await gqlUpload(
      t,
      TemplatesUpload,
      { file: null as unknown as File },
      {
        'variables.file': yamlFile(
          'bad.yaml',
          templateYaml('bad').replace('type: duration', 'type: minutes'),
        ),
      },
    );
    expect(bad.data?.uploadServiceTemplate).toMatchObject({
      code: 'templates/invalid',
      field: 'categories[0].parameters[2].type',
    });
    const png = await gqlUpload(
      t,
      TemplatesUpload,
      { file: null as unknown as File },
      {
        'variables.file': new File([new Uint8Array([137, 80, 78, 71])], 'logo.png'),
      },
    );
    expect(png.data?.uploadServiceTemplate).toMatchObject({ code: 'templates/unsupported_file' });
  });

  it('replaces a template under its own name only', async () => {
    const ok = await gqlUpload(
      t,
      TemplatesReplace,
      { name: 'zipped-one', file: null as unknown as File },
      {
        'variables.file': yamlFile('zipped-one.yaml', templateYaml('zipped-one', 'Replaced.')),
      },
    );
    expect(ok.data?.replaceServiceTemplate).toMatchObject({ data: { description: 'Replaced.' } });
    const mismatch = await gqlUpload(
      t,
      TemplatesReplace,
      { name: 'zipped-one', file: null as unknown as File },
      {
        'variables.file': yamlFile('plain-one.yaml', templateYaml('plain-one')),
      },
    );
    expect(mismatch.data?.replaceServiceTemplate).toMatchObject({ code: 'templates/name_mismatch' });
    const missing = await gqlUpload(
      t,
      TemplatesReplace,
      { name: 'ghost', file: null as unknown as File },
      {
        'variables.file': yamlFile('ghost.yaml', templateYaml('ghost')),
      },
    );
    expect(missing.data?.replaceServiceTemplate).toMatchObject({ code: 'templates/not_found' });
  });

  it('refuses to delete a template that configured services use', async () => {
    const created = await t.admin(TemplatesCreateService, {
      input: { name: 'uses-plain', template: 'plain-one' },
    });
    expect(created.createService.__typename).toBe('MutationCreateServiceSuccess');
    const inspect = await t.admin(TemplatesInspect, { name: 'plain-one' });
    expect(inspect.serviceTemplate?.usedBy).toEqual(['uses-plain']);
    const refused = await t.admin(TemplatesDelete, { name: 'plain-one' });
    expect(refused.deleteServiceTemplate).toMatchObject({ code: 'templates/in_use' });
    expect((refused.deleteServiceTemplate as { message: string }).message).toContain('uses-plain');
    await t.app.managers.services.delete('uses-plain');
    const deleted = await t.admin(TemplatesDelete, { name: 'plain-one' });
    expect(deleted.deleteServiceTemplate).toEqual({
      __typename: 'MutationDeleteServiceTemplateSuccess',
      data: 'plain-one',
    });
    expect((await t.admin(TemplatesInspect, { name: 'plain-one' })).serviceTemplate).toBeNull();
  });

  it('start-up installation is idempotent and leaves admin uploads and deletions alone', async () => {
    const again = await t.app.managers.templates.installBundled();
    expect(again).toEqual({ installed: [], upgraded: [], kept: expect.arrayContaining(['callback']) });

    // An admin replaces a bundled template and deletes another one.
    await t.app.managers.templates.replace(
      'request-chat',
      'request-chat.yaml',
      Buffer.from(
        templateYaml('request-chat')
          .replace('default: request-interaction', 'default: request-chat')
          .replace('service: request-interaction', 'service: request-chat'),
      ),
    );
    await t.app.managers.templates.delete('office-hours');
    const restart = await t.app.managers.templates.installBundled();
    expect(restart.installed).toEqual([]);
    expect(restart.upgraded).toEqual([]);
    const list = await t.admin(TemplatesList);
    expect(list.serviceTemplates.find((x) => x.name === 'request-chat')?.origin).toBe('UPLOADED');
    expect(list.serviceTemplates.map((x) => x.name)).not.toContain('office-hours');

    // Restoring on purpose brings the shipped versions back.
    for (const name of ['request-chat', 'office-hours']) {
      const r = await t.admin(TemplatesRestore, { name });
      expect(r.restoreBundledServiceTemplate).toMatchObject({ data: { name, origin: 'BUNDLED' } });
    }
  });

  it('upgrades a still-bundled template whose file changed', async () => {
    const { db } = t.app.deps;
    const { serviceTemplatesTable } = await import('./services.tables.js');
    const { eq } = await import('drizzle-orm');
    await db
      .update(serviceTemplatesTable)
      .set({ checksum: 'old' })
      .where(eq(serviceTemplatesTable.name, 'request-access'));
    const report = await t.app.managers.templates.installBundled();
    expect(report.upgraded).toEqual(['request-access']);
  });

  it('is admin-only', async () => {
    await expect(t.gql(TemplatesList)).rejects.toThrow(/Not authorized/);
  });
});
