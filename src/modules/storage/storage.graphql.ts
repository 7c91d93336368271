import { graphqlRequester } from '../../auth/ownership.js';
import { NotFoundError, ValidationError } from '../../errors.js';
import { builder } from '../../graphql/builder.js';
import type { GraphQLContext } from '../../graphql/context.js';
import {
  type StorageEntry,
  type StorageInput,
  type StoredValue,
  storageTtlSeconds,
} from './storage.manager.js';

const ValueKindEnum = builder.enumType('StorageValueKind', { values: ['TEXT', 'BINARY'] as const });

/** A value plus the legacy path that downloads it raw. */
export interface StorageValueView extends StoredValue {
  path: string;
}

export const StorageValueRef = builder.objectRef<StorageValueView>('StorageValue').implement({
  fields: (t) => ({
    key: t.exposeString('key'),
    kind: t.field({ type: ValueKindEnum, resolve: (v) => (v.kind === 'text' ? 'TEXT' : 'BINARY') }),
    text: t.exposeString('text', { nullable: true, description: 'The value, for TEXT.' }),
    base64: t.string({
      nullable: true,
      description: 'The bytes, base64-encoded, for BINARY.',
      resolve: (v) => (v.kind === 'binary' ? (v.data ?? Buffer.alloc(0)).toString('base64') : null),
    }),
    contentType: t.exposeString('contentType', { nullable: true }),
    filename: t.exposeString('filename', { nullable: true }),
    size: t.exposeInt('size', { description: 'Bytes.' }),
    path: t.exposeString('path', { description: 'Legacy path that returns the raw value.' }),
  }),
});

export const withPaths = (entry: StorageEntry, pathOf: (key: string) => string): StorageValueView[] =>
  entry.values.map((v) => ({ ...v, path: pathOf(v.key) }));

const legacyPath = (entry: StorageEntry) => (key: string) =>
  `/genesys/1/storage/binary/${entry.customId !== null ? 'custom/' : ''}${encodeURIComponent(entry.id)}/${encodeURIComponent(key)}`;

const StorageEntryRef = builder.objectRef<StorageEntry>('StorageEntry').implement({
  description: 'A Storage API area: key/value pairs that vanish when expiresAt passes.',
  fields: (t) => ({
    id: t.exposeString('id', { description: 'Generated id, or the custom id.' }),
    customId: t.boolean({ resolve: (e) => e.customId !== null }),
    createdAt: t.field({ type: 'DateTime', resolve: (e) => e.createdAt }),
    updatedAt: t.field({ type: 'DateTime', resolve: (e) => e.updatedAt }),
    expiresAt: t.field({ type: 'DateTime', resolve: (e) => e.expiresAt }),
    values: t.field({ type: [StorageValueRef], resolve: (e) => withPaths(e, legacyPath(e)) }),
    value: t.field({
      type: StorageValueRef,
      nullable: true,
      args: { key: t.arg.string({ required: true }) },
      resolve: (e, args) => withPaths(e, legacyPath(e)).find((v) => v.key === args.key) ?? null,
    }),
  }),
});

export const StorageValueInput = builder.inputType('StorageValueInput', {
  description: 'One key with either a text value or a file (multipart request).',
  fields: (t) => ({
    key: t.string({ required: true }),
    value: t.string(),
    file: t.field({ type: 'File' }),
  }),
});

/** GraphQL values → storage input; files are capped like legacy multipart files. */
export async function storageInputFromGraphQL(
  values: readonly { key: string; value?: string | null; file?: File | null }[],
  ctx: GraphQLContext,
): Promise<StorageInput> {
  const { limits } = ctx.deps.config;
  if (values.length > limits.fields)
    throw new ValidationError(
      'storage/too_many_values',
      `At most ${limits.fields} values per request`,
      'values',
    );
  const input: StorageInput = { text: {}, binary: [] };
  for (const v of values) {
    const hasText = v.value !== null && v.value !== undefined;
    const hasFile = v.file !== null && v.file !== undefined;
    if (hasText === hasFile)
      throw new ValidationError('storage/invalid_value', `Key '${v.key}' needs either value or file`, v.key);
    if (v.file) {
      if (v.file.size > limits.fileBytes)
        throw new ValidationError(
          'storage/file_too_large',
          `File '${v.key}' exceeds ${limits.fileBytes} bytes`,
          v.key,
        );
      input.binary.push({
        key: v.key,
        filename: v.file.name,
        contentType: v.file.type || 'application/octet-stream',
        data: Buffer.from(await v.file.arrayBuffer()),
      });
    } else {
      if (Object.hasOwn(input.text, v.key))
        throw new ValidationError('storage/duplicate_key', `Key '${v.key}' is given more than once`, v.key);
      input.text[v.key] = v.value as string;
    }
  }
  return input;
}

/** GraphQL is always strict: a device reaches only the areas it created (admins: any). */
const access = (ctx: GraphQLContext) => ({ viewer: ctx.viewer, rules: 'strict' as const });

const ref = (id: string, ctx: GraphQLContext, custom: boolean | null | undefined) => ({
  id,
  gmsUser: ctx.viewer.gmsUser,
  custom: custom ?? false,
  access: access(ctx),
});

const owner = (ctx: GraphQLContext) => {
  const { gmsUser, ownerTokenHash } = graphqlRequester(ctx.viewer);
  return { gmsUser, ownerTokenHash };
};

builder.queryFields((t) => ({
  storageEntry: t.field({
    type: StorageEntryRef,
    nullable: true,
    authScopes: { public: true },
    description:
      'A storage area by id (null once expired). customId: true reads the caller\u2019s custom-id area (needs the gms_user header).',
    args: { id: t.arg.string({ required: true }), customId: t.arg.boolean({ defaultValue: false }) },
    resolve: async (_r, args, ctx) => {
      try {
        return await ctx.managers.storage.get(ref(args.id, ctx, args.customId));
      } catch (err) {
        if (err instanceof NotFoundError) return null;
        throw err;
      }
    },
  }),
}));

builder.mutationFields((t) => ({
  createStorageEntry: t.field({
    type: StorageEntryRef,
    authScopes: { public: true },
    description:
      'POST /genesys/1/storage/{ttl}: ttl in seconds (absent or not positive: 30). Bound to your gms_user (required): only you (and admins) can read or change it.',
    args: {
      ttl: t.arg.int(),
      values: t.arg({ type: [StorageValueInput], required: true }),
    },
    errors: {},
    resolve: async (_r, args, ctx) =>
      ctx.managers.storage.create(
        storageTtlSeconds(args.ttl ?? null),
        await storageInputFromGraphQL(args.values, ctx),
        owner(ctx),
        'strict',
      ),
  }),
  createCustomStorageEntry: t.field({
    type: StorageEntryRef,
    authScopes: { public: true },
    description:
      'POST /genesys/1/storage/custom/{customId}/{ttl}: an area bound to the gms_user header; a live one gets the values and a new ttl.',
    args: {
      customId: t.arg.string({ required: true }),
      ttl: t.arg.int(),
      values: t.arg({ type: [StorageValueInput], required: true }),
    },
    errors: {},
    resolve: async (_r, args, ctx) =>
      ctx.managers.storage.createCustom(
        args.customId,
        ctx.viewer.gmsUser,
        storageTtlSeconds(args.ttl ?? null),
        await storageInputFromGraphQL(args.values, ctx),
        { ownerTokenHash: owner(ctx).ownerTokenHash, access: access(ctx) },
      ),
  }),
  updateStorageEntry: t.field({
    type: StorageEntryRef,
    authScopes: { public: true },
    description: 'POST /genesys/1/storage/{id}/{ttl}: adds or overwrites values and restarts the ttl.',
    args: {
      id: t.arg.string({ required: true }),
      customId: t.arg.boolean({ defaultValue: false }),
      ttl: t.arg.int(),
      values: t.arg({ type: [StorageValueInput], required: true }),
    },
    errors: {},
    resolve: async (_r, args, ctx) =>
      ctx.managers.storage.update(
        ref(args.id, ctx, args.customId),
        storageTtlSeconds(args.ttl ?? null),
        await storageInputFromGraphQL(args.values, ctx),
      ),
  }),
  deleteStorageEntry: t.string({
    authScopes: { public: true },
    description: 'DELETE /genesys/1/storage/{id}. Returns the id.',
    args: { id: t.arg.string({ required: true }), customId: t.arg.boolean({ defaultValue: false }) },
    errors: {},
    resolve: async (_r, args, ctx) => {
      await ctx.managers.storage.delete(ref(args.id, ctx, args.customId));
      return args.id;
    },
  }),
  deleteStorageKeys: t.stringList({
    authScopes: { public: true },
    description: 'Removes keys from an area. Returns the keys removed.',
    args: {
      id: t.arg.string({ required: true }),
      customId: t.arg.boolean({ defaultValue: false }),
      keys: t.arg.stringList({ required: true }),
    },
    errors: {},
    resolve: (_r, args, ctx) => ctx.managers.storage.deleteKeys(ref(args.id, ctx, args.customId), args.keys),
  }),
}));
