import type { App } from './app.js';

/** Work done once before listening (bundled templates, the provisioning file). Modules add steps here. */
export async function startup(app: App): Promise<void> {
  await app.managers.nodes.announceJoined();
}
