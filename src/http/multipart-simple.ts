/**
 * A multipart/form-data body read whole, parsed without busboy when it has the plain shape legacy
 * clients send (curl -F, browsers' FormData, the bench): text fields only, each part with a single
 * `Content-Disposition: form-data; name="…"` header. busboy costs a Writable, a stream search, a
 * header parser and events per part: ~8 % of the server's CPU on a multipart request-interaction
 * (issue 18, BENCHMARKS.md).
 *
 * Anything else answers null and goes to busboy as before: files, other part headers, a quoted or
 * parameterised boundary, non-ASCII or escaped names, a preamble or epilogue, a value at the field
 * size limit, as many parts or fields as the limits allow. So this parser only ever accepts bodies
 * on which busboy gives the same fields (multipart-simple.test.ts compares the two on generated
 * bodies): values are UTF-8 (busboy's default charset, decoded the same way), a repeated name keeps
 * its last value.
 */

/** The boundary when the Content-Type is exactly `multipart/form-data; boundary=<token>`. */
const CONTENT_TYPE = /^multipart\/form-data; ?boundary=([0-9A-Za-z'+_.-]{1,70})$/i;
/** The part's one header, after its (case-insensitive) name: printable ASCII names without `"` or `\`. */
const DISPOSITION = /^ form-data; name="([\x20\x21\x23-\x5b\x5d-\x7e]{1,200})"$/;
const HEADER_NAME = 'content-disposition:';
const CR = 13;
const LF = 10;
const DASH = 45;

export interface SimpleMultipartLimits {
  fields: number;
  parts: number;
  /** busboy's fieldSize: a value of this many bytes or more is truncated (a 413 here). */
  fieldSize: number;
}

const isCrLf = (body: Buffer, at: number) => body[at] === CR && body[at + 1] === LF;

/** The fields of `body`, or null when it is not of the plain shape (then busboy decides). */
export function parseSimpleMultipart(
  body: Buffer,
  contentType: string,
  limits: SimpleMultipartLimits,
): Record<string, string> | null {
  const boundary = CONTENT_TYPE.exec(contentType)?.[1];
  if (boundary === undefined) return null;
  const delimiter = `--${boundary}`;
  // The opening delimiter first: no preamble.
  if (body.toString('latin1', 0, delimiter.length) !== delimiter || !isCrLf(body, delimiter.length))
    return null;
  const separator = Buffer.from(`\r\n${delimiter}`, 'latin1');
  const fields: Record<string, string> = {};
  let count = 0;
  let pos = delimiter.length + 2;
  for (;;) {
    const lineEnd = body.indexOf('\r\n', pos, 'latin1');
    if (lineEnd < 0) return null;
    const line = body.toString('latin1', pos, lineEnd);
    if (line.slice(0, HEADER_NAME.length).toLowerCase() !== HEADER_NAME) return null;
    const name = DISPOSITION.exec(line.slice(HEADER_NAME.length))?.[1];
    if (name === undefined || !isCrLf(body, lineEnd + 2)) return null;
    const valueStart = lineEnd + 4;
    // The first separator after the part's start must end its value (busboy searches the stream
    // for it, so one overlapping the blank line would be read differently).
    const valueEnd = body.indexOf(separator, pos);
    if (valueEnd < valueStart) return null;
    if (valueEnd - valueStart >= limits.fieldSize) return null;
    count++;
    // busboy counts the closing delimiter as the start of one more part.
    if (count >= limits.parts || count > limits.fields) return null;
    fields[name] = body.toString('utf8', valueStart, valueEnd);
    pos = valueEnd + separator.length;
    if (body[pos] === DASH && body[pos + 1] === DASH) {
      pos += 2;
      // The close delimiter, then nothing or a CRLF: no epilogue.
      return pos === body.length || (pos + 2 === body.length && isCrLf(body, pos)) ? fields : null;
    }
    if (!isCrLf(body, pos)) return null;
    pos += 2;
  }
}
