import { graphql } from '../../gql';

export const ServicesPageQuery = graphql(`
  query ServicesPage($advanced: Boolean!) {
    serviceTemplates {
      name
      description
      presets {
        name
        description
        values {
          name
          value
        }
      }
      # Every parameter, advanced too: a new service needs a value for each mandatory one without a default.
      mandatory: parameters(includeAdvanced: true) {
        name
        label
        kind
        defaultValue
        description
      }
      parameters(includeAdvanced: $advanced) {
        name
        label
        kind
        type
        description
        category
      }
    }
    services {
      name
      type
      serviceType
      template
      preset
      url
      options(includeAdvanced: $advanced) {
        name
        value
        kind
        locked
        label
        type
        description
        category
      }
    }
  }
`);

export const CreateServiceMutation = graphql(`
  mutation ServicesCreate($input: CreateServiceInput!) {
    createService(input: $input) {
      __typename
      ... on MutationCreateServiceSuccess {
        data {
          service {
            name
            url
          }
          warnings {
            field
            message
          }
        }
      }
      ...ResultError
    }
  }
`);

export const UpdateServiceMutation = graphql(`
  mutation ServicesUpdate($input: UpdateServiceInput!) {
    updateService(input: $input) {
      __typename
      ... on MutationUpdateServiceSuccess {
        data {
          service {
            name
          }
          warnings {
            field
            message
          }
        }
      }
      ...ResultError
    }
  }
`);

export const DeleteServiceMutation = graphql(`
  mutation ServicesDelete($name: String!) {
    deleteService(name: $name) {
      __typename
      ...ResultError
    }
  }
`);
