import { builder } from '../../graphql/builder.js';
import { ownSession, ServiceSessionRef } from '../sessions/sessions.graphql.js';
import { MatchRef } from './resource.graphql.js';
import type { Allocation } from './resource.manager.js';
import { requestAccess } from './resource.service-types.js';

const AccessGrantRef = builder.objectRef<Allocation>('AccessGrant').implement({
  description: 'An access number booked for a session (request-access / request-interaction).',
  fields: (t) => ({
    bookingId: t.exposeString('bookingId'),
    group: t.exposeString('group'),
    resourceName: t.exposeString('resourceName'),
    accessNumber: t.exposeString('accessNumber', { description: '`_access_number`: the number to dial.' }),
    accessCode: t.exposeString('accessCode', {
      nullable: true,
      description: '`_access_code`: only when one was asked for.',
    }),
    expiresAt: t.field({ type: 'DateTime', resolve: (a) => a.expiresAt }),
    expirationTime: t.int({
      description: '`_expiration_time`: seconds the booking lasts.',
      resolve: (a) => a.timeoutSeconds,
    }),
  }),
});

builder.objectField(MatchRef, 'session', (t) =>
  t.field({
    type: ServiceSessionRef,
    nullable: true,
    description: 'The matched session (its `dataId` reads the user data); null if it stopped meanwhile.',
    resolve: (match, _args, ctx) => ctx.managers.sessions.find(match.sessionId),
  }),
);

builder.mutationFields((t) => ({
  requestAccess: t.field({
    type: AccessGrantRef,
    authScopes: { public: true },
    description:
      'request-access: books an access number (and optionally a code) for your live session, for IVR ' +
      'call matching. Locking pool with every number booked → 503 `resource/pool_exhausted` at once.',
    args: {
      sessionId: t.arg.id({ required: true }),
      resourceGroup: t.arg.string({ required: true }),
      phoneNumber: t.arg.string({ required: false }),
      provideCode: t.arg.boolean({ required: false }),
      accessCodeLength: t.arg.int({ required: false, description: 'Default 6' }),
      bookingExpirationTimeout: t.arg.int({ required: false, description: 'Seconds; overrides the group' }),
    },
    errors: {},
    resolve: async (_root, args, ctx) => {
      const session = await ownSession(ctx, String(args.sessionId));
      const params: Record<string, string> = { _resource_group: args.resourceGroup };
      if (args.phoneNumber) params._phone_number = args.phoneNumber;
      if (args.provideCode != null) params._provide_code = String(args.provideCode);
      if (args.accessCodeLength != null) params._access_code_length = String(args.accessCodeLength);
      if (args.bookingExpirationTimeout != null)
        params._booking_expiration_timeout = String(args.bookingExpirationTimeout);
      const { sessions, resources } = ctx.managers;
      return requestAccess({ db: ctx.deps.db, sessions, resources }, session.id, params);
    },
  }),
}));
