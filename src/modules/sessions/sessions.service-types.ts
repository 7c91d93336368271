import type { StorageManager } from '../storage/storage.manager.js';
import type { SessionRequestSpec } from './session-handlers.js';
import type { SessionManager } from './sessions.manager.js';

const UPDATE = {
  path: 'update',
  summary: 'Add or overwrite user data of the session (its Storage API area)',
  methods: ['POST'],
} satisfies SessionRequestSpec;

/** The per-session requests every session answers (the route table lists them: http/routes.ts). */
export const COMMON_SESSION_REQUESTS: readonly SessionRequestSpec[] = [UPDATE];

/**
 * The requests every session answers whatever its type (wired in managers.ts): GMS's common
 * `update`, which adds or overwrites user data of the session (its Storage API area).
 */
export function registerCommonSessionRequests(deps: {
  sessions: SessionManager;
  storage: StorageManager;
}): void {
  const { sessions, storage } = deps;
  sessions.handlers.registerRequest(UPDATE, async (session, _params, _service, ctx) => {
    await storage.put({ id: session.dataId }, { text: ctx.request.userData, binary: ctx.request.files });
    return { _id: session.id, _data_id: session.dataId };
  });
}
