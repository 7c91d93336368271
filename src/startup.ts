import type { App } from './app.js';

/** Work done once before listening (bundled templates, the provisioning file). Modules add steps here. */
export async function startup(_app: App): Promise<void> {}
