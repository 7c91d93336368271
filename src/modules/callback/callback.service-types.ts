import type { SessionManager } from '../sessions/sessions.manager.js';
import type { CallbackManager, NotificationInput } from './callback.manager.js';

/**
 * The `callback` service type on the Service API (wired in managers.ts): its create (only through
 * `POST /genesys/1/service/callback/{name}`, which is `callbacks.start`), the extra fields of
 * `GET /genesys/1/service/{id}`, and the per-session requests of callback sessions: `connect`, the
 * dialog continuation, `check-queue-position` and the notification requests.
 */
export function registerCallbackServiceTypes(deps: {
  sessions: SessionManager;
  callbacks: CallbackManager;
}): void {
  const { sessions, callbacks } = deps;
  sessions.handlers.registerServiceType('callback', {
    create: (session, params, service, ctx) => callbacks.createInSession(session, params, service, ctx),
    describe: async (session) => {
      const row = await callbacks.find(session.id);
      return row ? { _callback_state: row.state, _callback_reason: row.reason ?? undefined } : {};
    },
  });
  const only = { serviceTypes: ['callback'] };
  sessions.handlers.registerRequest('connect', (s) => callbacks.connect(s.id), {
    ...only,
    methods: ['POST', 'GET'],
  });
  // Dialog continuation: a device that got `{ _id, _action }` pushed calls /service/{_id}/{_action}.
  for (const flag of ['false', 'true'])
    sessions.handlers.registerRequest(
      `get-dialog-user-confirmation-provide_code-${flag}`,
      (s) => callbacks.confirmationMenu(s.id),
      only,
    );
  sessions.handlers.registerRequest('check-queue-position', (s) => callbacks.queuePositionBody(s.id), only);
  // internal-notification: agent → device; agent-notification: device → agent. Same request shape.
  const notifications = [
    ['internal-notification', (id: string, m: NotificationInput) => callbacks.notifyDevice(id, m)],
    ['agent-notification', (id: string, m: NotificationInput) => callbacks.notifyAgent(id, m)],
  ] as const;
  for (const [path, notify] of notifications)
    sessions.handlers.registerRequest(
      path,
      async (s, _p, _svc, ctx) => {
        await notify(s.id, {
          displayMessage: ctx.request.control._display_message ?? '',
          applicationMessage: ctx.request.control._application_message ?? '',
        });
        return { message: 'Notification Sent' };
      },
      { ...only, methods: ['POST'] },
    );
  sessions.handlers.registerRequest(
    'retrieve-notifications',
    (s) => callbacks.retrieveNotifications(s.id),
    only,
  );
  sessions.handlers.registerRequest(
    'retrieve-agent-notifications',
    (s) => callbacks.retrieveAgentNotifications(s.id),
    only,
  );
}
