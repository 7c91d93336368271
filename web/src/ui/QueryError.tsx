import type { CombinedError } from '@urql/core';

/** An API failure as a message with a retry, never a blank screen. */
export function QueryError({ error, retry }: { error: CombinedError | Error | string; retry?: () => void }) {
  const message = typeof error === 'string' ? error : describeError(error);
  return (
    <div className="banner error" role="alert">
      <span>{message}</span>{' '}
      {retry && (
        <button type="button" onClick={retry}>
          Retry
        </button>
      )}
    </div>
  );
}

export function describeError(error: CombinedError | Error): string {
  if ('networkError' in error && error.networkError)
    return `The server did not answer: ${error.networkError.message}`;
  if ('graphQLErrors' in error && error.graphQLErrors.length > 0)
    return error.graphQLErrors.map((e) => e.message).join('; ');
  return error.message;
}
