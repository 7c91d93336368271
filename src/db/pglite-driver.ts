import {
  type messages,
  type PGlite,
  protocol,
  type QueryOptions,
  type Results,
  TransactionAbortedError,
} from '@electric-sql/pglite';

/**
 * What drizzle's PGlite session calls on its client (and on the client of a transaction):
 * `query(text, params, { rowMode, parsers })` and `transaction(fn)`. This object answers those on
 * PGlite's own protocol API (`execProtocolStream`, `runExclusive`, the transaction mutex), without
 * PGlite's `query`, because under a burst that path was most of the server's JavaScript time
 * (BENCHMARKS.md "PGlite under a burst"):
 *
 * - `query` parses, describes, binds and executes every statement anew, in five protocol calls plus
 *   a Sync: the engine re-parsed and re-planned the 60-line allocation CTE on every request. Here a
 *   statement text becomes a named prepared statement the first time (Parse + Describe, once per
 *   process), then each call is one Bind + Execute + Sync.
 * - Its result parsing copies the client's parser table (318 entries after the array types are
 *   registered) for every query that passes its own parsers, as drizzle does for each statement:
 *   ~0.2 ms a statement, 12 % of the server's CPU. Here a field's parser is looked up, nothing copied.
 * - Statements sent without waiting (a transaction's independent inserts; service lookups of
 *   concurrent requests) go to the engine in one protocol call, each with its own Sync, so each
 *   still succeeds or fails on its own exactly as if sent one after another.
 *
 * Semantics kept from PGlite: one transaction at a time (its transaction mutex, which PGlite's own
 * `query`/`exec`/`close` also take), statements outside a transaction autocommit, values serialised
 * and rows parsed with the client's `serializers`/`parsers` by type OID, errors are PGlite's
 * `DatabaseError` (SQLSTATE in `code`) with `query` and `params` attached, a COMMIT that rolled back
 * throws `TransactionAbortedError`.
 */

type DatabaseError = messages.DatabaseError;
type BackendMessage = messages.BackendMessage;

export interface QueryClient {
  query<T>(text: string, params?: unknown[], options?: QueryOptions): Promise<Results<T>>;
}

export interface PgliteDriverClient extends QueryClient {
  transaction<T>(fn: (tx: QueryClient) => Promise<T>): Promise<T>;
}

/**
 * Statements with more parameters are sent unnamed and described each time: they are the bulk
 * statements (thousands of numbers, multi-row inserts) whose text changes with their row count.
 */
const MAX_PREPARED_PARAMETERS = 100;
/** Named statements kept; the least recently used one is closed beyond this (plans live in the wasm heap). */
const MAX_PREPARED_STATEMENTS = 400;

interface Field {
  name: string;
  dataTypeID: number;
}

interface Statement {
  /** '' for an unnamed (not kept) statement. */
  name: string;
  paramTypes: number[];
  fields: Field[];
}

interface Call {
  text: string;
  params: unknown[];
  options: QueryOptions | undefined;
  resolve: (result: Results) => void;
  reject: (err: unknown) => void;
}

const { serialize } = protocol;
const SYNC = serialize.sync();
const EXECUTE = serialize.execute();

export interface DriverOptions {
  /** Told 'begin', 'commit' and 'rollback' (the statement tap of `openDatabase`). */
  onTransaction?: (event: string) => void;
  /** Named statements kept (default MAX_PREPARED_STATEMENTS). */
  maxStatements?: number;
}

export function pgliteDriver(pg: PGlite, options: DriverOptions = {}): PgliteDriverClient {
  return new Driver(pg, options);
}

class Driver implements PgliteDriverClient {
  readonly #pg: PGlite;
  readonly #onTransaction: ((event: string) => void) | undefined;
  /** Prepared statements by text, least recently used first (a Map keeps insertion order). */
  readonly #statements = new Map<string, Statement>();
  /** Names of evicted statements still to be closed (outside a transaction). */
  #evicted: string[] = [];
  #nextName = 0;
  /** Autocommit statements waiting for the transaction mutex together, or null. */
  #waiting: Call[] | null = null;

  readonly #maxStatements: number;

  constructor(pg: PGlite, options: DriverOptions) {
    this.#pg = pg;
    this.#onTransaction = options.onTransaction;
    this.#maxStatements = options.maxStatements ?? MAX_PREPARED_STATEMENTS;
  }

  query<T>(text: string, params: unknown[] = [], options?: QueryOptions): Promise<Results<T>> {
    return new Promise<Results<T>>((resolve, reject) => {
      const call: Call = { text, params, options, resolve: resolve as Call['resolve'], reject };
      // Statements that arrive while others wait for the engine join them: one protocol call for
      // all, each still its own implicit transaction (its own Sync).
      if (this.#waiting) {
        this.#waiting.push(call);
        return;
      }
      const batch = [call];
      this.#waiting = batch;
      this.#pg
        ._runExclusiveTransaction(async () => {
          if (this.#waiting === batch) this.#waiting = null;
          await this.#pg._checkReady();
          await this.#run(batch, true);
          await this.#pg.syncToFs();
        })
        .catch((err: unknown) => {
          for (const c of batch) c.reject(err);
        });
    });
  }

  transaction<T>(fn: (tx: QueryClient) => Promise<T>): Promise<T> {
    return this.#pg._runExclusiveTransaction(async () => {
      await this.#pg._checkReady();
      const pipe = new Pipe(this);
      let closed = false;
      const tx: QueryClient = {
        query: <R>(text: string, params?: unknown[], options?: QueryOptions) => {
          if (closed) return Promise.reject(new Error('Transaction is closed'));
          return pipe.send(text, params ?? [], options) as Promise<Results<R>>;
        },
      };
      this.#onTransaction?.('begin');
      // Not awaited: BEGIN goes to the engine together with the transaction's first statements.
      const begun = pipe.send('BEGIN', [], undefined);
      begun.catch(() => {});
      try {
        const result = await fn(tx);
        await begun;
        closed = true;
        const committed = await pipe.send('COMMIT', [], undefined);
        if (committed.command === 'ROLLBACK') {
          const err = new TransactionAbortedError();
          Object.assign(err, { query: 'COMMIT', params: undefined });
          throw err;
        }
        this.#onTransaction?.('commit');
        return result;
      } catch (err) {
        if (!closed) {
          closed = true;
          // Queued behind whatever the callback sent and did not wait for.
          await pipe.send('ROLLBACK', [], undefined);
        }
        this.#onTransaction?.('rollback');
        throw err;
      } finally {
        await this.#pg.syncToFs();
      }
    });
  }

  /**
   * Runs `calls` in order on the engine and settles each one (never rejects for a statement's own
   * error). `autocommit`: outside a transaction, where evicted statements may be closed.
   */
  async #run(calls: Call[], autocommit: boolean): Promise<void> {
    await this.#pg.runExclusive(async () => {
      if (autocommit && this.#evicted.length > 0) await this.#closeEvicted();
      let i = 0;
      while (i < calls.length) {
        const first = calls[i] as Call;
        let statement = this.#known(first);
        if (!statement) {
          statement = await this.#prepare(first);
          if (!statement) {
            i++;
            continue;
          }
        }
        // The longest run of statements already prepared goes in one protocol call; an unnamed one
        // goes alone (the next Parse would replace it).
        const run: [Call, Statement][] = [[first, statement]];
        i++;
        if (statement.name !== '') {
          for (; i < calls.length; i++) {
            const next = calls[i] as Call;
            const known = this.#known(next);
            if (!known || known.name === '') break;
            run.push([next, known]);
          }
        }
        await this.#execute(run);
      }
    });
  }

  /** The prepared statement for a call's text, marked as recently used; null if not prepared. */
  #known(call: Call): Statement | null {
    if (call.params.length > MAX_PREPARED_PARAMETERS) return null;
    const statement = this.#statements.get(call.text);
    if (!statement) return null;
    this.#statements.delete(call.text);
    this.#statements.set(call.text, statement);
    return statement;
  }

  /** Parse + Describe: the statement's parameter and column types. Rejects the call on an error. */
  async #prepare(call: Call): Promise<Statement | null> {
    const named = call.params.length <= MAX_PREPARED_PARAMETERS;
    const name = named ? `gms_${(this.#nextName++).toString(36)}` : '';
    const answer = await this.#exchange(
      concat([serialize.parse({ name, text: call.text }), serialize.describe({ type: 'S', name }), SYNC]),
    );
    let paramTypes: number[] = [];
    let fields: Field[] = [];
    for (const message of answer) {
      if (message.name === 'error') {
        call.reject(withQuery(message as DatabaseError, call));
        return null;
      }
      if (message.name === 'parameterDescription')
        paramTypes = (message as messages.ParameterDescriptionMessage).dataTypeIDs;
      else if (message.name === 'rowDescription')
        fields = (message as messages.RowDescriptionMessage).fields.map((f) => ({
          name: f.name,
          dataTypeID: f.dataTypeID,
        }));
    }
    const statement: Statement = { name, paramTypes, fields };
    if (named) {
      this.#statements.set(call.text, statement);
      if (this.#statements.size > this.#maxStatements) {
        const [oldest] = this.#statements;
        if (oldest) {
          this.#statements.delete(oldest[0]);
          this.#evicted.push(oldest[1].name);
        }
      }
    }
    return statement;
  }

  /** Bind + Execute + Sync for each call, in one protocol call; settles every call. */
  async #execute(run: [Call, Statement][]): Promise<void> {
    const parts: Uint8Array[] = [];
    const sent: [Call, Statement][] = [];
    for (const [call, statement] of run) {
      let values: (string | Uint8Array | null)[];
      try {
        values = this.#values(call, statement);
      } catch (err) {
        // As in PGlite: a value its serialiser refuses fails the call before anything is sent.
        call.reject(err);
        continue;
      }
      parts.push(bindMessage(statement.name, values), EXECUTE, SYNC);
      sent.push([call, statement]);
    }
    if (sent.length === 0) return;
    const answer = await this.#exchange(concat(parts));
    let at = 0;
    for (const [call, statement] of sent) {
      const end = answer.findIndex((m, k) => k >= at && m.name === 'readyForQuery');
      const segment = answer.slice(at, end < 0 ? answer.length : end + 1);
      at = end < 0 ? answer.length : end + 1;
      settle(call, statement, segment, this.#pg.parsers);
    }
  }

  #values(call: Call, statement: Statement): (string | Uint8Array | null)[] {
    const serializers = this.#pg.serializers;
    return call.params.map((param, i) => {
      if (param === null || param === undefined) return null;
      const oid = statement.paramTypes[i] ?? 0;
      const serializer = call.options?.serializers?.[oid] ?? serializers[oid];
      const value: unknown = serializer ? serializer(param) : (param as { toString(): string }).toString();
      return value as string | Uint8Array;
    });
  }

  async #closeEvicted(): Promise<void> {
    const names = this.#evicted;
    this.#evicted = [];
    // Awaited although nothing in the answer matters: PGlite collects a call's answer after it returns.
    await this.#exchange(concat([...names.map((name) => serialize.close({ type: 'S', name })), SYNC]));
  }

  /** One protocol call; every message is returned (errors too: each call settles from its part). */
  #exchange(message: Uint8Array): Promise<BackendMessage[]> {
    return this.#pg.execProtocolStream(message, { syncToFs: false, throwOnError: false });
  }

  /** Lets a transaction's pipe run its statements while the transaction holds the engine. */
  runInTransaction(calls: Call[]): Promise<void> {
    return this.#run(calls, false);
  }
}

/**
 * A transaction's statements in the order they were sent. The ones sent while the transaction's
 * code runs on (without awaiting them) are gathered for a few microtask turns and go to the engine
 * together.
 */
class Pipe {
  readonly #driver: Driver;
  #queue: Call[] = [];
  #busy = false;

  constructor(driver: Driver) {
    this.#driver = driver;
  }

  send(text: string, params: unknown[], options: QueryOptions | undefined): Promise<Results> {
    return new Promise<Results>((resolve, reject) => {
      this.#queue.push({ text, params, options, resolve, reject });
      if (!this.#busy) {
        this.#busy = true;
        void this.#pump();
      }
    });
  }

  async #pump(): Promise<void> {
    try {
      await gather();
      while (this.#queue.length > 0) {
        const batch = this.#queue;
        this.#queue = [];
        try {
          await this.#driver.runInTransaction(batch);
        } catch (err) {
          for (const call of batch) call.reject(err);
        }
      }
    } finally {
      this.#busy = false;
    }
  }
}

/** Microtask turns a pipe waits for statements sent right behind the first (drizzle's layers of async). */
const GATHER_TURNS = 8;

async function gather(): Promise<void> {
  for (let i = 0; i < GATHER_TURNS; i++) await undefined;
}

/** Commands whose row count PGlite reports as `affectedRows`. */
const CHANGING = new Set(['INSERT', 'UPDATE', 'DELETE', 'COPY', 'MERGE']);

function settle(
  call: Call,
  statement: Statement,
  segment: BackendMessage[],
  defaults: Record<number | string, (value: string, typeId: number) => unknown>,
): void {
  const rows: unknown[] = [];
  const fields = statement.fields;
  const own = call.options?.parsers;
  const parsers = fields.map((f) => own?.[f.dataTypeID] ?? defaults[f.dataTypeID]);
  const asArray = call.options?.rowMode === 'array';
  let command: string | undefined;
  let rowCount: number | undefined;
  for (const message of segment) {
    switch (message.name) {
      case 'dataRow': {
        const values = (message as messages.DataRowMessage).fields;
        if (asArray) {
          const row: unknown[] = new Array(values.length);
          for (let k = 0; k < values.length; k++)
            row[k] = parseField(values[k] ?? null, fields[k], parsers[k]);
          rows.push(row);
        } else {
          const row: Record<string, unknown> = {};
          for (let k = 0; k < values.length; k++)
            row[(fields[k] as Field).name] = parseField(values[k] ?? null, fields[k], parsers[k]);
          rows.push(row);
        }
        break;
      }
      case 'commandComplete': {
        // "SELECT 2", "UPDATE 3", "INSERT 0 5"; other tags end in a word ("CREATE TABLE").
        const parts = (message as messages.CommandCompleteMessage).text.split(' ');
        command = parts[0];
        const count = Number.parseInt(parts[parts.length - 1] ?? '', 10);
        if (!Number.isNaN(count)) rowCount = count;
        break;
      }
      case 'error':
        call.reject(withQuery(message as DatabaseError, call));
        return;
    }
  }
  const result: Results = {
    rows: rows as Results['rows'],
    fields: fields.map((f) => ({ name: f.name, dataTypeID: f.dataTypeID })),
    affectedRows: command !== undefined && CHANGING.has(command) ? (rowCount ?? 0) : 0,
    ...(command === undefined ? {} : { command }),
    ...(rowCount === undefined ? {} : { rowCount }),
  };
  call.resolve(result);
}

function parseField(
  value: string | null,
  field: Field | undefined,
  parser: ((value: string, typeId: number) => unknown) | undefined,
): unknown {
  if (value === null) return null;
  return parser && field ? parser(value, field.dataTypeID) : value;
}

/** As PGlite's own errors: the statement and its parameters on the error. */
function withQuery(err: DatabaseError, call: Call): DatabaseError {
  return Object.assign(err, { query: call.text, params: call.params, queryOptions: call.options });
}

/**
 * A Bind message (unnamed portal, text results), as PGlite's `serialize.bind` writes it: a string
 * value is sent as text, bytes as binary, null as null. Written here because PGlite's writer
 * measures every string's UTF-8 length twice in a JavaScript loop over its characters and grows
 * its buffer by copying: a publish batch's one parameter is the JSON of all its events, and that
 * writer was 5 % of the server's CPU under 1,000 publishes a second (BENCHMARKS.md, "Spread on
 * PGlite ... cheaper"). Here the lengths come from `Buffer.byteLength` and the text is encoded once,
 * into a buffer of the right size.
 */
export function bindMessage(
  statement: string,
  given: readonly (string | Uint8Array | ArrayBuffer | null)[],
): Uint8Array {
  const values = given.map((v) => (v instanceof ArrayBuffer ? new Uint8Array(v) : v));
  const count = values.length;
  const statementBytes = Buffer.byteLength(statement);
  const lengths = new Array<number>(count);
  // After the type byte: length, portal '' (1), statement and NUL, format count and codes, value
  // count, the values (length, bytes), result format count.
  let size = 4 + 1 + statementBytes + 1 + 2 + 2 * count + 2 + 2;
  for (let i = 0; i < count; i++) {
    const value = values[i];
    const length =
      value === null || value === undefined
        ? -1
        : typeof value === 'string'
          ? Buffer.byteLength(value)
          : value.byteLength;
    lengths[i] = length;
    size += 4 + Math.max(length, 0);
  }
  const out = Buffer.allocUnsafe(1 + size);
  out[0] = 0x42; // 'B'
  out.writeInt32BE(size, 1);
  let at = 5;
  out[at++] = 0; // unnamed portal
  at += out.write(statement, at, 'utf8');
  out[at++] = 0;
  // Counts are unsigned 16-bit in the protocol: up to 65,535 parameters (a bulk insert's many rows).
  out.writeUInt16BE(count, at);
  at += 2;
  for (let i = 0; i < count; i++) {
    const value = values[i];
    out.writeInt16BE(value !== null && value !== undefined && typeof value !== 'string' ? 1 : 0, at);
    at += 2;
  }
  out.writeUInt16BE(count, at);
  at += 2;
  for (let i = 0; i < count; i++) {
    const value = values[i];
    const length = lengths[i] as number;
    out.writeInt32BE(length, at);
    at += 4;
    if (typeof value === 'string') at += out.write(value, at, 'utf8');
    else if (value) {
      out.set(value, at);
      at += length;
    }
  }
  out.writeInt16BE(0, at); // result formats: none given, so all text
  return out;
}

function concat(parts: Uint8Array[]): Uint8Array {
  let length = 0;
  for (const p of parts) length += p.length;
  const out = new Uint8Array(length);
  let offset = 0;
  for (const p of parts) {
    out.set(p, offset);
    offset += p.length;
  }
  return out;
}
