import { graphql } from '../../gql';

export const ServiceTemplatesQuery = graphql(`
  query ToolsServiceTemplates {
    serviceTemplates {
      name
      description
      service
      type
      origin
      usedBy
      categories(includeAdvanced: true) {
        name
        parameters(includeAdvanced: true) {
          name
          label
          defaultValue
          description
          kind
        }
      }
    }
  }
`);

export const UploadServiceTemplateMutation = graphql(`
  mutation ToolsUploadServiceTemplate($file: File!, $replace: Boolean) {
    uploadServiceTemplate(file: $file, replace: $replace) {
      __typename
      ... on MutationUploadServiceTemplateSuccess {
        data {
          name
        }
      }
      ...ResultError
    }
  }
`);

export const DeleteServiceTemplateMutation = graphql(`
  mutation ToolsDeleteServiceTemplate($name: String!) {
    deleteServiceTemplate(name: $name) {
      __typename
      ...ResultError
    }
  }
`);
