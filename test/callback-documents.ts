import { graphql } from './gql/index.js';

/** A callback's stored dialog (the typed value its start or last continuation answered with). */
export const CallbackDialogQuery = graphql(`
  query CallbackStoredDialog($id: ID!) {
    callback(id: $id) {
      dialog {
        __typename
        action
        ... on CallbackDialNumberDialog {
          accessNumber
          accessCode
          expiresAt
        }
      }
    }
  }
`);
