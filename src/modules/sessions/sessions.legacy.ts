import type { ParsedBody } from '../../http/body.js';
import type { RequestParams } from './session-handlers.js';

/** GMS's rule: keys starting with `_` are control parameters, every other key (files too) user data. */
export function requestParamsFromBody(body: ParsedBody): RequestParams {
  const control: Record<string, string> = {};
  const userData: Record<string, string> = {};
  for (const [k, v] of Object.entries(body.fields)) (k.startsWith('_') ? control : userData)[k] = v;
  return {
    control,
    userData,
    files: body.files.map((f) => ({
      key: f.field,
      filename: f.filename,
      contentType: f.contentType,
      data: f.data,
    })),
  };
}
