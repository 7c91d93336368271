/**
 * The next `n` values of an async iterator (a subscription, an event stream), failing with
 * "timeout" when they do not all arrive within `timeoutMs`. Stops early when the iterator ends.
 */
export async function take<T>(
  it: { next(): Promise<IteratorResult<T>> },
  n: number,
  timeoutMs = 5000,
): Promise<T[]> {
  const out: T[] = [];
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error('timeout')), timeoutMs);
  });
  try {
    while (out.length < n) {
      const r = await Promise.race([it.next(), timeout]);
      if (r.done) break;
      out.push(r.value);
    }
  } finally {
    clearTimeout(timer);
  }
  return out;
}
