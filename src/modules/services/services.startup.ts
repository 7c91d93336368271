import type { App } from '../../app.js';

/** Start-up step: installs the bundled templates (idempotent; leaves admin uploads and deletions alone). */
export async function installBundledTemplates(app: App): Promise<void> {
  const report = await app.managers.templates.installBundled();
  app.deps.logger.info('service templates', { ...report });
}
