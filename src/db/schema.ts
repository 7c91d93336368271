// Every module's tables, in one place for drizzle-kit and the typed client.
export * from '../auth/auth.tables.js';
export * from '../modules/node/node.tables.js';
export * from '../modules/resource/resource.tables.js';
