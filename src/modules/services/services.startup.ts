import type { Logger } from '../../log/logger.js';
import type { Managers } from '../../managers.types.js';

/** Start-up step: installs the bundled templates (idempotent; leaves admin uploads and deletions alone). */
export async function installBundledTemplates(target: { managers: Managers; logger: Logger }): Promise<void> {
  const report = await target.managers.templates.installBundled();
  target.logger.info('service templates', { ...report });
}
