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
    "\n  mutation ResourceCreateGroup($input: CreateResourceGroupInput) {\n    createResourceGroup(input: $input) {\n      __typename\n      ... on MutationCreateResourceGroupSuccess {\n        data {\n          name\n          allocation\n          locking\n          bookingExpirationTimeout\n          resources {\n            name\n            accessNumber\n            booked\n          }\n          health {\n            total\n            free\n            booked\n            activeBookings\n          }\n        }\n      }\n      ... on Error {\n        code\n        message\n      }\n      ... on ValidationError {\n        field\n      }\n    }\n  }\n": typeof types.ResourceCreateGroupDocument,
    "\n  mutation ResourceUpdateGroup($name: String!, $input: UpdateResourceGroupInput!) {\n    updateResourceGroup(name: $name, input: $input) {\n      __typename\n      ... on MutationUpdateResourceGroupSuccess {\n        data {\n          name\n          allocation\n          locking\n          bookingExpirationTimeout\n        }\n      }\n      ... on Error {\n        code\n      }\n    }\n  }\n": typeof types.ResourceUpdateGroupDocument,
    "\n  mutation ResourceDeleteGroup($name: String!, $force: Boolean) {\n    deleteResourceGroup(name: $name, force: $force) {\n      __typename\n      ... on MutationDeleteResourceGroupSuccess {\n        data\n      }\n      ... on Error {\n        code\n      }\n    }\n  }\n": typeof types.ResourceDeleteGroupDocument,
    "\n  mutation ResourceAdd($group: String!, $input: ResourceInput!) {\n    addResource(group: $group, input: $input) {\n      __typename\n      ... on MutationAddResourceSuccess {\n        data {\n          name\n          accessNumber\n        }\n      }\n      ... on Error {\n        code\n        message\n      }\n    }\n  }\n": typeof types.ResourceAddDocument,
    "\n  mutation ResourceUpdate($group: String!, $name: String!, $input: UpdateResourceInput!, $force: Boolean) {\n    updateResource(group: $group, name: $name, input: $input, force: $force) {\n      __typename\n      ... on MutationUpdateResourceSuccess {\n        data {\n          name\n          accessNumber\n          booked\n        }\n      }\n      ... on Error {\n        code\n      }\n    }\n  }\n": typeof types.ResourceUpdateDocument,
    "\n  mutation ResourceRemove($group: String!, $name: String!, $force: Boolean) {\n    removeResource(group: $group, name: $name, force: $force) {\n      __typename\n      ... on MutationRemoveResourceSuccess {\n        data\n      }\n      ... on Error {\n        code\n      }\n    }\n  }\n": typeof types.ResourceRemoveDocument,
    "\n  query ResourceGroups {\n    resourceGroups {\n      name\n      locking\n      health {\n        total\n        free\n        booked\n        activeBookings\n      }\n      resources {\n        name\n        accessNumber\n        booked\n        bookings {\n          id\n          sessionId\n          phoneNumber\n          hasAccessCode\n          startsAt\n          expiresAt\n        }\n      }\n    }\n  }\n": typeof types.ResourceGroupsDocument,
    "\n  query ResourceOneGroup($name: String!) {\n    resourceGroup(name: $name) {\n      __typename\n      ... on QueryResourceGroupSuccess {\n        data {\n          name\n          health {\n            free\n            booked\n          }\n        }\n      }\n      ... on Error {\n        code\n      }\n    }\n  }\n": typeof types.ResourceOneGroupDocument,
    "\n  mutation ResourceMatch($accessNumber: String!, $phoneNumber: String, $accessCode: String) {\n    matchAccessNumber(accessNumber: $accessNumber, phoneNumber: $phoneNumber, accessCode: $accessCode) {\n      __typename\n      ... on MutationMatchAccessNumberSuccess {\n        data {\n          sessionId\n          accessNumber\n          group\n        }\n      }\n      ... on Error {\n        code\n      }\n    }\n  }\n": typeof types.ResourceMatchDocument,
    "\n  query ResourceEvents($group: String) {\n    resourceEvents(group: $group) {\n      kind\n      group\n      resourceName\n      accessNumber\n      sessionId\n      reason\n    }\n  }\n": typeof types.ResourceEventsDocument,
    "\n  mutation ResourceReleaseBooking($bookingId: String!) {\n    releaseResourceBooking(bookingId: $bookingId)\n  }\n": typeof types.ResourceReleaseBookingDocument,
    "\n  query SmokeServerInfo {\n    serverInfo {\n      nodeId\n      version\n    }\n  }\n": typeof types.SmokeServerInfoDocument,
};
const documents: Documents = {
    "\n  mutation ResourceCreateGroup($input: CreateResourceGroupInput) {\n    createResourceGroup(input: $input) {\n      __typename\n      ... on MutationCreateResourceGroupSuccess {\n        data {\n          name\n          allocation\n          locking\n          bookingExpirationTimeout\n          resources {\n            name\n            accessNumber\n            booked\n          }\n          health {\n            total\n            free\n            booked\n            activeBookings\n          }\n        }\n      }\n      ... on Error {\n        code\n        message\n      }\n      ... on ValidationError {\n        field\n      }\n    }\n  }\n": types.ResourceCreateGroupDocument,
    "\n  mutation ResourceUpdateGroup($name: String!, $input: UpdateResourceGroupInput!) {\n    updateResourceGroup(name: $name, input: $input) {\n      __typename\n      ... on MutationUpdateResourceGroupSuccess {\n        data {\n          name\n          allocation\n          locking\n          bookingExpirationTimeout\n        }\n      }\n      ... on Error {\n        code\n      }\n    }\n  }\n": types.ResourceUpdateGroupDocument,
    "\n  mutation ResourceDeleteGroup($name: String!, $force: Boolean) {\n    deleteResourceGroup(name: $name, force: $force) {\n      __typename\n      ... on MutationDeleteResourceGroupSuccess {\n        data\n      }\n      ... on Error {\n        code\n      }\n    }\n  }\n": types.ResourceDeleteGroupDocument,
    "\n  mutation ResourceAdd($group: String!, $input: ResourceInput!) {\n    addResource(group: $group, input: $input) {\n      __typename\n      ... on MutationAddResourceSuccess {\n        data {\n          name\n          accessNumber\n        }\n      }\n      ... on Error {\n        code\n        message\n      }\n    }\n  }\n": types.ResourceAddDocument,
    "\n  mutation ResourceUpdate($group: String!, $name: String!, $input: UpdateResourceInput!, $force: Boolean) {\n    updateResource(group: $group, name: $name, input: $input, force: $force) {\n      __typename\n      ... on MutationUpdateResourceSuccess {\n        data {\n          name\n          accessNumber\n          booked\n        }\n      }\n      ... on Error {\n        code\n      }\n    }\n  }\n": types.ResourceUpdateDocument,
    "\n  mutation ResourceRemove($group: String!, $name: String!, $force: Boolean) {\n    removeResource(group: $group, name: $name, force: $force) {\n      __typename\n      ... on MutationRemoveResourceSuccess {\n        data\n      }\n      ... on Error {\n        code\n      }\n    }\n  }\n": types.ResourceRemoveDocument,
    "\n  query ResourceGroups {\n    resourceGroups {\n      name\n      locking\n      health {\n        total\n        free\n        booked\n        activeBookings\n      }\n      resources {\n        name\n        accessNumber\n        booked\n        bookings {\n          id\n          sessionId\n          phoneNumber\n          hasAccessCode\n          startsAt\n          expiresAt\n        }\n      }\n    }\n  }\n": types.ResourceGroupsDocument,
    "\n  query ResourceOneGroup($name: String!) {\n    resourceGroup(name: $name) {\n      __typename\n      ... on QueryResourceGroupSuccess {\n        data {\n          name\n          health {\n            free\n            booked\n          }\n        }\n      }\n      ... on Error {\n        code\n      }\n    }\n  }\n": types.ResourceOneGroupDocument,
    "\n  mutation ResourceMatch($accessNumber: String!, $phoneNumber: String, $accessCode: String) {\n    matchAccessNumber(accessNumber: $accessNumber, phoneNumber: $phoneNumber, accessCode: $accessCode) {\n      __typename\n      ... on MutationMatchAccessNumberSuccess {\n        data {\n          sessionId\n          accessNumber\n          group\n        }\n      }\n      ... on Error {\n        code\n      }\n    }\n  }\n": types.ResourceMatchDocument,
    "\n  query ResourceEvents($group: String) {\n    resourceEvents(group: $group) {\n      kind\n      group\n      resourceName\n      accessNumber\n      sessionId\n      reason\n    }\n  }\n": types.ResourceEventsDocument,
    "\n  mutation ResourceReleaseBooking($bookingId: String!) {\n    releaseResourceBooking(bookingId: $bookingId)\n  }\n": types.ResourceReleaseBookingDocument,
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
export function graphql(source: "\n  mutation ResourceCreateGroup($input: CreateResourceGroupInput) {\n    createResourceGroup(input: $input) {\n      __typename\n      ... on MutationCreateResourceGroupSuccess {\n        data {\n          name\n          allocation\n          locking\n          bookingExpirationTimeout\n          resources {\n            name\n            accessNumber\n            booked\n          }\n          health {\n            total\n            free\n            booked\n            activeBookings\n          }\n        }\n      }\n      ... on Error {\n        code\n        message\n      }\n      ... on ValidationError {\n        field\n      }\n    }\n  }\n"): (typeof documents)["\n  mutation ResourceCreateGroup($input: CreateResourceGroupInput) {\n    createResourceGroup(input: $input) {\n      __typename\n      ... on MutationCreateResourceGroupSuccess {\n        data {\n          name\n          allocation\n          locking\n          bookingExpirationTimeout\n          resources {\n            name\n            accessNumber\n            booked\n          }\n          health {\n            total\n            free\n            booked\n            activeBookings\n          }\n        }\n      }\n      ... on Error {\n        code\n        message\n      }\n      ... on ValidationError {\n        field\n      }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation ResourceUpdateGroup($name: String!, $input: UpdateResourceGroupInput!) {\n    updateResourceGroup(name: $name, input: $input) {\n      __typename\n      ... on MutationUpdateResourceGroupSuccess {\n        data {\n          name\n          allocation\n          locking\n          bookingExpirationTimeout\n        }\n      }\n      ... on Error {\n        code\n      }\n    }\n  }\n"): (typeof documents)["\n  mutation ResourceUpdateGroup($name: String!, $input: UpdateResourceGroupInput!) {\n    updateResourceGroup(name: $name, input: $input) {\n      __typename\n      ... on MutationUpdateResourceGroupSuccess {\n        data {\n          name\n          allocation\n          locking\n          bookingExpirationTimeout\n        }\n      }\n      ... on Error {\n        code\n      }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation ResourceDeleteGroup($name: String!, $force: Boolean) {\n    deleteResourceGroup(name: $name, force: $force) {\n      __typename\n      ... on MutationDeleteResourceGroupSuccess {\n        data\n      }\n      ... on Error {\n        code\n      }\n    }\n  }\n"): (typeof documents)["\n  mutation ResourceDeleteGroup($name: String!, $force: Boolean) {\n    deleteResourceGroup(name: $name, force: $force) {\n      __typename\n      ... on MutationDeleteResourceGroupSuccess {\n        data\n      }\n      ... on Error {\n        code\n      }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation ResourceAdd($group: String!, $input: ResourceInput!) {\n    addResource(group: $group, input: $input) {\n      __typename\n      ... on MutationAddResourceSuccess {\n        data {\n          name\n          accessNumber\n        }\n      }\n      ... on Error {\n        code\n        message\n      }\n    }\n  }\n"): (typeof documents)["\n  mutation ResourceAdd($group: String!, $input: ResourceInput!) {\n    addResource(group: $group, input: $input) {\n      __typename\n      ... on MutationAddResourceSuccess {\n        data {\n          name\n          accessNumber\n        }\n      }\n      ... on Error {\n        code\n        message\n      }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation ResourceUpdate($group: String!, $name: String!, $input: UpdateResourceInput!, $force: Boolean) {\n    updateResource(group: $group, name: $name, input: $input, force: $force) {\n      __typename\n      ... on MutationUpdateResourceSuccess {\n        data {\n          name\n          accessNumber\n          booked\n        }\n      }\n      ... on Error {\n        code\n      }\n    }\n  }\n"): (typeof documents)["\n  mutation ResourceUpdate($group: String!, $name: String!, $input: UpdateResourceInput!, $force: Boolean) {\n    updateResource(group: $group, name: $name, input: $input, force: $force) {\n      __typename\n      ... on MutationUpdateResourceSuccess {\n        data {\n          name\n          accessNumber\n          booked\n        }\n      }\n      ... on Error {\n        code\n      }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation ResourceRemove($group: String!, $name: String!, $force: Boolean) {\n    removeResource(group: $group, name: $name, force: $force) {\n      __typename\n      ... on MutationRemoveResourceSuccess {\n        data\n      }\n      ... on Error {\n        code\n      }\n    }\n  }\n"): (typeof documents)["\n  mutation ResourceRemove($group: String!, $name: String!, $force: Boolean) {\n    removeResource(group: $group, name: $name, force: $force) {\n      __typename\n      ... on MutationRemoveResourceSuccess {\n        data\n      }\n      ... on Error {\n        code\n      }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query ResourceGroups {\n    resourceGroups {\n      name\n      locking\n      health {\n        total\n        free\n        booked\n        activeBookings\n      }\n      resources {\n        name\n        accessNumber\n        booked\n        bookings {\n          id\n          sessionId\n          phoneNumber\n          hasAccessCode\n          startsAt\n          expiresAt\n        }\n      }\n    }\n  }\n"): (typeof documents)["\n  query ResourceGroups {\n    resourceGroups {\n      name\n      locking\n      health {\n        total\n        free\n        booked\n        activeBookings\n      }\n      resources {\n        name\n        accessNumber\n        booked\n        bookings {\n          id\n          sessionId\n          phoneNumber\n          hasAccessCode\n          startsAt\n          expiresAt\n        }\n      }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query ResourceOneGroup($name: String!) {\n    resourceGroup(name: $name) {\n      __typename\n      ... on QueryResourceGroupSuccess {\n        data {\n          name\n          health {\n            free\n            booked\n          }\n        }\n      }\n      ... on Error {\n        code\n      }\n    }\n  }\n"): (typeof documents)["\n  query ResourceOneGroup($name: String!) {\n    resourceGroup(name: $name) {\n      __typename\n      ... on QueryResourceGroupSuccess {\n        data {\n          name\n          health {\n            free\n            booked\n          }\n        }\n      }\n      ... on Error {\n        code\n      }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation ResourceMatch($accessNumber: String!, $phoneNumber: String, $accessCode: String) {\n    matchAccessNumber(accessNumber: $accessNumber, phoneNumber: $phoneNumber, accessCode: $accessCode) {\n      __typename\n      ... on MutationMatchAccessNumberSuccess {\n        data {\n          sessionId\n          accessNumber\n          group\n        }\n      }\n      ... on Error {\n        code\n      }\n    }\n  }\n"): (typeof documents)["\n  mutation ResourceMatch($accessNumber: String!, $phoneNumber: String, $accessCode: String) {\n    matchAccessNumber(accessNumber: $accessNumber, phoneNumber: $phoneNumber, accessCode: $accessCode) {\n      __typename\n      ... on MutationMatchAccessNumberSuccess {\n        data {\n          sessionId\n          accessNumber\n          group\n        }\n      }\n      ... on Error {\n        code\n      }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query ResourceEvents($group: String) {\n    resourceEvents(group: $group) {\n      kind\n      group\n      resourceName\n      accessNumber\n      sessionId\n      reason\n    }\n  }\n"): (typeof documents)["\n  query ResourceEvents($group: String) {\n    resourceEvents(group: $group) {\n      kind\n      group\n      resourceName\n      accessNumber\n      sessionId\n      reason\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation ResourceReleaseBooking($bookingId: String!) {\n    releaseResourceBooking(bookingId: $bookingId)\n  }\n"): (typeof documents)["\n  mutation ResourceReleaseBooking($bookingId: String!) {\n    releaseResourceBooking(bookingId: $bookingId)\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query SmokeServerInfo {\n    serverInfo {\n      nodeId\n      version\n    }\n  }\n"): (typeof documents)["\n  query SmokeServerInfo {\n    serverInfo {\n      nodeId\n      version\n    }\n  }\n"];

export function graphql(source: string) {
  return (documents as any)[source] ?? {};
}

export type DocumentType<TDocumentNode extends DocumentNode<any, any>> = TDocumentNode extends DocumentNode<  infer TType,  any>  ? TType  : never;