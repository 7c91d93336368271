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
    "\n  mutation OfficeHoursCreate($input: OfficeHoursScheduleInput!) {\n    createOfficeHoursSchedule(input: $input) {\n      __typename\n      ... on MutationCreateOfficeHoursScheduleSuccess {\n        data {\n          name\n          description\n          timezone\n          version\n          options { name value }\n          holidays { name value }\n          preview { timezone days { date weekday periods { start end localStart localEnd } } }\n          status { open closesAt opensAt }\n        }\n      }\n      ... on ValidationError { code message field }\n      ... on Error { code message }\n    }\n  }\n": typeof types.OfficeHoursCreateDocument,
    "\n  mutation OfficeHoursUpdate($input: OfficeHoursScheduleChangeInput!) {\n    updateOfficeHoursSchedule(input: $input) {\n      __typename\n      ... on MutationUpdateOfficeHoursScheduleSuccess { data { version description options { name value } } }\n      ... on ValidationError { code message field }\n      ... on Error { code message }\n    }\n  }\n": typeof types.OfficeHoursUpdateDocument,
    "\n  mutation OfficeHoursDelete($name: String!) {\n    deleteOfficeHoursSchedule(name: $name) {\n      __typename\n      ... on MutationDeleteOfficeHoursScheduleSuccess { data }\n      ... on Error { code message }\n    }\n  }\n": typeof types.OfficeHoursDeleteDocument,
    "\n  mutation OfficeHoursAddHoliday($schedule: String!, $holiday: String!) {\n    addOfficeHoursHoliday(schedule: $schedule, holiday: $holiday) {\n      __typename\n      ... on MutationAddOfficeHoursHolidaySuccess { data { version holidays { name value } } }\n      ... on ValidationError { code message field }\n      ... on Error { code message }\n    }\n  }\n": typeof types.OfficeHoursAddHolidayDocument,
    "\n  mutation OfficeHoursRemoveHoliday($schedule: String!, $option: String!) {\n    removeOfficeHoursHoliday(schedule: $schedule, option: $option) {\n      __typename\n      ... on MutationRemoveOfficeHoursHolidaySuccess { data { holidays { name value } } }\n      ... on Error { code message }\n    }\n  }\n": typeof types.OfficeHoursRemoveHolidayDocument,
    "\n  query OfficeHoursList {\n    officeHoursSchedules { name version }\n    officeHoursSchedule(name: \"missing\") { name }\n  }\n": typeof types.OfficeHoursListDocument,
    "\n  query OfficeHoursRange($schedule: String!, $start: DateTime, $end: DateTime, $days: Int) {\n    officeHours(schedule: $schedule, start: $start, end: $end, days: $days) {\n      __typename\n      ... on QueryOfficeHoursSuccess { data { timezone days { date periods { start end } } } }\n      ... on ValidationError { code field }\n      ... on Error { code message }\n    }\n  }\n": typeof types.OfficeHoursRangeDocument,
    "\n  query OfficeHoursOpenAt($schedule: String!, $at: DateTime) {\n    officeHoursOpenAt(schedule: $schedule, at: $at) {\n      __typename\n      ... on QueryOfficeHoursOpenAtSuccess { data { open at timezone closesAt opensAt } }\n      ... on Error { code message }\n    }\n  }\n": typeof types.OfficeHoursOpenAtDocument,
    "\n  query OfficeHoursPreview($options: [OfficeHoursOptionInput!]!, $start: DateTime, $days: Int) {\n    officeHoursPreview(options: $options, start: $start, days: $days) {\n      __typename\n      ... on QueryOfficeHoursPreviewSuccess { data { days { date periods { start end } } } }\n      ... on ValidationError { code message field }\n    }\n  }\n": typeof types.OfficeHoursPreviewDocument,
    "\n  query SmokeServerInfo {\n    serverInfo {\n      nodeId\n      version\n    }\n  }\n": typeof types.SmokeServerInfoDocument,
};
const documents: Documents = {
    "\n  mutation OfficeHoursCreate($input: OfficeHoursScheduleInput!) {\n    createOfficeHoursSchedule(input: $input) {\n      __typename\n      ... on MutationCreateOfficeHoursScheduleSuccess {\n        data {\n          name\n          description\n          timezone\n          version\n          options { name value }\n          holidays { name value }\n          preview { timezone days { date weekday periods { start end localStart localEnd } } }\n          status { open closesAt opensAt }\n        }\n      }\n      ... on ValidationError { code message field }\n      ... on Error { code message }\n    }\n  }\n": types.OfficeHoursCreateDocument,
    "\n  mutation OfficeHoursUpdate($input: OfficeHoursScheduleChangeInput!) {\n    updateOfficeHoursSchedule(input: $input) {\n      __typename\n      ... on MutationUpdateOfficeHoursScheduleSuccess { data { version description options { name value } } }\n      ... on ValidationError { code message field }\n      ... on Error { code message }\n    }\n  }\n": types.OfficeHoursUpdateDocument,
    "\n  mutation OfficeHoursDelete($name: String!) {\n    deleteOfficeHoursSchedule(name: $name) {\n      __typename\n      ... on MutationDeleteOfficeHoursScheduleSuccess { data }\n      ... on Error { code message }\n    }\n  }\n": types.OfficeHoursDeleteDocument,
    "\n  mutation OfficeHoursAddHoliday($schedule: String!, $holiday: String!) {\n    addOfficeHoursHoliday(schedule: $schedule, holiday: $holiday) {\n      __typename\n      ... on MutationAddOfficeHoursHolidaySuccess { data { version holidays { name value } } }\n      ... on ValidationError { code message field }\n      ... on Error { code message }\n    }\n  }\n": types.OfficeHoursAddHolidayDocument,
    "\n  mutation OfficeHoursRemoveHoliday($schedule: String!, $option: String!) {\n    removeOfficeHoursHoliday(schedule: $schedule, option: $option) {\n      __typename\n      ... on MutationRemoveOfficeHoursHolidaySuccess { data { holidays { name value } } }\n      ... on Error { code message }\n    }\n  }\n": types.OfficeHoursRemoveHolidayDocument,
    "\n  query OfficeHoursList {\n    officeHoursSchedules { name version }\n    officeHoursSchedule(name: \"missing\") { name }\n  }\n": types.OfficeHoursListDocument,
    "\n  query OfficeHoursRange($schedule: String!, $start: DateTime, $end: DateTime, $days: Int) {\n    officeHours(schedule: $schedule, start: $start, end: $end, days: $days) {\n      __typename\n      ... on QueryOfficeHoursSuccess { data { timezone days { date periods { start end } } } }\n      ... on ValidationError { code field }\n      ... on Error { code message }\n    }\n  }\n": types.OfficeHoursRangeDocument,
    "\n  query OfficeHoursOpenAt($schedule: String!, $at: DateTime) {\n    officeHoursOpenAt(schedule: $schedule, at: $at) {\n      __typename\n      ... on QueryOfficeHoursOpenAtSuccess { data { open at timezone closesAt opensAt } }\n      ... on Error { code message }\n    }\n  }\n": types.OfficeHoursOpenAtDocument,
    "\n  query OfficeHoursPreview($options: [OfficeHoursOptionInput!]!, $start: DateTime, $days: Int) {\n    officeHoursPreview(options: $options, start: $start, days: $days) {\n      __typename\n      ... on QueryOfficeHoursPreviewSuccess { data { days { date periods { start end } } } }\n      ... on ValidationError { code message field }\n    }\n  }\n": types.OfficeHoursPreviewDocument,
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
export function graphql(source: "\n  mutation OfficeHoursCreate($input: OfficeHoursScheduleInput!) {\n    createOfficeHoursSchedule(input: $input) {\n      __typename\n      ... on MutationCreateOfficeHoursScheduleSuccess {\n        data {\n          name\n          description\n          timezone\n          version\n          options { name value }\n          holidays { name value }\n          preview { timezone days { date weekday periods { start end localStart localEnd } } }\n          status { open closesAt opensAt }\n        }\n      }\n      ... on ValidationError { code message field }\n      ... on Error { code message }\n    }\n  }\n"): (typeof documents)["\n  mutation OfficeHoursCreate($input: OfficeHoursScheduleInput!) {\n    createOfficeHoursSchedule(input: $input) {\n      __typename\n      ... on MutationCreateOfficeHoursScheduleSuccess {\n        data {\n          name\n          description\n          timezone\n          version\n          options { name value }\n          holidays { name value }\n          preview { timezone days { date weekday periods { start end localStart localEnd } } }\n          status { open closesAt opensAt }\n        }\n      }\n      ... on ValidationError { code message field }\n      ... on Error { code message }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation OfficeHoursUpdate($input: OfficeHoursScheduleChangeInput!) {\n    updateOfficeHoursSchedule(input: $input) {\n      __typename\n      ... on MutationUpdateOfficeHoursScheduleSuccess { data { version description options { name value } } }\n      ... on ValidationError { code message field }\n      ... on Error { code message }\n    }\n  }\n"): (typeof documents)["\n  mutation OfficeHoursUpdate($input: OfficeHoursScheduleChangeInput!) {\n    updateOfficeHoursSchedule(input: $input) {\n      __typename\n      ... on MutationUpdateOfficeHoursScheduleSuccess { data { version description options { name value } } }\n      ... on ValidationError { code message field }\n      ... on Error { code message }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation OfficeHoursDelete($name: String!) {\n    deleteOfficeHoursSchedule(name: $name) {\n      __typename\n      ... on MutationDeleteOfficeHoursScheduleSuccess { data }\n      ... on Error { code message }\n    }\n  }\n"): (typeof documents)["\n  mutation OfficeHoursDelete($name: String!) {\n    deleteOfficeHoursSchedule(name: $name) {\n      __typename\n      ... on MutationDeleteOfficeHoursScheduleSuccess { data }\n      ... on Error { code message }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation OfficeHoursAddHoliday($schedule: String!, $holiday: String!) {\n    addOfficeHoursHoliday(schedule: $schedule, holiday: $holiday) {\n      __typename\n      ... on MutationAddOfficeHoursHolidaySuccess { data { version holidays { name value } } }\n      ... on ValidationError { code message field }\n      ... on Error { code message }\n    }\n  }\n"): (typeof documents)["\n  mutation OfficeHoursAddHoliday($schedule: String!, $holiday: String!) {\n    addOfficeHoursHoliday(schedule: $schedule, holiday: $holiday) {\n      __typename\n      ... on MutationAddOfficeHoursHolidaySuccess { data { version holidays { name value } } }\n      ... on ValidationError { code message field }\n      ... on Error { code message }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation OfficeHoursRemoveHoliday($schedule: String!, $option: String!) {\n    removeOfficeHoursHoliday(schedule: $schedule, option: $option) {\n      __typename\n      ... on MutationRemoveOfficeHoursHolidaySuccess { data { holidays { name value } } }\n      ... on Error { code message }\n    }\n  }\n"): (typeof documents)["\n  mutation OfficeHoursRemoveHoliday($schedule: String!, $option: String!) {\n    removeOfficeHoursHoliday(schedule: $schedule, option: $option) {\n      __typename\n      ... on MutationRemoveOfficeHoursHolidaySuccess { data { holidays { name value } } }\n      ... on Error { code message }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query OfficeHoursList {\n    officeHoursSchedules { name version }\n    officeHoursSchedule(name: \"missing\") { name }\n  }\n"): (typeof documents)["\n  query OfficeHoursList {\n    officeHoursSchedules { name version }\n    officeHoursSchedule(name: \"missing\") { name }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query OfficeHoursRange($schedule: String!, $start: DateTime, $end: DateTime, $days: Int) {\n    officeHours(schedule: $schedule, start: $start, end: $end, days: $days) {\n      __typename\n      ... on QueryOfficeHoursSuccess { data { timezone days { date periods { start end } } } }\n      ... on ValidationError { code field }\n      ... on Error { code message }\n    }\n  }\n"): (typeof documents)["\n  query OfficeHoursRange($schedule: String!, $start: DateTime, $end: DateTime, $days: Int) {\n    officeHours(schedule: $schedule, start: $start, end: $end, days: $days) {\n      __typename\n      ... on QueryOfficeHoursSuccess { data { timezone days { date periods { start end } } } }\n      ... on ValidationError { code field }\n      ... on Error { code message }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query OfficeHoursOpenAt($schedule: String!, $at: DateTime) {\n    officeHoursOpenAt(schedule: $schedule, at: $at) {\n      __typename\n      ... on QueryOfficeHoursOpenAtSuccess { data { open at timezone closesAt opensAt } }\n      ... on Error { code message }\n    }\n  }\n"): (typeof documents)["\n  query OfficeHoursOpenAt($schedule: String!, $at: DateTime) {\n    officeHoursOpenAt(schedule: $schedule, at: $at) {\n      __typename\n      ... on QueryOfficeHoursOpenAtSuccess { data { open at timezone closesAt opensAt } }\n      ... on Error { code message }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query OfficeHoursPreview($options: [OfficeHoursOptionInput!]!, $start: DateTime, $days: Int) {\n    officeHoursPreview(options: $options, start: $start, days: $days) {\n      __typename\n      ... on QueryOfficeHoursPreviewSuccess { data { days { date periods { start end } } } }\n      ... on ValidationError { code message field }\n    }\n  }\n"): (typeof documents)["\n  query OfficeHoursPreview($options: [OfficeHoursOptionInput!]!, $start: DateTime, $days: Int) {\n    officeHoursPreview(options: $options, start: $start, days: $days) {\n      __typename\n      ... on QueryOfficeHoursPreviewSuccess { data { days { date periods { start end } } } }\n      ... on ValidationError { code message field }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query SmokeServerInfo {\n    serverInfo {\n      nodeId\n      version\n    }\n  }\n"): (typeof documents)["\n  query SmokeServerInfo {\n    serverInfo {\n      nodeId\n      version\n    }\n  }\n"];

export function graphql(source: string) {
  return (documents as any)[source] ?? {};
}

export type DocumentType<TDocumentNode extends DocumentNode<any, any>> = TDocumentNode extends DocumentNode<  infer TType,  any>  ? TType  : never;