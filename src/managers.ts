import { AuthManager } from './auth/auth.manager.js';
import type { Deps } from './deps.js';
import { EventStore } from './modules/event/event.manager.js';
import { NodeManager } from './modules/node/node.manager.js';

/** Every domain manager, built once per instance. Adapters (GraphQL, REST, CometD) only call these. */
export function createManagers(deps: Deps) {
  const auth = new AuthManager(deps);
  const nodes = new NodeManager(deps);
  const events = new EventStore(deps);
  return { auth, nodes, events };
}

export type Managers = ReturnType<typeof createManagers>;

/** Periodic work each instance runs; every task is idempotent, so any number of instances may run it. */
export function scheduleBackgroundTasks(deps: Deps, managers: Managers): void {
  deps.scheduler.every('node heartbeat', deps.config.node.heartbeatIntervalMs, () =>
    managers.nodes.heartbeat(),
  );
  deps.scheduler.every('node health sweep', deps.config.node.heartbeatIntervalMs, () =>
    managers.nodes.sweepHealth(),
  );
  deps.scheduler.every('auth token sweep', 60_000, () => managers.auth.sweepExpiredTokens());
  deps.scheduler.every('session event sweep', 60_000, () => managers.events.sweep());
}
