/**
 * Response headers that keep what the API serves from running as a page on the API's origin
 * (issue 16 finding 3: an anonymous Storage upload served back inline as text/html).
 *
 * - every response: `X-Content-Type-Options: nosniff`, so a browser never guesses a type;
 * - every response but the console's and GraphiQL's (they set CONSOLE_CSP, which allows their
 *   own bundled assets): a CSP that lets nothing load or run, and `sandbox`, so even an HTML body
 *   opened directly gets an opaque origin;
 * - stored files of a type a browser could render actively (HTML, SVG, XML, script, PDF, and
 *   anything not known to be passive): `Content-Disposition: attachment`.
 */
export const API_CSP =
  "default-src 'none'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'; sandbox";

/** Types a browser shows inline without running anything: served inline; the rest download. */
const PASSIVE_TYPES =
  /^(image\/(png|jpeg|gif|webp|bmp|avif|x-icon)|audio\/[\w.+-]+|video\/[\w.+-]+|text\/plain|application\/json|application\/octet-stream)$/;

const mediaType = (contentType: string | null) =>
  (contentType ?? '').split(';')[0]?.trim().toLowerCase() ?? '';

/** True when a stored file of this type must be downloaded, not rendered. */
export function isActiveContentType(contentType: string | null): boolean {
  return !PASSIVE_TYPES.test(mediaType(contentType));
}

/** `attachment; filename=...` with an ASCII fallback and the RFC 5987 UTF-8 form. */
export function attachmentDisposition(filename: string | null): string {
  if (!filename) return 'attachment';
  const ascii = filename.replace(/[^\x20-\x7e]|["\\]/g, '_');
  const encoded = encodeURIComponent(filename).replace(/['()*]/g, (c) => `%${c.charCodeAt(0).toString(16)}`);
  return `attachment; filename="${ascii}"; filename*=UTF-8''${encoded}`;
}

/** Headers for a stored (user-supplied) file. */
export function storedFileHeaders(
  contentType: string | null,
  filename: string | null,
): Record<string, string> {
  const headers: Record<string, string> = { 'x-content-type-options': 'nosniff' };
  if (isActiveContentType(contentType)) headers['content-disposition'] = attachmentDisposition(filename);
  return headers;
}

/** The response with `headers` set (copied once if its headers are immutable). */
export function withHeaders(response: Response, headers: Record<string, string>): Response {
  try {
    for (const [k, v] of Object.entries(headers)) response.headers.set(k, v);
    return response;
  } catch {
    const copy = new Response(response.body, response);
    for (const [k, v] of Object.entries(headers)) copy.headers.set(k, v);
    return copy;
  }
}

/**
 * nosniff on everything; the API CSP unless the response brought its own (GraphiQL) or is the
 * console's (its HTML carries CONSOLE_CSP; its scripts and workers must not get `default-src 'none'`).
 */
export function withSecurityHeaders(response: Response, isConsole: boolean): Response {
  const headers: Record<string, string> = { 'x-content-type-options': 'nosniff' };
  if (!isConsole && !response.headers.has('content-security-policy'))
    headers['content-security-policy'] = API_CSP;
  return withHeaders(response, headers);
}
