/* eslint-disable */
import * as types from './graphql.js';
import type { TypedDocumentNode as DocumentNode } from '@graphql-typed-document-node/core';

/**
 * Map of all GraphQL operations in the project.
 *
 * This map has several performance disadvantages:
 * 1. It is not tree-shakeable, so it will include all operations in the project.
 * 2. It is not minifiable, so the string of a GraphQL query will be multiple times inside the bundle.
 * 3. It does not support dead code elimination, so it will add unused operations.
 *
 * Therefore it is highly recommended to use the babel or swc plugin for production.
 * Learn more about it here: https://the-guild.dev/graphql/codegen/plugins/presets/preset-client#reducing-bundle-size
 */
type Documents = {
    "\n  query MetricsPing {\n    serverInfo {\n      nodeId\n    }\n  }\n": typeof types.MetricsPingDocument,
    "\n  query NodeHealthList {\n    nodes {\n      id\n      health\n      flaggedForRemoval\n      downSince\n      removable\n      lastSeenAt\n    }\n  }\n": typeof types.NodeHealthListDocument,
    "\n  query NodeHealthSummary {\n    clusterSummary {\n      nodes\n      up\n      down\n      flaggedForRemoval\n      online\n      offline\n      downAfterSeconds\n      flagAfterSeconds\n    }\n  }\n": typeof types.NodeHealthSummaryDocument,
    "\n  mutation NodeHealthRemove($nodeId: Int!) {\n    removeNode(nodeId: $nodeId) {\n      __typename\n      ... on MutationRemoveNodeSuccess {\n        data {\n          id\n          health\n        }\n      }\n      ... on Error {\n        code\n        message\n      }\n      ... on NodeStillUpError {\n        nodeId\n        lastSeenAt\n      }\n      ... on AnsweringNodeError {\n        nodeId\n      }\n    }\n  }\n": typeof types.NodeHealthRemoveDocument,
    "\n  mutation GraphqlLogin($u: String!, $p: String!) {\n    login(username: $u, password: $p) {\n      __typename\n      ... on MutationLoginSuccess {\n        data {\n          token\n          expiresAt\n        }\n      }\n      ... on Error {\n        code\n        message\n      }\n    }\n  }\n": typeof types.GraphqlLoginDocument,
    "\n  query GraphqlNodes {\n    nodes {\n      id\n      name\n      status\n      health\n    }\n  }\n": typeof types.GraphqlNodesDocument,
    "\n  query GraphqlViewer {\n    viewer {\n      kind\n      username\n      gmsUser\n    }\n  }\n": typeof types.GraphqlViewerDocument,
    "\n  mutation NodeTestLogin {\n    login(username: \"default\", password: \"password\") {\n      __typename\n      ... on MutationLoginSuccess {\n        data {\n          token\n        }\n      }\n    }\n  }\n": typeof types.NodeTestLoginDocument,
    "\n  query SmokeServerInfo {\n    serverInfo {\n      nodeId\n      version\n    }\n  }\n": typeof types.SmokeServerInfoDocument,
};
const documents: Documents = {
    "\n  query MetricsPing {\n    serverInfo {\n      nodeId\n    }\n  }\n": types.MetricsPingDocument,
    "\n  query NodeHealthList {\n    nodes {\n      id\n      health\n      flaggedForRemoval\n      downSince\n      removable\n      lastSeenAt\n    }\n  }\n": types.NodeHealthListDocument,
    "\n  query NodeHealthSummary {\n    clusterSummary {\n      nodes\n      up\n      down\n      flaggedForRemoval\n      online\n      offline\n      downAfterSeconds\n      flagAfterSeconds\n    }\n  }\n": types.NodeHealthSummaryDocument,
    "\n  mutation NodeHealthRemove($nodeId: Int!) {\n    removeNode(nodeId: $nodeId) {\n      __typename\n      ... on MutationRemoveNodeSuccess {\n        data {\n          id\n          health\n        }\n      }\n      ... on Error {\n        code\n        message\n      }\n      ... on NodeStillUpError {\n        nodeId\n        lastSeenAt\n      }\n      ... on AnsweringNodeError {\n        nodeId\n      }\n    }\n  }\n": types.NodeHealthRemoveDocument,
    "\n  mutation GraphqlLogin($u: String!, $p: String!) {\n    login(username: $u, password: $p) {\n      __typename\n      ... on MutationLoginSuccess {\n        data {\n          token\n          expiresAt\n        }\n      }\n      ... on Error {\n        code\n        message\n      }\n    }\n  }\n": types.GraphqlLoginDocument,
    "\n  query GraphqlNodes {\n    nodes {\n      id\n      name\n      status\n      health\n    }\n  }\n": types.GraphqlNodesDocument,
    "\n  query GraphqlViewer {\n    viewer {\n      kind\n      username\n      gmsUser\n    }\n  }\n": types.GraphqlViewerDocument,
    "\n  mutation NodeTestLogin {\n    login(username: \"default\", password: \"password\") {\n      __typename\n      ... on MutationLoginSuccess {\n        data {\n          token\n        }\n      }\n    }\n  }\n": types.NodeTestLoginDocument,
    "\n  query SmokeServerInfo {\n    serverInfo {\n      nodeId\n      version\n    }\n  }\n": types.SmokeServerInfoDocument,
};

/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 *
 *
 * @example
 * ```ts
 * const query = graphql(`query GetUser($id: ID!) { user(id: $id) { name } }`);
 * ```
 *
 * The query argument is unknown!
 * Please regenerate the types.
 */
export function graphql(source: string): unknown;

/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query MetricsPing {\n    serverInfo {\n      nodeId\n    }\n  }\n"): (typeof documents)["\n  query MetricsPing {\n    serverInfo {\n      nodeId\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query NodeHealthList {\n    nodes {\n      id\n      health\n      flaggedForRemoval\n      downSince\n      removable\n      lastSeenAt\n    }\n  }\n"): (typeof documents)["\n  query NodeHealthList {\n    nodes {\n      id\n      health\n      flaggedForRemoval\n      downSince\n      removable\n      lastSeenAt\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query NodeHealthSummary {\n    clusterSummary {\n      nodes\n      up\n      down\n      flaggedForRemoval\n      online\n      offline\n      downAfterSeconds\n      flagAfterSeconds\n    }\n  }\n"): (typeof documents)["\n  query NodeHealthSummary {\n    clusterSummary {\n      nodes\n      up\n      down\n      flaggedForRemoval\n      online\n      offline\n      downAfterSeconds\n      flagAfterSeconds\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation NodeHealthRemove($nodeId: Int!) {\n    removeNode(nodeId: $nodeId) {\n      __typename\n      ... on MutationRemoveNodeSuccess {\n        data {\n          id\n          health\n        }\n      }\n      ... on Error {\n        code\n        message\n      }\n      ... on NodeStillUpError {\n        nodeId\n        lastSeenAt\n      }\n      ... on AnsweringNodeError {\n        nodeId\n      }\n    }\n  }\n"): (typeof documents)["\n  mutation NodeHealthRemove($nodeId: Int!) {\n    removeNode(nodeId: $nodeId) {\n      __typename\n      ... on MutationRemoveNodeSuccess {\n        data {\n          id\n          health\n        }\n      }\n      ... on Error {\n        code\n        message\n      }\n      ... on NodeStillUpError {\n        nodeId\n        lastSeenAt\n      }\n      ... on AnsweringNodeError {\n        nodeId\n      }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation GraphqlLogin($u: String!, $p: String!) {\n    login(username: $u, password: $p) {\n      __typename\n      ... on MutationLoginSuccess {\n        data {\n          token\n          expiresAt\n        }\n      }\n      ... on Error {\n        code\n        message\n      }\n    }\n  }\n"): (typeof documents)["\n  mutation GraphqlLogin($u: String!, $p: String!) {\n    login(username: $u, password: $p) {\n      __typename\n      ... on MutationLoginSuccess {\n        data {\n          token\n          expiresAt\n        }\n      }\n      ... on Error {\n        code\n        message\n      }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query GraphqlNodes {\n    nodes {\n      id\n      name\n      status\n      health\n    }\n  }\n"): (typeof documents)["\n  query GraphqlNodes {\n    nodes {\n      id\n      name\n      status\n      health\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query GraphqlViewer {\n    viewer {\n      kind\n      username\n      gmsUser\n    }\n  }\n"): (typeof documents)["\n  query GraphqlViewer {\n    viewer {\n      kind\n      username\n      gmsUser\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation NodeTestLogin {\n    login(username: \"default\", password: \"password\") {\n      __typename\n      ... on MutationLoginSuccess {\n        data {\n          token\n        }\n      }\n    }\n  }\n"): (typeof documents)["\n  mutation NodeTestLogin {\n    login(username: \"default\", password: \"password\") {\n      __typename\n      ... on MutationLoginSuccess {\n        data {\n          token\n        }\n      }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query SmokeServerInfo {\n    serverInfo {\n      nodeId\n      version\n    }\n  }\n"): (typeof documents)["\n  query SmokeServerInfo {\n    serverInfo {\n      nodeId\n      version\n    }\n  }\n"];

export function graphql(source: string) {
  return (documents as any)[source] ?? {};
}

export type DocumentType<TDocumentNode extends DocumentNode<any, any>> = TDocumentNode extends DocumentNode<  infer TType,  any>  ? TType  : never;