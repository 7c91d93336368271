import { lexicographicSortSchema, printSchema } from 'graphql';
import { builder } from './builder.js';
import '../auth/auth.graphql.js';
import '../modules/node/node.graphql.js';
import '../modules/pattern/pattern.graphql.js';
import '../modules/office-hours/office-hours.graphql.js';
import '../modules/services/services.graphql.js';
import '../modules/sessions/sessions.graphql.js';
import '../modules/storage/storage.graphql.js';
import '../provisioning/provisioning.graphql.js';
import '../modules/routing/routing.graphql.js';
import '../modules/resource/resource.graphql.js';
import '../modules/report/report.graphql.js';
import '../modules/resource/access.graphql.js';
import '../modules/chat/chat.graphql.js';
import '../modules/push/push.graphql.js';
import '../modules/callback/callback.graphql.js';

export const schema = builder.toSchema();

/** The committed schema.graphql: sorted so that diffs stay stable. */
export const printedSchema = () => `${printSchema(lexicographicSortSchema(schema))}\n`;
