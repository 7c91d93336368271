import { AuthManager } from './auth/auth.manager.js';
import type { Deps } from './deps.js';
import { NodeManager } from './modules/node/node.manager.js';
import { ResourceManager } from './modules/resource/resource.manager.js';

/** Every domain manager, built once per instance. Adapters (GraphQL, REST, CometD) only call these. */
export function createManagers(deps: Deps) {
  const auth = new AuthManager(deps);
  const nodes = new NodeManager(deps);
  const resources = new ResourceManager(deps);
  return { auth, nodes, resources };
}

export type Managers = ReturnType<typeof createManagers>;

/** Periodic work each instance runs; every task is idempotent, so any number of instances may run it. */
export function scheduleBackgroundTasks(deps: Deps, managers: Managers): void {
  deps.scheduler.every('node heartbeat', deps.config.node.heartbeatIntervalMs, () =>
    managers.nodes.heartbeat(),
  );
  deps.scheduler.every('auth token sweep', 60_000, () => managers.auth.sweepExpiredTokens());
  deps.scheduler.every('resource booking sweep', 15_000, () => managers.resources.sweepExpired());
}
