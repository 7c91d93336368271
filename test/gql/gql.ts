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
    "\n  mutation RoutingDeskUpsertGroup($name: String!) {\n    upsertRoutingAgentGroup(name: $name, description: \"Billing team\") {\n      ... on MutationUpsertRoutingAgentGroupSuccess { data { name description agentIds } }\n      ... on Error { code message }\n    }\n  }\n": typeof types.RoutingDeskUpsertGroupDocument,
    "\n  mutation RoutingDeskUpsertAgent($input: RoutingAgentInput!) {\n    upsertRoutingAgent(input: $input) {\n      ... on MutationUpsertRoutingAgentSuccess {\n        data { id name state hasPassword groups skills { name level } }\n      }\n      ... on ValidationError { code message field }\n      ... on Error { code message }\n    }\n  }\n": typeof types.RoutingDeskUpsertAgentDocument,
    "\n  mutation RoutingDeskLogin($agentId: String!, $password: String!) {\n    agentLogin(agentId: $agentId, password: $password) {\n      ... on MutationAgentLoginSuccess { data { token expiresAt agent { id state } } }\n      ... on Error { code message }\n    }\n  }\n": typeof types.RoutingDeskLoginDocument,
    "\n  query RoutingDeskMe {\n    agentMe {\n      id\n      state\n      currentReservation { id requestId virtualQueue data requestState expiresAt acceptedAt }\n    }\n  }\n": typeof types.RoutingDeskMeDocument,
    "\n  mutation RoutingDeskSetState($state: RoutingAgentSettableState!) {\n    agentSetState(state: $state) {\n      ... on MutationAgentSetStateSuccess { data { state } }\n      ... on Error { code message }\n    }\n  }\n": typeof types.RoutingDeskSetStateDocument,
    "\n  mutation RoutingDeskAccept($id: ID!) {\n    agentAcceptReservation(reservationId: $id) {\n      ... on MutationAgentAcceptReservationSuccess { data { id requestState acceptedAt data } }\n      ... on Error { code message }\n    }\n  }\n": typeof types.RoutingDeskAcceptDocument,
    "\n  mutation RoutingDeskComplete($id: ID!) {\n    agentCompleteInteraction(reservationId: $id, next: AFTER_CALL_WORK) {\n      ... on MutationAgentCompleteInteractionSuccess { data { state } }\n      ... on Error { code message }\n    }\n  }\n": typeof types.RoutingDeskCompleteDocument,
    "\n  mutation RoutingDeskReject($id: ID!) {\n    agentRejectReservation(reservationId: $id, next: READY) {\n      ... on MutationAgentRejectReservationSuccess { data { state } }\n      ... on Error { code message }\n    }\n  }\n": typeof types.RoutingDeskRejectDocument,
    "\n  mutation RoutingDeskLogout {\n    agentLogout {\n      ... on MutationAgentLogoutSuccess { data { state } }\n      ... on Error { code message }\n    }\n  }\n": typeof types.RoutingDeskLogoutDocument,
    "\n  query RoutingDeskAgents {\n    routingAgents { id state currentReservation { requestId } }\n  }\n": typeof types.RoutingDeskAgentsDocument,
    "\n  subscription RoutingDeskEvents {\n    agentEvents { agentId state kind reservationId reservation { requestId data requestState } }\n  }\n": typeof types.RoutingDeskEventsDocument,
    "\n  query RoutingDeskCheckTarget($target: String!) {\n    validateRoutingTarget(target: $target) { valid normalized kind groups message }\n  }\n": typeof types.RoutingDeskCheckTargetDocument,
    "\n  mutation RoutingDeskQueue($input: VirtualQueueInput!) {\n    upsertVirtualQueue(input: $input) {\n      ... on MutationUpsertVirtualQueueSuccess { data { name target reservationTimeoutSeconds } }\n      ... on Error { code message }\n    }\n  }\n": typeof types.RoutingDeskQueueDocument,
    "\n  query RoutingStatsQuery($type: RoutingObjectType!, $id: String!, $window: Int) {\n    routingStatistics(objectType: $type, objectId: $id, windowSeconds: $window) {\n      ... on QueryRoutingStatisticsSuccess {\n        data {\n          objectType objectId windowSeconds requestsWaiting requestsReserved expectedWaitSeconds\n          longestCurrentWaitSeconds agentsReady agentsBusy agentsNotReady agentsLoggedIn agentState\n          averageHandleSeconds answered averageWaitSeconds maxWaitSeconds abandoned abandonedPercentage\n          averageAbandonWaitSeconds\n        }\n      }\n      ... on Error { code message }\n    }\n  }\n": typeof types.RoutingStatsQueryDocument,
    "\n  subscription RoutingStatsLive {\n    routingQueueStatistics(virtualQueue: \"StatQ\") { requestsWaiting agentsReady }\n  }\n": typeof types.RoutingStatsLiveDocument,
    "\n  query SmokeServerInfo {\n    serverInfo {\n      nodeId\n      version\n    }\n  }\n": typeof types.SmokeServerInfoDocument,
};
const documents: Documents = {
    "\n  mutation RoutingDeskUpsertGroup($name: String!) {\n    upsertRoutingAgentGroup(name: $name, description: \"Billing team\") {\n      ... on MutationUpsertRoutingAgentGroupSuccess { data { name description agentIds } }\n      ... on Error { code message }\n    }\n  }\n": types.RoutingDeskUpsertGroupDocument,
    "\n  mutation RoutingDeskUpsertAgent($input: RoutingAgentInput!) {\n    upsertRoutingAgent(input: $input) {\n      ... on MutationUpsertRoutingAgentSuccess {\n        data { id name state hasPassword groups skills { name level } }\n      }\n      ... on ValidationError { code message field }\n      ... on Error { code message }\n    }\n  }\n": types.RoutingDeskUpsertAgentDocument,
    "\n  mutation RoutingDeskLogin($agentId: String!, $password: String!) {\n    agentLogin(agentId: $agentId, password: $password) {\n      ... on MutationAgentLoginSuccess { data { token expiresAt agent { id state } } }\n      ... on Error { code message }\n    }\n  }\n": types.RoutingDeskLoginDocument,
    "\n  query RoutingDeskMe {\n    agentMe {\n      id\n      state\n      currentReservation { id requestId virtualQueue data requestState expiresAt acceptedAt }\n    }\n  }\n": types.RoutingDeskMeDocument,
    "\n  mutation RoutingDeskSetState($state: RoutingAgentSettableState!) {\n    agentSetState(state: $state) {\n      ... on MutationAgentSetStateSuccess { data { state } }\n      ... on Error { code message }\n    }\n  }\n": types.RoutingDeskSetStateDocument,
    "\n  mutation RoutingDeskAccept($id: ID!) {\n    agentAcceptReservation(reservationId: $id) {\n      ... on MutationAgentAcceptReservationSuccess { data { id requestState acceptedAt data } }\n      ... on Error { code message }\n    }\n  }\n": types.RoutingDeskAcceptDocument,
    "\n  mutation RoutingDeskComplete($id: ID!) {\n    agentCompleteInteraction(reservationId: $id, next: AFTER_CALL_WORK) {\n      ... on MutationAgentCompleteInteractionSuccess { data { state } }\n      ... on Error { code message }\n    }\n  }\n": types.RoutingDeskCompleteDocument,
    "\n  mutation RoutingDeskReject($id: ID!) {\n    agentRejectReservation(reservationId: $id, next: READY) {\n      ... on MutationAgentRejectReservationSuccess { data { state } }\n      ... on Error { code message }\n    }\n  }\n": types.RoutingDeskRejectDocument,
    "\n  mutation RoutingDeskLogout {\n    agentLogout {\n      ... on MutationAgentLogoutSuccess { data { state } }\n      ... on Error { code message }\n    }\n  }\n": types.RoutingDeskLogoutDocument,
    "\n  query RoutingDeskAgents {\n    routingAgents { id state currentReservation { requestId } }\n  }\n": types.RoutingDeskAgentsDocument,
    "\n  subscription RoutingDeskEvents {\n    agentEvents { agentId state kind reservationId reservation { requestId data requestState } }\n  }\n": types.RoutingDeskEventsDocument,
    "\n  query RoutingDeskCheckTarget($target: String!) {\n    validateRoutingTarget(target: $target) { valid normalized kind groups message }\n  }\n": types.RoutingDeskCheckTargetDocument,
    "\n  mutation RoutingDeskQueue($input: VirtualQueueInput!) {\n    upsertVirtualQueue(input: $input) {\n      ... on MutationUpsertVirtualQueueSuccess { data { name target reservationTimeoutSeconds } }\n      ... on Error { code message }\n    }\n  }\n": types.RoutingDeskQueueDocument,
    "\n  query RoutingStatsQuery($type: RoutingObjectType!, $id: String!, $window: Int) {\n    routingStatistics(objectType: $type, objectId: $id, windowSeconds: $window) {\n      ... on QueryRoutingStatisticsSuccess {\n        data {\n          objectType objectId windowSeconds requestsWaiting requestsReserved expectedWaitSeconds\n          longestCurrentWaitSeconds agentsReady agentsBusy agentsNotReady agentsLoggedIn agentState\n          averageHandleSeconds answered averageWaitSeconds maxWaitSeconds abandoned abandonedPercentage\n          averageAbandonWaitSeconds\n        }\n      }\n      ... on Error { code message }\n    }\n  }\n": types.RoutingStatsQueryDocument,
    "\n  subscription RoutingStatsLive {\n    routingQueueStatistics(virtualQueue: \"StatQ\") { requestsWaiting agentsReady }\n  }\n": types.RoutingStatsLiveDocument,
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
export function graphql(source: "\n  mutation RoutingDeskUpsertGroup($name: String!) {\n    upsertRoutingAgentGroup(name: $name, description: \"Billing team\") {\n      ... on MutationUpsertRoutingAgentGroupSuccess { data { name description agentIds } }\n      ... on Error { code message }\n    }\n  }\n"): (typeof documents)["\n  mutation RoutingDeskUpsertGroup($name: String!) {\n    upsertRoutingAgentGroup(name: $name, description: \"Billing team\") {\n      ... on MutationUpsertRoutingAgentGroupSuccess { data { name description agentIds } }\n      ... on Error { code message }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation RoutingDeskUpsertAgent($input: RoutingAgentInput!) {\n    upsertRoutingAgent(input: $input) {\n      ... on MutationUpsertRoutingAgentSuccess {\n        data { id name state hasPassword groups skills { name level } }\n      }\n      ... on ValidationError { code message field }\n      ... on Error { code message }\n    }\n  }\n"): (typeof documents)["\n  mutation RoutingDeskUpsertAgent($input: RoutingAgentInput!) {\n    upsertRoutingAgent(input: $input) {\n      ... on MutationUpsertRoutingAgentSuccess {\n        data { id name state hasPassword groups skills { name level } }\n      }\n      ... on ValidationError { code message field }\n      ... on Error { code message }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation RoutingDeskLogin($agentId: String!, $password: String!) {\n    agentLogin(agentId: $agentId, password: $password) {\n      ... on MutationAgentLoginSuccess { data { token expiresAt agent { id state } } }\n      ... on Error { code message }\n    }\n  }\n"): (typeof documents)["\n  mutation RoutingDeskLogin($agentId: String!, $password: String!) {\n    agentLogin(agentId: $agentId, password: $password) {\n      ... on MutationAgentLoginSuccess { data { token expiresAt agent { id state } } }\n      ... on Error { code message }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query RoutingDeskMe {\n    agentMe {\n      id\n      state\n      currentReservation { id requestId virtualQueue data requestState expiresAt acceptedAt }\n    }\n  }\n"): (typeof documents)["\n  query RoutingDeskMe {\n    agentMe {\n      id\n      state\n      currentReservation { id requestId virtualQueue data requestState expiresAt acceptedAt }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation RoutingDeskSetState($state: RoutingAgentSettableState!) {\n    agentSetState(state: $state) {\n      ... on MutationAgentSetStateSuccess { data { state } }\n      ... on Error { code message }\n    }\n  }\n"): (typeof documents)["\n  mutation RoutingDeskSetState($state: RoutingAgentSettableState!) {\n    agentSetState(state: $state) {\n      ... on MutationAgentSetStateSuccess { data { state } }\n      ... on Error { code message }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation RoutingDeskAccept($id: ID!) {\n    agentAcceptReservation(reservationId: $id) {\n      ... on MutationAgentAcceptReservationSuccess { data { id requestState acceptedAt data } }\n      ... on Error { code message }\n    }\n  }\n"): (typeof documents)["\n  mutation RoutingDeskAccept($id: ID!) {\n    agentAcceptReservation(reservationId: $id) {\n      ... on MutationAgentAcceptReservationSuccess { data { id requestState acceptedAt data } }\n      ... on Error { code message }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation RoutingDeskComplete($id: ID!) {\n    agentCompleteInteraction(reservationId: $id, next: AFTER_CALL_WORK) {\n      ... on MutationAgentCompleteInteractionSuccess { data { state } }\n      ... on Error { code message }\n    }\n  }\n"): (typeof documents)["\n  mutation RoutingDeskComplete($id: ID!) {\n    agentCompleteInteraction(reservationId: $id, next: AFTER_CALL_WORK) {\n      ... on MutationAgentCompleteInteractionSuccess { data { state } }\n      ... on Error { code message }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation RoutingDeskReject($id: ID!) {\n    agentRejectReservation(reservationId: $id, next: READY) {\n      ... on MutationAgentRejectReservationSuccess { data { state } }\n      ... on Error { code message }\n    }\n  }\n"): (typeof documents)["\n  mutation RoutingDeskReject($id: ID!) {\n    agentRejectReservation(reservationId: $id, next: READY) {\n      ... on MutationAgentRejectReservationSuccess { data { state } }\n      ... on Error { code message }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation RoutingDeskLogout {\n    agentLogout {\n      ... on MutationAgentLogoutSuccess { data { state } }\n      ... on Error { code message }\n    }\n  }\n"): (typeof documents)["\n  mutation RoutingDeskLogout {\n    agentLogout {\n      ... on MutationAgentLogoutSuccess { data { state } }\n      ... on Error { code message }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query RoutingDeskAgents {\n    routingAgents { id state currentReservation { requestId } }\n  }\n"): (typeof documents)["\n  query RoutingDeskAgents {\n    routingAgents { id state currentReservation { requestId } }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  subscription RoutingDeskEvents {\n    agentEvents { agentId state kind reservationId reservation { requestId data requestState } }\n  }\n"): (typeof documents)["\n  subscription RoutingDeskEvents {\n    agentEvents { agentId state kind reservationId reservation { requestId data requestState } }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query RoutingDeskCheckTarget($target: String!) {\n    validateRoutingTarget(target: $target) { valid normalized kind groups message }\n  }\n"): (typeof documents)["\n  query RoutingDeskCheckTarget($target: String!) {\n    validateRoutingTarget(target: $target) { valid normalized kind groups message }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation RoutingDeskQueue($input: VirtualQueueInput!) {\n    upsertVirtualQueue(input: $input) {\n      ... on MutationUpsertVirtualQueueSuccess { data { name target reservationTimeoutSeconds } }\n      ... on Error { code message }\n    }\n  }\n"): (typeof documents)["\n  mutation RoutingDeskQueue($input: VirtualQueueInput!) {\n    upsertVirtualQueue(input: $input) {\n      ... on MutationUpsertVirtualQueueSuccess { data { name target reservationTimeoutSeconds } }\n      ... on Error { code message }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query RoutingStatsQuery($type: RoutingObjectType!, $id: String!, $window: Int) {\n    routingStatistics(objectType: $type, objectId: $id, windowSeconds: $window) {\n      ... on QueryRoutingStatisticsSuccess {\n        data {\n          objectType objectId windowSeconds requestsWaiting requestsReserved expectedWaitSeconds\n          longestCurrentWaitSeconds agentsReady agentsBusy agentsNotReady agentsLoggedIn agentState\n          averageHandleSeconds answered averageWaitSeconds maxWaitSeconds abandoned abandonedPercentage\n          averageAbandonWaitSeconds\n        }\n      }\n      ... on Error { code message }\n    }\n  }\n"): (typeof documents)["\n  query RoutingStatsQuery($type: RoutingObjectType!, $id: String!, $window: Int) {\n    routingStatistics(objectType: $type, objectId: $id, windowSeconds: $window) {\n      ... on QueryRoutingStatisticsSuccess {\n        data {\n          objectType objectId windowSeconds requestsWaiting requestsReserved expectedWaitSeconds\n          longestCurrentWaitSeconds agentsReady agentsBusy agentsNotReady agentsLoggedIn agentState\n          averageHandleSeconds answered averageWaitSeconds maxWaitSeconds abandoned abandonedPercentage\n          averageAbandonWaitSeconds\n        }\n      }\n      ... on Error { code message }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  subscription RoutingStatsLive {\n    routingQueueStatistics(virtualQueue: \"StatQ\") { requestsWaiting agentsReady }\n  }\n"): (typeof documents)["\n  subscription RoutingStatsLive {\n    routingQueueStatistics(virtualQueue: \"StatQ\") { requestsWaiting agentsReady }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query SmokeServerInfo {\n    serverInfo {\n      nodeId\n      version\n    }\n  }\n"): (typeof documents)["\n  query SmokeServerInfo {\n    serverInfo {\n      nodeId\n      version\n    }\n  }\n"];

export function graphql(source: string) {
  return (documents as any)[source] ?? {};
}

export type DocumentType<TDocumentNode extends DocumentNode<any, any>> = TDocumentNode extends DocumentNode<  infer TType,  any>  ? TType  : never;