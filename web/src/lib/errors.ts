/** A mutation's result union: success, or an error with a message (and for validation, the field at fault). */
export interface FieldError {
  field: string | null;
  message: string;
}

type ResultUnion = { __typename?: string } & ({ message: string; field?: string | null } | object);

/** The error of a result union, or null on success (`…Success` typename). */
export function resultError(result: ResultUnion | null | undefined): FieldError | null {
  if (!result) return { field: null, message: 'No answer from the server' };
  if (result.__typename?.endsWith('Success')) return null;
  if ('message' in result)
    return { field: ('field' in result && result.field) || null, message: result.message };
  return null;
}
