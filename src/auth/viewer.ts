/**
 * Who is calling: an admin, a contact-centre agent (agent desktop token from `agentLogin`), or an
 * end user (mobile app / legacy client) known by `gms_user`.
 */
export type Viewer =
  | { kind: 'admin'; username: string; gmsUser: string | null }
  | { kind: 'agent'; agentId: string; gmsUser: string | null }
  | {
      kind: 'user';
      gmsUser: string | null;
      /** The `x-gms-device-token` header: proves a device is the one that created a resource. */
      deviceToken?: string | null;
    };

export const isAdmin = (v: Viewer): v is Extract<Viewer, { kind: 'admin' }> => v.kind === 'admin';
