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
    "\n  mutation PatternCreateGroup($name: String!, $patterns: [PatternInput!]) {\n    createPatternGroup(name: $name, patterns: $patterns) {\n      __typename\n      ... on MutationCreatePatternGroupSuccess {\n        data {\n          id\n          name\n          patterns {\n            id\n            name\n            regex\n            position\n          }\n        }\n      }\n      ... on Error {\n        code\n        message\n      }\n      ... on ValidationError {\n        field\n      }\n    }\n  }\n": typeof types.PatternCreateGroupDocument,
    "\n  mutation PatternAdd($group: String!, $name: String!, $regex: String!, $position: Int) {\n    addPattern(group: $group, name: $name, regex: $regex, position: $position) {\n      __typename\n      ... on MutationAddPatternSuccess {\n        data {\n          name\n          patterns {\n            id\n            name\n            regex\n            position\n          }\n        }\n      }\n      ... on Error {\n        code\n        message\n      }\n      ... on ValidationError {\n        field\n      }\n    }\n  }\n": typeof types.PatternAddDocument,
    "\n  mutation PatternUpdate($group: String!, $name: String!, $newName: String, $regex: String, $position: Int) {\n    updatePattern(group: $group, name: $name, newName: $newName, regex: $regex, position: $position) {\n      __typename\n      ... on MutationUpdatePatternSuccess {\n        data {\n          patterns {\n            id\n            name\n            regex\n            position\n          }\n        }\n      }\n      ... on Error {\n        code\n        message\n      }\n    }\n  }\n": typeof types.PatternUpdateDocument,
    "\n  mutation PatternRemove($group: String!, $name: String!) {\n    removePattern(group: $group, name: $name) {\n      __typename\n      ... on MutationRemovePatternSuccess {\n        data {\n          patterns {\n            name\n          }\n        }\n      }\n      ... on Error {\n        code\n        message\n      }\n    }\n  }\n": typeof types.PatternRemoveDocument,
    "\n  mutation PatternReplace($group: String!, $patterns: [PatternInput!]!) {\n    replacePatterns(group: $group, patterns: $patterns) {\n      __typename\n      ... on MutationReplacePatternsSuccess {\n        data {\n          patterns {\n            id\n            name\n            regex\n            position\n          }\n        }\n      }\n      ... on Error {\n        code\n        message\n      }\n    }\n  }\n": typeof types.PatternReplaceDocument,
    "\n  mutation PatternRenameGroup($name: String!, $newName: String!) {\n    renamePatternGroup(name: $name, newName: $newName) {\n      __typename\n      ... on MutationRenamePatternGroupSuccess {\n        data {\n          name\n          patterns {\n            name\n          }\n        }\n      }\n      ... on Error {\n        code\n        message\n      }\n    }\n  }\n": typeof types.PatternRenameGroupDocument,
    "\n  mutation PatternDeleteGroup($name: String!) {\n    deletePatternGroup(name: $name) {\n      __typename\n      ... on MutationDeletePatternGroupSuccess {\n        data {\n          name\n        }\n      }\n      ... on Error {\n        code\n        message\n      }\n    }\n  }\n": typeof types.PatternDeleteGroupDocument,
    "\n  query PatternListGroups {\n    patternGroups {\n      name\n      patterns {\n        name\n        regex\n        position\n      }\n    }\n  }\n": typeof types.PatternListGroupsDocument,
    "\n  query PatternGetGroup($name: String!) {\n    patternGroup(name: $name) {\n      name\n      patterns {\n        name\n      }\n    }\n  }\n": typeof types.PatternGetGroupDocument,
    "\n  query PatternTestGroup($group: String!, $value: String!) {\n    testPatternGroup(group: $group, value: $value) {\n      __typename\n      ... on QueryTestPatternGroupSuccess {\n        data {\n          group\n          value\n          firstMatch\n          rows {\n            patternName\n            regex\n            matched\n          }\n        }\n      }\n      ... on Error {\n        code\n        message\n      }\n    }\n  }\n": typeof types.PatternTestGroupDocument,
    "\n  query PatternMatchParams($group: String, $params: [PatternParamInput!]!) {\n    matchPatterns(group: $group, params: $params) {\n      __typename\n      ... on QueryMatchPatternsSuccess {\n        data {\n          param\n          patternName\n        }\n      }\n      ... on Error {\n        code\n        message\n      }\n    }\n  }\n": typeof types.PatternMatchParamsDocument,
    "\n  mutation GraphqlLogin($u: String!, $p: String!) {\n    login(username: $u, password: $p) {\n      __typename\n      ... on MutationLoginSuccess {\n        data {\n          token\n          expiresAt\n        }\n      }\n      ... on Error {\n        code\n        message\n      }\n    }\n  }\n": typeof types.GraphqlLoginDocument,
    "\n  query GraphqlNodes {\n    nodes {\n      id\n      name\n      status\n      health\n    }\n  }\n": typeof types.GraphqlNodesDocument,
    "\n  query GraphqlViewer {\n    viewer {\n      kind\n      username\n      gmsUser\n    }\n  }\n": typeof types.GraphqlViewerDocument,
    "\n  mutation NodeTestLogin {\n    login(username: \"default\", password: \"password\") {\n      __typename\n      ... on MutationLoginSuccess {\n        data {\n          token\n        }\n      }\n    }\n  }\n": typeof types.NodeTestLoginDocument,
    "\n  query SmokeServerInfo {\n    serverInfo {\n      nodeId\n      version\n    }\n  }\n": typeof types.SmokeServerInfoDocument,
};
const documents: Documents = {
    "\n  mutation PatternCreateGroup($name: String!, $patterns: [PatternInput!]) {\n    createPatternGroup(name: $name, patterns: $patterns) {\n      __typename\n      ... on MutationCreatePatternGroupSuccess {\n        data {\n          id\n          name\n          patterns {\n            id\n            name\n            regex\n            position\n          }\n        }\n      }\n      ... on Error {\n        code\n        message\n      }\n      ... on ValidationError {\n        field\n      }\n    }\n  }\n": types.PatternCreateGroupDocument,
    "\n  mutation PatternAdd($group: String!, $name: String!, $regex: String!, $position: Int) {\n    addPattern(group: $group, name: $name, regex: $regex, position: $position) {\n      __typename\n      ... on MutationAddPatternSuccess {\n        data {\n          name\n          patterns {\n            id\n            name\n            regex\n            position\n          }\n        }\n      }\n      ... on Error {\n        code\n        message\n      }\n      ... on ValidationError {\n        field\n      }\n    }\n  }\n": types.PatternAddDocument,
    "\n  mutation PatternUpdate($group: String!, $name: String!, $newName: String, $regex: String, $position: Int) {\n    updatePattern(group: $group, name: $name, newName: $newName, regex: $regex, position: $position) {\n      __typename\n      ... on MutationUpdatePatternSuccess {\n        data {\n          patterns {\n            id\n            name\n            regex\n            position\n          }\n        }\n      }\n      ... on Error {\n        code\n        message\n      }\n    }\n  }\n": types.PatternUpdateDocument,
    "\n  mutation PatternRemove($group: String!, $name: String!) {\n    removePattern(group: $group, name: $name) {\n      __typename\n      ... on MutationRemovePatternSuccess {\n        data {\n          patterns {\n            name\n          }\n        }\n      }\n      ... on Error {\n        code\n        message\n      }\n    }\n  }\n": types.PatternRemoveDocument,
    "\n  mutation PatternReplace($group: String!, $patterns: [PatternInput!]!) {\n    replacePatterns(group: $group, patterns: $patterns) {\n      __typename\n      ... on MutationReplacePatternsSuccess {\n        data {\n          patterns {\n            id\n            name\n            regex\n            position\n          }\n        }\n      }\n      ... on Error {\n        code\n        message\n      }\n    }\n  }\n": types.PatternReplaceDocument,
    "\n  mutation PatternRenameGroup($name: String!, $newName: String!) {\n    renamePatternGroup(name: $name, newName: $newName) {\n      __typename\n      ... on MutationRenamePatternGroupSuccess {\n        data {\n          name\n          patterns {\n            name\n          }\n        }\n      }\n      ... on Error {\n        code\n        message\n      }\n    }\n  }\n": types.PatternRenameGroupDocument,
    "\n  mutation PatternDeleteGroup($name: String!) {\n    deletePatternGroup(name: $name) {\n      __typename\n      ... on MutationDeletePatternGroupSuccess {\n        data {\n          name\n        }\n      }\n      ... on Error {\n        code\n        message\n      }\n    }\n  }\n": types.PatternDeleteGroupDocument,
    "\n  query PatternListGroups {\n    patternGroups {\n      name\n      patterns {\n        name\n        regex\n        position\n      }\n    }\n  }\n": types.PatternListGroupsDocument,
    "\n  query PatternGetGroup($name: String!) {\n    patternGroup(name: $name) {\n      name\n      patterns {\n        name\n      }\n    }\n  }\n": types.PatternGetGroupDocument,
    "\n  query PatternTestGroup($group: String!, $value: String!) {\n    testPatternGroup(group: $group, value: $value) {\n      __typename\n      ... on QueryTestPatternGroupSuccess {\n        data {\n          group\n          value\n          firstMatch\n          rows {\n            patternName\n            regex\n            matched\n          }\n        }\n      }\n      ... on Error {\n        code\n        message\n      }\n    }\n  }\n": types.PatternTestGroupDocument,
    "\n  query PatternMatchParams($group: String, $params: [PatternParamInput!]!) {\n    matchPatterns(group: $group, params: $params) {\n      __typename\n      ... on QueryMatchPatternsSuccess {\n        data {\n          param\n          patternName\n        }\n      }\n      ... on Error {\n        code\n        message\n      }\n    }\n  }\n": types.PatternMatchParamsDocument,
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
export function graphql(source: "\n  mutation PatternCreateGroup($name: String!, $patterns: [PatternInput!]) {\n    createPatternGroup(name: $name, patterns: $patterns) {\n      __typename\n      ... on MutationCreatePatternGroupSuccess {\n        data {\n          id\n          name\n          patterns {\n            id\n            name\n            regex\n            position\n          }\n        }\n      }\n      ... on Error {\n        code\n        message\n      }\n      ... on ValidationError {\n        field\n      }\n    }\n  }\n"): (typeof documents)["\n  mutation PatternCreateGroup($name: String!, $patterns: [PatternInput!]) {\n    createPatternGroup(name: $name, patterns: $patterns) {\n      __typename\n      ... on MutationCreatePatternGroupSuccess {\n        data {\n          id\n          name\n          patterns {\n            id\n            name\n            regex\n            position\n          }\n        }\n      }\n      ... on Error {\n        code\n        message\n      }\n      ... on ValidationError {\n        field\n      }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation PatternAdd($group: String!, $name: String!, $regex: String!, $position: Int) {\n    addPattern(group: $group, name: $name, regex: $regex, position: $position) {\n      __typename\n      ... on MutationAddPatternSuccess {\n        data {\n          name\n          patterns {\n            id\n            name\n            regex\n            position\n          }\n        }\n      }\n      ... on Error {\n        code\n        message\n      }\n      ... on ValidationError {\n        field\n      }\n    }\n  }\n"): (typeof documents)["\n  mutation PatternAdd($group: String!, $name: String!, $regex: String!, $position: Int) {\n    addPattern(group: $group, name: $name, regex: $regex, position: $position) {\n      __typename\n      ... on MutationAddPatternSuccess {\n        data {\n          name\n          patterns {\n            id\n            name\n            regex\n            position\n          }\n        }\n      }\n      ... on Error {\n        code\n        message\n      }\n      ... on ValidationError {\n        field\n      }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation PatternUpdate($group: String!, $name: String!, $newName: String, $regex: String, $position: Int) {\n    updatePattern(group: $group, name: $name, newName: $newName, regex: $regex, position: $position) {\n      __typename\n      ... on MutationUpdatePatternSuccess {\n        data {\n          patterns {\n            id\n            name\n            regex\n            position\n          }\n        }\n      }\n      ... on Error {\n        code\n        message\n      }\n    }\n  }\n"): (typeof documents)["\n  mutation PatternUpdate($group: String!, $name: String!, $newName: String, $regex: String, $position: Int) {\n    updatePattern(group: $group, name: $name, newName: $newName, regex: $regex, position: $position) {\n      __typename\n      ... on MutationUpdatePatternSuccess {\n        data {\n          patterns {\n            id\n            name\n            regex\n            position\n          }\n        }\n      }\n      ... on Error {\n        code\n        message\n      }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation PatternRemove($group: String!, $name: String!) {\n    removePattern(group: $group, name: $name) {\n      __typename\n      ... on MutationRemovePatternSuccess {\n        data {\n          patterns {\n            name\n          }\n        }\n      }\n      ... on Error {\n        code\n        message\n      }\n    }\n  }\n"): (typeof documents)["\n  mutation PatternRemove($group: String!, $name: String!) {\n    removePattern(group: $group, name: $name) {\n      __typename\n      ... on MutationRemovePatternSuccess {\n        data {\n          patterns {\n            name\n          }\n        }\n      }\n      ... on Error {\n        code\n        message\n      }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation PatternReplace($group: String!, $patterns: [PatternInput!]!) {\n    replacePatterns(group: $group, patterns: $patterns) {\n      __typename\n      ... on MutationReplacePatternsSuccess {\n        data {\n          patterns {\n            id\n            name\n            regex\n            position\n          }\n        }\n      }\n      ... on Error {\n        code\n        message\n      }\n    }\n  }\n"): (typeof documents)["\n  mutation PatternReplace($group: String!, $patterns: [PatternInput!]!) {\n    replacePatterns(group: $group, patterns: $patterns) {\n      __typename\n      ... on MutationReplacePatternsSuccess {\n        data {\n          patterns {\n            id\n            name\n            regex\n            position\n          }\n        }\n      }\n      ... on Error {\n        code\n        message\n      }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation PatternRenameGroup($name: String!, $newName: String!) {\n    renamePatternGroup(name: $name, newName: $newName) {\n      __typename\n      ... on MutationRenamePatternGroupSuccess {\n        data {\n          name\n          patterns {\n            name\n          }\n        }\n      }\n      ... on Error {\n        code\n        message\n      }\n    }\n  }\n"): (typeof documents)["\n  mutation PatternRenameGroup($name: String!, $newName: String!) {\n    renamePatternGroup(name: $name, newName: $newName) {\n      __typename\n      ... on MutationRenamePatternGroupSuccess {\n        data {\n          name\n          patterns {\n            name\n          }\n        }\n      }\n      ... on Error {\n        code\n        message\n      }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation PatternDeleteGroup($name: String!) {\n    deletePatternGroup(name: $name) {\n      __typename\n      ... on MutationDeletePatternGroupSuccess {\n        data {\n          name\n        }\n      }\n      ... on Error {\n        code\n        message\n      }\n    }\n  }\n"): (typeof documents)["\n  mutation PatternDeleteGroup($name: String!) {\n    deletePatternGroup(name: $name) {\n      __typename\n      ... on MutationDeletePatternGroupSuccess {\n        data {\n          name\n        }\n      }\n      ... on Error {\n        code\n        message\n      }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query PatternListGroups {\n    patternGroups {\n      name\n      patterns {\n        name\n        regex\n        position\n      }\n    }\n  }\n"): (typeof documents)["\n  query PatternListGroups {\n    patternGroups {\n      name\n      patterns {\n        name\n        regex\n        position\n      }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query PatternGetGroup($name: String!) {\n    patternGroup(name: $name) {\n      name\n      patterns {\n        name\n      }\n    }\n  }\n"): (typeof documents)["\n  query PatternGetGroup($name: String!) {\n    patternGroup(name: $name) {\n      name\n      patterns {\n        name\n      }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query PatternTestGroup($group: String!, $value: String!) {\n    testPatternGroup(group: $group, value: $value) {\n      __typename\n      ... on QueryTestPatternGroupSuccess {\n        data {\n          group\n          value\n          firstMatch\n          rows {\n            patternName\n            regex\n            matched\n          }\n        }\n      }\n      ... on Error {\n        code\n        message\n      }\n    }\n  }\n"): (typeof documents)["\n  query PatternTestGroup($group: String!, $value: String!) {\n    testPatternGroup(group: $group, value: $value) {\n      __typename\n      ... on QueryTestPatternGroupSuccess {\n        data {\n          group\n          value\n          firstMatch\n          rows {\n            patternName\n            regex\n            matched\n          }\n        }\n      }\n      ... on Error {\n        code\n        message\n      }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query PatternMatchParams($group: String, $params: [PatternParamInput!]!) {\n    matchPatterns(group: $group, params: $params) {\n      __typename\n      ... on QueryMatchPatternsSuccess {\n        data {\n          param\n          patternName\n        }\n      }\n      ... on Error {\n        code\n        message\n      }\n    }\n  }\n"): (typeof documents)["\n  query PatternMatchParams($group: String, $params: [PatternParamInput!]!) {\n    matchPatterns(group: $group, params: $params) {\n      __typename\n      ... on QueryMatchPatternsSuccess {\n        data {\n          param\n          patternName\n        }\n      }\n      ... on Error {\n        code\n        message\n      }\n    }\n  }\n"];
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