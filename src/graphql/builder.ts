import SchemaBuilder from '@pothos/core';
import ErrorsPlugin from '@pothos/plugin-errors';
import ScopeAuthPlugin from '@pothos/plugin-scope-auth';
import { GraphQLError } from 'graphql';
import { DomainError, NotFoundError, ValidationError } from '../errors.js';
import type { GraphQLContext } from './context.js';

export type JsonValue = string | number | boolean | null | JsonValue[] | { [key: string]: JsonValue };

/**
 * The Pothos builder. It defines no domain types: each module declares its own types and fields
 * beside its manager (`<module>.graphql.ts`), and `schema.ts` imports them.
 *
 * Auth: fields declare `authScopes: { admin: true }` (admins only), `{ agent: true }` (agent
 * desktop tokens) or `{ public: true }`.
 */
export const builder = new SchemaBuilder<{
  Context: GraphQLContext;
  AuthScopes: { admin: boolean; agent: boolean; public: boolean };
  DefaultFieldNullability: false;
  Scalars: {
    DateTime: { Input: Date; Output: Date | string };
    JSON: { Input: JsonValue; Output: unknown };
    File: { Input: File; Output: never };
  };
}>({
  plugins: [ScopeAuthPlugin, ErrorsPlugin],
  defaultFieldNullability: false,
  scopeAuth: {
    authorizeOnSubscribe: true,
    treatErrorsAsUnauthorized: true,
    authScopes: (ctx) => ({
      admin: ctx.viewer.kind === 'admin',
      agent: ctx.viewer.kind === 'agent',
      public: true,
    }),
    unauthorizedError: () =>
      new GraphQLError(
        `Not authorized: this operation needs an admin identity (login or HTTP Basic) or, for agent desktop operations, an agent token (agentLogin)`,
        { extensions: { code: 'FORBIDDEN' } },
      ),
  },
  errors: { defaultTypes: [ValidationError, NotFoundError, DomainError] },
});

builder.queryType({});
builder.mutationType({});
builder.subscriptionType({});

builder.scalarType('DateTime', {
  description: 'ISO-8601 date-time in UTC, e.g. 2026-01-05T10:00:00.000Z',
  serialize: (value) => (value instanceof Date ? value.toISOString() : new Date(value).toISOString()),
  parseValue: (value) => {
    const d = new Date(String(value));
    if (typeof value !== 'string' || Number.isNaN(d.getTime()))
      throw new GraphQLError('DateTime must be an ISO-8601 string');
    // JavaScript dates reach ±275,760 years; PostgreSQL's timestamps do not (a 500, unchecked).
    const year = d.getUTCFullYear();
    if (year < 1 || year > 9999) throw new GraphQLError('DateTime must fall between the years 0001 and 9999');
    return d;
  },
});

builder.scalarType('JSON', {
  description: 'Any JSON value',
  serialize: (value) => value,
  parseValue: (value) => value as JsonValue,
});

builder.scalarType('File', {
  description:
    'An uploaded file (GraphQL multipart request spec: send the operation as multipart/form-data with `operations` and `map`).',
  serialize: () => {
    throw new GraphQLError('File is an input-only scalar');
  },
  // Duck-typed: the fetch ponyfill may hand over its own File class rather than the global one.
  parseValue: (value) => {
    const file = value as Partial<File> | null;
    if (!file || typeof file.arrayBuffer !== 'function' || typeof file.name !== 'string')
      throw new GraphQLError('Expected an uploaded file (multipart request)');
    return value as File;
  },
});

export const ErrorInterface = builder.interfaceRef<DomainError>('Error').implement({
  description: 'Every expected failure: a stable machine code and a human message.',
  fields: (t) => ({
    message: t.exposeString('message'),
    code: t.exposeString('code', { description: 'Stable code, `<module>/<reason>`' }),
  }),
});

builder.objectType(DomainError, {
  name: 'DomainError',
  interfaces: [ErrorInterface],
  isTypeOf: (value) => value instanceof DomainError,
});

builder.objectType(ValidationError, {
  name: 'ValidationError',
  interfaces: [ErrorInterface],
  isTypeOf: (value) => value instanceof ValidationError,
  fields: (t) => ({
    field: t.exposeString('field', { nullable: true, description: 'The parameter, option or path at fault' }),
  }),
});

builder.objectType(NotFoundError, {
  name: 'NotFoundError',
  interfaces: [ErrorInterface],
  isTypeOf: (value) => value instanceof NotFoundError,
});
