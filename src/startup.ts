import type { App } from './app.js';
import { installBundledTemplates } from './modules/services/services.startup.js';
import { applyProvisioningFile } from './provisioning/provisioning.js';

/** Work done once before listening (bundled templates, the provisioning file). Modules add steps here. */
export async function startup(app: App): Promise<void> {
  await installBundledTemplates(app);
  await applyProvisioningFile(app);
  await app.managers.nodes.announceJoined();
  await app.managers.callbacks.listen();
}
