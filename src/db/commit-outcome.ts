import type { Sql } from 'postgres';
import { CommitOutcomeUnknownError, isDatabaseUnreachable } from './availability.js';

type Begin = (...args: unknown[]) => Promise<unknown>;

/**
 * Tells a lost COMMIT apart from a lost transaction. postgres.js runs a transaction's callback, then
 * sends `commit`; when the connection dies after the callback succeeded, the database may have
 * committed (PostgreSQL stopping between writing the commit record and answering it) and the caller
 * must not be told that nothing happened. Such a failure is rethrown as CommitOutcomeUnknownError
 * (still a 503 to retry, db/availability.ts); one before the callback finished keeps its own error,
 * since nothing of that transaction can have been committed.
 */
export function reportingCommitOutcome<T extends Sql>(client: T): T {
  return new Proxy(client, {
    get(target, property, receiver) {
      const value: unknown = Reflect.get(target, property, receiver);
      if (property !== 'begin' || typeof value !== 'function') return value;
      const begin = value as Begin;
      return async (...args: unknown[]) => {
        let bodyDone = false;
        const last = args.length - 1;
        const fn = args[last];
        if (typeof fn === 'function')
          args[last] = async (sql: Sql) => {
            // postgres.js awaits an array answer as Promise.all: keep that.
            const answer: unknown = (fn as (sql: Sql) => unknown)(sql);
            const result: unknown = await (Array.isArray(answer) ? Promise.all(answer) : answer);
            bodyDone = true;
            return result;
          };
        try {
          return await begin.apply(target, args);
        } catch (err) {
          if (bodyDone && isDatabaseUnreachable(err)) throw new CommitOutcomeUnknownError(err);
          throw err;
        }
      };
    },
  });
}
