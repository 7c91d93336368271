import { graphql } from '../../gql';

export const ResourceGroupsQuery = graphql(`
  query ToolsResourceGroups {
    resourceGroups {
      id
      name
      allocation
      locking
      bookingExpirationTimeout
      health {
        total
        booked
        free
      }
      resources {
        id
        name
        accessNumber
        booked
      }
    }
  }
`);

export const ResourcePoolsChanged = graphql(`
  subscription ToolsResourcePools {
    resourcePoolsChanged {
      group
      health {
        total
        booked
        free
      }
    }
  }
`);

export const CreateResourceGroupMutation = graphql(`
  mutation ToolsCreateResourceGroup($input: CreateResourceGroupInput!) {
    createResourceGroup(input: $input) {
      __typename
      ...ResultError
    }
  }
`);

export const UpdateResourceGroupMutation = graphql(`
  mutation ToolsUpdateResourceGroup($name: String!, $input: UpdateResourceGroupInput!) {
    updateResourceGroup(name: $name, input: $input) {
      __typename
      ...ResultError
    }
  }
`);

export const DeleteResourceGroupMutation = graphql(`
  mutation ToolsDeleteResourceGroup($name: String!) {
    deleteResourceGroup(name: $name) {
      __typename
      ...ResultError
    }
  }
`);

export const AddResourceMutation = graphql(`
  mutation ToolsAddResource($group: String!, $input: ResourceInput!) {
    addResource(group: $group, input: $input) {
      __typename
      ...ResultError
    }
  }
`);

export const UpdateResourceMutation = graphql(`
  mutation ToolsUpdateResource($group: String!, $name: String!, $input: UpdateResourceInput!) {
    updateResource(group: $group, name: $name, input: $input) {
      __typename
      ...ResultError
    }
  }
`);

export const RemoveResourceMutation = graphql(`
  mutation ToolsRemoveResource($group: String!, $name: String!) {
    removeResource(group: $group, name: $name) {
      __typename
      ...ResultError
    }
  }
`);

export const AddResourcesMutation = graphql(`
  mutation ToolsAddResources($group: String!, $input: ResourceBulkInput!) {
    addResources(group: $group, input: $input) {
      __typename
      ... on MutationAddResourcesSuccess {
        data {
          count
          total
        }
      }
      ...ResultError
    }
  }
`);

export const RemoveResourcesMutation = graphql(`
  mutation ToolsRemoveResources($group: String!, $input: ResourceBulkInput!, $force: Boolean) {
    removeResources(group: $group, input: $input, force: $force) {
      __typename
      ... on MutationRemoveResourcesSuccess {
        data {
          count
          total
        }
      }
      ...ResultError
    }
  }
`);
