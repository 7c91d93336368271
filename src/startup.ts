import type { App } from './app.js';
import { installBundledTemplates } from './modules/services/services.startup.js';
import { applyProvisioningFile } from './provisioning/provisioning.js';

/** Work done once before listening (bundled templates, the provisioning file). Modules add steps here. */
export async function startup(app: App): Promise<void> {
  const target = { managers: app.managers, logger: app.deps.logger };
  await app.managers.services.watchChanges();
  await installBundledTemplates(target);
  // Before the provisioning file, so that the file may change the default chat endpoint.
  await app.managers.chat.provisionDefaultEndpoint();
  await applyProvisioningFile(app.deps.config.provisioningFile, target);
  await app.managers.nodes.announceJoined();
  await app.managers.callbacks.listen();
}
