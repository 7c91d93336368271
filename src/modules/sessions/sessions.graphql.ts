import { GraphQLError } from 'graphql';
import { graphqlRequester } from '../../auth/ownership.js';
import { NotFoundError, ValidationError } from '../../errors.js';
import { builder } from '../../graphql/builder.js';
import type { GraphQLContext } from '../../graphql/context.js';
import { subscribeTopic } from '../../graphql/subscriptions.js';
import { ServiceOptionInput, ServiceOptionRef } from '../services/services.graphql.js';
import {
  StorageValueInput,
  StorageValueRef,
  storageInputFromGraphQL,
  withPaths,
} from '../storage/storage.graphql.js';
import type { RequestParams, SessionView } from './session-handlers.js';
import type { CreateSessionResult, SessionStoppedEvent } from './sessions.manager.js';

/** A session whose data area was deleted on its own (DELETE /storage/{_data_id}) shows no user data. */
const notFoundAsNull = (err: unknown) => {
  if (err instanceof NotFoundError) return null;
  throw err;
};

/** GraphQL is always strict: a device reaches only what it created (admins: everything). */
const caller = (ctx: GraphQLContext) => graphqlRequester(ctx.viewer);

const toOptions = (record: Record<string, string>) =>
  Object.entries(record).map(([name, value]) => ({ name, value }));

const sessionValuePath = (id: string) => (key: string) =>
  `/genesys/1/service/${encodeURIComponent(id)}/storage/binary/${encodeURIComponent(key)}`;

/**
 * A device sees only the sessions created with its own `gms_user` header; an admin sees all.
 * Anything else is "not found", so ids of other users' sessions are not confirmed.
 */
const visibleSession = (ctx: GraphQLContext, id: string): Promise<SessionView | null> =>
  ctx.managers.sessions.findOwned(caller(ctx), id);

export const ownSession = (ctx: GraphQLContext, id: string): Promise<SessionView> =>
  ctx.managers.sessions.owned(caller(ctx), id);

export const ServiceSessionRef = builder.objectRef<SessionView>('ServiceSession').implement({
  description: 'A session of a configured service (a GMS "service" created through the Service API).',
  fields: (t) => ({
    id: t.exposeID('id', { description: '`<node id>-<uuid>`' }),
    serviceName: t.exposeString('serviceName'),
    serviceType: t.exposeString('serviceType', { description: '`_service` of the service.' }),
    type: t.exposeString('type', { description: '`_type` of the service.' }),
    dataId: t.exposeString('dataId', { description: '`_data_id`: the Storage API id of its user data.' }),
    gmsUser: t.exposeString('gmsUser', { nullable: true }),
    createdAt: t.field({ type: 'DateTime', resolve: (s) => s.createdAt }),
    expiresAt: t.field({ type: 'DateTime', resolve: (s) => s.expiresAt }),
    requestParameters: t.field({
      type: [ServiceOptionRef],
      description: 'Control parameters as the create request sent them.',
      resolve: (s) => toOptions(s.requestParams),
    }),
    parameters: t.field({
      type: [ServiceOptionRef],
      authScopes: { admin: true },
      description: 'Control parameters in force (request merged with the configured options). Admins only.',
      resolve: (s) => toOptions(s.params),
    }),
    userData: t.field({
      type: [StorageValueRef],
      description: 'The user data (non-underscore parameters and files).',
      resolve: async (s, _a, ctx) => {
        const entry = await ctx.managers.storage.get({ id: s.dataId }).catch(notFoundAsNull);
        return entry ? withPaths(entry, sessionValuePath(s.id)) : [];
      },
    }),
  }),
});

const CreatedRef = builder.objectRef<CreateSessionResult>('ServiceSessionCreated').implement({
  fields: (t) => ({
    session: t.field({
      type: ServiceSessionRef,
      nullable: true,
      description:
        'Null for service types that answer without a session of their own (e.g. match-interaction).',
      resolve: (r) => r.session,
    }),
    response: t.field({
      type: 'JSON',
      description: 'The legacy Service API response body.',
      resolve: (r) => r.response,
    }),
  }),
});

const StoppedRef = builder.objectRef<SessionStoppedEvent>('ServiceSessionStopped').implement({
  fields: (t) => ({
    id: t.exposeID('id'),
    serviceName: t.exposeString('serviceName'),
    reason: t.exposeString('reason', { description: '`stopped` or `expired`.' }),
    at: t.field({ type: 'DateTime', resolve: (e) => e.at }),
  }),
});

const SessionFileInput = builder.inputType('ServiceSessionFileInput', {
  description: 'A file sent as user data (multipart request).',
  fields: (t) => ({ key: t.string({ required: true }), file: t.field({ type: 'File', required: true }) }),
});

async function requestParams(
  ctx: GraphQLContext,
  parameters: readonly { name: string; value: string }[] | null | undefined,
  files: readonly { key: string; file: File }[] | null | undefined,
): Promise<RequestParams> {
  const values = [
    ...(parameters ?? []).map((p) => ({ key: p.name, value: p.value })),
    ...(files ?? []).map((f) => ({ key: f.key, file: f.file })),
  ];
  const input = await storageInputFromGraphQL(values, ctx);
  const control: Record<string, string> = {};
  const userData: Record<string, string> = {};
  for (const [k, v] of Object.entries(input.text)) (k.startsWith('_') ? control : userData)[k] = v;
  for (const f of input.binary)
    if (Object.hasOwn(input.text, f.key))
      throw new ValidationError('sessions/duplicate_parameter', `Parameter ${f.key} is given twice`, f.key);
  return { control, userData, files: input.binary };
}

builder.queryFields((t) => ({
  serviceSession: t.field({
    type: ServiceSessionRef,
    nullable: true,
    authScopes: { public: true },
    description:
      'A live session created with your gms_user header (admins: any). Null when unknown or expired.',
    args: { id: t.arg.id({ required: true }) },
    resolve: (_r, args, ctx) => visibleSession(ctx, String(args.id)),
  }),
  serviceSessions: t.field({
    type: [ServiceSessionRef],
    authScopes: { admin: true },
    description: 'Live sessions, newest first.',
    args: {
      service: t.arg.string(),
      gmsUser: t.arg.string(),
      limit: t.arg.int({ defaultValue: 100 }),
    },
    resolve: (_r, args, ctx) =>
      ctx.managers.sessions.list({
        serviceName: args.service,
        gmsUser: args.gmsUser,
        limit: args.limit ?? 100,
      }),
  }),
}));

builder.mutationFields((t) => ({
  createServiceSession: t.field({
    type: CreatedRef,
    authScopes: { public: true },
    description:
      'POST /genesys/1/service/{service}: `_` parameters are control parameters, the others (and files) user data. The gms_user header is kept with the session.',
    args: {
      service: t.arg.string({ required: true }),
      parameters: t.arg({ type: [ServiceOptionInput] }),
      files: t.arg({ type: [SessionFileInput] }),
    },
    errors: {},
    resolve: async (_r, args, ctx) =>
      ctx.managers.sessions.create(
        args.service,
        await requestParams(ctx, args.parameters, args.files),
        caller(ctx),
      ),
  }),
  stopServiceSession: t.field({
    type: StoppedRef,
    authScopes: { public: true },
    description: 'DELETE /genesys/1/service/{id}: stops your session and releases what it holds.',
    args: { id: t.arg.id({ required: true }) },
    errors: {},
    resolve: async (_r, args, ctx) => {
      const session = await ownSession(ctx, String(args.id));
      return ctx.managers.sessions.stop(session.id);
    },
  }),
  serviceSessionRequest: t.field({
    type: 'JSON',
    authScopes: { public: true },
    description:
      '/genesys/1/service/{id}/{request}: a request on your session (e.g. update, connect, check-queue-position). Returns the legacy response body.',
    args: {
      id: t.arg.id({ required: true }),
      request: t.arg.string({ required: true }),
      method: t.arg.string({ defaultValue: 'POST' }),
      parameters: t.arg({ type: [ServiceOptionInput] }),
      files: t.arg({ type: [SessionFileInput] }),
    },
    errors: {},
    resolve: async (_r, args, ctx) => {
      const session = await ownSession(ctx, String(args.id));
      const params = await requestParams(ctx, args.parameters, args.files);
      const result = await ctx.managers.sessions.request(
        session.id,
        args.request,
        (args.method ?? 'POST').toUpperCase(),
        params,
        new URLSearchParams(),
        caller(ctx),
      );
      return result.response;
    },
  }),
  updateServiceSessionData: t.field({
    type: ServiceSessionRef,
    authScopes: { public: true },
    description: 'POST /genesys/1/service/{id}/storage: adds or overwrites user data of your session.',
    args: {
      id: t.arg.id({ required: true }),
      values: t.arg({ type: [StorageValueInput], required: true }),
    },
    errors: {},
    resolve: async (_r, args, ctx) => {
      const session = await ownSession(ctx, String(args.id));
      await ctx.managers.storage.put({ id: session.dataId }, await storageInputFromGraphQL(args.values, ctx));
      return session;
    },
  }),
  deleteServiceSessionData: t.stringList({
    authScopes: { public: true },
    description:
      'DELETE /genesys/1/service/{id}/storage/{key}: removes user data keys. Returns the keys removed.',
    args: { id: t.arg.id({ required: true }), keys: t.arg.stringList({ required: true }) },
    errors: {},
    resolve: async (_r, args, ctx) => {
      const session = await ownSession(ctx, String(args.id));
      return ctx.managers.storage.deleteKeys({ id: session.dataId }, args.keys);
    },
  }),
}));

builder.subscriptionFields((t) => ({
  serviceSessionStopped: t.field({
    type: StoppedRef,
    authScopes: { public: true },
    description: 'Fires once when your session is stopped or expires (from any instance).',
    args: { id: t.arg.id({ required: true }) },
    subscribe: async function* (_r, args, ctx) {
      // Subscriptions have no error unions: a missing session is a plain GraphQL error.
      const session = await visibleSession(ctx, String(args.id));
      if (!session)
        throw new GraphQLError(`Service session '${args.id}' not found or expired`, {
          extensions: { code: 'NOT_FOUND' },
        });
      const events = subscribeTopic(ctx, 'session:stopped', session.id);
      try {
        for await (const event of events) {
          yield event;
          return;
        }
      } finally {
        await events.return();
      }
    },
    resolve: (event) => event,
  }),
}));
