// Every module's tables, in one place for drizzle-kit and the typed client.
export * from '../auth/auth.tables.js';
export * from '../modules/callback/callback.tables.js';
export * from '../modules/chat/chat.tables.js';
export * from '../modules/event/event.tables.js';
export * from '../modules/node/node.tables.js';
export * from '../modules/office-hours/office-hours.tables.js';
export * from '../modules/pattern/pattern.tables.js';
export * from '../modules/push/push.tables.js';
export * from '../modules/report/report.tables.js';
export * from '../modules/report/rollup.tables.js';
export * from '../modules/resource/resource.tables.js';
export * from '../modules/routing/routing.tables.js';
export * from '../modules/services/services.tables.js';
export * from '../modules/sessions/sessions.tables.js';
export * from '../modules/storage/storage.tables.js';
