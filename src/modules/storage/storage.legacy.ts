import type { ParsedBody } from '../../http/body.js';
import { NO_CACHE_HEADERS, textResponse } from '../../http/http-errors.js';
import { storedFileHeaders } from '../../http/security-headers.js';
import type { StorageEntry, StorageInput, StoredValue } from './storage.manager.js';

/**
 * The GMS wire form of storage values (the Storage API, and a session's user data in the Service API):
 * a presenter other modules' legacy routes may use.
 */

/** A parsed legacy body as storage values: every text field and every file. */
export function storageInputFromBody(body: ParsedBody): StorageInput {
  return {
    text: { ...body.fields },
    binary: body.files.map((f) => ({
      key: f.field,
      filename: f.filename,
      contentType: f.contentType,
      data: f.data,
    })),
  };
}

/** GET of all keys: key → string. A binary value appears as the path that downloads it. */
export function storageEntryJson(
  entry: StorageEntry,
  binaryPath: (key: string) => string,
): Record<string, string> {
  return Object.fromEntries(
    entry.values.map((v) => [v.key, v.kind === 'text' ? (v.text ?? '') : binaryPath(v.key)]),
  );
}

/** One value, raw: text as text/plain, binary with its own bytes and content type. */
export function storedValueResponse(value: StoredValue): Response {
  if (value.kind === 'text') return textResponse(value.text ?? '');
  const data = value.data ?? Buffer.alloc(0);
  return new Response(new Uint8Array(data), {
    status: 200,
    headers: {
      'content-type': value.contentType ?? 'application/octet-stream',
      'content-length': String(data.length),
      ...NO_CACHE_HEADERS,
      // Uploaded by anyone: never rendered as a page on the API's origin.
      ...storedFileHeaders(value.contentType, value.filename),
    },
  });
}
