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
    "\n  query ConsoleViewer {\n    viewer {\n      kind\n      username\n      defaultCredentials\n    }\n  }\n": typeof types.ConsoleViewerDocument,
    "\n  mutation ConsoleLogout($token: String!) {\n    logout(token: $token)\n  }\n": typeof types.ConsoleLogoutDocument,
    "\n  query HomeNodes {\n    nodes {\n      id\n      name\n      version\n      status\n      health\n      startedAt\n      lastSeenAt\n      downSince\n      flaggedForRemoval\n      removable\n    }\n    clusterSummary {\n      flagAfterSeconds\n      checkedAt\n    }\n    serverInfo {\n      nodeId\n    }\n  }\n": typeof types.HomeNodesDocument,
    "\n  subscription HomeNodeChanged {\n    nodeChanged {\n      id\n      change\n    }\n  }\n": typeof types.HomeNodeChangedDocument,
    "\n  mutation HomeRemoveNode($nodeId: Int!) {\n    removeNode(nodeId: $nodeId) {\n      __typename\n      ... on MutationRemoveNodeSuccess {\n        data {\n          id\n        }\n      }\n      ... on Error {\n        message\n      }\n    }\n  }\n": typeof types.HomeRemoveNodeDocument,
    "\n  mutation ConsoleLogin($username: String!, $password: String!) {\n    login(username: $username, password: $password) {\n      __typename\n      ... on MutationLoginSuccess {\n        data {\n          token\n          expiresAt\n        }\n      }\n      ... on Error {\n        message\n      }\n    }\n  }\n": typeof types.ConsoleLoginDocument,
};
const documents: Documents = {
    "\n  query ConsoleViewer {\n    viewer {\n      kind\n      username\n      defaultCredentials\n    }\n  }\n": types.ConsoleViewerDocument,
    "\n  mutation ConsoleLogout($token: String!) {\n    logout(token: $token)\n  }\n": types.ConsoleLogoutDocument,
    "\n  query HomeNodes {\n    nodes {\n      id\n      name\n      version\n      status\n      health\n      startedAt\n      lastSeenAt\n      downSince\n      flaggedForRemoval\n      removable\n    }\n    clusterSummary {\n      flagAfterSeconds\n      checkedAt\n    }\n    serverInfo {\n      nodeId\n    }\n  }\n": types.HomeNodesDocument,
    "\n  subscription HomeNodeChanged {\n    nodeChanged {\n      id\n      change\n    }\n  }\n": types.HomeNodeChangedDocument,
    "\n  mutation HomeRemoveNode($nodeId: Int!) {\n    removeNode(nodeId: $nodeId) {\n      __typename\n      ... on MutationRemoveNodeSuccess {\n        data {\n          id\n        }\n      }\n      ... on Error {\n        message\n      }\n    }\n  }\n": types.HomeRemoveNodeDocument,
    "\n  mutation ConsoleLogin($username: String!, $password: String!) {\n    login(username: $username, password: $password) {\n      __typename\n      ... on MutationLoginSuccess {\n        data {\n          token\n          expiresAt\n        }\n      }\n      ... on Error {\n        message\n      }\n    }\n  }\n": types.ConsoleLoginDocument,
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
export function graphql(source: "\n  query ConsoleViewer {\n    viewer {\n      kind\n      username\n      defaultCredentials\n    }\n  }\n"): (typeof documents)["\n  query ConsoleViewer {\n    viewer {\n      kind\n      username\n      defaultCredentials\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation ConsoleLogout($token: String!) {\n    logout(token: $token)\n  }\n"): (typeof documents)["\n  mutation ConsoleLogout($token: String!) {\n    logout(token: $token)\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query HomeNodes {\n    nodes {\n      id\n      name\n      version\n      status\n      health\n      startedAt\n      lastSeenAt\n      downSince\n      flaggedForRemoval\n      removable\n    }\n    clusterSummary {\n      flagAfterSeconds\n      checkedAt\n    }\n    serverInfo {\n      nodeId\n    }\n  }\n"): (typeof documents)["\n  query HomeNodes {\n    nodes {\n      id\n      name\n      version\n      status\n      health\n      startedAt\n      lastSeenAt\n      downSince\n      flaggedForRemoval\n      removable\n    }\n    clusterSummary {\n      flagAfterSeconds\n      checkedAt\n    }\n    serverInfo {\n      nodeId\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  subscription HomeNodeChanged {\n    nodeChanged {\n      id\n      change\n    }\n  }\n"): (typeof documents)["\n  subscription HomeNodeChanged {\n    nodeChanged {\n      id\n      change\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation HomeRemoveNode($nodeId: Int!) {\n    removeNode(nodeId: $nodeId) {\n      __typename\n      ... on MutationRemoveNodeSuccess {\n        data {\n          id\n        }\n      }\n      ... on Error {\n        message\n      }\n    }\n  }\n"): (typeof documents)["\n  mutation HomeRemoveNode($nodeId: Int!) {\n    removeNode(nodeId: $nodeId) {\n      __typename\n      ... on MutationRemoveNodeSuccess {\n        data {\n          id\n        }\n      }\n      ... on Error {\n        message\n      }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation ConsoleLogin($username: String!, $password: String!) {\n    login(username: $username, password: $password) {\n      __typename\n      ... on MutationLoginSuccess {\n        data {\n          token\n          expiresAt\n        }\n      }\n      ... on Error {\n        message\n      }\n    }\n  }\n"): (typeof documents)["\n  mutation ConsoleLogin($username: String!, $password: String!) {\n    login(username: $username, password: $password) {\n      __typename\n      ... on MutationLoginSuccess {\n        data {\n          token\n          expiresAt\n        }\n      }\n      ... on Error {\n        message\n      }\n    }\n  }\n"];

export function graphql(source: string) {
  return (documents as any)[source] ?? {};
}

export type DocumentType<TDocumentNode extends DocumentNode<any, any>> = TDocumentNode extends DocumentNode<  infer TType,  any>  ? TType  : never;