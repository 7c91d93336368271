import { graphql } from '../../gql';

export const PatternGroupsQuery = graphql(`
  query ToolsPatternGroups {
    patternGroups {
      id
      name
      patterns {
        id
        name
        regex
        position
      }
    }
  }
`);

export const TestPatternGroupQuery = graphql(`
  query ToolsTestPatternGroup($group: String!, $value: String!) {
    testPatternGroup(group: $group, value: $value) {
      __typename
      ... on QueryTestPatternGroupSuccess {
        data {
          firstMatch
          rows {
            patternName
            matched
          }
        }
      }
      ...ResultError
    }
  }
`);

export const CreatePatternGroupMutation = graphql(`
  mutation ToolsCreatePatternGroup($name: String!) {
    createPatternGroup(name: $name) {
      __typename
      ...ResultError
    }
  }
`);

export const DeletePatternGroupMutation = graphql(`
  mutation ToolsDeletePatternGroup($name: String!) {
    deletePatternGroup(name: $name) {
      __typename
      ...ResultError
    }
  }
`);

export const AddPatternMutation = graphql(`
  mutation ToolsAddPattern($group: String!, $name: String!, $regex: String!) {
    addPattern(group: $group, name: $name, regex: $regex) {
      __typename
      ...ResultError
    }
  }
`);

export const RemovePatternMutation = graphql(`
  mutation ToolsRemovePattern($group: String!, $name: String!) {
    removePattern(group: $group, name: $name) {
      __typename
      ...ResultError
    }
  }
`);
