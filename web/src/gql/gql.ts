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
    "\n  query CallbackQueuePage(\n    $service: String\n    $states: [CallbackState!]\n    $from: DateTime\n    $to: DateTime\n    $limit: Int!\n    $offset: Int!\n  ) {\n    callbackQueue(service: $service, states: $states, from: $from, to: $to, limit: $limit, offset: $offset) {\n      id\n      serviceName\n      state\n      customerNumber\n      desiredTime\n      createdAt\n      agentId\n      virtualQueue\n      queuePosition {\n        position\n        eta\n      }\n    }\n  }\n": typeof types.CallbackQueuePageDocument,
    "\n  query CallbackServices {\n    services {\n      name\n      serviceType\n    }\n  }\n": typeof types.CallbackServicesDocument,
    "\n  subscription CallbackQueueChanged($service: String, $states: [CallbackState!]) {\n    callbackQueueChanges(service: $service, states: $states, limit: 1) {\n      id\n    }\n  }\n": typeof types.CallbackQueueChangedDocument,
    "\n  mutation CallbackCancel($ids: [ID!]!) {\n    adminCancelCallbacks(ids: $ids) {\n      __typename\n      ... on MutationAdminCancelCallbacksSuccess {\n        data {\n          cancelled\n          notCancelled\n        }\n      }\n      ... on Error {\n        message\n      }\n    }\n  }\n": typeof types.CallbackCancelDocument,
    "\n  query HomeNodes {\n    nodes {\n      id\n      name\n      version\n      status\n      health\n      startedAt\n      lastSeenAt\n      downSince\n      flaggedForRemoval\n      removable\n    }\n    clusterSummary {\n      flagAfterSeconds\n      checkedAt\n    }\n    serverInfo {\n      nodeId\n    }\n  }\n": typeof types.HomeNodesDocument,
    "\n  subscription HomeNodeChanged {\n    nodeChanged {\n      id\n      change\n    }\n  }\n": typeof types.HomeNodeChangedDocument,
    "\n  mutation HomeRemoveNode($nodeId: Int!) {\n    removeNode(nodeId: $nodeId) {\n      __typename\n      ... on MutationRemoveNodeSuccess {\n        data {\n          id\n        }\n      }\n      ... on Error {\n        message\n      }\n    }\n  }\n": typeof types.HomeRemoveNodeDocument,
    "\n  mutation ConsoleLogin($username: String!, $password: String!) {\n    login(username: $username, password: $password) {\n      __typename\n      ... on MutationLoginSuccess {\n        data {\n          token\n          expiresAt\n        }\n      }\n      ... on Error {\n        message\n      }\n    }\n  }\n": typeof types.ConsoleLoginDocument,
    "\n  query ServicesPage($advanced: Boolean!) {\n    serviceTemplates {\n      name\n      description\n      presets {\n        name\n        description\n      }\n      parameters(includeAdvanced: $advanced) {\n        name\n        label\n        kind\n        type\n        description\n        category\n      }\n    }\n    services {\n      name\n      type\n      serviceType\n      template\n      preset\n      url\n      options(includeAdvanced: $advanced) {\n        name\n        value\n        kind\n        locked\n        label\n        type\n        description\n        category\n      }\n    }\n  }\n": typeof types.ServicesPageDocument,
    "\n  mutation ServicesCreate($input: CreateServiceInput!) {\n    createService(input: $input) {\n      __typename\n      ... on MutationCreateServiceSuccess {\n        data {\n          service {\n            name\n            url\n          }\n          warnings {\n            field\n            message\n          }\n        }\n      }\n      ... on ValidationError {\n        field\n        message\n      }\n      ... on Error {\n        message\n      }\n    }\n  }\n": typeof types.ServicesCreateDocument,
    "\n  mutation ServicesUpdate($input: UpdateServiceInput!) {\n    updateService(input: $input) {\n      __typename\n      ... on MutationUpdateServiceSuccess {\n        data {\n          service {\n            name\n          }\n          warnings {\n            field\n            message\n          }\n        }\n      }\n      ... on ValidationError {\n        field\n        message\n      }\n      ... on Error {\n        message\n      }\n    }\n  }\n": typeof types.ServicesUpdateDocument,
    "\n  mutation ServicesDelete($name: String!) {\n    deleteService(name: $name) {\n      __typename\n      ... on Error {\n        message\n      }\n    }\n  }\n": typeof types.ServicesDeleteDocument,
    "\n  query ToolsPatternGroups {\n    patternGroups {\n      id\n      name\n      patterns {\n        id\n        name\n        regex\n        position\n      }\n    }\n  }\n": typeof types.ToolsPatternGroupsDocument,
    "\n  query ToolsTestPatternGroup($group: String!, $value: String!) {\n    testPatternGroup(group: $group, value: $value) {\n      __typename\n      ... on QueryTestPatternGroupSuccess {\n        data {\n          firstMatch\n          rows {\n            patternName\n            matched\n          }\n        }\n      }\n      ... on Error {\n        message\n      }\n    }\n  }\n": typeof types.ToolsTestPatternGroupDocument,
    "\n  mutation ToolsCreatePatternGroup($name: String!) {\n    createPatternGroup(name: $name) {\n      __typename\n      ... on ValidationError {\n        field\n        message\n      }\n      ... on Error {\n        message\n      }\n    }\n  }\n": typeof types.ToolsCreatePatternGroupDocument,
    "\n  mutation ToolsDeletePatternGroup($name: String!) {\n    deletePatternGroup(name: $name) {\n      __typename\n      ... on Error {\n        message\n      }\n    }\n  }\n": typeof types.ToolsDeletePatternGroupDocument,
    "\n  mutation ToolsAddPattern($group: String!, $name: String!, $regex: String!) {\n    addPattern(group: $group, name: $name, regex: $regex) {\n      __typename\n      ... on ValidationError {\n        field\n        message\n      }\n      ... on Error {\n        message\n      }\n    }\n  }\n": typeof types.ToolsAddPatternDocument,
    "\n  mutation ToolsRemovePattern($group: String!, $name: String!) {\n    removePattern(group: $group, name: $name) {\n      __typename\n      ... on Error {\n        message\n      }\n    }\n  }\n": typeof types.ToolsRemovePatternDocument,
    "\n  query ToolsResourceGroups {\n    resourceGroups {\n      id\n      name\n      allocation\n      locking\n      bookingExpirationTimeout\n      health {\n        total\n        booked\n        free\n      }\n      resources {\n        id\n        name\n        accessNumber\n        booked\n      }\n    }\n  }\n": typeof types.ToolsResourceGroupsDocument,
    "\n  subscription ToolsResourcePools {\n    resourcePoolsChanged {\n      group\n      health {\n        total\n        booked\n        free\n      }\n    }\n  }\n": typeof types.ToolsResourcePoolsDocument,
    "\n  mutation ToolsCreateResourceGroup($input: CreateResourceGroupInput!) {\n    createResourceGroup(input: $input) {\n      __typename\n      ... on ValidationError {\n        field\n        message\n      }\n      ... on Error {\n        message\n      }\n    }\n  }\n": typeof types.ToolsCreateResourceGroupDocument,
    "\n  mutation ToolsUpdateResourceGroup($name: String!, $input: UpdateResourceGroupInput!) {\n    updateResourceGroup(name: $name, input: $input) {\n      __typename\n      ... on ValidationError {\n        field\n        message\n      }\n      ... on Error {\n        message\n      }\n    }\n  }\n": typeof types.ToolsUpdateResourceGroupDocument,
    "\n  mutation ToolsDeleteResourceGroup($name: String!) {\n    deleteResourceGroup(name: $name) {\n      __typename\n      ... on Error {\n        message\n      }\n    }\n  }\n": typeof types.ToolsDeleteResourceGroupDocument,
    "\n  mutation ToolsAddResource($group: String!, $input: ResourceInput!) {\n    addResource(group: $group, input: $input) {\n      __typename\n      ... on ValidationError {\n        field\n        message\n      }\n      ... on Error {\n        message\n      }\n    }\n  }\n": typeof types.ToolsAddResourceDocument,
    "\n  mutation ToolsRemoveResource($group: String!, $name: String!) {\n    removeResource(group: $group, name: $name) {\n      __typename\n      ... on Error {\n        message\n      }\n    }\n  }\n": typeof types.ToolsRemoveResourceDocument,
};
const documents: Documents = {
    "\n  query ConsoleViewer {\n    viewer {\n      kind\n      username\n      defaultCredentials\n    }\n  }\n": types.ConsoleViewerDocument,
    "\n  mutation ConsoleLogout($token: String!) {\n    logout(token: $token)\n  }\n": types.ConsoleLogoutDocument,
    "\n  query CallbackQueuePage(\n    $service: String\n    $states: [CallbackState!]\n    $from: DateTime\n    $to: DateTime\n    $limit: Int!\n    $offset: Int!\n  ) {\n    callbackQueue(service: $service, states: $states, from: $from, to: $to, limit: $limit, offset: $offset) {\n      id\n      serviceName\n      state\n      customerNumber\n      desiredTime\n      createdAt\n      agentId\n      virtualQueue\n      queuePosition {\n        position\n        eta\n      }\n    }\n  }\n": types.CallbackQueuePageDocument,
    "\n  query CallbackServices {\n    services {\n      name\n      serviceType\n    }\n  }\n": types.CallbackServicesDocument,
    "\n  subscription CallbackQueueChanged($service: String, $states: [CallbackState!]) {\n    callbackQueueChanges(service: $service, states: $states, limit: 1) {\n      id\n    }\n  }\n": types.CallbackQueueChangedDocument,
    "\n  mutation CallbackCancel($ids: [ID!]!) {\n    adminCancelCallbacks(ids: $ids) {\n      __typename\n      ... on MutationAdminCancelCallbacksSuccess {\n        data {\n          cancelled\n          notCancelled\n        }\n      }\n      ... on Error {\n        message\n      }\n    }\n  }\n": types.CallbackCancelDocument,
    "\n  query HomeNodes {\n    nodes {\n      id\n      name\n      version\n      status\n      health\n      startedAt\n      lastSeenAt\n      downSince\n      flaggedForRemoval\n      removable\n    }\n    clusterSummary {\n      flagAfterSeconds\n      checkedAt\n    }\n    serverInfo {\n      nodeId\n    }\n  }\n": types.HomeNodesDocument,
    "\n  subscription HomeNodeChanged {\n    nodeChanged {\n      id\n      change\n    }\n  }\n": types.HomeNodeChangedDocument,
    "\n  mutation HomeRemoveNode($nodeId: Int!) {\n    removeNode(nodeId: $nodeId) {\n      __typename\n      ... on MutationRemoveNodeSuccess {\n        data {\n          id\n        }\n      }\n      ... on Error {\n        message\n      }\n    }\n  }\n": types.HomeRemoveNodeDocument,
    "\n  mutation ConsoleLogin($username: String!, $password: String!) {\n    login(username: $username, password: $password) {\n      __typename\n      ... on MutationLoginSuccess {\n        data {\n          token\n          expiresAt\n        }\n      }\n      ... on Error {\n        message\n      }\n    }\n  }\n": types.ConsoleLoginDocument,
    "\n  query ServicesPage($advanced: Boolean!) {\n    serviceTemplates {\n      name\n      description\n      presets {\n        name\n        description\n      }\n      parameters(includeAdvanced: $advanced) {\n        name\n        label\n        kind\n        type\n        description\n        category\n      }\n    }\n    services {\n      name\n      type\n      serviceType\n      template\n      preset\n      url\n      options(includeAdvanced: $advanced) {\n        name\n        value\n        kind\n        locked\n        label\n        type\n        description\n        category\n      }\n    }\n  }\n": types.ServicesPageDocument,
    "\n  mutation ServicesCreate($input: CreateServiceInput!) {\n    createService(input: $input) {\n      __typename\n      ... on MutationCreateServiceSuccess {\n        data {\n          service {\n            name\n            url\n          }\n          warnings {\n            field\n            message\n          }\n        }\n      }\n      ... on ValidationError {\n        field\n        message\n      }\n      ... on Error {\n        message\n      }\n    }\n  }\n": types.ServicesCreateDocument,
    "\n  mutation ServicesUpdate($input: UpdateServiceInput!) {\n    updateService(input: $input) {\n      __typename\n      ... on MutationUpdateServiceSuccess {\n        data {\n          service {\n            name\n          }\n          warnings {\n            field\n            message\n          }\n        }\n      }\n      ... on ValidationError {\n        field\n        message\n      }\n      ... on Error {\n        message\n      }\n    }\n  }\n": types.ServicesUpdateDocument,
    "\n  mutation ServicesDelete($name: String!) {\n    deleteService(name: $name) {\n      __typename\n      ... on Error {\n        message\n      }\n    }\n  }\n": types.ServicesDeleteDocument,
    "\n  query ToolsPatternGroups {\n    patternGroups {\n      id\n      name\n      patterns {\n        id\n        name\n        regex\n        position\n      }\n    }\n  }\n": types.ToolsPatternGroupsDocument,
    "\n  query ToolsTestPatternGroup($group: String!, $value: String!) {\n    testPatternGroup(group: $group, value: $value) {\n      __typename\n      ... on QueryTestPatternGroupSuccess {\n        data {\n          firstMatch\n          rows {\n            patternName\n            matched\n          }\n        }\n      }\n      ... on Error {\n        message\n      }\n    }\n  }\n": types.ToolsTestPatternGroupDocument,
    "\n  mutation ToolsCreatePatternGroup($name: String!) {\n    createPatternGroup(name: $name) {\n      __typename\n      ... on ValidationError {\n        field\n        message\n      }\n      ... on Error {\n        message\n      }\n    }\n  }\n": types.ToolsCreatePatternGroupDocument,
    "\n  mutation ToolsDeletePatternGroup($name: String!) {\n    deletePatternGroup(name: $name) {\n      __typename\n      ... on Error {\n        message\n      }\n    }\n  }\n": types.ToolsDeletePatternGroupDocument,
    "\n  mutation ToolsAddPattern($group: String!, $name: String!, $regex: String!) {\n    addPattern(group: $group, name: $name, regex: $regex) {\n      __typename\n      ... on ValidationError {\n        field\n        message\n      }\n      ... on Error {\n        message\n      }\n    }\n  }\n": types.ToolsAddPatternDocument,
    "\n  mutation ToolsRemovePattern($group: String!, $name: String!) {\n    removePattern(group: $group, name: $name) {\n      __typename\n      ... on Error {\n        message\n      }\n    }\n  }\n": types.ToolsRemovePatternDocument,
    "\n  query ToolsResourceGroups {\n    resourceGroups {\n      id\n      name\n      allocation\n      locking\n      bookingExpirationTimeout\n      health {\n        total\n        booked\n        free\n      }\n      resources {\n        id\n        name\n        accessNumber\n        booked\n      }\n    }\n  }\n": types.ToolsResourceGroupsDocument,
    "\n  subscription ToolsResourcePools {\n    resourcePoolsChanged {\n      group\n      health {\n        total\n        booked\n        free\n      }\n    }\n  }\n": types.ToolsResourcePoolsDocument,
    "\n  mutation ToolsCreateResourceGroup($input: CreateResourceGroupInput!) {\n    createResourceGroup(input: $input) {\n      __typename\n      ... on ValidationError {\n        field\n        message\n      }\n      ... on Error {\n        message\n      }\n    }\n  }\n": types.ToolsCreateResourceGroupDocument,
    "\n  mutation ToolsUpdateResourceGroup($name: String!, $input: UpdateResourceGroupInput!) {\n    updateResourceGroup(name: $name, input: $input) {\n      __typename\n      ... on ValidationError {\n        field\n        message\n      }\n      ... on Error {\n        message\n      }\n    }\n  }\n": types.ToolsUpdateResourceGroupDocument,
    "\n  mutation ToolsDeleteResourceGroup($name: String!) {\n    deleteResourceGroup(name: $name) {\n      __typename\n      ... on Error {\n        message\n      }\n    }\n  }\n": types.ToolsDeleteResourceGroupDocument,
    "\n  mutation ToolsAddResource($group: String!, $input: ResourceInput!) {\n    addResource(group: $group, input: $input) {\n      __typename\n      ... on ValidationError {\n        field\n        message\n      }\n      ... on Error {\n        message\n      }\n    }\n  }\n": types.ToolsAddResourceDocument,
    "\n  mutation ToolsRemoveResource($group: String!, $name: String!) {\n    removeResource(group: $group, name: $name) {\n      __typename\n      ... on Error {\n        message\n      }\n    }\n  }\n": types.ToolsRemoveResourceDocument,
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
export function graphql(source: "\n  query CallbackQueuePage(\n    $service: String\n    $states: [CallbackState!]\n    $from: DateTime\n    $to: DateTime\n    $limit: Int!\n    $offset: Int!\n  ) {\n    callbackQueue(service: $service, states: $states, from: $from, to: $to, limit: $limit, offset: $offset) {\n      id\n      serviceName\n      state\n      customerNumber\n      desiredTime\n      createdAt\n      agentId\n      virtualQueue\n      queuePosition {\n        position\n        eta\n      }\n    }\n  }\n"): (typeof documents)["\n  query CallbackQueuePage(\n    $service: String\n    $states: [CallbackState!]\n    $from: DateTime\n    $to: DateTime\n    $limit: Int!\n    $offset: Int!\n  ) {\n    callbackQueue(service: $service, states: $states, from: $from, to: $to, limit: $limit, offset: $offset) {\n      id\n      serviceName\n      state\n      customerNumber\n      desiredTime\n      createdAt\n      agentId\n      virtualQueue\n      queuePosition {\n        position\n        eta\n      }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query CallbackServices {\n    services {\n      name\n      serviceType\n    }\n  }\n"): (typeof documents)["\n  query CallbackServices {\n    services {\n      name\n      serviceType\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  subscription CallbackQueueChanged($service: String, $states: [CallbackState!]) {\n    callbackQueueChanges(service: $service, states: $states, limit: 1) {\n      id\n    }\n  }\n"): (typeof documents)["\n  subscription CallbackQueueChanged($service: String, $states: [CallbackState!]) {\n    callbackQueueChanges(service: $service, states: $states, limit: 1) {\n      id\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation CallbackCancel($ids: [ID!]!) {\n    adminCancelCallbacks(ids: $ids) {\n      __typename\n      ... on MutationAdminCancelCallbacksSuccess {\n        data {\n          cancelled\n          notCancelled\n        }\n      }\n      ... on Error {\n        message\n      }\n    }\n  }\n"): (typeof documents)["\n  mutation CallbackCancel($ids: [ID!]!) {\n    adminCancelCallbacks(ids: $ids) {\n      __typename\n      ... on MutationAdminCancelCallbacksSuccess {\n        data {\n          cancelled\n          notCancelled\n        }\n      }\n      ... on Error {\n        message\n      }\n    }\n  }\n"];
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
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query ServicesPage($advanced: Boolean!) {\n    serviceTemplates {\n      name\n      description\n      presets {\n        name\n        description\n      }\n      parameters(includeAdvanced: $advanced) {\n        name\n        label\n        kind\n        type\n        description\n        category\n      }\n    }\n    services {\n      name\n      type\n      serviceType\n      template\n      preset\n      url\n      options(includeAdvanced: $advanced) {\n        name\n        value\n        kind\n        locked\n        label\n        type\n        description\n        category\n      }\n    }\n  }\n"): (typeof documents)["\n  query ServicesPage($advanced: Boolean!) {\n    serviceTemplates {\n      name\n      description\n      presets {\n        name\n        description\n      }\n      parameters(includeAdvanced: $advanced) {\n        name\n        label\n        kind\n        type\n        description\n        category\n      }\n    }\n    services {\n      name\n      type\n      serviceType\n      template\n      preset\n      url\n      options(includeAdvanced: $advanced) {\n        name\n        value\n        kind\n        locked\n        label\n        type\n        description\n        category\n      }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation ServicesCreate($input: CreateServiceInput!) {\n    createService(input: $input) {\n      __typename\n      ... on MutationCreateServiceSuccess {\n        data {\n          service {\n            name\n            url\n          }\n          warnings {\n            field\n            message\n          }\n        }\n      }\n      ... on ValidationError {\n        field\n        message\n      }\n      ... on Error {\n        message\n      }\n    }\n  }\n"): (typeof documents)["\n  mutation ServicesCreate($input: CreateServiceInput!) {\n    createService(input: $input) {\n      __typename\n      ... on MutationCreateServiceSuccess {\n        data {\n          service {\n            name\n            url\n          }\n          warnings {\n            field\n            message\n          }\n        }\n      }\n      ... on ValidationError {\n        field\n        message\n      }\n      ... on Error {\n        message\n      }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation ServicesUpdate($input: UpdateServiceInput!) {\n    updateService(input: $input) {\n      __typename\n      ... on MutationUpdateServiceSuccess {\n        data {\n          service {\n            name\n          }\n          warnings {\n            field\n            message\n          }\n        }\n      }\n      ... on ValidationError {\n        field\n        message\n      }\n      ... on Error {\n        message\n      }\n    }\n  }\n"): (typeof documents)["\n  mutation ServicesUpdate($input: UpdateServiceInput!) {\n    updateService(input: $input) {\n      __typename\n      ... on MutationUpdateServiceSuccess {\n        data {\n          service {\n            name\n          }\n          warnings {\n            field\n            message\n          }\n        }\n      }\n      ... on ValidationError {\n        field\n        message\n      }\n      ... on Error {\n        message\n      }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation ServicesDelete($name: String!) {\n    deleteService(name: $name) {\n      __typename\n      ... on Error {\n        message\n      }\n    }\n  }\n"): (typeof documents)["\n  mutation ServicesDelete($name: String!) {\n    deleteService(name: $name) {\n      __typename\n      ... on Error {\n        message\n      }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query ToolsPatternGroups {\n    patternGroups {\n      id\n      name\n      patterns {\n        id\n        name\n        regex\n        position\n      }\n    }\n  }\n"): (typeof documents)["\n  query ToolsPatternGroups {\n    patternGroups {\n      id\n      name\n      patterns {\n        id\n        name\n        regex\n        position\n      }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query ToolsTestPatternGroup($group: String!, $value: String!) {\n    testPatternGroup(group: $group, value: $value) {\n      __typename\n      ... on QueryTestPatternGroupSuccess {\n        data {\n          firstMatch\n          rows {\n            patternName\n            matched\n          }\n        }\n      }\n      ... on Error {\n        message\n      }\n    }\n  }\n"): (typeof documents)["\n  query ToolsTestPatternGroup($group: String!, $value: String!) {\n    testPatternGroup(group: $group, value: $value) {\n      __typename\n      ... on QueryTestPatternGroupSuccess {\n        data {\n          firstMatch\n          rows {\n            patternName\n            matched\n          }\n        }\n      }\n      ... on Error {\n        message\n      }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation ToolsCreatePatternGroup($name: String!) {\n    createPatternGroup(name: $name) {\n      __typename\n      ... on ValidationError {\n        field\n        message\n      }\n      ... on Error {\n        message\n      }\n    }\n  }\n"): (typeof documents)["\n  mutation ToolsCreatePatternGroup($name: String!) {\n    createPatternGroup(name: $name) {\n      __typename\n      ... on ValidationError {\n        field\n        message\n      }\n      ... on Error {\n        message\n      }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation ToolsDeletePatternGroup($name: String!) {\n    deletePatternGroup(name: $name) {\n      __typename\n      ... on Error {\n        message\n      }\n    }\n  }\n"): (typeof documents)["\n  mutation ToolsDeletePatternGroup($name: String!) {\n    deletePatternGroup(name: $name) {\n      __typename\n      ... on Error {\n        message\n      }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation ToolsAddPattern($group: String!, $name: String!, $regex: String!) {\n    addPattern(group: $group, name: $name, regex: $regex) {\n      __typename\n      ... on ValidationError {\n        field\n        message\n      }\n      ... on Error {\n        message\n      }\n    }\n  }\n"): (typeof documents)["\n  mutation ToolsAddPattern($group: String!, $name: String!, $regex: String!) {\n    addPattern(group: $group, name: $name, regex: $regex) {\n      __typename\n      ... on ValidationError {\n        field\n        message\n      }\n      ... on Error {\n        message\n      }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation ToolsRemovePattern($group: String!, $name: String!) {\n    removePattern(group: $group, name: $name) {\n      __typename\n      ... on Error {\n        message\n      }\n    }\n  }\n"): (typeof documents)["\n  mutation ToolsRemovePattern($group: String!, $name: String!) {\n    removePattern(group: $group, name: $name) {\n      __typename\n      ... on Error {\n        message\n      }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query ToolsResourceGroups {\n    resourceGroups {\n      id\n      name\n      allocation\n      locking\n      bookingExpirationTimeout\n      health {\n        total\n        booked\n        free\n      }\n      resources {\n        id\n        name\n        accessNumber\n        booked\n      }\n    }\n  }\n"): (typeof documents)["\n  query ToolsResourceGroups {\n    resourceGroups {\n      id\n      name\n      allocation\n      locking\n      bookingExpirationTimeout\n      health {\n        total\n        booked\n        free\n      }\n      resources {\n        id\n        name\n        accessNumber\n        booked\n      }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  subscription ToolsResourcePools {\n    resourcePoolsChanged {\n      group\n      health {\n        total\n        booked\n        free\n      }\n    }\n  }\n"): (typeof documents)["\n  subscription ToolsResourcePools {\n    resourcePoolsChanged {\n      group\n      health {\n        total\n        booked\n        free\n      }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation ToolsCreateResourceGroup($input: CreateResourceGroupInput!) {\n    createResourceGroup(input: $input) {\n      __typename\n      ... on ValidationError {\n        field\n        message\n      }\n      ... on Error {\n        message\n      }\n    }\n  }\n"): (typeof documents)["\n  mutation ToolsCreateResourceGroup($input: CreateResourceGroupInput!) {\n    createResourceGroup(input: $input) {\n      __typename\n      ... on ValidationError {\n        field\n        message\n      }\n      ... on Error {\n        message\n      }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation ToolsUpdateResourceGroup($name: String!, $input: UpdateResourceGroupInput!) {\n    updateResourceGroup(name: $name, input: $input) {\n      __typename\n      ... on ValidationError {\n        field\n        message\n      }\n      ... on Error {\n        message\n      }\n    }\n  }\n"): (typeof documents)["\n  mutation ToolsUpdateResourceGroup($name: String!, $input: UpdateResourceGroupInput!) {\n    updateResourceGroup(name: $name, input: $input) {\n      __typename\n      ... on ValidationError {\n        field\n        message\n      }\n      ... on Error {\n        message\n      }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation ToolsDeleteResourceGroup($name: String!) {\n    deleteResourceGroup(name: $name) {\n      __typename\n      ... on Error {\n        message\n      }\n    }\n  }\n"): (typeof documents)["\n  mutation ToolsDeleteResourceGroup($name: String!) {\n    deleteResourceGroup(name: $name) {\n      __typename\n      ... on Error {\n        message\n      }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation ToolsAddResource($group: String!, $input: ResourceInput!) {\n    addResource(group: $group, input: $input) {\n      __typename\n      ... on ValidationError {\n        field\n        message\n      }\n      ... on Error {\n        message\n      }\n    }\n  }\n"): (typeof documents)["\n  mutation ToolsAddResource($group: String!, $input: ResourceInput!) {\n    addResource(group: $group, input: $input) {\n      __typename\n      ... on ValidationError {\n        field\n        message\n      }\n      ... on Error {\n        message\n      }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation ToolsRemoveResource($group: String!, $name: String!) {\n    removeResource(group: $group, name: $name) {\n      __typename\n      ... on Error {\n        message\n      }\n    }\n  }\n"): (typeof documents)["\n  mutation ToolsRemoveResource($group: String!, $name: String!) {\n    removeResource(group: $group, name: $name) {\n      __typename\n      ... on Error {\n        message\n      }\n    }\n  }\n"];

export function graphql(source: string) {
  return (documents as any)[source] ?? {};
}

export type DocumentType<TDocumentNode extends DocumentNode<any, any>> = TDocumentNode extends DocumentNode<  infer TType,  any>  ? TType  : never;