import { index, jsonb, pgTable, text, timestamp } from 'drizzle-orm/pg-core';
import type { OptionValue, ServiceTemplate } from './template-format.js';

/**
 * Service templates (Tools > Service Templates): the bundled ones, installed at start-up, and the
 * ones admins upload. `deleted_at` keeps a bundled template an admin deleted from coming back at the
 * next start-up.
 */
export const serviceTemplatesTable = pgTable('service_templates', {
  name: text('name').primaryKey(),
  service: text('service').notNull(),
  type: text('type', { enum: ['builtin', 'ors'] }).notNull(),
  /** The validated template (categories, parameters, presets). */
  definition: jsonb('definition').$type<ServiceTemplate>().notNull(),
  /** The file as uploaded or bundled, for download and inspection. */
  sourceText: text('source_text').notNull(),
  /** sha256 of source_text: start-up upgrades a still-bundled template only when the file changed. */
  checksum: text('checksum').notNull(),
  origin: text('origin', { enum: ['bundled', 'uploaded'] }).notNull(),
  deletedAt: timestamp('deleted_at', { withTimezone: true, mode: 'date' }),
  createdAt: timestamp('created_at', { withTimezone: true, mode: 'date' }).notNull(),
  updatedAt: timestamp('updated_at', { withTimezone: true, mode: 'date' }).notNull(),
});

export type ServiceTemplateRow = typeof serviceTemplatesTable.$inferSelect;

/**
 * Configured services (the `service.<execution-name>` sections of GMS). Options are kept as an
 * ordered list of GMS option name → string value; `template` is null for a service that matches no
 * template (e.g. an ORS service whose `_service` is an SCXML URL).
 */
export const servicesTable = pgTable(
  'services',
  {
    name: text('name').primaryKey(),
    template: text('template'),
    preset: text('preset'),
    options: jsonb('options').$type<OptionValue[]>().notNull(),
    createdAt: timestamp('created_at', { withTimezone: true, mode: 'date' }).notNull(),
    updatedAt: timestamp('updated_at', { withTimezone: true, mode: 'date' }).notNull(),
  },
  (t) => [index('services_template_idx').on(t.template)],
);

export type ServiceRow = typeof servicesTable.$inferSelect;
