import { graphql } from '../../gql';

export const CallbackQueueQuery = graphql(`
  query CallbackQueuePage(
    $service: String
    $states: [CallbackState!]
    $from: DateTime
    $to: DateTime
    $limit: Int!
    $offset: Int!
  ) {
    callbackQueue(service: $service, states: $states, from: $from, to: $to, limit: $limit, offset: $offset) {
      id
      serviceName
      state
      customerNumber
      desiredTime
      createdAt
      agentId
      virtualQueue
      queuePosition {
        position
        eta
      }
    }
  }
`);

export const CallbackServicesQuery = graphql(`
  query CallbackServices {
    services {
      name
      serviceType
    }
  }
`);

/** Only a trigger: any change to the matching callbacks re-reads the page shown. */
export const CallbackQueueChanged = graphql(`
  subscription CallbackQueueChanged($service: String, $states: [CallbackState!]) {
    callbackQueueChanges(service: $service, states: $states, limit: 1) {
      id
    }
  }
`);

export const CancelCallbacksMutation = graphql(`
  mutation CallbackCancel($ids: [ID!]!) {
    adminCancelCallbacks(ids: $ids) {
      __typename
      ... on MutationAdminCancelCallbacksSuccess {
        data {
          cancelled
          notCancelled
        }
      }
      ...ResultError
    }
  }
`);

export const CallbackDetailsQuery = graphql(`
  query CallbackDetails($id: ID!) {
    callback(id: $id) {
      id
      serviceName
      state
      reason
      customerNumber
      desiredTime
      createdAt
      updatedAt
      completedAt
      mediaType
      callDirection
      target
      virtualQueue
      agentId
      connectCount
      connectLimit
      record
      queuePosition {
        position
        eta
      }
    }
  }
`);

export const RescheduleCallbackMutation = graphql(`
  mutation CallbackReschedule($id: ID!, $desiredTime: DateTime!) {
    rescheduleCallback(id: $id, desiredTime: $desiredTime) {
      __typename
      ... on MutationRescheduleCallbackSuccess {
        data {
          id
          state
          desiredTime
        }
      }
      ...ResultError
    }
  }
`);
