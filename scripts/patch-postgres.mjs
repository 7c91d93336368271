// Patches postgres.js (the `postgres` package) where it loses data or the process when a connection
// dies (RELIABILITY.md). First, a crash that takes the whole process down when a connection closes
// with a small write still scheduled: `nextWrite` runs from a setImmediate after `closed()` has set
// `socket = null` and throws "Cannot read properties of null (reading 'write')" outside any promise
// (porsager/postgres#1154, #1208; fix proposed in #1168/#1209, not released as of 3.4.9). The fault
// drill hit it on every Postgres stop under load. The patch: `nextWrite` on a closed connection drops
// the write and fails what was waiting (CONNECTION_CLOSED, a catchable error), and teardown resets
// the write timer so a reconnected socket flushes again. The other edits say why where they are.
// Idempotent; run by scripts/prepare.mjs after every install. Remove each once upstream ships it.
import { existsSync, readFileSync, writeFileSync } from 'node:fs';

const MARK = '/* gms-engage: closed-socket write guard */';
const inPackage = (files) =>
  files.map((f) => new URL(`../node_modules/postgres/${f}`, import.meta.url).pathname);
const files = inPackage(['src/connection.js', 'cjs/src/connection.js', 'cf/src/connection.js']);

// Each edit is applied once: a file keeps the edits already made, so an edit added later still lands.
const connectionEdits = [
  [
    '  function nextWrite(fn) {\n    const x = socket.write(chunk, fn)',
    `  function nextWrite(fn) {\n    ${MARK}\n    if (!socket) {\n      chunk = nextWriteTimer = null\n      error(Errors.connection('CONNECTION_CLOSED', options))\n      return false\n    }\n    const x = socket.write(chunk, fn)`,
  ],
  // terminate() and closed(): cancel the scheduled write and forget it, or the next socket never flushes.
  [
    '    clearImmediate(nextWriteTimer)\n',
    '    clearImmediate(nextWriteTimer), nextWriteTimer = chunk = null\n',
  ],
  // The array-type lookup a new connection runs before its first query: when the connection dies
  // during it (the database stopping; pool-sockets.ts cutting an attempt off), its promise rejected
  // with no handler — an unhandled rejection, which ends a Node process. The connection's failure
  // still reaches the queued queries through its close; the next connection looks the types up again.
  [
    '        return fetchArrayTypes()\n',
    '        return fetchArrayTypes().catch(() => { /* gms-engage: settled by the close */ })\n',
  ],
  // A backend's FATAL error (an administrator's termination, PostgreSQL stopping) was kept after the
  // close and thrown again at the first query of the reconnected connection, which had succeeded
  // (porsager/postgres#1223): one spurious failure per connection after every restart, and a false
  // "database down". The close forgets it, after failing the query it was meant for with it.
  [
    '  async function closed(hadError) {\n    incoming = Buffer.alloc(0)\n',
    '  async function closed(hadError) {\n    /* gms-engage: no stale error after a close */\n    const fatal = errorResponse\n    errorResponse = null\n    incoming = Buffer.alloc(0)\n',
  ],
  [
    "    !hadError && (query || sent.length) && error(Errors.connection('CONNECTION_CLOSED', options, socket))\n",
    "    !hadError && (query || sent.length) && error(fatal || Errors.connection('CONNECTION_CLOSED', options, socket))\n",
  ],
  // Statements queued in one turn of the event loop go out in one socket write (postgres.js flushes
  // them from a setImmediate), not in a write each time the pending bytes pass 1 KB: a
  // request-interaction's `begin` and 7 statements (~1.7 KB) took two writes, so two wake-ups of its
  // backend (issue 18). Past 16 KB (bulk statements) a write still goes out at once (each statement
  // is appended by a copy).
  [
    '    if (fn || chunk.length >= 1024)\n',
    '    if (fn || chunk.length >= 16384) /* gms-engage: one write per turn */\n',
  ],
  // A query that answered lets go of its arguments and their serialized text (an event batch's
  // JSON, a storage value). Finished queries are kept past young-generation collections after they
  // died (measured, not explained: with a 4× larger young generation the same bytes a second were
  // promoted, so it is not their lifetime; a heap snapshot finds none alive), and everything they
  // hold is promoted with them: on a publishing instance that was 0.84 KB a publish, a full
  // collection every ~8 s. Without the arguments: 0.48 KB a publish, half the full collections in
  // the cross-instance push bench (BENCHMARKS.md). A failed query keeps them for its error.
  [
    '        query.resolve(results || result)\n      }\n',
    '        query.resolve(results || result)\n        /* gms-engage: a finished query drops its arguments */\n        query.parameters = query.args = query.strings = null\n      }\n',
  ],
  // A prepared statement is found by its signature: the parameter types joined, then the SQL text.
  // That string was built anew for every query, and looking it up flattened and hashed the whole text
  // again (a request-interaction's claim is ~4 KB): ~3 % of the server's CPU (issue 18). Now each
  // text's signatures are kept (at most 1,000 texts; then the cache starts over), so a text built
  // once (prepared-queries.ts) is looked up by the same string object, its hash already known.
  [
    '    q.signature = q.prepare && types + string\n',
    '    q.signature = q.prepare && signatureOf(types, string) /* gms-engage: cached signature */\n',
  ],
  [
    '\nfunction Connection(options, queues = {}',
    `
/* gms-engage: cached signatures */
const signatures = new Map()
function signatureOf(types, string) {
  let byTypes = signatures.get(string)
  if (byTypes === undefined) {
    signatures.size >= 1000 && signatures.clear()
    signatures.set(string, byTypes = new Map())
  }
  const key = types.join()
  let signature = byTypes.get(key)
  signature === undefined && byTypes.set(key, signature = key + string)
  return signature
}

function Connection(options, queues = {}`,
  ],
];

// A transaction's `begin` is sent together with its first statements instead of alone (issue 18:
// one round trip less per transaction — a socket write and a wake-up on both sides). postgres.js
// waited for `begin`'s answer before running the transaction's callback; now it waits only until
// `begin` is on its connection (then takes the connection for the transaction, so everything the
// callback sends is pipelined behind `begin`), and awaits `begin`'s answer before `commit`: a failed `begin` still fails the
// transaction and rolls back. The Cloudflare build (cf/) differs and is not used here.
const beginEdits = [
  [
    "      await sql.unsafe('begin ' + options.replace(/[^a-z ]/ig, ''), [], { onexecute }).execute()\n" +
      '      return await Promise.race([\n' +
      '        scope(connection, fn),\n',
    '      /* gms-engage: begin pipelined with the first statements */\n' +
      '      let sent\n' +
      '      const dispatched = new Promise(resolve => sent = resolve)\n' +
      "      const began = sql.unsafe('begin ' + options.replace(/[^a-z ]/ig, ''), [], { onexecute: c => (sent(), onexecute(c)) }).execute()\n" +
      '      began.catch(() => { /* awaited in scope, before commit */ })\n' +
      '      await Promise.race([dispatched, began])\n' +
      // The pool parked the connection as `full` behind `begin` (so it takes no other query); it is
      // this transaction's now, and what the callback sends goes straight behind `begin`.
      '      connection && move(connection, reserved)\n' +
      '      return await Promise.race([\n' +
      '        scope(connection, fn, undefined, began),\n',
  ],
  ['    async function scope(c, fn, name) {\n', '    async function scope(c, fn, name, began) {\n'],
  // A transaction whose connection closed must run nothing more: the pool reconnects that connection
  // for other queries, and a statement the callback sends afterwards (or one queued behind the
  // transaction) ran there outside any transaction, committed on its own — rows of a transaction
  // that was reported failed (porsager/postgres#1155, #1215). Its statements are failed instead.
  [
    '    let savepoints = 0\n      , connection\n',
    '    let savepoints = 0\n      , lost = null\n      , connection\n',
  ],
  [
    '        new Promise((_, reject) => connection.onclose = reject)\n',
    '        new Promise((_, reject) => connection.onclose = e => {\n          /* gms-engage: a lost transaction runs nothing more */\n          lost = e\n          while (queries.length) queries.shift().reject(e)\n          reject(e)\n        })\n',
  ],
  [
    '        q.catch(e => uncaughtError || (uncaughtError = e))\n        c.queue === full\n',
    '        q.catch(e => uncaughtError || (uncaughtError = e))\n        if (lost)\n          return q.reject(lost)\n        c.queue === full\n',
  ],
  [
    '        if (uncaughtError)\n          throw uncaughtError\n      } catch (e) {\n',
    '        if (uncaughtError)\n          throw uncaughtError\n        began && await began\n      } catch (e) {\n',
  ],
];

let patched = 0;
for (const [file, edits] of [
  ...files.map((f) => [f, connectionEdits]),
  ...inPackage(['src/index.js', 'cjs/src/index.js']).map((f) => [f, beginEdits]),
]) {
  if (!existsSync(file)) continue;
  const original = readFileSync(file, 'utf8');
  let text = original;
  for (const [from, to] of edits) {
    if (text.includes(to)) continue;
    if (!text.includes(from)) {
      console.warn(
        `patch-postgres: ${file} has changed upstream; not patched (check whether the fix shipped)`,
      );
      text = null;
      break;
    }
    text = text.split(from).join(to);
  }
  if (text === null || text === original) continue;
  writeFileSync(file, text);
  patched++;
}
console.log(`patch-postgres: ${patched} file(s) patched`);
