import type { TypedDocumentNode } from '@graphql-typed-document-node/core';
import { print } from 'graphql';
import type { TestApp } from './harness.js';

export interface SseSubscription<R> {
  /** The next result; throws when the stream ended or carried errors. */
  next(): Promise<R>;
  /** The next result, or null once the server completed the stream. */
  nextOrEnd(): Promise<R | null>;
  close(): Promise<void>;
}

/** A GraphQL subscription over SSE (graphql-yoga's `text/event-stream`), read event by event. */
export async function sseSubscription<R, V extends Record<string, unknown>>(
  t: TestApp,
  doc: TypedDocumentNode<R, V>,
  variables: V,
  headers: Record<string, string> = {},
): Promise<SseSubscription<R>> {
  const response = await t.fetch('/graphql', {
    method: 'POST',
    headers: { 'content-type': 'application/json', accept: 'text/event-stream', ...headers },
    body: JSON.stringify({ query: print(doc), variables }),
  });
  if (response.status !== 200 || !response.body)
    throw new Error(`subscription refused: ${response.status} ${await response.text()}`);
  const reader = response.body.getReader();
  const decoder = new TextDecoder();
  let buffer = '';
  const nextOrEnd = async (): Promise<R | null> => {
    for (;;) {
      const end = buffer.indexOf('\n\n');
      if (end >= 0) {
        const block = buffer.slice(0, end);
        buffer = buffer.slice(end + 2);
        if (/^event:\s*complete/m.test(block)) return null;
        const data = block
          .split('\n')
          .filter((l) => l.startsWith('data:'))
          .map((l) => l.slice(5).trim())
          .join('');
        if (!data) continue;
        const parsed = JSON.parse(data) as { data?: R; errors?: unknown };
        if (parsed.errors) throw new Error(JSON.stringify(parsed.errors));
        if (parsed.data) return parsed.data;
        continue;
      }
      const { value, done } = await reader.read();
      if (done) return null;
      buffer += decoder.decode(value, { stream: true });
    }
  };
  return {
    nextOrEnd,
    async next() {
      const value = await nextOrEnd();
      if (value === null) throw new Error('stream ended');
      return value;
    },
    close: () => reader.cancel(),
  };
}
