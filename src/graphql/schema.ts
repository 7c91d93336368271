import { lexicographicSortSchema, printSchema } from 'graphql';
import { builder } from './builder.js';
import '../auth/auth.graphql.js';
import '../modules/node/node.graphql.js';
import '../modules/resource/resource.graphql.js';

export const schema = builder.toSchema();

/** The committed schema.graphql: sorted so that diffs stay stable. */
export const printedSchema = () => `${printSchema(lexicographicSortSchema(schema))}\n`;
