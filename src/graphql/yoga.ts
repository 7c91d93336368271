import { EnvelopArmor } from '@escape.tech/graphql-armor';
import { GraphQLError, NoSchemaIntrospectionCustomRule } from 'graphql';
import { createYoga, maskError, type Plugin, type YogaServerInstance } from 'graphql-yoga';
import type { Viewer } from '../auth/viewer.js';
import { isDatabaseUnreachable, RETRY_AFTER_SECONDS, unavailableErrorFor } from '../db/availability.js';
import type { Deps } from '../deps.js';
import { DomainError, UnauthorizedError } from '../errors.js';
import type { Managers } from '../managers.types.js';
import type { GraphQLContext } from './context.js';
import { useInputGuard } from './input-guard.plugin.js';
import { schema } from './schema.js';

/** What the HTTP layer and the WebSocket layer hand to yoga as its server context. */
export interface YogaServerContext {
  viewer?: Viewer;
  dropSlowSubscriber?: () => void;
}

export const graphiqlExample = `# Welcome. Press the run button and pick an operation.
# Queries and mutations go over HTTP; the subscription runs over a WebSocket (graphql-ws).
# Admin operations use the headers below (the default admin while it is still configured).

query ServerInfo {
  serverInfo { nodeId version time }
  viewer { kind username gmsUser }
}

query Nodes {
  nodes { id name status health lastSeenAt }
}

# Start this one, then run SetOnline in another tab: the event arrives here.
subscription WatchNodes {
  nodeChanged { id name status health lastSeenAt }
}

mutation SetOnline {
  changeNodeStatus(status: ONLINE) { id status }
}
`;

/** GraphiQL's preset headers: the default admin while it is still configured, otherwise none. */
export function adminHeadersForGraphiQL(config: Deps['config']): string {
  return config.admin.usesDefault
    ? JSON.stringify(
        { Authorization: `Basic ${Buffer.from('default:password').toString('base64')}` },
        null,
        2,
      )
    : '{}';
}

/**
 * Disables introspection when configured off (production), for everyone but an admin: the console's
 * Lab runs GraphiQL, which needs the schema for its docs and completion, and an admin may run every
 * operation anyway. The viewer is in the initial context on HTTP (app.ts authenticates before yoga)
 * and on WebSocket (websocket.ts); the rule runs on both.
 */
function useIntrospectionSwitch(enabled: boolean): Plugin<YogaServerContext> {
  return {
    onValidate({ addValidationRule, context }) {
      if (!enabled && context.viewer?.kind !== 'admin') addValidationRule(NoSchemaIntrospectionCustomRule);
    },
  };
}

/**
 * How errors reach a GraphQL client: a DomainError is an expected answer (bad input, not found, not
 * allowed) even from a field without an error union, so the caller gets its message and code, not
 * "Unexpected error"; a database that went away is a 503 to retry. Shared by yoga and the
 * WebSocket path that executes subscription events itself (graphql/shared-events.ts).
 */
export function graphQLErrorMask(deps: Deps) {
  return (error: unknown, message: string, isDev?: boolean): Error => {
    const original = error instanceof GraphQLError ? error.originalError : null;
    // The database went away under the operation: a 503 to retry, not an unexpected error. Its own
    // message when it has one (a lost COMMIT says the operation may have taken effect).
    if (error instanceof GraphQLError && isDatabaseUnreachable(original)) {
      deps.database.availability.observe(original);
      const unavailable = unavailableErrorFor(original);
      return new GraphQLError(unavailable.message, {
        nodes: error.nodes,
        source: error.source,
        positions: error.positions,
        path: error.path,
        extensions: {
          code: 'SERVICE_UNAVAILABLE',
          ...(unavailable.code === 'db/commit_outcome_unknown' ? { outcome: 'UNKNOWN' } : {}),
          http: { status: 503, headers: { 'retry-after': String(RETRY_AFTER_SECONDS) } },
        },
      });
    }
    if (error instanceof GraphQLError && original instanceof DomainError)
      return new GraphQLError(original.message, {
        nodes: error.nodes,
        source: error.source,
        positions: error.positions,
        path: error.path,
        extensions: { code: original.code },
      });
    return maskError(error, message, isDev);
  };
}

export function createGraphQLServer(
  deps: Deps,
  managers: Managers,
  authenticate: (request: Request) => Promise<Viewer>,
): YogaServerInstance<YogaServerContext, GraphQLContext> {
  const { config } = deps;
  const armor = new EnvelopArmor({
    maxDepth: { n: config.graphql.maxDepth },
    maxAliases: { n: config.graphql.maxAliases },
    maxTokens: { n: config.graphql.maxTokens },
    costLimit: { maxCost: config.graphql.maxCost },
    maxDirectives: { n: 50 },
    blockFieldSuggestion: { enabled: !config.graphql.introspection },
  }).protect();
  const adminHeaders = adminHeadersForGraphiQL(config);

  return createYoga<YogaServerContext, GraphQLContext>({
    schema,
    graphqlEndpoint: '/graphql',
    landingPage: false,
    maskedErrors: { isDev: config.env === 'development', maskError: graphQLErrorMask(deps) },
    // CORS and CSRF prevention are the HTTP edge's (http/cors.ts, http/csrf.ts).
    cors: false,
    graphiql: config.graphql.graphiql
      ? {
          title: 'GMS Engage — GraphiQL',
          defaultQuery: graphiqlExample,
          headers: adminHeaders,
          subscriptionsProtocol: 'WS',
        }
      : false,
    logging: {
      debug: (...a: unknown[]) => deps.logger.debug(String(a[0]), { args: a.slice(1) }),
      info: (...a: unknown[]) => deps.logger.info(String(a[0])),
      warn: (...a: unknown[]) => deps.logger.warn(String(a[0])),
      error: (...a: unknown[]) => {
        const err = a[1] ?? a[0];
        // Expected failures reach the caller with their code (maskError above): not a server error.
        if (err instanceof GraphQLError && err.originalError instanceof DomainError) return;
        deps.logger.error(String(a[0]), { err });
      },
    },
    plugins: [...armor.plugins, useIntrospectionSwitch(config.graphql.introspection), useInputGuard()],
    context: async (initial): Promise<GraphQLContext> => {
      let viewer: Viewer;
      try {
        viewer = initial.viewer ?? (await authenticate(initial.request));
      } catch (err) {
        // Wrong credentials are the caller's error, not ours: 401, not a masked 500.
        if (err instanceof UnauthorizedError)
          throw new GraphQLError(err.message, {
            extensions: {
              code: 'UNAUTHENTICATED',
              http: { status: 401, headers: { 'www-authenticate': 'Basic realm="GMS"' } },
            },
          });
        throw err;
      }
      return { deps, managers, viewer, dropSlowSubscriber: initial.dropSlowSubscriber };
    },
  });
}
