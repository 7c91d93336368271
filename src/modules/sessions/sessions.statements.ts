import { type SQL, sql } from 'drizzle-orm';
import type { DbOrTx } from '../../db/client.js';
import { placeholders, preparedQuery } from '../../db/prepared-queries.js';
import type { ActivityRecorder } from '../report/activity.manager.js';
import { type SessionRow, sessionsTable } from './sessions.tables.js';

// The SQL of a new session (SessionManager.create): built once, run as prepared statements.

/** Every column of a session row: the insert of a new session, built once (prepared-queries.ts). */
const sessionColumns = [
  'id',
  'serviceName',
  'serviceType',
  'type',
  'dataId',
  'gmsUser',
  'ownerTokenHash',
  'params',
  'requestParams',
  'nodeId',
  'createdAt',
  'updatedAt',
  'expiresAt',
] as const satisfies readonly (keyof SessionRow)[];
export const insertSession = preparedQuery((db: DbOrTx) =>
  db.insert(sessionsTable).values(placeholders(sessionColumns)).returning().prepare('sessions_insert'),
);

/**
 * The session row after the caller's CTEs (its user data), with its access row when recorded, and
 * the service type's prelude (a one-row CTE the row is inserted from, so it runs first).
 */
export function insertWithDataStatement(
  data: SQL,
  activity: ActivityRecorder | null,
  prelude: SQL | null,
  from: string | null,
): SQL {
  const p = (name: string) => sql.placeholder(name);
  const now = sql`${p('now')}::timestamptz`;
  const access = activity
    ? sql`, ${activity.serviceAccessInsert({
        name: 'session_access',
        at: now,
        nodeId: sql`${p('node')}::int`,
        service: sql`${p('serviceName')}::text`,
        sessionId: sql`${p('id')}::text`,
      })}`
    : sql``;
  const values = sql`${p('id')}, ${p('serviceName')}, ${p('serviceType')}, ${p('type')}, ${p('dataId')},
      ${p('gmsUser')}, ${p('token')}, ${p('params')}::jsonb, ${p('requestParams')}::jsonb,
      ${p('node')}::int, ${now}, ${now}, ${p('expires')}::timestamptz`;
  return sql`with ${prelude ? sql`${prelude}, ` : sql``}${data}${access}
    insert into ${sessionsTable} (id, service_name, service_type, type, data_id, gms_user,
      owner_token_hash, params, request_params, node_id, created_at, updated_at, expires_at)
    ${from ? sql`select ${values} from ${sql.raw(from)}` : sql`values (${values})`}`;
}
