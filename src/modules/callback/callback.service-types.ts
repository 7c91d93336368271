import type { EventStore } from '../event/event.manager.js';
import type { SessionRequestSpec } from '../sessions/session-handlers.js';
import type { SessionManager } from '../sessions/sessions.manager.js';
import {
  agentAvailableMessage,
  agentNotificationBody,
  checkQueuePositionBody,
  confirmationPath,
  deviceNotificationMessage,
  dialogBody,
  retrievedNotification,
} from './callback.legacy.js';
import type { CallbackManager, NotificationInput } from './callback.manager.js';

/** Per-session requests of callback sessions only. */
const callbackRequest = (spec: SessionRequestSpec): SessionRequestSpec => ({
  ...spec,
  serviceTypes: ['callback'],
});

const CONNECT = callbackRequest({
  path: 'connect',
  summary: 'Callback: the customer is ready; the next dialog step (user-originated connect)',
});
const DIALOG_CONFIRMATIONS = [false, true].map((provideCode) =>
  callbackRequest({
    path: confirmationPath(provideCode),
    summary: 'Callback dialog continuation: the confirmation menu pushed as `_action`',
  }),
);
const CHECK_QUEUE_POSITION = callbackRequest({
  path: 'check-queue-position',
  summary: "Callback: the request's position in its virtual queue, EWT and whether an agent is near",
});
const INTERNAL_NOTIFICATION = callbackRequest({
  path: 'internal-notification',
  summary: 'Callback: a notification from the agent to the device',
  methods: ['POST'],
});
const AGENT_NOTIFICATION = callbackRequest({
  path: 'agent-notification',
  summary: 'Callback: a notification from the device to the agent',
  methods: ['POST'],
});
const RETRIEVE_NOTIFICATIONS = callbackRequest({
  path: 'retrieve-notifications',
  summary: 'Callback: the notifications sent to the device',
});
const RETRIEVE_AGENT_NOTIFICATIONS = callbackRequest({
  path: 'retrieve-agent-notifications',
  summary: 'Callback: the notifications sent to the agent',
});

/** The per-session requests of callback sessions (the route table lists them: http/routes.ts). */
export const CALLBACK_SESSION_REQUESTS: readonly SessionRequestSpec[] = [
  CONNECT,
  ...DIALOG_CONFIRMATIONS,
  CHECK_QUEUE_POSITION,
  INTERNAL_NOTIFICATION,
  AGENT_NOTIFICATION,
  RETRIEVE_NOTIFICATIONS,
  RETRIEVE_AGENT_NOTIFICATIONS,
];

/**
 * The agent-available push and the agent's notifications leave the event store (CometD, the push
 * outbox, GraphQL, `retrieve-notifications`) as their GMS messages: the store keeps the values
 * (`callback.agent-available`, `callback.notification`), these present them.
 */
export function registerCallbackPushPresenter(events: EventStore): void {
  events.presentAs('callback.agent-available', agentAvailableMessage);
  events.presentAs('callback.notification', deviceNotificationMessage);
}

/**
 * The `callback` service type on the Service API (wired in managers.ts): its create (only through
 * `POST /genesys/1/service/callback/{name}`, which is `callbacks.start`), the extra fields of
 * `GET /genesys/1/service/{id}`, and the per-session requests of callback sessions: `connect`, the
 * dialog continuation, `check-queue-position` and the notification requests.
 */
export function registerCallbackServiceTypes(deps: {
  sessions: SessionManager;
  callbacks: CallbackManager;
  events: EventStore;
}): void {
  const { sessions, callbacks, events } = deps;
  sessions.handlers.registerServiceType('callback', {
    // Only the callback API's start creates these sessions; it answers from the dialog stored here.
    create: async (session, params, service, ctx) =>
      dialogBody(await callbacks.createInSession(session, params, service, ctx)),
    describe: async (session) => {
      const row = await callbacks.find(session.id);
      return row ? { _callback_state: row.state, _callback_reason: row.reason ?? undefined } : {};
    },
  });
  sessions.handlers.registerRequest(CONNECT, async (s) => dialogBody(await callbacks.connect(s.id)));
  // Dialog continuation: a device that got `{ _id, _action }` pushed calls /service/{_id}/{_action}.
  for (const spec of DIALOG_CONFIRMATIONS)
    sessions.handlers.registerRequest(spec, async (s) => dialogBody(await callbacks.confirmationMenu(s.id)));
  sessions.handlers.registerRequest(CHECK_QUEUE_POSITION, async (s) =>
    checkQueuePositionBody(await callbacks.queuePosition(s.id)),
  );
  // internal-notification: agent → device; agent-notification: device → agent. Same request shape.
  const notifications = [
    [INTERNAL_NOTIFICATION, (id: string, m: NotificationInput) => callbacks.notifyDevice(id, m)],
    [AGENT_NOTIFICATION, (id: string, m: NotificationInput) => callbacks.notifyAgent(id, m)],
  ] as const;
  for (const [spec, notify] of notifications)
    sessions.handlers.registerRequest(spec, async (s, _p, _svc, ctx) => {
      await notify(s.id, {
        displayMessage: ctx.request.control._display_message ?? '',
        applicationMessage: ctx.request.control._application_message ?? '',
      });
      return { message: 'Notification Sent' };
    });
  // The notifications as pushed (a stored event leaves through `wire`), in the seed's key order.
  sessions.handlers.registerRequest(RETRIEVE_NOTIFICATIONS, async (s) =>
    (await callbacks.retrieveNotifications(s.id)).map((e) => retrievedNotification(events.wire(e))),
  );
  sessions.handlers.registerRequest(RETRIEVE_AGENT_NOTIFICATIONS, async (s) =>
    (await callbacks.retrieveAgentNotifications(s.id)).map(agentNotificationBody),
  );
}
