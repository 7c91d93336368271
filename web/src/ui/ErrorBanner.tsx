import type { FieldError } from '../lib/errors';

/**
 * A refusal shown under a form: the message, after the field at fault when there is one
 * ("field: message"). In a toolbar it takes a row of its own.
 */
export function ErrorBanner({ error, id }: { error: FieldError | string | null; id?: string }) {
  if (!error) return null;
  const text =
    typeof error === 'string' ? error : error.field ? `${error.field}: ${error.message}` : error.message;
  return (
    <div id={id} className="banner error" role="alert" style={{ flexBasis: '100%' }}>
      {text}
    </div>
  );
}
