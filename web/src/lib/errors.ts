import { graphql } from '../gql';

/**
 * The error member of every result union, selected once: each console document spreads
 * `...ResultError` where it would otherwise repeat `... on ValidationError { field message }` and
 * `... on Error { message }` (a validation error also names the field at fault).
 */
export const ResultErrorFragment = graphql(`
  fragment ResultError on Error {
    message
    ... on ValidationError {
      field
    }
  }
`);

/** A mutation's result union: success, or an error with a message (and for validation, the field at fault). */
export interface FieldError {
  field: string | null;
  message: string;
}

type ResultUnion = { __typename?: string } & ({ message: string; field?: string | null } | object);

/**
 * The error of an operation, or null on success (`…Success` typename): the request's own failure
 * first (network or GraphQL errors, urql's `result.error`), then the error member of the union.
 */
export function resultError(
  result: ResultUnion | null | undefined,
  requestError?: { message: string } | null,
): FieldError | null {
  if (requestError) return { field: null, message: requestError.message };
  if (!result) return { field: null, message: 'No answer from the server' };
  if (result.__typename?.endsWith('Success')) return null;
  if ('message' in result)
    return { field: ('field' in result && result.field) || null, message: result.message };
  return null;
}
