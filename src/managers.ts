import { AuthManager } from './auth/auth.manager.js';
import { checkpointIfDue, PGLITE_CHECKPOINT } from './db/pglite-checkpoint.js';
import type { Deps } from './deps.js';
import { PartitionManager } from './lifecycle/partitions.js';
import { retentionPolicies } from './lifecycle/policies.js';
import { RetentionManager } from './lifecycle/retention.js';
import type { Managers } from './managers.types.js';
import { CallbackManager } from './modules/callback/callback.manager.js';
import {
  registerCallbackPushPresenter,
  registerCallbackServiceTypes,
} from './modules/callback/callback.service-types.js';
import { ChatManager } from './modules/chat/chat.manager.js';
import { registerChatPushPresenter, registerChatServiceHandlers } from './modules/chat/chat.service-types.js';
import { EventStore } from './modules/event/event.manager.js';
import { NodeManager } from './modules/node/node.manager.js';
import { OfficeHoursManager } from './modules/office-hours/office-hours.manager.js';
import { registerCalendarServiceTypes } from './modules/office-hours/office-hours.service-types.js';
import { PatternManager } from './modules/pattern/pattern.manager.js';
import { CometManager } from './modules/push/comet.manager.js';
import { PushDeliveryManager } from './modules/push/delivery.manager.js';
import { NotificationManager } from './modules/push/notification.manager.js';
import { PushManager } from './modules/push/push.manager.js';
import { PushSenders } from './modules/push/push.providers.js';
import { ActivityManager } from './modules/report/activity.manager.js';
import { ReportManager } from './modules/report/report.manager.js';
import { RollupManager } from './modules/report/rollup.manager.js';
import { ResourceManager } from './modules/resource/resource.manager.js';
import { registerAccessServiceTypes } from './modules/resource/resource.service-types.js';
import { RoutingManager } from './modules/routing/routing.manager.js';
import { ServiceManager } from './modules/services/services.manager.js';
import { TemplateManager } from './modules/services/templates.manager.js';
import { SessionManager } from './modules/sessions/sessions.manager.js';
import { registerCommonSessionRequests } from './modules/sessions/sessions.service-types.js';
import { StorageManager } from './modules/storage/storage.manager.js';

/**
 * Every domain manager, built once per instance, and every seam between modules: managers get the
 * managers they call as constructor arguments; service types, session requests and hooks
 * (`on…` listeners) are registered here, never in a constructor, so this function is the one place
 * that shows how the modules meet. Adapters (GraphQL, REST, CometD) only call these managers.
 */
export function createManagers(deps: Deps): Managers {
  const auth = new AuthManager(deps);
  const nodes = new NodeManager(deps);
  const events = new EventStore(deps, { pollMs: deps.config.push.eventPollMs, batch: 200 });
  const activity = new ActivityManager(deps);
  const patterns = new PatternManager(deps);
  const templates = new TemplateManager(deps);
  const services = new ServiceManager(deps, templates);
  // A service resolves with its template's defaults: a template change drops the cached services.
  templates.onChanged(() => services.forgetCached());
  const officeHours = new OfficeHoursManager(deps, services);
  const storage = new StorageManager(deps);
  const sessions = new SessionManager(deps, services, storage, activity);
  const routing = new RoutingManager(deps, auth);
  const resources = new ResourceManager(deps, activity);
  const chat = new ChatManager(deps, routing, events);
  const push = new PushManager(deps, events, sessions);
  const comet = new CometManager(deps, events);
  const notifications = new NotificationManager(deps, events);
  sessions.addParamCheck((params) => notifications.checkSessionParams(params));
  const deliveries = new PushDeliveryManager(
    deps,
    sessions,
    events,
    notifications,
    new PushSenders(deps.config.push, deps.clock),
    (sessionId, seq) => push.delivered(sessionId, seq),
  );
  const callbacks = new CallbackManager(deps, {
    sessions,
    storage,
    services,
    events,
    routing,
    resources,
    officeHours,
    patterns,
    activity,
  });

  // The Service API: each built-in service type is registered by the module that owns it.
  registerCommonSessionRequests({ sessions, storage });
  registerCalendarServiceTypes({ services, sessions, officeHours });
  registerAccessServiceTypes({ sessions, resources });
  registerChatServiceHandlers({ sessions, chat });
  registerCallbackServiceTypes({ sessions, callbacks, events });
  // Typed session events: each kind is presented as GMS JSON by its module's legacy edge.
  registerChatPushPresenter(events);
  registerCallbackPushPresenter(events);

  // A stopped or expired session, inside its removal transaction, in this order: its bookings are
  // released, its chat ends, its callback completes.
  sessions.onStopped(async (event, tx) => {
    await resources.releaseSession(event.id, tx);
  });
  sessions.onStopped((event, tx) => chat.endForSession(tx, event.id));
  sessions.onStopped((event, tx) => callbacks.sessionStopped(event, tx));
  // A matched inbound call: the callback's customer arrived (or called in by themselves).
  resources.onMatched(async (match) => {
    await callbacks.callMatched(match);
  });
  // A chat started on a callback session: the customer arrived.
  chat.onChatStarted(async (c) => {
    if (c.serviceType === 'callback') await callbacks.customerArrived(c.sessionId);
  });
  // A push reached the device: notification polling must not repeat it.
  push.onDelivered((sessionId, seq) => callbacks.markNotificationsDelivered(sessionId, seq));
  const partitions = new PartitionManager(deps);
  const retention = new RetentionManager(deps);
  retention.register(...retentionPolicies(deps.config));
  return {
    auth,
    nodes,
    events,
    patterns,
    officeHours,
    templates,
    services,
    storage,
    sessions,
    routing,
    resources,
    chat,
    activity,
    reports: new ReportManager(deps),
    rollups: new RollupManager(deps),
    push,
    comet,
    notifications,
    deliveries,
    callbacks,
    retention,
    partitions,
  };
}

export type { Managers };

/** Periodic work each instance runs; every task is idempotent, so any number of instances may run it. */
export function scheduleBackgroundTasks(deps: Deps, managers: Managers): void {
  deps.scheduler.every('node heartbeat', deps.config.node.heartbeatIntervalMs, () =>
    managers.nodes.heartbeat(),
  );
  deps.scheduler.every('node health sweep', deps.config.node.heartbeatIntervalMs, () =>
    managers.nodes.sweepHealth(),
  );
  deps.scheduler.every('auth token sweep', 60_000, () => managers.auth.sweepExpiredTokens());
  deps.scheduler.every('session sweep', 15_000, () => managers.sessions.sweepExpired());
  deps.scheduler.every('storage sweep', 30_000, () => managers.storage.sweepExpired());
  managers.routing.schedule(deps.scheduler);
  deps.scheduler.every('resource booking sweep', 15_000, () => managers.resources.sweepExpired());
  deps.scheduler.every('report link sweep', 60_000, () => managers.reports.sweepLinks());
  deps.scheduler.every('capacity reservation sweep', 3_600_000, () =>
    managers.officeHours.sweepPastReservations(),
  );
  managers.deliveries.schedule(deps.scheduler);
  deps.scheduler.every('comet position sweep', 3_600_000, () => managers.comet.sweep());
  managers.callbacks.schedule(deps.scheduler);
  deps.scheduler.every('retention', deps.config.retention.intervalMs, () => managers.retention.run());
  deps.scheduler.every('partition maintenance', 3_600_000, () => managers.partitions.maintain());
  deps.scheduler.every('report rollup', deps.config.retention.rollupIntervalMs, () => managers.rollups.run());
  if (deps.database.kind === 'pglite')
    deps.scheduler.every('pglite checkpoint', PGLITE_CHECKPOINT.checkIntervalMs, () =>
      checkpointIfDue(deps.database.db, PGLITE_CHECKPOINT),
    );
}
