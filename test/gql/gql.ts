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
    "\n  query TemplatesList {\n    serviceTemplates {\n      name\n      service\n      type\n      origin\n      presets {\n        name\n      }\n    }\n  }\n": typeof types.TemplatesListDocument,
    "\n  query TemplatesInspect($name: String!, $advanced: Boolean) {\n    serviceTemplate(name: $name) {\n      name\n      usedBy\n      categories(includeAdvanced: $advanced) {\n        name\n        parameters(includeAdvanced: $advanced) {\n          name\n          label\n          kind\n          type\n          defaultValue\n          values\n        }\n      }\n      parameters(includeAdvanced: $advanced) {\n        name\n      }\n      presets {\n        name\n        description\n        values {\n          name\n          value\n        }\n      }\n    }\n  }\n": typeof types.TemplatesInspectDocument,
    "\n  mutation TemplatesUpload($file: File!, $replace: Boolean) {\n    uploadServiceTemplate(file: $file, replace: $replace) {\n      __typename\n      ... on MutationUploadServiceTemplateSuccess {\n        data {\n          name\n          service\n          origin\n          parameters(includeAdvanced: true) {\n            name\n          }\n        }\n      }\n      ... on Error {\n        code\n        message\n      }\n      ... on ValidationError {\n        field\n      }\n    }\n  }\n": typeof types.TemplatesUploadDocument,
    "\n  mutation TemplatesReplace($name: String!, $file: File!) {\n    replaceServiceTemplate(name: $name, file: $file) {\n      __typename\n      ... on MutationReplaceServiceTemplateSuccess {\n        data {\n          name\n          description\n          origin\n        }\n      }\n      ... on Error {\n        code\n        message\n      }\n    }\n  }\n": typeof types.TemplatesReplaceDocument,
    "\n  mutation TemplatesDelete($name: String!) {\n    deleteServiceTemplate(name: $name) {\n      __typename\n      ... on MutationDeleteServiceTemplateSuccess {\n        data\n      }\n      ... on Error {\n        code\n        message\n      }\n    }\n  }\n": typeof types.TemplatesDeleteDocument,
    "\n  mutation TemplatesRestore($name: String!) {\n    restoreBundledServiceTemplate(name: $name) {\n      __typename\n      ... on MutationRestoreBundledServiceTemplateSuccess {\n        data {\n          name\n          origin\n        }\n      }\n    }\n  }\n": typeof types.TemplatesRestoreDocument,
    "\n  mutation TemplatesCreateService($input: CreateServiceInput!) {\n    createService(input: $input) {\n      __typename\n      ... on Error {\n        code\n      }\n    }\n  }\n": typeof types.TemplatesCreateServiceDocument,
    "\n  query SmokeServerInfo {\n    serverInfo {\n      nodeId\n      version\n    }\n  }\n": typeof types.SmokeServerInfoDocument,
};
const documents: Documents = {
    "\n  query TemplatesList {\n    serviceTemplates {\n      name\n      service\n      type\n      origin\n      presets {\n        name\n      }\n    }\n  }\n": types.TemplatesListDocument,
    "\n  query TemplatesInspect($name: String!, $advanced: Boolean) {\n    serviceTemplate(name: $name) {\n      name\n      usedBy\n      categories(includeAdvanced: $advanced) {\n        name\n        parameters(includeAdvanced: $advanced) {\n          name\n          label\n          kind\n          type\n          defaultValue\n          values\n        }\n      }\n      parameters(includeAdvanced: $advanced) {\n        name\n      }\n      presets {\n        name\n        description\n        values {\n          name\n          value\n        }\n      }\n    }\n  }\n": types.TemplatesInspectDocument,
    "\n  mutation TemplatesUpload($file: File!, $replace: Boolean) {\n    uploadServiceTemplate(file: $file, replace: $replace) {\n      __typename\n      ... on MutationUploadServiceTemplateSuccess {\n        data {\n          name\n          service\n          origin\n          parameters(includeAdvanced: true) {\n            name\n          }\n        }\n      }\n      ... on Error {\n        code\n        message\n      }\n      ... on ValidationError {\n        field\n      }\n    }\n  }\n": types.TemplatesUploadDocument,
    "\n  mutation TemplatesReplace($name: String!, $file: File!) {\n    replaceServiceTemplate(name: $name, file: $file) {\n      __typename\n      ... on MutationReplaceServiceTemplateSuccess {\n        data {\n          name\n          description\n          origin\n        }\n      }\n      ... on Error {\n        code\n        message\n      }\n    }\n  }\n": types.TemplatesReplaceDocument,
    "\n  mutation TemplatesDelete($name: String!) {\n    deleteServiceTemplate(name: $name) {\n      __typename\n      ... on MutationDeleteServiceTemplateSuccess {\n        data\n      }\n      ... on Error {\n        code\n        message\n      }\n    }\n  }\n": types.TemplatesDeleteDocument,
    "\n  mutation TemplatesRestore($name: String!) {\n    restoreBundledServiceTemplate(name: $name) {\n      __typename\n      ... on MutationRestoreBundledServiceTemplateSuccess {\n        data {\n          name\n          origin\n        }\n      }\n    }\n  }\n": types.TemplatesRestoreDocument,
    "\n  mutation TemplatesCreateService($input: CreateServiceInput!) {\n    createService(input: $input) {\n      __typename\n      ... on Error {\n        code\n      }\n    }\n  }\n": types.TemplatesCreateServiceDocument,
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
export function graphql(source: "\n  query TemplatesList {\n    serviceTemplates {\n      name\n      service\n      type\n      origin\n      presets {\n        name\n      }\n    }\n  }\n"): (typeof documents)["\n  query TemplatesList {\n    serviceTemplates {\n      name\n      service\n      type\n      origin\n      presets {\n        name\n      }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query TemplatesInspect($name: String!, $advanced: Boolean) {\n    serviceTemplate(name: $name) {\n      name\n      usedBy\n      categories(includeAdvanced: $advanced) {\n        name\n        parameters(includeAdvanced: $advanced) {\n          name\n          label\n          kind\n          type\n          defaultValue\n          values\n        }\n      }\n      parameters(includeAdvanced: $advanced) {\n        name\n      }\n      presets {\n        name\n        description\n        values {\n          name\n          value\n        }\n      }\n    }\n  }\n"): (typeof documents)["\n  query TemplatesInspect($name: String!, $advanced: Boolean) {\n    serviceTemplate(name: $name) {\n      name\n      usedBy\n      categories(includeAdvanced: $advanced) {\n        name\n        parameters(includeAdvanced: $advanced) {\n          name\n          label\n          kind\n          type\n          defaultValue\n          values\n        }\n      }\n      parameters(includeAdvanced: $advanced) {\n        name\n      }\n      presets {\n        name\n        description\n        values {\n          name\n          value\n        }\n      }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation TemplatesUpload($file: File!, $replace: Boolean) {\n    uploadServiceTemplate(file: $file, replace: $replace) {\n      __typename\n      ... on MutationUploadServiceTemplateSuccess {\n        data {\n          name\n          service\n          origin\n          parameters(includeAdvanced: true) {\n            name\n          }\n        }\n      }\n      ... on Error {\n        code\n        message\n      }\n      ... on ValidationError {\n        field\n      }\n    }\n  }\n"): (typeof documents)["\n  mutation TemplatesUpload($file: File!, $replace: Boolean) {\n    uploadServiceTemplate(file: $file, replace: $replace) {\n      __typename\n      ... on MutationUploadServiceTemplateSuccess {\n        data {\n          name\n          service\n          origin\n          parameters(includeAdvanced: true) {\n            name\n          }\n        }\n      }\n      ... on Error {\n        code\n        message\n      }\n      ... on ValidationError {\n        field\n      }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation TemplatesReplace($name: String!, $file: File!) {\n    replaceServiceTemplate(name: $name, file: $file) {\n      __typename\n      ... on MutationReplaceServiceTemplateSuccess {\n        data {\n          name\n          description\n          origin\n        }\n      }\n      ... on Error {\n        code\n        message\n      }\n    }\n  }\n"): (typeof documents)["\n  mutation TemplatesReplace($name: String!, $file: File!) {\n    replaceServiceTemplate(name: $name, file: $file) {\n      __typename\n      ... on MutationReplaceServiceTemplateSuccess {\n        data {\n          name\n          description\n          origin\n        }\n      }\n      ... on Error {\n        code\n        message\n      }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation TemplatesDelete($name: String!) {\n    deleteServiceTemplate(name: $name) {\n      __typename\n      ... on MutationDeleteServiceTemplateSuccess {\n        data\n      }\n      ... on Error {\n        code\n        message\n      }\n    }\n  }\n"): (typeof documents)["\n  mutation TemplatesDelete($name: String!) {\n    deleteServiceTemplate(name: $name) {\n      __typename\n      ... on MutationDeleteServiceTemplateSuccess {\n        data\n      }\n      ... on Error {\n        code\n        message\n      }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation TemplatesRestore($name: String!) {\n    restoreBundledServiceTemplate(name: $name) {\n      __typename\n      ... on MutationRestoreBundledServiceTemplateSuccess {\n        data {\n          name\n          origin\n        }\n      }\n    }\n  }\n"): (typeof documents)["\n  mutation TemplatesRestore($name: String!) {\n    restoreBundledServiceTemplate(name: $name) {\n      __typename\n      ... on MutationRestoreBundledServiceTemplateSuccess {\n        data {\n          name\n          origin\n        }\n      }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation TemplatesCreateService($input: CreateServiceInput!) {\n    createService(input: $input) {\n      __typename\n      ... on Error {\n        code\n      }\n    }\n  }\n"): (typeof documents)["\n  mutation TemplatesCreateService($input: CreateServiceInput!) {\n    createService(input: $input) {\n      __typename\n      ... on Error {\n        code\n      }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query SmokeServerInfo {\n    serverInfo {\n      nodeId\n      version\n    }\n  }\n"): (typeof documents)["\n  query SmokeServerInfo {\n    serverInfo {\n      nodeId\n      version\n    }\n  }\n"];

export function graphql(source: string) {
  return (documents as any)[source] ?? {};
}

export type DocumentType<TDocumentNode extends DocumentNode<any, any>> = TDocumentNode extends DocumentNode<  infer TType,  any>  ? TType  : never;