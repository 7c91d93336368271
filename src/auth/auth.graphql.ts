import { builder } from '../graphql/builder.js';

const LoginResultRef = builder.objectRef<{ token: string; expiresAt: Date }>('LoginPayload').implement({
  fields: (t) => ({
    token: t.exposeString('token', { description: 'Send as `Authorization: Bearer <token>`.' }),
    expiresAt: t.field({ type: 'DateTime', resolve: (r) => r.expiresAt }),
  }),
});

const ViewerRef = builder
  .objectRef<{
    kind: string;
    username: string | null;
    gmsUser: string | null;
    defaultCredentials: boolean | null;
  }>('Viewer')
  .implement({
    fields: (t) => ({
      kind: t.exposeString('kind', { description: '`admin`, `agent` or `user`' }),
      username: t.exposeString('username', { nullable: true }),
      gmsUser: t.exposeString('gmsUser', { nullable: true, description: 'The `gms_user` header, if sent.' }),
      defaultCredentials: t.exposeBoolean('defaultCredentials', {
        nullable: true,
        description:
          'For an admin: true while the out-of-the-box default/password credentials are configured (consoles warn). Null for anyone else.',
      }),
    }),
  });

builder.queryFields((t) => ({
  viewer: t.field({
    type: ViewerRef,
    authScopes: { public: true },
    resolve: (_root, _args, { viewer, deps }) => ({
      kind: viewer.kind,
      username: viewer.kind === 'admin' ? viewer.username : null,
      gmsUser: viewer.gmsUser,
      defaultCredentials: viewer.kind === 'admin' ? deps.config.admin.usesDefault : null,
    }),
  }),
}));

builder.mutationFields((t) => ({
  login: t.field({
    type: LoginResultRef,
    authScopes: { public: true },
    description: 'Exchange the admin username and password for a bearer token.',
    args: { username: t.arg.string({ required: true }), password: t.arg.string({ required: true }) },
    errors: {},
    resolve: (_root, args, ctx) => ctx.managers.auth.login(args.username, args.password),
  }),
  logout: t.boolean({
    authScopes: { admin: true },
    description: 'Revoke a bearer token.',
    args: { token: t.arg.string({ required: true }) },
    resolve: (_root, args, ctx) => ctx.managers.auth.logout(args.token),
  }),
}));
